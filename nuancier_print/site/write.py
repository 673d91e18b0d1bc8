"""Write the site: render every page into a staging folder, then swap it in whole.

:func:`build_site` never writes into the published folder itself. It fills a
staging folder next to it (same file system), and only when every page, the
stylesheet, the fonts and the deck PDF are there does it rename the previous
site away and the new one into place. A run that fails, or is killed, leaves
the previous site as it was; a staging folder left by a killed run is removed
by a later run once it is an hour old.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..content import Content
from ..errors import NuancierError
from ..fonts import FONTS_DIR
from ..i18n import _, ngettext
from ..markup import href, make_environment, printed_url
from . import pages as p
from .colours import SitePalette

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
# (file in fonts/, name on the site): the faces site.css declares, and their licences.
FONT_FILES = (
    ("inter/Inter-Regular.otf", "Inter-Regular.otf"),
    ("inter/Inter-Italic.otf", "Inter-Italic.otf"),
    ("inter/Inter-SemiBold.otf", "Inter-SemiBold.otf"),
    ("league-spartan/LeagueSpartan-Bold.otf", "LeagueSpartan-Bold.otf"),
    ("inter/OFL.txt", "OFL-Inter.txt"),
    ("league-spartan/OFL.txt", "OFL-LeagueSpartan.txt"),
)
LEFTOVER_AGE_S = 3600
EXTERNAL_ICON = Markup('<svg class="ext-icon" aria-hidden="true" focusable="false" viewBox="0 0 16 16" '
                       'width="12" height="12"><path d="M6 2.5h7.5V10M13.5 2.5 3 13" fill="none" '
                       'stroke="currentColor" stroke-width="2"/></svg>')


class SiteError(NuancierError):
    """The site could not be written (the deck PDF, the out folder); the previous site is untouched."""


@dataclass(frozen=True)
class SiteResult:
    """What was written: the folder, its pages and the PDF offered for download."""

    folder: Path
    pages: list[str]
    download: p.Download | None

    def line(self) -> str:
        """Return the line that tells the user what was written."""
        pdf = f"{self.download.path} {self.download.size}".replace("\u00a0", " ") if self.download \
            else _("no deck PDF")
        return ngettext("site: {folder}/ ({count} page, {pdf})", "site: {folder}/ ({count} pages, {pdf})",
                        len(self.pages)).format(folder=self.folder, count=len(self.pages), pdf=pdf)


def build_site(content: Content, target: Path, *, deck_pdf: Path | None) -> SiteResult:
    """Write the whole site of ``content`` to ``target``, offering ``deck_pdf`` (or no PDF) for download."""
    target = Path(target)
    _check_target(target)
    _remove_leftovers(target)
    staging = _staging_folder(target)
    try:
        download = _copy_deck(Path(deck_pdf), staging) if deck_pdf is not None else None
        pages = p.site_pages(content)
        env = environment()
        shared = shared_context(content, download)
        for page in pages:
            (staging / page.path).write_text(render_page(env, page, shared), encoding="utf-8")
        _write_assets(content, staging / "assets")
        _swap(staging, target)
    except OSError as exc:
        raise SiteError(_("cannot write {folder}/: {reason}; the previous site, if any, is untouched").format(
            folder=target, reason=exc.strerror or exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SiteResult(target, [page.path for page in pages], download)


def environment():
    """Return the sandboxed Jinja environment of the site's templates, with the site's helpers."""
    env = make_environment(TEMPLATES)
    env.filters["link"] = link
    env.globals.update(
        home=p.HOME, mode_emploi=p.MODE_EMPLOI, conseils_page=p.CONSEILS, plural=p.plural,
        famille_page=p.famille_page, teinte_page=p.teinte_page,
        famille_class=p.famille_class, teinte_class=p.teinte_class,
    )
    return env


def shared_context(content: Content, download: p.Download | None) -> dict:
    """Return what every page shows: the nuancier, the familles, the download."""
    return {"site": {
        "nuancier": content.nuancier,
        "familles": content.familles,
        "teintes_of": content.teintes_of,
        "teinte_count": len(content.teintes),
        "conseils": content.nuancier.conseils_pratiques is not None,
        "download": download,
    }}


def render_page(env, page: p.Page, shared: dict) -> str:
    """Return the HTML of one page."""
    return env.get_template(page.template).render(**shared, **page.context, page=page)


def link(url: str) -> Markup:
    """Return a link to a content URL: printed short as on the card; a web link says it leaves the site."""
    target = href(url)
    shown = Markup(str(printed_url(url)).replace("\u200b", "<wbr>"))
    if target.startswith("mailto:"):
        return Markup('<a href="{}">{}</a>').format(target, shown)
    return Markup('<a class="external" href="{}">{}<span class="visually-hidden"> (site externe)</span>{}</a>'
                  ).format(target, shown, EXTERNAL_ICON)


def stylesheet(palettes: dict[str, SitePalette]) -> str:
    """Return site.css: the static rules, then one class of custom properties per colour."""
    rules = [(STATIC / "site.css").read_text(encoding="utf-8"), "/* Colours: one class per famille and teinte. */"]
    for name, colours in palettes.items():
        rules.append(f".{name} {{ --swatch: {colours.swatch}; --on-swatch: {colours.on_swatch}; "
                     f"--ink: {colours.ink}; --tint: {colours.tint}; }}")
    return "\n".join(rules) + "\n"


def favicon(content: Content) -> str:
    """Return an SVG icon: the famille colours as stripes, like the cover card."""
    palettes = p.palettes(content)
    colours = [palettes[p.famille_class(f)].swatch for f in content.familles] or ["#141414"]
    height = 16 / len(colours)
    stripes = "".join(f'<rect y="{i * height:.3f}" width="16" height="{height + 0.05:.3f}" fill="{c}"/>'
                      for i, c in enumerate(colours))
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">{stripes}</svg>\n'


def _write_assets(content: Content, assets: Path) -> None:
    fonts = assets / "fonts"
    fonts.mkdir(parents=True)
    (assets / "site.css").write_text(stylesheet(p.palettes(content)), encoding="utf-8")
    (assets / "favicon.svg").write_text(favicon(content), encoding="utf-8")
    for source, name in FONT_FILES:
        path = FONTS_DIR / source
        if not path.is_file():
            raise SiteError(_("font file missing: fonts/{file} (restore it from git: `git checkout -- "
                              "fonts`)").format(file=source))
        shutil.copyfile(path, fonts / name)


def _copy_deck(deck_pdf: Path, staging: Path) -> p.Download:
    try:
        with open(deck_pdf, "rb") as handle:
            is_pdf = handle.read(5) == b"%PDF-"
    except OSError as exc:
        raise SiteError(_("cannot read the deck {file}: {reason}").format(file=deck_pdf,
                                                                          reason=exc.strerror or exc)) from None
    if not is_pdf:
        raise SiteError(_("{file} is not a PDF file; run `nuancier deck` to write it again").format(file=deck_pdf))
    shutil.copyfile(deck_pdf, staging / p.PDF_NAME)
    return p.Download(p.PDF_NAME, p.size_label((staging / p.PDF_NAME).stat().st_size))


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise SiteError(_("{folder} is in the way: it is not a folder the site can replace; move it "
                          "elsewhere").format(folder=target))


def _staging_folder(target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-staging-", dir=target.parent))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a web server must read the site
    except OSError as exc:
        raise SiteError(_("cannot write to the folder {folder}/: {reason}").format(
            folder=target.parent, reason=exc.strerror or exc)) from None
    return staging


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` in the place of ``target``, the previous site kept until the new one is there."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{uuid.uuid4().hex[:12]}")
        os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(target: Path) -> None:
    """Remove staging and old folders that a killed run left next to the site, once they are old."""
    if not target.parent.is_dir():
        return
    now = time.time()
    for kind in ("staging", "old"):
        for path in target.parent.glob(f".{target.name}-{kind}-*"):
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink() and now - path.stat().st_mtime > LEFTOVER_AGE_S:
                    shutil.rmtree(path, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
