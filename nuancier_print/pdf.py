"""The PDF backend: the only module that reads or writes PDF objects (with pypdf).

Everything the pipeline does to a PDF after WeasyPrint wrote it goes through
here:

* :func:`finish` makes any output a complete print file, by one path for
  every output: document information and XMP metadata that agree (title,
  creator, producer, dates, ``/Trapped /False``), a trailer ``/ID``, its own
  XMP InstanceID, and for print files the PDF/X-4 identification with the
  coated FOGRA39 output intent (its ICC profile embedded). Dates and
  identifiers come from the content, so the same sources give the same bytes;
  a screen file (a booklet's screen edition, PDF/UA-1) gets the same
  document information, XMP (:func:`xmp`) and identifiers from WeasyPrint's
  finisher instead (:mod:`.screen`): pypdf would write its structure tree
  without object streams, at twice the size;
* :func:`page_form`, :func:`add_sheet_side` and :func:`append_content` are what
  imposition, crop marks and personal copies are made of;
* :func:`read` and :func:`operations` are what preflight reads PDFs with.

pypdf's private attributes (``_add_object``, ``_ID``) are used here and
nowhere else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
)

from . import __version__, contentops
from .errors import BuildError, relative
from .geometry import mm_to_pt
from .i18n import _

ICC_PROFILE = Path(__file__).resolve().parent.parent / "layouts" / "icc" / "FOGRA39L-coated.icc"
OUTPUT_CONDITION = "FOGRA39"  # its name in the ICC's registry of characterized printing conditions
OUTPUT_CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004)"
REGISTRY = "http://www.color.org"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"  # the XMP namespace of the PDF/UA identification
CREATOR = "nuancier-print"
PRODUCER = f"nuancier-print {__version__} (WeasyPrint, pypdf)"
Error = (OSError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, ZeroDivisionError)


@dataclass(frozen=True)
class DocInfo:
    """What an output file says about itself."""

    title: str
    date: dt.datetime
    identity: str  # hashes what the file is made of: fixes its InstanceID and the second half of its /ID
    document: str = ""  # names the document across its versions (its DocumentID); default: the title
    pdfx: bool = True  # a print file: PDF/X-4 with the FOGRA39 output intent
    ua: bool = False  # a screen file (see :mod:`.screen`): its XMP declares PDF/UA-1 and its language
    lang: str | None = "fr"
    purpose: str | None = None  # a sentence for the file's subject: what it is and how to print it


# --- reading -------------------------------------------------------------------------------


def read(source: Path | bytes, name: Path | None = None) -> PdfReader:
    """Open a PDF (a path or its bytes), turning a missing or broken file into a BuildError naming it."""
    shown = relative(Path(name)) if name is not None else "<pdf>" if isinstance(source, bytes) \
        else relative(Path(source))
    try:
        reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
        len(reader.pages)  # a broken page tree is found now, not later
        return reader
    except Error as error:
        raise BuildError(_("{file}: cannot read this PDF ({error})").format(file=shown, error=error)) from None


MAX_STREAM_BYTES = 128 * 1024 * 1024  # no stream of a print file inflates to more than this


def check_streams(reader: PdfReader, shown: Path | str) -> None:
    """Raise BuildError if a Flate stream of the file inflates past :data:`MAX_STREAM_BYTES`.

    A "flate bomb" (a few kilobytes that inflate to gigabytes) would make
    any reader, pdfium included, run out of memory: it is found here first,
    reading each stream's raw bytes with a bounded decompressor.
    """
    for number, generation in _object_numbers(reader):
        try:
            obj = reader.get_object(IndirectObject(number, generation, reader))
        except Error:
            continue
        if isinstance(obj, StreamObject) and _filters(obj) and _filters(obj)[0] == "/FlateDecode":
            raw = getattr(obj, "_data", b"")
            inflater = zlib.decompressobj()
            try:
                out = inflater.decompress(raw, MAX_STREAM_BYTES + 1)
            except zlib.error:
                continue  # a damaged stream: reading it fails, and says so, where it is used
            if len(out) > MAX_STREAM_BYTES:
                raise BuildError(_("{file}: object {number} inflates to more than {most} MB; this is not a print "
                                   "file (a \"flate bomb\"?)").format(file=relative(Path(shown)), number=number,
                                                                      most=MAX_STREAM_BYTES // 2**20))


def _object_numbers(reader: PdfReader) -> list[tuple[int, int]]:
    """Return (number, generation) of every object the cross-reference tables list."""
    found = {(number, generation) for generation, table in reader.xref.items() for number in table}
    found |= {(number, 0) for number in reader.xref_objStm}
    return sorted(found)


def _filters(obj) -> list[str]:
    filters = _get(obj.get("/Filter"))
    if filters is None:
        return []
    return [str(_get(f)) for f in filters] if isinstance(filters, ArrayObject) else [str(filters)]


def operations(owner) -> list:
    """Return the parsed (operands, operator) list of a page's or a form's content stream."""
    if isinstance(owner, PageObject):
        contents = owner.get_contents()
        return contents.operations if contents is not None else []
    return ContentStream(owner, None).operations


def content_data(owner) -> bytes:
    """Return the decoded content of a page (its streams joined) or of a form."""
    if isinstance(owner, PageObject):
        contents = owner.get_contents()
        return contents.get_data() if contents is not None else b""
    return owner.get_data()


def box_pt(page, name: str) -> tuple[float, float, float, float]:
    """Return a page box in points (pypdf falls back to the CropBox, then the MediaBox)."""
    rect = {"trim": page.trimbox, "bleed": page.bleedbox, "media": page.mediabox}[name]
    return float(rect.left), float(rect.bottom), float(rect.right), float(rect.top)


# --- building --------------------------------------------------------------------------------


def writer() -> PdfWriter:
    """Return an empty PDF to build sheets in."""
    return PdfWriter()


def clone(source: bytes | PdfReader) -> PdfWriter:
    """Return a writable copy of a PDF (its bytes or an open reader)."""
    return PdfWriter(clone_from=source if isinstance(source, PdfReader) else io.BytesIO(source))


def outline(reader: PdfReader) -> list[tuple[int, int, str]]:
    """Return a file's bookmarks as (level, page index, title), in order; level 1 is the top."""
    found: list[tuple[int, int, str]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, reader.get_destination_page_number(item), str(item.title)))

    walk(reader.outline, 1)
    return found


