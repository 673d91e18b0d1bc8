"""Preflight's print-shop checks, each with a deliberately broken PDF: metadata, output intent,
ink (black text, plates under small text), marks, die line, the safe zone on sheets, and damaged files.

Good files are rendered by WeasyPrint and finished by :func:`pdf.finish`, as
the build finishes its outputs; each broken one changes one thing.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)
from weasyprint import HTML

from nuancier_print import sheets
from nuancier_print.cli import main
from nuancier_print.errors import BuildError
from nuancier_print.geometry import CardFormat, mm_to_pt
from nuancier_print.pdf import DocInfo, finish
from nuancier_print.preflight import check_instances, format_report, preflight

ROOT = Path(__file__).resolve().parents[1]
ICC = ROOT / "layouts" / "icc" / "FOGRA39L-coated.icc"
DL = (99.0, 210.0)
INFO = DocInfo("Carte d'essai", dt.datetime(2026, 11, 27, tzinfo=dt.UTC), "essai")


def face(body: str, css: str = "", *, finished: bool = True) -> bytes:
    """Return one DL card face (a 3-plate band across its top), finished unless told not to."""
    html = f"""<style>@color-profile device-cmyk {{ src: url({ICC.as_uri()}); components: c, m, y, k }}
      @page {{ size: 99mm 210mm; bleed: 3mm; margin: 0 }}
      body {{ margin: 0; font-family: 'DejaVu Sans'; font-size: 7pt; color: device-cmyk(0 0 0 1) }}
      .band {{ position: absolute; left: -3mm; top: -3mm; width: 105mm; height: 43mm;
               background: device-cmyk(1 0.7 0 0.1) }}
      .at {{ position: absolute; left: 10mm; white-space: nowrap }}
      {css}</style><div class="band"></div>{body}"""
    data = HTML(string=html).write_pdf(pdf_variant="pdf/x-4")
    return finish(data, INFO) if finished else data


def findings(report, check: str) -> list[str]:
    """Return the messages one check found."""
    return [f.message for f in report.errors if f.check == check]


def edited(data: bytes, change) -> bytes:
    """Return a copy of a PDF after ``change(writer)``, written by pypdf (which keeps its /ID if it has one)."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ON_WHITE = '<p class="at" style="top: 60mm">Participation citoyenne</p>'


# --- metadata ---------------------------------------------------------------------------------------------------


def test_a_finished_face_passes(tmp_path):
    report = preflight(face(ON_WHITE), kind="deck", trim=DL)
    assert report.ok, format_report(report)
    assert report.instance.startswith("uuid:")


def test_document_information_that_disagrees_with_the_xmp_is_an_error():
    def change(writer):
        writer.add_metadata({"/Title": "Un autre titre", "/ModDate": "D:20270101000000Z"})
        del writer._info.get_object()["/Trapped"]

    report = preflight(edited(face(ON_WHITE), change), kind="deck")
    assert findings(report, "metadata") == [
        "the title differs between the document information (« Un autre titre ») and the XMP metadata "
        "(« Carte d'essai »)",
        "the modification date differs between the document information (« D:20270101000000Z ») and the XMP "
        "metadata (« 2026-11-27T00:00:00+00:00 »)",
        "/Trapped is missing in the document information; PDF/X requires True or False"]


def test_a_file_without_trailer_id_or_instance_id_is_an_error():
    def change(writer):
        writer._ID = None
        metadata = writer.root_object["/Metadata"].get_object()
        metadata.set_data(metadata.get_data().replace(b"xmpMM:InstanceID", b"xmpMM:Other"))

    report = preflight(edited(face(ON_WHITE), change), kind="deck")
    assert findings(report, "metadata") == [
        "the file has no trailer /ID (its two identifiers): PDF/X requires one",
        "the XMP metadata has no xmpMM:InstanceID"]


