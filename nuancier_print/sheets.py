"""Print sheets: execute the imposition plans of :mod:`nuancier_print.impose`.

Each source page becomes a Form XObject whose bounding box is its BleedBox
(so nothing beyond the bleed can show); a sheet side is then one content
stream of ``q cm Do Q`` placements, marks, and, on card backs, the printer's
duplex :class:`Correction`. Crop, fold and registration marks are in
registration colour (100 % on all four plates), on both sides of every
sheet. Everything drawn here is CMYK (``K``/``k`` operators): no RGB reaches
the press. The PDF objects are made by :mod:`.pdf`, which also finishes
every sheet file as it finishes the other outputs.

Three impositions: the deck's cards on press sheets (:func:`impose_cards`),
a booklet two pages up on A4 for office printers, without bleed nor marks
(:func:`impose_saddle`), and the same booklet one spread per side of a press
sheet, with bleed, crop, fold and registration marks and optional creep
(:func:`impose_saddle_press`). :func:`finish_deck` gives the deck its crop
marks and its die line (the rivet hole and rounded corners, in the
``CutContour`` spot colour) when asked.

Also here: the duplex calibration sheet and the printer profiles
(``content/printers.yaml``) that hold each printer's measured correction.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from . import pdf
from .errors import BuildError, relative
from .geometry import CardFormat, mm_to_pt, pt_to_mm
from .i18n import _, ngettext
from .impose import (
    FLIPS,
    FOLD_DASH,
    IDENTITY,
    TARGET_ARM,
    TARGET_RADIUS,
    Correction,
    Grid,
    Matrix,
    Placement,
    PressLayout,
    Target,
    calibration_targets,
    card_grid,
    correction_matrix,
    crop_marks,
    press_layout,
    saddle_plan,
    sheet_plan,
    stack_plan,
)
from .pdf import DocInfo

SHEETS = {"A4": (210.0, 297.0), "LETTER": (215.9, 279.4), "A3": (297.0, 420.0), "SRA3": (320.0, 450.0)}
OFFICE = {"A4", "LETTER"}  # office printers: cards without bleed, two DL per sheet, cut lines, the duplex edge said
OFFICE_MARGIN = 5.0  # mm between the sheet edge and the cards, for office sheets
OFFICE_LINE_PT = 0.1
MARK_COLOUR = pdf.REGISTRATION  # crop, fold and registration marks print on every plate
CALIBRATION_COLOUR = b"0 0 0 1 K"  # an office printer's marks (calibration, cut lines): black ink only
HAIRLINE_PT = 0.25
PRESS_SHEETS = ("SRA3", "A3")  # the sheets a booklet can be imposed on for the press
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ImposeResult:
    """What :func:`impose_cards` made: the finished PDF and its figures."""

    data: bytes
    grid: Grid
    n_cards: int
    n_sheets: int
    flip: str

    @property
    def pages(self) -> int:
        """Return the number of output pages (two sides per sheet)."""
        return 2 * self.n_sheets


# --- small PDF helpers ---------------------------------------------------------


def sheet_size(name: str) -> tuple[float, float]:
    """Return a sheet's portrait size in mm, or raise BuildError naming the known sheets."""
    try:
        return SHEETS[name.upper()]
    except KeyError:
        raise BuildError(_("unknown sheet {name!r}: use one of {sheets}").format(name=name,
                                                                                 sheets=", ".join(SHEETS))) from None


def _not_saddle(path: Path, pages: int) -> str:
    return ngettext("{file}: a saddle-stitched booklet needs a multiple of 4 pages, got {count}",
                    "{file}: a saddle-stitched booklet needs a multiple of 4 pages, got {count}", pages).format(
        file=relative(path), count=pages)


def _box(page, name: str) -> Box:
    """Return a page box in points."""
    return pdf.box_pt(page, name)


