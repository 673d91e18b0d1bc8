"""Assemble rendered one-page PDFs into output files with pypdf.

Faces are rendered one per PDF (so they can be cached and rendered in
parallel); :func:`assemble` concatenates them and makes the result a proper
print file:

* PDF/X-4 identification: a CMYK output intent (coated FOGRA39, its ICC
  profile embedded once), XMP metadata and document information written by
  us, with dates and identifiers that depend only on the content
  (reproducible bytes). Faces are plain DeviceCMYK PDFs: PDF/X-4 reads
  device colours through the output intent;
* the faces' subsets of each font are merged into one (:mod:`.fontmerge`);
  every embedded font subset gets a tag derived from its own bytes, so two
  different subsets never share a name (a RIP may cache fonts by name);
* identical objects (font programs, the ICC profile) are stored once;
* optional CMYK crop marks outside the bleed (:func:`add_crop_marks`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, ByteStringObject, DecodedStreamObject, DictionaryObject, IndirectObject,
                           NameObject, NumberObject, RectangleObject, StreamObject, TextStringObject)

from . import __version__
from .fontmerge import merge_fonts, merge_read_fonts, read_page_fonts, subset_tag
from .geometry import mm_to_pt


@dataclass(frozen=True)
class DocInfo:
    """What the output file says about itself."""

    title: str
    date: dt.datetime
    identity: str  # hashes what the file is made of (the faces' cache keys): fixes the PDF's IDs
    pdfx: bool = True


def assemble(pdfs: list[bytes], info: DocInfo, *, marks: bool = False, bleed_mm: float = 3.0) -> bytes:
    """Return one PDF made of the first page of each of ``pdfs``, in order."""
    writer = PdfWriter()
    readers = [reader(data) for data in pdfs]
    fonts = [_page_fonts(face, data) for face, data in zip(readers, pdfs)]
    merged = merge_read_fonts(writer, list(zip(readers, fonts))) if None not in fonts else None
    for index, face in enumerate(readers):
        page = _add_page(writer, face, merged[index] if merged is not None else None)
        if marks:
            add_crop_marks(writer, page, bleed_mm)
    digest = document_id(info, marks)
    if merged is None:  # some face's fonts were not read from its bytes: merge them as pypdf parsed them
        merge_fonts(writer)
    _retag_fonts(writer)
    _describe(writer, readers[0] if readers else None, info, digest)
    drop_unreachable(writer)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=False)
    compress_streams(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


_READERS: dict[bytes, PdfReader] = {}  # face PDF digest -> parsed reader, reused by `watch`


def reader(data: bytes) -> PdfReader:
    """Return a reader for a face PDF; a face seen before is not parsed again (see :func:`prepare`)."""
    key = hashlib.sha256(data).digest()
    parsed = _READERS.get(key)
    if parsed is None:
        if len(_READERS) > 2048:
            _READERS.clear()
        parsed = _READERS[key] = PdfReader(io.BytesIO(data))
    return parsed


def _page_fonts(reader: PdfReader, data: bytes):
    """Return a face's fonts as read from its bytes (:func:`~.fontmerge.read_page_fonts`), once per face."""
    if not hasattr(reader, "nuancier_fonts"):
        reader.nuancier_fonts = read_page_fonts(reader, data)
    return reader.nuancier_fonts


def _add_page(writer: PdfWriter, reader: PdfReader, fonts: dict | None):
    """Add a face's page; with ``fonts`` (name -> merged font), its own fonts are never copied."""
    source = reader.pages[0]
    if not fonts:
        return writer.add_page(source)
    resources = source["/Resources"]
    own = dict.get(resources, "/Font")
    dict.__setitem__(resources, NameObject("/Font"), DictionaryObject())  # for the copy only
    try:
        page = writer.add_page(source)
    finally:
        dict.__setitem__(resources, NameObject("/Font"), own)
    page["/Resources"][NameObject("/Font")] = DictionaryObject({NameObject(n): ref for n, ref in fonts.items()})
    return page


def prepare(data: bytes) -> None:
    """Parse what :func:`assemble` will need of a face PDF now, so that it only copies.

    The build calls this for each new face as it comes back from a render
    worker, while the others are still rendering: parsing is most of what
    assembly costs, and the main process would otherwise only wait. The
    face's fonts are read straight from its bytes when they can be
    (:func:`~.fontmerge.read_page_fonts`); their objects, replaced by the
    merged fonts, are then never parsed. Nor is what the page does not
    refer to (the face's outline, catalog and info), which assembly never
    copies.
    """
    parsed = reader(data)
    fonts = _page_fonts(parsed, data)
    _reach([parsed.pages[0]], {number for facts in (fonts or {}).values() for number in facts.objects},
           skip="/Parent")


