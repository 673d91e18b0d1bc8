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
from .errors import BuildError, ContentError, FitError, NuancierError, problem_lines, relative
from .i18n import _, current_language, ngettext
from .output import build_lock
from .outputs import Ledger, booklet_paths, deck_path, kit_paths, sheets_path, tools_digest
from .publish import publish
from .report import RunReport
from .sessions import person_slug


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
    kits: list[dict] | None = None  # kits asked now: {"session": slug} or {"teintes": "3.2,4.1"}, and options
    session_kits: bool = True  # make the kits the sessions declare, and remake those made before
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
    errors: list[str] = field(default_factory=list)  # what kept an output from being written, for stderr
    written: list[Path] = field(default_factory=list)
    sizes: dict[str, float] = field(default_factory=dict)  # face label -> text size (pt)
    rendered: list[str] = field(default_factory=list)  # keys of the faces fitted (their size was not known)
    layouts: int = 0  # layouts made for the deck
    warnings: list[str] = field(default_factory=list)  # WeasyPrint's and preflight's, not the content's
    booklets_rendered: list[str] = field(default_factory=list)  # slugs of the booklets laid out (not kept)
    failed: list[str] = field(default_factory=list)  # slugs of the sessions whose booklet could not be written
    content: Content | None = None
    report: RunReport | None = None


def build(options: BuildOptions, report: RunReport | None = None) -> BuildResult:
    """Validate the content and write every output into ``options.out``.

    ``report`` records what becomes of each output, whatever ends the run
    (the CLI prints it last); see :mod:`.report`.
    """
    return Builder(options, report=report).build()


