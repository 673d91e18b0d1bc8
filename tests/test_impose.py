"""Pure imposition plans: saddle order, card grids, mirrored backs, calibration maths."""

from __future__ import annotations

import math

import pytest

from nuancier_print.geometry import mm_to_pt
from nuancier_print.impose import (
    MARK_LENGTH,
    MARK_OFFSET,
    Correction,
    SaddleSide,
    apply,
    back_slot,
    calibration_targets,
    card_grid,
    compose,
    correction_matrix,
    crop_marks,
    saddle_plan,
    sheet_plan,
)

SHEETS = {"A4": (210, 297), "A3": (297, 420), "SRA3": (320, 450)}
DL, A6 = (99, 210), (105, 148)


# --- saddle stitch -----------------------------------------------------------


def read_folded(sides: list[SaddleSide]) -> list[int]:
    """Return the page numbers in the order a reader meets them in the folded booklet.

    Sheets are nested, sheet 1 outermost. Opening the booklet, the reader sees the
    right half of each front going in, the left half of each back, then, past the
    centre, the right half of each back and the left half of each front coming out.
    """
    by = {(s.sheet, s.side): s for s in sides}
    n = max(s.sheet for s in sides)
    first_half = []
    for sheet in range(1, n + 1):
        first_half += [by[sheet, "front"].right, by[sheet, "back"].left]
    second_half = []
    for sheet in range(n, 0, -1):
        second_half += [by[sheet, "back"].right, by[sheet, "front"].left]
    return first_half + second_half


@pytest.mark.parametrize("n_pages", [4, 8, 12, 16])
def test_saddle_plan_reads_in_order_once_folded(n_pages):
    sides = saddle_plan(n_pages)
    assert len(sides) == n_pages // 2
    assert [s.side for s in sides] == ["front", "back"] * (n_pages // 4)
    assert read_folded(sides) == list(range(1, n_pages + 1))


def test_saddle_plan_matches_the_standard_tables():
    as_tuples = lambda n: [(s.sheet, s.side, s.left, s.right) for s in saddle_plan(n)]  # noqa: E731
    assert as_tuples(4) == [(1, "front", 4, 1), (1, "back", 2, 3)]
    assert as_tuples(8) == [
        (1, "front", 8, 1), (1, "back", 2, 7), (2, "front", 6, 3), (2, "back", 4, 5),
    ]
    assert as_tuples(16)[:2] == [(1, "front", 16, 1), (1, "back", 2, 15)]
    assert as_tuples(16)[-2:] == [(4, "front", 10, 7), (4, "back", 8, 9)]
    assert as_tuples(12)[2:4] == [(2, "front", 10, 3), (2, "back", 4, 9)]


def test_every_page_appears_once_and_facing_pages_sum_to_n_plus_1():
    for n in (4, 8, 12, 16, 40):
        pages = [p for s in saddle_plan(n) for p in (s.left, s.right)]
        assert sorted(pages) == list(range(1, n + 1))
        assert all(s.left + s.right == n + 1 for s in saddle_plan(n))


@pytest.mark.parametrize("n_pages", [0, 2, 6, 10, -4])
def test_saddle_plan_refuses_page_counts_not_multiple_of_4(n_pages):
    with pytest.raises(ValueError, match="multiple of 4"):
        saddle_plan(n_pages)


# --- card grid ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sheet, card, expected",
    [
        # DL + 3 mm bleed = 105 × 216 mm cells, 10 mm margins.
        ("A4", DL, (210, 297, 1, 1)),  # 190/105 → 1, 277/216 → 1; landscape: 190 < 216
        ("A3", DL, (420, 297, 3, 1)),  # landscape 400/105 → 3 beats portrait 277/105 × 1 = 2
        ("SRA3", DL, (450, 320, 4, 1)),  # landscape 430/105 → 4 beats portrait 2 × 1
        # A6 + 3 mm bleed = 111 × 154 mm cells.
        ("A4", A6, (297, 210, 2, 1)),  # landscape 277/111 → 2, 190/154 → 1
        ("A3", A6, (297, 420, 2, 2)),  # portrait 2 × 2 beats landscape 3 × 1
        ("SRA3", A6, (320, 450, 2, 2)),
    ],
)
def test_card_grid_counts(sheet, card, expected):
    grid = card_grid(*SHEETS[sheet], *card, bleed=3)
    assert (grid.sheet_w, grid.sheet_h, grid.cols, grid.rows) == expected
    assert len(grid.slots) == grid.count == expected[2] * expected[3]