def _reach(stack: list, seen: set[int], skip: str | None = None) -> set[int]:
    """Parse every indirect object reachable from ``stack`` and not in ``seen``; return ``seen`` with them.

    Dictionaries (streams too) and arrays are followed, but not a
    dictionary's ``skip`` key (a page's ``/Parent``, which leads to every
    other page).
    """
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum not in seen:
                seen.add(item.idnum)
                stack.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            stack.extend(value for key, value in item.items() if key != skip)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return seen


def document_id(info: DocInfo, marks: bool = False) -> bytes:
    """Return the 32-byte digest that identifies an assembled file (its /ID is the first 16)."""
    return hashlib.sha256(f"{info.identity}|{info.title}|{info.date.isoformat()}|marks={marks}".encode()).digest()


def existing_id(path) -> bytes | None:
    """Return the first /ID of an existing PDF, or None if there is no readable file."""
    try:
        ident = PdfReader(path).trailer.get("/ID")
        return bytes(ident[0].original_bytes) if ident else None
    except Exception:  # noqa: BLE001 - a missing or broken file simply has no usable ID
        return None


def drop_unreachable(writer: PdfWriter) -> None:
    """Forget every object the document no longer reaches (replaced fonts, for one).

    pypdf's own clean-up only drops objects nothing refers to, so a chain of
    orphans (an old font, its descendant, its font file) would survive it.
    """
    reached = _reach([writer._root_object, writer._info.get_object() if writer._info is not None else None], set())
    for root in (writer._root_object, writer._info):
        if root is not None and root.indirect_reference is not None:
            reached.add(root.indirect_reference.idnum)
    for index in range(len(writer._objects)):
        if index + 1 not in reached:
            writer._objects[index] = None


def compress_streams(writer: PdfWriter) -> None:
    """Flate-compress every stream left uncompressed, except the XMP metadata."""
    for index, obj in enumerate(writer._objects):
        if isinstance(obj, StreamObject) and "/Filter" not in obj and obj.get("/Type") != "/Metadata":
            writer._objects[index] = obj.flate_encode(level=6)


def _describe(writer: PdfWriter, source: PdfReader | None, info: DocInfo, digest: bytes) -> None:
    """Describe an assembled file, keeping the language of its first face."""
    describe(writer, info, digest)
    root = writer._root_object
    if source is not None and "/Lang" in source.trailer["/Root"]:
        root[NameObject("/Lang")] = TextStringObject(str(source.trailer["/Root"]["/Lang"]))


def describe(writer: PdfWriter, info: DocInfo, digest: bytes) -> None:
    """Write the document information, the XMP metadata, the /ID and, for PDF/X, the output intent.

    The XMP stream is replaced in place when the file already has one, so no
    stale copy is left behind; an output intent already there is kept. The
    /ID is the first 16 bytes of ``digest``: the same inputs, the same bytes.
    """
    writer._ID = ArrayObject([ByteStringObject(digest[:16]), ByteStringObject(digest[:16])])
    stamp = _pdf_date(info.date)
    writer.add_metadata({"/Title": info.title, "/Producer": f"nuancier-print {__version__} (WeasyPrint, pypdf)",
                         "/Creator": "nuancier-print", "/CreationDate": stamp, "/ModDate": stamp})
    writer._info.get_object()[NameObject("/Trapped")] = NameObject("/False")
    _set_xmp(writer, xmp(info, digest).encode("utf-8"))
    root = writer._root_object
    if info.pdfx and "/OutputIntents" not in root:  # PDF/X-4: device CMYK read through coated FOGRA39
        writer.pdf_header = "%PDF-1.6"  # PDF/X-4 is based on PDF 1.6
        root[NameObject("/OutputIntents")] = ArrayObject([output_intent(writer)])


def _set_xmp(writer: PdfWriter, packet: bytes) -> None:
    """Put ``packet`` in the document's XMP metadata stream, in place."""
    root = writer._root_object
    existing = root.get("/Metadata")
    metadata = existing.get_object() if existing is not None else None
    if metadata is None or "/Filter" in metadata:
        metadata = DecodedStreamObject()
        metadata[NameObject("/Type")] = NameObject("/Metadata")
        metadata[NameObject("/Subtype")] = NameObject("/XML")
        root[NameObject("/Metadata")] = writer._add_object(metadata)
    metadata.set_data(packet)


