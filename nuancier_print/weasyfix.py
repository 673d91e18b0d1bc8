"""Work around one WeasyPrint cost that cannot be fixed from here: a C type parsed per array length.

WeasyPrint subsets every font of every document it writes with HarfBuzz, and
builds the glyph-id arrays with ``ffi.new(f"hb_codepoint_t[{n}]", values)``
(``weasyprint/pdf/fonts.py``, ``Font._harfbuzz_subset``). cffi parses a new C
declaration for each distinct ``n``, against WeasyPrint's long list of
typedefs: about 3 ms each. The deck is 54 one-page documents whose subsets
have many different lengths, so a new process (a `nuancier` command, each
render worker) spent about 0.3 s parsing types before this.

``ffi.new("hb_codepoint_t[]", values)`` makes the same array from the same
values, and parses its type once. :func:`install` gives WeasyPrint's font
module an ``ffi`` that makes exactly that rewrite, only when the values fill
the array, and hands every other call to the real ``ffi`` unchanged. The
arrays, hence the PDFs, are the same (tested). If WeasyPrint changes the
module, nothing is installed and nothing breaks. Remove this once WeasyPrint
passes open arrays itself.
"""

from __future__ import annotations

import re

_FIXED_ARRAY = re.compile(r"hb_codepoint_t\[(\d+)\]")


class _OpenArrays:
    """An ``ffi`` that builds fixed-length ``hb_codepoint_t`` arrays as open arrays."""

    def __init__(self, ffi):
        self._ffi = ffi

    def __getattr__(self, name):
        return getattr(self._ffi, name)

    def new(self, cdecl, init=None):
        if isinstance(cdecl, str) and init is not None:
            match = _FIXED_ARRAY.fullmatch(cdecl)
            if match and hasattr(init, "__len__") and len(init) == int(match[1]) > 0:
                return self._ffi.new("hb_codepoint_t[]", init)
        return self._ffi.new(cdecl, init)


def install() -> bool:
    """Install the rewrite in ``weasyprint.pdf.fonts``; return whether it is in place."""
    try:
        from weasyprint.pdf import fonts
    except ImportError:  # pragma: no cover - a WeasyPrint without this module
        return False
    current = getattr(fonts, "ffi", None)
    if isinstance(current, _OpenArrays):
        return True
    if current is None or not hasattr(current, "new"):
        return False
    fonts.ffi = _OpenArrays(current)
    return True
