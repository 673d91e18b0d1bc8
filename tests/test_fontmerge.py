"""Font merging at assembly: one subset per font, drawing exactly the faces' glyphs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen, RecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NumberObject, StreamObject

from nuancier_print import pdfout
from nuancier_print.build import PDF_OPTIONS
from nuancier_print.content import load_content
from nuancier_print.deck import card_format, deck_faces, deck_stylesheet
from nuancier_print.fontmerge import (bundled_fonts, font_facts, identity, merge_fonts, read_page_fonts,
                                      read_to_unicode, read_widths, to_unicode_cmap, widths_array)
from nuancier_print.fonts import FACES, FONTS_DIR
from nuancier_print.pdfout import DocInfo, assemble
from nuancier_print.render import Renderer

from .conftest import DATA
from .pdfutil import font_program, normalise


@pytest.fixture(scope="module")
def faces_and_deck(tmp_path_factory):
    """Render the mini content's faces one PDF each, as a build does, and assemble them."""
    content = load_content(DATA / "mini")
    fmt = card_format(content)
    renderer = Renderer(deck_stylesheet(fmt), roots=[content.root], pdf_options=PDF_OPTIONS)
    faces = [renderer.render(spec).pdf for spec in deck_faces(content, fmt)]
    info = DocInfo("Test", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), identity="test")
    return faces, assemble(faces, info)


def _page_fonts(page) -> dict[str, tuple]:
    """Return {PostScript name: (font dict, TTFont, used glyphs)} for one page."""
    found = {}
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        program = TTFont(io.BytesIO(font_program(font)))
        used = set(read_widths(font["/DescendantFonts"][0].get_object()["/W"]))
        found[program["name"].getDebugName(6)] = (font, program, used)
    return found