def _num(value: float) -> str:
    """Format a number for a content stream."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cm(matrix: Matrix) -> bytes:
    """Return a ``cm`` operator for a matrix."""
    return (" ".join(_num(v) for v in matrix) + " cm\n").encode()


def _draw(name: str, matrix: Matrix, clip: Box | None = None) -> bytes:
    """Return the operators that draw form ``name`` through ``matrix``, inside ``clip``."""
    ops = b"q\n"
    if clip is not None:
        x0, y0, x1, y1 = clip
        ops += f"{_num(x0)} {_num(y0)} {_num(x1 - x0)} {_num(y1 - y0)} re W n\n".encode()
    return ops + _cm(matrix) + f"/{name} Do\nQ\n".encode()


def _segments(segments_mm, width_pt: float = HAIRLINE_PT, colour: bytes = MARK_COLOUR,
              dash_mm: tuple[float, float] | None = None) -> bytes:
    """Return the operators that stroke line segments (mm), in registration colour unless told."""
    dash = f" [{_num(mm_to_pt(dash_mm[0]))} {_num(mm_to_pt(dash_mm[1]))}] 0 d" if dash_mm else ""
    ops = [b"q", colour, f"{_num(width_pt)} w 0 J{dash}".encode()]
    for x0, y0, x1, y1 in segments_mm:
        p = [_num(mm_to_pt(v)) for v in (x0, y0, x1, y1)]
        ops.append(f"{p[0]} {p[1]} m {p[2]} {p[3]} l S".encode())
    ops.append(b"Q\n")
    return b"\n".join(ops)


# --- saddle-stitched booklets -----------------------------------------------------


def _saddle_matrix(trim: Box, half: str, sheet_w_pt: float, sheet_h_pt: float) -> Matrix:
    """Return the matrix putting a page's TrimBox against the spine, centred vertically."""
    x0, y0, x1, y1 = trim
    spine = sheet_w_pt / 2
    left = spine - (x1 - x0) if half == "left" else spine
    bottom = (sheet_h_pt - (y1 - y0)) / 2
    return (1.0, 0.0, 0.0, 1.0, left - x0, bottom - y0)


def impose_saddle(booklet_pdf: Path, info: DocInfo, sheet: str = "A4") -> bytes:
    """Write a booklet's pages two up on landscape sheets, in saddle-stitch duplex order.

    Each page's TrimBox is laid against the spine in its half of the sheet; its
    bleed is kept where it fits and clipped at the spine and the sheet edge.
    Print duplex, flipping on the short edge, fold, staple.
    """
    reader = pdf.read(booklet_pdf)
    n = len(reader.pages)
    if n % 4:
        raise BuildError(_not_saddle(booklet_pdf, n))
    short, long_ = sheet_size(sheet)
    w, h = mm_to_pt(long_), mm_to_pt(short)
    writer = pdf.writer()
    forms: dict[int, object] = {}
    halves = {"left": (0.0, 0.0, w / 2, h), "right": (w / 2, 0.0, w, h)}
    for side in saddle_plan(n):
        content, xobjects = b"", {}
        for half, number in (("left", side.left), ("right", side.right)):
            page = reader.pages[number - 1]
            if number not in forms:
                forms[number] = pdf.page_form(writer, page, _box(page, "bleed"))
            name = f"P{number}"
            xobjects[name] = forms[number]
            content += _draw(name, _saddle_matrix(_box(page, "trim"), half, w, h), halves[half])
        pdf.add_sheet_side(writer, (long_, short), content, xobjects)
    return pdf.finish(writer, info)