class Builder:
    """One build, or the successive builds of a `watch` session (``keep_faces``)."""

    def __init__(self, options: BuildOptions, *, keep_faces: bool = False, report: RunReport | None = None):
        self.options = options
        self.cache = Cache(options.cache_folder)
        self.faces: dict[str, tuple] | None = {} if keep_faces else None  # face key -> (Fitted, document)
        self.parsed: dict = {}  # content files already read (see load_content)
        self.report = report
        self._used: set[str] = set()  # the face keys this build used (`watch` keeps their layouts)
        self._engine = None
        self._engine_for: tuple | None = None

    def build(self) -> BuildResult:
        """Validate the content and write every output (see the module docstring)."""
        options, result = self.options, BuildResult()
        ledger = Ledger(options.out, options.content, self.report if self.report is not None else RunReport(),
                        tools_digest(self.layouts))
        result.report = ledger.report
        try:
            content = load_content(options.content, parsed=self.parsed)
        except ContentError:
            ledger.plan(*(options.out / e.path for e in ledger.manifest.entries.values()))
            ledger.report.stop(_("the content has errors (above): nothing was written"))
            raise
        result.content = content
        result.lines += problem_lines(content.warnings, verbose=self.options.verbose)
        result.lines.append(content_line(content))
        dates = Dates()
        self._used = set()
        if self._engine is not None:
            self._engine.warnings.clear()  # each build reports its own
        with build_lock(options.out):
            self.plan(content, ledger)
            try:
                if options.deck:
                    deck = self.write_deck(content, dates, result, ledger)
                    if options.sheets:
                        for sheet, flip, printer in self.sheet_sizes(ledger):
                            self.write_sheets(content, deck, dates, result, ledger, sheet, flip, printer)
                if options.booklets:
                    self.write_booklets(content, dates, result, ledger)
                    self.remove_orphans(content, ledger)
                self.write_kits(content, dates, result, ledger)
            except NuancierError as exc:
                ledger.report.stop(_("not reached: {error}").format(error=_first_line(exc)))
                raise
            self.cache.prune_now_and_then()
        if self.faces is not None:  # `watch` keeps the faces of the last build only
            self.faces = {key: self.faces[key] for key in self._used if key in self.faces}
        return result

    @property
    def layouts(self) -> Path:
        """Return the layouts folder this build uses."""
        from .markup import LAYOUTS_DIR

        return (self.options.layouts or LAYOUTS_DIR).resolve()

    def plan(self, content: Content, ledger: Ledger) -> None:
        """Say which outputs this build means to write, before it writes any."""
        out, options = self.options.out, self.options
        if options.deck:
            ledger.plan(deck_path(out), *(sheets_path(out, sheet) for sheet, _, _ in self.sheet_sizes(ledger)
                                          if options.sheets))
        if options.booklets:
            for slug in self.chosen_sessions(content):
                paths = booklet_paths(out, slug)
                ledger.plan(*paths.shared)
                if slug in content.sessions and (options.per_participant or self.had_copies(ledger, slug)):
                    people = content.sessions[slug][1].participants
                    ledger.plan(*(copy for p in people for copy in paths.personal(person_slug(p.nom))))

    def chosen_sessions(self, content: Content) -> list[str]:
        """Return the slugs of the sessions whose booklets this build makes (or fails to)."""
        if self.options.sessions is not None:
            return self.options.sessions
        return sorted([*content.sessions, *content.session_errors])

    def sheet_sizes(self, ledger: Ledger) -> list[tuple[str, str, str | None]]:
        """Return (sheet, flip, printer) of every press sheet file to make: the one asked, and those made before."""
        options = self.options
        sizes = {options.sheet: (options.sheet, options.flip, options.printer)}
        for entry in ledger.manifest.of_kind("sheets"):
            sheet = entry.options.get("sheet")
            if sheet and sheet not in sizes and (ledger.manifest.out / entry.path).exists():
                sizes[sheet] = (sheet, entry.options.get("flip", "long"), entry.options.get("printer"))
        return list(sizes.values())

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

    def write_deck(self, content: Content, dates: Dates, result: BuildResult, ledger: Ledger) -> Path:
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
        path = deck_path(self.options.out)
        deck_key = digest("deck", keys, self.options.marks, date.isoformat(), self.options.die_line,
                          self.options.corners)
        kept = self.cache.unchanged(path.name, deck_key)
        sources = content_files(content.root)
        if kept is not None:
            ledger.written(path, "deck", sources, unchanged=True)
            result.sizes.update(kept.get("sizes", {}))
            result.written.append(path)
            result.lines.append(_("deck: {path} ({cards}, {pages}); unchanged, not laid out again").format(
                path=path, cards=_cards(len(specs) // 2), pages=_pages(len(specs))))
            return path
        before = len(engine.warnings)
        faces = self.lay_out_faces(specs, htmls, keys, engine.stylesheet(css_text, "deck.css"), result)
        data = engine.write([document for _, document in faces], "deck.pdf")
        faces = [fitted for fitted, _document in faces]  # let the laid-out pages go (`watch` keeps its own)
        info = pdf.DocInfo(content.nuancier.titre, date, deck_key, document="deck",
                           purpose="Jeu de cartes : recto puis verso de chaque carte ; "
                                   f"{fmt.width:g} × {fmt.height:g} mm, fond perdu {fmt.bleed:g} mm.")
        data = finish_deck(data, info, fmt, marks=self.options.marks, die_line=self.options.die_line,
                           corners=self.options.corners)
        known = {number: fitted.findings for number, fitted in enumerate(faces, 1) if fitted.findings is not None}
        report = publish(data, path, kind="deck", trim=(fmt.width, fmt.height), bleed=fmt.bleed,
                         rivet=fmt.rivet, texts=[fitted.text for fitted in faces], known=known,
                         die_line=self.options.die_line)
        self.remember_findings(faces, keys, page_findings(report))
        ledger.written(path, "deck", sources)
        sizes = {fitted.spec.label: fitted.size for fitted in faces}
        self.cache.written(path.name, deck_key, [path], {"sizes": sizes})
        result.written.append(path)
        result.sizes.update(sizes)
        smallest = min(faces, key=lambda fitted: fitted.size)
        laid = [fitted for fitted in faces if fitted.layouts]
        result.lines.append(_("deck: {path} ({cards}, {pages}, {width:g} × {height:g} mm + {bleed:g} mm bleed; "
                              "smallest text {size:g} pt on {face}; {fitted})").format(
            path=path, cards=_cards(len(faces) // 2), pages=_pages(len(faces)), width=fmt.width, height=fmt.height,
            bleed=fmt.bleed, size=smallest.size, face=smallest.spec.label,
            fitted=ngettext("{count} face fitted", "{count} faces fitted", len(laid)).format(count=len(laid))))
        result.warnings += format_report(report)[:-1] + engine.warnings[before:]
        result.lines += [summary(report)] + format_report(report)[:-1] + engine.warnings[before:]
        if self.options.verbose:
            result.lines += [(ngettext("  {face}: {size:g} pt ({count} layout)",
                                       "  {face}: {size:g} pt ({count} layouts)", fitted.layouts)
                              if fitted.layouts else _("  {face}: {size:g} pt (size known)"))
                             .format(face=fitted.spec.label, size=fitted.size, count=fitted.layouts)
                             for fitted in faces]
        return path

    def lay_out_faces(self, specs: list, htmls: list[str], keys: list[str], css, result: BuildResult,
                      kept: bool = True) -> list[tuple]:
        """Return (Fitted, document) for every face, in order; report every face that does not fit at once."""
        faces, failures = [], []
        for spec, html, key in zip(specs, htmls, keys):
            try:
                faces.append(self.face(spec, html, key, css, result))
            except FitError as exc:
                failures.append(str(exc))
        if failures:
            raise FitError("\n".join(failures + [ngettext(
                "{count} face(s) do not fit: deck.pdf was not written, the previous one is unchanged",
                "{count} face(s) do not fit: deck.pdf was not written, the previous one is unchanged",
                len(failures)).format(count=len(failures))]))
        if kept:
            self._used.update(keys)
        return faces

    def remember_findings(self, faces: list, keys: list[str], found: dict[int, list]) -> None:
        """Record the page checks of the faces (each a Fitted) checked for the first time, for later builds."""
        for number, (fitted, key) in enumerate(zip(faces, keys), 1):
            if fitted.findings is None:
                fitted.findings = [tuple(f) for f in found.get(number, [])]
                self.cache.put(key, {"size": fitted.size, "findings": [list(f) for f in fitted.findings],
                                     "language": current_language()})

    def face(self, spec, html: str, key: str, css, result: BuildResult) -> tuple:
        """Return a face laid out: kept from this session, at the size the cache knows, or fitted."""
        if self.faces is not None and key in self.faces:
            self._used.add(key)
            return self.faces[key]
        engine = self._engine
        known = self.cache.get(key)
        laid = engine.lay_out_at(spec, css, float(known["size"]), html) if known and "size" in known else None
        if laid is not None and isinstance(known.get("findings"), list) \
                and known.get("language", "en") == current_language():  # their messages are in that language
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

    def write_sheets(self, content: Content, deck: Path, dates: Dates, result: BuildResult, ledger: Ledger,
                     sheet: str, flip: str, printer: str | None) -> Path:
        """Impose the deck on press sheets, backs behind fronts, and write `deck-sheets-<SHEET>.pdf`.

        When neither the deck nor the sheet options changed since the sheets
        were written (and the file is intact), the file is kept as it is.
        """
        from .pdf import DocInfo
        from .publish import summary
        from .sheets import impose_cards

        correction = printer_correction(content, printer)
        path = sheets_path(self.options.out, sheet)
        die_line = self.options.die_line
        key = digest("sheets", file_sha256(deck), sheet, flip, repr(correction), die_line)
        kept = self.cache.unchanged(path.name, key)
        sources = content_files(content.root) + ([content.root / "printers.yaml"] if printer else [])
        options = {"sheet": sheet, "flip": flip, "printer": printer}
        if kept is not None:
            numbers, verdict = (kept["cards"], kept["per_sheet"], kept["sheets"]), _("ok; unchanged, not imposed again")
            ledger.written(path, "sheets", sources, options=options, unchanged=True)
        else:
            info = DocInfo(f"{content.nuancier.titre} — feuilles {sheet}", content_date(content, dates),
                           key, document=f"sheets|{sheet}",
                           purpose=f"Cartes imposées sur {sheet}, recto verso bord "
                                   f"{'long' if flip == 'long' else 'court'} ; couper aux traits.")
            imposed = impose_cards(deck, info, sheet=sheet, flip=flip, correction=correction)
            report = publish(imposed.data, path, kind="sheets", bleed=imposed.grid.bleed, die_line=die_line,
                             pieces_checked=True)  # deck.pdf passed preflight
            ledger.written(path, "sheets", sources, options=options)
            numbers = (imposed.n_cards, imposed.grid.count, imposed.n_sheets)
            verdict = summary(report, verdict_only=True)
            self.cache.written(path.name, key, [path], dict(zip(("cards", "per_sheet", "sheets"), numbers)))
        result.written.append(path)
        corrected = _(", corrected for printer {printer}").format(printer=printer) if printer else ""
        sheets = ngettext("{count} sheet(s) printed recto verso", "{count} sheet(s) printed recto verso",
                          numbers[2]).format(count=numbers[2])
        flipped = _("long-edge flip") if flip == "long" else _("short-edge flip")
        result.lines.append(_("sheets: {path} ({cards}, {per_sheet} per {sheet} sheet, {sheets}, {flip}"
                              "{corrected}); {verdict}").format(
            path=path, cards=_cards(numbers[0]), per_sheet=numbers[1], sheet=sheet, sheets=sheets, flip=flipped,
            corrected=corrected, verdict=verdict))
        return path

    # --- booklets ----------------------------------------------------------------------------------

    def write_booklets(self, content: Content, dates: Dates, result: BuildResult, ledger: Ledger) -> None:
        """Write each session's booklet, its imposed sheets and the personal copies asked now or made before.

        An error confined to one session (its file, its cover, its photos)
        keeps only that session's files from being written: the others are
        still made, and the run ends with exit status 1.
        """
        from .booklet import write_booklets

        options = self.options
        for slug in self.chosen_sessions(content):
            if slug in content.session_errors:
                self.broken_session(content, slug, ledger, result)
                continue
            try:
                [booklet] = write_booklets(content, options.out, slugs=[slug], cache=self.cache, dates=dates,
                                           per_participant=options.per_participant or self.had_copies(ledger, slug),
                                           engine=self.engine(content), ledger=ledger, creep=options.creep)
            except (FitError, BuildError) as exc:
                if slug not in content.sessions:
                    raise
                self.failed_session(slug, exc, ledger, result)
                continue
            result.written += [booklet.path, booklet.imposed_path, booklet.press_path, booklet.screen_path,
                               *booklet.per_participant, *booklet.screen_copies]
            if not booklet.reused:
                result.booklets_rendered.append(booklet.slug)
            result.lines.append(booklet.line())
            result.lines += booklet.warnings
            result.warnings += booklet.warnings

    def write_kits(self, content: Content, dates: Dates, result: BuildResult, ledger: Ledger) -> None:
        """Make the kits asked for, those the sessions declare, and again those made before from this content."""
        from .kits import write_kit

        for spec in self.kit_specs(content, ledger):
            try:
                write_kit(self, content, spec, dates, result, ledger)
            except (FitError, BuildError) as exc:
                if self.options.kits:
                    raise
                result.errors += exc.lines()
                ledger.failed(kit_paths(self.options.out, spec.name).deck,
                              _("kit {name}: {error}").format(name=spec.name, error=_first_line(exc)))
                result.failed.append(_("kit {name}").format(name=spec.name))

    def kit_specs(self, content: Content, ledger: Ledger) -> list:
        """Return the kits to make: asked now, declared by the sessions, and made before (with their options)."""
        from .kits import KitSpec, kit_asked, kit_of_session

        specs = {spec.name: spec for spec in (kit_asked(content, asked) for asked in self.options.kits or [])}
        if not self.options.session_kits:
            return list(specs.values())
        for slug, (_path, session) in content.sessions.items():
            if session.kit is not None and slug not in specs:
                specs[slug] = kit_of_session(content, slug)
        for entry in ledger.manifest.of_kind("kit"):
            name, recorded = Path(entry.path).parent.name, entry.options
            if name in specs or not (self.options.out / entry.path).exists():
                continue
            session = recorded.get("session")
            if session and session not in content.sessions:
                continue  # its session is gone: remove_orphans deals with it
            teintes = recorded.get("teintes")
            if teintes is not None and not set(teintes) <= {t.numero for t in content.teintes}:
                continue
            specs[name] = KitSpec(name, tuple(teintes) if teintes is not None else None,
                                  int(recorded.get("copies", 1)), recorded.get("sheet", "A4"),
                                  recorded.get("flip", "long"), recorded.get("printer"), session)
        return list(specs.values())

    def had_copies(self, ledger: Ledger, slug: str) -> bool:
        """Tell whether an earlier run made personal copies of this session (they must not go stale)."""
        return any(e.session == slug for e in ledger.manifest.of_kind("participant"))

    def broken_session(self, content: Content, slug: str, ledger: Ledger, result: BuildResult) -> None:
        """Report a session whose file has errors: its problems, and its outputs as not written."""
        path, problems = content.session_errors[slug]
        result.errors += [str(p) for p in problems]
        self.failed_session(slug, _("{file} has errors (above)").format(file=relative(path)), ledger, result)

    def failed_session(self, slug: str, error, ledger: Ledger, result: BuildResult) -> None:
        """Record a session's outputs as not written, and the run as failed."""
        paths = booklet_paths(self.options.out, slug)
        if not isinstance(error, str):
            result.errors += error.lines()
        reason = error if isinstance(error, str) else _("booklet {slug}: {error}").format(slug=slug,
                                                                                           error=_first_line(error))
        for output in paths.shared:
            ledger.failed(output, reason)
        result.failed.append(slug)

    def remove_orphans(self, content: Content, ledger: Ledger) -> None:
        """Remove the session outputs of earlier runs that nothing makes any more, and say so."""
        people: dict[str, set[Path]] = {}
        for slug, (_path, session) in content.sessions.items():
            paths = booklet_paths(self.options.out, slug)
            people[slug] = {copy.resolve() for p in session.participants for copy in paths.personal(person_slug(p.nom))}
        known = {*content.sessions, *content.session_errors}
        for entry in list(ledger.manifest.entries.values()):
            path = self.options.out / entry.path
            if entry.session and entry.session not in known:
                ledger.remove(path, _("its session file is gone"))
            elif entry.kind in PERSONAL_KINDS and path.resolve() not in people.get(entry.session, {path.resolve()}):
                ledger.remove(path, _("no longer a participant of the session"))


def content_line(content: Content) -> str:
    """Return the line that says what the content holds: « content: 7 familles, 18 teintes, 6 warnings »."""
    warnings = len(content.warnings)
    return _("content: {summary}, {warnings}").format(summary=content.summary(), warnings=ngettext(
        "{count} warning", "{count} warnings", warnings).format(count=warnings))


def _cards(count: int) -> str:
    return ngettext("{count} card", "{count} cards", count).format(count=count)


def _pages(count: int) -> str:
    return ngettext("{count} page", "{count} pages", count).format(count=count)


PERSONAL_KINDS = ("participant", "participant-screen")  # a participant's copies, for print and for the screen


def _first_line(error) -> str:
    """Return the last line of an error's message: the one that says what happened."""
    lines = error.lines() if hasattr(error, "lines") else str(error).splitlines()
    return lines[-1] if lines else type(error).__name__


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
        raise BuildError(_("no printer profiles: {path} does not exist (run `nuancier calibrate` "
                           "and record your printer there)").format(path=path))
    printers = load_printers(path)
    if name not in printers:
        known = ", ".join(sorted(printers)) or _("none")
        raise BuildError(_("{path}: no printer named `{name}` (known printers: {known})").format(
            path=path, name=name, known=known))
    return printers[name]


def content_date(content: Content, dates: Dates | None = None) -> dt.datetime:
    """Return the date the output files carry: the newest of their sources' dates."""
    return (dates or Dates()).newest(content_files(content.root))
