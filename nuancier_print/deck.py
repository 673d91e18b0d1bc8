"""The card deck as data: which cards, in which order, with which colours.

:func:`deck_faces` turns the content into the ordered list of
:class:`~nuancier_print.render.FaceSpec` (recto then verso for every card):
the cover, then per famille a divider and its teintes, then the closing card.
Nothing here renders (nor imports WeasyPrint): :mod:`nuancier_print.build` does.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import schema
from .cache import canonical
from .content import Content
from .edition import Dates, mark, short_hash
from .geometry import MAX_SMALL_TEXT_PLATES, MIN_TEXT_PT, REVERSED_BOLD_PT, SAFE_MM, CardFormat
from .i18n import _
from .load import where
from .markup import LAYOUTS_DIR, make_environment, read_layout, template_errors
from .model import Card, FaceSpec, Palette

BLACK = schema.Cmyk((0, 0, 0, 100))  # text that reads as black: the K plate alone, never screened
WHITE = schema.Cmyk((0, 0, 0, 0))
INK_LIGHTNESS = 62.0  # the lightest L* (on the press, FOGRA39) small text takes on white paper
MAX_HUE_SHIFT = 15  # how far (in %) an ink's weaker plate may be raised to darken it
TINT_SHARE = 0.12  # a box's tint, as a share of its ink
PRESS_PROFILE = LAYOUTS_DIR / "icc" / "FOGRA39L-coated.icc"


def palette(colour: schema.Cmyk) -> Palette:
    """Return the colours of a card (or a booklet's teinte) derived from one CMYK swatch.

    The swatch itself is the band. Small text uses at most two process
    plates, so that it stays sharp when plates are slightly out of register:
    the ink of headings on white keeps the swatch's two strongest plates
    (darkened when too light to read), the tint of boxes uses only plates
    of that ink (a heading knocks out nothing else), and where small white
    text is reversed out of the swatch across a whole card (``panel``), it
    is the swatch on its two strongest plates.
    """
    return Palette(**{role: inks.css for role, inks in palette_inks(colour).items()})


def palette_inks(colour: schema.Cmyk) -> dict[str, schema.Cmyk]:
    """Return the CMYK colours of :func:`palette`, by role (``band``, ``on_band``, ``ink``...)."""
    light = _naive_lightness(colour) > 0.58
    ink = ink_for(colour)
    return {"band": colour, "on_band": BLACK if light else WHITE, "ink": ink, "tint": tint_for(ink),
            "rule": _scaled(two_plates(colour), 0.45), "panel": colour if light else two_plates(colour)}


def plates(colour: schema.Cmyk) -> int:
    """Return how many process plates a colour prints on."""
    return sum(1 for v in colour if v > 0)


def two_plates(colour: schema.Cmyk) -> schema.Cmyk:
    """Return the colour on its two strongest plates only (the others left out)."""
    keep = sorted(range(4), key=lambda i: (-colour[i], i))[:MAX_SMALL_TEXT_PLATES]
    return schema.Cmyk(tuple(v if i in keep else 0 for i, v in enumerate(colour)))


def ink_for(colour: schema.Cmyk) -> schema.Cmyk:
    """Return a colour for small text on white: at most two plates, dark enough to read.

    Its two strongest plates; if too light, at full strength; then with
    the weaker plate raised a little (orange turns slightly redder); and
    if still too light (a yellow), its strongest colour plate with as
    little black as reading needs.
    """
    base = two_plates(colour)
    if lightness(base) <= INK_LIGHTNESS or not any(base):
        return base
    full = _scaled(base, 100 / max(base))
    weaker = min((i for i in range(3) if full[i] > 0), key=lambda i: full[i], default=None)
    for raise_by in range(0, MAX_HUE_SHIFT + 1, 5):
        candidate = schema.Cmyk(tuple(min(100.0, v + raise_by) if i == weaker and full[i] < 100 else v
                                      for i, v in enumerate(full)))
        if lightness(candidate) <= INK_LIGHTNESS:
            return candidate
    strongest = max(range(3), key=lambda i: (full[i], -i))
    for black in range(5, 101, 5):
        candidate = schema.Cmyk(tuple(100 if i == strongest else black if i == 3 else 0 for i in range(4)))
        if lightness(candidate) <= INK_LIGHTNESS:
            return candidate
    return BLACK


def tint_for(ink: schema.Cmyk) -> schema.Cmyk:
    """Return a light tint for boxes behind text in ``ink``, on the ink's colour plates only."""
    colour_plates = schema.Cmyk((*ink[:3], 0)) if any(ink[:3]) else ink
    return _scaled(colour_plates, TINT_SHARE)


def _scaled(colour: schema.Cmyk, share: float) -> schema.Cmyk:
    return schema.Cmyk(tuple(round(min(100.0, v * share), 1) for v in colour))


def lightness(colour: schema.Cmyk) -> float:
    """Return the colour's CIE L* as the press prints it (the FOGRA39 profile), 0 to 100."""
    return _lightness_of(tuple(round(v * 2.55) for v in colour))


@functools.lru_cache(maxsize=512)
def _lightness_of(cmyk: tuple[int, ...]) -> float:
    from PIL import Image, ImageCms

    image = Image.new("CMYK", (1, 1), cmyk)
    return ImageCms.applyTransform(image, _to_lab()).getpixel((0, 0))[0] * 100 / 255


@functools.lru_cache(maxsize=1)
def _to_lab():
    from PIL import ImageCms

    return ImageCms.buildTransform(ImageCms.getOpenProfile(str(PRESS_PROFILE)), ImageCms.createProfile("LAB"),
                                   "CMYK", "LAB")


def printed_rgb(colour: schema.Cmyk) -> tuple[float, float, float]:
    """Return how a colour prints (the FOGRA39 profile), in sRGB (0..1): its rendering on a screen.

    Without the profile, the naive conversion (:attr:`schema.Cmyk.rgb`).
    """
    transform = _to_srgb()
    if transform is None:
        return colour.rgb
    return _rgb_of(tuple(round(v * 255 / 100) for v in colour), transform)


@functools.lru_cache(maxsize=1024)
def _rgb_of(cmyk: tuple[int, ...], transform) -> tuple[float, float, float]:
    from PIL import Image, ImageCms

    image = Image.new("CMYK", (1, 1), cmyk)
    return tuple(v / 255 for v in ImageCms.applyTransform(image, transform).getpixel((0, 0)))


@functools.lru_cache(maxsize=1)
def _to_srgb():
    from PIL import ImageCms

    try:
        return ImageCms.buildTransform(ImageCms.getOpenProfile(str(PRESS_PROFILE)), ImageCms.createProfile("sRGB"),
                                       "CMYK", "RGB")
    except (OSError, ImageCms.PyCMSError):
        return None


def _naive_lightness(colour: schema.Cmyk) -> float:
    """Return a screen lightness (0 to 1): what decides black or white text on a swatch."""
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
    cards = [_card("cover", _("cover card"), ("cover",), {**common, "deck": deck, "rainbow": rainbow,
                                                       "colours": palette(BLACK)}, dates.of(nuancier_file))]
    for famille in content.familles:
        cards += _famille_cards(content, famille, common, dates)
    cards.append(_card("closing", _("closing card"), ("closing",), {**common, "deck": deck,
                                                                 "colours": palette(BLACK)}, dates.of(nuancier_file)))
    return cards


def _famille_cards(content: Content, famille: schema.Famille, common: dict, dates: Dates) -> list[Card]:
    colours = palette(famille.couleur)
    teintes = content.teintes_of(famille)
    label = {"numero": famille.numero, "titre": famille.titre}
    cards = [_card(f"famille-{famille.numero}", _("famille {numero} divider").format(numero=famille.numero),
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
                        {**context, "side": side, "edition": edition, "copy_mark": ""})  # kits set copy_mark

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
        "label_pt": REVERSED_BOLD_PT,
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
