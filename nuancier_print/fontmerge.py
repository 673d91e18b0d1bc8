"""Merge the font subsets of an assembled file: one subset per font, not one per face.

Each face is its own WeasyPrint PDF with its own subset of every font it
uses, so a deck of 54 faces carried some 200 subsets (2.7 MB). WeasyPrint
subsets with HarfBuzz keeping the original glyph ids, so every subset of one
font numbers its glyphs the same way and the pages' content needs no change.
:func:`merge_fonts` groups the subsets of each bundled font (recognised by
the PostScript name and ``head`` dates inside the subset), subsets the
original file of ``fonts/`` once for the union of the glyphs used (HarfBuzz,
through uharfbuzz), merges the widths and ToUnicode maps, and points every
page at the merged font. The deck then embeds one subset per font, as a
single-document render would.

A font it cannot merge safely stays as it is: a font that is not one of the
bundled files, a font with its own encoding (WeasyPrint's answer to missing
glyphs), or a ToUnicode map in a form it does not read.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import uharfbuzz as hb
from pypdf import PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           NumberObject)

from . import fonts


# --- what a font program says about itself -----------------------------------------------------


def _tables(program: bytes) -> dict[bytes, bytes]:
    """Return the tables of an OpenType/TrueType font program by tag (empty if unreadable)."""
    try:
        count = struct.unpack_from(">H", program, 4)[0]
        tables = {}
        for index in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", program, 12 + 16 * index)
            tables[tag] = program[offset:offset + length]
        return tables
    except struct.error:
        return {}


def _postscript_name(name_table: bytes) -> str | None:
    """Return the PostScript name (name id 6) of a ``name`` table."""
    try:
        _, count, strings = struct.unpack_from(">HHH", name_table, 0)
        for index in range(count):
            platform, _, _, name_id, length, offset = struct.unpack_from(">6H", name_table, 6 + 12 * index)
            if name_id != 6:
                continue
            raw = name_table[strings + offset:strings + offset + length]
            return raw.decode("utf-16-be" if platform in (0, 3) else "latin-1")
    except (struct.error, UnicodeDecodeError):
        return None
    return None


def identity(program: bytes) -> tuple | None:
    """Return what tells a font apart from others (PostScript name, revision, dates), or None.

    A HarfBuzz subset keeps the ``name`` and ``head`` tables of its original,
    so a subset and its original file have the same identity.
    """
    tables = _tables(program)
    head, name = tables.get(b"head"), tables.get(b"name")
    if head is None or name is None or len(head) < 36:
        return None
    postscript = _postscript_name(name)
    return (postscript, head[4:8], head[20:36]) if postscript else None


def bundled_fonts(folder: Path = fonts.FONTS_DIR) -> dict[tuple, Path]:
    """Return the bundled font files by identity."""
    found = {}
    for face in fonts.FACES:
        path = folder / face.file
        try:
            key = identity(_font_bytes(path))
        except OSError:
            continue
        if key is not None:
            found[key] = path
    return found


def _font_bytes(path: Path) -> bytes:
    """Return a font file's bytes, read again only when the file changed (``watch`` runs for hours)."""
    stat = path.stat()
    return _read_font(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read_font(path: Path, mtime_ns: int, size: int) -> bytes:
    return path.read_bytes()


# --- reading the pieces of a CID font ------------------------------------------------------------

_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


def read_to_unicode(data: bytes) -> dict[int, str] | None:
    """Return a ToUnicode CMap's glyph-to-text map, or None if it uses forms we do not read."""
    if b"beginbfrange" in data:
        return None
    mapping = {}
    for block in _BFCHAR.findall(data):
        for glyph, text in _PAIR.findall(block):
            mapping.setdefault(int(glyph, 16), bytes.fromhex(text.decode()).decode("utf-16-be", "replace"))
    return mapping


def to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """Return a ToUnicode CMap for a glyph-to-text map (bfchar blocks of at most 100)."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>".encode() for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def read_widths(w_array) -> dict[int, float] | None:
    """Return a CIDFont's /W as glyph -> width, or None for a form we do not read."""
    widths: dict[int, float] = {}
    items = list(w_array or [])
    index = 0
    while index < len(items):
        first = int(items[index])
        if index + 1 >= len(items):
            return None
        second = items[index + 1].get_object() if hasattr(items[index + 1], "get_object") else items[index + 1]
        if isinstance(second, list):
            for offset, width in enumerate(second):
                widths.setdefault(first + offset, float(width))
            index += 2
        else:  # c_first c_last width
            if index + 2 >= len(items):
                return None
            for glyph in range(first, int(second) + 1):
                widths.setdefault(glyph, float(items[index + 2]))
            index += 3
    return widths


def widths_array(widths: dict[int, float]) -> ArrayObject:
    """Return /W for glyph -> width: runs of consecutive glyphs."""
    array = ArrayObject()
    run: ArrayObject | None = None
    previous = None
    for glyph in sorted(widths):
        if previous is None or glyph != previous + 1:
            run = ArrayObject()
            array += [NumberObject(glyph), run]
        run.append(_number(widths[glyph]))
        previous = glyph
    return array


def _number(value: float):
    return NumberObject(int(value)) if float(value).is_integer() else FloatObject(round(value, 3))


# --- merging ---------------------------------------------------------------------------------------------


@dataclass
class _Group:
    """The subsets of one original font, and where the pages use them."""

    original: Path
    fonts: list[DictionaryObject] = field(default_factory=list)
    uses: list[tuple[DictionaryObject, NameObject]] = field(default_factory=list)  # (font resources, name)


def _parts(font: DictionaryObject):
    """Return (CIDFont, descriptor, font file key, program) of a mergeable Type0 font, or None."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
        return None
    descendants = font.get("/DescendantFonts")
    if descendants is None or len(descendants.get_object()) != 1:
        return None
    cid = descendants.get_object()[0].get_object()
    if cid.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2"):
        return None
    if cid.get("/CIDToGIDMap", "/Identity") != "/Identity" or "/FontDescriptor" not in cid:
        return None
    descriptor = cid["/FontDescriptor"].get_object()
    key = next((k for k in ("/FontFile3", "/FontFile2") if k in descriptor), None)
    if key is None or "/CIDSet" in descriptor:
        return None
    return cid, descriptor, key, descriptor[key].get_object().get_data()


def _font_resources(writer: PdfWriter):
    """Yield every /Font resource dictionary of the pages and of the forms they draw."""
    seen: set[int] = set()
    stack = [page.get("/Resources") for page in writer.pages]
    while stack:
        resources = stack.pop(0)
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject) or id(resources) in seen:
            continue
        seen.add(id(resources))
        if "/Font" in resources:
            yield resources["/Font"].get_object()
        for xobject in (resources.get("/XObject") or DictionaryObject()).get_object().values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources"))


def merge_fonts(writer: PdfWriter, originals: dict[tuple, Path] | None = None) -> int:
    """Replace the subsets of each original font by one merged subset; return the fonts merged.

    ``originals`` maps font identities to their files (default: the bundled fonts).
    """
    originals = bundled_fonts() if originals is None else originals
    groups: dict[tuple, _Group] = {}
    for resources in _font_resources(writer):
        for name, ref in list(resources.items()):
            font = ref.get_object()
            parts = _parts(font)
            key = identity(parts[3]) if parts else None
            if key not in originals:
                continue
            group = groups.setdefault((key, parts[2]), _Group(originals[key]))
            if not any(font is f for f in group.fonts):
                group.fonts.append(font)
            group.uses.append((resources, NameObject(name)))
    merged = 0
    for group in groups.values():
        new = _merged_font(writer, group)
        if new is None:
            continue
        for resources, name in group.uses:
            resources[name] = new
        merged += 1
    return merged


def _merged_font(writer: PdfWriter, group: _Group):
    """Return a reference to one font holding every glyph of the group, or None if it cannot."""
    widths: dict[int, float] = {}
    to_unicode: dict[int, str] = {}
    right = 0.0
    for font in group.fonts:
        cid, descriptor, _, _ = _parts(font)
        font_widths = read_widths(cid.get("/W"))
        mapping = read_to_unicode(font["/ToUnicode"].get_object().get_data()) if "/ToUnicode" in font else {}
        if font_widths is None or mapping is None:
            return None
        for glyph, width in font_widths.items():
            widths.setdefault(glyph, width)
        for glyph, text in mapping.items():
            to_unicode.setdefault(glyph, text)
        right = max(right, float(descriptor.get("/FontBBox", [0, 0, 0, 0])[2]))
    program = subset(group.original, sorted({0, *widths, *to_unicode}))
    if program is None:
        return None
    first = group.fonts[0]
    cid, descriptor, file_key, _ = _parts(first)
    base = str(first["/BaseFont"]).lstrip("/")
    name = NameObject(f"/{subset_tag(program)}+{base.split('+', 1)[1] if '+' in base[:7] else base}")

    font_file = DecodedStreamObject()
    font_file.set_data(program)
    old_file = descriptor[file_key].get_object()
    for key in ("/Subtype",):
        if key in old_file:
            font_file[NameObject(key)] = old_file[key]
    if file_key == "/FontFile2":
        font_file[NameObject("/Length1")] = NumberObject(len(program))

    new_descriptor = DictionaryObject({k: v for k, v in descriptor.items() if k != file_key})
    bbox = [float(v) for v in descriptor.get("/FontBBox", [0, 0, 0, 0])]
    new_descriptor[NameObject("/FontBBox")] = ArrayObject([_number(v) for v in (bbox[0], bbox[1], right, bbox[3])])
    new_descriptor[NameObject("/FontName")] = name
    new_descriptor[NameObject(file_key)] = writer._add_object(font_file)

    new_cid = DictionaryObject({k: v for k, v in cid.items()})
    new_cid[NameObject("/BaseFont")] = name
    new_cid[NameObject("/W")] = widths_array(widths)
    new_cid[NameObject("/FontDescriptor")] = writer._add_object(new_descriptor)

    cmap = DecodedStreamObject()
    cmap.set_data(to_unicode_cmap(to_unicode))
    new_font = DictionaryObject({k: v for k, v in first.items()})
    new_font[NameObject("/BaseFont")] = name
    new_font[NameObject("/DescendantFonts")] = ArrayObject([writer._add_object(new_cid)])
    new_font[NameObject("/ToUnicode")] = writer._add_object(cmap)
    return writer._add_object(new_font)


def subset_tag(program: bytes) -> str:
    """Return the six-letter subset tag of a font program, made from its bytes.

    Two different subsets never share a name (a RIP may cache fonts by name).
    """
    return "".join(chr(ord("A") + b % 26) for b in hashlib.sha256(program).digest()[:6])


def subset(original: Path, glyphs: list[int]) -> bytes | None:
    """Return the original font cut down to ``glyphs``, keeping glyph ids, or None.

    The same HarfBuzz settings as WeasyPrint's own subsets: glyph ids kept,
    unknown tables passed through, CFF desubroutinised, no hinting, and the
    layout tables (the PDF is already shaped) dropped.
    """
    face = hb.Face(hb.Blob(_font_bytes(original)))
    wanted = hb.SubsetInput()
    for glyph in glyphs:
        wanted.glyph_set.add(glyph)
    wanted.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                    | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING)
    drop = wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG "):
        drop.add(int.from_bytes(tag, "big"))
    result = hb.subset(face, wanted)
    data = result.blob.data if result is not None else b""
    return bytes(data) or None


