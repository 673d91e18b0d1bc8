"""`nuancier site`: check the content, make sure the deck PDF exists, write `out/site/`.

The site offers `out/deck.pdf` for download. When it is missing, the deck is
built first (only the deck: no press sheets, no booklets). When it is older
than a content file, the site is still written, with a warning, since the
PDF may not show the latest text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..content import load_content
from ..errors import relative
from ..i18n import _
from .write import SiteResult, build_site


def make_site(content_dir: Path, out_dir: Path, *, echo: Callable[[str], None] = print) -> SiteResult:
    """Write `<out>/site/` from `content_dir`, building `<out>/deck.pdf` first when it is missing."""
    from ..build import BuildOptions, build, content_line

    content = load_content(content_dir, with_sessions=False)
    deck = Path(out_dir) / "deck.pdf"
    if deck.exists():
        for warning in content.warnings:
            echo(str(warning))
        echo(content_line(content))
        newer = newer_content(content_dir, deck)
        if newer is not None:
            echo(_("warning: {deck} is older than {file}; the PDF on the site may not show the latest text (run "
                   "`nuancier deck` to update it)").format(deck=relative(deck), file=relative(newer)))
    else:  # the build reports the content's warnings
        echo(_("{deck} is missing: building the deck first").format(deck=relative(deck)))
        for line in build(BuildOptions(content=Path(content_dir), out=Path(out_dir), sheets=False,
                                       booklets=False)).lines:
            echo(line)
    result = build_site(content, Path(out_dir) / "site", deck_pdf=deck)
    echo(result.line())
    return result


def newer_content(content_dir: Path, deck: Path) -> Path | None:
    """Return the newest content file changed after ``deck`` was written, or None."""
    written = deck.stat().st_mtime
    files = [path for path in Path(content_dir).rglob("*.y*ml") if "sessions" not in path.parts]
    newer = [path for path in files if path.stat().st_mtime > written]
    return max(newer, key=lambda path: path.stat().st_mtime) if newer else None