def impose_saddle_press(booklet_pdf: Path, info: DocInfo, sheet: str = "SRA3", creep: float = 0.0) -> bytes:
    """Write a booklet one spread per side of a landscape press sheet, in saddle-stitch order.

    Each page keeps its bleed on its three outer edges (cut at the spine);
    the sheet's TrimBox and BleedBox are the spread's, and crop marks at its
    corners, dashed fold marks on the spine and two registration targets
    show them, in registration colour on both sides. ``creep`` (mm) moves
    the pages of inner sheets towards the spine (:func:`~.impose.creep_shift`).
    Print recto verso turning the sheet like a book page, fold, staple, trim.
    """
    if sheet.upper() not in PRESS_SHEETS:
        sheets = _("{one} or {other}").format(one=", ".join(PRESS_SHEETS[:-1]), other=PRESS_SHEETS[-1])
        raise BuildError(_("a booklet is imposed for the press on {sheets}, not {sheet!r}").format(sheets=sheets,
                                                                                                  sheet=sheet))
    reader = pdf.read(booklet_pdf)
    n = len(reader.pages)
    if not n or n % 4:
        raise BuildError(_not_saddle(booklet_pdf, n))
    first = reader.pages[0]
    tx0, ty0, tx1, ty1 = _box(first, "trim")
    bleed = pt_to_mm(tx0 - _box(first, "bleed")[0])
    try:
        layout = press_layout(n, *sheet_size(sheet), pt_to_mm(tx1 - tx0), pt_to_mm(ty1 - ty0), bleed, creep)
    except ValueError as error:
        raise BuildError(f"{relative(booklet_pdf)}: {error}") from None
    writer, forms = pdf.writer(), {}
    marks = _press_marks(layout)
    for side in layout.sides:
        content, xobjects = b"", {}
        for placed in side.pages:
            page = reader.pages[placed.number - 1]
            if placed.number not in forms:
                forms[placed.number] = pdf.page_form(writer, page, _box(page, "bleed"))
            name = f"P{placed.number}"
            xobjects[name] = forms[placed.number]
            x0, y0 = _box(page, "trim")[:2]
            matrix = (1.0, 0.0, 0.0, 1.0, mm_to_pt(placed.x) - x0, mm_to_pt(placed.y) - y0)
            content += _draw(name, matrix, tuple(mm_to_pt(v) for v in placed.clip))
        pdf.add_sheet_side(writer, (layout.sheet_w, layout.sheet_h), content + marks, xobjects,
                           trim_mm=layout.trim, bleed_mm=layout.bleed_box)
    return pdf.finish(writer, info)


def _press_marks(layout: PressLayout) -> bytes:
    """Return a press sheet's marks: crop marks, dashed fold marks, registration targets."""
    ops = _segments(layout.crop) + _segments(layout.folds, dash_mm=FOLD_DASH)
    for x, y in layout.targets:
        arms = [(x - TARGET_ARM, y, x + TARGET_ARM, y), (x, y - TARGET_ARM, x, y + TARGET_ARM)]
        ops += _segments(arms) + b"q " + MARK_COLOUR + f" {_num(HAIRLINE_PT)} w\n".encode()
        ops += _circle_path(x, y, TARGET_RADIUS).encode() + b" S\nQ\n"
    return ops


# --- card decks ---------------------------------------------------------------------


def _deck_format(reader, path: Path) -> tuple[float, float, float]:
    """Return the deck's trim width, height and bleed (mm), checking every page agrees."""
    if not reader.pages or len(reader.pages) % 2:
        raise BuildError(ngettext("{file}: a deck needs a recto and a verso per card, got {count} page",
                                  "{file}: a deck needs a recto and a verso per card, got {count} pages",
                                  len(reader.pages)).format(file=relative(path), count=len(reader.pages)))
    sizes = []
    for number, page in enumerate(reader.pages, 1):
        tx0, ty0, tx1, ty1 = _box(page, "trim")
        bx0, by0, bx1, by1 = _box(page, "bleed")
        bleed = min(tx0 - bx0, ty0 - by0, bx1 - tx1, by1 - ty1)
        sizes.append((number, pt_to_mm(tx1 - tx0), pt_to_mm(ty1 - ty0), max(pt_to_mm(bleed), 0.0)))
    _first, width, height, bleed = sizes[0]
    for number, w, h, _bleed in sizes:
        if abs(w - width) > 0.1 or abs(h - height) > 0.1:
            raise BuildError(_("{file}: page {number}: trim size {width:.1f}×{height:.1f} mm differs from page 1's "
                               "{first_width:.1f}×{first_height:.1f} mm").format(
                file=relative(path), number=number, width=w, height=h, first_width=width, first_height=height))
    return round(width, 2), round(height, 2), round(min(s[3] for s in sizes), 2)


def _face_matrix(trim: Box, p: Placement, grid: Grid) -> Matrix:
    """Return the matrix putting a face's TrimBox on its slot, turned by ``p.rotation``."""
    x0, y0 = trim[0], trim[1]
    sx, sy = mm_to_pt(p.x), mm_to_pt(p.y)
    if p.rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, sx + mm_to_pt(grid.card_w) + x0, sy + mm_to_pt(grid.card_h) + y0)
    return (1.0, 0.0, 0.0, 1.0, sx - x0, sy - y0)


