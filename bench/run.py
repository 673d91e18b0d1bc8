"""Benchmarks: what a user waits for, measured side by side in one run on one machine.

    python bench/run.py             # everything (about 10 minutes on 2 cores)
    python bench/run.py --quick     # skips the 500-teinte deck
    python bench/run.py --rounds 5  # more rounds of the cold builds and the floor

Figures (seconds unless stated):

* a cold `nuancier build` (deck, sheets, the example booklet; empty out/),
  with HarfBuzz's subsetting library visible to WeasyPrint and hidden from
  it, and the engine's floor in both states: one WeasyPrint document of the
  whole deck (every face at its fitted size) plus one of the booklet, each
  laid out and written once. Each is measured in a new process that did the
  same work once before (imports loaded, libraries warm), in interleaved
  rounds, and compared by medians;
* the size of deck.pdf, with and without the library;
* a second build with nothing changed, and one after editing one teinte;
* `watch`: from a teinte saved to deck.pdf replaced, 5 saves;
* synthetic decks of 50 and 500 teintes: time per face and peak RSS.

Hiding the library: the child process refuses to let cffi open any
``harfbuzz-subset`` library before WeasyPrint is imported, as on a machine
without the package. Nothing here asserts anything: the targets are in
bench/README.md.
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
SLUG = "faire-ensemble-autrement"


def hide_harfbuzz_subset() -> None:
    """Make cffi refuse to open HarfBuzz's subsetting library (call before importing WeasyPrint)."""
    import cffi

    real = cffi.FFI.dlopen

    def dlopen(self, name, *args, **kwargs):
        if name and "harfbuzz-subset" in str(name):
            raise OSError(f"hidden by bench/run.py: {name}")
        return real(self, name, *args, **kwargs)

    cffi.FFI.dlopen = dlopen


def timed(func, *args, **kwargs) -> tuple[float, object]:
    """Return (seconds, result) of one call."""
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def project(tmp: Path, name: str, content: Path = ROOT / "content", sessions: bool = True) -> Path:
    """Copy a content folder into a fresh project folder."""
    folder = tmp / name
    ignore = None if sessions else shutil.ignore_patterns("sessions")
    shutil.copytree(content, folder / "content", ignore=ignore)
    return folder


def full_build(folder: Path, **options):
    """Run `nuancier build` (deck, sheets, booklets) as the CLI does; return (seconds, result)."""
    from nuancier_print.build import BuildOptions, build

    return timed(build, BuildOptions(content=folder / "content", out=folder / "out", **options))


