"""The `nuancier` command line: thin click commands over the library.

Every command reads `content/` and writes to `out/` relative to the current
folder; `--content` and `--out` change that. Problems with the content or the
build are printed as plain lines and exit with status 1; `--debug` shows the
Python traceback instead.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
from pathlib import Path

import click

from . import __version__
from .errors import NuancierError


def common(func):
    """Add --content, --out, --verbose and --debug, and report errors plainly."""

    @click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
                  show_default=True, help="The content folder to read.")
    @click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"),
                  show_default=True, help="The folder to write outputs to.")
    @click.option("-v", "--verbose", is_flag=True, help="Show details of what is done.")
    @click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
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
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the user must never see a traceback by default
            if debug:
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("This is a bug in nuancier-print, not in your content. "
                       "Run the same command with --debug and send the output to the developers.", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nuancier")
def main():
    """Build La 27e Région's training nuancier: card deck, booklets, press sheets."""


@main.command()
@common
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(content_dir: Path, out_dir: Path, verbose: bool, files: tuple[Path, ...], strict: bool):
    """Check the content (or only FILES and what they refer to) and report every problem with its file and line."""
    from .check import check_content

    report = check_content(content_dir, strict=strict, files=list(files) or None)
    for line in report.lines:
        click.echo(line, err=not report.ok)
    if not report.ok:
        sys.exit(1)


@main.command("schema")
@common
@click.option("--to", "folder", type=click.Path(path_type=Path), default=None,
              help="Where to write the schema files [default: <content>/schema].")
def schema_command(content_dir: Path, out_dir: Path, verbose: bool, folder: Path | None):
    """Write JSON Schemas of the content files, for editors with YAML support."""
    from .jsonschema import write_schemas

    for path in write_schemas(folder or content_dir / "schema"):
        click.echo(f"wrote {path}")


def build_options(func):
    """Add the options shared by the commands that render: --no-cache, --marks, --die-line, --layouts."""
    func = click.option("--corners", type=click.FloatRange(0, 20), default=0.0, metavar="MM",
                        help="With --die-line: round the cards' corners with this radius, and cut their outline.")(func)
    func = click.option("--die-line", "die_line", is_flag=True,
                        help="Draw the rivet hole (and rounded corners) as a die line in the CutContour spot "
                             "colour, on the deck and its sheets.")(func)
    func = click.option("--marks", is_flag=True, help="Add crop marks around every card of deck.pdf.")(func)
    func = click.option("--no-cache", "no_cache", is_flag=True,
                        help="Lay out every face again instead of reusing out/.cache.")(func)
    func = click.option("--layouts", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
                        help="Use the layouts of this folder instead of the built-in ones.")(func)
    return func


def creep_option(func):
    """Add --creep, for the booklets' press imposition."""
    return click.option("--creep", type=click.FloatRange(0, 5), default=0.0, show_default=True, metavar="MM",
                        help="Move the pages of the booklet's inner sheets towards the spine, up to this much "
                             "for the innermost (the press imposition only; ask the print shop).")(func)


@main.command()
@common
@build_options
@click.option("--sheet", type=click.Choice(["A4", "Letter", "A3", "SRA3"]), default="A3", show_default=True,
              help="The sheet for deck-sheets-<SHEET>.pdf: A3 or SRA3 for a print shop, A4 or Letter for an "
                   "office printer (two cards a sheet, no bleed).")
@click.option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
              help="How your printer turns the sheet for the backs.")
@click.option("--printer", default=None, metavar="NAME",
              help="Apply this printer's duplex correction (content/printers.yaml) to the backs.")
@click.option("--per-participant", is_flag=True,
              help="Also write each session's booklet once per participant, with their name.")
@creep_option
def build(content_dir: Path, out_dir: Path, verbose: bool, **options):
    """Check the content, then write every output into the out folder."""
    _run_build(content_dir, out_dir, verbose, **options)