def test_the_deck_embeds_one_subset_per_font(faces_and_deck):
    faces, deck = faces_and_deck
    reader = PdfReader(io.BytesIO(deck))
    per_face = sum(len(PdfReader(io.BytesIO(f)).pages[0]["/Resources"]["/Font"]) for f in faces)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.setdefault(str(font.get_object()["/BaseFont"]), set()).add(font.idnum)
    names = [name.split("+", 1)[1] for name in fonts]
    assert len(names) == len(set(names)) <= len(FACES)  # one font object per font
    assert all(len(refs) == 1 for refs in fonts.values())
    assert per_face > 2 * len(fonts)  # the faces did carry a subset each
    objects = (reader.get_object(number) for number in range(1, int(reader.trailer["/Size"])))
    programs = [obj for obj in objects if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/OpenType"]
    assert len(programs) == len(fonts)  # the faces' own subsets are gone from the file


def test_merged_fonts_draw_every_face_glyph_as_the_face_did(faces_and_deck):
    faces, deck = faces_and_deck
    assembled = PdfReader(io.BytesIO(deck)).pages
    checked = 0
    for face, page in zip(faces, assembled):
        merged = _page_fonts(page)
        for name, (_, program, used) in _page_fonts(PdfReader(io.BytesIO(face)).pages[0]).items():
            _, merged_program, merged_used = merged[name]
            assert used <= merged_used
            glyphs, merged_glyphs = program.getGlyphSet(), merged_program.getGlyphSet()
            order, merged_order = program.getGlyphOrder(), merged_program.getGlyphOrder()
            for gid in used:
                pen, merged_pen = RecordingPen(), RecordingPen()
                glyphs[order[gid]].draw(pen)
                merged_glyphs[merged_order[gid]].draw(merged_pen)
                assert merged_pen.value == pen.value, (name, gid)
                assert merged_glyphs[merged_order[gid]].width == glyphs[order[gid]].width
                checked += 1
    assert checked > 200


def test_every_page_keeps_its_text(faces_and_deck):
    faces, deck = faces_and_deck
    assembled = PdfReader(io.BytesIO(deck)).pages
    for face, page in zip(faces, assembled):
        expected = normalise(PdfReader(io.BytesIO(face)).pages[0].extract_text())
        assert expected and normalise(page.extract_text()) == expected


def test_a_subset_has_the_identity_of_its_original(faces_and_deck):
    faces, _ = faces_and_deck
    originals = bundled_fonts(FONTS_DIR)
    assert len(originals) == len(FACES)  # every bundled file tells itself apart
    for font in PdfReader(io.BytesIO(faces[3])).pages[0]["/Resources"]["/Font"].values():
        assert identity(font_program(font.get_object())) in originals


def test_widths_round_trip():
    widths = {3: 500.0, 4: 612.5, 5: 500.0, 9: 250.0}
    array = widths_array(widths)
    assert array == [NumberObject(3), [500, FloatObject(612.5), 500], NumberObject(9), [250]]
    assert read_widths(array) == widths
    assert read_widths(ArrayObject([NumberObject(10), NumberObject(12), NumberObject(700)])) == {
        10: 700.0, 11: 700.0, 12: 700.0}  # the "first last width" form


def test_to_unicode_round_trip():
    mapping = {i: chr(0x41 + i % 26) for i in range(250)} | {300: "ffi", 301: "\u202f"}
    assert read_to_unicode(to_unicode_cmap(mapping)) == mapping
    assert read_to_unicode(b"1 beginbfrange <0001> <0005> <0041> endbfrange") is None


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.exists(), reason="fonts-dejavu-core is not installed (.ci/run installs it)")
def test_truetype_subsets_merge_too(tmp_path):
    # The bundled fonts are CFF (FontFile3); a TrueType font (FontFile2, glyf outlines) merges the same way.
    from weasyprint import HTML

    font = tmp_path / "DejaVuSans.ttf"
    font.write_bytes(DEJAVU.read_bytes())
    pages = []
    for text in ("Première page, avec des accents : éàç", "Deuxième page : œuvre, naïveté, 27ᵉ"):
        html = (f"<style>@font-face {{ font-family: T; src: url({font.as_uri()}) }} "
                f"body {{ font-family: T }}</style><p>{text}</p>")
        pages.append(HTML(string=html).write_pdf())
    writer = PdfWriter()
    for data in pages:
        writer.add_page(PdfReader(io.BytesIO(data)).pages[0])
    assert merge_fonts(writer, {identity(font.read_bytes()): font}) == 1
    merged = [list(page["/Resources"]["/Font"].values())[0].get_object() for page in writer.pages]
    assert merged[0] is merged[1]
    buffer = io.BytesIO()
    writer.write(buffer)
    out = PdfReader(buffer)
    program = TTFont(io.BytesIO(font_program(list(out.pages[0]["/Resources"]["/Font"].values())[0].get_object())))
    original = TTFont(font)
    drawn = 0
    for data, page in zip(pages, out.pages):
        face = PdfReader(io.BytesIO(data)).pages[0]
        used = _page_fonts(face)
        assert normalise(page.extract_text()) == normalise(face.extract_text())
        for _, (_, _, glyphs) in used.items():
            for gid in glyphs:
                name, merged_name = original.getGlyphOrder()[gid], program.getGlyphOrder()[gid]
                glyphs_in, glyphs_out = original.getGlyphSet(), program.getGlyphSet()
                pen, merged_pen = DecomposingRecordingPen(glyphs_in), DecomposingRecordingPen(glyphs_out)
                glyphs_in[name].draw(pen)  # accents are composites: compare the drawn outlines
                glyphs_out[merged_name].draw(merged_pen)
                assert merged_pen.value == pen.value, gid
                drawn += bool(pen.value)
    assert drawn > 30  # the outlines compared are real glyphs, composites included


# --- fonts read straight from a face's bytes -------------------------------------------------------------


def _without_objects(facts):
    return dataclasses.replace(facts, objects=())


def _read_both_ways(data: bytes) -> tuple[dict, dict]:
    reader = PdfReader(io.BytesIO(data))
    fast = read_page_fonts(reader, data)
    slow = {str(name): font_facts(ref.get_object()) for name, ref in reader.pages[0]["/Resources"]["/Font"].items()}
    return fast, slow


def test_fonts_read_from_the_bytes_are_those_pypdf_reads(faces_and_deck):
    faces, _ = faces_and_deck
    checked = 0
    for data in faces:
        fast, slow = _read_both_ways(data)
        assert fast is not None  # WeasyPrint's uncompressed faces are read this way
        assert {n: _without_objects(f) for n, f in fast.items()} == slow
        checked += sum(len(f.widths) for f in fast.values())
    assert checked > 500


@pytest.mark.skipif(not DEJAVU.exists(), reason="fonts-dejavu-core is not installed (.ci/run installs it)")
def test_truetype_fonts_read_from_the_bytes_are_those_pypdf_reads(tmp_path):
    from weasyprint import HTML

    font = tmp_path / "DejaVuSans.ttf"
    font.write_bytes(DEJAVU.read_bytes())
    html = (f"<style>@font-face {{ font-family: T; src: url({font.as_uri()}) }} "
            "body { font-family: T }</style><p>Deuxième page : œuvre, naïveté, 27ᵉ</p>")
    fast, slow = _read_both_ways(HTML(string=html).write_pdf(**PDF_OPTIONS))
    assert [f.file_key for f in fast.values()] == ["/FontFile2"]
    assert {n: _without_objects(f) for n, f in fast.items()} == slow