def _card_side(writer, reader, forms, placements, grid, marks, correction, label=None) -> None:
    """Append one sheet side: its faces, its marks, its correction (backs) and, for office sheets, its label."""
    content, xobjects = b"", {}
    office = grid.bleed == 0
    for p in placements:
        if p.card is None:
            continue
        index = 2 * p.card + (0 if p.face == "recto" else 1)
        page = reader.pages[index]
        if index not in forms:  # an office sheet shows each face to its trim: no bleed to cut away
            forms[index] = pdf.page_form(writer, page, _box(page, "trim" if office else "bleed"))
        name = f"F{index + 1}"
        xobjects[name] = forms[index]
        content += _draw(name, _face_matrix(_box(page, "trim"), p, grid))
    side = placements[0].side
    if marks and office:  # an office sheet: thin black cut lines, on the side that is cut
        if side == "front":
            content += _segments(cut_lines(grid), OFFICE_LINE_PT, colour=CALIBRATION_COLOUR)
    elif marks:  # the grid is centred: the marks of a back lie behind those of its front
        content += _segments(crop_marks(grid))
    if side == "back" and correction is not None and not correction.is_identity:
        content = b"q\n" + _cm(correction_matrix(correction, grid.sheet_w, grid.sheet_h)) + content + b"Q\n"
    if label is not None and side == "front":
        xobjects["L"] = label
        content += _draw("L", IDENTITY)
    pdf.add_sheet_side(writer, (grid.sheet_w, grid.sheet_h), content, xobjects)


def is_office(sheet: str) -> bool:
    """Tell whether a sheet is an office printer's (A4, Letter) rather than a press sheet."""
    return sheet.upper() in OFFICE


def impose_cards(
    deck_pdf: Path,
    info: DocInfo,
    sheet: str = "A3",
    flip: str = "long",
    correction: Correction | None = None,
    marks: bool = True,
    copies: int = 1,
) -> ImposeResult:
    """Write a deck (recto, verso per card) as duplex sheets of cards, backs behind fronts.

    Output pages alternate front, back; ``correction`` moves the backs only.
    On a press sheet (A3, SRA3), faces keep their bleed (and their die line,
    if the deck has one) and crop marks go in the margin of both sides, the
    back's moved with its cards. On an office sheet (A4, Letter), faces are
    shown to their trim, two DL cards a sheet, with thin cut lines outside
    the cards and the duplex edge to choose printed on each front. A deck
    holding ``copies`` copies one after the other is imposed so that each
    copy's cards stay together once cut (:func:`.impose.stack_plan`).
    """
    if flip not in FLIPS:
        raise BuildError(f"flip must be 'long' or 'short', got {flip!r}")
    reader = pdf.read(deck_pdf)
    card_w, card_h, bleed = _deck_format(reader, deck_pdf)
    office = is_office(sheet)
    try:
        grid = (card_grid(*sheet_size(sheet), card_w, card_h, 0.0, margin=OFFICE_MARGIN) if office
                else card_grid(*sheet_size(sheet), card_w, card_h, bleed))
    except ValueError as error:
        raise BuildError(f"{relative(deck_pdf)}: {error}") from None
    n_cards = len(reader.pages) // 2
    if copies > 1:
        per_copy = n_cards // copies
        plan = stack_plan([list(range(c * per_copy, (c + 1) * per_copy)) for c in range(copies)], grid, flip)
    else:
        plan = sheet_plan(n_cards, grid, flip)
    writer, forms = pdf.writer(), {}
    label = _office_label(writer, grid, flip) if office else None
    for _where, side in itertools.groupby(plan, key=lambda p: (p.sheet, p.side)):
        _card_side(writer, reader, forms, list(side), grid, marks, correction, label)
    pdf.add_outline(writer, sheet_bookmarks(pdf.outline(reader), plan))
    n_sheets = len(writer.pages) // 2
    return ImposeResult(pdf.finish(writer, info), grid, n_cards, n_sheets, flip)


def sheet_bookmarks(bookmarks: list[tuple[int, int, str]], plan: list) -> list[tuple[int, int, str]]:
    """Return a deck's bookmarks (level, deck page index, title) pointing at the sheet side that holds that face."""
    sides = {2 * p.card + (p.face == "verso"): 2 * (p.sheet - 1) + (p.side == "back") for p in plan
             if p.card is not None}  # deck page index (recto, verso per card) -> sheet page index
    return [(level, sides[page], title) for level, page, title in bookmarks if page in sides]


