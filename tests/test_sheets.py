"""Print sheets as written by pypdf: card sheets, saddle booklets, calibration, printer profiles.

Input PDFs are generated here with pypdf: every page has a TrimBox inside a
3 mm BleedBox and says which card (or page) it is, in CMYK. The output is read
back with pypdf: sizes, where each text landed, and which operators were used.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, DecodedStreamObject, DictionaryObject, NameObject, RectangleObject

from nuancier_print import sheets
from nuancier_print.errors import BuildError, ContentError
from nuancier_print.geometry import mm_to_pt, pt_to_mm
from nuancier_print.impose import Correction, crop_marks
from nuancier_print.pdf import DocInfo
from nuancier_print.preflight import drawn_pages, walk
from nuancier_print.sheets import load_printers

DL, A5 = (99.0, 210.0), (148.0, 210.0)
INFO = DocInfo("Essai", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "essai")


def impose_cards(deck: Path, out: Path, **options):
    """Impose a deck and write the sheets to ``out``; return what was imposed."""
    result = sheets.impose_cards(deck, INFO, **options)
    Path(out).write_bytes(result.data)
    return result


def impose_saddle(booklet: Path, out: Path, **options) -> None:
    """Impose a booklet in saddle order and write it to ``out``."""
    Path(out).write_bytes(sheets.impose_saddle(booklet, INFO, **options))


def calibration_pdf(out: Path, **options) -> None:
    """Write the calibration sheet to ``out``."""
    Path(out).write_bytes(sheets.calibration_pdf(**options))
TEXT_AT = (10.0, 20.0)  # each label starts 10 mm from the left and 20 mm from the top of the trim


def make_pdf(path: Path, labels: list[str], size=DL, bleed=3.0) -> Path:
    """Write one page per label: a CMYK tint over the bleed, a trim frame, the label near the top-left."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    w, h = size
    for i, label in enumerate(labels):
        page = writer.add_blank_page(mm_to_pt(w + 2 * bleed), mm_to_pt(h + 2 * bleed))
        page[NameObject("/TrimBox")] = RectangleObject(
            [mm_to_pt(v) for v in (bleed, bleed, bleed + w, bleed + h)])
        page[NameObject("/BleedBox")] = RectangleObject(page.mediabox)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        x, y = mm_to_pt(bleed + TEXT_AT[0]), mm_to_pt(bleed + h - TEXT_AT[1])
        content = (f"q {0.1 * (i % 5)} 0.2 0 0 k 0 0 {mm_to_pt(w + 2 * bleed)} "
                   f"{mm_to_pt(h + 2 * bleed)} re f Q "
                   f"BT 0 0 0 1 k /F1 12 Tf {x} {y} Td ({label}) Tj ET")
        stream = DecodedStreamObject()
        stream.set_data(content.encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    writer.write(path)
    return path


def make_deck(tmp_path: Path, n_cards: int = 3) -> Path:
    """Write a deck: recto then verso for each card."""
    labels = [f"card {n} {face}" for n in range(1, n_cards + 1) for face in ("recto", "verso")]
    return make_pdf(tmp_path / "deck.pdf", labels)


def labels_at(page) -> dict[str, tuple[float, float, float, float]]:
    """Return each label's box (mm, sheet axes) on a page of an output, as a viewer places it."""
    page.pdf.stream.seek(0)
    return {run.text: run.box for run in drawn_pages(page.pdf.stream.read())[page.page_number + 1].runs}


def size_mm(page) -> tuple[float, float]:
    """Return a page's MediaBox size in mm, rounded to 0.1 mm."""
    return round(pt_to_mm(float(page.mediabox.width)), 1), round(pt_to_mm(float(page.mediabox.height)), 1)


def operators(path: Path) -> set[bytes]:
    """Return every operator used anywhere in a PDF, Form XObjects included."""
    found = set()
    for page in PdfReader(path).pages:
        found |= {op.operator for op in walk(page, page.get("/Resources"))}
    return found


def page_operators(page) -> set[bytes]:
    """Return the operators of a page's own content stream (not its forms)."""
    return {op for _, op in ContentStream(page.get_contents(), page.pdf).operations}


# --- a physical model of the printed sheet, independent of the code under test -------------------


def turned_over(sheet_w: float, sheet_h: float, flip: str, x: float, y: float):
    """Return where a point printed on the back lies, seen from the front."""
    axis_vertical = (sheet_h > sheet_w) == (flip == "long")
    return (sheet_w - x, y) if axis_vertical else (x, sheet_h - y)


def centre(box):
    """Return the centre of a box (x0, y0, x1, y1)."""
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def card_under(point, slots, size=DL):
    """Return the slot (trim-box origin) containing a point, or None."""
    for x, y in slots:
        if x <= point[0] <= x + size[0] and y <= point[1] <= y + size[1]:
            return (x, y)
    return None


# --- card sheets -------------------------------------------------------------------------------------------


def test_a3_sheet_holds_three_dl_cards_front_then_back(tmp_path):
    result = impose_cards(make_deck(tmp_path), tmp_path / "sheets.pdf", sheet="A3")
    reader = PdfReader(tmp_path / "sheets.pdf")
    assert (result.n_cards, result.n_sheets, result.pages) == (3, 1, 2)
    assert len(reader.pages) == 2
    assert [size_mm(p) for p in reader.pages] == [(420.0, 297.0)] * 2
    for page in reader.pages:
        assert page.trimbox == page.mediabox and page.bleedbox == page.mediabox
    assert set(labels_at(reader.pages[0])) == {"card 1 recto", "card 2 recto", "card 3 recto"}
    assert set(labels_at(reader.pages[1])) == {"card 1 verso", "card 2 verso", "card 3 verso"}


def test_a_fourth_card_starts_a_second_sheet_with_blank_slots(tmp_path):
    impose_cards(make_deck(tmp_path, 4), tmp_path / "sheets.pdf", sheet="A3")
    reader = PdfReader(tmp_path / "sheets.pdf")
    assert len(reader.pages) == 4
    assert set(labels_at(reader.pages[2])) == {"card 4 recto"}
    assert set(labels_at(reader.pages[3])) == {"card 4 verso"}


@pytest.mark.parametrize("sheet", ["A4", "A3", "SRA3"])
@pytest.mark.parametrize("flip", ["long", "short"])
def test_every_verso_prints_behind_its_recto_and_reads_upright(tmp_path, sheet, flip):
    result = impose_cards(make_deck(tmp_path, 5), tmp_path / "sheets.pdf", sheet=sheet, flip=flip)
    reader = PdfReader(tmp_path / "sheets.pdf")
    w, h = result.grid.sheet_w, result.grid.sheet_h
    slots = result.grid.slots
    for front, back in zip(reader.pages[0::2], reader.pages[1::2]):
        fronts, backs = labels_at(front), labels_at(back)
        for label, box in backs.items():
            number = label.split()[1]
            recto_slot = card_under(centre(fronts[f"card {number} recto"]), slots)
            seen = [turned_over(w, h, flip, x, y) for x, y in (box[:2], box[2:])]
            seen_box = (min(p[0] for p in seen), min(p[1] for p in seen),
                        max(p[0] for p in seen), max(p[1] for p in seen))
            assert card_under(centre(seen_box), slots) == recto_slot, (label, flip)
            # Turn the card itself like a book page: the verso label must sit 10 mm from the
            # card's left and 20 mm from its top, as drawn; seen from the front it is mirrored.
            x0, y0 = recto_slot
            assert DL[0] - (seen_box[2] - x0) == pytest.approx(TEXT_AT[0], abs=0.01)
            assert (y0 + DL[1]) - seen_box[1] == pytest.approx(TEXT_AT[1], abs=1.0)  # baseline


def mark_segments(page, turn=None) -> set:
    """Return the page's own straight segments `m … l` (mm, rounded), seen from the front if `turn` turns it."""
    found, start = set(), None
    for operands, op in ContentStream(page.get_contents(), page.pdf).operations:
        if op == b"l" and start is not None:
            end = tuple(pt_to_mm(float(v)) for v in operands)
            ends = (turn(*start), turn(*end)) if turn else (start, end)
            found.add(tuple(sorted(tuple(round(v, 2) for v in point) for point in ends)))
        start = tuple(pt_to_mm(float(v)) for v in operands) if op == b"m" else None
    return found


@pytest.mark.parametrize("flip", ["long", "short"])
def test_crop_marks_are_in_registration_colour_on_both_sides(tmp_path, flip):
    result = impose_cards(make_deck(tmp_path), tmp_path / "sheets.pdf", sheet="A3", flip=flip)
    front, back = PdfReader(tmp_path / "sheets.pdf").pages
    for page in (front, back):
        ops = ContentStream(page.get_contents(), page.pdf).operations
        assert len([op for _, op in ops if op == b"S"]) == len(crop_marks(result.grid))
        assert [[float(v) for v in o] for o, op in ops if op == b"K"] == [[1, 1, 1, 1]]  # 100 % on every plate
    w, h = result.grid.sheet_w, result.grid.sheet_h
    behind = mark_segments(back, lambda x, y: turned_over(w, h, flip, x, y))
    assert behind == mark_segments(front)  # each mark of the back lies behind its twin on the front
    impose_cards(tmp_path / "deck.pdf", tmp_path / "bare.pdf", sheet="A3", marks=False)
    assert not any(b"S" in page_operators(p) for p in PdfReader(tmp_path / "bare.pdf").pages)


def test_the_marks_of_a_corrected_back_move_with_its_cards(tmp_path):
    deck = make_deck(tmp_path)
    impose_cards(deck, tmp_path / "plain.pdf", sheet="A3")
    impose_cards(deck, tmp_path / "moved.pdf", sheet="A3", correction=Correction(dx=2.0))
    plain, moved = (PdfReader(tmp_path / name).pages[1] for name in ("plain.pdf", "moved.pdf"))
    assert ContentStream(moved.get_contents(), moved.pdf).operations[1][1] == b"cm"  # all of the back is moved
    assert page_operators(plain) >= {b"S", b"K"}


def test_no_rgb_or_gray_operator_anywhere_in_the_output(tmp_path):
    impose_cards(make_deck(tmp_path), tmp_path / "sheets.pdf", sheet="A3")
    impose_saddle(make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 9)], A5),
                  tmp_path / "booklet.pdf")
    calibration_pdf(tmp_path / "calibration.pdf")
    for name in ("sheets.pdf", "booklet.pdf", "calibration.pdf"):
        used = operators(tmp_path / name)
        assert not used & {b"rg", b"RG", b"g", b"G"}, name
        assert used & {b"k", b"K"}, name  # the check above is not vacuous


