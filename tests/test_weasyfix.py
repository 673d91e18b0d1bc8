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