def cut_lines(grid) -> list:
    """Return the cut lines of an office sheet: every trim line, outside the cards, to the sheet's edge."""
    x0, y0, x1, y1 = grid.block()
    xs = sorted({x for x, _ in grid.slots} | {x + grid.card_w for x, _ in grid.slots})
    ys = sorted({y for _, y in grid.slots} | {y + grid.card_h for _, y in grid.slots})
    gap = 1.0
    lines = [(x, 0.0, x, y0 - gap) for x in xs] + [(x, y1 + gap, x, grid.sheet_h) for x in xs]
    lines += [(0.0, y, x0 - gap, y) for y in ys] + [(x1 + gap, y, grid.sheet_w, y) for y in ys]
    return [line for line in lines if abs(line[2] - line[0]) + abs(line[3] - line[1]) > 0.5]


def _office_label(writer, grid, flip: str):
    """Return a Form XObject saying how to print an office sheet, in the margin below the cards."""
    edge = "bord long" if flip == "long" else "bord court"
    text = (f"Imprimer en recto verso, retournement sur le {edge}, à 100 % (sans « ajuster à la page »). "
            "Couper aux traits.")
    return _text_form(writer, text, grid.sheet_w, grid.sheet_h, bottom=max(2.0, grid.block()[1] / 2 - 3))


# --- the deck's marks and die line ---------------------------------------------------------


def finish_deck(data: bytes, info: DocInfo, fmt: CardFormat, *, marks: bool = False, die_line: bool = False,
                corners: float = 0.0) -> bytes:
    """Return the deck finished, with crop marks and a die line on every face when asked.

    The die line is the rivet hole and, with ``corners`` (mm), the card's
    outline with rounded corners, in the ``CutContour`` spot colour
    (:func:`~.pdf.add_die_line`): a print shop drills and die-cuts from it.
    """
    if corners < 0 or corners > min(fmt.width, fmt.height) / 4:
        raise BuildError(_("corner radius {radius:g} mm: give 0 (square corners) to {most:g} mm").format(
            radius=corners, most=min(fmt.width, fmt.height) / 4))
    if not (marks or die_line):
        return pdf.finish(data, info)
    target = pdf.clone(data)
    for page in target.pages:
        if die_line:
            pdf.add_die_line(target, page, die_path(_box(page, "trim"), fmt, corners))
        if marks:
            pdf.add_crop_marks(target, page, fmt.bleed)
    return pdf.finish(target, info)


def die_path(trim_pt: Box, fmt: CardFormat, corners: float) -> bytes:
    """Return the die line of a face whose TrimBox is ``trim_pt``: the rivet hole, and the rounded outline."""
    x0, y0, x1, y1 = (pt_to_mm(v) for v in trim_pt)
    rivet = fmt.rivet
    path = _circle_path(x0 + rivet.cx, y1 - rivet.cy, rivet.hole_radius)
    if corners > 0:
        path += " " + _rounded_rect_path((x0, y0, x1, y1), corners)
    return path.encode()


def _rounded_rect_path(box_mm: Box, radius: float) -> str:
    """Return a closed rectangle (mm) with rounded corners, in points, clockwise from the bottom edge."""
    x0, y0, x1, y1 = (mm_to_pt(v) for v in box_mm)
    r, k = mm_to_pt(radius), mm_to_pt(radius) * (1 - 0.5523)
    p = _num
    return (f"{p(x0 + r)} {p(y0)} m {p(x1 - r)} {p(y0)} l "
            f"{p(x1 - k)} {p(y0)} {p(x1)} {p(y0 + k)} {p(x1)} {p(y0 + r)} c {p(x1)} {p(y1 - r)} l "
            f"{p(x1)} {p(y1 - k)} {p(x1 - k)} {p(y1)} {p(x1 - r)} {p(y1)} c {p(x0 + r)} {p(y1)} l "
            f"{p(x0 + k)} {p(y1)} {p(x0)} {p(y1 - k)} {p(x0)} {p(y1 - r)} c {p(x0)} {p(y0 + r)} l "
            f"{p(x0)} {p(y0 + k)} {p(x0 + k)} {p(y0)} {p(x0 + r)} {p(y0)} c h")