def test_a_correction_moves_the_backs_only(tmp_path):
    deck = make_deck(tmp_path)
    impose_cards(deck, tmp_path / "plain.pdf", sheet="A3")
    impose_cards(deck, tmp_path / "moved.pdf", sheet="A3", correction=Correction(dx=2.0, dy=-1.0))
    plain, moved = PdfReader(tmp_path / "plain.pdf").pages, PdfReader(tmp_path / "moved.pdf").pages
    assert labels_at(moved[0]) == labels_at(plain[0])
    before, after = labels_at(plain[1]), labels_at(moved[1])
    for label in before:
        assert after[label][0] - before[label][0] == pytest.approx(2.0, abs=1e-3)
        assert after[label][1] - before[label][1] == pytest.approx(-1.0, abs=1e-3)


def test_faces_keep_their_bleed_inside_the_form_bbox(tmp_path):
    impose_cards(make_deck(tmp_path), tmp_path / "sheets.pdf", sheet="A3")
    page = PdfReader(tmp_path / "sheets.pdf").pages[0]
    for name, form in page["/Resources"]["/XObject"].items():
        x0, y0, x1, y1 = (pt_to_mm(float(v)) for v in form.get_object()["/BBox"])
        assert (x1 - x0, y1 - y0) == pytest.approx((DL[0] + 6, DL[1] + 6)), name


