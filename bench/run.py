"""Benchmarks: print figures for the deck pipeline, in one run on one machine.

    python bench/run.py            # everything (about 5 minutes on 2 cores)
    python bench/run.py --quick    # skips the 500-teinte deck

Figures (seconds unless stated):

* cold build of the deck (empty cache), with --jobs 1 and with the default jobs,
  and the engine's floor, in --rounds interleaved rounds (medians compared), each
  measure in a new process that has built the deck once (see measure_in_child);
* a diagnostic: the cold --jobs 1 build with every face's size known in advance;
* rebuild after editing one teinte;
* naive full rebuild with the cache disabled;
* the engine's floor: one WeasyPrint render of the same deck HTML as a single
  document (every face at the size the fitter chose), then one PDF write;
* watch latency: from a teinte file saved to deck.pdf replaced;
* synthetic decks of 50 and 500 teintes: time per face and peak RSS;
* one booklet against 30 per-participant booklets (bench/booklets.py).

Nothing here asserts anything: the targets are in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nuancier_print.build import PDF_OPTIONS, BuildOptions, build  # noqa: E402
from nuancier_print.content import load_content  # noqa: E402
from nuancier_print.deck import card_format, deck_faces, deck_stylesheet  # noqa: E402
from nuancier_print.faces import default_jobs  # noqa: E402
from nuancier_print.render import Renderer  # noqa: E402


def timed(func, *args, **kwargs) -> tuple[float, object]:
    """Return (seconds, result) of one call."""
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def project(tmp: Path, name: str, content: Path = ROOT / "content") -> Path:
    """Copy a content folder (without sessions) into a fresh project folder."""
    folder = tmp / name
    shutil.copytree(content, folder / "content", ignore=shutil.ignore_patterns("sessions"))
    return folder


def deck_build(folder: Path, **options) -> float:
    """Build the deck only and return the time it took."""
    defaults = dict(content=folder / "content", out=folder / "out", sheets=False)
    seconds, _ = timed(build, BuildOptions(**{**defaults, **options}))
    return seconds


def edit_teinte(folder: Path, marker: str) -> Path:
    """Append a word to one teinte's savoir-être (a visible, small change)."""
    path = next((folder / "content" / "teintes").glob("2-2-*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("écoute, ouverture d'esprit", f"écoute, ouverture d'esprit, {marker}", 1),
                    encoding="utf-8")
    return path


# --- the engine's floor -----------------------------------------------------------------------

def floor_html(folder: Path) -> tuple[str, str, int]:
    """Return (HTML, CSS, faces) of the whole deck as one document, each face at its fitted size."""
    content = load_content(folder / "content", with_sessions=False)
    fmt = card_format(content)
    sizes = build(BuildOptions(content=folder / "content", out=folder / "out", sheets=False)).sizes
    css = deck_stylesheet(fmt).replace("position: fixed", "position: absolute")
    css = re.sub(r"body\.(tall|full|slim|cover)", r".face.\1", css)
    renderer = Renderer(css, roots=[content.root])
    head, parts = "", []
    for index, spec in enumerate(deck_faces(content, fmt)):
        html = renderer.html(spec, sizes[spec.label])
        head = head or re.search(r"<head>(.*?)<style>", html, re.S).group(1)
        styles = re.findall(r"<style>(.*?)</style>", html, re.S)[-1]
        body_class = re.search(r'<body class="([^"]*)"', html).group(1)
        body = re.search(r"<body[^>]*>(.*)</body>", html, re.S).group(1)
        scoped = re.sub(r"(^|\})\s*([^{}@]+)\{", lambda m: m.group(1) + " " + ", ".join(
            f"#f{index} {sel.strip()}" for sel in m.group(2).split(",")) + " {", styles)
        parts.append(f'<style>{scoped}</style><div class="face {body_class}" id="f{index}" '
                     f'style="font-size: {sizes[spec.label]}pt">{body}</div>')
    css += "\n.face { position: relative; break-after: page; } .face.tall { page: tall; }"
    document = f'<!DOCTYPE html><html lang="fr"><head>{head}</head><body>{"".join(parts)}</body></html>'
    return document, css, len(parts)


def engine_floor(folder: Path):
    """Prepare the whole deck HTML as one document; return a function that renders it once.

    The function returns (seconds for one render() and one write_pdf(), pages).
    """
    html, css, _ = floor_html(folder)
    renderer = Renderer(css, roots=[folder / "content"])
    from weasyprint import HTML

    def once() -> tuple[float, int]:
        start = time.perf_counter()
        document = HTML(string=html, base_url=renderer.layouts.as_uri() + "/", url_fetcher=renderer.fetcher).render(
            font_config=renderer.font_config, stylesheets=[renderer.css])
        document.write_pdf(**PDF_OPTIONS)
        return time.perf_counter() - start, len(document.pages)

    return once


def sizes_known_build(folder: Path, jobs: int = 1) -> float:
    """Rebuild a built project with its faces and deck removed but its size hints kept.

    A diagnostic, not a target: every face still renders and is written,
    preflighted and assembled, but the fitter starts at the size it found
    last time. The difference with a cold build is the cost of finding sizes.
    """
    faces = folder / "out" / ".cache" / "faces"
    for entry in faces.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
    (folder / "out" / "deck.pdf").unlink()
    return deck_build(folder, jobs=jobs)


# --- watch latency ------------------------------------------------------------------------------

def watch_latency(folder: Path, edits: int = 5) -> list[float]:
    """Return the seconds from a teinte saved to deck.pdf replaced, for several saves."""
    from nuancier_print.watch import watch

    options = BuildOptions(content=folder / "content", out=folder / "out", sheets=False)
    stop, ready, lines = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=watch, args=(options, lines.append), kwargs={"stop": stop, "ready": ready})
    thread.start()
    ready.wait(300)
    deck = folder / "out" / "deck.pdf"
    latencies = []
    try:
        for index in range(edits):
            time.sleep(0.5)
            before = deck.stat().st_mtime_ns
            start = time.perf_counter()
            edit_teinte(folder, f"mot{index}")
            while deck.stat().st_mtime_ns == before:
                if time.perf_counter() - start > 30:
                    raise RuntimeError("watch did not rebuild within 30 s: " + "\n".join(lines[-5:]))
                time.sleep(0.002)
            latencies.append(time.perf_counter() - start)
    finally:
        stop.set()
        thread.join(60)
    return latencies