def edit_teinte(folder: Path, marker: str) -> Path:
    """Append a word to one teinte's savoir-être (a visible, small change)."""
    path = next((folder / "content" / "teintes").glob("2-2-*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("écoute, ouverture d'esprit", f"écoute, ouverture d'esprit, {marker}", 1),
                    encoding="utf-8")
    return path


# --- the engine's floor -----------------------------------------------------------------------


def floor_documents(folder: Path):
    """Return a function that lays out and writes the whole deck as one document, and the booklet as one.

    The deck's faces are set at the sizes a build fitted them to; their
    fixed boxes are absolutely positioned in each face's own box, and each
    face's colours scoped to it, so that one document prints what the 54
    faces print.
    """
    from nuancier_print import booklet
    from nuancier_print.build import BuildOptions, build
    from nuancier_print.content import load_content
    from nuancier_print.deck import card_format, deck_faces, deck_stylesheet

    sizes = build(BuildOptions(content=folder / "content", out=folder / "out", sheets=False)).sizes
    content = load_content(folder / "content")
    fmt = card_format(content)
    engine = booklet.booklet_engine(content, folder / "out")
    css = deck_stylesheet(fmt).replace("position: fixed", "position: absolute")
    css = re.sub(r"body\.(tall|full|slim|cover)", r".face.\1", css)
    css += "\n.face { position: relative; break-after: page; } .face.tall { page: tall; }"
    parts = []
    for index, spec in enumerate(deck_faces(content, fmt)):
        html = engine.html(spec)
        styles = re.findall(r"<style>(.*?)</style>", html, re.S)[-1]
        body_class = re.search(r'<body class="([^"]*)"', html).group(1)
        body = re.search(r"<body[^>]*>(.*)</body>", html, re.S).group(1).replace('id="fit-', f'id="f{index}-fit-')
        scoped = re.sub(r"(^|\})\s*([^{}@]+)\{", lambda m, i=index: m.group(1) + " " + ", ".join(
            f"#f{i} {sel.strip()}" for sel in m.group(2).split(",")) + " {", styles)
        parts.append(f'<style>{scoped}</style><div class="face {body_class}" id="f{index}" '
                     f'style="font-size: {sizes[spec.label]}pt">{body}</div>')
    deck_html = ('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head>'
                 f'<body>{"".join(parts)}</body></html>')
    path, session = content.sessions[SLUG]
    photos = booklet.prepare_photos(content, path, session, folder / "out" / booklet.PHOTO_CACHE)
    booklet_html = booklet.booklet_html(engine, booklet.booklet_context(content, session, photos), "floor")
    deck_css, booklet_css = engine.stylesheet(css, "floor"), booklet.stylesheet(engine)

    def once() -> tuple[float, int, int]:
        start = time.perf_counter()
        deck = engine.layout(deck_html, deck_css, "floor deck")
        deck.write_pdf()
        book = engine.layout(booklet_html, booklet_css, "floor booklet")
        book.write_pdf()
        return time.perf_counter() - start, len(deck.pages), len(book.pages)

    return once


# --- watch latency ------------------------------------------------------------------------------


def watch_latency(folder: Path, edits: int = 5) -> list[float]:
    """Return the seconds from a teinte saved to deck.pdf replaced, for several saves."""
    from nuancier_print.build import BuildOptions
    from nuancier_print.watch import watch

    options = BuildOptions(content=folder / "content", out=folder / "out", sheets=False, booklets=False)
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
    folder = project(tmp, f"synthetic-{teintes}", sessions=False)
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


def synthetic_run(folder: Path) -> tuple[float, int, float]:
    """Build a synthetic deck with the CLI in a child process; return (seconds, faces, its peak RSS MiB)."""
    command = [sys.executable, "-m", "nuancier_print", "deck", "--content", str(folder / "content"),
               "--out", str(folder / "out")]
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


def measure_in_child(kind: str, folder: Path, hidden: bool) -> str:
    """Run one measure in a new Python process; return what it printed last."""
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", kind, "--project", str(folder)]
    result = subprocess.run(command + (["--hide"] if hidden else []), capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return result.stdout.strip().splitlines()[-1]


def measure(kind: str, folder: Path) -> str:
    """The child's side of :func:`measure_in_child`: do the work once, then time it again, fresh."""
    if kind == "floor":
        once = floor_documents(project(folder, "floor"))
        once()
        return f"{once()[0]:.4f}"
    full_build(project(folder, "warm-up"))
    seconds, _ = full_build(project(folder, "cold"))
    size = (folder / "cold" / "out" / "deck.pdf").stat().st_size
    return f"{seconds:.4f} {size}"


# --- main ------------------------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    """Return a median and its values."""
    return f"median {statistics.median(values):5.2f} s  ({', '.join(f'{v:.2f}' for v in values)})"


def cold_and_floor(tmp: Path, rounds: int) -> None:
    """Print the cold builds and floors, with the library and without, in interleaved rounds."""
    colds = {False: [], True: []}
    floors = {False: [], True: []}
    sizes = {}
    for index in range(rounds):
        for hidden in (False, True):
            base = tmp / f"round-{index}-{'hidden' if hidden else 'library'}"
            floors[hidden].append(float(measure_in_child("floor", base / "floor", hidden)))
            seconds, size = measure_in_child("cold", base / "cold", hidden).split()
            colds[hidden].append(float(seconds))
            sizes[hidden] = int(size)
    median = {key: (statistics.median(colds[key]), statistics.median(floors[key])) for key in colds}
    for hidden, label in ((False, "library visible"), (True, "library hidden")):
        print(f"{f'cold nuancier build, {label}':58s} {spread(colds[hidden])}")
        print(f"{f'engine floor (deck + booklet), {label}':58s} {spread(floors[hidden])}")
        print(f"{f'deck.pdf, {label}':58s} {sizes[hidden] / 1024:7.0f} KB")
    cold_hidden, floor_hidden = median[True]
    cold_visible, floor_visible = median[False]
    print(f"{'cold hidden / cold visible':58s} {cold_hidden / cold_visible:.2f}")
    print(f"{'cold hidden / floor hidden':58s} {cold_hidden / floor_hidden:.2f}")
    print(f"{'cold hidden / floor visible (the faster floor)':58s} {cold_hidden / floor_visible:.2f}")


def incremental(tmp: Path) -> None:
    """Print a second build with nothing changed, and one after editing one teinte."""
    folder = project(tmp, "edited")
    full_build(folder)
    unchanged, _ = full_build(folder)
    edit_teinte(folder, "bench")
    edit, result = full_build(folder)
    print(f"{'second build, nothing changed':58s} {unchanged:7.2f} s")
    print(f"{'build after editing one teinte (deck, sheets, booklet)':58s} {edit:7.2f} s "
          f"({len(result.rendered)} faces fitted, {result.layouts} layouts)")


def scale(tmp: Path, quick: bool) -> None:
    """Print the synthetic decks' time per face and peak RSS."""
    per_face = {}
    for count in (50,) if quick else (50, 500):
        seconds, n_faces, peak = synthetic_run(synthetic(tmp, count))
        per_face[count] = seconds / n_faces
        print(f"{f'synthetic deck, {count} teintes ({n_faces} faces), cold':58s} {seconds:7.2f} s, "
              f"{1000 * seconds / n_faces:.1f} ms per face, peak RSS {peak:.0f} MiB")
    if len(per_face) == 2:
        print(f"{'time per face, 500 / 50':58s} {per_face[500] / per_face[50]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 500-teinte deck")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of cold builds and floors (default 3)")
    parser.add_argument("--cold-only", action="store_true", help="only the cold builds and the floors")
    parser.add_argument("--measure", choices=("floor", "cold"), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--hide", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764201600")
    if args.hide:
        hide_harfbuzz_subset()
    if args.measure:
        print(measure(args.measure, args.project))
        return
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="nuancier-bench-") as tmp:
        tmp = Path(tmp)
        cold_and_floor(tmp, args.rounds)
        if args.cold_only:
            return
        incremental(tmp)
        latencies = watch_latency(project(tmp, "watch", sessions=False))
        print(f"{'watch latency, save to deck.pdf replaced (5 saves)':58s} "
              f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s")
        scale(tmp, args.quick)
    subprocess.run([sys.executable, str(ROOT / "bench" / "booklets.py")], check=False)


if __name__ == "__main__":
    main()