def test_decks_that_cannot_be_imposed_are_refused(tmp_path):
    make_pdf(tmp_path / "odd.pdf", ["card 1 recto", "card 1 verso", "card 2 recto"])
    with pytest.raises(BuildError, match="odd.pdf: a deck needs a recto and a verso per card, got 3"):
        impose_cards(tmp_path / "odd.pdf", tmp_path / "out.pdf")
    with pytest.raises(BuildError, match="unknown sheet 'A5'"):
        impose_cards(make_deck(tmp_path), tmp_path / "out.pdf", sheet="A5")
    with pytest.raises(BuildError, match="flip"):
        impose_cards(tmp_path / "deck.pdf", tmp_path / "out.pdf", flip="sideways")


# --- saddle-stitched booklets ---------------------------------------------------------------------------


def test_saddle_booklet_puts_two_a5_pages_per_a4_side_in_order(tmp_path):
    booklet = make_pdf(tmp_path / "booklet.pdf", [f"page {n}" for n in range(1, 9)], A5)
    impose_saddle(booklet, tmp_path / "sides.pdf")
    reader = PdfReader(tmp_path / "sides.pdf")
    assert len(reader.pages) == 4  # 8 pages / 2 per side
    assert {size_mm(p) for p in reader.pages} == {(297.0, 210.0)}
    spine = 297.0 / 2
    sides = []
    for page in reader.pages:
        assert page.trimbox == page.mediabox
        found = labels_at(page)
        assert len(found) == 2
        left = [t for t, box in found.items() if box[2] < spine]
        right = [t for t, box in found.items() if box[0] > spine]
        sides.append((int(left[0].split()[1]), int(right[0].split()[1])))
        # Trim boxes meet at the spine: the left page's trim starts 148 mm left of it.
        assert found[left[0]][0] == pytest.approx(spine - A5[0] + TEXT_AT[0], abs=0.01)
        assert found[right[0]][0] == pytest.approx(spine + TEXT_AT[0], abs=0.01)
    assert sides == [(8, 1), (2, 7), (6, 3), (4, 5)]  # the standard 8-page saddle order