def test_a_smaller_margin_fits_more_and_gutters_fit_fewer():
    # 4 DL cells are exactly 420 mm wide: only a zero margin lets them in on A3.
    assert card_grid(297, 420, *DL, bleed=3, margin=0).count == 4
    # 2 A6 cells with a 60 mm gutter need 282 mm: more than the 277 mm across an A4 landscape.
    assert card_grid(210, 297, *A6, bleed=3, gutter=60).count == 1


def test_card_grid_refuses_a_card_that_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        card_grid(100, 150, *DL, bleed=3)


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("card", [DL, A6, (85, 55)])
@pytest.mark.parametrize("gutter", [0, 4])
def test_slots_are_centred_inside_the_margin_and_never_overlap(sheet, card, gutter):
    grid = card_grid(*SHEETS[sheet], *card, bleed=3, gutter=gutter)
    x0, y0, x1, y1 = grid.block()
    assert x0 == pytest.approx(grid.sheet_w - x1) and y0 == pytest.approx(grid.sheet_h - y1)
    assert min(x0, y0) >= grid.margin - 1e-9
    # Crop marks (in the margin) stay on the sheet.
    assert min(x0, y0) >= MARK_OFFSET + MARK_LENGTH
    cells = [(x - 3, y - 3, x + card[0] + 3, y + card[1] + 3) for x, y in grid.slots]
    for i, a in enumerate(cells):
        for b in cells[i + 1:]:
            apart_x = a[2] + gutter <= b[0] + 1e-9 or b[2] + gutter <= a[0] + 1e-9
            apart_y = a[3] + gutter <= b[1] + 1e-9 or b[3] + gutter <= a[1] + 1e-9
            assert apart_x or apart_y


def test_slots_run_in_reading_order_from_the_top_left():
    grid = card_grid(297, 420, *A6, bleed=3)
    (x0, y0), (x1, y1), (x2, y2) = grid.slots[:3]
    assert x1 > x0 and y1 == y0  # slot 1 is right of slot 0
    assert x2 == x0 and y2 < y0  # slot 2 starts the next row down


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("card", [DL, A6, (85, 55)])
def test_crop_marks_extend_every_trim_line_and_never_touch_a_card(sheet, card):
    grid = card_grid(*SHEETS[sheet], *card, bleed=3)
    marks = crop_marks(grid)
    cells = [(x - 3, y - 3, x + card[0] + 3, y + card[1] + 3) for x, y in grid.slots]
    for x0, y0, x1, y1 in marks:
        assert x0 == x1 or y0 == y1  # straight
        assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(MARK_LENGTH)
        assert 0 <= min(x0, x1) and max(x0, x1) <= grid.sheet_w
        assert 0 <= min(y0, y1) and max(y0, y1) <= grid.sheet_h
        for cx0, cy0, cx1, cy1 in cells:  # a segment misses a cell if it lies wholly to one side
            assert (max(x0, x1) < cx0 or min(x0, x1) > cx1 or max(y0, y1) < cy0 or min(y0, y1) > cy1)
    # Each trim line (two per column, two per row) has a mark at each of its ends.
    vertical = {x0 for x0, y0, x1, y1 in marks if x0 == x1}
    horizontal = {y0 for x0, y0, x1, y1 in marks if y0 == y1}
    assert vertical == {v for x, _ in grid.slots for v in (x, x + card[0])}
    assert horizontal == {v for _, y in grid.slots for v in (y, y + card[1])}
    assert len(marks) == 2 * len(vertical) + 2 * len(horizontal)


# --- duplex backs: a physical simulation ---------------------------------------


def turned_over(grid, flip: str, x: float, y: float) -> tuple[float, float]:
    """Return where a point printed on the back lies, seen from the front.

    Models the sheet itself: flipping about a long edge or a short edge, whichever
    way those edges run on this sheet.
    """
    long_edge_vertical = grid.sheet_h > grid.sheet_w
    axis_vertical = long_edge_vertical if flip == "long" else not long_edge_vertical
    if axis_vertical:
        return grid.sheet_w - x, y
    return x, grid.sheet_h - y


def turned_card(w: float, u: float, v: float) -> tuple[float, float]:
    """Return the recto point behind verso point (u, v) of a w-wide card turned like a book."""
    return w - u, v


