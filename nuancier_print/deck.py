"""The card deck as data: which cards, in which order, with which colours.

:func:`deck_faces` turns the content into the ordered list of
:class:`~nuancier_print.render.FaceSpec` (recto then verso for every card):
the cover, then per famille a divider and its teintes, then the closing card.
Nothing here renders (nor imports WeasyPrint): :mod:`nuancier_print.build` does.
"""

from __future__ import annotations

from pathlib import Path

from . import schema
from .cache import canonical
from .content import Content
from .edition import Dates, mark, short_hash
from .geometry import MIN_TEXT_PT, SAFE_MM, CardFormat
from .load import where
from .markup import LAYOUTS_DIR, make_environment, read_layout, template_errors
from .model import Card, FaceSpec, Palette

BLACK = schema.Cmyk((0, 0, 0, 92))
WHITE = schema.Cmyk((0, 0, 0, 0))


def palette(colour: schema.Cmyk) -> Palette:
    """Return readable colours derived from one CMYK swatch."""
    c, m, y, k = colour
    light = _lightness(colour) > 0.58
    ink = colour if _lightness(colour) < 0.5 else schema.Cmyk((c, m, y, min(100, k + 45)))
    tint = schema.Cmyk(tuple(round(v * 0.12, 1) for v in colour))
    rule = schema.Cmyk(tuple(round(v * 0.45, 1) for v in colour))
    return Palette(band=colour.css, on_band=(BLACK if light else WHITE).css, ink=ink.css,
                   tint=tint.css, rule=rule.css)


def _lightness(colour: schema.Cmyk) -> float:
    r, g, b = colour.rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def teinte_colour(content: Content, teinte: schema.Teinte) -> schema.Cmyk:
    """Return a teinte's shade: its own, or one graded from its famille's colour."""
    if teinte.couleur is not None:
        return teinte.couleur
    famille = content.famille(teinte.numero.famille)
    siblings = content.teintes_of(famille)
    if len(siblings) == 1:
        return famille.couleur
    share = 0.55 + 0.45 * (teinte.numero.rang - 1) / (len(siblings) - 1)
    return schema.Cmyk(tuple(round(v * share, 1) for v in famille.couleur))


def deck_cards(content: Content, fmt: CardFormat, dates: Dates | None = None) -> list[Card]:
    """Return every card of the deck, in deck order (``dates``: the content files' dates, for the marks).

    Each card gets only the variables it shows, so that its cache key (and its
    edition mark) changes only when something printed on it changes.
    """
    dates = dates or Dates()
    deck = content.nuancier
    common = {"g": layout_geometry(fmt), "footer": {"left": deck.editeur, "right": deck.programme}}
    nuancier_file = content.root / "nuancier.yaml"
    rainbow = [{"numero": f.numero, "titre": f.titre, "colours": palette(f.couleur)} for f in content.familles]
    cards = [_card("cover", "cover card", ("cover",), {**common, "deck": deck, "rainbow": rainbow,
                                                       "colours": palette(BLACK)}, dates.of(nuancier_file))]
    for famille in content.familles:
        cards += _famille_cards(content, famille, common, dates)
    cards.append(_card("closing", "closing card", ("closing",), {**common, "deck": deck,
                                                                 "colours": palette(BLACK)}, dates.of(nuancier_file)))
    return cards


def _famille_cards(content: Content, famille: schema.Famille, common: dict, dates: Dates) -> list[Card]:
    colours = palette(famille.couleur)
    teintes = content.teintes_of(famille)
    label = {"numero": famille.numero, "titre": famille.titre}
    cards = [_card(f"famille-{famille.numero}", f"famille {famille.numero} divider",
                   (f"divider-famille-{famille.numero}", "divider"),
                   {**common, "famille": {**label, "introduction": famille.introduction},
                    "teintes": [{"numero": t.numero, "titre": t.titre} for t in teintes],
                    "deck_titre": content.nuancier.titre, "colours": colours}, dates.of(Path(where(famille).file)))]
    for teinte in teintes:
        context = {**common, "famille": label, "teinte": teinte,
                   "colours": palette(teinte_colour(content, teinte)), "unfinished": _unfinished(teinte)}
        names = (f"teinte-{teinte.numero.slug}", f"teinte-famille-{famille.numero}", "teinte")
        cards.append(_card(f"teinte-{teinte.numero.slug}", f"teinte {teinte.numero}", names, context,
                           dates.of(Path(where(teinte).file))))
    return cards


