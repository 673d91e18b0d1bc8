"""Render many faces at once: reuse cached ones, render the others, in parallel if asked.

WeasyPrint renders on one core, so :func:`render_faces` spreads the faces
that need rendering over a process pool (``jobs`` workers, each with its own
:class:`~nuancier_print.render.Renderer`). Faces come back in the order they
were asked for, so the output does not depend on ``jobs``. Faces that do not
fit are all collected and reported together.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

from . import fonts
from .cache import Entry, FaceCache, face_key, files_digest
from .errors import FitError, NuancierError
from .render import LAYOUTS_DIR, FaceSpec, RenderedFace, Renderer, make_environment


@dataclass
class RenderSetup:
    """What every renderer of a batch shares: stylesheet, allowed folders, options."""

    stylesheet: str
    roots: list[Path]
    layouts: Path = LAYOUTS_DIR
    pdf_options: Mapping[str, Any] = field(default_factory=dict)
    preflight: Mapping[str, Any] | None = None  # page checks to run on each new face (preflight options)

    def renderer(self) -> Renderer:
        """Create a renderer for this setup."""
        return Renderer(self.stylesheet, roots=self.roots, layouts=self.layouts, pdf_options=self.pdf_options)


@dataclass
class RenderStats:
    """How a batch went: faces asked for, reused from the cache, rendered, time."""

    faces: int = 0
    cached: int = 0
    rendered: int = 0
    layouts: int = 0
    seconds: float = 0.0
    rendered_keys: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # every face's cache key, in order

    def line(self) -> str:
        """Return a one-line summary."""
        return (f"{self.rendered} face{'s' if self.rendered != 1 else ''} rendered, "
                f"{self.cached} reused from the cache, in {self.seconds:.1f} s")


def assets_digest(layouts: Path = LAYOUTS_DIR) -> str:
    """Hash the files every face depends on besides templates: fonts and ICC profiles."""
    paths = [fonts.FONTS_DIR / face.file for face in fonts.FACES]
    paths += sorted((layouts / "icc").glob("*.icc")) if (layouts / "icc").is_dir() else []
    return files_digest(paths)


@lru_cache(maxsize=8)
def key_environment(layouts: Path):
    """Return the Jinja environment used to hash templates (kept: it reloads a template that changed)."""
    return make_environment(layouts)


def default_jobs() -> int:
    """Return the default number of render processes: the number of cores."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def render_faces(specs: list[FaceSpec], setup: RenderSetup, *, cache: FaceCache, jobs: int = 1,
                 renderer: Renderer | None = None,
                 on_face: Callable[[RenderedFace], None] | None = None,
                 read: Callable[[bytes], Any] | None = None) -> tuple[list[RenderedFace], RenderStats]:
    """Return every face of ``specs`` rendered (or reused), in order, with stats.

    Each face that fits is cached as soon as it is rendered, then handed to
    ``on_face`` (the build prepares it for assembly): with render workers,
    that happens in the main process while the workers go on rendering.
    ``read`` parses a face PDF for its page checks when they run in this
    process (the build passes :func:`.pdfout.reader`, so that assembly
    finds the face already parsed); workers parse their own.
    """
    start = time.perf_counter()
    env = key_environment(setup.layouts)
    assets = assets_digest(setup.layouts)
    memo: dict = {}
    keys = [face_key(spec, env, setup.stylesheet, assets, memo) for spec in specs]
    faces: dict[int, RenderedFace] = {}
    todo = []
    for index, (spec, key) in enumerate(zip(specs, keys)):
        entry = cache.get(key)
        if entry is None:
            todo.append(index)
        else:
            faces[index] = RenderedFace(spec.key, spec.label, entry.pdf, entry.size, 0, entry.findings)
    hints = cache.hints()

    def keep(index: int, face: RenderedFace | NuancierError) -> None:
        if not isinstance(face, NuancierError):  # faces that fit are kept even if others do not
            cache.put(keys[index], Entry(face.pdf, face.size, face.renders, face.findings))
            faces[index] = face
            if on_face is not None:
                on_face(face)

    rendered = _render(todo, specs, setup, jobs, renderer, hints, keep, read)
    failures = [str(r) for r in rendered.values() if isinstance(r, NuancierError)]
    if failures:
        raise FitError("\n".join(failures + [f"{len(failures)} face(s) do not fit"]))
    cache.save_hints({spec.key: faces[i].size for i, spec in enumerate(specs)})
    stats = RenderStats(len(specs), len(specs) - len(todo), len(todo),
                        sum(f.renders for f in rendered.values()), time.perf_counter() - start,
                        [specs[i].key for i in todo], keys)
    return [faces[i] for i in range(len(specs))], stats


