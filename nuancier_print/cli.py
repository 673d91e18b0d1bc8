"""The `nuancier` command line: thin click commands over the library.

Every command reads `content/` and writes to `out/` relative to the current
folder; `--content` and `--out` change that. Problems with the content or the
build are printed as plain lines and exit with status 1; `--debug` shows the
Python traceback instead.
"""

from __future__ import annotations

import functools
import sys
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
            click.echo("interrupted; the previous outputs in the out folder are untouched", err=True)
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
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(content_dir: Path, out_dir: Path, verbose: bool, strict: bool):
    """Check the content and report every problem with its file and line."""
    from .check import check_content

    report = check_content(content_dir, strict=strict)
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
    """Add the options shared by the commands that render: --jobs, --no-cache, --marks."""
    func = click.option("--marks", is_flag=True, help="Add crop marks around every card of deck.pdf.")(func)
    func = click.option("--no-cache", "no_cache", is_flag=True,
                        help="Render every face again instead of reusing out/.cache.")(func)
    func = click.option("--layouts", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
                        help="Use the layouts of this folder instead of the built-in ones.")(func)
    func = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                        help="Render processes to use [default: one per core].")(func)
    return func


@main.command()
@common
@build_options
def build(content_dir: Path, out_dir: Path, verbose: bool, **options):
    """Check the content, then write every output into the out folder."""
    _run_build(content_dir, out_dir, verbose, **options)


@main.command()
@common
@build_options
def deck(content_dir: Path, out_dir: Path, verbose: bool, **options):
    """Write the card deck only: out/deck.pdf, recto then verso for every card."""
    _run_build(content_dir, out_dir, verbose, **options)


def _run_build(content_dir: Path, out_dir: Path, verbose: bool, *, no_cache: bool, **options):
    from .build import BuildOptions, build as run_build

    result = run_build(BuildOptions(content=content_dir, out=out_dir, verbose=verbose,
                                    cache=not no_cache, **options))
    for line in result.lines:
        click.echo(line)
