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

What merging needs of each face's font (:class:`FontFacts`) is read either
from pypdf's objects (:func:`merge_fonts`, after the pages are added) or,
for the deck's faces, straight from their bytes before the pages are added
(:func:`read_page_fonts`, :func:`merge_read_fonts`): then the faces' own
font objects, half of what pypdf would parse, are never parsed or copied.
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


@dataclass(frozen=True)
class FontFacts:
    """What merging needs to know of one font of a face."""

    identity: tuple  # of its program: which bundled font it is cut from
    file_key: str  # /FontFile3 (CFF) or /FontFile2 (TrueType)
    widths: dict[int, float]
    to_unicode: dict[int, str]
    right: float  # of its /FontBBox
    objects: tuple[int, ...] = ()  # its own objects' numbers in the face (read from the bytes only)


def font_facts(font: DictionaryObject) -> FontFacts | None:
    """Return the facts of a parsed font dictionary, or None if it cannot be merged safely."""
    parts = _parts(font)
    if parts is None:
        return None
    cid, descriptor, file_key, program = parts
    widths = read_widths(cid.get("/W"))
    mapping = read_to_unicode(font["/ToUnicode"].get_object().get_data()) if "/ToUnicode" in font else {}
    key = identity(program)
    if widths is None or mapping is None or key is None:
        return None
    return FontFacts(key, file_key, widths, mapping, float(descriptor.get("/FontBBox", [0, 0, 0, 0])[2]))


@dataclass
class _Group:
    """The subsets of one original font, and where the pages use them."""

    original: Path
    fonts: list[DictionaryObject] = field(default_factory=list)
    facts: list[FontFacts] = field(default_factory=list)
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
            facts = font_facts(font)
            if facts is None or facts.identity not in originals:
                continue
            group = groups.setdefault((facts.identity, facts.file_key), _Group(originals[facts.identity]))
            if not any(font is f for f in group.fonts):
                group.fonts.append(font)
                group.facts.append(facts)
            group.uses.append((resources, NameObject(name)))
    merged = 0
    for group in groups.values():
        new = merged_font(writer, group.fonts[0], group.original, group.facts)
        if new is None:
            continue
        for resources, name in group.uses:
            resources[name] = new
        merged += 1
    return merged


def merged_font(writer: PdfWriter, first: DictionaryObject, original: Path, facts: list[FontFacts]):
    """Return a reference to one font holding every glyph of ``facts``, or None if it cannot.

    ``first`` is one of the fonts merged, already in ``writer``: the new
    font is made in its image.
    """
    widths: dict[int, float] = {}
    to_unicode: dict[int, str] = {}
    right = 0.0
    for font in facts:
        for glyph, width in font.widths.items():
            widths.setdefault(glyph, width)
        for glyph, text in font.to_unicode.items():
            to_unicode.setdefault(glyph, text)
        right = max(right, font.right)
    program = subset(original, sorted({0, *widths, *to_unicode}))
    if program is None:
        return None
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


# --- a face's fonts read straight from its bytes ----------------------------------------------------
#
# Parsing each face's fonts with pypdf was most of what assembling the deck
# cost: their /W arrays alone are half the tokens of a face. WeasyPrint writes
# every font in one plain form (uncompressed faces, see build.PDF_OPTIONS),
# which the few expressions below read directly. Whatever they do not
# recognise gives None, and the face is merged the pypdf way: the facts are
# the same either way (tested on every font of the shipped deck and booklet).

_OBJECT = re.compile(rb"\s*(\d+)\s+0\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?![\d.])(?!\s+\d+\s+R)")  # a direct length only
_W_ARRAY = re.compile(rb"/W\s*\[((?:\s*[-+]?[\d.]+(?![\d.])|\s*\[[-+\d.\s]*\])*)\s*\]")  # numbers, [numbers]
_W_TOKEN = re.compile(rb"\[|\]|[-+]?[\d.]+")
_BBOX = re.compile(rb"/FontBBox\s*\[\s*([-+\d.]+)\s+([-+\d.]+)\s+([-+\d.]+)\s+([-+\d.]+)\s*\]")
_DESCENDANT = re.compile(rb"/DescendantFonts\s*\[\s*(\d+)\s+0\s+R\s*\]")


def _has(text: bytes, key: bytes, value: bytes) -> bool:
    return re.search(rb"/" + key + rb"\s*/" + value + rb"(?![^\s/<>\[\]()])", text) is not None


def _ref(text: bytes, key: bytes) -> int | None:
    match = re.search(rb"/" + key + rb"\s+(\d+)\s+0\s+R", text)
    return int(match[1]) if match else None


def _raw_object(data: bytes, offsets: dict, number: int | None) -> tuple[bytes, bytes | None] | None:
    """Return (dictionary text, stream data or None) of an uncompressed object, or None."""
    start = offsets.get(number)
    match = _OBJECT.match(data, start) if start is not None else None
    if match is None or int(match[1]) != number:
        return None
    end = data.find(b"endobj", match.end())
    if end < 0:
        return None
    at = data.find(b"stream", match.end(), end)
    if at < 0:
        return data[match.end():end], None
    head = data[match.end():at]
    length = _LENGTH.search(head)
    if length is None or b"/Filter" in head:
        return None
    begin = at + len(b"stream") + (2 if data.startswith(b"\r\n", at + 6) else 1)
    stream = data[begin:begin + int(length[1])]
    if not data[begin + len(stream):begin + len(stream) + 12].lstrip(b"\r\n").startswith(b"endstream"):
        return None
    return head, stream