def on_sheet(p, w: float, h: float, u: float, v: float) -> tuple[float, float]:
    """Return where card point (u, v) lands on the sheet for placement ``p``."""
    if p.rotation == 180:
        u, v = w - u, h - v
    else:
        assert p.rotation == 0
    return p.x + u, p.y + v


@pytest.mark.parametrize("flip", ["long", "short"])
@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("card", [DL, A6])
def test_every_verso_lands_behind_its_recto_and_reads_upright(flip, sheet, card):
    grid = card_grid(*SHEETS[sheet], *card, bleed=3)
    w, h = card
    n_cards = 2 * grid.count + 1  # the third sheet holds a single card
    plan = sheet_plan(n_cards, grid, flip)
    fronts = {(p.sheet, p.card): p for p in plan if p.side == "front" and p.card is not None}
    backs = {(p.sheet, p.card): p for p in plan if p.side == "back" and p.card is not None}
    assert fronts.keys() == backs.keys() and len(fronts) == n_cards
    # Two points of the verso: a corner and an off-centre point, to catch rotation.
    for key, back in backs.items():
        front = fronts[key]
        for u, v in [(0.0, 0.0), (0.2 * w, 0.7 * h)]:
            seen = turned_over(grid, flip, *on_sheet(back, w, h, u, v))
            expected = on_sheet(front, w, h, *turned_card(w, u, v))
            assert seen == pytest.approx(expected), (flip, sheet, key, (u, v))


def test_sheet_plan_alternates_fronts_and_backs_and_fills_the_last_sheet_with_blanks():
    grid = card_grid(297, 420, *DL, bleed=3)  # 3 per side
    plan = sheet_plan(4, grid)
    assert [(p.sheet, p.side) for p in plan] == (
        [(1, "front")] * 3 + [(1, "back")] * 3 + [(2, "front")] * 3 + [(2, "back")] * 3
    )
    assert [p.card for p in plan if p.side == "front"] == [0, 1, 2, 3, None, None]
    assert all(p.face == "recto" for p in plan if p.side == "front" and p.card is not None)
    assert all(p.face == "verso" for p in plan if p.side == "back" and p.card is not None)
    assert all(p.face is None for p in plan if p.card is None)
    assert sheet_plan(0, grid) == []


def test_a_landscape_long_edge_flip_turns_backs_half_round():
    # A3 DL is a landscape sheet: its long edges are horizontal.
    grid = card_grid(297, 420, *DL, bleed=3)
    long_backs = [p for p in sheet_plan(3, grid, "long") if p.side == "back"]
    short_backs = [p for p in sheet_plan(3, grid, "short") if p.side == "back"]
    assert {p.rotation for p in long_backs} == {180}
    assert [p.card for p in long_backs] == [0, 1, 2]  # one row: rows reversed changes nothing
    assert {p.rotation for p in short_backs} == {0}
    assert [p.card for p in short_backs] == [2, 1, 0]  # columns reversed


def test_a_portrait_long_edge_flip_reverses_columns():
    grid = card_grid(297, 420, *A6, bleed=3)  # portrait, 2 × 2
    backs = [p for p in sheet_plan(4, grid, "long") if p.side == "back"]
    assert [p.card for p in backs] == [1, 0, 3, 2]
    assert {p.rotation for p in backs} == {0}
    short = [p for p in sheet_plan(4, grid, "short") if p.side == "back"]
    assert [p.card for p in short] == [2, 3, 0, 1]
    assert {p.rotation for p in short} == {180}


def test_sheet_plan_refuses_an_unknown_flip():
    with pytest.raises(ValueError, match="flip"):
        sheet_plan(2, card_grid(210, 297, *A6, bleed=3), "diagonal")


# --- calibration maths ---------------------------------------------------------


def test_identity_correction_is_the_identity_matrix():
    assert correction_matrix(Correction(), 210, 297) == pytest.approx((1, 0, 0, 1, 0, 0))


def test_pure_translation_moves_every_point_by_dx_dy_in_points():
    m = correction_matrix(Correction(dx=2.0, dy=-1.5), 210, 297)
    for x, y in [(0, 0), (100, 700), (595, 842)]:
        assert apply(m, x, y) == pytest.approx((x + mm_to_pt(2.0), y - mm_to_pt(1.5)))


