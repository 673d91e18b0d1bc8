"""The `nuancier` command line: thin click commands over the library.

Every command reads `content/` and writes to `out/` relative to the current
folder; `--content` and `--out` change that. Problems with the content or the
build are printed as plain lines and exit with status 1; `--debug` shows the
Python traceback instead.

Everything the commands say, their help included, is in French or English
(:mod:`.i18n`): help texts are English msgids marked with ``N_`` and
translated when the help is shown (:class:`Command`, :class:`Option`), and
``--lang`` takes effect before anything is shown.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import signal
import sys
import threading
from pathlib import Path

import click

from . import __version__, i18n
from .errors import NuancierError
from .i18n import N_, _


class Translated:
    """A click command or option whose help is an English msgid, translated each time it is shown."""

    @property
    def help(self):
        return _(self._help) if self._help else self._help

    @help.setter
    def help(self, value):
        self._help = value


class Option(Translated, click.Option):
    """An option whose help (marked with ``N_``) is translated when shown."""


class HelpFormatter(click.HelpFormatter):
    """Click's help layout, with headings such as « Options : » punctuated in the language shown."""

    def write_heading(self, heading: str) -> None:
        self.write(" " * self.current_indent + _("{heading}:").format(heading=heading) + "\n")


class Context(click.Context):
    formatter_class = HelpFormatter


class Command(Translated, click.Command):
    """A command whose help, and its options' (``--help`` too), are translated when shown."""

    context_class = Context

    def get_help_option(self, ctx):
        if self._help_option is None and self.add_help_option and self.get_help_option_names(ctx):
            click.help_option(*self.get_help_option_names(ctx), cls=Option,
                              help=N_("Show this message and exit."))(self)
            self._help_option = self.params.pop()
        return super().get_help_option(ctx)


class Group(Command, click.Group):
    """The `nuancier` group: its commands are :class:`Command`."""

    command_class = Command


class PathType(click.Path):
    """click's Path, whose name (« path », « file », « directory »: its metavar, its errors) is translated when shown.

    click translates it when the option is declared, in the language of that moment.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = "file" if self.file_okay and not self.dir_okay else (
            "directory" if self.dir_okay and not self.file_okay else "path")

    @property
    def name(self):
        return _(self._name)

    @name.setter
    def name(self, value):
        self._name = value


option = functools.partial(click.option, cls=Option)

# Click's own texts the commands can show (usage, help sections, usage errors): click marks them
# with gettext's `_`, routed to our catalogs by _route_click_texts(); listed here so that extraction
# keeps them in the `nuancier` catalog.
CLICK_TEXTS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("default: {default}"), N_("Aborted!"),
    N_("%(prog)s, version %(version)s"), N_("Error: {message}"), N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"), N_("Missing argument"),
    N_("Missing option"), N_("Missing parameter"), N_("No such option {name!r}."), N_("No such command {name!r}."),
    N_("Missing command."), N_("Option {name!r} does not take a value."), N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."), N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."), N_("{name} {filename!r} is a file."), N_("file"), N_("directory"),
    N_("path"), i18n.ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1),
    i18n.ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1),
    i18n.ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1),
    i18n.ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1),
)


def _route_click_texts() -> None:
    """Translate click's own texts with our catalogs: click calls gettext's `_`, bound in each of its modules."""
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = _
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = i18n.ngettext


_route_click_texts()


def common(func):
    """Add --content, --out, --verbose and --debug, and report errors plainly."""

    @option("--content", "content_dir", type=PathType(path_type=Path), default=Path("content"),
            show_default=True, help=N_("The content folder to read."))
    @option("--out", "out_dir", type=PathType(path_type=Path), default=Path("out"),
            show_default=True, help=N_("The folder to write outputs to."))
    @option("-v", "--verbose", is_flag=True, help=N_("Show details of what is done."))
    @option("--debug", is_flag=True, help=N_("Show Python tracebacks (for developers)."))
    @functools.wraps(func)
    def wrapper(*args, debug: bool, **kwargs):
        try:
            return func(*args, **kwargs)
        except NuancierError as exc:
            if debug:
                raise
            for line in exc.lines():
                click.echo(line, err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(_("interrupted"), err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the user must never see a traceback by default
            if debug:
                raise
            click.echo(_("internal error: {error}").format(error=f"{type(exc).__name__}: {exc}"), err=True)
            click.echo(_("This is a bug in nuancier-print, not in your content. "
                         "Run the same command with --debug and send the output to the developers."), err=True)
            sys.exit(1)

    return wrapper


def _use_language(ctx, param, value):
    """Speak ``--lang``'s language (else NUANCIER_LANG's, else the locale's) from now on, help included."""
    i18n.set_language(value)
    ctx.meta["nuancier.lang"] = value  # the atelier's too (serve)
    return value


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("Build La 27e Région's training nuancier: card deck, booklets, press sheets."))
@option("--lang", type=click.Choice(["fr", "en"]), default=None, is_eager=True, expose_value=False,
        callback=_use_language,
        help=N_("The language of messages and help: fr or en [default: NUANCIER_LANG, else the locale's]."))