ICC_PROFILE = Path(__file__).resolve().parent.parent / "layouts" / "icc" / "FOGRA39L-coated.icc"
OUTPUT_CONDITION = "FOGRA39L coated"


def output_intent(writer: PdfWriter):
    """Return a PDF/X output intent for coated FOGRA39 printing, with its ICC profile."""
    profile = DecodedStreamObject()
    profile.set_data(ICC_PROFILE.read_bytes())
    profile[NameObject("/N")] = NumberObject(4)
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFX"),
        NameObject("/OutputConditionIdentifier"): TextStringObject(OUTPUT_CONDITION),
        NameObject("/Info"): TextStringObject(OUTPUT_CONDITION),
        NameObject("/DestOutputProfile"): writer._add_object(profile),
    })
    return writer._add_object(intent)


def _pdf_date(date: dt.datetime) -> str:
    return date.strftime("D:%Y%m%d%H%M%S+00'00'")


def xmp(info: DocInfo, digest: bytes) -> str:
    """Return the XMP metadata packet: title, dates, identifiers and PDF/X version."""
    when = info.date.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    document_id = uuid.UUID(bytes=digest[:16])
    pdfx = ("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"
            "<pdfx:GTS_PDFXVersion>PDF/X-4</pdfx:GTS_PDFXVersion>") if info.pdfx else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/" '
        'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.title)}</rdf:li></rdf:Alt></dc:title>'
        '<dc:format>application/pdf</dc:format>'
        f"{pdfx}<pdf:Trapped>False</pdf:Trapped>"
        f"<pdf:Producer>nuancier-print {__version__} (WeasyPrint, pypdf)</pdf:Producer>"
        f"<xmp:CreatorTool>nuancier-print</xmp:CreatorTool>"
        f"<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>"
        f"<xmpMM:DocumentID>uuid:{document_id}</xmpMM:DocumentID>"
        f"<xmpMM:InstanceID>uuid:{document_id}</xmpMM:InstanceID>"
        "<xmpMM:VersionID>1</xmpMM:VersionID><xmpMM:RenditionClass>default</xmpMM:RenditionClass>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )


def _retag_fonts(writer: PdfWriter) -> None:
    """Give every embedded font subset a tag made from its own font program."""
    seen: set[int] = set()
    for page in writer.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            if id(font) in seen:  # the merged fonts serve many pages
                continue
            seen.add(id(font))
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            program = next((descriptor[k].get_object().get_data() for k in ("/FontFile3", "/FontFile2", "/FontFile")
                            if k in descriptor), None)
            if program is None:
                continue
            tag = subset_tag(program)
            for holder, key in ((font, "/BaseFont"), (descendant, "/BaseFont"), (descriptor, "/FontName")):
                name = str(holder[key]).lstrip("/")
                base = name.split("+", 1)[1] if "+" in name[:7] else name
                holder[NameObject(key)] = NameObject(f"/{tag}+{base}")



MARK_LENGTH_MM = 5.0
MARK_WEIGHT_PT = 0.25


def add_crop_marks(writer: PdfWriter, page, bleed_mm: float) -> None:
    """Grow the page's media by a slug and draw CMYK crop marks at the trim corners."""
    trim = page.trimbox
    slug = mm_to_pt(bleed_mm + MARK_LENGTH_MM + 1.0)
    x0, y0, x1, y1 = (float(v) for v in (trim.left, trim.bottom, trim.right, trim.top))
    media = RectangleObject([x0 - slug, y0 - slug, x1 + slug, y1 + slug])
    page.mediabox = media
    page.cropbox = media
    gap, length = mm_to_pt(bleed_mm), mm_to_pt(MARK_LENGTH_MM)
    ops = [f"q 0 0 0 1 K {MARK_WEIGHT_PT} w"]
    for x, y, sx, sy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        ops.append(f"{x + sx * gap:.3f} {y:.3f} m {x + sx * (gap + length):.3f} {y:.3f} l S")
        ops.append(f"{x:.3f} {y + sy * gap:.3f} m {x:.3f} {y + sy * (gap + length):.3f} l S")
    ops.append("Q")
    append_content(writer, page, "\n".join(ops).encode())


def append_content(writer: PdfWriter, page, ops: bytes) -> None:
    """Draw ``ops`` on ``page`` in default user space, after its own content."""
    contents = page.get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject(
        [_stream(writer, b"q"), *existing, _stream(writer, b"Q\n" + ops)])


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)