def add_outline(target: PdfWriter, entries: list[tuple[int, int, str]]) -> None:
    """Give a file bookmarks (level, page index, title), in order: each goes under the last one a level up."""
    parents: dict[int, object] = {}
    for level, page, title in entries:
        parents[level] = target.add_outline_item(title=title, page_number=page, parent=parents.get(level - 1))


def page_form(target: PdfWriter, page, bbox: tuple[float, float, float, float] | None = None):
    """Return an indirect Form XObject that draws ``page``, clipped to ``bbox`` (points; default its MediaBox)."""
    form = DecodedStreamObject()
    contents = page.get_contents()
    form.set_data(contents.get_data() if contents is not None else b"")
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in (bbox or box_pt(page, "media")))
    resources = page.get("/Resources")
    form[NameObject("/Resources")] = (resources.get_object().clone(target) if resources is not None
                                      else DictionaryObject())
    if "/Group" in page:
        form[NameObject("/Group")] = page["/Group"].get_object().clone(target)
    return target._add_object(form)


def add_sheet_side(target: PdfWriter, size_mm: tuple[float, float], content: bytes, xobjects: dict,
                   trim_mm: tuple[float, float, float, float] | None = None,
                   bleed_mm: tuple[float, float, float, float] | None = None):
    """Append a page of ``size_mm`` drawing ``content`` with ``xobjects`` (name -> form).

    Its TrimBox and BleedBox are the whole sheet unless given (mm from the
    sheet's lower left corner).
    """
    w, h = mm_to_pt(size_mm[0]), mm_to_pt(size_mm[1])
    page = target.add_blank_page(w, h)
    for box, rect in (("/TrimBox", trim_mm), ("/BleedBox", bleed_mm or trim_mm)):
        page[NameObject(box)] = RectangleObject([mm_to_pt(v) for v in rect] if rect else (0, 0, w, h))
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject(f"/{k}"): v for k, v in xobjects.items()})})
    page[NameObject("/Contents")] = _stream(target, content)
    return page


