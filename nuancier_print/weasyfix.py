"""Work around two WeasyPrint costs paid per document, which a deck of one-page documents pays per face.

**A C type parsed per array length.** WeasyPrint subsets every font of
every document it writes with HarfBuzz, and builds the glyph-id arrays with
``ffi.new(f"hb_codepoint_t[{n}]", values)``
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
passes open arrays itself. (Inside :func:`shared_subsets` below, fonts are
cut with uharfbuzz instead, and WeasyPrint's arrays are not built at all.)

**A font subset made per document.** Every face is its own document, so
WeasyPrint cut each font again for each face: 211 HarfBuzz subsets (two
passes each) for the shipped deck, about 0.3 s, where one document of the
whole deck makes 5. Those per-face subsets are thrown away at assembly:
:mod:`.fontmerge` cuts each bundled font once from its original file, for
the glyphs the pages' widths and ToUnicode maps name. Inside
:func:`shared_subsets` (faces and booklet sections, whose fonts are merged
at assembly), a document's subset of a font is instead the one made before
for the glyphs of all the documents so far, made again only when this
document needs a glyph it lacks: 56 subsets for the deck, each in one
HarfBuzz pass (:func:`.fontmerge.cut`, WeasyPrint's settings). Each face's
PDF still embeds a valid font holding every glyph it draws (plus others),
and its widths and ToUnicode map still name only its own glyphs, so the
assembled files do not change by a byte (tested). Outside the context, and
for fonts with glyphs missing (WeasyPrint's own encoding), nothing changes.
"""

from __future__ import annotations

import contextlib
import re
import zlib

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


_sharing = 0  # how many shared_subsets() contexts are open
_SUBSETS: dict[tuple, tuple[frozenset[int], bytes]] = {}  # font file -> (glyphs, their subset)


@contextlib.contextmanager
def shared_subsets():
    """Let the documents written inside share each font's subset (see the module's docstring).

    Only for documents whose fonts :mod:`.fontmerge` replaces: elsewhere a
    file would embed glyphs it does not use, and depend on what was written
    before it.
    """
    global _sharing
    _sharing += 1
    try:
        yield
    finally:
        _sharing -= 1


def _shared(subset):
    """Wrap ``Font._harfbuzz_subset`` so that, inside :func:`shared_subsets`, subsets are shared."""

    def shared_subset(font, to_unicode, hinting):
        if not _sharing or font.missing or not to_unicode:
            return subset(font, to_unicode, hinting)
        original = font.file_content
        key = (font.hash, font.index, len(original), zlib.crc32(original), bool(hinting))
        glyphs, program = _SUBSETS.get(key, (frozenset(), b""))
        if not glyphs.issuperset(to_unicode):
            from .fontmerge import cut  # one HarfBuzz pass where WeasyPrint makes two

            glyphs = glyphs.union(to_unicode)
            program = cut(original, sorted(glyphs), index=font.index, hinting=bool(hinting))
            if program is None:  # let WeasyPrint try, and warn if it fails too
                return subset(font, to_unicode, hinting)
            if len(_SUBSETS) >= 64:  # `watch` may see many versions of the fonts
                _SUBSETS.clear()
            _SUBSETS[key] = (glyphs, program)
        font.file_content = program
        return None

    shared_subset.nuancier_shared = True
    shared_subset.__wrapped__ = subset
    return shared_subset


def install() -> bool:
    """Install both work-arounds in ``weasyprint.pdf.fonts``; return whether both are in place."""
    try:
        from weasyprint.pdf import fonts
    except ImportError:  # pragma: no cover - a WeasyPrint without this module
        return False
    current = getattr(fonts, "ffi", None)
    if current is not None and hasattr(current, "new") and not isinstance(current, _OpenArrays):
        fonts.ffi = _OpenArrays(current)
    font = getattr(fonts, "Font", None)
    subset = getattr(font, "_harfbuzz_subset", None)
    if subset is not None and not getattr(subset, "nuancier_shared", False):
        font._harfbuzz_subset = _shared(subset)
    return isinstance(getattr(fonts, "ffi", None), _OpenArrays) and getattr(
        getattr(font, "_harfbuzz_subset", None), "nuancier_shared", False)