def test_files_checked_together_must_not_share_an_instance_id(tmp_path, runner):
    data = face(ON_WHITE)
    reports = [preflight(data, kind="deck", name=Path(name)) for name in ("a.pdf", "b.pdf")]
    check_instances(reports)
    assert reports[0].ok and findings(reports[1], "metadata") == [
        "its XMP InstanceID is also that of a.pdf: each file needs its own"]
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(data)
    result = runner.invoke(main, ["preflight", str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf")])
    assert result.exit_code == 1 and "its XMP InstanceID is also that of" in result.output


# --- output intent -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entries, expected", [
    ({"/OutputConditionIdentifier": TextStringObject("FOGRA39L coated")},
     "the output intent's condition is « FOGRA39L coated », not a name of the ICC registry of printing "
     "conditions (for coated FOGRA39 paper: « FOGRA39 »)"),
    ({"/RegistryName": None},
     "the output intent names the condition « FOGRA39 » without its registry (RegistryName http://www.color.org)"),
])
def test_the_output_intent_must_name_the_registered_condition(entries, expected):
    def change(writer):
        intent = writer.root_object["/OutputIntents"][0].get_object()
        for key, value in entries.items():
            if value is None:
                del intent[key]
            else:
                intent[NameObject(key)] = value

    assert findings(preflight(edited(face(ON_WHITE), change), kind="deck"), "pdfx") == [expected]


def test_the_output_intent_must_embed_an_icc_profile():
    def change(writer):
        intent = writer.root_object["/OutputIntents"][0].get_object()
        profile = DecodedStreamObject()
        profile.set_data(b"not a profile" * 20)
        profile[NameObject("/N")] = NumberObject(4)
        intent[NameObject("/DestOutputProfile")] = writer._add_object(profile)

    assert findings(preflight(edited(face(ON_WHITE), change), kind="deck"), "pdfx") == [
        "the output intent's DestOutputProfile is not an embedded CMYK ICC profile"]


# --- ink ------------------------------------------------------------------------------------------------------------

ON_BAND = '<p class="at" style="top: 10mm">Géopolitique</p>'


@pytest.mark.parametrize("case, body, finished, expected", [
    ("92 % K", '<p class="at" style="top: 60mm; color: device-cmyk(0 0 0 0.92)">Texte gris</p>', True,
     "black text is printed as C 0 M 0 Y 0 K 92 %, not 100 % K alone"),
    ("rich black", '<p class="at" style="top: 60mm; color: device-cmyk(0.6 0.4 0.4 1)">Noir riche</p>', True,
     "black text is printed as C 60 M 40 Y 40 K 100 %, not 100 % K alone"),
    ("knocks out", ON_BAND, False,
     "black text knocks out the colour under it (C, M, K) instead of overprinting it"),
    ("three plates", '<p class="at" style="top: 60mm; color: device-cmyk(0.5 0.5 0 0.5)">Trois</p>', True,
     "text under 9 pt prints on 3 plates (C, M, K)"),
    ("knocks out of another colour", '<p class="at" style="top: 10mm; color: device-cmyk(0 0.6 1 0)">Orange</p>',
     True, "text under 9 pt prints on 4 plates (C, M, Y, K)"),
    ("reversed", '<p class="at" style="top: 10mm; color: device-cmyk(0 0 0 0); font-size: 6.5pt">Blanc</p>', True,
     "white text under 9 pt is reversed out of 3 plates (C, M, K)"),
])
def test_ink_problems_are_found(case, body, finished, expected):
    messages = findings(preflight(face(body, finished=finished), kind="deck"), "ink")
    assert len(messages) == 1 and messages[0].startswith(expected), messages
    assert "(1 run of text, e.g. “" in messages[0]  # it quotes the text, as pdfium reads it


