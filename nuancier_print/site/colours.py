"""Screen colours for the site: each card's swatch in sRGB, and text colours that stay readable.

The swatch is the card's CMYK colour converted as the rest of the tool does
(:attr:`nuancier_print.schema.Cmyk.rgb`). It is decoration: every text the
site sets in or on a colour gets a colour derived from it that meets WCAG AA
(a contrast of at least 4.5:1, body text size):

* ``on_swatch``: text on the swatch, white or the card's near black, or
  black when neither is enough;
* ``ink``: headings and bullets on the white page and on ``tint``, the
  swatch darkened just as much as needed;
* ``tint``: the light box behind the exemple de module, as on the card (the
  CMYK inks at 12 %).

Contrast is computed on the 8-bit hexadecimal values the CSS carries, so
rounding cannot take a colour below the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import schema

AA = 4.5  # WCAG 2.1 AA, 1.4.3: body text
MARGIN = 0.05  # keep clear of the threshold, whatever a checker rounds
WHITE = "#ffffff"
TEXT = "#141414"  # the cards' near black, CMYK (0, 0, 0, 92)
BLACK = "#000000"
TINT_SHARE = 0.12  # the cards' module box: each ink at 12 %


@dataclass(frozen=True)
class SitePalette:
    """The CSS colours of one famille or teinte, as ``#rrggbb``."""

    swatch: str
    on_swatch: str
    ink: str
    tint: str


def hex_colour(rgb: tuple[float, float, float]) -> str:
    """Return an sRGB triple (0..1) as ``#rrggbb``."""
    return "#" + "".join(f"{round(min(max(v, 0.0), 1.0) * 255):02x}" for v in rgb)


def channels(colour: str) -> tuple[float, float, float]:
    """Return the sRGB channels (0..1) of a ``#rrggbb`` colour."""
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a ``#rrggbb`` colour."""
    linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in channels(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: str, backgrounds: tuple[str, ...], ratio: float = AA) -> bool:
    """Tell whether text in ``colour`` meets ``ratio`` (plus a margin) on every background."""
    return all(contrast(colour, bg) >= ratio + MARGIN for bg in backgrounds)


def darkened(colour: str, backgrounds: tuple[str, ...]) -> str:
    """Return ``colour`` mixed with as little black as makes it readable on every background."""
    rgb = channels(colour)
    for step in range(101):
        candidate = hex_colour(tuple(v * (1 - step / 100) for v in rgb))
        if readable(candidate, backgrounds):
            return candidate
    return BLACK


def text_on(background: str) -> str:
    """Return the text colour for a background: white, the cards' near black, or black."""
    for candidate in (WHITE, TEXT, BLACK):
        if readable(candidate, (background,)):
            return candidate
    return BLACK if contrast(BLACK, background) > contrast(WHITE, background) else WHITE


def site_palette(colour: schema.Cmyk) -> SitePalette:
    """Return the screen colours derived from a card's CMYK swatch."""
    swatch = hex_colour(colour.rgb)
    tint = hex_colour(schema.Cmyk(tuple(v * TINT_SHARE for v in colour)).rgb)
    return SitePalette(swatch=swatch, on_swatch=text_on(swatch), ink=darkened(swatch, (WHITE, tint)), tint=tint)


NEUTRAL = SitePalette(swatch=TEXT, on_swatch=WHITE, ink=TEXT, tint="#f2f2f2")