def test_saddle_bleed_is_clipped_at_the_spine(tmp_path):
    impose_saddle(make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 5)], A5),
                  tmp_path / "sides.pdf")
    page = PdfReader(tmp_path / "sides.pdf").pages[0]
    clips = [operands for operands, op in ContentStream(page.get_contents(), page.pdf).operations
             if op == b"re"]
    spine_pt = mm_to_pt(297.0) / 2
    assert [float(v) for v in clips[0]] == pytest.approx([0, 0, spine_pt, mm_to_pt(210)], abs=0.01)
    assert [float(v) for v in clips[1]] == pytest.approx([spine_pt, 0, spine_pt, mm_to_pt(210)], abs=0.01)


def test_saddle_refuses_a_page_count_not_multiple_of_4(tmp_path):
    make_pdf(tmp_path / "six.pdf", [f"page {n}" for n in range(1, 7)], A5)
    with pytest.raises(BuildError, match="six.pdf: a saddle-stitched booklet needs a multiple of 4 pages, got 6"):
        impose_saddle(tmp_path / "six.pdf", tmp_path / "out.pdf")


# --- saddle-stitched booklets for the press ---------------------------------------------------------------


def impose_press(booklet: Path, out: Path, **options):
    """Impose a booklet for the press and write it to ``out``; return the reader."""
    Path(out).write_bytes(sheets.impose_saddle_press(booklet, INFO, **options))
    return PdfReader(out)


def test_press_sheets_hold_one_spread_per_side_in_saddle_order(tmp_path):
    booklet = make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 9)], A5)
    reader = impose_press(booklet, tmp_path / "press.pdf")
    assert len(reader.pages) == 4 and {size_mm(p) for p in reader.pages} == {(450.0, 320.0)}  # SRA3 landscape
    spine, order = 225.0, []
    for page in reader.pages:
        found = labels_at(page)
        left = next(t for t, box in found.items() if box[2] < spine)
        right = next(t for t, box in found.items() if box[0] > spine)
        order.append((int(left.split()[1]), int(right.split()[1])))
        # the spread is centred: each page's trim meets the spine; its label sits 10 mm inside its trim
        assert found[left][0] == pytest.approx(spine - A5[0] + TEXT_AT[0], abs=0.01)
        assert found[right][0] == pytest.approx(spine + TEXT_AT[0], abs=0.01)
    assert order == [(8, 1), (2, 7), (6, 3), (4, 5)]


