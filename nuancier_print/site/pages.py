"""The site's pages as data: which file, which template, which breadcrumb, which colours.

Pages are flat files at the site's root (``index.html``, ``famille-2.html``,
``teinte-2-4.html``...), so every link is a bare file name that works from
disk (file://) as well as from any static host, and the assets sit in one
folder below every page. Names follow the numbers printed on the cards, not
the titles, so a corrected title does not break a link someone shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import schema
from ..content import Content
from .colours import NEUTRAL, SitePalette, site_palette

HOME = "index.html"
MODE_EMPLOI = "mode-d-emploi.html"
CONSEILS = "conseils-pratiques.html"
PDF_NAME = "nuancier.pdf"


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb: its label (a content text) and the page it links to."""

    label: str
    path: str


@dataclass(frozen=True)
class Page:
    """One HTML file of the site."""

    path: str
    template: str
    nav: str  # the main navigation entry it belongs to: "home", "mode", "conseils" or ""
    colour: str = "c-neutral"  # the CSS class that sets its palette
    crumbs: tuple[Crumb, ...] = ()
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Download:
    """The deck PDF as published on the site."""

    path: str
    size: str  # for people: « 412 Ko »


def famille_page(famille: schema.Famille) -> str:
    """Return the file name of a famille's page."""
    return f"famille-{famille.numero}.html"


def teinte_page(teinte: schema.Teinte) -> str:
    """Return the file name of a teinte's page."""
    return f"teinte-{teinte.numero.slug}.html"


def famille_class(famille: schema.Famille) -> str:
    """Return the CSS class carrying a famille's colours."""
    return f"c-f{famille.numero}"


def teinte_class(teinte: schema.Teinte) -> str:
    """Return the CSS class carrying a teinte's colours."""
    return f"c-t{teinte.numero.slug}"


def palettes(content: Content) -> dict[str, SitePalette]:
    """Return every CSS colour class of the site with its palette, famille then teintes."""
    from ..deck import teinte_colour

    classes = {"c-neutral": NEUTRAL}
    for famille in content.familles:
        classes[famille_class(famille)] = site_palette(famille.couleur)
        for teinte in content.teintes_of(famille):
            classes[teinte_class(teinte)] = site_palette(teinte_colour(content, teinte))
    return classes


def unfinished(teinte: schema.Teinte) -> dict[str, str]:
    """Return {field: note} for the places the source leaves unfinished, as the card marks them."""
    marks = {item.champ: item.note for item in teinte.a_completer}
    if teinte.module is not None and teinte.module.titre is None:
        marks.setdefault("module.titre", "titre à définir")
    return marks


def site_pages(content: Content) -> list[Page]:
    """Return every page of the site, in reading order."""
    pages = [Page(HOME, "home.html.j2", "home"),
             Page(MODE_EMPLOI, "mode-d-emploi.html.j2", "mode", crumbs=(Crumb("Mode d’emploi", MODE_EMPLOI),))]
    if content.nuancier.conseils_pratiques is not None:
        pages.append(Page(CONSEILS, "conseils.html.j2", "conseils",
                          crumbs=(Crumb("Conseils pratiques", CONSEILS),)))
    pages += _famille_pages(content)
    pages += _teinte_pages(content)
    return pages


def _famille_pages(content: Content) -> list[Page]:
    familles = content.familles
    pages = []
    for i, famille in enumerate(familles):
        crumb = Crumb(f"Famille {famille.numero} : {famille.titre}", famille_page(famille))
        pages.append(Page(famille_page(famille), "famille.html.j2", "", famille_class(famille), (crumb,), {
            "famille": famille,
            "teintes": content.teintes_of(famille),
            "previous": familles[i - 1] if i > 0 else None,
            "next": familles[i + 1] if i + 1 < len(familles) else None,
        }))
    return pages


def _teinte_pages(content: Content) -> list[Page]:
    teintes = content.teintes
    pages = []
    for i, teinte in enumerate(teintes):
        famille = content.famille(teinte.numero.famille)
        crumbs = (Crumb(f"Famille {famille.numero} : {famille.titre}", famille_page(famille)),
                  Crumb(f"Teinte {teinte.numero}", teinte_page(teinte)))
        pages.append(Page(teinte_page(teinte), "teinte.html.j2", "", teinte_class(teinte), crumbs, {
            "famille": famille,
            "teinte": teinte,
            "unfinished": unfinished(teinte),
            "previous": teintes[i - 1] if i > 0 else None,
            "next": teintes[i + 1] if i + 1 < len(teintes) else None,
        }))
    return pages


def size_label(size: int) -> str:
    """Return a file size as French readers write it: « 412 Ko », « 1,2 Mo »."""
    if size < 999_500:
        return f"{max(1, round(size / 1000))}\u00a0Ko"
    return f"{size / 1_000_000:.1f}".replace(".", ",") + "\u00a0Mo"


def plural(count: int, word: str) -> str:
    """Return « 1 teinte », « 4 teintes »."""
    return f"{count} {word}{'s' if count > 1 else ''}"
