"""The screen edition of a booklet: the same pages, to read on a screen and send by e-mail.

``booklet-<slug>-ecran.pdf`` is what participants get by e-mail. It is laid
out from the booklet's own layouts, with three differences that this
module makes:

* colours: every ``device-cmyk()`` of the layouts becomes the sRGB it prints
  as (through the press profile, :func:`.deck.printed_rgb`), and text
  colours are darkened, or chosen, to meet WCAG 2.1 AA contrast (4.5:1) on
  what they are set on (:func:`screen_css`, :func:`screen_palette`);
* pages: A5 trimmed, without bleed (``layouts/booklet-screen.css``, a layer
  read after ``booklet.css``), and no notes pages added to reach a multiple
  of 4 (nothing is folded);
* photos: sRGB JPEG copies at 150 ppi at the size they are placed at
  (:func:`screen_size`; :func:`.booklet.rgb_photo` makes them), instead of
  the press's CMYK at up to 450 ppi.

It is written by WeasyPrint as PDF/UA-1 (tagged: headings, lists, links,
figures with their alternative text, in reading order; its bookmarks are
the sommaire's entries), in French, and finished by :mod:`.pdf` like every
output, identified as PDF/UA-1 rather than PDF/X-4. Preflight checks it as
a ``screen`` file (:mod:`.preflight`): what matters on a screen, nothing of
the press.
"""

from __future__ import annotations

import math
import re

from . import pdf, schema
from .deck import palette_inks, printed_rgb
from .markup import read_layout
from .model import Palette
from .pdf import DocInfo
from .sessions import PHOTO_MAX_HEIGHT_MM, PHOTO_WIDTH_MM
from .site.colours import WHITE, darkened, hex_colour, luminance, readable, text_on

SCREEN_LAYER = "booklet-screen.css"  # read after the booklet's stylesheet
SCREEN_DPI = 150  # photos, at the size they are placed at
SCREEN_QUALITY = 80  # JPEG quality of the screen copies
VARIANT = "pdf/ua-1"  # WeasyPrint's PDF variant: tagged, identified as PDF/UA-1
PURPOSE = ("Édition pour l'écran du livret de formation, à lire sur un ordinateur, une tablette ou un téléphone "
           "(PDF/UA-1, accessible) ; pour l'imprimer, prendre le livret lui-même.")


# --- colours ---------------------------------------------------------------------------------------


def screen_colour(colour: schema.Cmyk) -> str:
    """Return a CMYK colour as ``#rrggbb``: the sRGB it prints as."""
    return hex_colour(printed_rgb(colour))


def screen_palette(colour: schema.Cmyk) -> Palette:
    """Return a teinte's colours for the screen: as printed, text readable (WCAG AA) where it is set.

    The band, tint and rules are the printed colours. Text on the band is
    white, near black or black, whichever reads; the ink of headings is
    darkened as little as makes it read on white and on the tint.
    """
    inks = {role: screen_colour(ink) for role, ink in palette_inks(colour).items()}
    return Palette(band=inks["band"], on_band=text_on(inks["band"]), ink=darkened(inks["ink"], (WHITE, inks["tint"])),
                   tint=inks["tint"], rule=inks["rule"], panel=inks["panel"])


_CMYK = re.compile(r"device-cmyk\(\s*([\d.]+%?)\s+([\d.]+%?)\s+([\d.]+%?)\s+([\d.]+%?)\s*\)")
_TEXT = re.compile(r"(?<![\w-])color\s*:\s*$")
_BACKGROUND = re.compile(r"(?<![\w-])background(?:-color)?\s*:\s*(device-cmyk\([^)]*\))")


def _cmyk(match: re.Match) -> schema.Cmyk:
    """Return the colour a ``device-cmyk()`` match names, as percentages."""
    return schema.Cmyk(tuple(float(v[:-1]) if v.endswith("%") else float(v) * 100 for v in match.groups()))