def test_press_sheets_have_trim_and_bleed_boxes_around_the_spread(tmp_path):
    reader = impose_press(make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 5)], A5),
                          tmp_path / "press.pdf", sheet="A3")
    for page in reader.pages:
        trim = [pt_to_mm(float(v)) for v in page.trimbox]
        bleed = [pt_to_mm(float(v)) for v in page.bleedbox]
        assert trim == pytest.approx([62.0, 43.5, 358.0, 253.5], abs=0.01)  # 2 × 148 by 210 mm, centred on A3
        assert bleed == pytest.approx([59.0, 40.5, 361.0, 256.5], abs=0.01)  # and 3 mm more all round
        forms = page["/Resources"]["/XObject"]
        for form in forms.values():  # every page keeps its own bleed
            x0, y0, x1, y1 = (pt_to_mm(float(v)) for v in form.get_object()["/BBox"])
            assert (x1 - x0, y1 - y0) == pytest.approx((A5[0] + 6, A5[1] + 6))


def test_press_sheets_have_crop_fold_and_registration_marks_on_both_sides(tmp_path):
    reader = impose_press(make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 5)], A5),
                          tmp_path / "press.pdf")
    front, back = reader.pages
    assert mark_segments(back, lambda x, y: turned_over(450, 320, "short", x, y)) == mark_segments(front)
    ops = ContentStream(front.get_contents(), front.pdf).operations
    assert {tuple(float(v) for v in o) for o, op in ops if op == b"K"} == {(1, 1, 1, 1)}
    assert [o for o, op in ops if op == b"d"], "fold marks are dashed"
    segments = mark_segments(front)
    spine_marks = [s for s in segments if s[0][0] == s[1][0] == 225.0]
    assert len(spine_marks) == 2  # one fold mark above the spread, one below
    corner_marks = [s for s in segments if {s[0][0], s[1][0]} <= {77.0} or {s[0][1], s[1][1]} <= {55.0}]
    assert len(corner_marks) == 4  # the left trim line above and below, the bottom one left and right
    assert b"c" in page_operators(front)  # the registration targets' circles


def test_creep_moves_the_inner_sheets_pages_towards_the_spine(tmp_path):
    booklet = make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 13)], A5)
    reader = impose_press(booklet, tmp_path / "press.pdf", creep=0.8)
    spine = 225.0
    for index, expected in ((0, 0.0), (2, 0.4), (4, 0.8)):  # the fronts of sheets 1, 2, 3
        found = labels_at(reader.pages[index])
        left = next(box for box in found.values() if box[2] < spine)
        right = next(box for box in found.values() if box[0] > spine)
        assert left[0] == pytest.approx(spine - A5[0] + TEXT_AT[0] + expected, abs=0.01)
        assert right[0] == pytest.approx(spine + TEXT_AT[0] - expected, abs=0.01)


def test_press_imposition_refuses_what_it_cannot_do(tmp_path):
    booklet = make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 5)], A5)
    with pytest.raises(BuildError, match="SRA3 or A3, not 'A4'"):
        impose_press(booklet, tmp_path / "out.pdf", sheet="A4")
    with pytest.raises(BuildError, match="creep cannot be negative"):
        impose_press(booklet, tmp_path / "out.pdf", creep=-1)
    big = make_pdf(tmp_path / "big.pdf", [f"page {n}" for n in range(1, 5)], (210.0, 297.0))
    with pytest.raises(BuildError, match="does not fit on a 420×297 mm sheet"):
        impose_press(big, tmp_path / "out.pdf", sheet="A3")


# --- the die line ---------------------------------------------------------------------------------------------


def test_the_die_line_is_a_cutcontour_separation_in_a_layer_with_overprint(tmp_path):
    from nuancier_print.geometry import CardFormat

    data = sheets.finish_deck(make_deck(tmp_path).read_bytes(), INFO, CardFormat(*DL), die_line=True, corners=3)
    reader = PdfReader(BytesIO(data))
    (group,) = reader.root_object["/OCProperties"]["/OCGs"]
    for page in reader.pages:
        resources = page["/Resources"]
        (space,) = resources["/ColorSpace"].values()
        space = space.get_object()
        assert (space[0], space[1], space[2]) == ("/Separation", "/CutContour", "/DeviceCMYK")
        assert list(space[3].get_object()["/C1"]) == [0, 1, 0, 0]  # shows as magenta
        (state,) = [s for n, s in resources["/ExtGState"].items() if n == "/NPcut"]
        assert state["/OP"].value is True and state["/op"].value is True
        assert resources["/Properties"]["/NPdie"].get_object() is group.get_object()
        ops = [op for _, op in ContentStream(page.get_contents(), page.pdf).operations]
        die = ops[len(ops) - ops[::-1].index(b"BDC") - 1:]  # the last marked content: the die line
        assert die[:6] == [b"BDC", b"q", b"gs", b"CS", b"SCN", b"w"] and die[-3:] == [b"S", b"Q", b"EMC"]
        assert ops.count(b"c") >= 8  # the hole's four arcs and the four rounded corners
    # no die line unless asked, and a corner radius that cannot be is refused
    assert "/OCProperties" not in PdfReader(BytesIO(sheets.finish_deck(
        (tmp_path / "deck.pdf").read_bytes(), INFO, CardFormat(*DL)))).root_object
    with pytest.raises(BuildError, match="corner radius 40 mm"):
        sheets.finish_deck(data, INFO, CardFormat(*DL), die_line=True, corners=40)