@main.command()
@common
@click.argument("sessions", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--per-participant", is_flag=True, help="Also write one copy per participant, with their name.")
@creep_option
def booklet(content_dir: Path, out_dir: Path, verbose: bool, sessions: tuple[Path, ...], per_participant: bool,
            creep: float):
    """Write participant booklets: out/booklet-<session>.pdf, imposed for office printers and for the press.

    Give session files (content/sessions/<slug>.yaml); with none, every session is built.
    """
    slugs = [Path(s).stem for s in sessions] or None
    _run_build(content_dir, out_dir, verbose, no_cache=False, deck=False, sessions=slugs,
               per_participant=per_participant, creep=creep)


@main.command()
@common
@build_options
def deck(content_dir: Path, out_dir: Path, verbose: bool, **options):
    """Write the card deck only: out/deck.pdf, recto then verso for every card."""
    _run_build(content_dir, out_dir, verbose, sheets=False, booklets=False, **options)


@main.command()
@common
def site(content_dir: Path, out_dir: Path, verbose: bool):
    """Write the static web site: out/site/, with the deck PDF to download (built first if missing)."""
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
        report.stop("interrupted before it was written")
        click.echo("interrupted", err=True)
        status = 143 if isinstance(exc, Terminated) else 130
    finally:
        for line in report.lines():
            click.echo(line, err=status != 0)
    sys.exit(status)


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): handled like Ctrl-C, so that the run says what it did."""


@contextlib.contextmanager
def terminated_as_interrupt():
    """Turn SIGTERM into :class:`Terminated` while a build runs (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command()
@common
@click.option("--session", "session", default=None, metavar="SLUG",
              help="Take the teintes of this session (content/sessions/SLUG.yaml), in the order lived.")
@click.option("--teintes", default=None, metavar="LIST", help="Take these teintes, e.g. 3.2,4.1,5.1.")
@click.option("--copies", type=click.IntRange(1, 50), default=None, help="How many copies, one per table [default: 1].")
@click.option("--sheet", type=click.Choice(["A4", "Letter", "A3", "SRA3"], case_sensitive=False), default=None,
              help="A4 or Letter: an office printer, two cards a sheet; A3 or SRA3: a print shop [default: A4].")
@click.option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
              help="How the printer turns the sheet for the backs.")
@click.option("--printer", default=None, metavar="NAME",
              help="Apply this printer's duplex correction (content/printers.yaml) to the backs.")
@click.option("--name", default=None, help="The kit's folder name under out/kits/ [default: from what it holds].")
def kit(content_dir: Path, out_dir: Path, verbose: bool, **asked):
    """Write a workshop kit: the deck of a session's teintes (or of a list, or all), in several copies, imposed."""
    if asked["session"] and asked["teintes"]:
        raise click.UsageError("give --session or --teintes, not both")
    if asked["sheet"]:
        asked["sheet"] = {"letter": "Letter"}.get(asked["sheet"].lower(), asked["sheet"].upper())
    _run_build(content_dir, out_dir, verbose, no_cache=False, deck=False, sheets=False, booklets=False,
               session_kits=False, kits=[asked])


@main.command()
@common
@build_options
def watch(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, **options):
    """Rebuild what changed every time a content, layout or font file is saved."""
    from .build import BuildOptions
    from .watch import watch as run_watch

    run_watch(BuildOptions(content=content_dir, out=out_dir, verbose=verbose, cache=not no_cache, **options),
              click.echo)


@main.command()
@common
@build_options
def preview(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, **options):
    """Write PNG previews: one per face, a contact sheet, and the deck fanned open."""
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
    click.echo(f"previews: {len(written.faces)} faces in {out_dir / 'preview'}, "
               f"{written.contact_sheet}, {written.fan}")


@main.command()
@common
@build_options
@click.option("--since", required=True, metavar="REV", help="The git revision the printed deck was built from.")
@click.option("--sheet", type=click.Choice(["A4", "A3", "SRA3"]), default="A3", show_default=True,
              help="The press sheet to impose the changed cards on.")
@click.option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
              help="How the printer turns the sheet for the backs.")
def reprint(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, since: str, sheet: str,
            flip: str, **options):
    """Impose only the cards whose faces changed since a git revision (reprint.pdf, reprint.png)."""
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
    func = click.option("--printer", default=None, metavar="NAME",
                        help="Apply this printer's duplex correction (content/printers.yaml) to the backs.")(func)
    func = click.option("--flip", type=click.Choice(["long", "short"]), default="long", show_default=True,
                        help="How your printer turns the sheet for the backs.")(func)
    func = click.option("--sheet", type=click.Choice(["A4", "Letter", "A3", "SRA3"]), default="A3",
                        show_default=True, help="A3 or SRA3 for a print shop, A4 or Letter for an office printer "
                                                "(two cards a sheet, no bleed).")(func)
    return func


