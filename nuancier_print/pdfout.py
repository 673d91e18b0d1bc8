"""Assemble rendered one-page PDFs into output files with pypdf.

Faces are rendered one per PDF (so they can be cached and rendered in
parallel); :func:`assemble` concatenates them, removes duplicated font
programs, and gives the result fixed identifiers so the same faces always
give the same bytes. :func:`add_crop_marks` draws CMYK crop marks outside
the bleed.
"""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, DecodedStreamObject, NameObject, RectangleObject

from .geometry import mm_to_pt


def assemble(pdfs: list[bytes], *, title: str = "", marks: bool = False, bleed_mm: float = 3.0) -> bytes:
    """Return one PDF made of the first page of each of ``pdfs``, in order."""
    writer = PdfWriter()
    for data in pdfs:
        page = writer.add_page(PdfReader(io.BytesIO(data)).pages[0])
        if marks:
            add_crop_marks(writer, page, bleed_mm)
    if title:
        writer.add_metadata({"/Title": title})
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    return _fixed_bytes(writer, pdfs)


def _fixed_bytes(writer: PdfWriter, parts: list[bytes]) -> bytes:
    digest = hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).digest()[:16]
    ident = ByteStringObject(digest)
    writer._ID = ArrayObject([ident, ident])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


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
