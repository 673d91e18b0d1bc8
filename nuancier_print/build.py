"""The orchestrator: :func:`build` runs every pipeline stage in order.

Reading :func:`build` tells the whole story: load and validate the content;
then, holding the lock of the output folder, render the deck's faces (each
fitted to its card, reusing the cache), assemble and write `deck.pdf`.
Outputs are replaced atomically: a failed build leaves the previous ones
untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass, field
from pathlib import Path

from .content import Content, load_content
from .errors import FitError
from .output import build_lock


@dataclass
class BuildOptions:
    """What to build, from where, to where."""

    content: Path = Path("content")
    out: Path = Path("out")
    verbose: bool = False
    marks: bool = False
    deck: bool = True
    jobs: int | None = None  # None: one render process per core
    cache: bool = True
    cache_dir: Path | None = None  # default: <out>/.cache
    layouts: Path | None = None  # default: the layouts/ folder next to the package
    sheets: bool = True
    booklets: bool = True
    sessions: list[str] | None = None  # session slugs to build booklets for (None: all)
    per_participant: bool = False
    sheet: str = "A3"
    flip: str = "long"
    printer: str | None = None  # a printer of content/printers.yaml whose duplex correction to apply

    @property
    def cache_folder(self) -> Path | None:
        """Return the cache folder, or None when the cache is off."""
        if not self.cache:
            return None
        return self.cache_dir or self.out / ".cache"


@dataclass
class BuildResult:
    """What a build did, as lines for the user, and figures for tests and benchmarks."""

    lines: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    sizes: dict[str, float] = field(default_factory=dict)  # face label -> text size (pt)
    rendered: list[str] = field(default_factory=list)  # keys of the faces rendered (not cached)
    booklets_rendered: list[str] = field(default_factory=list)  # slugs of the booklets rendered (not kept)
    content: Content | None = None


def build(options: BuildOptions, *, warm=None) -> BuildResult:
    """Validate the content and write every output into ``options.out``."""
    with _older_objects_left_alone():
        return _build(options, warm)


@contextlib.contextmanager
def _older_objects_left_alone():
    """Keep the garbage collector from walking what existed before this build, while it runs.

    A process that builds again and again (``watch``) holds many objects from
    earlier builds: the parsed faces kept for assembly, the renderer. Each
    full collection during a build walked them all again. They are frozen for
    the build (left out of collections) and handed back afterwards, so what
    became garbage is still freed, one build later.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _build(options: BuildOptions, warm) -> BuildResult:
    result = BuildResult()
    content = load_content(options.content)
    result.content = content
    result.lines += [str(w) for w in content.warnings]
    result.lines.append(f"content: {content.summary()}, {len(content.warnings)} warnings")
    with build_lock(options.out):
        if options.deck:
            deck = write_deck(content, options, result, warm=warm)
            if options.sheets:
                write_sheets(content, deck, options, result)
        if options.booklets and content.sessions:
            write_session_booklets(content, options, result)
        from .cache import prune_now_and_then

        prune_now_and_then(options.cache_folder)  # what this build used was just read or written: it stays
    return result


def write_deck(content: Content, options: BuildOptions, result: BuildResult, *, warm=None) -> Path:
    """Render every face of the deck (reusing cached ones) and write `deck.pdf`."""
    from .cache import FaceCache
    from .deck import card_format, deck_faces, deck_stylesheet
    from .faces import RenderSetup, default_jobs, render_faces
    from .pdfout import DocInfo, assemble, document_id, existing_id, prepare, reader
    from .preflight import Finding, Report, format_report
    from .publish import publish, summary
    from .render import LAYOUTS_DIR

    fmt = card_format(content)
    layouts = options.layouts or LAYOUTS_DIR
    setup = RenderSetup(deck_stylesheet(fmt, layouts), roots=[content.root], layouts=layouts,
                        pdf_options=PDF_OPTIONS, preflight={"kind": "deck", **deck_checks(fmt)})
    specs = deck_faces(content, fmt)
    try:
        faces, stats = render_faces(specs, setup, cache=FaceCache(options.cache_folder),
                                    jobs=options.jobs or default_jobs(),
                                    renderer=warm.get(setup) if warm is not None else None,
                                    on_face=lambda face: prepare(face.pdf), read=reader)
    except FitError as exc:
        raise FitError(f"{exc}: deck.pdf was not written, the previous one is unchanged") from None
    info = DocInfo(content.nuancier.titre, content_date(content), identity="|".join(stats.keys))
    findings = [(page, *finding) for page, face in enumerate(faces, 1) for finding in face.findings]
    path = options.out / "deck.pdf"
    if existing_id(path) == document_id(info, options.marks)[:16]:  # same faces: the file is up to date
        report = Report(path, "deck", [], [Finding(c, p, m) for p, sev, c, m in findings if sev != "error"])
    else:
        data = assemble([f.pdf for f in faces], info, marks=options.marks, bleed_mm=fmt.bleed)
        report = publish(data, path, kind="deck", face_findings=findings, checks=DECK_FILE_CHECKS,
                         **deck_checks(fmt))
    result.written.append(path)
    result.rendered += stats.rendered_keys
    result.sizes.update({f.label: f.size for f in faces})
    smallest = min(faces, key=lambda f: f.size)
    result.lines.append(f"deck: {path} ({len(faces) // 2} cards, {len(faces)} pages, "
                        f"{fmt.width:g} × {fmt.height:g} mm + {fmt.bleed:g} mm bleed; "
                        f"smallest text {smallest.size:g} pt on {smallest.label}; {stats.line()})")
    result.lines += [summary(report)] + format_report(report)[:-1]
    if options.verbose:
        result.lines += [f"  {f.label}: {f.size:g} pt" + (f" ({f.renders} layouts)" if f.renders else " (cached)")
                         for f in faces]
    return path