@click.version_option(__version__, prog_name="nuancier", cls=Option, help=N_("Show the version and exit."))
def main():
    pass


@main.command(help=N_("Check the content (or only FILES and what they refer to) and report every problem "
                      "with its file and line."))
@common
@click.argument("files", nargs=-1, type=PathType(path_type=Path, dir_okay=False))
@option("--strict", is_flag=True, help=N_("Treat warnings as errors."))
def check(content_dir: Path, out_dir: Path, verbose: bool, files: tuple[Path, ...], strict: bool):
    from .check import check_content

    report = check_content(content_dir, strict=strict, files=list(files) or None, verbose=verbose)
    for line in report.lines:
        click.echo(line, err=not report.ok)
    if not report.ok:
        sys.exit(1)


@main.command("schema", help=N_("Write JSON Schemas of the content files, for editors with YAML support."))
@common
@option("--to", "folder", type=PathType(path_type=Path), default=None,
        help=N_("Where to write the schema files [default: <content>/schema]."))
def schema_command(content_dir: Path, out_dir: Path, verbose: bool, folder: Path | None):
    from .jsonschema import write_schemas

    for path in write_schemas(folder or content_dir / "schema"):
        click.echo(_("wrote {path}").format(path=path))


def build_options(func):
    """Add the options shared by the commands that render: --no-cache, --marks, --die-line, --layouts."""
    func = option("--corners", type=click.FloatRange(0, 20), default=0.0, metavar="MM",
                  help=N_("With --die-line: round the cards' corners with this radius, and cut their outline."))(func)
    func = option("--die-line", "die_line", is_flag=True,
                  help=N_("Draw the rivet hole (and rounded corners) as a die line in the CutContour spot "
                          "colour, on the deck and its sheets."))(func)
    func = option("--marks", is_flag=True, help=N_("Add crop marks around every card of deck.pdf."))(func)
    func = option("--no-cache", "no_cache", is_flag=True,
                  help=N_("Lay out every face again instead of reusing out/.cache."))(func)
    func = option("--layouts", type=PathType(path_type=Path, file_okay=False, exists=True), default=None,
                  help=N_("Use the layouts of this folder instead of the built-in ones."))(func)
    return func


def creep_option(func):
    """Add --creep, for the booklets' press imposition."""
    return option("--creep", type=click.FloatRange(0, 5), default=0.0, show_default=True, metavar="MM",
                  help=N_("Move the pages of the booklet's inner sheets towards the spine, up to this much "
                          "for the innermost (the press imposition only; ask the print shop)."))(func)


@main.command(help=N_("Check the content, then write every output into the out folder."))
@common
@build_options
@option("--sheet", type=click.Choice(["A4", "Letter", "A3", "SRA3"]), default="A3", show_default=True,
        help=N_("The sheet for deck-sheets-<SHEET>.pdf: A3 or SRA3 for a print shop, A4 or Letter for an "
                "office printer (two cards a sheet, no bleed)."))
@option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
        help=N_("How your printer turns the sheet for the backs."))
@option("--printer", default=None, metavar="NAME",
        help=N_("Apply this printer's duplex correction (content/printers.yaml) to the backs."))
@option("--per-participant", is_flag=True,
        help=N_("Also write each session's booklet once per participant, with their name."))
@creep_option
def build(content_dir: Path, out_dir: Path, verbose: bool, **options):
    _run_build(content_dir, out_dir, verbose, **options)


@main.command(help=N_("Write participant booklets in out/sessions/<session>/: the booklet, imposed for office "
                      "printers and for the press, and its screen edition to send by e-mail.\n\nGive session files "
                      "(content/sessions/<slug>.yaml); with none, every session is built."))
