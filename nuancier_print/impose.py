"""Imposition as plain data: saddle-stitch order, card grids, duplex backs, calibration.

Nothing here reads or writes a PDF. Each function returns a plan (page numbers,
slot positions in millimetres, rotations, affine matrices) that
:mod:`nuancier_print.sheets` executes with pypdf in one loop, so the page order,
the mirroring of card backs and the duplex correction are unit-tested without
any PDF.

Conventions: lengths are millimetres unless a name says ``pt``; positions are
measured from the sheet's bottom-left corner with y going up (the PDF
convention); pages, sheets and cards in a plan are counted as documented on
each function.

The physical model behind :func:`sheet_plan`
--------------------------------------------
A duplex printer turns the sheet over between its two sides. Seen from the
front, a mark printed on the back at ``(x, y)`` lies behind:

* ``(W - x, y)`` when the sheet turns about a vertical axis (like a book page),
* ``(x, H - y)`` when it turns about a horizontal axis (like a wall calendar).

"Long-edge" and "short-edge" name the edge the sheet turns about. On a portrait
sheet the long edges are vertical, so long-edge flip is the book turn; on a
landscape sheet the long edges are horizontal, so long-edge flip is the
calendar turn. That is why the mirroring depends on the orientation that
:func:`card_grid` chose.

A card's verso page is drawn upright for a card turned like a book page (about
its vertical axis): the rivet, centred on the bottom edge, then stays in place.
After a calendar turn the card has turned about its horizontal axis instead,
which is a book turn followed by a half-turn, so the verso must be printed
rotated by 180° to come out upright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .geometry import mm_to_pt
from .i18n import _

# Crop marks, drawn only in the margin around the block of cards (never between
# cards): each starts MARK_OFFSET beyond the outer bleed edge and is MARK_LENGTH
# long. DEFAULT_MARGIN leaves a further 4 mm between the mark and the sheet edge,
# which most printers cannot print anyway.
MARK_OFFSET = 1.0
MARK_LENGTH = 5.0
Segment = tuple[float, float, float, float]  # a mark's line, (x0, y0, x1, y1) in mm
DEFAULT_MARGIN = 10.0
DEFAULT_GUTTER = 0.0

FLIPS = ("long", "short")


# --- saddle stitch -----------------------------------------------------------


@dataclass(frozen=True)
class SaddleSide:
    """One side of a saddle-stitched sheet: the pages (1-based) left and right of the fold."""

    sheet: int
    side: str  # 'front' | 'back'
    left: int
    right: int


def saddle_plan(n_pages: int) -> list[SaddleSide]:
    """Return the sides of a saddle-stitched booklet, outermost sheet first.

    Sheet ``s`` (1-based) carries pages ``n-2(s-1)`` | ``2s-1`` on its front and
    ``2s`` | ``n-2s+1`` on its back, so the nested, folded sheets read 1..n.

    >>> [(s.left, s.right) for s in saddle_plan(4)]
    [(4, 1), (2, 3)]
    """
    if n_pages <= 0 or n_pages % 4:
        raise ValueError(f"a saddle-stitched booklet needs a multiple of 4 pages, got {n_pages}")
    sides = []
    for sheet in range(1, n_pages // 4 + 1):
        outer, inner = 2 * (sheet - 1), 2 * sheet
        sides.append(SaddleSide(sheet, "front", n_pages - outer, outer + 1))
        sides.append(SaddleSide(sheet, "back", inner, n_pages - inner + 1))
    return sides


# --- saddle stitch on a press sheet -----------------------------------------------

FOLD_DASH = (2.0, 1.0)  # mm: fold marks are dashed, crop marks are solid
TARGET_RADIUS = 2.5  # registration targets: a circle and a cross, in the side margins
TARGET_ARM = 5.0


@dataclass(frozen=True)
class PressPage:
    """One booklet page on a press sheet side.

    ``x``, ``y``: where the page's trim-box origin goes (mm), creep included;
    ``clip``: the part of the sheet it may paint, its bleed cut at the spine.
    """

    number: int  # 1-based booklet page
    x: float
    y: float
    clip: tuple[float, float, float, float]


@dataclass(frozen=True)
class PressSide:
    """One side of a press sheet: a spread of two pages, and how far creep moved them."""

    sheet: int  # 1-based, outermost first
    side: str  # 'front' | 'back'
    pages: tuple[PressPage, PressPage]  # left of the spine, right of it
    creep: float  # mm each page moved towards the spine


@dataclass(frozen=True)
class PressLayout:
    """A booklet imposed two pages up on press sheets, with its marks (all in mm)."""

    sheet_w: float
    sheet_h: float
    trim: tuple[float, float, float, float]  # the spread's trimmed edges on the sheet
    bleed: float
    sides: tuple[PressSide, ...]
    crop: tuple[Segment, ...]  # solid, at the corners of every page position
    folds: tuple[Segment, ...]  # dashed, on the spine, above and below the spread
    targets: tuple[tuple[float, float], ...]  # centres of the registration targets

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        """Return the spread's bleed edges on the sheet."""
        x0, y0, x1, y1 = self.trim
        b = self.bleed
        return x0 - b, y0 - b, x1 + b, y1 + b