def _raw_widths(text: bytes) -> dict[int, float] | None:
    """Return a CIDFont's /W from its dictionary's text, read as :func:`read_widths` reads pypdf's."""
    if b"/W" not in text.replace(b"/WMode", b""):
        return {}
    match = _W_ARRAY.search(text)
    if match is None:
        return None
    items: list = []
    inner: list | None = None
    for token in _W_TOKEN.findall(match[1]):  # numbers and one level of [numbers], as matched
        if token == b"[":
            inner = []
        elif token == b"]":
            items.append(inner)
            inner = None
        else:
            (items if inner is None else inner).append(float(token))
    try:
        return read_widths(items)
    except (TypeError, ValueError):  # a list where a number should be
        return None


def raw_font_facts(data: bytes, offsets: dict, number: int) -> FontFacts | None:
    """Return the facts of font object ``number`` of a face, read from its bytes, or None."""
    font = _raw_object(data, offsets, number)
    if font is None or font[1] is not None:
        return None
    text = font[0]
    descendant = _DESCENDANT.search(text)
    if not (_has(text, b"Subtype", b"Type0") and _has(text, b"Encoding", b"Identity-H")) or descendant is None:
        return None
    cid = _raw_object(data, offsets, int(descendant[1]))
    if cid is None or cid[1] is not None:
        return None
    cid_text = cid[0]
    if not (_has(cid_text, b"Subtype", b"CIDFontType0") or _has(cid_text, b"Subtype", b"CIDFontType2")):
        return None
    if b"/CIDToGIDMap" in cid_text and not _has(cid_text, b"CIDToGIDMap", b"Identity"):
        return None
    descriptor = _raw_object(data, offsets, _ref(cid_text, b"FontDescriptor"))
    if descriptor is None or descriptor[1] is not None or b"/CIDSet" in descriptor[0]:
        return None
    file_key = next((key for key in (b"FontFile3", b"FontFile2") if b"/" + key in descriptor[0]), None)
    program = _raw_object(data, offsets, _ref(descriptor[0], file_key)) if file_key else None
    if program is None or program[1] is None:
        return None
    to_unicode, mapping = _ref(text, b"ToUnicode"), {}
    if b"/ToUnicode" in text:
        cmap = _raw_object(data, offsets, to_unicode)
        mapping = read_to_unicode(cmap[1]) if cmap is not None and cmap[1] is not None else None
    widths, key = _raw_widths(cid_text), identity(program[1])
    if widths is None or mapping is None or key is None:
        return None
    bbox = _BBOX.search(descriptor[0])
    objects = (number, int(descendant[1]), _ref(cid_text, b"FontDescriptor"), _ref(descriptor[0], file_key))
    return FontFacts(key, "/" + file_key.decode(), widths, mapping, float(bbox[3]) if bbox else 0.0,
                     objects + ((to_unicode,) if to_unicode is not None else ()))


def read_page_fonts(reader, data: bytes) -> dict[str, FontFacts] | None:
    """Return {resource name: facts} for the fonts of a one-page face, read from its bytes, or None.

    None when some font cannot be read that way, or when the page draws a
    form (whose own fonts this does not look for).
    """
    if len(reader.pages) != 1 or getattr(reader, "xref_objStm", None):
        return None
    resources = reader.pages[0].get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    xobjects = resources.get("/XObject")
    if xobjects is not None and any(x.get_object().get("/Subtype") != "/Image" for x in xobjects.get_object().values()):
        return None
    font_dict = resources.get("/Font")
    offsets = reader.xref.get(0, {})
    found = {}
    for name, ref in dict.items(font_dict.get_object() if font_dict is not None else {}):
        facts = raw_font_facts(data, offsets, ref.idnum) if hasattr(ref, "idnum") else None
        if facts is None:
            return None
        found[str(name)] = facts
    return found


def merge_read_fonts(writer: PdfWriter, faces: list, originals: dict[tuple, Path] | None = None):
    """Make one merged font per original font of ``faces``, before their pages are added.

    ``faces`` lists (reader, :func:`read_page_fonts` of it). Return, per
    face, {resource name: merged font}; or None if a font is not one of
    ``originals`` (default: the bundled fonts) or cannot be merged, and then
    the faces are merged the pypdf way (:func:`merge_fonts`).
    """
    originals = bundled_fonts() if originals is None else originals
    groups: dict[tuple, tuple[tuple, list[FontFacts], set]] = {}
    for reader, named in faces:
        for facts in named.values():
            if facts.identity not in originals:
                return None
            key = (facts.identity, facts.file_key)
            _, all_facts, seen = groups.setdefault(key, ((reader, facts.objects[0]), [], set()))
            if (id(reader), facts.objects[0]) not in seen:
                seen.add((id(reader), facts.objects[0]))
                all_facts.append(facts)
    merged = {}
    for key, ((reader, number), all_facts, _) in groups.items():
        template = reader.get_object(number).clone(writer)  # copied into the new font, then unreachable
        merged[key] = merged_font(writer, template, originals[key[0]], all_facts)
        if merged[key] is None:
            return None
    return [{name: merged[(f.identity, f.file_key)] for name, f in named.items()} for _, named in faces]


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
    return cut(_font_bytes(original), glyphs)


def cut(program: bytes, glyphs: list[int], *, index: int = 0, hinting: bool = False) -> bytes | None:
    """Return a font program cut down to ``glyphs`` (see :func:`subset`), in one HarfBuzz pass, or None."""
    face = hb.Face(hb.Blob(program), index)
    wanted = hb.SubsetInput()
    for glyph in glyphs:
        wanted.glyph_set.add(glyph)
    wanted.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                    | hb.SubsetFlags.DESUBROUTINIZE | (hb.SubsetFlags.DEFAULT if hinting else hb.SubsetFlags.NO_HINTING))
    drop = wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG "):
        drop.add(int.from_bytes(tag, "big"))
    result = hb.subset(face, wanted)
    data = result.blob.data if result is not None else b""
    return bytes(data) or None