@common
@click.argument("sessions", nargs=-1, type=PathType(path_type=Path, dir_okay=False))
@option("--per-participant", is_flag=True, help=N_("Also write one copy per participant, with their name."))
@creep_option
def booklet(content_dir: Path, out_dir: Path, verbose: bool, sessions: tuple[Path, ...], per_participant: bool,
            creep: float):
    slugs = [Path(s).stem for s in sessions] or None
    _run_build(content_dir, out_dir, verbose, no_cache=False, deck=False, sessions=slugs,
               per_participant=per_participant, creep=creep)


@main.command(help=N_("Write the card deck only: out/deck.pdf, recto then verso for every card."))
@common
@build_options
def deck(content_dir: Path, out_dir: Path, verbose: bool, **options):
    _run_build(content_dir, out_dir, verbose, sheets=False, booklets=False, **options)


@main.command(help=N_("Write the static web site: out/site/, with the deck PDF to download (built first if "
                      "missing)."))
@common
def site(content_dir: Path, out_dir: Path, verbose: bool):
    from .site import make_site

    make_site(content_dir, out_dir, echo=click.echo)


def _run_build(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, **options):
    """Build, then say last what became of each output, whatever ends the run."""
    from .build import BuildOptions
    from .build import build as run_build
    from .report import RunReport

    report = RunReport()
    status = 1
    try:
        with terminated_as_interrupt():
            result = run_build(BuildOptions(content=content_dir, out=out_dir, verbose=verbose,
                                            cache=not no_cache, **options), report)
        for line in result.lines:
            click.echo(line)
        for line in result.errors:
            click.echo(line, err=True)
        status = 1 if report.failures else 0
    except NuancierError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
    except KeyboardInterrupt as exc:
        report.stop(_("interrupted before it was written"))
        click.echo(_("interrupted"), err=True)
        status = 143 if isinstance(exc, Terminated) else 130
    finally:
        for line in report.lines():
            click.echo(line, err=status != 0)
    sys.exit(status)


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): handled like Ctrl-C, so that the run says what it did."""


@contextlib.contextmanager
def terminated_as_interrupt():
    """Turn SIGTERM into :class:`Terminated` while a build runs (in the main thread only).

    A signal that reaches Python inside a C library's callback (ctypes, cffi)
    comes out as that library's own error, such as ctypes' « ArgumentError:
    argument 1: KeyboardInterrupt », which a build may even catch (one
    session's error); once Ctrl-C or SIGTERM was received, the run ends as
    that interrupt, whatever error ends it, or at the end if none does.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def stop(signum, frame):
        received.append(signum)
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except Exception as exc:
        if not received:
            raise
        raise (Terminated() if received[0] == signal.SIGTERM else KeyboardInterrupt()) from exc
    else:
        if received:  # an error the signal became was caught on the way (one session's): the run was still stopped
            raise Terminated() if received[0] == signal.SIGTERM else KeyboardInterrupt()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@main.command(help=N_("Write a workshop kit: the deck of a session's teintes (or of a list, or all), in several "
                      "copies, imposed."))
@common
@option("--session", "session", default=None, metavar="SLUG",
        help=N_("Take the teintes of this session (content/sessions/SLUG.yaml), in the order lived."))
@option("--teintes", default=None, metavar="LIST", help=N_("Take these teintes, e.g. 3.2,4.1,5.1."))
@option("--copies", type=click.IntRange(1, 50), default=None, help=N_("How many copies, one per table [default: 1]."))
@option("--sheet", type=click.Choice(["A4", "Letter", "A3", "SRA3"], case_sensitive=False), default=None,
        help=N_("A4 or Letter: an office printer, two cards a sheet; A3 or SRA3: a print shop [default: A4]."))
@option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
        help=N_("How the printer turns the sheet for the backs."))
@option("--printer", default=None, metavar="NAME",
        help=N_("Apply this printer's duplex correction (content/printers.yaml) to the backs."))
@option("--name", default=None, help=N_("The kit's folder name under out/kits/ [default: from what it holds]."))
def kit(content_dir: Path, out_dir: Path, verbose: bool, **asked):
    if asked["session"] and asked["teintes"]:
        raise click.UsageError(_("give --session or --teintes, not both"))
    if asked["sheet"]:
        asked["sheet"] = {"letter": "Letter"}.get(asked["sheet"].lower(), asked["sheet"].upper())
    _run_build(content_dir, out_dir, verbose, no_cache=False, deck=False, sheets=False, booklets=False,
               session_kits=False, kits=[asked])