def _render(todo: list[int], specs: list[FaceSpec], setup: RenderSetup, jobs: int,
            renderer: Renderer | None, hints: dict,
            done: Callable[[int, RenderedFace | NuancierError], None],
            read: Callable[[bytes], Any] | None = None) -> dict[int, RenderedFace | NuancierError]:
    """Render the faces ``todo``, calling ``done`` on each as soon as it is back."""
    results: dict[int, RenderedFace | NuancierError] = {}
    if not todo:
        return results
    workers = min(jobs, len(todo))
    if workers <= 1 or len(todo) <= 2:
        renderer = renderer or setup.renderer()
        for i in todo:
            results[i] = _render_one(renderer, specs[i], setup.preflight, hints.get(specs[i].key), read)
            done(i, results[i])
        return results
    ordered = sorted(todo, key=lambda i: -_weight(specs[i]))
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(setup,)) as pool:
        jobs_ = [(specs[i], hints.get(specs[i].key)) for i in ordered]
        for i, result in zip(ordered, pool.map(_render_in_worker, jobs_, chunksize=1)):
            results[i] = result
            done(i, result)
    return results


def _render_one(renderer: Renderer, spec: FaceSpec, checks: Mapping | None, hint: float | None = None,
                read: Callable[[bytes], Any] | None = None) -> RenderedFace | NuancierError:
    try:
        face = renderer.render(spec, hint)
    except FitError as exc:
        return exc
    if checks is not None:
        face.findings = face_findings(read(face.pdf) if read else face.pdf, checks, face.text_runs)
        face.text_runs = None  # measured for the findings; not worth sending back
    return face


def face_findings(pdf, checks: Mapping, runs: list | None = None) -> list[tuple[str, str, str]]:
    """Run the costly preflight checks (colour, images, text geometry) on one face (its bytes or reader).

    ``runs`` is the face's text as WeasyPrint laid it out; the geometry rules
    are applied to it rather than to text read back from the PDF (the same
    rules, a tenth of the time). Assembly never touches a face's content
    (it only renames and merges fonts), so these findings hold for the
    assembled file too. Fonts are not checked here: assembly replaces them,
    so the assembled file's own check (`build.DECK_FILE_CHECKS`) is the one
    that counts, and reading every face's font dictionaries again cost
    about 3 ms a face.
    """
    from .preflight import PAGE_CHECKS, preflight

    report = preflight(pdf, checks=PAGE_CHECKS, runs=None if runs is None else [runs], **checks)
    return [("error", f.check, f.message) for f in report.errors] + \
        [("warning", f.check, f.message) for f in report.warnings]


def _weight(spec: FaceSpec) -> int:
    """Estimate a face's rendering cost from the size of its variables."""
    return len(repr(spec.context.get("teinte", spec.context.get("famille", ""))))


_WORKER: tuple[Renderer, Mapping | None] | None = None


def _init_worker(setup: RenderSetup) -> None:
    global _WORKER
    _die_with_parent()
    _WORKER = (setup.renderer(), setup.preflight)


def _die_with_parent() -> None:
    """Make this worker exit when the build that started it dies (even by SIGKILL)."""
    parent = os.getppid()
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch_parent() -> None:  # where prctl does not exist
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch_parent, daemon=True).start()


def _render_in_worker(job: tuple[FaceSpec, float | None]) -> RenderedFace | NuancierError:
    renderer, checks = _WORKER
    spec, hint = job
    return _render_one(renderer, spec, checks, hint)