def screen_css(text: str) -> str:
    """Return a stylesheet with each ``device-cmyk()`` as the sRGB it prints as, its text colours readable.

    A text colour (``color:``) is kept if it reads (WCAG AA) on the
    background its rule sets, or on white; otherwise it is darkened as
    little as needed (on a dark background: white or black, whichever reads).
    """
    return re.sub(r"[^{}]+", lambda block: _screen_block(block[0]), text)


def _screen_block(block: str) -> str:
    """Return one declaration block (or selector) of a stylesheet with screen colours."""
    background = _BACKGROUND.search(block)
    under = screen_colour(_cmyk(_CMYK.search(background[1]))) if background else WHITE

    def colour(match: re.Match) -> str:
        printed = screen_colour(_cmyk(match))
        return readable_text(printed, under) if _TEXT.search(block, 0, match.start()) else printed

    return _CMYK.sub(colour, block)


def readable_text(colour: str, background: str = WHITE) -> str:
    """Return ``colour`` if text in it reads on ``background`` (WCAG AA), else the closest colour that does."""
    if readable(colour, (background,)):
        return colour
    if luminance(background) > luminance(colour):
        return darkened(colour, (background,))
    return text_on(background)


def stylesheet_text(layouts, name: str) -> str:
    """Return the booklet's stylesheet ``name`` for the screen: its colours converted, the screen layer after it."""
    return screen_css(read_layout(layouts, name)) + "\n" + read_layout(layouts, SCREEN_LAYER)


# --- photos ------------------------------------------------------------------------------------------


def placed_mm(width_px: int, height_px: int) -> tuple[float, float]:
    """Return the size (mm) a photo is placed at: its width, unless that would make it too tall."""
    width = min(PHOTO_WIDTH_MM, PHOTO_MAX_HEIGHT_MM * width_px / height_px)
    return width, width * height_px / width_px


def screen_size(width_px: int, height_px: int, dpi: float = SCREEN_DPI) -> tuple[int, int]:
    """Return the pixels a photo keeps on screen: ``dpi`` at its placed size, never more than it has."""
    scale = min(1.0, dpi * placed_mm(width_px, height_px)[0] / 25.4 / width_px)
    return max(1, math.floor(width_px * scale)), max(1, math.floor(height_px * scale))


# --- the file --------------------------------------------------------------------------------------


def screen_info(info: DocInfo) -> DocInfo:
    """Return what the screen edition of a booklet (``info``) says about itself: PDF/UA-1, not PDF/X."""
    return DocInfo(info.title, info.date, f"ecran|{info.identity}", document=f"ecran|{info.document}",
                   pdfx=False, ua=True, lang=info.lang, purpose=PURPOSE)


def write(engine, documents: list, label: str, info: DocInfo) -> bytes:
    """Return laid-out ``documents`` as a finished screen file: PDF/UA-1, tagged by WeasyPrint, as ``info`` says."""
    document, _ = pdf.identifiers(info)
    return engine.write(documents, label, pdf_variant=VARIANT, pdf_identifier=document, finisher=finisher(info))


def finisher(info: DocInfo):
    """Return a WeasyPrint finisher that describes a screen file as :func:`.pdf.finish` does a print file.

    The same document information, XMP packet (declaring PDF/UA-1 and the
    language) and DocumentID, set on WeasyPrint's own objects before it
    writes them, so that the structure tree keeps to its compressed object
    streams; and what PDF/UA asks besides: the title shown, and the
    language on the structure tree's top element too.
    """

    def finish(document, target) -> None:
        import pydyf

        identity, instance = pdf.identifiers(info)
        target.info.update({key[1:]: pydyf.String(value) for key, value in pdf.info_fields(info).items()})
        target.info["Trapped"] = "/False"
        target.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        metadata = _object(target, target.catalog["Metadata"])
        metadata.stream, metadata.compress = [pdf.xmp(info, identity, instance).encode()], False
        tree = _object(target, target.catalog["StructTreeRoot"])
        for kid in tree["K"]:
            _object(target, kid)["Lang"] = pydyf.String(info.lang)

    return finish


def _object(target, reference):
    """Return the pydyf object a reference (``b"12 0 R"``) points at."""
    return target.objects[int(reference.split()[0])]