def append_content(target: PdfWriter, page, ops: bytes, xobjects: dict | None = None) -> None:
    """Draw ``ops`` on ``page`` in default user space, after its own content (``xobjects``: forms it uses)."""
    if xobjects:
        resources = page["/Resources"].get_object()
        own = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
        own.update({NameObject(f"/{k}"): v for k, v in xobjects.items()})
        resources[NameObject("/XObject")] = own
    contents = page.get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([_stream(target, b"q"), *existing, _stream(target, b"Q\n" + ops)])


def replace_page(target: PdfWriter, page, source) -> None:
    """Give ``page`` the drawing and resources of ``source`` (a page of the same size), in place."""
    page[NameObject("/Contents")] = source.raw_get("/Contents").clone(target)
    page[NameObject("/Resources")] = source.raw_get("/Resources").clone(target)


def grow_media(page, slug_mm: float) -> None:
    """Grow a page's MediaBox (and CropBox) by ``slug_mm`` around its TrimBox, for marks."""
    x0, y0, x1, y1 = box_pt(page, "trim")
    slug = mm_to_pt(slug_mm)
    media = RectangleObject([x0 - slug, y0 - slug, x1 + slug, y1 + slug])
    page.mediabox = media
    page.cropbox = media


def _stream(target: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return target._add_object(stream)


MARK_LENGTH_MM = 5.0
MARK_WEIGHT_PT = 0.25
REGISTRATION = b"1 1 1 1 K"  # marks print on every plate


def with_crop_marks(data: bytes, bleed_mm: float, info: DocInfo) -> bytes:
    """Return a finished copy of ``data`` with crop marks around every page's trim, outside its bleed."""
    target = clone(data)
    for page in target.pages:
        add_crop_marks(target, page, bleed_mm)
    return finish(target, info)


def add_crop_marks(target: PdfWriter, page, bleed_mm: float) -> None:
    """Grow the page's media by a slug and draw crop marks at the trim corners, in registration colour."""
    x0, y0, x1, y1 = box_pt(page, "trim")
    grow_media(page, bleed_mm + MARK_LENGTH_MM + 1.0)
    gap, length = mm_to_pt(bleed_mm), mm_to_pt(MARK_LENGTH_MM)
    ops = [b"q " + REGISTRATION + f" {MARK_WEIGHT_PT} w".encode()]
    for x, y, sx, sy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        ops.append(f"{x + sx * gap:.3f} {y:.3f} m {x + sx * (gap + length):.3f} {y:.3f} l S".encode())
        ops.append(f"{x:.3f} {y + sy * gap:.3f} m {x:.3f} {y + sy * (gap + length):.3f} l S".encode())
    ops.append(b"Q")
    append_content(target, page, b"\n".join(ops))


# --- die line --------------------------------------------------------------------------------

DIE_LINE = "CutContour"  # the spot colour cutting plotters and finishing RIPs cut along (Roland, Mimaki...)
DIE_LINE_ALTERNATE = (0.0, 1.0, 0.0, 0.0)  # how it shows on screen and on proofs: 100 % magenta
DIE_LINE_WEIGHT_PT = 0.25
DIE_LAYER = "Découpe (CutContour)"  # the optional content group's name, as a viewer lists it
_DIE_NAMES = {"space": "/NPCutContour", "state": "/NPcut", "layer": "/NPdie"}


def add_die_line(target: PdfWriter, page, path: bytes) -> None:
    """Stroke ``path`` (operators in page space) on top of ``page`` as a die line.

    It is drawn in a /Separation named ``CutContour`` whose alternate is a
    visible 100 % magenta, with overprint on (it never knocks out the
    artwork under it), inside its own optional content group, so that a
    viewer or a RIP can show, hide or route it to the cutter.
    """
    objects = _die_objects(target)
    ops = (f"/OC {_DIE_NAMES['layer']} BDC q {_DIE_NAMES['state']} gs {_DIE_NAMES['space']} CS 1 SCN "
           f"{DIE_LINE_WEIGHT_PT} w ").encode() + path + b" S Q EMC"
    add_resources(page, {"/ColorSpace": {_DIE_NAMES["space"]: objects["space"]},
                         "/ExtGState": {_DIE_NAMES["state"]: objects["state"]},
                         "/Properties": {_DIE_NAMES["layer"]: objects["layer"]}})
    append_content(target, page, ops)


def _die_objects(target: PdfWriter) -> dict:
    """Return the die line's colour space, graphics state and layer, made once per file."""
    made = getattr(target, "_nuancier_die", None)
    if made is None:
        alternate = DictionaryObject({
            NameObject("/FunctionType"): NumberObject(2),
            NameObject("/Domain"): ArrayObject([NumberObject(0), NumberObject(1)]),
            NameObject("/C0"): ArrayObject([FloatObject(0)] * 4),
            NameObject("/C1"): ArrayObject([FloatObject(v) for v in DIE_LINE_ALTERNATE]),
            NameObject("/N"): NumberObject(1)})
        space = ArrayObject([NameObject("/Separation"), NameObject(f"/{DIE_LINE}"), NameObject("/DeviceCMYK"),
                             target._add_object(alternate)])
        state = DictionaryObject({NameObject("/Type"): NameObject("/ExtGState"), NameObject("/OP"): BooleanObject(True),
                                  NameObject("/op"): BooleanObject(True), NameObject("/OPM"): NumberObject(1)})
        layer = DictionaryObject({NameObject("/Type"): NameObject("/OCG"),
                                  NameObject("/Name"): TextStringObject(DIE_LAYER)})
        made = {"space": target._add_object(space), "state": target._add_object(state),
                "layer": target._add_object(layer)}
        target._nuancier_die = made
    return made


def add_resources(page, entries: dict[str, dict]) -> None:
    """Add named resources to a page (``{"/ColorSpace": {"/Name": object}}``), keeping its others."""
    resources = page.get("/Resources")
    if resources is None:
        resources = DictionaryObject()
        page[NameObject("/Resources")] = resources
    resources = resources.get_object()
    for category, named in entries.items():
        own = DictionaryObject(_dict(resources.get(category)) or {})
        own.update({NameObject(name): obj for name, obj in named.items()})
        resources[NameObject(category)] = own


def register_optional_content(target: PdfWriter) -> None:
    """List every optional content group the pages and their forms use in the catalogue, all shown.

    PDF/X-4 wants each configuration named and every group in its order.
    """
    groups, seen = [], set()
    for page in target.pages:
        resources = _dict(page.get("/Resources"))
        holders = [resources] + [own for _, own in _forms(resources, set())]
        for holder in holders:
            properties = _dict(holder.get("/Properties")) if holder is not None else None
            for ref in (properties or {}).values():
                group = _get(ref)
                if isinstance(group, DictionaryObject) and group.get("/Type") == "/OCG" and id(group) not in seen:
                    seen.add(id(group))
                    groups.append(ref if hasattr(ref, "idnum") else target._add_object(group))
    root = target.root_object
    if not groups:
        if "/OCProperties" in root:
            del root["/OCProperties"]
        return
    root[NameObject("/OCProperties")] = DictionaryObject({
        NameObject("/OCGs"): ArrayObject(groups),
        NameObject("/D"): DictionaryObject({
            NameObject("/Name"): TextStringObject("nuancier-print"),
            NameObject("/Order"): ArrayObject(groups),
            NameObject("/ON"): ArrayObject(groups),
            NameObject("/OFF"): ArrayObject()})})


# --- press colour ------------------------------------------------------------------------------

OVERPRINT_KEYS = ("/OP", "/op", "/OPM")


def overprint_black(target: PdfWriter) -> None:
    """Make 100 % black fills overprint in every page and form (see :mod:`.contentops`).

    Each content stream is rewritten once (a stream already rewritten, as
    in a copy of a finished file, is left as it is); the two ExtGStates the
    rewrite names are added to the resources of what it changed.
    """
    done: set[int] = set()
    states = {}  # made once, when a stream first needs them
    for page in target.pages:
        resources = _dict(page.get("/Resources"))
        contents = page.get("/Contents")
        streams = list(contents.get_object()) if isinstance(_get(contents), ArrayObject) else [contents]
        _rewrite(target, [s for s in streams if s is not None], resources, done, states)
        for form, form_resources in _forms(resources, set()):
            _rewrite(target, [form], form_resources if form_resources is not None else resources, done, states)


def _get(obj):
    """Return an object resolved (None stays None)."""
    return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj


def _dict(obj) -> DictionaryObject | None:
    """Return a (possibly indirect) dictionary, or None if it is not one."""
    obj = _get(obj)
    return obj if isinstance(obj, DictionaryObject) else None


def _forms(resources, seen: set[int]):
    """Yield (form, its resources or None) for every Form XObject a resource dictionary can draw."""
    xobjects = _dict(resources.get("/XObject")) if resources is not None else None
    for ref in (xobjects or {}).values():
        form = _get(ref)
        if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form" or id(form) in seen:
            continue
        seen.add(id(form))
        own = _dict(form.get("/Resources"))
        yield form, own
        yield from _forms(own, seen)


def _rewrite(target: PdfWriter, streams: list, resources, done: set[int], made: dict) -> None:
    """Rewrite content streams drawn with ``resources``, once each, and declare the ExtGStates they use."""
    if resources is None:
        return
    states = _dict(resources.get("/ExtGState")) or DictionaryObject()
    neutral = frozenset(str(name) for name, state in states.items()
                        if isinstance(_get(state), DictionaryObject)
                        and not any(key in _get(state) for key in OVERPRINT_KEYS))
    changed = False
    for ref in streams:
        stream = _get(ref)
        if not isinstance(stream, StreamObject) or id(stream) in done:
            continue
        done.add(id(stream))
        data = contentops.overprint_black(stream.get_data(), neutral)
        if data is not None:
            stream.set_data(data)
            changed = True
    if changed:
        if not made:
            made.update({contentops.OVERPRINT_ON: _overprint_state(target, True),
                         contentops.OVERPRINT_OFF: _overprint_state(target, False)})
        states = DictionaryObject(states)
        states.update({NameObject(name): state for name, state in made.items()})
        resources[NameObject("/ExtGState")] = states


def _overprint_state(target: PdfWriter, on: bool):
    """Return the ExtGState that turns fill overprint on (nonzero mode) or off."""
    entries = {NameObject("/Type"): NameObject("/ExtGState"), NameObject("/op"): BooleanObject(on)}
    if on:
        entries[NameObject("/OPM")] = NumberObject(1)
    return target._add_object(DictionaryObject(entries))


# --- finishing -------------------------------------------------------------------------------


def finish(source: bytes | PdfWriter, info: DocInfo) -> bytes:
    """Return ``source`` as a finished output file (see the module docstring), its streams compressed."""
    target = source if isinstance(source, PdfWriter) else clone(source)
    overprint_black(target)
    register_optional_content(target)
    describe(target, info)
    for index, obj in enumerate(target._objects):
        if isinstance(obj, StreamObject) and "/Filter" not in obj and obj.get("/Type") != "/Metadata":
            target._objects[index] = obj.flate_encode(level=6)
    buffer = io.BytesIO()
    target.write(buffer)
    return buffer.getvalue()


def identifiers(info: DocInfo) -> tuple[bytes, bytes]:
    """Return the (document, instance) identifiers of a file: 16 bytes each, from its sources."""
    document = hashlib.sha256(f"document|{info.document or info.title}".encode()).digest()[:16]
    instance = hashlib.sha256(f"instance|{info.identity}|{info.title}|{info.date.isoformat()}".encode()).digest()[:16]
    return document, instance


def info_fields(info: DocInfo) -> dict[str, str]:
    """Return a file's document information (``/Trapped`` aside): what its XMP says too (:func:`xmp`)."""
    stamp = info.date.strftime("D:%Y%m%d%H%M%S+00'00'")
    fields = {"/Title": info.title, "/Producer": PRODUCER, "/Creator": CREATOR,
              "/CreationDate": stamp, "/ModDate": stamp}
    if info.purpose:
        fields["/Subject"] = info.purpose
    if info.pdfx:
        fields["/GTS_PDFXVersion"] = "PDF/X-4"
    return fields


def describe(target: PdfWriter, info: DocInfo) -> None:
    """Write the document information, the XMP metadata, the /ID and, for PDF/X, the output intent."""
    document, instance = identifiers(info)
    target._ID = ArrayObject([ByteStringObject(document), ByteStringObject(instance)])
    target.add_metadata(info_fields(info))
    target.metadata  # noqa: B018 - makes pypdf create the Info dictionary if it had none
    target._info.get_object()[NameObject("/Trapped")] = NameObject("/False")
    root = target.root_object
    _set_xmp(target, xmp(info, document, instance).encode("utf-8"))
    if info.lang:
        root[NameObject("/Lang")] = TextStringObject(info.lang)
    if info.pdfx:
        target.pdf_header = "%PDF-1.6"  # PDF/X-4 is based on PDF 1.6
        root[NameObject("/OutputIntents")] = ArrayObject([output_intent(target)])
    elif "/OutputIntents" in root:
        del root["/OutputIntents"]


def _set_xmp(target: PdfWriter, packet: bytes) -> None:
    """Put ``packet`` in the document's XMP metadata stream, replacing any other."""
    metadata = DecodedStreamObject()
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    metadata.set_data(packet)
    target.root_object[NameObject("/Metadata")] = target._add_object(metadata)


def output_intent(target: PdfWriter):
    """Return the PDF/X output intent for coated FOGRA39 printing, with its ICC profile.

    A copy of a finished file keeps its profile object: it is written once.
    """
    icc = ICC_PROFILE.read_bytes()
    profile = _existing_profile(target, icc)
    if profile is None:
        stream = DecodedStreamObject()
        stream.set_data(icc)
        stream[NameObject("/N")] = NumberObject(4)
        profile = target._add_object(stream)
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFX"),
        NameObject("/OutputConditionIdentifier"): TextStringObject(OUTPUT_CONDITION),
        NameObject("/RegistryName"): TextStringObject(REGISTRY),
        NameObject("/Info"): TextStringObject(OUTPUT_CONDITION_INFO),
        NameObject("/DestOutputProfile"): profile,
    })
    return target._add_object(intent)


