"""Preflight: one good and one deliberately broken PDF per check.

Good files are rendered by WeasyPrint as PDF/X-4 with the FOGRA39 profile as
``device-cmyk`` output intent (DejaVu from the machine is fine here: only the
checks are under test). Broken files either change one thing in the HTML or
are built, or edited, with pypdf.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
)
from weasyprint import HTML

from nuancier_print.errors import BuildError
from nuancier_print.geometry import Rivet
from nuancier_print.pdf import DocInfo, finish
from nuancier_print.preflight import drawn_pages, effective_dpi, format_report, preflight

ROOT = Path(__file__).resolve().parents[1]
ICC = ROOT / "layouts" / "icc" / "FOGRA39L-coated.icc"
DL = (99.0, 210.0)
INFO = DocInfo("Carte d'essai", dt.datetime(2026, 11, 27, tzinfo=dt.UTC), "essai")


def render(tmp_path: Path, body: str, *, css: str = "", name: str = "face.pdf",
           size=DL, bleed: float = 3.0, pdfx: bool = True) -> Path:
    """Render one card face with WeasyPrint; unless pdfx=False, finished as the build finishes its outputs.

    WeasyPrint's own PDF/X-4 lacks what a print shop checks (a registry name for
    the output intent, a title, an InstanceID); :func:`pdf.finish` adds them.
    """
    profile = (f"@color-profile device-cmyk {{ src: url({ICC.as_uri()}); "
               f"components: c, m, y, k }}" if pdfx else "")
    html = f"""<style>{profile}
      @page {{ size: {size[0]}mm {size[1]}mm; bleed: {bleed}mm; margin: 0;
               background: device-cmyk(0.1 0 0.3 0) }}
      body {{ margin: 0; font-family: 'DejaVu Sans'; font-size: 8pt;
              color: device-cmyk(0 0 0 1) }}
      .at {{ position: absolute; white-space: nowrap }}
      {css}</style>{body}"""
    out = tmp_path / name
    kwargs = {"pdf_variant": "pdf/x-4"} if pdfx else {}
    data = HTML(string=html).write_pdf(**kwargs)
    out.write_bytes(finish(data, INFO) if pdfx else data)
    return out


GOOD_TEXT = '<div class="at" style="left: 10mm; top: 20mm">Participation citoyenne</div>'


def checks(report, severity: str = "errors") -> set[str]:
    """Return the names of the checks that found something."""
    return {f.check for f in getattr(report, severity)}


def messages(report) -> str:
    """Return all findings as one string, for matching."""
    return "\n".join(format_report(report))


# --- a good file passes every check ---------------------------------------------------


def test_a_good_pdfx_card_passes_every_check(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT)
    report = preflight(pdf, kind="deck", trim=DL)
    assert report.ok, messages(report)
    assert report.errors == [] and report.warnings == []
    assert format_report(report)[-1] == f"{pdf}: 0 errors, 0 warnings: ready for print"


def test_a_file_is_checked_the_same_from_its_bytes_or_its_path(tmp_path):
    # The CLI checks files; the build checks the bytes it is about to publish.
    path = render(tmp_path, GOOD_TEXT + '<div class="at" style="left: 1mm; top: 1mm; color: rgb(255, 0, 0)">RVB</div>',
                  pdfx=False)
    from_bytes = preflight(path.read_bytes(), kind="deck", trim=DL)
    from_path = preflight(path, kind="deck", trim=DL)
    from_bytes.path = from_path.path
    assert from_bytes.errors and format_report(from_path) == format_report(from_bytes)


def test_report_to_json_lists_findings(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT, pdfx=False)
    data = json.loads(preflight(pdf, kind="deck").to_json())
    assert data["ok"] is False and data["kind"] == "deck"
    # not finished: no PDF/X intent, metadata that disagree, black text knocking out of the page's tint
    assert {e["check"] for e in data["errors"]} == {"pdfx", "metadata", "ink"}
    assert all(set(e) == {"check", "page", "message"} for e in data["errors"])


def test_unknown_kind_and_unreadable_file_are_refused(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        preflight(tmp_path / "x.pdf", kind="poster")
    (tmp_path / "broken.pdf").write_bytes(b"not a pdf")
    with pytest.raises(BuildError, match="broken.pdf: cannot read"):
        preflight(tmp_path / "broken.pdf", kind="deck")


# --- PDF/X identification ----------------------------------------------------------------


def test_missing_pdfx_identification_and_output_intent(tmp_path):
    report = preflight(render(tmp_path, GOOD_TEXT, pdfx=False), kind="deck")
    text = messages(report)
    assert "does not declare pdfxid:GTS_PDFXVersion PDF/X-4" in text
    assert "no /OutputIntents entry with /S /GTS_PDFX" in text


def test_an_rgb_output_profile_is_refused(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT)
    writer = PdfWriter(clone_from=pdf)
    intent = writer.root_object["/OutputIntents"][0].get_object()
    intent["/DestOutputProfile"].get_object()[NameObject("/N")] = NumberObject(3)
    writer.write(tmp_path / "rgb-intent.pdf")
    report = preflight(tmp_path / "rgb-intent.pdf", kind="deck")
    pdfx = [f.message for f in report.errors if f.check == "pdfx"]
    assert pdfx == ["the PDF/X output intent has no CMYK (N=4) /DestOutputProfile (N=3)"]


# --- boxes ---------------------------------------------------------------------------------


def test_missing_trimbox_is_an_error(tmp_path):
    writer = PdfWriter(clone_from=render(tmp_path, GOOD_TEXT))
    del writer.pages[0]["/TrimBox"]
    writer.write(tmp_path / "no-trim.pdf")
    report = preflight(tmp_path / "no-trim.pdf", kind="deck")
    assert [(f.check, f.page, f.message) for f in report.errors if f.check == "boxes"] == [
        ("boxes", 1, "no TrimBox")]


def test_wrong_bleed_is_reported_per_side(tmp_path):
    report = preflight(render(tmp_path, GOOD_TEXT, bleed=2), kind="deck", trim=DL)
    assert checks(report) == {"boxes"}
    assert "bleed is 2.0 mm on the left (expected 3 mm)" in messages(report)
    assert len(report.errors) == 4


def test_trim_size_must_match_exactly_not_rotated(tmp_path):
    report = preflight(render(tmp_path, GOOD_TEXT), kind="deck", trim=(210, 99))
    assert [f.message for f in report.errors] == ["trim size is 99.0×210.0 mm (expected 210×99 mm)"]
    assert preflight(render(tmp_path, GOOD_TEXT), kind="deck", trim=DL).ok


# --- colour ----------------------------------------------------------------------------------


def test_rgb_text_is_an_error(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT, css=".at { color: rgb(255, 0, 0) }")
    report = preflight(pdf, kind="deck")
    assert checks(report) == {"colour"}
    assert "RGB colour: `rg` operator in the page content" in messages(report)


def blank_writer(size_pt=(200, 200)) -> tuple[PdfWriter, object]:
    """Return a writer with one blank page, with TrimBox and BleedBox set."""
    writer = PdfWriter()
    page = writer.add_blank_page(*size_pt)
    for box in ("/TrimBox", "/BleedBox"):
        page[NameObject(box)] = RectangleObject((0, 0, *size_pt))
    return writer, page


def stream(writer, data: bytes, **entries):
    """Add a stream object with these dictionary entries."""
    obj = DecodedStreamObject()
    obj.set_data(data)
    for key, value in entries.items():
        obj[NameObject(f"/{key}")] = value
    return writer._add_object(obj)


def set_page(writer, page, content: bytes, resources: dict) -> None:
    """Give a page its content and resources."""
    page[NameObject("/Contents")] = stream(writer, content)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject(k): DictionaryObject(v) for k, v in resources.items()})


def form(writer, content: bytes, resources: dict | None = None, **entries):
    """Add a Form XObject."""
    res = DictionaryObject({NameObject(k): DictionaryObject(v) for k, v in (resources or {}).items()})
    return stream(writer, content, Type=NameObject("/XObject"), Subtype=NameObject("/Form"),
                  BBox=ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100),
                                    NumberObject(100)]), Resources=res, **entries)


def test_rgb_inside_a_form_and_an_rgb_group_are_found(tmp_path):
    writer, page = blank_writer()
    group = DictionaryObject({NameObject("/S"): NameObject("/Transparency"),
                              NameObject("/CS"): NameObject("/DeviceRGB")})
    fx = form(writer, b"0 0 0 1 k 1 0 0 RG 0 0 10 10 re B", Group=group)
    set_page(writer, page, b"q /Fx Do Q", {"/XObject": {NameObject("/Fx"): fx}})
    writer.write(tmp_path / "form.pdf")
    text = messages(preflight(tmp_path / "form.pdf", kind="sheets"))
    assert "`RG` operator in the form /Fx" in text
    assert "form /Fx has an RGB transparency group" in text


def test_scn_in_an_icc_rgb_space_and_rgb_images_are_found(tmp_path):
    writer, page = blank_writer()
    icc3 = stream(writer, b"fake profile", N=NumberObject(3))
    image = stream(writer, bytes(4 * 4 * 3), Type=NameObject("/XObject"),
                   Subtype=NameObject("/Image"), Width=NumberObject(4), Height=NumberObject(4),
                   ColorSpace=NameObject("/DeviceRGB"), BitsPerComponent=NumberObject(8))
    set_page(writer, page, b"/C0 cs 1 0 0 scn 0 0 5 5 re f q 1 0 0 1 0 0 cm /Im0 Do Q", {
        "/ColorSpace": {NameObject("/C0"): ArrayObject([NameObject("/ICCBased"), icc3])},
        "/XObject": {NameObject("/Im0"): image},
    })
    writer.write(tmp_path / "icc.pdf")
    text = messages(preflight(tmp_path / "icc.pdf", kind="sheets"))
    assert "`scn` in an RGB colour space in the page content" in text
    assert "colour space /C0 is RGB" in text
    assert "image /Im0 is RGB" in text


def test_rgb_shadings_are_found_directly_and_through_patterns(tmp_path):
    writer, page = blank_writer()

    def shading():
        return writer._add_object(DictionaryObject({
            NameObject("/ShadingType"): NumberObject(2),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/Coords"): ArrayObject([NumberObject(v) for v in (0, 0, 100, 0)])}))

    pattern = writer._add_object(DictionaryObject({
        NameObject("/PatternType"): NumberObject(2), NameObject("/Shading"): shading()}))
    set_page(writer, page, b"/Sh0 sh", {"/Shading": {NameObject("/Sh0"): shading()},
                                        "/Pattern": {NameObject("/P0"): pattern}})
    writer.write(tmp_path / "shading.pdf")
    text = messages(preflight(tmp_path / "shading.pdf", kind="sheets"))
    assert "shading /Sh0 is RGB" in text
    assert "pattern /P0 has an RGB shading" in text


def test_cmyk_and_gray_content_is_not_rgb(tmp_path):
    writer, page = blank_writer()
    icc4 = stream(writer, b"fake profile", N=NumberObject(4))
    set_page(writer, page, b"0 0 0 1 K 0 1 0 0 k /C0 cs 0 0 0 1 scn 0.5 g 0 0 5 5 re B", {
        "/ColorSpace": {NameObject("/C0"): ArrayObject([NameObject("/ICCBased"), icc4])}})
    writer.write(tmp_path / "cmyk.pdf")
    assert "colour" not in checks(preflight(tmp_path / "cmyk.pdf", kind="sheets"))


# --- fonts -----------------------------------------------------------------------------------------


def test_an_unembedded_type1_font_is_an_error(tmp_path):
    writer, page = blank_writer()
    helvetica = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    set_page(writer, page, b"BT 0 0 0 1 k /F1 12 Tf 20 100 Td (Bonjour) Tj ET",
             {"/Font": {NameObject("/F1"): helvetica}})
    writer.write(tmp_path / "helvetica.pdf")
    report = preflight(tmp_path / "helvetica.pdf", kind="sheets")
    assert [(f.check, f.page, f.message) for f in report.errors if f.check == "fonts"] == [
        ("fonts", 1, "font Helvetica is not embedded")]


def test_weasyprint_fonts_are_embedded_type0_descendants(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT)
    font = next(iter(PdfReader(pdf).pages[0]["/Resources"]["/Font"].values())).get_object()
    assert font["/Subtype"] == "/Type0"  # so the descendant-font path is the one exercised
    assert "fonts" not in checks(preflight(pdf, kind="deck"))


# --- images -----------------------------------------------------------------------------------------


def gray_image(writer, px: int):
    """Add a px × px DeviceGray image."""
    return stream(writer, bytes(px * px), Type=NameObject("/XObject"), Subtype=NameObject("/Image"),
                  Width=NumberObject(px), Height=NumberObject(px),
                  ColorSpace=NameObject("/DeviceGray"), BitsPerComponent=NumberObject(8))


@pytest.mark.parametrize("px, severity", [(100, "errors"), (200, "warnings"), (400, None)])
def test_image_resolution_thresholds(tmp_path, px, severity):
    writer, page = blank_writer()
    # Each image is drawn one inch square, so its dpi is its pixel count.
    set_page(writer, page, b"q 72 0 0 72 10 10 cm /Im0 Do Q",
             {"/XObject": {NameObject("/Im0"): gray_image(writer, px)}})
    writer.write(tmp_path / "img.pdf")
    report = preflight(tmp_path / "img.pdf", kind="sheets")
    found = {"errors": checks(report), "warnings": checks(report, "warnings")}
    for kind in ("errors", "warnings"):
        assert ("images" in found[kind]) == (kind == severity)
    if severity == "errors":
        assert "image 1 is 100 dpi as placed (100×100 px over 25.4×25.4 mm), below the " \
               "150 dpi minimum" in messages(report)


def test_image_resolution_counts_the_form_matrix_and_the_ctm(tmp_path):
    writer, page = blank_writer()
    # 100 px drawn at half an inch (CTM 0.5 × form /Matrix 72) is 200 dpi: a warning only.
    fx = form(writer, b"q 72 0 0 72 0 0 cm /Im0 Do Q",
              {"/XObject": {NameObject("/Im0"): gray_image(writer, 100)}})
    set_page(writer, page, b"q 0.5 0 0 0.5 0 0 cm /Fx Do Q", {"/XObject": {NameObject("/Fx"): fx}})
    writer.write(tmp_path / "form-img.pdf")
    report = preflight(tmp_path / "form-img.pdf", kind="sheets")
    assert "images" not in checks(report)
    assert [f.message for f in report.warnings] == [
        "image 1 is 200 dpi as placed (100×100 px over 12.7×12.7 mm), below the 300 dpi wanted"]


def test_effective_dpi_of_a_rotated_placement():
    dpi, w, h = effective_dpi(300, 600, (0, 72, -144, 0, 0, 0))  # quarter turn
    assert dpi == pytest.approx(300) and (w, h) == pytest.approx((25.4, 50.8))


# --- booklets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_pages, ok", [(6, False), (8, True)])
def test_booklet_page_count_must_be_a_multiple_of_4(tmp_path, n_pages, ok):
    writer = PdfWriter()
    for _ in range(n_pages):
        page = writer.add_blank_page(420, 595)
        for box in ("/TrimBox", "/BleedBox"):
            page[NameObject(box)] = RectangleObject((0, 0, 420, 595))
    writer.write(tmp_path / "booklet.pdf")
    report = preflight(tmp_path / "booklet.pdf", kind="booklet", bleed=0)
    assert ("pages" in checks(report)) is not ok
    if not ok:
        assert "6 pages: a saddle-stitched booklet needs a multiple of 4" in messages(report)


# --- text geometry -----------------------------------------------------------------------------------


def test_text_in_the_rivet_keepout_is_an_error(tmp_path):
    # The DL rivet is centred 10 mm above the bottom edge: (49.5, 200) from the top-left.
    pdf = render(tmp_path, '<div class="at" style="left: 44mm; top: 197mm">Rivet</div>')
    report = preflight(pdf, kind="deck", trim=DL)
    assert [f.message for f in report.errors] == ["text in the rivet keep-out: “Rivet”"]


def test_an_explicit_rivet_moves_the_keepout(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT)  # text at (10, 20) mm from the top-left
    assert preflight(pdf, kind="deck", rivet=Rivet(cx=15, cy=22)).errors[0].message == (
        "text in the rivet keep-out: “Participation citoyenne”")


def test_text_too_close_to_the_trim_edge_is_an_error(tmp_path):
    pdf = render(tmp_path, '<div class="at" style="left: 1mm; top: 50mm">Bord</div>')
    report = preflight(pdf, kind="deck")
    assert checks(report) == {"geometry"}
    (finding,) = report.errors
    assert finding.message.startswith("text 1.0 mm from the trim edge (safe zone 3 mm)")


LONG_LINE = "Participation citoyenne et action publique"  # 50-60 mm long at 8 pt
QUOTE = "“Participation citoyenne et act…”"


def long_line_width(tmp_path: Path) -> float:
    """Return the measured length (mm) of LONG_LINE, whichever font Fontconfig picked."""
    pdf = render(tmp_path, f'<div class="at" style="left: 10mm; top: 50mm">{LONG_LINE}</div>',
                 name="measure.pdf")
    runs = drawn_pages(pdf)[1].runs  # their boxes are checked against poppler below
    return runs[-1].box[2] - runs[0].box[0]


@pytest.mark.parametrize("margin, expected", [
    (5.0, None),
    (2.0, f"text 2.0 mm from the trim edge (safe zone 3 mm): {QUOTE}"),
    (-8.0, f"text crosses the trim edge by 8.0 mm: {QUOTE}"),
])
def test_the_end_of_a_run_counts_for_the_safe_zone(tmp_path, margin, expected):
    # Every run starts well inside (left >= 30 mm): only its width brings it near the right edge.
    left = DL[0] - margin - long_line_width(tmp_path)
    assert left > 30
    pdf = render(tmp_path, f'<div class="at" style="left: {left:.3f}mm; top: 50mm">{LONG_LINE}</div>')
    report = preflight(pdf, kind="deck")
    if expected is None:
        assert report.ok, messages(report)
    else:
        assert [f.message for f in report.errors] == [expected]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_text_run_boxes_agree_with_poppler(tmp_path):
    pdf = render(tmp_path, f'<div class="at" style="left: 20mm; top: 50mm">{LONG_LINE}</div>')
    runs = drawn_pages(pdf)[1].runs
    start, end = runs[0].box[0], runs[-1].box[2]
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    line = re.search(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', xml)
    # Poppler measures from the top-left of the CropBox, which starts 3 mm (the bleed) left of the trim.
    x_min, x_max = (float(v) * 25.4 / 72 - 3.0 for v in line.groups())
    assert (start, end) == pytest.approx((x_min, x_max), abs=0.3)
    assert end - start > 50  # the width really is measured, not guessed from the start
    assert [r.text for r in runs] == [LONG_LINE]


def test_text_below_the_minimum_size_is_an_error(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT, css=".at { font-size: 5.9pt }")
    report = preflight(pdf, kind="deck")
    assert [f.message for f in report.errors] == [
        "text at 5.9 pt is below the 6.5 pt minimum: “Participation citoyenne”"]
    assert preflight(render(tmp_path, GOOD_TEXT, css=".at { font-size: 6.5pt }"), kind="deck").ok


def test_format_report_names_file_and_page(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT, css=".at { font-size: 5.9pt }")
    lines = format_report(preflight(pdf, kind="deck"))
    assert lines == [
        f"{pdf}: page 1: text at 5.9 pt is below the 6.5 pt minimum: “Participation citoyenne”",
        f"{pdf}: 1 error, 0 warnings: not ready for print",
    ]


def test_text_runs_inside_forms_are_placed_in_page_coordinates(tmp_path):
    writer, page = blank_writer((300, 300))
    helvetica = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    fx = form(writer, b"BT /F1 10 Tf 5 7 Td (Dans la forme) Tj ET",
              {"/Font": {NameObject("/F1"): helvetica}},
              Matrix=ArrayObject([FloatObject(v) for v in (2, 0, 0, 2, 0, 0)]))
    set_page(writer, page, b"q 1 0 0 1 100 50 cm /Fx Do Q BT /F1 9 Tf 20 20 Td (Dehors) Tj ET",
             {"/XObject": {NameObject("/Fx"): fx}, "/Font": {NameObject("/F1"): helvetica}})
    writer.write(tmp_path / "text-form.pdf")
    runs = {r.text: r for r in drawn_pages(tmp_path / "text-form.pdf")[1].runs}
    inside, outside = runs["Dans la forme"], runs["Dehors"]
    assert inside.size == pytest.approx(20) and outside.size == pytest.approx(9)
    # (5, 7) in the form, scaled by 2, then moved by (100, 50): (110, 64) pt; glyphs start a hair inside.
    assert inside.box[0] == pytest.approx(110 * 25.4 / 72, abs=0.5)
    assert outside.box[0] == pytest.approx(20 * 25.4 / 72, abs=0.5)
    assert inside.box[2] - inside.box[0] > 20  # 13 Helvetica glyphs at 20 pt are wider than 20 mm


# --- geometry cases -------------------------------------------------------------------------------------

GEOMETRY_CASES = {
    "good": GOOD_TEXT,
    "rivet": '<div class="at" style="left: 44mm; top: 197mm">Rivet</div>',
    "edge": '<div class="at" style="left: 1mm; top: 50mm">Bord</div>',
    "crossing": f'<div class="at" style="left: 60mm; top: 50mm">{LONG_LINE}</div>',
    "small": '<div class="at" style="left: 10mm; top: 20mm; font-size: 5.9pt">Petit</div>',
    # A tall line box: the glyphs sit after the half-leading, 4.6 mm below the box's top: inside.
    "leading": '<div class="at" style="left: 10mm; top: -1.5mm; line-height: 12mm">Interligne</div>',
    # Wrapped lines: only the last ones reach the rivet (centred 200 mm from the top).
    "wrapped": f'<div style="position: absolute; left: 38mm; top: 186mm; width: 22mm">{LONG_LINE}</div>',
}


@pytest.mark.parametrize("case", sorted(GEOMETRY_CASES))
def test_geometry_cases(tmp_path, case):
    report = preflight(render(tmp_path, GEOMETRY_CASES[case], pdfx=False), kind="deck",
                       checks=frozenset({"geometry"}))
    assert (case == "good") == report.ok, messages(report)


def test_text_a_page_must_print_and_does_not_is_reported(tmp_path):
    pdf = render(tmp_path, GOOD_TEXT)
    assert preflight(pdf, kind="deck", texts=["Participation  citoyenne"]).ok
    report = preflight(pdf, kind="deck", texts=["Participation citoyenne et action"])
    assert [f.message for f in report.errors] == [
        "8 character(s) of the content are not printed: “aceinott”; a box is too small for its text"]


@pytest.mark.parametrize("content, rgb", [
    (b"1 0 0 rg", True), (b"rg", True), (b"0 0 1 RG\n", True), (b"q]rg", True), (b"<00>rg", True),
    (b"(a)rg", True), (b"/DeviceRGB cs", True), (b"[/CalRGB <<>>]", True), (b"/RGB/x", True), (b"rg/GS1 gs", True),
    (b"xrg", False), (b"rgb", False), (b"/RGBx", False), (b"/DeviceRGBA", False),
    (b"0 0 0 1 k /F1 9 Tf <0012> Tj", False),
])
def test_rgb_operators_and_names_are_found_as_whole_tokens(content, rgb):
    from nuancier_print.preflight import _RGB_TOKENS

    assert bool(_RGB_TOKENS.search(content)) is rgb


def test_sheets_whose_pieces_passed_preflight_are_ink_checked_for_what_they_draw_only():
    # the build checks deck.pdf (or the booklet) first, then its sheets: tracing the cards again
    # on every sheet would find nothing new, and cost 0.3 s a build
    old = Path(__file__).parent / "data" / "before-issue-17" / "deck-sheets-A3.pdf"
    full = preflight(old, kind="sheets")
    placed = preflight(old, kind="sheets", pieces_checked=True)
    assert any(f.check == "ink" for f in full.errors)  # the old cards' grey black text
    assert not any(f.check == "ink" for f in placed.errors)
    assert [f for f in full.errors if f.check != "ink"] == [f for f in placed.errors if f.check != "ink"]


def test_ink_drawn_by_the_sheet_itself_is_still_checked(tmp_path):
    sheet = render(tmp_path, GOOD_TEXT, pdfx=False)  # black text drawn by the page itself, knocking out
    assert "ink" in checks(preflight(sheet, kind="sheets", pieces_checked=True))