# --- synthetic decks ----------------------------------------------------------------------------

def synthetic(tmp: Path, teintes: int) -> Path:
    """Make a content folder with ``teintes`` teintes spread over the 7 familles (real texts, renumbered)."""
    folder = project(tmp, f"synthetic-{teintes}")
    source = sorted((folder / "content" / "teintes").glob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in source]
    for path in source:
        path.unlink()
    for index in range(teintes):
        famille, rang = index % 7 + 1, index // 7 + 1
        text = re.sub(r"(?m)^numero: .*$", f"numero: {famille}.{rang}", texts[index % len(texts)])
        text = re.sub(r"(?m)^couleur: .*$", "", text)  # shades are derived from the famille colour
        (folder / "content" / "teintes" / f"{famille}-{rang}-synthetique.yaml").write_text(text, encoding="utf-8")
    return folder


def synthetic_run(folder: Path, jobs: int) -> tuple[float, int, float]:
    """Build a synthetic deck in a child process; return (seconds, faces, peak RSS MiB of one process)."""
    command = [sys.executable, "-m", "nuancier_print", "deck", "--content", str(folder / "content"),
               "--out", str(folder / "out"), "--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=folder)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    faces = int(re.search(r"\((\d+) cards", result.stdout).group(1)) * 2
    return seconds, faces, peak


# --- one measure in a fresh process ----------------------------------------------------------------

def measure_in_child(kind: str, folder: Path, jobs: int = 1) -> float:
    """Run one measure in a new Python process and return its seconds.

    Every measure starts from the same state: a new process that has built
    the deck once (imports loaded, caches of the libraries warm, nothing of
    ours kept: see forget_what_builds_keep). Measured in this process instead, a big document's time
    depended on what earlier measures had left alive (the garbage collector
    walks it all): the floor varied from 3.2 to 5.2 s.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", kind, "--project", str(folder),
               "--jobs", str(jobs)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return float(result.stdout.strip().splitlines()[-1])


def forget_what_builds_keep() -> None:
    """Forget what our modules keep from one build to the next in a process.

    `watch` gains from them, but a `nuancier build` starts without them: a
    cold build measured after the warm-up must not find the warm-up's parsed
    faces (the same bytes, so they were not parsed again: about 0.2 s),
    compiled layouts or font subsets. Libraries stay loaded and warm, as for
    the floor.
    """
    from nuancier_print import pdfout, render, weasyfix

    for memo in (getattr(pdfout, "_READERS", None), getattr(weasyfix, "_SUBSETS", None),
                 getattr(getattr(render, "_COMPILED", None), "_compiled", None)):
        if memo is not None:
            memo.clear()
    from nuancier_print.faces import key_environment

    key_environment.cache_clear()


def measure(kind: str, folder: Path, jobs: int) -> float:
    """The child's side of :func:`measure_in_child`: warm up, then time one ``kind``."""
    warm = project(folder, "warm-up")
    deck_build(warm, jobs=jobs)
    forget_what_builds_keep()
    if kind == "floor":
        return engine_floor(warm)()[0]
    if kind == "cold":
        return deck_build(project(folder, "cold"), jobs=jobs)
    if kind == "known":
        return sizes_known_build(warm, jobs=jobs)
    raise ValueError(kind)


# --- main ------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 500-teinte deck")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of cold builds and floor (default 3)")
    parser.add_argument("--cold-only", action="store_true", help="only the cold builds, the floor and their ratios")
    parser.add_argument("--measure", choices=("floor", "cold", "known"), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764201600")
    if args.measure:
        print(f"{measure(args.measure, args.project, args.jobs):.4f}")
        return
    jobs = default_jobs()
    print(f"machine: {os.cpu_count()} cores, default jobs {jobs}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="nuancier-bench-") as tmp:
        tmp = Path(tmp)
        # The machine's speed drifts by 20-30 % within minutes: the floor and the cold builds
        # are measured in interleaved rounds, each in a fresh process, and compared by medians.
        colds_1, colds_n, floors, known = [], [], [], []
        for index in range(args.rounds):
            round_dir = tmp / f"round-{index}"
            floors.append(measure_in_child("floor", round_dir / "floor"))
            colds_1.append(measure_in_child("cold", round_dir / "cold1"))
            colds_n.append(measure_in_child("cold", round_dir / f"cold{jobs}", jobs))
            known.append(measure_in_child("known", round_dir / "known"))
        cold_1, cold_n, floor = (statistics.median(v) for v in (colds_1, colds_n, floors))

        def spread(values):
            return f"median {statistics.median(values):5.2f} s  ({', '.join(f'{v:.2f}' for v in values)})"

        print(f"{'cold build, --jobs 1':58s} {spread(colds_1)}")
        print(f"{f'cold build, --jobs {jobs}':58s} {spread(colds_n)}")
        print(f"{'engine floor: one WeasyPrint document, every face':58s} {spread(floors)}")
        print(f"{'diagnostic: --jobs 1, every size known in advance':58s} {spread(known)}")
        print(f"{'ratios (fastest of each)':58s} cold --jobs 1 / floor = {min(colds_1) / min(floors):.2f}; "
              f"cold --jobs {jobs} / floor = {min(colds_n) / min(floors):.2f}")
        if args.cold_only:
            print(f"{'ratios (medians)':58s} cold --jobs 1 / floor = {cold_1 / floor:.2f}; "
                  f"cold --jobs {jobs} / floor = {cold_n / floor:.2f}; "
                  f"sizes known / floor = {statistics.median(known) / floor:.2f}")
            return
        cold = project(tmp, "edited")
        deck_build(cold, jobs=jobs)
        edit_teinte(cold, "bench")
        edit = deck_build(cold, jobs=jobs)
        unchanged = deck_build(cold, jobs=jobs)
        naive = deck_build(project(tmp, "naive"), jobs=1, cache=False)
        for label, seconds in (("rebuild after editing one teinte", edit), ("rebuild with nothing changed", unchanged),
                               ("naive full rebuild, cache disabled, --jobs 1", naive)):
            print(f"{label:58s} {seconds:7.2f} s")
        print(f"{'ratios (medians)':58s} cold --jobs 1 / floor = {cold_1 / floor:.2f}; "
              f"cold --jobs {jobs} / floor = {cold_n / floor:.2f}; edit / cold = {edit / cold_n:.2f}; "
              f"sizes known / floor = {statistics.median(known) / floor:.2f}")
        latencies = watch_latency(project(tmp, "watch"))
        print(f"{'watch latency, save to deck.pdf replaced (5 saves)':58s} median {statistics.median(latencies):.2f} s, "
              f"max {max(latencies):.2f} s")
        per_face = {}
        for count in (50,) if args.quick else (50, 500):
            seconds, n_faces, peak = synthetic_run(synthetic(tmp, count), jobs)
            per_face[count] = seconds / n_faces
            print(f"{f'synthetic deck, {count} teintes ({n_faces} faces), --jobs {jobs}':58s} {seconds:7.2f} s, "
                  f"{1000 * seconds / n_faces:.1f} ms per face, peak RSS {peak:.0f} MiB (largest process)")
        if len(per_face) == 2:
            print(f"{'time per face, 500 / 50':58s} {per_face[500] / per_face[50]:.2f}")
    booklets = ROOT / "bench" / "booklets.py"
    if booklets.exists():
        subprocess.run([sys.executable, str(booklets)], check=False)


if __name__ == "__main__":
    main()