def creep_shift(sheet: int, n_sheets: int, creep: float) -> float:
    """Return how far (mm) the pages of ``sheet`` (1 = outermost) move towards the spine.

    ``creep`` is how much further the innermost sheet's fore-edge sticks out
    once folded (about the paper's thickness times the number of sheets):
    the outermost sheet does not move, the innermost by the whole creep,
    those between in proportion.
    """
    if creep < 0:
        raise ValueError(f"creep cannot be negative, got {creep:g} mm")
    return 0.0 if n_sheets < 2 else creep * (sheet - 1) / (n_sheets - 1)


def press_layout(n_pages: int, sheet_w: float, sheet_h: float, page_w: float, page_h: float,
                 bleed: float, creep: float = 0.0) -> PressLayout:
    """Return a booklet imposed as one spread per side of a landscape sheet, centred, with its marks.

    Sides follow :func:`saddle_plan`. Crop marks extend the trim lines of
    the spread into the margin, starting :data:`MARK_OFFSET` beyond the
    bleed; fold marks extend the spine the same way; a registration target
    sits in the middle of the left and right margins. The sheet is turned
    about its vertical axis (like a book page) between the sides: the
    layout is symmetric, so the marks of the back lie behind those of the front.
    Raise ValueError if the spread and its marks do not fit on the sheet.
    """
    sheet_w, sheet_h = max(sheet_w, sheet_h), min(sheet_w, sheet_h)
    reach = bleed + MARK_OFFSET + MARK_LENGTH
    if 2 * page_w + 2 * reach > sheet_w or page_h + 2 * reach > sheet_h:
        raise ValueError(_("a spread of two {width:g}×{height:g} mm pages with {bleed:g} mm bleed and its marks "
                           "does not fit on a {sheet_width:g}×{sheet_height:g} mm sheet").format(
            width=page_w, height=page_h, bleed=bleed, sheet_width=sheet_w, sheet_height=sheet_h))
    spine, y0 = sheet_w / 2, (sheet_h - page_h) / 2
    trim = (spine - page_w, y0, spine + page_w, y0 + page_h)
    plan = saddle_plan(n_pages)
    n_sheets = n_pages // 4
    sides = []
    for side in plan:
        shift = creep_shift(side.sheet, n_sheets, creep)
        left = PressPage(side.left, spine - page_w + shift, y0, (spine - page_w - bleed, y0 - bleed, spine,
                                                                 y0 + page_h + bleed))
        right = PressPage(side.right, spine - shift, y0, (spine, y0 - bleed, spine + page_w + bleed,
                                                          y0 + page_h + bleed))
        sides.append(PressSide(side.sheet, side.side, (left, right), shift))
    near, far = bleed + MARK_OFFSET, bleed + MARK_OFFSET + MARK_LENGTH
    x0, _y0, x1, y1 = trim
    crop = []
    for x in (x0, x1):
        crop += [(x, y1 + near, x, y1 + far), (x, y0 - near, x, y0 - far)]
    for y in (y0, y1):
        crop += [(x0 - near, y, x0 - far, y), (x1 + near, y, x1 + far, y)]
    folds = ((spine, y1 + near, spine, y1 + far), (spine, y0 - near, spine, y0 - far))
    middle = y0 + page_h / 2
    gap = far + TARGET_RADIUS + 3.0
    targets = ((x0 - gap, middle), (x1 + gap, middle))
    return PressLayout(sheet_w, sheet_h, trim, bleed, tuple(sides), tuple(crop), folds, targets)