def test_ink_that_a_press_can_print_passes():
    white_bold = ('<p class="at" style="top: 10mm; color: device-cmyk(0 0 0 0); '
                  "font: bold 8pt 'DejaVu Sans'\">Blanc</p>")
    on_two = ('<p class="at" style="top: 60mm; background: device-cmyk(0 0.6 1 0); color: device-cmyk(0 0 0 0)">'
              'Sur deux</p>')
    big = '<p class="at" style="top: 20mm; color: device-cmyk(0 0 0 0); font-size: 9pt">Neuf points</p>'
    overprinted = ON_BAND  # black on the band, finished: it overprints
    coloured = '<p class="at" style="top: 60mm; color: device-cmyk(1 0.7 0 0)">Deux plaques</p>'
    for body in (white_bold, on_two, big, overprinted, coloured):
        assert findings(preflight(face(body), kind="deck"), "ink") == [], body


# --- marks -----------------------------------------------------------------------------------------------------------


def sheet(marks: list[bytes], sides: int = 1) -> bytes:
    """Return a sheet (one card form per side) whose sides draw ``marks[side]`` around the card."""
    writer = PdfWriter()
    for side in range(sides):
        page = writer.add_blank_page(mm_to_pt(297), mm_to_pt(210))
        page[NameObject("/TrimBox")] = RectangleObject(page.mediabox)
        card = DecodedStreamObject()
        card.set_data(b"0.2 0 0.5 0 k 0 0 100 100 re f")
        card.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                     NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (0, 0, 100, 100)])})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
            {NameObject("/C"): writer._add_object(card)})})
        content = DecodedStreamObject()
        content.set_data(b"q 1 0 0 1 200 200 cm /C Do Q " + marks[side])
        page[NameObject("/Contents")] = writer._add_object(content)
    return finish(writer, INFO)


MARK = b" 0.25 w 190 250 m 170 250 l S"


def test_marks_must_be_in_registration_colour():
    assert findings(preflight(sheet([b"1 1 1 1 K" + MARK]), kind="sheets"), "marks") == []
    assert findings(preflight(sheet([b"0 0 0 1 K" + MARK]), kind="sheets"), "marks") == [
        "1 of its 1 marks are printed in C 0 M 0 Y 0 K 100 %, not in registration colour (100 % on all four "
        "plates): the plates cannot be registered on them"]


def test_marks_must_be_on_every_side_of_a_sheet():
    report = preflight(sheet([b"1 1 1 1 K" + MARK, b""], sides=2), kind="sheets")
    assert [(f.page, f.message) for f in report.errors if f.check == "marks"] == [
        (2, "this side has no crop marks, unlike page 1: every side of a sheet needs them, to cut and to "
            "register the back")]


def test_a_decks_crop_marks_are_checked_outside_its_bleed():
    marked = finish(sheets.finish_deck(face(ON_WHITE), INFO, CardFormat(*DL), marks=True), INFO)
    assert findings(preflight(marked, kind="deck", trim=DL), "marks") == []

    def to_black(writer):
        for page in writer.pages:
            last = page["/Contents"][-1].get_object()
            last.set_data(last.get_data().replace(b"1 1 1 1 K", b"0 0 0 1 K"))

    assert findings(preflight(edited(marked, to_black), kind="deck"), "marks")


# --- die line --------------------------------------------------------------------------------------------------------


def die_deck(**change) -> bytes:
    """Return a face with a die line, its objects changed as told."""
    data = sheets.finish_deck(face(ON_WHITE), INFO, CardFormat(*DL), die_line=True, corners=3)

    def apply(writer):
        resources = writer.pages[0]["/Resources"]
        if "overprint" in change:
            resources["/ExtGState"]["/NPcut"].get_object()[NameObject("/OP")] = BooleanObject(change["overprint"])
        if "alternate" in change:
            function = resources["/ColorSpace"]["/NPCutContour"].get_object()[3].get_object()
            function[NameObject("/C1")] = ArrayObject([FloatObject(v) for v in change["alternate"]])
        if change.get("unlisted"):
            del writer.root_object["/OCProperties"]

    return edited(data, apply)