def test_the_die_line_sits_on_the_rivet_and_follows_the_cards_onto_the_sheets(tmp_path):
    from nuancier_print.geometry import CardFormat

    fmt = CardFormat(*DL)
    (tmp_path / "die.pdf").write_bytes(sheets.finish_deck(make_deck(tmp_path).read_bytes(), INFO, fmt, die_line=True))
    page = PdfReader(tmp_path / "die.pdf").pages[0]
    ops = ContentStream(page.get_contents(), page.pdf).operations
    start = next(o for o, op in ops if op == b"m" and float(o[0]) > 0)  # the hole's rightmost point
    x0, y0, x1, y1 = (pt_to_mm(float(v)) for v in page.trimbox)
    assert pt_to_mm(float(start[0])) == pytest.approx(x0 + fmt.rivet.cx + fmt.rivet.hole_radius, abs=0.01)
    assert pt_to_mm(float(start[1])) == pytest.approx(y1 - fmt.rivet.cy, abs=0.01)
    impose_cards(tmp_path / "die.pdf", tmp_path / "sheets.pdf", sheet="A3")
    reader = PdfReader(tmp_path / "sheets.pdf")
    assert len(reader.root_object["/OCProperties"]["/OCGs"]) == 1
    for side in reader.pages:
        spaces = [form.get_object()["/Resources"]["/ColorSpace"] for form in side["/Resources"]["/XObject"].values()]
        assert spaces and all("/NPCutContour" in s for s in spaces)