@main.command(help=N_("Rebuild what changed every time a content, layout or font file is saved."))
@common
@build_options
def watch(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, **options):
    from .build import BuildOptions
    from .watch import watch as run_watch

    run_watch(BuildOptions(content=content_dir, out=out_dir, verbose=verbose, cache=not no_cache, **options),
              click.echo)


@main.command(help=N_("Write PNG previews: one per face, a contact sheet, and the deck fanned open."))
@common
@build_options
def preview(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, **options):
    from .build import BuildOptions
    from .build import build as run_build
    from .deck import card_format
    from .preview import write_previews

    result = run_build(BuildOptions(content=content_dir, out=out_dir, verbose=verbose, cache=not no_cache,
                                    **options))
    for line in result.lines:
        click.echo(line)
    fmt = card_format(result.content)
    written = write_previews(out_dir / "deck.pdf", out_dir, fmt.rivet, (fmt.width, fmt.height))
    click.echo(i18n.ngettext("previews: {count} face in {folder}, {contact_sheet}, {fan}",
                             "previews: {count} faces in {folder}, {contact_sheet}, {fan}", len(written.faces))
               .format(count=len(written.faces), folder=out_dir / "preview", contact_sheet=written.contact_sheet,
                       fan=written.fan))


@main.command(help=N_("Impose only the cards whose faces changed since a git revision (reprint.pdf, "
                      "reprint.png)."))
@common
@build_options
@option("--since", required=True, metavar="REV", help=N_("The git revision the printed deck was built from."))
@option("--sheet", type=click.Choice(["A4", "A3", "SRA3"]), default="A3", show_default=True,
        help=N_("The press sheet to impose the changed cards on."))
@option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
        help=N_("How the printer turns the sheet for the backs."))
def reprint(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, since: str, sheet: str,
            flip: str, **options):
    from .build import BuildOptions
    from .reprint import reprint as run_reprint

    options.pop("marks", None)
    options.pop("printer", None)
    result = run_reprint(BuildOptions(content=content_dir, out=out_dir, verbose=verbose, cache=not no_cache,
                                      **options), since, sheet=sheet, flip=flip)
    for line in result.lines:
        click.echo(line)


def sheet_options(func):
    """Add --sheet, --flip and --printer."""
    func = option("--printer", default=None, metavar="NAME",
                  help=N_("Apply this printer's duplex correction (content/printers.yaml) to the backs."))(func)
    func = option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
                  help=N_("How your printer turns the sheet for the backs."))(func)
    func = option("--sheet", type=click.Choice(["A4", "Letter", "A3", "SRA3"]), default="A3",
                  show_default=True, help=N_("A3 or SRA3 for a print shop, A4 or Letter for an office printer "
                                             "(two cards a sheet, no bleed)."))(func)
    return func


@main.command(help=N_("Write the deck imposed on press sheets: out/deck-sheets-<SHEET>.pdf, backs behind fronts."))
@common
@build_options
@sheet_options
def sheets(content_dir: Path, out_dir: Path, verbose: bool, **options):
    _run_build(content_dir, out_dir, verbose, booklets=False, **options)


@main.command(help=N_("Write a duplex calibration sheet: print it recto verso and measure how the back is off."))
@common
@option("--sheet", type=click.Choice(["A4", "A3", "SRA3"]), default="A4", show_default=True,
        help=N_("The sheet size to calibrate."))
@option("--printer", default=None, metavar="NAME",
        help=N_("Apply this printer's recorded correction, to check it."))
def calibrate(content_dir: Path, out_dir: Path, verbose: bool, sheet: str, printer: str | None):
    from .build import printer_correction
    from .content import load_content
    from .output import atomic_write
    from .sheets import calibration_pdf

    correction = printer_correction(load_content(content_dir, with_sessions=False), printer) if printer else None
    path = out_dir / f"calibration-{sheet}.pdf"
    atomic_write(path, calibration_pdf(sheet=sheet, correction=correction))
    click.echo(_("calibration: {path}").format(path=path))
    click.echo(_("Print it recto verso at 100 % (long-edge flip), hold it to the light, and record how far "
                 "the back lands from the front in {file}, for example:").format(file=content_dir / "printers.yaml"))
    click.echo(_("  bureau:\n    dx: 0.8    # mm, + to the right\n    dy: -0.5   # mm, + upwards\n"
                 "    rotation: 0.1  # degrees, + anticlockwise\n    scale: 1.0"))
    click.echo(_("Then: nuancier sheets --printer bureau"))


@main.command(help=N_("Open the atelier: compose sessions and preview their booklets in the browser."))
@common
@option("--host", default="127.0.0.1", show_default=True,
        help=N_("The address to listen on; keep the default unless you know why."))