def test_a_die_line_passes_when_asked_and_when_not():
    assert preflight(die_deck(), kind="deck", die_line=True).ok
    assert preflight(die_deck(), kind="deck").ok


@pytest.mark.parametrize("change, expected", [
    ({"overprint": False}, "the die line does not overprint: it would knock a white line out of the artwork under it"),
    ({"alternate": (0, 0, 0, 0)}, "the CutContour spot colour has no visible alternate colour: the die line cannot "
                                  "be seen on screen or on a proof"),
    ({"unlisted": True}, "the die line is not in an optional content group (layer) of the file: a print shop "
                         "cannot show or hide it"),
])
def test_a_broken_die_line_is_an_error(change, expected):
    assert findings(preflight(die_deck(**change), kind="deck"), "die") == [expected]


def test_a_die_line_asked_for_must_be_there():
    assert findings(preflight(face(ON_WHITE), kind="deck", die_line=True), "die") == [
        "no die line on this page: it was asked for (CutContour spot colour)"]


# --- the safe zone of pages placed on sheets --------------------------------------------------------------------


def test_text_near_the_trim_of_a_card_on_a_sheet_is_an_error(tmp_path):
    close = '<p class="at" style="top: 60mm; left: 1mm">Bord</p>'
    for body, expected in ((ON_WHITE, []), (close, ["text 1.0 mm from the trim edge (safe zone 3 mm): “Bord”"])):
        deck = tmp_path / "deck.pdf"
        writer = PdfWriter(clone_from=io.BytesIO(face(body)))
        writer.append(io.BytesIO(face(ON_WHITE)))  # a recto and a verso
        writer.write(deck)
        imposed = sheets.impose_cards(deck, INFO, sheet="A3").data
        assert findings(preflight(imposed, kind="sheets"), "geometry") == expected


# --- damaged files ------------------------------------------------------------------------------------------------


def with_resources_5() -> bytes:
    """Return a one-page PDF whose page says ``/Resources 5``."""
    def change(writer):
        writer.pages[0][NameObject("/Resources")] = NumberObject(5)

    return edited(face(ON_WHITE), change)


def flate_bomb() -> bytes:
    """Return a one-page PDF whose content stream inflates to 200 MB of zeros."""
    squeeze, chunk = zlib.compressobj(9), bytes(1 << 20)
    packed = b"".join(squeeze.compress(chunk) for _ in range(200)) + squeeze.flush()
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    stream = DecodedStreamObject()
    stream._data = packed  # already compressed: pypdf writes it as it is
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("make, expected", [
    (with_resources_5, "bad.pdf: this PDF is damaged and cannot be checked ("),
    (flate_bomb, "bad.pdf: object 5 inflates to more than 128 MB; this is not a print file"),
])
def test_a_damaged_pdf_is_one_plain_line_naming_the_file(tmp_path, runner, monkeypatch, make, expected):
    monkeypatch.chdir(tmp_path)
    Path("bad.pdf").write_bytes(make())
    with pytest.raises(BuildError) as caught:
        preflight(Path("bad.pdf"), kind="deck")
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value)
    result = runner.invoke(main, ["preflight", "bad.pdf"])
    assert result.exit_code == 1 and "Traceback" not in result.output + result.stderr
    assert result.stderr.strip().startswith(expected) and len(result.stderr.strip().splitlines()) == 1


def test_a_build_that_made_a_damaged_pdf_says_so_in_one_line(tmp_path, monkeypatch):
    from nuancier_print.publish import publish

    monkeypatch.chdir(tmp_path)
    with pytest.raises(BuildError) as caught:
        publish(with_resources_5(), Path("out") / "deck.pdf", kind="deck")
    assert str(caught.value).startswith("out/deck.pdf: this PDF is damaged and cannot be checked (")
    assert not list(Path("out").iterdir())  # nothing left behind, not even the pending file