@main.command()
@common
@build_options
@sheet_options
def sheets(content_dir: Path, out_dir: Path, verbose: bool, **options):
    """Write the deck imposed on press sheets: out/deck-sheets-<SHEET>.pdf, backs behind fronts."""
    _run_build(content_dir, out_dir, verbose, booklets=False, **options)


@main.command()
@common
@click.option("--sheet", type=click.Choice(["A4", "A3", "SRA3"]), default="A4", show_default=True,
              help="The sheet size to calibrate.")
@click.option("--printer", default=None, metavar="NAME",
              help="Apply this printer's recorded correction, to check it.")
def calibrate(content_dir: Path, out_dir: Path, verbose: bool, sheet: str, printer: str | None):
    """Write a duplex calibration sheet: print it recto verso and measure how the back is off."""
    from .build import printer_correction
    from .content import load_content
    from .output import atomic_write
    from .sheets import calibration_pdf

    correction = printer_correction(load_content(content_dir, with_sessions=False), printer) if printer else None
    path = out_dir / f"calibration-{sheet}.pdf"
    atomic_write(path, calibration_pdf(sheet=sheet, correction=correction))
    click.echo(f"calibration: {path}")
    click.echo("Print it recto verso at 100 % (long-edge flip), hold it to the light, and record how far "
               f"the back lands from the front in {content_dir / 'printers.yaml'}, for example:")
    click.echo("  bureau:\n    dx: 0.8    # mm, + to the right\n    dy: -0.5   # mm, + upwards\n"
               "    rotation: 0.1  # degrees, + anticlockwise\n    scale: 1.0")
    click.echo("Then: nuancier sheets --printer bureau")


@main.command()
@common
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; keep the default unless you know why.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The port [default: a free one].")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None,
              help="The interface's language [default: the browser's].")
def serve(content_dir: Path, out_dir: Path, verbose: bool, host: str, port: int, no_browser: bool,
          lang: str | None):
    """Open the atelier: compose sessions and preview their booklets in the browser."""
    from .atelier.server import serve as run_server

    run_server(content_dir, out_dir, host=host, port=port, browser=not no_browser, language=lang,
               echo=click.echo)


@main.command("preflight")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["deck", "booklet", "sheets", "screen"]), default=None,
              help="What the file is [default: guessed from its name].")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option("--die-line", "die_line", is_flag=True, help="Require a die line (CutContour), as built with --die-line.")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
def preflight_command(files: tuple[Path, ...], kind: str | None, as_json: bool, die_line: bool, debug: bool):
    """Check PDFs the way a printer's prepress would; exit 1 if any has an error."""
    from .errors import NuancierError
    from .preflight import check_instances, format_report, preflight

    failed, reports = False, []
    for path in files:
        try:
            reports.append(preflight(path, kind=kind or guess_kind(path), die_line=die_line))
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


@main.command()
@common
def status(content_dir: Path, out_dir: Path, verbose: bool):
    """List the outputs of the out folder that are out of date, and why; exit 1 if any is."""
    from .markup import LAYOUTS_DIR
    from .outputs import Manifest, tools_digest

    manifest = Manifest(out_dir, content_dir)
    if not manifest.entries:
        click.echo(f"{out_dir}/ holds no output made by nuancier build yet")
        return
    tools = tools_digest(LAYOUTS_DIR)
    stale = 0
    for entry in sorted(manifest.entries.values(), key=lambda e: e.path):
        reasons = manifest.stale(entry, tools)
        stale += bool(reasons)
        click.echo(f"{'out of date' if reasons else 'up to date '}  {out_dir / entry.path}"
                   + (f": {'; '.join(reasons)}" if reasons else ""))
    click.echo(f"{stale} of {len(manifest.entries)} outputs out of date"
               + ("; run `nuancier build` to make them again" if stale else ""))
    sys.exit(1 if stale else 0)


def guess_kind(path: Path) -> str:
    """Guess what an output is from its file name."""
    from .outputs import SCREEN_SUFFIX

    name = path.name
    if name.endswith(f"-{SCREEN_SUFFIX}.pdf"):
        return "screen"
    if "sheets" in name or "imposed" in name or "-press-" in name or name.startswith(("reprint", "calibration")):
        return "sheets"
    return "booklet" if name.startswith("booklet") else "deck"


if __name__ == "__main__":
    main()