def _existing_profile(target: PdfWriter, icc: bytes):
    """Return the reference to a DestOutputProfile of the file that holds ``icc``, or None."""
    for intent in _get(target.root_object.get("/OutputIntents")) or []:
        ref = _dict(intent).get("/DestOutputProfile") if _dict(intent) is not None else None
        stream = _get(ref)
        if isinstance(stream, StreamObject) and hasattr(ref, "idnum") and stream.get_data() == icc:
            return ref
    return None


def xmp(info: DocInfo, document: bytes, instance: bytes) -> str:
    """Return the XMP metadata packet: the same title, tools, dates and identity as the Info dictionary."""
    when = info.date.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    pdfx = ("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"
            "<pdfx:GTS_PDFXVersion>PDF/X-4</pdfx:GTS_PDFXVersion>") if info.pdfx else ""
    ua = "<pdfuaid:part>1</pdfuaid:part>" if info.ua else ""
    ua_ns = f' xmlns:pdfuaid="{PDFUAID}"' if info.ua else ""
    if info.ua and info.lang:
        ua += f"<dc:language><rdf:Bag><rdf:li>{escape(info.lang)}</rdf:li></rdf:Bag></dc:language>"
    subject = (f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.purpose)}</rdf:li>'
               "</rdf:Alt></dc:description>") if info.purpose else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/" '
        'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"{ua_ns}>'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(info.title)}</rdf:li></rdf:Alt></dc:title>'
        f"{subject}<dc:format>application/pdf</dc:format>"
        f"{pdfx}{ua}<pdf:Trapped>False</pdf:Trapped>"
        f"<pdf:Producer>{escape(PRODUCER)}</pdf:Producer>"
        f"<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>"
        f"<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>"
        f"<xmpMM:DocumentID>uuid:{uuid.UUID(bytes=document)}</xmpMM:DocumentID>"
        f"<xmpMM:InstanceID>uuid:{uuid.UUID(bytes=instance)}</xmpMM:InstanceID>"
        "<xmpMM:VersionID>1</xmpMM:VersionID><xmpMM:RenditionClass>default</xmpMM:RenditionClass>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
