"""Put separately rendered sections of one document back together, links and bookmarks included.

The booklet is rendered a section at a time so that each section can be
cached (see :mod:`.booklet`). WeasyPrint gives each section's PDF its own
named destinations (one per HTML id), its own bookmarks, and, for the
sommaire, links to anchors that are in other sections: those are written as
``nuancier-anchor:<id>`` URIs. :func:`join_sections` concatenates the pages
and then gives the whole file what one WeasyPrint document would have had:

* one name tree of destinations, sorted, each pointing at its page;
* every ``nuancier-anchor:`` link turned into a link to its destination;
* the sections' bookmarks in one outline, in page order, levels kept.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, Fit, NameObject, NullObject, NumberObject, TextStringObject

ANCHOR_SCHEME = "nuancier-anchor:"


def join_sections(parts: list[bytes], *, before_last: list[bytes] = ()) -> PdfWriter:
    """Return a writer holding every page of ``parts`` in order, ``before_last``'s before the very last."""
    readers = [PdfReader(io.BytesIO(data)) for data in parts]
    inserted = [PdfReader(io.BytesIO(data)) for data in before_last]
    order = [(r, i) for r in readers for i in range(len(r.pages))]
    if inserted:
        order[-1:-1] = [(r, i) for r in inserted for i in range(len(r.pages))]
    writer = PdfWriter()
    final: dict[tuple[int, int], int] = {}  # (reader, page index) -> page index in the writer
    for index, (reader, page) in enumerate(order):
        writer.add_page(reader.pages[page])
        final[(id(reader), page)] = index
    _destinations(writer, readers + inserted, final)
    _links(writer)
    for reader in readers + inserted:
        _outline(writer, reader, reader.outline, final, None)
    return writer


def _destinations(writer: PdfWriter, readers: list[PdfReader], final: dict) -> None:
    """Give the writer one sorted name tree of every section's destinations."""
    names = {}
    for reader in readers:
        for name, dest in reader.named_destinations.items():
            page = final[(id(reader), reader.get_destination_page_number(dest))]
            names[str(name)] = ArrayObject([writer.pages[page].indirect_reference, NameObject("/XYZ"),
                                            _number(dest.left), _number(dest.top), NumberObject(0)])
    if not names:
        return
    flat = ArrayObject()
    for name in sorted(names):
        flat += [TextStringObject(name), names[name]]
    tree = DictionaryObject({NameObject("/Dests"): DictionaryObject({NameObject("/Names"): flat})})
    writer._root_object[NameObject("/Names")] = tree


def _number(value):
    return NullObject() if value is None else value


def _links(writer: PdfWriter) -> None:
    """Turn each ``nuancier-anchor:<id>`` link into a link to the destination ``<id>``."""
    for page in writer.pages:
        for ref in page.get("/Annots") or ():
            annotation = ref.get_object()
            action = annotation.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if uri.startswith(ANCHOR_SCHEME):
                del annotation["/A"]
                annotation[NameObject("/Dest")] = TextStringObject(uri[len(ANCHOR_SCHEME):])


def _outline(writer: PdfWriter, reader: PdfReader, items: list, final: dict, parent) -> None:
    """Copy a section's bookmarks (pypdf's nested lists: an item, then its children's list)."""
    last = None
    for item in items:
        if isinstance(item, list):
            _outline(writer, reader, item, final, last)
            continue
        page = final[(id(reader), reader.get_destination_page_number(item))]
        fit = Fit.xyz(item.left, item.top, item.zoom) if item.typ == "/XYZ" else Fit.fit()
        last = writer.add_outline_item(title=str(item.title), page_number=page, parent=parent, fit=fit)