def test_rotation_keeps_the_centre_and_turns_a_corner_counter_clockwise():
    w, h = mm_to_pt(210), mm_to_pt(297)
    m = correction_matrix(Correction(rotation=90), 210, 297)
    assert apply(m, w / 2, h / 2) == pytest.approx((w / 2, h / 2))
    # The top-right corner is (w/2, h/2) from the centre; a quarter turn
    # counter-clockwise brings it to (-h/2, w/2) from the centre.
    assert apply(m, w, h) == pytest.approx((w / 2 - h / 2, h / 2 + w / 2))
    small = correction_matrix(Correction(rotation=0.5), 210, 297)
    x, y = apply(small, w, h / 2)  # a point right of the centre moves up
    assert y - h / 2 == pytest.approx(w / 2 * math.sin(math.radians(0.5)))


def test_scale_is_about_the_centre():
    w, h = mm_to_pt(297), mm_to_pt(420)
    m = correction_matrix(Correction(scale=1.01), 297, 420)
    assert apply(m, w / 2, h / 2) == pytest.approx((w / 2, h / 2))
    assert apply(m, 0, 0) == pytest.approx((-0.005 * w, -0.005 * h))


def test_translation_comes_after_rotation():
    w, h = mm_to_pt(210), mm_to_pt(297)
    m = correction_matrix(Correction(dx=10, rotation=180), 210, 297)
    # The centre stays put under the half turn, then moves 10 mm right.
    assert apply(m, w / 2, h / 2) == pytest.approx((w / 2 + mm_to_pt(10), h / 2))
    assert apply(m, 0, 0) == pytest.approx((w + mm_to_pt(10), h))


def test_compose_applies_the_first_matrix_first():
    shift = (1, 0, 0, 1, 10, 0)
    double = (2, 0, 0, 2, 0, 0)
    assert apply(compose(shift, double), 1, 1) == pytest.approx((22, 2))
    assert apply(compose(double, shift), 1, 1) == pytest.approx((12, 2))
    m1, m2 = (0.9, 0.1, -0.2, 1.1, 3, 4), (1.2, -0.3, 0.4, 0.8, -5, 6)
    for x, y in [(0, 0), (7, -3), (100, 250)]:
        assert apply(compose(m1, m2), x, y) == pytest.approx(apply(m2, *apply(m1, x, y)))


@pytest.mark.parametrize("size", [(210, 297), (297, 420), (420, 297)])
@pytest.mark.parametrize("flip", ["long", "short"])
def test_calibration_back_targets_lie_behind_their_front_twins(size, flip):
    class Sheet:
        sheet_w, sheet_h = size

    front = calibration_targets(*size, "front")
    back = calibration_targets(*size, "back", flip)
    assert sorted(t.dots for t in front) == [0, 1, 2, 3, 4]
    for f, b in zip(front, back):
        assert b.dots == f.dots
        assert turned_over(Sheet, flip, b.x, b.y) == pytest.approx((f.x, f.y))
    # Not trivially so: on a perfect sheet every corner target has moved to another corner.
    assert [(t.x, t.y) for t in back[1:]] != [(t.x, t.y) for t in front[1:]]


def test_cut_and_stack_keeps_each_copy_in_one_pile_in_order():
    from nuancier_print.impose import stack_plan

    grid = card_grid(297, 420, 99, 210, 3)  # A3: 3 DL cards per side
    copies = [list(range(c * 4, c * 4 + 4)) for c in range(5)]  # 5 copies of 4 cards
    plan = stack_plan(copies, grid)
    fronts = [p for p in plan if p.side == "front"]
    piles: dict[tuple[int, int], list[int]] = {}
    for p in fronts:  # cut the pile of sheets: slot by slot, sheet after sheet
        if p.card is not None:
            batch = 0 if p.sheet <= 4 else 1
            piles.setdefault((batch, p.slot), []).append(p.card)
    assert sorted(piles[0, slot] for slot in range(3)) == copies[:3]  # 3 copies on 4 sheets, one a slot
    # the 2 copies left over would leave a slot empty on 4 more sheets: their 8 cards take 3 sheets, every
    # slot filled but the last sheet's third, and the piles one on the other give them back in order
    assert [card for slot in range(3) for card in piles[1, slot]] == copies[3] + copies[4]
    assert max(p.sheet for p in plan) == 4 + 3
    assert [p.card is None for p in fronts].count(True) == 1
    for p in plan:
        if p.side == "back" and p.card is not None:
            front = next(f for f in fronts if f.sheet == p.sheet and f.card == p.card)
            assert p.slot == back_slot(grid, front.slot, "long")