def _card(key: str, label: str, names: tuple[str, ...], context: dict, date) -> Card:
    edition = mark(date, short_hash(canonical(context)))

    def face(side: str) -> FaceSpec:
        templates = tuple(f"{name}-{side}.html.j2" for name in names)
        return FaceSpec(f"{key}-{side}", f"{label}, {side}", templates,
                        {**context, "side": side, "edition": edition})

    return Card(key, label, face("recto"), face("verso"), edition)


def _unfinished(teinte: schema.Teinte) -> dict[str, str]:
    """Return {section: note} for the places the source leaves unfinished."""
    marks = {item.champ: item.note for item in teinte.a_completer}
    if teinte.module is not None and teinte.module.titre is None:
        marks.setdefault("module.titre", "titre à définir")
    return marks


def deck_faces(content: Content, fmt: CardFormat, dates: Dates | None = None) -> list[FaceSpec]:
    """Return every face of the deck in print order: recto, verso, recto, verso..."""
    return [face for card in deck_cards(content, fmt, dates) for face in (card.recto, card.verso)]


def card_format(content: Content) -> CardFormat:
    """Return the trimmed size and bleed declared in the content."""
    width, height = content.nuancier.format.size
    return CardFormat(width, height, float(content.nuancier.format.fond_perdu))


def layout_geometry(fmt: CardFormat) -> dict:
    """Return the card layout's measurements in mm, scaled to the format."""
    w, h, rivet = fmt.width, fmt.height, fmt.rivet
    scale = min(w / 99.0, h / 210.0, 1.0)
    band = {"tall": round(h * 0.285, 1), "slim": round(max(14.0, h * 0.1), 1)}
    gap = 4.0
    numero_top, numero_h = 5.0, 9.0
    flow_limit = round(rivet.cy - rivet.keepout_radius - 1.0, 2)  # text stops above the rivet zone
    return {
        "w": w, "h": h, "bleed": fmt.bleed, "mx": 6.0, "gap": gap, "band": band,
        "top": {side: band[side] + gap for side in band},
        "bottom": SAFE_MM,  # the page area reaches the safe zone, so fixed footers are laid out whole
        "flow_limit": flow_limit,
        "numero_top": numero_top, "numero_h": numero_h, "numero_w": 32.0,
        "numero_pt": round(20 * max(scale, 0.85), 1),
        "label_pt": MIN_TEXT_PT,
        "title_top": numero_top + numero_h + 2.0,
        "title_h": band["tall"] - (numero_top + numero_h + 2.0) - 4.0,
        "rivet": rivet,
        "footer_top": rivet.cy - 2.2,
        "footer_w": rivet.cx - rivet.keepout_radius - 6.0 - 1.0,
        "footer_max": round(h - SAFE_MM - 0.1, 2),  # above the page's bottom margin: see _macros.html.j2
        "footer_pt": MIN_TEXT_PT,
        "stripes": 7,
    }


def deck_stylesheet(fmt: CardFormat, layouts: Path = LAYOUTS_DIR) -> str:
    """Return the deck's CSS for a format: its geometry, then the shared typography."""
    with template_errors(layouts, "deck stylesheet"):
        geometry = make_environment(layouts).get_template("deck.css.j2").render(g=layout_geometry(fmt))
    return geometry + "\n" + read_layout(layouts, "deck.css")