# --- calibration sheet ------------------------------------------------------------------

CALIBRATION_TEXT = (
    "Calibrage recto verso. Imprimez en recto verso bord long, à 100 % (sans « ajuster "
    "à la page »), regardez par transparence, côté verso face à vous, mesurez le décalage "
    "du verso : chaque croix du verso doit recouvrir la croix du recto qui a le même nombre "
    "de points. Avec les réglettes, relevez de combien il faut déplacer la croix du verso "
    "(en mm, positif vers la droite et vers le haut) pour qu'elle recouvre celle du recto. "
    "Si le décalage change d'un coin à l'autre, le verso est aussi tourné (rotation, en "
    "degrés) ou agrandi (scale). Reportez dx, dy, rotation et scale de cette imprimante "
    "dans content/printers.yaml, puis imprimez à nouveau cette page pour vérifier."
)


def _circle_path(cx: float, cy: float, r: float) -> str:
    """Return a closed circle (centre and radius in mm) as four Bézier arcs, in points."""
    x, y, r_, k_ = (mm_to_pt(v) for v in (cx, cy, r, 0.5523 * r))
    return (f"{_num(x + r_)} {_num(y)} m "
            f"{_num(x + r_)} {_num(y + k_)} {_num(x + k_)} {_num(y + r_)} {_num(x)} {_num(y + r_)} c "
            f"{_num(x - k_)} {_num(y + r_)} {_num(x - r_)} {_num(y + k_)} {_num(x - r_)} {_num(y)} c "
            f"{_num(x - r_)} {_num(y - k_)} {_num(x - k_)} {_num(y - r_)} {_num(x)} {_num(y - r_)} c "
            f"{_num(x + k_)} {_num(y - r_)} {_num(x + r_)} {_num(y - k_)} {_num(x + r_)} {_num(y)} c h")


def _circle(cx: float, cy: float, r: float) -> bytes:
    """Return a stroked circle (mm) in black ink, for the calibration sheet."""
    path = _circle_path(cx, cy, r) + " S\n"
    return b"q " + CALIBRATION_COLOUR + f" {_num(HAIRLINE_PT)} w\n".encode() + path.encode() + b"Q\n"


def _dots(t: Target) -> bytes:
    """Return the identification dots of a target: small black squares right of its centre."""
    ops = b"q 0 0 0 1 k\n"
    for n in range(t.dots):
        x, y = mm_to_pt(t.x + 4 + 2 * n), mm_to_pt(t.y + 3)
        ops += f"{_num(x)} {_num(y)} {_num(mm_to_pt(1))} {_num(mm_to_pt(1))} re f\n".encode()
    return ops + b"Q\n"


def _scale_ticks(t: Target, reach: float = 10.0) -> list:
    """Return mm ticks along both arms of a target, for measuring against it."""
    ticks = []
    for i in range(-int(reach), int(reach) + 1):
        if i == 0:
            continue
        size = 1.5 if i % 5 else 3.0
        ticks.append((t.x + i, t.y - size / 2, t.x + i, t.y + size / 2))
        ticks.append((t.x - size / 2, t.y + i, t.x + size / 2, t.y + i))
    return ticks


def _target(t: Target, ticks: bool) -> bytes:
    """Return a crosshair with its circle, its dots and, if asked, its mm scale."""
    arms = [(t.x - 12, t.y, t.x + 12, t.y), (t.x, t.y - 12, t.x, t.y + 12)]
    ops = _segments(arms + (_scale_ticks(t) if ticks else []), colour=CALIBRATION_COLOUR) + _circle(t.x, t.y, 3.0)
    return ops + _dots(t)


def _edge_rulers(w: float, h: float) -> bytes:
    """Return mm rulers along the four sheet edges, measured from the bottom-left corner."""
    ticks = []
    for i in range(1, int(w)):
        size = 5.0 if i % 10 == 0 else 3.0 if i % 5 == 0 else 1.5
        ticks += [(i, 0, i, size), (i, h, i, h - size)]
    for i in range(1, int(h)):
        size = 5.0 if i % 10 == 0 else 3.0 if i % 5 == 0 else 1.5
        ticks += [(0, i, size, i), (w, i, w - size, i)]
    return _segments(ticks, width_pt=0.2, colour=CALIBRATION_COLOUR)