def _pages(data: bytes) -> list:
    """Return each page as nested tuples, objects resolved, stream data decoded (what a reader sees)."""
    def plain(obj):
        obj = obj.get_object()
        if isinstance(obj, StreamObject):
            return "stream", plain(DictionaryObject({k: v for k, v in obj.items() if k not in ("/Length", "/Filter")})), \
                obj.get_data()
        if isinstance(obj, DictionaryObject):
            return tuple(sorted((k, plain(v)) for k, v in obj.items() if k != "/Parent"))
        if isinstance(obj, ArrayObject):
            return tuple(plain(v) for v in obj)
        return repr(obj)

    return [plain(page) for page in PdfReader(io.BytesIO(data)).pages]


def test_assembling_from_fonts_read_from_the_bytes_gives_what_pypdf_gives(faces_and_deck, monkeypatch):
    faces, deck = faces_and_deck
    info = DocInfo("Test", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), identity="test")
    monkeypatch.setattr(pdfout, "_READERS", {})
    monkeypatch.setattr(pdfout, "merge_fonts", None)  # the fixture's deck was assembled without it
    assert assemble(faces, info) == deck
    monkeypatch.setattr(pdfout, "_READERS", {})
    monkeypatch.setattr(pdfout, "read_page_fonts", lambda reader, data: None)
    monkeypatch.setattr(pdfout, "merge_fonts", merge_fonts)
    the_pypdf_way = assemble(faces, info)
    assert the_pypdf_way != deck  # not the same objects in the same places...
    assert _pages(the_pypdf_way) == _pages(deck)  # ...but the same pages, fonts and all


def test_a_face_whose_fonts_cannot_be_read_from_its_bytes_is_merged_the_pypdf_way(faces_and_deck):
    faces, deck = faces_and_deck
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(faces[0])))
    for index, obj in enumerate(writer._objects):  # compressed streams are not read from the bytes
        if isinstance(obj, StreamObject) and "/Filter" not in obj:
            writer._objects[index] = obj.flate_encode()
    buffer = io.BytesIO()
    writer.write(buffer)
    compressed = buffer.getvalue()
    assert read_page_fonts(PdfReader(io.BytesIO(compressed)), compressed) is None
    info = DocInfo("Test", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), identity="test")
    mixed = assemble([compressed, *faces[1:]], info)
    assert _pages(mixed) == _pages(deck)


def test_preparing_a_face_leaves_its_fonts_unparsed(faces_and_deck, monkeypatch):
    faces, _ = faces_and_deck
    monkeypatch.setattr(pdfout, "_READERS", {})
    pdfout.prepare(faces[4])
    reader = pdfout.reader(faces[4])
    fonts = reader.nuancier_fonts
    skipped = {number for facts in fonts.values() for number in facts.objects}
    parsed = {number for _, number in reader.resolved_objects}
    assert len(skipped) >= 5 * len(fonts) and not skipped & parsed
    # Nor what the page does not refer to (the face's outline, its catalog and info) ...
    outline = reader.trailer["/Root"].raw_get("/Outlines").idnum  # read without parsing it
    assert outline not in parsed
    # ... and assembly, which copies the page, finds all it needs parsed, but the first face's
    # fonts, which it reads to make the merged ones.
    info = DocInfo("Test", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), identity="test")
    assemble([faces[4]], info)
    assert {number for _, number in reader.resolved_objects} - parsed <= skipped


@pytest.mark.parametrize("text, expected", [
    (b"/W [1 [500 600.5] 10 12 300]", {1: 500.0, 2: 600.5, 10: 300.0, 11: 300.0, 12: 300.0}),
    (b"/Type /Font /WMode 0", {}),
    (b"/W[3[250]]/FontDescriptor 7 0 R", {3: 250.0}),
    (b"/W [1 [500] 2 3 0 R]", None),  # a reference: read the pypdf way
    (b"/W [1 [500 600] " + b"1234567890 " * 30 + b"3 R]", None),  # refused at once, no backtracking blow-up
    (b"/W 12 0 R", None),
])
def test_widths_read_from_the_bytes(text, expected):
    from nuancier_print.fontmerge import _raw_widths

    assert _raw_widths(text) == expected