@option("--port", type=click.IntRange(0, 65535), default=0, help=N_("The port [default: a free one]."))
@option("--no-browser", is_flag=True, help=N_("Do not open the browser."))
@option("--lang", type=click.Choice(["fr", "en"]), default=None,
        help=N_("The interface's language [default: nuancier's --lang, else the browser's]."))
def serve(content_dir: Path, out_dir: Path, verbose: bool, host: str, port: int, no_browser: bool,
          lang: str | None):
    from .atelier.server import serve as run_server

    forced = lang or click.get_current_context().meta.get("nuancier.lang")
    run_server(content_dir, out_dir, host=host, port=port, browser=not no_browser, language=forced,
               echo=click.echo)


@main.command("preflight", help=N_("Check PDFs the way a printer's prepress would; exit 1 if any has an error."))
@click.argument("files", nargs=-1, required=True, type=PathType(path_type=Path, exists=True, dir_okay=False))
@option("--kind", type=click.Choice(["deck", "booklet", "sheets", "screen"]), default=None,
        help=N_("What the file is [default: guessed from its name]."))
@option("--json", "as_json", is_flag=True, help=N_("Print a machine-readable report."))
@option("--die-line", "die_line", is_flag=True, help=N_("Require a die line (CutContour), as built with --die-line."))
@option("--debug", is_flag=True, help=N_("Show Python tracebacks (for developers)."))
def preflight_command(files: tuple[Path, ...], kind: str | None, as_json: bool, die_line: bool, debug: bool):
    from .errors import NuancierError
    from .preflight import check_instances, format_report, preflight

    failed, reports = False, []
    for path in files:
        try:
            kind_of = kind or guess_kind(path)
            bleed = {"bleed": 0.0} if kind_of == "sheets" and is_office_sheet_of_cards(path) else {}
            reports.append(preflight(path, kind=kind_of, die_line=die_line, **bleed))
        except NuancierError as exc:
            if debug:
                raise
            click.echo(str(exc), err=True)
            failed = True
    check_instances(reports)  # files checked together must not share an identity
    for report in reports:
        failed = failed or not report.ok
        for line in [report.to_json()] if as_json else format_report(report):
            click.echo(line)
    sys.exit(1 if failed else 0)


@main.command(help=N_("List the outputs of the out folder that are out of date, and why; exit 1 if any is."))
@common
def status(content_dir: Path, out_dir: Path, verbose: bool):
    from .markup import LAYOUTS_DIR
    from .outputs import Manifest, tools_digest

    manifest = Manifest(out_dir, content_dir)
    if not manifest.entries:
        click.echo(_("{folder}/ holds no output made by nuancier build yet").format(folder=out_dir))
        return
    tools = tools_digest(LAYOUTS_DIR)
    stale, labels = 0, (_("out of date"), _("up to date"))
    width = max(len(label) for label in labels)
    for entry in sorted(manifest.entries.values(), key=lambda e: e.path):
        reasons = manifest.stale(entry, tools)
        stale += bool(reasons)
        line = f"{labels[not reasons]:<{width}}  {out_dir / entry.path}"
        click.echo(_("{line}: {reasons}").format(line=line, reasons="; ".join(reasons)) if reasons else line)
    count = i18n.ngettext("{stale} of {count} output out of date", "{stale} of {count} outputs out of date",
                          len(manifest.entries)).format(stale=stale, count=len(manifest.entries))
    click.echo(_("{count}; run `nuancier build` to make them again").format(count=count) if stale else count)
    sys.exit(1 if stale else 0)


def guess_kind(path: Path) -> str:
    """Guess what an output is from its file name."""
    from .outputs import SCREEN_SUFFIX, imposed_cards_sheet

    name = path.name
    if name.endswith(f"-{SCREEN_SUFFIX}.pdf"):
        return "screen"
    if "sheets" in name or "imposed" in name or "-press-" in name or name.startswith(("reprint", "calibration")) \
            or imposed_cards_sheet(path):
        return "sheets"
    return "booklet" if name.startswith("booklet") else "deck"


def is_office_sheet_of_cards(path: Path) -> bool:
    """Tell whether a file holds cards imposed for an office printer (A4, Letter): shown to their trim, no bleed."""
    from .outputs import imposed_cards_sheet
    from .sheets import is_office

    sheet = imposed_cards_sheet(path)
    return sheet is not None and is_office(sheet)


if __name__ == "__main__":
    main()