def _instruction_form(writer, w: float, h: float):
    """Return a Form XObject with the calibration sheet's French instructions, or None without the fonts."""
    return _text_form(writer, CALIBRATION_TEXT, w, h, top=h / 2 + 20, side=40.0)


def _text_form(writer, text: str, w: float, h: float, *, top: float | None = None, bottom: float | None = None,
               side: float = 15.0):
    """Return a Form XObject of a ``w`` × ``h`` mm page holding ``text``, or None without the bundled fonts.

    The text is set by the engine with the fonts of the repository's
    ``fonts/`` folder only, in black ink (``device-cmyk``); it never falls
    back to a system font. It starts ``top`` mm below the page's top, or
    ends ``bottom`` mm above its bottom.
    """
    from markupsafe import escape

    from . import fonts

    try:
        fonts.check_fonts()
    except BuildError:
        return None
    from .engine import Engine

    engine = Engine()
    margin = f"{top}mm {side}mm 0 {side}mm" if top is not None else f"0 {side}mm {bottom}mm {side}mm"
    align = "" if top is not None else "display: flex; flex-direction: column; justify-content: flex-end; "
    css = engine.stylesheet(
        f"@page {{ size: {w}mm {h}mm; margin: {margin} }}"
        f" html, body {{ height: 100% }} body {{ {align}margin: 0; font-family: '{fonts.TEXT_FAMILY}';"
        " font-size: 8pt; line-height: 1.35; color: device-cmyk(0 0 0 1) }", "sheet text")
    document = engine.layout(f"<p>{escape(text)}</p>", css, "sheet text")
    page = pdf.read(engine.write([document], "sheet text")).pages[0]
    return pdf.page_form(writer, page, _box(page, "media"))


def calibration_pdf(sheet: str = "A4", correction: Correction | None = None) -> bytes:
    """Write the two-sided duplex calibration sheet (portrait, long-edge flip).

    Front: crosshairs at the centre and near each corner, mm rulers along the
    edges and the instructions. Back: the same crosshairs at the points behind
    them, each with a mm scale. A ``correction`` moves the back, to check a profile.
    """
    w, h = sheet_size(sheet)
    writer = pdf.writer()
    front = _edge_rulers(w, h) + b"".join(_target(t, False) for t in calibration_targets(w, h, "front"))
    text = _instruction_form(writer, w, h)
    xobjects = {"T": text} if text is not None else {}
    if text is not None:
        front += _draw("T", IDENTITY)
    pdf.add_sheet_side(writer, (w, h), front, xobjects)
    back = b"".join(_target(t, True) for t in calibration_targets(w, h, "back"))
    if correction is not None and not correction.is_identity:
        back = b"q\n" + _cm(correction_matrix(correction, w, h)) + back + b"Q\n"
    pdf.add_sheet_side(writer, (w, h), back, {})
    return pdf.finish(writer, _calibration_info(sheet, correction))


def _calibration_info(sheet: str, correction: Correction | None) -> DocInfo:
    """Describe the calibration sheet, a PDF/X-4 file like every other output.

    Its date is ``SOURCE_DATE_EPOCH`` when set, else the date its design last
    changed: the sheet does not depend on the content.
    """
    import datetime as dt

    from .edition import epoch_override

    epoch = epoch_override()
    date = (dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch is not None
            else dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    return DocInfo(f"Feuille de calibration recto verso, {sheet}", date, f"calibration|{sheet}|{correction}",
                   purpose="Imprimer recto verso à 100 %, bord long ; regarder par transparence.")


# --- printer profiles -------------------------------------------------------------------

def load_printers(path: Path) -> dict[str, Correction]:
    """Read ``printers.yaml``: printer name → duplex correction (dx, dy mm; rotation °; scale).

    The file is read like every content file (:func:`.content.load_printers`):
    every problem is reported at once as a :class:`ContentError` naming the
    file, the line and the ``printer.key`` at fault.
    """
    from .content import load_printers as load_profiles

    return {name: Correction(dx=float(p.dx), dy=float(p.dy), rotation=float(p.rotation), scale=float(p.scale))
            for name, p in load_profiles(Path(path)).items()}
