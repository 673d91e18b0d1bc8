"""The orchestrator: :func:`build` runs every pipeline stage in order.

Reading :meth:`Builder.build` tells the whole story: load and validate the
content; then, holding the lock of the output folder, lay out the deck's
faces (each fitted to its card), write `deck.pdf`, impose it on press
sheets, and write each session's booklet. Every output passes preflight
before it replaces the previous one, atomically: a failed build leaves the
previous ones untouched.

A :class:`Builder` owns what a build (or a `watch` session's successive
builds) keeps: the rendering engine, the cache, and in `watch` the faces
already laid out, so that a save lays out again only the faces it changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache, digest, file_sha256
from .content import Content, load_content
from .edition import Dates, content_files
from .errors import BuildError, FitError
from .output import build_lock
from .publish import publish


@dataclass
class BuildOptions:
    """What to build, from where, to where."""

    content: Path = Path("content")
    out: Path = Path("out")
    verbose: bool = False
    marks: bool = False
    deck: bool = True
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
    die_line: bool = False  # draw the rivet hole (and rounded corners) in the CutContour spot colour
    corners: float = 0.0  # corner radius of the die line (mm); 0: square corners, no outline
    creep: float = 0.0  # booklets' press imposition: how far (mm) the innermost pages move to the spine

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
    rendered: list[str] = field(default_factory=list)  # keys of the faces fitted (their size was not known)
    layouts: int = 0  # layouts made for the deck
    warnings: list[str] = field(default_factory=list)  # WeasyPrint's and preflight's, not the content's
    booklets_rendered: list[str] = field(default_factory=list)  # slugs of the booklets laid out (not kept)
    content: Content | None = None


def build(options: BuildOptions) -> BuildResult:
    """Validate the content and write every output into ``options.out``."""
    return Builder(options).build()


class Builder:
    """One build, or the successive builds of a `watch` session (``keep_faces``)."""

    def __init__(self, options: BuildOptions, *, keep_faces: bool = False):
        self.options = options
        self.cache = Cache(options.cache_folder)
        self.faces: dict[str, tuple] | None = {} if keep_faces else None  # face key -> (Fitted, document)
        self._engine = None
        self._engine_for: tuple | None = None

    def build(self) -> BuildResult:
        """Validate the content and write every output (see the module docstring)."""
        options, result = self.options, BuildResult()
        content = load_content(options.content)
        result.content = content
        result.lines += [str(w) for w in content.warnings]
        result.lines.append(f"content: {content.summary()}, {len(content.warnings)} warnings")
        dates = Dates()
        if self._engine is not None:
            self._engine.warnings.clear()  # each build reports its own
        with build_lock(options.out):
            if options.deck:
                deck = self.write_deck(content, dates, result)
                if options.sheets:
                    self.write_sheets(content, deck, dates, result)
            if options.booklets and content.sessions:
                self.write_booklets(content, dates, result)
            self.cache.prune_now_and_then()
        return result

    def engine(self, content: Content):
        """Return the rendering engine, made once for a content folder and a layouts folder."""
        from .booklet import booklet_engine
        from .markup import LAYOUTS_DIR

        layouts = (self.options.layouts or LAYOUTS_DIR).resolve()
        wanted = (content.root.resolve(), layouts, self.options.out.resolve())
        if self._engine is None or self._engine_for != wanted:
            self._engine, self._engine_for = booklet_engine(content, self.options.out, layouts), wanted
        return self._engine

    # --- the deck --------------------------------------------------------------------------------

    def write_deck(self, content: Content, dates: Dates, result: BuildResult) -> Path:
        """Lay out every face of the deck, fitted to its card, and write `deck.pdf`."""
        from . import pdf
        from .deck import card_format, deck_faces, deck_stylesheet
        from .preflight import format_report, page_findings
        from .publish import summary
        from .sheets import finish_deck

        fmt, engine = card_format(content), self.engine(content)
        css_text = deck_stylesheet(fmt, engine.layouts)
        specs = deck_faces(content, fmt, dates)
        htmls = [engine.html(spec) for spec in specs]
        keys = [face_key(engine, css_text, spec, html) for spec, html in zip(specs, htmls)]
        date = content_date(content, dates)
        path = self.options.out / "deck.pdf"
        deck_key = digest("deck", keys, self.options.marks, date.isoformat(), self.options.die_line,
                          self.options.corners)
        kept = self.cache.unchanged(path.name, deck_key)
        if kept is not None:
            result.sizes.update(kept.get("sizes", {}))
            result.written.append(path)
            result.lines.append(f"deck: {path} ({len(specs) // 2} cards, {len(specs)} pages); "
                                "unchanged, not laid out again")
            return path
        before = len(engine.warnings)
        faces = self.lay_out_faces(specs, htmls, keys, engine.stylesheet(css_text, "deck.css"), result)
        data = engine.write([document for _, document in faces], "deck.pdf")
        info = pdf.DocInfo(content.nuancier.titre, date, deck_key, document="deck",
                           purpose="Jeu de cartes : recto puis verso de chaque carte ; "
                                   f"{fmt.width:g} × {fmt.height:g} mm, fond perdu {fmt.bleed:g} mm.")
        data = finish_deck(data, info, fmt, marks=self.options.marks, die_line=self.options.die_line,
                           corners=self.options.corners)
        known = {number: fitted.findings for number, (fitted, _) in enumerate(faces, 1) if fitted.findings is not None}
        report = publish(data, path, kind="deck", trim=(fmt.width, fmt.height), bleed=fmt.bleed,
                         rivet=fmt.rivet, texts=[fitted.text for fitted, _ in faces], known=known,
                         die_line=self.options.die_line)
        self.remember_findings(faces, keys, page_findings(report))
        sizes = {fitted.spec.label: fitted.size for fitted, _ in faces}
        self.cache.written(path.name, deck_key, [path], {"sizes": sizes})
        result.written.append(path)
        result.sizes.update(sizes)
        smallest = min(faces, key=lambda f: f[0].size)[0]
        laid = [fitted for fitted, _ in faces if fitted.layouts]
        result.lines.append(f"deck: {path} ({len(faces) // 2} cards, {len(faces)} pages, "
                            f"{fmt.width:g} × {fmt.height:g} mm + {fmt.bleed:g} mm bleed; smallest text "
                            f"{smallest.size:g} pt on {smallest.spec.label}; {len(laid)} faces fitted)")
        result.warnings += format_report(report)[:-1] + engine.warnings[before:]
        result.lines += [summary(report)] + format_report(report)[:-1] + engine.warnings[before:]
        if self.options.verbose:
            result.lines += [f"  {fitted.spec.label}: {fitted.size:g} pt"
                             + (f" ({fitted.layouts} layouts)" if fitted.layouts else " (size known)")
                             for fitted, _ in faces]
        return path

    def lay_out_faces(self, specs: list, htmls: list[str], keys: list[str], css, result: BuildResult) -> list[tuple]:
        """Return (Fitted, document) for every face, in order; report every face that does not fit at once."""
        faces, failures = [], []
        for spec, html, key in zip(specs, htmls, keys):
            try:
                faces.append(self.face(spec, html, key, css, result))
            except FitError as exc:
                failures.append(str(exc))
        if failures:
            raise FitError("\n".join(failures + [f"{len(failures)} face(s) do not fit: deck.pdf was not "
                                                 "written, the previous one is unchanged"]))
        if self.faces is not None:  # `watch` keeps the faces of the last build only
            self.faces = {key: self.faces[key] for key in keys}
        return faces

    def remember_findings(self, faces: list[tuple], keys: list[str], found: dict[int, list]) -> None:
        """Record the page checks of the faces checked for the first time, with their size, for later builds."""
        for number, ((fitted, _), key) in enumerate(zip(faces, keys), 1):
            if fitted.findings is None:
                fitted.findings = [tuple(f) for f in found.get(number, [])]
                self.cache.put(key, {"size": fitted.size, "findings": [list(f) for f in fitted.findings]})

    def face(self, spec, html: str, key: str, css, result: BuildResult) -> tuple:
        """Return a face laid out: kept from this session, at the size the cache knows, or fitted."""
        if self.faces is not None and key in self.faces:
            return self.faces[key]
        engine = self._engine
        known = self.cache.get(key)
        laid = engine.lay_out_at(spec, css, float(known["size"]), html) if known and "size" in known else None
        if laid is not None and isinstance(known.get("findings"), list):
            laid[0].findings = [tuple(f) for f in known["findings"]]
        if laid is None:
            hint = self.cache.get(digest("hint", spec.key))
            laid = engine.fit_face(spec, css, html, start=hint.get("size") if hint else None)
            self.cache.put(key, {"size": laid[0].size})
            self.cache.put(digest("hint", spec.key), {"size": laid[0].size})
            result.layouts += laid[0].layouts
            result.rendered.append(spec.key)
        else:
            result.layouts += 1
        if self.faces is not None:
            self.faces[key] = laid
        return laid

    # --- press sheets ------------------------------------------------------------------------------

    def write_sheets(self, content: Content, deck: Path, dates: Dates, result: BuildResult) -> Path:
        """Impose the deck on press sheets, backs behind fronts, and write `deck-sheets-<SHEET>.pdf`.

        When neither the deck nor the sheet options changed since the sheets
        were written (and the file is intact), the file is kept as it is.
        """
        from .deck import card_format
        from .pdf import DocInfo
        from .publish import summary
        from .sheets import impose_cards

        options = self.options
        correction = printer_correction(content, options.printer)
        path = options.out / f"deck-sheets-{options.sheet}.pdf"
        key = digest("sheets", file_sha256(deck), options.sheet, options.flip, repr(correction), options.die_line)
        kept = self.cache.unchanged(path.name, key)
        if kept is not None:
            numbers, verdict = (kept["cards"], kept["per_sheet"], kept["sheets"]), "ok; unchanged, not imposed again"
        else:
            info = DocInfo(f"{content.nuancier.titre} — feuilles {options.sheet}", content_date(content, dates),
                           key, document=f"sheets|{options.sheet}",
                           purpose=f"Cartes imposées sur {options.sheet}, recto verso bord "
                                   f"{'long' if options.flip == 'long' else 'court'} ; couper aux traits.")
            imposed = impose_cards(deck, info, sheet=options.sheet, flip=options.flip, correction=correction)
            report = publish(imposed.data, path, kind="sheets", bleed=card_format(content).bleed,
                             die_line=options.die_line)
            numbers = (imposed.n_cards, imposed.grid.count, imposed.n_sheets)
            verdict = summary(report).split(": ", 1)[1]
            self.cache.written(path.name, key, [path], dict(zip(("cards", "per_sheet", "sheets"), numbers)))
        result.written.append(path)
        printer = f", corrected for printer {options.printer}" if options.printer else ""
        result.lines.append(f"sheets: {path} ({numbers[0]} cards, {numbers[1]} per {options.sheet} "
                            f"sheet, {numbers[2]} sheet(s) printed recto verso, {options.flip}-edge flip"
                            f"{printer}); {verdict}")
        return path

    # --- booklets ----------------------------------------------------------------------------------

    def write_booklets(self, content: Content, dates: Dates, result: BuildResult) -> None:
        """Write each session's booklet, its imposed sheets and, if asked, the personal copies."""
        from .booklet import write_booklets

        options = self.options
        for booklet in write_booklets(content, options.out, slugs=options.sessions,
                                      per_participant=options.per_participant, cache=self.cache,
                                      engine=self.engine(content), dates=dates, creep=options.creep):
            result.written += [booklet.path, booklet.imposed_path, booklet.press_path, *booklet.per_participant]
            if not booklet.reused:
                result.booklets_rendered.append(booklet.slug)
            result.lines.append(booklet.line())
            result.lines += booklet.warnings
            result.warnings += booklet.warnings


def face_key(engine, css_text: str, spec, html: str) -> str:
    """Return the hash of everything a face's layout depends on: its HTML, the stylesheet, the engine's salt."""
    return digest("face", engine.salt, css_text, html, spec.base_size, spec.floor)


def printer_correction(content: Content, name: str | None):
    """Return the duplex correction recorded for printer ``name`` in content/printers.yaml."""
    if name is None:
        return None
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


def content_date(content: Content, dates: Dates | None = None) -> dt.datetime:
    """Return the date the output files carry: the newest of their sources' dates."""
    return (dates or Dates()).newest(content_files(content.root))