def write_session_booklets(content: Content, options: BuildOptions, result: BuildResult) -> None:
    """Write each session's booklet, its imposed sheets and, if asked, the personal copies."""
    from .booklet import write_booklets

    for booklet in write_booklets(content, options.out, slugs=options.sessions,
                                  per_participant=options.per_participant, cache=options.cache_folder):
        result.written += [booklet.path, booklet.imposed_path, *booklet.per_participant]
        if not booklet.reused:
            result.booklets_rendered.append(booklet.slug)
        result.lines.append(booklet.line())
        result.lines += booklet.warnings


# The rest runs, cached, on each face; fonts are checked again because assembly merges them.
DECK_FILE_CHECKS = frozenset({"pdfx", "pages", "boxes", "fonts"})


def deck_checks(fmt) -> dict:
    """Return the preflight options for a deck of this format."""
    return {"trim": (fmt.width, fmt.height), "bleed": fmt.bleed, "rivet": fmt.rivet}


def write_sheets(content: Content, deck: Path, options: BuildOptions, result: BuildResult) -> Path:
    """Impose the deck on press sheets, backs behind fronts, and write `deck-sheets-<SHEET>.pdf`.

    When neither the deck nor the sheet options changed since the sheets were
    written (and the file is intact), the file is kept as it is.
    """
    from .cache import keep_output, kept_output
    from .publish import publish_file, summary
    from .sheets import impose_cards

    correction = printer_correction(content, options.printer)
    path = options.out / f"deck-sheets-{options.sheet}.pdf"
    key = _sheets_key(deck, options, correction)
    kept = kept_output(options.cache_folder, path.stem, key)
    if kept is not None:
        numbers, verdict = (kept["cards"], kept["per_sheet"], kept["sheets"]), "ok; unchanged, not imposed again"
    else:
        pending = path.with_name(f".{path.name}.pending")
        imposed = impose_cards(deck, pending, sheet=options.sheet, flip=options.flip, correction=correction)
        report = publish_file(pending, path, kind="sheets")
        numbers, verdict = (imposed.n_cards, imposed.grid.count, imposed.n_sheets), summary(report).split(": ", 1)[1]
        keep_output(options.cache_folder, path.stem, key, [path],
                    {"cards": numbers[0], "per_sheet": numbers[1], "sheets": numbers[2]})
    result.written.append(path)
    printer = f", corrected for printer {options.printer}" if options.printer else ""
    result.lines.append(f"sheets: {path} ({numbers[0]} cards, {numbers[1]} per {options.sheet} "
                        f"sheet, {numbers[2]} sheet(s) printed recto verso, {options.flip}-edge flip"
                        f"{printer}); {verdict}")
    return path


def _sheets_key(deck: Path, options: BuildOptions, correction) -> str:
    """Hash what the imposed sheets depend on: the deck's bytes, the sheet options, the version."""
    import hashlib

    from . import __version__

    parts = f"{__version__}|{options.sheet}|{options.flip}|{correction!r}|"
    return hashlib.sha256(parts.encode() + hashlib.sha256(deck.read_bytes()).digest()).hexdigest()


def printer_correction(content: Content, name: str | None):
    """Return the duplex correction recorded for printer ``name`` in content/printers.yaml."""
    if name is None:
        return None
    from .errors import BuildError
    from .sheets import load_printers

    path = content.root / "printers.yaml"
    if not path.exists():
        raise BuildError(f"no printer profiles: {path} does not exist (run `nuancier calibrate` "
                         "and record your printer there)")
    printers = load_printers(path)
    if name not in printers:
        known = ", ".join(sorted(printers)) or "none"
        raise BuildError(f"{path}: no printer named `{name}` (known printers: {known})")
    return printers[name]


# Faces are plain, uncompressed PDFs (DeviceCMYK): pdfout.assemble merges their fonts,
# compresses what it keeps once, and makes the deck PDF/X-4.
PDF_OPTIONS: dict = {"uncompressed_pdf": True}


def content_date(content: Content) -> dt.datetime:
    """Return the date the output files carry: the newest of their sources' dates."""
    from .edition import content_files, newest_date

    return newest_date(content_files(content.root))