# --- card grid ---------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """Card slots on a sheet, row by row from the top-left.

    ``slots[i]`` is the trim-box origin (bottom-left corner, mm) of slot ``i``;
    slot ``i`` is in row ``i // cols`` (0 = top) and column ``i % cols``
    (0 = left). The block of cards is centred on the sheet.
    """

    sheet_w: float
    sheet_h: float
    card_w: float
    card_h: float
    bleed: float
    gutter: float
    margin: float
    cols: int
    rows: int
    slots: tuple[tuple[float, float], ...]

    @property
    def count(self) -> int:
        """Return the number of cards per sheet side."""
        return self.cols * self.rows

    @property
    def landscape(self) -> bool:
        """Tell whether the sheet is used wider than tall."""
        return self.sheet_w > self.sheet_h

    def block(self) -> tuple[float, float, float, float]:
        """Return the outer bleed edges (x0, y0, x1, y1) of the whole block of cards."""
        xs = [x for x, _ in self.slots]
        ys = [y for _, y in self.slots]
        b = self.bleed
        return min(xs) - b, min(ys) - b, max(xs) + self.card_w + b, max(ys) + self.card_h + b


def _fit(available: float, cell: float, gutter: float) -> int:
    """Return how many cells, separated by gutters, fit in a length."""
    if available < cell:
        return 0
    return int((available + gutter) // (cell + gutter) + 1e-9)


def _layout(sheet_w, sheet_h, card_w, card_h, bleed, gutter, margin) -> Grid:
    """Return the centred grid for one sheet orientation."""
    cell_w, cell_h = card_w + 2 * bleed, card_h + 2 * bleed
    cols = _fit(sheet_w - 2 * margin, cell_w, gutter)
    rows = _fit(sheet_h - 2 * margin, cell_h, gutter)
    block_w = cols * cell_w + max(cols - 1, 0) * gutter
    block_h = rows * cell_h + max(rows - 1, 0) * gutter
    left, top = (sheet_w - block_w) / 2, (sheet_h + block_h) / 2
    slots = tuple(
        (left + c * (cell_w + gutter) + bleed, top - r * (cell_h + gutter) - bleed - card_h)
        for r in range(rows)
        for c in range(cols)
    )
    return Grid(sheet_w, sheet_h, card_w, card_h, bleed, gutter, margin, cols, rows, slots)


def card_grid(
    sheet_w: float,
    sheet_h: float,
    card_w: float,
    card_h: float,
    bleed: float,
    gutter: float = DEFAULT_GUTTER,
    margin: float = DEFAULT_MARGIN,
) -> Grid:
    """Return the grid that fits most cards, trying the sheet portrait then landscape.

    Each card occupies its trim size plus ``bleed`` on every side; ``gutter`` is
    the extra space between two neighbouring bleed areas (0 is fine: cards are
    cut one trim line at a time, and the neighbour's bleed is cut away).
    ``margin`` is the minimum space between the sheet edge and the outer bleed
    edge of the block. Crop marks are drawn only in that margin, along the
    extended trim lines, so they can never fall on a card whatever the gutter:
    the margin must hold ``MARK_OFFSET + MARK_LENGTH`` (6 mm) plus the printer's
    unprintable edge, hence the 10 mm default. Cards are never rotated; on a
    tie the portrait sheet wins. Raise ValueError if not even one card fits.
    """
    if min(sheet_w, sheet_h, card_w, card_h) <= 0 or min(bleed, gutter, margin) < 0:
        raise ValueError("sizes must be positive and bleed, gutter, margin not negative")
    short, long_ = sorted((sheet_w, sheet_h))
    portrait = _layout(short, long_, card_w, card_h, bleed, gutter, margin)
    landscape = _layout(long_, short, card_w, card_h, bleed, gutter, margin)
    best = portrait if portrait.count >= landscape.count else landscape
    if best.count == 0:
        raise ValueError(_(
            "a {width:g}×{height:g} mm card with {bleed:g} mm bleed does not fit on a {sheet_width:g}×{sheet_height:g} "
            "mm sheet with {margin:g} mm margins").format(width=card_w, height=card_h, bleed=bleed, sheet_width=short,
                                                          sheet_height=long_, margin=margin))
    return best


def crop_marks(grid: Grid) -> list[Segment]:
    """Return the crop marks (x0, y0, x1, y1 in mm) for a grid: trim lines extended into the margin.

    Every column's left and right trim lines get a mark above and below the
    block; every row's top and bottom trim lines get one left and right of it.
    Marks start :data:`MARK_OFFSET` beyond the block's outer bleed edge, so none
    can touch a card.
    """
    bx0, by0, bx1, by1 = grid.block()
    near, far = MARK_OFFSET, MARK_OFFSET + MARK_LENGTH
    xs = sorted({x for x, _ in grid.slots} | {x + grid.card_w for x, _ in grid.slots})
    ys = sorted({y for _, y in grid.slots} | {y + grid.card_h for _, y in grid.slots})
    marks = []
    for x in xs:
        marks += [(x, by1 + near, x, by1 + far), (x, by0 - near, x, by0 - far)]
    for y in ys:
        marks += [(bx0 - near, y, bx0 - far, y), (bx1 + near, y, bx1 + far, y)]
    return marks


# --- duplex card sheets ------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """One slot of one sheet side, and the card face (if any) that goes there.

    ``x``, ``y`` are the slot's trim-box origin in mm; ``rotation`` (0 or 180
    degrees) turns the face about the slot's centre. Output page numbers are
    ``2*sheet - 1`` for the front and ``2*sheet`` for the back.
    """

    sheet: int  # 1-based
    side: str  # 'front' | 'back'
    slot: int  # 0-based index into Grid.slots
    card: int | None  # 0-based card index, None for an empty slot
    face: str | None  # 'recto' | 'verso' | None
    x: float
    y: float
    rotation: int


def turns_about_vertical(sheet_w: float, sheet_h: float, flip: str) -> bool:
    """Tell whether a duplex ``flip`` turns a sheet of this size about a vertical axis."""
    if flip not in FLIPS:
        raise ValueError(f"flip must be 'long' or 'short', got {flip!r}")
    return (flip == "long") != (sheet_w > sheet_h)


def behind(x: float, y: float, sheet_w: float, sheet_h: float, flip: str = "long"):
    """Return the back-side point (in the back's own coordinates) behind front point (x, y)."""
    if turns_about_vertical(sheet_w, sheet_h, flip):
        return sheet_w - x, y
    return x, sheet_h - y


def back_slot(grid: Grid, slot: int, flip: str) -> int:
    """Return the back slot that lies behind front ``slot`` once the sheet is turned."""
    row, col = divmod(slot, grid.cols)
    if turns_about_vertical(grid.sheet_w, grid.sheet_h, flip):
        return row * grid.cols + (grid.cols - 1 - col)
    return (grid.rows - 1 - row) * grid.cols + col


def back_rotation(grid: Grid, flip: str) -> int:
    """Return the rotation a verso needs on the back so that it reads upright."""
    return 0 if turns_about_vertical(grid.sheet_w, grid.sheet_h, flip) else 180


def _side(sheet, side, grid, cards, face, rotation) -> list[Placement]:
    """Return the placements of one side, ``cards[slot]`` being the card in each slot."""
    return [
        Placement(sheet, side, slot, card, face if card is not None else None, x, y,
                  rotation if card is not None else 0)
        for slot, ((x, y), card) in enumerate(zip(grid.slots, cards))
    ]


def sheet_plan(n_cards: int, grid: Grid, flip: str = "long") -> list[Placement]:
    """Return every slot of every sheet side: front of sheet 1, its back, front of sheet 2…

    Cards fill the front slots in reading order; each verso goes to the back slot
    behind its recto (:func:`back_slot`), rotated by :func:`back_rotation`. The
    last sheet's unused slots are listed with ``card=None``.
    """
    if n_cards < 0:
        raise ValueError(f"the number of cards cannot be negative, got {n_cards}")
    per_sheet = grid.count
    fronts = [[first + s if first + s < n_cards else None for s in range(per_sheet)]
              for first in range(0, n_cards, per_sheet)]
    return fronts_plan(fronts, grid, flip)


def stack_plan(stacks: list[list[int]], grid: Grid, flip: str = "long") -> list[Placement]:
    """Return the plan that keeps each stack together once the sheets are cut: "cut and stack".

    Stacks go ``grid.count`` at a time, one per slot: slot ``s`` of
    successive sheets holds the cards of stack ``s`` in order, so that once
    the pile of sheets is cut, each pile of cards is one stack (one copy of
    a kit), in order. The stacks left over when they do not fill a last
    batch are not given one slot each, which would print sheets with empty
    places: their cards, one after the other, are spread over every slot,
    so that the piles of those sheets, laid one on the other in slot order,
    give them back in order (each card says which copy it belongs to).
    """
    full = len(stacks) - len(stacks) % grid.count
    fronts = []
    for start in range(0, full, grid.count):
        fronts += _side_by_side(stacks[start:start + grid.count], grid.count)
    rest = [card for stack in stacks[full:] for card in stack]
    if rest:
        depth = -(-len(rest) // grid.count)
        fronts += _side_by_side([rest[i:i + depth] for i in range(0, len(rest), depth)], grid.count)
    return fronts_plan(fronts, grid, flip)


def _side_by_side(piles: list[list[int]], count: int) -> list[list[int | None]]:
    """Return the fronts that lay piles side by side, one per slot: a card of each pile per sheet."""
    return [[pile[depth] if depth < len(pile) else None for pile in piles] + [None] * (count - len(piles))
            for depth in range(max(len(pile) for pile in piles))]


def fronts_plan(fronts: list[list[int | None]], grid: Grid, flip: str = "long") -> list[Placement]:
    """Return the plan of sheets whose fronts hold ``fronts[sheet][slot]``, each back behind its front."""
    rotation = back_rotation(grid, flip)
    plan: list[Placement] = []
    for sheet, cards in enumerate(fronts, 1):
        backs: list[int | None] = [None] * grid.count
        for slot, card in enumerate(cards):
            backs[back_slot(grid, slot, flip)] = card
        plan += _side(sheet, "front", grid, cards, "recto", 0)
        plan += _side(sheet, "back", grid, backs, "verso", rotation)
    return plan


# --- duplex calibration ------------------------------------------------------

CALIBRATION_INSET = 25.0  # mm from each edge to the corner targets


@dataclass(frozen=True)
class Target:
    """A calibration crosshair: its centre (mm) and how many dots identify it."""

    x: float
    y: float
    dots: int


def calibration_targets(sheet_w: float, sheet_h: float, side: str, flip: str = "long") -> list[Target]:
    """Return the crosshairs of one side of the calibration sheet.

    The front has one at the centre (no dot) and one near each corner (1 to 4
    dots, reading order). The back has each at the point behind its front twin
    (:func:`behind`), with the same dots, so on a perfect printer they coincide
    when the sheet is held to the light.
    """
    i = CALIBRATION_INSET
    front = [Target(sheet_w / 2, sheet_h / 2, 0)] + [
        Target(x, y, n + 1)
        for n, (x, y) in enumerate([(i, sheet_h - i), (sheet_w - i, sheet_h - i),
                                    (i, i), (sheet_w - i, i)])
    ]
    if side == "front":
        return front
    if side != "back":
        raise ValueError(f"side must be 'front' or 'back', got {side!r}")
    return [Target(*behind(t.x, t.y, sheet_w, sheet_h, flip), t.dots) for t in front]


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Correction:
    """How to move a printer's back sides so they land behind their fronts.

    Applied to the back page as drawn (its own coordinates, seen facing the
    back): scale and rotate (degrees, counter-clockwise) about the sheet centre,
    then shift by ``dx`` (right) and ``dy`` (up), in mm.
    """

    dx: float = 0.0
    dy: float = 0.0
    rotation: float = 0.0
    scale: float = 1.0

    @property
    def is_identity(self) -> bool:
        """Tell whether this correction changes nothing."""
        return (self.dx, self.dy, self.rotation, self.scale) == (0, 0, 0, 1)


def compose(m1: Matrix, m2: Matrix) -> Matrix:
    """Return the matrix that applies ``m1`` first, then ``m2``.

    This is the PDF product ``m1 × m2``: ``q m2 cm m1 cm … Q`` draws with it.
    """
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    """Return the point (x, y) transformed by a PDF matrix."""
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def translation(tx: float, ty: float) -> Matrix:
    """Return the matrix of a translation."""
    return (1.0, 0.0, 0.0, 1.0, tx, ty)


def rotation_scale(degrees: float, scale: float = 1.0) -> Matrix:
    """Return the matrix of a counter-clockwise rotation and a scale about the origin."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return (scale * cos, scale * sin, -scale * sin, scale * cos, 0.0, 0.0)


def correction_matrix(corr: Correction, sheet_w_mm: float, sheet_h_mm: float) -> Matrix:
    """Return the PDF matrix (in points) of a correction on a sheet of this size."""
    cx, cy = mm_to_pt(sheet_w_mm) / 2, mm_to_pt(sheet_h_mm) / 2
    about_centre = compose(
        compose(translation(-cx, -cy), rotation_scale(corr.rotation, corr.scale)),
        translation(cx, cy),
    )
    return compose(about_centre, translation(mm_to_pt(corr.dx), mm_to_pt(corr.dy)))