# --- external tools ----------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_pdfinfo_sees_a3_landscape_sheets_with_trim_equal_to_media(tmp_path):
    impose_cards(make_deck(tmp_path), tmp_path / "sheets.pdf", sheet="A3")
    info = subprocess.run(["pdfinfo", "-box", "-f", "1", "-l", "2", str(tmp_path / "sheets.pdf")],
                          check=True, capture_output=True, text=True).stdout
    boxes = {line.split(":")[0].split()[-1]: [float(v) for v in line.split(":")[1].split()]
             for line in info.splitlines() if "Box:" in line}
    a3_landscape = pytest.approx([0, 0, mm_to_pt(420), mm_to_pt(297)], abs=0.01)
    assert boxes["MediaBox"] == a3_landscape and boxes["TrimBox"] == a3_landscape
    assert "Pages:           2" in info


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
def test_qpdf_finds_no_structural_error(tmp_path):
    impose_cards(make_deck(tmp_path), tmp_path / "sheets.pdf", sheet="SRA3", correction=Correction(rotation=0.3))
    impose_saddle(make_pdf(tmp_path / "b.pdf", [f"page {n}" for n in range(1, 5)], A5), tmp_path / "booklet.pdf")
    calibration_pdf(tmp_path / "calibration.pdf")
    for name in ("sheets.pdf", "booklet.pdf", "calibration.pdf"):
        check = subprocess.run(["qpdf", "--check", str(tmp_path / name)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No syntax or stream encoding errors found" in check.stdout


# --- calibration sheet --------------------------------------------------------------------------------------


def crosshair_centres(page) -> list[tuple[float, float]]:
    """Return the centres (mm) of the 24 mm horizontal arms drawn on a page."""
    ops = ContentStream(page.get_contents(), page.pdf).operations
    centres, start = [], None
    for operands, op in ops:
        if op == b"m":
            start = [pt_to_mm(float(v)) for v in operands]
        elif op == b"l" and start is not None:
            x1, y1 = (pt_to_mm(float(v)) for v in operands)
            if abs(y1 - start[1]) < 1e-6 and abs(abs(x1 - start[0]) - 24) < 1e-3:
                centres.append(((x1 + start[0]) / 2, y1))
    return sorted(centres)


def test_calibration_back_crosshairs_lie_behind_the_front_ones(tmp_path):
    calibration_pdf(tmp_path / "calibration.pdf")
    front, back = PdfReader(tmp_path / "calibration.pdf").pages
    assert size_mm(front) == size_mm(back) == (210.0, 297.0)
    fronts, backs = crosshair_centres(front), crosshair_centres(back)
    assert len(fronts) == len(backs) == 5
    seen = sorted(turned_over(210, 297, "long", x, y) for x, y in backs)
    for (sx, sy), (fx, fy) in zip(seen, fronts):
        assert (sx, sy) == pytest.approx((fx, fy), abs=1e-3)
    assert (105.0, 148.5) in [tuple(round(v, 3) for v in c) for c in fronts]


def test_calibration_can_show_a_printer_correction(tmp_path):
    calibration_pdf(tmp_path / "plain.pdf")
    calibration_pdf(tmp_path / "moved.pdf", correction=Correction(dx=1.5))
    plain, moved = (PdfReader(tmp_path / n).pages[1] for n in ("plain.pdf", "moved.pdf"))
    assert b"cm" not in page_operators(plain) and b"cm" in page_operators(moved)


def test_calibration_instructions_use_the_bundled_fonts_when_present(tmp_path):
    fonts = pytest.importorskip("nuancier_print.fonts")
    try:
        fonts.check_fonts()
    except BuildError:
        pytest.skip("the bundled fonts are not in fonts/ yet")
    calibration_pdf(tmp_path / "calibration.pdf")
    front = PdfReader(tmp_path / "calibration.pdf").pages[0]
    text = " ".join(front.extract_text().split())
    assert "Imprimez en recto verso bord long" in text
    assert "mesurez le décalage du verso" in text
    used = set()
    for form in front["/Resources"]["/XObject"].values():
        for font in form.get_object()["/Resources"]["/Font"].values():
            used.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert used and all(name.startswith("Inter") for name in used), used


# --- printer profiles ------------------------------------------------------------------------------------


def test_load_printers_reads_every_printer(tmp_path):
    path = tmp_path / "printers.yaml"
    path.write_text("atelier-a3:\n  dx: 0.8\n  dy: -1.2\n  rotation: 0.1\n  scale: 1.002\n"
                    "bureau:\n  dx: 1\n")
    assert load_printers(path) == {
        "atelier-a3": Correction(dx=0.8, dy=-1.2, rotation=0.1, scale=1.002),
        "bureau": Correction(dx=1.0),
    }
    path.write_text("")
    assert load_printers(path) == {}


def test_load_printers_names_file_line_and_key_for_every_bad_value(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "printers.yaml"
    path.write_text('atelier:\n  dx: deux\n  dy: 40\n  skew: 1\nbureau: 3\nlaser:\n  scale: "1.0"\n')
    with pytest.raises(ContentError) as caught:
        load_printers(path)
    assert caught.value.lines()[:-1] == [
        "printers.yaml:2:7: atelier.dx: expected a number, got the text `deux`",
        "printers.yaml:3:7: atelier.dy: 40 is outside the range -20 to 20 mm; measure again on the "
        "calibration sheet",
        "printers.yaml:4:3: atelier.skew: unknown field `skew`; the fields here are `dx`, `dy`, `rotation`, `scale`",
        "printers.yaml:5:9: bureau: expected a mapping with keys such as `dx`, `dy`, `rotation`, got the text `3`",
        "printers.yaml:7:10: laser.scale: expected a number (write it without quotes), got the text `1.0`",
    ]


def test_load_printers_reports_broken_yaml_and_missing_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "printers.yaml").write_text("atelier:\n  dx: [1\n")
    with pytest.raises(ContentError, match=r"printers.yaml:2:7: this is not valid YAML"):
        load_printers(tmp_path / "printers.yaml")
    with pytest.raises(ContentError, match="absent.yaml: this file is missing: run `nuancier calibrate`"):
        load_printers(tmp_path / "absent.yaml")


def test_printers_go_through_the_content_reader(tmp_path, monkeypatch):
    """printers.yaml is read like every content file: no alias bomb, no link out, no internal error."""
    monkeypatch.chdir(tmp_path)
    content = tmp_path / "content"
    content.mkdir()
    path = content / "printers.yaml"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9))
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(ContentError, match=r"content/printers.yaml:1:4: YAML anchors \(`&name`\) are not allowed"):
        load_printers(path)
    path.write_bytes(b"bureau:\n  dx: 1\xe9\n")
    with pytest.raises(ContentError, match=r"content/printers.yaml:2:8: this file is not UTF-8 text \(byte 0xE9\)"):
        load_printers(path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("bureau:\n  dx: mot-de-passe-secret\n", encoding="utf-8")
    path.unlink()
    path.symlink_to(secret)
    with pytest.raises(ContentError) as caught:
        load_printers(path)
    assert caught.value.lines()[0] == (f"content/printers.yaml: this file is a link to {secret}, outside the "
                                       "content folder; copy that file into the folder instead")
    assert "mot-de-passe" not in str(caught.value)


def test_a_printers_file_of_comments_only_holds_no_printer(tmp_path):
    path = tmp_path / "printers.yaml"
    path.write_text("# bureau:\n#   dx: 0.8\n", encoding="utf-8")
    assert load_printers(path) == {}


# --- end to end: a PDF/X-4 deck from WeasyPrint, finished, stays print-ready once imposed -------------------


def test_imposed_weasyprint_deck_keeps_pdfx_and_passes_preflight(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    from nuancier_print.pdf import finish
    from nuancier_print.preflight import format_report, preflight

    icc = Path(__file__).resolve().parents[1] / "layouts" / "icc" / "FOGRA39L-coated.icc"
    faces = "".join(f"<section>Carte {n // 2 + 1} {('recto', 'verso')[n % 2]}</section>" for n in range(4))
    html = (f"<style>@color-profile device-cmyk {{ src: url({icc.as_uri()}); components: c, m, y, k }}"
            "@page { size: 99mm 210mm; bleed: 3mm; margin: 10mm; background: device-cmyk(0.6 0 0.2 0) }"
            "section { break-after: page; font-family: 'DejaVu Sans'; color: device-cmyk(0 0 0 1) }"
            f"</style>{faces}")
    raw = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/x-4")
    # WeasyPrint's own PDF/X-4 is not what a print shop accepts: its output intent is not named after
    # the registry's condition, it has no title nor InstanceID, and black knocks out of the background
    assert {f.check for f in preflight(raw, kind="deck", trim=DL).errors} == {"pdfx", "metadata", "ink"}
    (tmp_path / "deck.pdf").write_bytes(finish(raw, INFO))  # as the build finishes every output
    assert preflight(tmp_path / "deck.pdf", kind="deck", trim=DL).ok
    impose_cards(tmp_path / "deck.pdf", tmp_path / "sheets.pdf", sheet="A3")
    report = preflight(tmp_path / "sheets.pdf", kind="sheets")
    assert report.ok, format_report(report)
    reader = PdfReader(tmp_path / "sheets.pdf")
    assert labels_at(reader.pages[1]).keys() == {"Carte 1 verso", "Carte 2 verso"}
    assert reader.pdf_header == PdfReader(tmp_path / "deck.pdf").pdf_header == "%PDF-1.6"
    assert reader.root_object.raw_get("/Metadata").__class__.__name__ == "IndirectObject"
    if shutil.which("qpdf"):  # an inlined metadata stream reads fine in pypdf, not in qpdf
        check = subprocess.run(["qpdf", "--check", str(tmp_path / "sheets.pdf")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_calibration_sheet_passes_preflight_as_a_pdfx_file(tmp_path):
    from nuancier_print.preflight import preflight

    calibration_pdf(tmp_path / "calibration.pdf", sheet="A3")
    report = preflight(tmp_path / "calibration.pdf", kind="sheets")
    assert report.ok, [f.message for f in report.errors]
    calibration_pdf(tmp_path / "again.pdf", sheet="A3")
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "calibration.pdf").read_bytes()
