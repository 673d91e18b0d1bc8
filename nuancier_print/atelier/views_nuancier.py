"""Screen 1, « Le nuancier »: every famille and teinte as a card in its colours, readable and searchable."""

from __future__ import annotations

import unicodedata

from flask import abort, redirect, request, send_file, url_for

from .. import schema
from ..deck import card_format, deck_cards, printed_rgb, teinte_colour
from ..errors import ContentError
from . import yamlwrite
from .jobs import DECK
from .web import atelier, bp, page


def screen_colour(cmyk: schema.Cmyk) -> dict:
    """Return a CMYK colour for the screen: its hex value as printed, and a readable text colour on it."""
    r, g, b = printed_rgb(cmyk)
    hex_ = "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in (r, g, b)))
    light = 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5
    return {"bg": hex_, "fg": "#1d1d1b" if light else "#ffffff"}


def fold(text: str) -> str:
    """Return text without accents, in lower case, for searching."""
    plain = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).casefold().split())


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


def fan(content) -> list[dict]:
    """Return the familles with their teintes, colours, search text and deck page numbers."""
    pages = {card.key: 2 * i + 1 for i, card in enumerate(deck_cards(content, card_format(content)))}
    familles = []
    for famille in content.familles:
        teintes = [{"numero": t.numero, "titre": t.titre, "colour": screen_colour(teinte_colour(content, t)),
                    "page": pages.get(f"teinte-{t.numero.slug}"),
                    "search": fold(" ".join(_texts(yamlwrite.plain(t))))}
                   for t in content.teintes_of(famille)]
        familles.append({"numero": famille.numero, "titre": famille.titre,
                         "colour": screen_colour(famille.couleur), "page": pages.get(f"famille-{famille.numero}"),
                         "search": fold(" ".join([famille.titre, *famille.introduction])), "teintes": teintes})
    return familles


def blades(familles: list[dict], spread: float = 150.0) -> list[tuple[dict, float]]:
    """Return each teinte with the angle of its blade in the fanned deck."""
    teintes = [t for f in familles for t in f["teintes"]]
    step = spread / max(len(teintes) - 1, 1)
    return [(t, round(-spread / 2 + i * step, 1)) for i, t in enumerate(teintes)]


def _content_or_problems():
    try:
        return atelier().store.content(), []
    except ContentError as exc:
        return None, exc.lines()


@bp.get("/")
def home():
    """Open on the nuancier."""
    return redirect(url_for("atelier.nuancier"))


@bp.get("/nuancier")
def nuancier():
    """The fan of cards, filtered by the search words if any."""
    content, problems = _content_or_problems()
    if content is None:
        return page("problems.html", 200, problems=problems)
    query = request.args.get("q", "")[:200]
    words = fold(query).split()
    familles = fan(content)
    for famille in familles:
        for item in [famille, *famille["teintes"]]:
            item["hidden"] = bool(words) and not all(w in item["search"] for w in words)
        if any(not t["hidden"] for t in famille["teintes"]):
            famille["hidden"] = False
    deck = atelier().out / "deck.pdf"
    return page("nuancier.html", familles=familles, blades=blades(familles), query=query, deck_built=deck.is_file(),
                deck_job=atelier().builder.job(DECK), nuancier=content.nuancier)


@bp.get("/nuancier/<numero>")
def teinte(numero: str):
    """One teinte's recto and verso, in HTML."""
    content, problems = _content_or_problems()
    if content is None:
        return page("problems.html", 200, problems=problems)
    found = next((t for t in content.teintes if t.numero == numero), None)
    if found is None:
        abort(404)
    famille = content.famille(found.numero.famille)
    pages = {card.key: 2 * i + 1 for i, card in enumerate(deck_cards(content, card_format(content)))}
    siblings = content.teintes_of(famille)
    index = siblings.index(found)
    return page("teinte.html", teinte=found, famille=famille,
                colour=screen_colour(teinte_colour(content, found)), famille_colour=screen_colour(famille.couleur),
                page_number=pages.get(f"teinte-{found.numero.slug}"),
                previous=siblings[index - 1] if index else None,
                next=siblings[index + 1] if index + 1 < len(siblings) else None,
                unfinished={item.champ: item.note for item in found.a_completer},
                deck_built=(atelier().out / "deck.pdf").is_file())


@bp.get("/deck.pdf")
def deck_pdf():
    """The deck's PDF, opened in the browser (its page given after ``#page=``)."""
    path = atelier().out / "deck.pdf"
    if not path.is_file():
        return page("deck_missing.html", 404, deck_job=atelier().builder.job(DECK))
    return send_file(path.resolve(), mimetype="application/pdf", max_age=0)


@bp.post("/deck/build")
def build_deck():
    """Start building the deck, then go back to the nuancier."""
    atelier().builder.request(DECK)
    return redirect(url_for("atelier.nuancier"), 303)


@bp.app_context_processor
def rainbow():
    """Give every page the famille colours, for the stripe under its header."""

    def rainbow_colours() -> list[str]:
        try:
            content = atelier().store.content()
        except ContentError:
            return []
        return [screen_colour(f.couleur)["bg"] for f in content.familles]

    return {"rainbow_colours": rainbow_colours}
