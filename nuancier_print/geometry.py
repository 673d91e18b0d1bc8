"""Card geometry shared by layouts, preflight and previews (all in millimetres).

Coordinates are measured from the top-left corner of the trimmed card.
The rivet that binds the deck goes through every card at the same place,
centred near the bottom short edge, so the deck fans open from its top.
"""

from __future__ import annotations

from dataclasses import dataclass

SAFE_MM = 3.0  # no text within this distance of the trim edge
MIN_TEXT_PT = 6.5  # the smallest text size the fitter may choose
# The smallest card the layouts can lay out: the number (32 mm wide) and the famille's name side by
# side on the band, a footer each side of the rivet's keep-out, and some 40 mm of text between the
# band and the rivet. Below it, WeasyPrint is handed boxes of negative size and fails.
MIN_CARD_MM = (60.0, 90.0)  # width, height
SMALL_TEXT_PT = 9.0  # text under this size prints on two process plates at most...
MAX_SMALL_TEXT_PLATES = 2  # ...and white text under it is reversed out of two plates at most,
REVERSED_BOLD_PT = 8.0  # unless it is bold and at least this size


@dataclass(frozen=True)
class Rivet:
    """The rivet hole and the zone around it that text must keep out of."""

    cx: float
    cy: float
    hole_radius: float = 2.75  # a 5.5 mm hole, for a standard 5 mm Chicago screw
    keepout_radius: float = 7.0

    def keepout_box(self) -> tuple[float, float, float, float]:
        """Return the keep-out square (x0, y0, x1, y1) around the hole."""
        r = self.keepout_radius
        return self.cx - r, self.cy - r, self.cx + r, self.cy + r


def rivet_for(width: float, height: float) -> Rivet:
    """Return the rivet position for a card of this trimmed size."""
    return Rivet(cx=width / 2, cy=height - 10.0)


@dataclass(frozen=True)
class CardFormat:
    """A trimmed card size and its bleed."""

    width: float
    height: float
    bleed: float = 3.0

    @property
    def media(self) -> tuple[float, float]:
        """Return the page size including bleed on every side."""
        return self.width + 2 * self.bleed, self.height + 2 * self.bleed

    @property
    def rivet(self) -> Rivet:
        """Return this format's rivet."""
        return rivet_for(self.width, self.height)


MM_PER_PT = 25.4 / 72


def mm_to_pt(value: float) -> float:
    """Convert millimetres to PDF points."""
    return value / MM_PER_PT


def pt_to_mm(value: float) -> float:
    """Convert PDF points to millimetres."""
    return value * MM_PER_PT
