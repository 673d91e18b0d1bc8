"""The WeasyPrint work-around builds the same arrays, and the same PDFs, without new C types."""

from __future__ import annotations

import weasyprint.pdf.fonts as wp_fonts
from weasyprint import HTML
from weasyprint.text.ffi import ffi

from nuancier_print import weasyfix
from nuancier_print.fonts import font_face_css


def test_it_is_installed_by_the_renderer():
    import nuancier_print.render  # noqa: F401 - importing installs it

    assert isinstance(wp_fonts.ffi, weasyfix._OpenArrays)
    assert weasyfix.install() is True  # a second install changes nothing
    assert isinstance(wp_fonts.ffi._ffi, type(ffi))


def test_fixed_arrays_become_open_arrays_with_the_same_values():
    proxy = weasyfix._OpenArrays(ffi)
    values = [3, 5, 8, 13, 21]
    array = proxy.new("hb_codepoint_t[5]", values)
    assert ffi.typeof(array) is ffi.typeof("hb_codepoint_t[]")
    assert list(array) == values and ffi.sizeof(array) == ffi.sizeof("hb_codepoint_t") * 5


def test_other_calls_are_passed_through_unchanged():
    proxy = weasyfix._OpenArrays(ffi)
    short = proxy.new("hb_codepoint_t[4]", [1, 2])  # values do not fill it: zeros after them
    assert ffi.typeof(short) is ffi.typeof("hb_codepoint_t[4]") and list(short) == [1, 2, 0, 0]
    assert ffi.typeof(proxy.new("unsigned int *", 100)) is ffi.typeof("unsigned int *")
    assert proxy.NULL == ffi.NULL and proxy.string == ffi.string


def test_a_document_is_written_with_the_same_bytes_either_way(monkeypatch):
    html = ("<style>" + font_face_css() + "body { font-family: Inter }</style>"
            "<p>Nuancier de formation : « une action publique ingénieuse » — 1.1, 7.1 ; œuvre</p>")
    document = HTML(string=html).render()
    monkeypatch.setattr(wp_fonts, "ffi", ffi)
    plain = document.write_pdf(uncompressed_pdf=True)
    asked = []

    class Recording:  # the real ffi, noting the declarations it is asked to build
        def __getattr__(self, name):
            return getattr(ffi, name)

        def new(self, cdecl, init=None):
            asked.append(cdecl)
            return ffi.new(cdecl, init)

    monkeypatch.setattr(wp_fonts, "ffi", weasyfix._OpenArrays(Recording()))
    fixed = document.write_pdf(uncompressed_pdf=True)
    assert fixed == plain
    assert "hb_codepoint_t[]" in asked and not any(c.startswith("hb_codepoint_t[") and c[-2] != "[" for c in asked)
    assert b"/FontFile3" in fixed or b"/FontFile2" in fixed  # a subset was made, through HarfBuzz


def test_nothing_is_installed_on_a_weasyprint_without_the_module_global(monkeypatch):
    monkeypatch.delattr(wp_fonts, "ffi")
    assert weasyfix.install() is False


# --- font subsets shared between the documents of a build ---------------------------------------------


def _mini_faces(monkeypatch, *, sharing: bool) -> list[bytes]:
    """Render the mini content's faces as a build does, with shared subsets or without."""
    import contextlib

    import nuancier_print.render as render
    from nuancier_print.build import PDF_OPTIONS
    from nuancier_print.content import load_content
    from nuancier_print.deck import card_format, deck_faces, deck_stylesheet

    from .conftest import DATA

    monkeypatch.setattr(weasyfix, "_SUBSETS", {})  # nothing shared from earlier tests
    if not sharing:
        monkeypatch.setattr(render, "shared_subsets", contextlib.nullcontext)
    content = load_content(DATA / "mini")
    fmt = card_format(content)
    renderer = render.Renderer(deck_stylesheet(fmt), roots=[content.root], pdf_options=PDF_OPTIONS)
    return [renderer.render(spec).pdf for spec in deck_faces(content, fmt)]


def _programs(pdf: bytes) -> dict[str, tuple[bytes, set[int]]]:
    """Return {PostScript name: (embedded program, glyph ids the page's widths name)} of a face."""
    import io

    from pypdf import PdfReader

    from nuancier_print.fontmerge import identity, read_widths

    from .pdfutil import font_program

    found = {}
    for font in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        program = font_program(font)
        found[identity(program)[0]] = (program, set(read_widths(font["/DescendantFonts"][0].get_object()["/W"])))
    return found


def test_faces_share_subsets_and_the_assembled_deck_does_not_change(monkeypatch):
    import datetime as dt

    from nuancier_print.pdfout import DocInfo, assemble

    shared = _mini_faces(monkeypatch, sharing=True)
    alone = _mini_faces(monkeypatch, sharing=False)
    programs = lambda faces: {p for face in faces for p, _ in _programs(face).values()}  # noqa: E731
    assert len(programs(shared)) < len(programs(alone))  # fewer subsets made (28 against 46 when written)
    info = DocInfo("Test", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), identity="test")
    assert assemble(shared, info) == assemble(alone, info)


def test_a_shared_subset_holds_every_glyph_its_face_draws(monkeypatch):
    import io

    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    from nuancier_print.fontmerge import bundled_fonts

    originals = {key[0]: TTFont(path) for key, path in bundled_fonts().items()}
    checked = 0
    for face in _mini_faces(monkeypatch, sharing=True):
        for name, (program, used) in _programs(face).items():
            font, original = TTFont(io.BytesIO(program)), originals[name]
            glyphs, order = font.getGlyphSet(), font.getGlyphOrder()
            for gid in used:
                pen, expected = RecordingPen(), RecordingPen()
                glyphs[order[gid]].draw(pen)
                original.getGlyphSet()[original.getGlyphOrder()[gid]].draw(expected)
                assert pen.value == expected.value, (name, gid)
                checked += 1
    assert checked > 100


def test_documents_written_outside_the_context_are_unchanged():
    html = ("<style>" + font_face_css() + "body { font-family: Inter }</style>"
            "<p>Nuancier de formation : « une action publique ingénieuse »</p>")
    document = HTML(string=html).render()
    patched = wp_fonts.Font._harfbuzz_subset
    assert patched.nuancier_shared
    with weasyfix.shared_subsets():
        document.write_pdf(uncompressed_pdf=True)  # leaves a shared subset behind
    try:
        wp_fonts.Font._harfbuzz_subset = patched.__wrapped__
        plain = document.write_pdf(uncompressed_pdf=True)
    finally:
        wp_fonts.Font._harfbuzz_subset = patched
    assert document.write_pdf(uncompressed_pdf=True) == plain
