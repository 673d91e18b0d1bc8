"""Preflight: check a print PDF the way a printer's prepress would, before sending it.

:func:`preflight` runs small, independent checks and collects their findings
(errors stop a print job, warnings deserve a look) into a :class:`Report`.
A ``screen`` file (a booklet's screen edition) gets its own few checks
(:data:`SCREEN_CHECKS`): ``ua``, ``colour`` (no CMYK), ``boxes`` (its
trimmed size, no bleed), ``fonts``, ``geometry`` and ``text``. The checks:

* ``pdfx``: the file says it is PDF/X-4 (XMP) and has a CMYK ``GTS_PDFX`` output
  intent naming a registered printing condition (``FOGRA39``) and its registry,
  with its ICC profile embedded;
* ``metadata``: a trailer ``/ID``; the document information and the XMP metadata
  agree on title, creator, producer and dates; ``/Trapped`` is True or False in
  both; the XMP has a DocumentID and an InstanceID (and files checked together
  do not share one: :func:`check_instances`);
* ``boxes``: every page has a TrimBox and a BleedBox, the expected bleed and trim size;
* ``fonts``: every font is embedded;
* ``colour``: nothing is DeviceRGB (operators, colour spaces, images, groups, shadings);
  on a screen file, nothing is DeviceCMYK;
* ``ua``: a screen file says it is PDF/UA-1 (XMP ``pdfuaid:part``), is tagged
  (``/MarkInfo /Marked``, a structure tree), gives its language (the catalog's
  ``/Lang``) and a title to show (``/DisplayDocTitle``), and every figure of
  its structure has an alternative text (``/Alt``);
* ``ink``: text that reads as black is 100 % K alone and overprints what is under
  it; text under 9 pt prints on two plates at most (its own, and those it knocks
  out); white text under 9 pt is reversed out of two plates at most, unless it is
  bold and at least 8 pt;
* ``marks``: crop, fold and registration marks (strokes outside every placed page
  and outside the bleed) are in registration colour, on every side or on none;
* ``die``: a die line (the ``CutContour`` spot colour) overprints, sits in an
  optional content group, has a visible alternate, and is on every page when asked;
* ``images``: images are placed at 300 dpi or more (error below 150 dpi);
* ``pages``: a booklet has a multiple of 4 pages;
* ``geometry``: no text past the trim edge or within the safe margin of it, on
  every page of every kind (on sheets, of each page placed on them); on decks,
  none in the rivet keep-out nor smaller than the minimum size;
* ``text``: every character a page must print is on it (nothing lost), when
  the build says what each page must print.

A PDF that cannot be read (a broken structure, a stream that inflates to
hundreds of megabytes) raises a :class:`~.errors.BuildError` of one line
naming the file; no check ever lets a traceback through.

Content streams are walked with the current transformation matrix, into Form
XObjects too, so an image or a colour inside a form counts where it is drawn
(:mod:`.trace` follows colours, overprint and text for the ``ink``, ``marks``
and ``die`` checks). Not walked: annotation appearance streams and Type3 glyph
procedures. PDF objects are read through :mod:`.pdf`; text as placed on the
page, through pdfium (pypdfium2), which lays glyphs out as a viewer does.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import contentops, geometry, i18n, pdf, trace  # i18n._: loops here use `_` for what they leave out
from .errors import BuildError, relative
from .i18n import N_, _, ngettext
from .impose import IDENTITY, Matrix, compose

KINDS = ("deck", "booklet", "sheets", "screen")
TOLERANCE_MM = 0.1
DPI_WARNING = 300
DPI_ERROR = 150
PDFXID = "http://www.npes.org/pdfx/ns/id/"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class Finding:
    """One thing found wrong: which check, which page (1-based, None for the file)."""

    check: str
    page: int | None
    message: str


@dataclass
class Report:
    """The findings of one preflight run."""

    path: Path
    kind: str
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    instance: str | None = None  # the XMP InstanceID, for checking files against each other

    @property
    def ok(self) -> bool:
        """Tell whether the file can go to print (warnings allowed)."""
        return not self.errors

    def error(self, check: str, page: int | None, message: str) -> None:
        """Record an error, once."""
        finding = Finding(check, page, message)
        if finding not in self.errors:
            self.errors.append(finding)

    def warn(self, check: str, page: int | None, message: str) -> None:
        """Record a warning, once."""
        finding = Finding(check, page, message)
        if finding not in self.warnings:
            self.warnings.append(finding)

    def to_json(self) -> str:
        """Return the report as JSON, for machines."""
        return json.dumps(
            {
                "file": relative(self.path),
                "kind": self.kind,
                "ok": self.ok,
                "errors": [asdict(f) for f in self.errors],
                "warnings": [asdict(f) for f in self.warnings],
            },
            ensure_ascii=False,
            indent=2,
        )


@dataclass(frozen=True)
class Options:
    """What the checks compare against."""

    kind: str
    trim: tuple[float, float] | None
    bleed: float
    rivet: geometry.Rivet | None
    min_text_pt: float
    die_line: bool = False
    pieces_checked: bool = False  # sheets: the pages placed on them passed preflight as their own file


FILE_CHECKS = frozenset({"pdfx", "metadata", "pages", "boxes", "fonts", "marks", "die"})
PAGE_CHECKS = frozenset({"colour", "ink", "images", "geometry", "text"})
SCREEN_CHECKS = frozenset({"ua", "colour", "boxes", "fonts", "geometry", "text"})  # what a screen file needs


def preflight(
    path: Path | bytes,
    *,
    kind: str,
    trim: tuple[float, float] | None = None,
    bleed: float = 3.0,
    rivet: geometry.Rivet | None = None,
    min_text_pt: float = geometry.MIN_TEXT_PT,
    checks: frozenset[str] | None = None,
    texts: list[str] | None = None,
    known: dict[int, list[Finding | tuple]] | None = None,
    die_line: bool = False,
    name: Path | None = None,
    pieces_checked: bool = False,
) -> Report:
    """Check a print PDF (a path or PDF bytes) and return every finding.

    ``trim`` is the expected trimmed page size in mm (width, height, not
    swapped); ``rivet`` defaults to :func:`geometry.rivet_for` each page's trim
    size; ``bleed`` is the pages' bleed (on sheets, that of the pages placed
    on them; a screen file has none). ``checks`` selects the checks to run
    (default: every print check, or :data:`SCREEN_CHECKS`). ``texts`` is the text each
    page must print (one string per page; or one string for the whole file):
    with it, the ``text`` check reports what is missing. ``known`` gives,
    by page number, the page checks' findings of pages already checked (as
    ``(severity, check, message)``): those pages are not read again.
    ``die_line``: the file must have a die line on every page. ``name`` is
    the file's name in messages (default: ``path``). ``pieces_checked``: the
    pages placed on these sheets already passed preflight as their own file
    (the build's deck or booklet), so the ink check reads only what the
    sheets draw outside placed forms (their marks and cut lines; an office
    sheet's printing note, itself a form, is left to ``nuancier preflight``).
    Raise BuildError, one line naming the file, if the PDF cannot be read.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    shown = Path(name) if name is not None else Path("<pdf>") if isinstance(path, bytes) else Path(path)
    if checks is None:
        checks = SCREEN_CHECKS if kind == "screen" else FILE_CHECKS | PAGE_CHECKS
    options = Options(kind, trim, 0.0 if kind == "screen" else bleed, rivet, min_text_pt, die_line,
                      pieces_checked and kind == "sheets")
    try:
        return _preflight(path, shown, options, checks, texts, known or {})
    except BuildError:
        raise
    except (*pdf.Error, contentops.Unreadable, MemoryError, RuntimeError) as error:
        detail = " ".join(str(error).split())[:160] or type(error).__name__
        raise BuildError(_("{file}: this PDF is damaged and cannot be checked ({detail})").format(
            file=relative(shown), detail=detail)) from error


def _preflight(path, shown: Path, options: Options, checks: frozenset[str], texts, known: dict) -> Report:
    """Run the checks (see :func:`preflight`)."""
    reader = pdf.read(path, shown)
    pdf.check_streams(reader, shown)
    pages = list(reader.pages)
    report = Report(shown, options.kind)
    cache: dict = {}  # what the traces of this file share
    if "pdfx" in checks:
        check_pdfx(reader, report)
    if "ua" in checks:
        check_ua(reader, report)
    if "metadata" in checks:
        check_metadata(reader, report)
    if "pages" in checks:
        check_page_count(pages, report, options)
    for number, page in enumerate(pages, 1):
        if "boxes" in checks:
            check_boxes(page, number, report, options)
        if "colour" in checks and number not in known:
            check_colour(page, number, report, CMYK if options.kind == "screen" else RGB)
    if "fonts" in checks:
        check_fonts(pages, report)
    if "marks" in checks:
        check_marks(pages, report, options, cache)
    if "die" in checks:
        check_die(reader, pages, report, options, cache)
    _page_checks(path, pages, report, options, checks, texts, known, cache)
    for number, findings in sorted(known.items()):
        for severity, check, message in findings:
            (report.error if severity == "error" else report.warn)(check, number, message)
    return report


def _page_checks(path, pages: list, report: Report, options: Options, checks: frozenset[str], texts,
                 known: dict, cache: dict) -> None:
    """Run the checks that read each page as drawn: images, text geometry, ink, nothing lost."""
    wanted = {number for number in range(1, len(pages) + 1) if number not in known}
    if not ({"images", "geometry", "text", "ink"} & checks and wanted):
        return
    text = bool({"geometry", "text", "ink"} & checks)
    drawn = drawn_pages(path, text=text, only=wanted)
    for number, page in drawn.items():
        if "images" in checks:
            check_images(page.images, number, report)
        if text and "geometry" in checks:
            if options.kind == "sheets":
                check_pieces(page.runs, trace.trace(pages[number - 1], cache, forms=False), number, report,
                             options)
            else:
                check_runs(page.runs, page.trim, number, report, options)
        if "ink" in checks:
            page_trace = trace.trace(pages[number - 1], cache, forms=not options.pieces_checked)
            check_ink(page_trace, page.runs, number, report)
    if text and "text" in checks and texts is not None and options.kind != "sheets":
        check_text(drawn, texts, report, len(pages))


def page_findings(report: Report) -> dict[int, list[tuple[str, str, str]]]:
    """Return a report's findings on pages, by page number, as ``(severity, check, message)``."""
    found: dict[int, list] = {}
    for severity, findings in (("error", report.errors), ("warning", report.warnings)):
        for finding in findings:
            if finding.page is not None and finding.check in PAGE_CHECKS:
                found.setdefault(finding.page, []).append((severity, finding.check, finding.message))
    return found


# --- PDF/X identification ------------------------------------------------------------


def _xmp_pdfx_versions(reader) -> list[str]:
    """Return every pdfxid:GTS_PDFXVersion value declared in the XMP metadata."""
    return xmp_values(reader, f"{{{PDFXID}}}GTS_PDFXVersion")


def xmp_values(reader, tag: str) -> list[str]:
    """Return every value of an XMP property (``{namespace}name``), as an element or an attribute."""
    metadata = reader.root_object.get("/Metadata")
    if metadata is None:
        return []
    try:
        root = ET.fromstring(metadata.get_object().get_data())
    except (ET.ParseError, *pdf.Error):
        return []
    values = [(el.text or "").strip() for el in root.iter(tag)]
    values += [el.attrib[tag].strip() for el in root.iter() if tag in el.attrib]
    return values


def _profile_components(intent) -> int | None:
    """Return the number of components of an output intent's profile, or None."""
    profile = intent.get("/DestOutputProfile")
    if profile is None:
        return None
    return int(profile.get_object().get("/N", 0))


def check_pdfx(reader, report: Report) -> None:
    """Require PDF/X-4 in the XMP metadata and a CMYK GTS_PDFX output intent."""
    versions = _xmp_pdfx_versions(reader)
    if not any(v.startswith("PDF/X-4") for v in versions):
        found = _("found {versions}").format(versions=", ".join(versions)) if versions else _("none found")
        report.error("pdfx", None, _("the XMP metadata does not declare pdfxid:GTS_PDFXVersion PDF/X-4 "
                                     "({found})").format(found=found))
    intents = [i.get_object() for i in reader.root_object.get("/OutputIntents", [])]
    pdfx = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
    if not pdfx:
        report.error("pdfx", None, _("no /OutputIntents entry with /S /GTS_PDFX"))
        return
    components = [_profile_components(i) for i in pdfx]
    if 4 not in components:
        got = ", ".join(_("none") if c is None else f"N={c}" for c in components)
        report.error("pdfx", None, _("the PDF/X output intent has no CMYK (N=4) /DestOutputProfile ({got})").format(
            got=got))
        return
    check_output_condition(pdfx[components.index(4)], report)


# The characterized printing conditions of the ICC registry (www.color.org) most often named in
# PDF/X output intents; an identifier outside it (« FOGRA39L coated ») is not a registry name.
REGISTERED_CONDITIONS = frozenset({
    "FOGRA39", "FOGRA40", "FOGRA43", "FOGRA45", "FOGRA47", "FOGRA51", "FOGRA52", "FOGRA53", "FOGRA54",
    "FOGRA55", "FOGRA59", "FOGRA60", "CGATS TR 001", "CGATS TR 003", "CGATS TR 005", "CGATS TR 006",
    "CGATS21-2-CRPC1", "CGATS21-2-CRPC2", "CGATS21-2-CRPC3", "CGATS21-2-CRPC4", "CGATS21-2-CRPC5",
    "CGATS21-2-CRPC6", "CGATS21-2-CRPC7", "JC200103", "JCN2002", "IFRA26", "IFRA30"})


def check_output_condition(intent, report: Report) -> None:
    """Require a registered condition identifier, the registry's name, and a CMYK ICC profile."""
    identifier = str(intent.get("/OutputConditionIdentifier", "")).strip()
    if identifier not in REGISTERED_CONDITIONS:
        report.error("pdfx", None, _("the output intent's condition is « {identifier} », not a name of the ICC "
                                     "registry of printing conditions (for coated FOGRA39 paper: « FOGRA39 »)").format(
            identifier=identifier))
    elif str(intent.get("/RegistryName", "")).strip().rstrip("/") != pdf.REGISTRY:
        report.error("pdfx", None, _("the output intent names the condition « {identifier} » without its registry "
                                     "(RegistryName {registry})").format(identifier=identifier, registry=pdf.REGISTRY))
    profile = intent.get("/DestOutputProfile")
    data = profile.get_object().get_data() if profile is not None else b""
    if data[36:40] != b"acsp" or data[16:20] != b"CMYK":
        report.error("pdfx", None, _("the output intent's DestOutputProfile is not an embedded CMYK ICC profile"))


# --- PDF/UA: what a screen reader needs (screen files) ---------------------------------------


def check_ua(reader, report: Report) -> None:
    """Require a PDF/UA-1 file: identified as one, tagged, in a language, titled, its figures described."""
    root = reader.root_object
    if "1" not in xmp_values(reader, f"{{{pdf.PDFUAID}}}part"):
        report.error("ua", None, i18n._("the XMP metadata does not declare PDF/UA-1 (pdfuaid:part 1)"))
    if not str(_get(root.get("/Lang")) or "").strip():
        report.error("ua", None, i18n._("the file does not give its language (/Lang): a screen reader would read "
                                        "it with the wrong voice"))
    if not _is_true(_resolved(root.get("/MarkInfo")).get("/Marked")):
        report.error("ua", None, i18n._("the file is not marked as tagged (/MarkInfo /Marked true)"))
    if not _is_true(_resolved(root.get("/ViewerPreferences")).get("/DisplayDocTitle")):
        report.error("ua", None, i18n._("the file does not ask viewers to show its title (/DisplayDocTitle true)"))
    if not str(_resolved(reader.trailer.get("/Info")).get("/Title") or "").strip():
        report.error("ua", None, i18n._("the file has no title (/Title)"))
    tree = _resolved(root.get("/StructTreeRoot"))
    if not tree:
        report.error("ua", None, i18n._("the file has no structure tree (/StructTreeRoot): a screen reader cannot "
                                        "find its headings, lists, figures and reading order"))
        return
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, 1)
             if page.indirect_reference is not None}
    figures = [element for element in structure_elements(tree) if element.get("/S") == "/Figure"]
    for index, figure in enumerate(figures, 1):
        if not str(_get(figure.get("/Alt")) or "").strip():
            where = figure.raw_get("/Pg") if hasattr(figure, "raw_get") else figure.get("/Pg")
            report.error("ua", pages.get(getattr(where, "idnum", None)),
                         i18n._("figure {index} of {count} has no alternative text (/Alt)").format(
                             index=index, count=len(figures)))


def _is_true(value) -> bool:
    """Tell whether a PDF value is the boolean true (a PDF boolean object is truthy even when false)."""
    value = _get(value)
    return getattr(value, "value", value) is True


MAX_ELEMENTS = 200_000  # more structure elements than any booklet has: the file is not one of ours


def structure_elements(tree) -> Iterator[dict]:
    """Yield every element (StructElem) of a structure tree, in document order, each once."""
    stack, seen, count = [tree.get("/K")], set(), 0
    while stack and count < MAX_ELEMENTS:
        kid = _get(stack.pop())
        if isinstance(kid, list):
            stack.extend(reversed(kid))
        elif isinstance(kid, dict) and "/S" in kid and id(kid) not in seen:  # marked-content and object refs: no /S
            seen.add(id(kid))
            count += 1
            yield kid
            stack.append(kid.get("/K"))


# --- document information and XMP ---------------------------------------------------------

XMP_NS = {
    "dc": "http://purl.org/dc/elements/1.1/", "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/", "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
AGREEING = (  # (document information key, XMP property, what a print shop calls it)
    ("/Title", "dc:title", N_("the title")), ("/Creator", "xmp:CreatorTool", N_("the creator")),
    ("/Producer", "pdf:Producer", N_("the producer")), ("/CreationDate", "xmp:CreateDate", N_("the creation date")),
    ("/ModDate", "xmp:ModifyDate", N_("the modification date")),
)


def xmp_properties(reader) -> dict[str, str] | None:
    """Return the XMP metadata's simple properties as ``{"prefix:Name": text}`` (None without XMP)."""
    metadata = reader.root_object.get("/Metadata")
    if metadata is None:
        return None
    try:
        root = ET.fromstring(metadata.get_object().get_data())
    except (ET.ParseError, *pdf.Error):
        return None
    found = {}
    for prefix, uri in XMP_NS.items():
        for element in root.iter():
            for name, value in element.attrib.items():  # rdf:Description attributes
                if name.startswith(f"{{{uri}}}"):
                    found.setdefault(f"{prefix}:{name[len(uri) + 2:]}", value.strip())
            if element.tag.startswith(f"{{{uri}}}"):
                alternative = element.find(".//rdf:li", XMP_NS)  # dc:title holds an rdf:Alt
                text = alternative.text if alternative is not None else element.text
                found.setdefault(f"{prefix}:{element.tag[len(uri) + 2:]}", (text or "").strip())
    return found


def pdf_date(text: str):
    """Return a PDF date (``D:20261127000000+01'00'``) or an XMP date as an aware datetime, or None."""
    import datetime as dt

    text = text.strip()
    match = re.fullmatch(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?", text)
    try:
        if match is None:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        year, month, day, hour, minute, second, sign, oh, om = match.groups()
        offset = dt.timedelta(hours=int(oh or 0), minutes=int(om or 0)) * (-1 if sign == "-" else 1)
        return dt.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                           int(second or 0), tzinfo=dt.timezone(offset))
    except ValueError:
        return None


def check_metadata(reader, report: Report) -> None:
    """Require a trailer /ID, document information and XMP that agree, /Trapped, and XMP identifiers."""
    ids = reader.trailer.get("/ID")
    ids = ids.get_object() if ids is not None else None
    if not (isinstance(ids, list) and len(ids) == 2 and all(len(_get(i)) for i in ids)):
        report.error("metadata", None, _("the file has no trailer /ID (its two identifiers): PDF/X requires one"))
    info = _resolved(reader.trailer.get("/Info"))
    xmp = xmp_properties(reader)
    if xmp is None:
        report.error("metadata", None, _("the file has no readable XMP metadata: PDF/X requires it"))
        return
    for key, prop, label in AGREEING:
        _agree(info.get(key), xmp.get(prop), key, prop, label, report)
    trapped = str(info.get("/Trapped", "")).lstrip("/")
    if trapped not in ("True", "False"):
        report.error("metadata", None, _("/Trapped is {value} in the document information; PDF/X requires True or "
                                         "False").format(value=trapped) if trapped else
                     _("/Trapped is missing in the document information; PDF/X requires True or False"))
    elif xmp.get("pdf:Trapped") != trapped:
        report.error("metadata", None, _("/Trapped is {value} in the document information but {xmp} in the XMP "
                                         "metadata").format(value=trapped, xmp=xmp.get("pdf:Trapped") or _("missing")))
    for prop in ("xmpMM:DocumentID", "xmpMM:InstanceID"):
        if not xmp.get(prop):
            report.error("metadata", None, _("the XMP metadata has no {property}").format(property=prop))
    report.instance = xmp.get("xmpMM:InstanceID") or None


def _agree(value, xmp: str | None, key: str, prop: str, label: str, report: Report) -> None:
    """Report a document information entry and an XMP property that are missing or differ."""
    value = str(value).strip() if value is not None else ""
    xmp = xmp or ""
    if not value or not xmp:
        places = [_("the document information ({key})").format(key=key)] if not value else []
        places += [_("the XMP metadata ({property})").format(property=prop)] if not xmp else []
        where = places[0] if len(places) == 1 else _("{one} and {other}").format(one=places[0], other=places[1])
        report.error("metadata", None, _("{label} is missing from {where}").format(label=_(label), where=where))
        return
    same = (pdf_date(value) == pdf_date(xmp) and pdf_date(value) is not None) if "Date" in key else value == xmp
    if not same:
        report.error("metadata", None, _("{label} differs between the document information (« {value} ») "
                                         "and the XMP metadata (« {xmp} »)").format(label=_(label), value=value,
                                                                                   xmp=xmp))


def check_instances(reports: list[Report]) -> None:
    """Report files checked together that share an XMP InstanceID: each file needs its own."""
    seen: dict[str, Report] = {}
    for report in reports:
        if report.instance is None:
            continue
        first = seen.setdefault(report.instance, report)
        if first is not report:
            report.error("metadata", None, _("its XMP InstanceID is also that of {file}: each file needs its "
                                             "own").format(file=relative(first.path)))


# --- boxes and page count ----------------------------------------------------------------


def _rect_mm(rect) -> tuple[float, float, float, float]:
    """Return a box (x0, y0, x1, y1) in mm, normalised."""
    x0, y0, x1, y1 = (float(v) for v in rect)
    x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    return tuple(geometry.pt_to_mm(v) for v in (x0, y0, x1, y1))


def _bleeds(trim, bleed_box, media) -> dict[str, float]:
    """Return the bleed on each side (mm), the BleedBox clipped to the MediaBox."""
    bx0, by0 = max(bleed_box[0], media[0]), max(bleed_box[1], media[1])
    bx1, by1 = min(bleed_box[2], media[2]), min(bleed_box[3], media[3])
    return {N_("on the left"): trim[0] - bx0, N_("at the bottom"): trim[1] - by0, N_("on the right"): bx1 - trim[2],
            N_("at the top"): by1 - trim[3]}


def check_boxes(page, number: int, report: Report, options: Options) -> None:
    """Require a TrimBox and BleedBox, the expected bleed on each side and the trim size.

    A screen file's page is its trimmed size: its MediaBox, and its boxes if
    it has any, are that size, without bleed.
    """
    if options.kind == "screen":
        _check_screen_page(page, number, report, options)
        return
    missing = [b for b in ("/TrimBox", "/BleedBox") if b not in page]
    if options.kind == "sheets":
        missing = [b for b in missing if b == "/TrimBox"]
    for box in missing:
        report.error("boxes", number, _("no {box}").format(box=box[1:]))
    if "/TrimBox" not in page:
        return
    trim = _rect_mm(page["/TrimBox"])
    if options.kind != "sheets" and "/BleedBox" in page:
        bleeds = _bleeds(trim, _rect_mm(page["/BleedBox"]), _rect_mm(page.mediabox))
        for side, value in bleeds.items():
            if abs(value - options.bleed) > TOLERANCE_MM:
                report.error("boxes", number, _("bleed is {value:.1f} mm {side} (expected {bleed:g} mm)").format(
                    value=value, side=_(side), bleed=options.bleed))
    if options.trim is not None:
        w, h = trim[2] - trim[0], trim[3] - trim[1]
        ew, eh = options.trim
        if abs(w - ew) > TOLERANCE_MM or abs(h - eh) > TOLERANCE_MM:
            report.error("boxes", number, _("trim size is {width:.1f}×{height:.1f} mm (expected "
                                            "{expected_width:g}×{expected_height:g} mm)").format(
                width=w, height=h, expected_width=ew, expected_height=eh))


def _check_screen_page(page, number: int, report: Report, options: Options) -> None:
    """Require a screen file's page, and any box it declares, to be its trimmed size, without bleed."""
    media = _rect_mm(page.mediabox)
    for box in ("/TrimBox", "/BleedBox", "/CropBox"):
        if box in page and any(abs(a - b) > TOLERANCE_MM for a, b in zip(_rect_mm(page[box]), media)):
            report.error("boxes", number, i18n._("its {box} is not its MediaBox: a screen file shows its whole page, "
                                            "without bleed").format(box=box[1:]))
    w, h = media[2] - media[0], media[3] - media[1]
    expected = options.trim
    if expected is not None and (abs(w - expected[0]) > TOLERANCE_MM or abs(h - expected[1]) > TOLERANCE_MM):
        report.error("boxes", number, i18n._("the page is {w:.1f}×{h:.1f} mm (expected {ew:g}×{eh:g} mm, without "
                                        "bleed)").format(w=w, h=h, ew=expected[0], eh=expected[1]))


def check_page_count(pages: list, report: Report, options: Options) -> None:
    """Require a booklet's page count to be a multiple of 4."""
    if options.kind == "booklet" and len(pages) % 4:
        report.error("pages", None, ngettext("{count} page: a saddle-stitched booklet needs a multiple of 4",
                                             "{count} pages: a saddle-stitched booklet needs a multiple of 4",
                                             len(pages)).format(count=len(pages)))


# --- walking content streams ---------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One content-stream operator, with the graphics state the checks need."""

    operator: bytes
    operands: list
    ctm: Matrix
    resources: dict
    where: str  # "page content" or "form /Name"


def _resource(resources, category: str, name):
    """Return a named resource of a category, resolved, or None."""
    group = resources.get(category) if resources is not None else None
    if group is None:
        return None
    item = group.get_object().get(name)
    return item.get_object() if item is not None else None


def _operations(owner) -> list:
    """Return the parsed operations of a page or a form stream (parsed once per object)."""
    cached = getattr(owner, "_preflight_operations", None)
    if cached is not None:
        return cached
    operations = pdf.operations(owner)
    try:
        owner._preflight_operations = operations  # the colour and image checks both walk them
    except AttributeError:
        pass
    return operations


def walk(owner, resources, ctm: Matrix = IDENTITY, where: str = "page content",
         seen: frozenset = frozenset()) -> Iterator[Op]:
    """Yield every operator of a page or form, entering forms, with the CTM at each one."""
    stack: list[Matrix] = []
    for operands, operator in _operations(owner):
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q" and stack:
            ctm = stack.pop()
        elif operator == b"cm" and len(operands) == 6:
            ctm = compose(tuple(float(v) for v in operands), ctm)
        yield Op(operator, operands, ctm, resources, where)
        if operator == b"Do" and operands:
            yield from _enter_form(operands[0], resources, ctm, seen)


def _enter_form(name, resources, ctm: Matrix, seen: frozenset) -> Iterator[Op]:
    """Yield the operators of the form called ``name``, if it is a form not yet entered."""
    xobject = _resource(resources, "/XObject", name)
    if xobject is None or xobject.get("/Subtype") != "/Form" or id(xobject) in seen:
        return
    matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
    inner = xobject.get("/Resources")
    inner = inner.get_object() if inner is not None else resources
    yield from walk(xobject, inner, compose(matrix, ctm), f"form {name}", seen | {id(xobject)})


def _all_resources(resources, seen: set | None = None) -> Iterator[tuple[str, dict]]:
    """Yield (where, resources) for a resource dict and those of every form, pattern and group it uses."""
    seen = set() if seen is None else seen
    if resources is None or id(resources) in seen:
        return
    seen.add(id(resources))
    yield N_("page resources"), resources
    children = []
    for _name, obj in _items(resources, "/XObject"):
        if obj.get("/Subtype") == "/Form":
            children.append(obj.get("/Resources"))
    for _name, obj in _items(resources, "/Pattern"):
        children.append(obj.get("/Resources"))
    for _name, obj in _items(resources, "/ExtGState"):
        mask = obj.get("/SMask")
        mask = mask.get_object() if mask is not None else None
        if isinstance(mask, dict) and "/G" in mask:  # a soft mask's group form
            children.append(mask["/G"].get_object().get("/Resources"))
    for child in children:
        if child is not None:
            for _where, found in _all_resources(child.get_object(), seen):
                yield N_("form resources"), found


def _get(obj):
    """Return an object resolved (None stays None)."""
    return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj


def _resolved(obj) -> dict:
    """Return a (possibly indirect) dictionary, or an empty one."""
    obj = obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj
    return obj if isinstance(obj, dict) else {}


def _items(resources, category: str) -> Iterator[tuple[str, dict]]:
    """Yield (name, resolved object) for every resource of a category."""
    group = resources.get(category)
    if group is None:
        return
    for name, obj in group.get_object().items():
        obj = obj.get_object()
        if isinstance(obj, dict):
            yield name, obj


# --- colour ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColourModel:
    """A family of colour spaces a file must not use: RGB in print, CMYK on screen."""

    name: str
    names: frozenset[str]  # its device and calibrated spaces, as names
    components: int  # an ICCBased space of this many components is one
    operators: tuple[bytes, bytes]  # the operators that set a fill and a stroke colour in it
    tokens: re.Pattern  # its operators and names as whole tokens in content (see _content_bytes)
    texts: dict  # what preflight says of it (see RGB_TEXTS), English, translated when said


# Operators and names as whole tokens. Each pattern starts with its literal, and looks behind it
# after: a pattern that starts with a look-behind is tried at every byte, twice as slow.
_RGB_TOKENS = re.compile(rb"(?:rg|RG)(?<![^\s\]>)]..)(?![^\s\[</(%])|/(?:DeviceRGB|CalRGB|RGB)(?![^\s\[\]<>/(){}%])")
_CMYK_TOKENS = re.compile(rb"(?:k|K)(?<![^\s\]>)].)(?![^\s\[</(%])|/(?:DeviceCMYK|CMYK)(?![^\s\[\]<>/(){}%])")
RGB_TEXTS = {
    "space": N_("`{operator}` in an RGB colour space in {where}"), "inline": N_("an inline RGB image in {where}"),
    "named": N_("colour space {name} is RGB ({where})"), "image": N_("image {name} is RGB"),
    "form_group": N_("form {name} has an RGB transparency group"), "shading": N_("shading {name} is RGB"),
    "pattern": N_("pattern {name} has an RGB shading"), "page_group": N_("the page has an RGB transparency group"),
    "colour": N_("RGB colour: {reason}")}
CMYK_TEXTS = {
    "space": N_("`{operator}` in a CMYK colour space in {where}"), "inline": N_("an inline CMYK image in {where}"),
    "named": N_("colour space {name} is CMYK ({where})"), "image": N_("image {name} is CMYK"),
    "form_group": N_("form {name} has a CMYK transparency group"), "shading": N_("shading {name} is CMYK"),
    "pattern": N_("pattern {name} has a CMYK shading"), "page_group": N_("the page has a CMYK transparency group"),
    "colour": N_("CMYK colour: {reason}")}
RGB = ColourModel("RGB", frozenset({"/DeviceRGB", "/RGB", "/CalRGB"}), 3, (b"rg", b"RG"), _RGB_TOKENS, RGB_TEXTS)
CMYK = ColourModel("CMYK", frozenset({"/DeviceCMYK", "/CMYK"}), 4, (b"k", b"K"), _CMYK_TOKENS, CMYK_TEXTS)
DEVICE_SPACES = {"/DeviceRGB", "/RGB", "/CalRGB", "/DeviceCMYK", "/CMYK", "/DeviceGray", "/G", "/Pattern", "/Lab"}


def is_rgb(space, resources=None, depth: int = 0) -> bool:
    """Tell whether a colour space is RGB: DeviceRGB, CalRGB, ICCBased N=3, or built on one."""
    return is_of(space, RGB, resources, depth)


def is_of(space, model: ColourModel, resources=None, depth: int = 0) -> bool:
    """Tell whether a colour space is of ``model``: a device space, ICCBased of its components, or built on one."""
    if depth > 8 or space is None:
        return False
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, str):
        if space in model.names:
            return True
        if space in DEVICE_SPACES:
            return False
        return is_of(_resource(resources, "/ColorSpace", space), model, resources, depth + 1)
    if isinstance(space, list) and space:
        family = space[0]
        if family == "/ICCBased":
            return int(space[1].get_object().get("/N", 0)) == model.components
        if family in model.names:
            return True
        if family in ("/Indexed", "/I", "/Pattern") and len(space) > 1:
            return is_of(space[1], model, resources, depth + 1)
        if family in ("/Separation", "/DeviceN") and len(space) > 2:
            return is_of(space[2], model, resources, depth + 1)
    return False


def _colour_in_content(op: Op, state: dict, model: ColourModel) -> str | None:
    """Return why this operator paints in ``model``, if it does; track the current colour spaces."""
    if op.operator in model.operators:
        return _("`{operator}` operator in {where}").format(operator=op.operator.decode(), where=_place(op.where))
    if op.operator in (b"cs", b"CS") and op.operands:
        state["fill" if op.operator == b"cs" else "stroke"] = op.operands[0]
    elif op.operator in (b"sc", b"scn", b"SC", b"SCN"):
        space = state.get("fill" if op.operator in (b"sc", b"scn") else "stroke")
        if space is not None and is_of(space, model, op.resources):
            return _(model.texts["space"]).format(operator=op.operator.decode(), where=_place(op.where))
    elif op.operator == b"INLINE IMAGE" and isinstance(op.operands, dict):
        settings = op.operands.get("settings", {})
        space = settings.get("/CS", settings.get("/ColorSpace"))
        if space is not None and is_of(space, model, op.resources):
            return _(model.texts["inline"]).format(where=_place(op.where))
    return None


def _place(where: str) -> str:
    """Return where an operator is (``page content``, ``form /Name``), as messages say it."""
    if where.startswith("form "):
        return _("the form {name}").format(name=where.removeprefix("form "))
    return _("the page content")


def _colour_operators(page, model: ColourModel) -> list[str]:
    """Return why the page's content (forms included) paints in ``model``."""
    found, states = [], {}
    for op in walk(page, page.get("/Resources")):
        reason = _colour_in_content(op, states.setdefault(op.where, {}), model)
        if reason and reason not in found:
            found.append(reason)
    return found


def _colour_resources(resources, model: ColourModel) -> list[str]:
    """Return why a page's resources (forms, patterns, images, shadings, groups) hold ``model``."""
    found, say = [], model.texts
    for where, res in _all_resources(resources):
        for name, space in _resolved(res.get("/ColorSpace")).items():
            if is_of(space, model, res):
                found.append(_(say["named"]).format(name=name, where=_(where)))
        for name, obj in _items(res, "/XObject"):
            if obj.get("/Subtype") == "/Image" and is_of(obj.get("/ColorSpace"), model, res):
                found.append(_(say["image"]).format(name=name))
            group = obj.get("/Group")
            if group is not None and is_of(group.get_object().get("/CS"), model, res):
                found.append(_(say["form_group"]).format(name=name))
        for name, obj in _items(res, "/Shading"):
            if is_of(obj.get("/ColorSpace"), model, res):
                found.append(_(say["shading"]).format(name=name))
        for name, obj in _items(res, "/Pattern"):
            shading = obj.get("/Shading")
            if shading is not None and is_of(shading.get_object().get("/ColorSpace"), model, res):
                found.append(_(say["pattern"]).format(name=name))
    return found


def _content_bytes(page) -> bytes:
    """Return the decoded content of a page and of every form it can draw."""
    parts = []
    contents = page.get_contents()
    if contents is not None:
        parts.append(contents.get_data())
    for _where, resources in _all_resources(page.get("/Resources")):
        for _name, obj in _items(resources, "/XObject"):
            if obj.get("/Subtype") == "/Form":
                parts.append(obj.get_data())
    return b"\n".join(parts)


def check_colour(page, number: int, report: Report, model: ColourModel = RGB) -> None:
    """Report every use of ``model`` on a page (RGB in print, CMYK on screen): content, resources, images...

    Content is walked operator by operator only if its bytes hold an
    operator or colour space name of the model, or a resource is of it;
    otherwise nothing in it can paint in it, and the walk (the costly
    part) is skipped.
    """
    resources = _colour_resources(page.get("/Resources"), model)
    suspect = resources or model.tokens.search(_content_bytes(page))
    reasons = (_colour_operators(page, model) if suspect else []) + resources
    group = page.get("/Group")
    if group is not None and is_of(group.get_object().get("/CS"), model, page.get("/Resources")):
        reasons.append(_(model.texts["page_group"]))
    for reason in dict.fromkeys(reasons):
        report.error("colour", number, _(model.texts["colour"]).format(reason=reason))


# --- images ---------------------------------------------------------------------------------------


def effective_dpi(width_px: int, height_px: int, ctm: Matrix) -> tuple[float, float, float]:
    """Return (dpi, placed width mm, placed height mm) of an image drawn through ``ctm``."""
    a, b, c, d, _, _ = ctm
    w_pt, h_pt = math.hypot(a, b), math.hypot(c, d)
    if w_pt == 0 or h_pt == 0:
        return math.inf, 0.0, 0.0
    dpi = min(width_px / (w_pt / 72), height_px / (h_pt / 72))
    return dpi, geometry.pt_to_mm(w_pt), geometry.pt_to_mm(h_pt)


def check_images(images: list[tuple[int, int, Matrix]], number: int, report: Report) -> None:
    """Warn about images under 300 dpi as placed; error under 150 dpi (``images``: (px wide, px high, CTM))."""
    for index, (w_px, h_px, ctm) in enumerate(images, 1):
        dpi, w_mm, h_mm = effective_dpi(w_px, h_px, ctm)
        details = {"index": index, "dpi": dpi, "width_px": w_px, "height_px": h_px, "width": w_mm, "height": h_mm}
        if dpi < DPI_ERROR:
            report.error("images", number, _("image {index} is {dpi:.0f} dpi as placed ({width_px}×{height_px} px "
                                             "over {width:.1f}×{height:.1f} mm), below the {least} dpi "
                                             "minimum").format(least=DPI_ERROR, **details))
        elif dpi < DPI_WARNING:
            report.warn("images", number, _("image {index} is {dpi:.0f} dpi as placed ({width_px}×{height_px} px "
                                            "over {width:.1f}×{height:.1f} mm), below the {wanted} dpi "
                                            "wanted").format(wanted=DPI_WARNING, **details))


# --- fonts ------------------------------------------------------------------------------------------


def _font_embedded(font: dict) -> bool:
    """Tell whether a font carries its glyphs (Type3 fonts always do)."""
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        return bool(descendants) and all(
            _font_embedded(d.get_object()) for d in descendants.get_object())
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    return any(key in descriptor.get_object() for key in FONT_FILES)


def check_fonts(pages: list, report: Report) -> None:
    """Report every font that is not embedded, once, on the first page that uses it."""
    seen = set()
    for number, page in enumerate(pages, 1):
        for _where, resources in _all_resources(page.get("/Resources")):
            for _name, font in _items(resources, "/Font"):
                if id(font) in seen:
                    continue
                seen.add(id(font))
                if not _font_embedded(font):
                    name = str(font.get("/BaseFont", _("(unnamed)"))).lstrip("/")
                    report.error("fonts", number, _("font {name} is not embedded").format(name=name))


# --- text geometry (decks) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextRun:
    """A word as placed on the page: its box in mm (PDF axes, from the page's lower left) and its size in pt."""

    text: str
    box: tuple[float, float, float, float]
    size: float


@dataclass
class Drawn:
    """A page as a viewer draws it: its words, all its characters, its images, its trim box (mm)."""

    runs: list[TextRun]
    text: str
    images: list[tuple[int, int, Matrix]]  # (px wide, px high, CTM in points)
    trim: tuple[float, float, float, float]


def drawn_pages(source: Path | bytes, text: bool = True, only: set[int] | None = None) -> dict[int, Drawn]:
    """Return what pages draw (by page number; ``only`` some), read with pdfium, a viewer's own engine.

    For each page: its words with their boxes and sizes, its text, its images.
    """
    import pypdfium2

    document = pypdfium2.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        pages = {}
        for number in sorted(only) if only is not None else range(1, len(document) + 1):
            page = document[number - 1]
            chars = _chars(page) if text else []
            trim = tuple(geometry.pt_to_mm(v) for v in page.get_trimbox())
            pages[number] = Drawn(_words(chars), "".join(c for c, _, _ in chars), _images(page), trim)
        return pages
    finally:
        document.close()


def _chars(page) -> list:
    """Return (character, box, size) of every character on a page, in points.

    The box runs from the glyph's origin to its advance, and from the
    font's descent to its ascent (pdfium's "loose" box): where the type
    sits, as a typesetter measures it. The size is the font size as drawn
    (times the scale of the text matrix and of every transformation).
    """
    import ctypes

    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    matrix, chars, last = raw.FS_MATRIX(), [], (None, None)
    for i in range(textpage.count_chars()):
        size = raw.FPDFText_GetFontSize(textpage.raw, i)
        if size != last[0]:
            raw.FPDFText_GetMatrix(textpage.raw, i, ctypes.byref(matrix))
            last = (size, size * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5)
        chars.append((chr(raw.FPDFText_GetUnicode(textpage.raw, i)), textpage.get_charbox(i, loose=True), last[1]))
    return chars


def _images(page) -> list[tuple[int, int, Matrix]]:
    """Return (px wide, px high, CTM) of every image a page draws, inside forms too."""
    import pypdfium2.raw as raw

    found, forms = [], [IDENTITY]  # forms[level]: the CTM of the form the objects of that level are in
    for obj in page.get_objects():
        ctm = compose(tuple(obj.get_matrix().get()), forms[obj.level])
        if obj.type == raw.FPDF_PAGEOBJ_FORM:
            del forms[obj.level + 1:]
            forms.append(ctm)
        elif obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            width, height = obj.get_px_size()
            found.append((int(width), int(height), ctm))
    return found


def _words(chars: list) -> list[TextRun]:
    """Group placed characters into runs: text that follows on one line at one size, as a viewer finds it."""
    runs, text, boxes, size = [], "", [], None

    def close():
        if text.strip():
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
            runs.append(TextRun(text.strip(), tuple(geometry.pt_to_mm(v) for v in (x0, y0, x1, y1)), size))

    for char, box, char_size in chars:
        if char in "\r\n\x00\x02":
            close()
            text, boxes, size = "", [], None
            continue
        if char.isspace():
            text += " " if text else ""
            continue
        if size is not None and (abs(char_size - size) > 0.01 or box[1] > boxes[-1][3] or box[3] < boxes[-1][1]
                                 or max(box[0] - boxes[-1][2], boxes[-1][0] - box[2]) > 2 * size):  # far away
            close()
            text, boxes = "", []
        text, size = text + char, char_size
        boxes.append(box)
    close()
    return runs


def _snippet(text: str) -> str:
    """Return a short quotation of a run."""
    text = " ".join(text.split())
    return _("“{text}”").format(text=f"{text[:30]}…" if len(text) > 30 else text)


def _overlaps(a, b) -> bool:
    """Tell whether two boxes (x0, y0, x1, y1) overlap by more than a hair."""
    return a[0] < b[2] - 1e-6 and b[0] < a[2] - 1e-6 and a[1] < b[3] - 1e-6 and b[1] < a[3] - 1e-6


def _keepout_on_page(trim, rivet: geometry.Rivet):
    """Return the rivet keep-out in page mm (PDF axes) for a trim box."""
    x0, y0, x1, y1 = rivet.keepout_box()  # card axes: from the top-left, y down
    return trim[0] + x0, trim[3] - y1, trim[0] + x1, trim[3] - y0


def check_runs(runs: list[TextRun], trim: tuple[float, float, float, float], number: int | None,
               report: Report, options: Options) -> None:
    """Apply the text geometry rules to placed runs (PDF axes, mm) on a page trimmed to ``trim``.

    Every output keeps its text inside the trim and out of the safe margin;
    a deck also keeps it out of the rivet keep-out and at or above the
    minimum size.
    """
    deck = options.kind == "deck"
    rivet = options.rivet or geometry.rivet_for(trim[2] - trim[0], trim[3] - trim[1])
    keepout = _keepout_on_page(trim, rivet)
    for run in runs:
        quote = _snippet(run.text)
        if deck and run.size < options.min_text_pt - 0.01:
            report.error("geometry", number, _("text at {size:.1f} pt is below the {least:g} pt minimum: "
                                               "{quote}").format(size=run.size, least=options.min_text_pt,
                                                                 quote=quote))
        if deck and _overlaps(run.box, keepout):
            report.error("geometry", number, _("text in the rivet keep-out: {quote}").format(quote=quote))
        _edge_findings(run, trim, number, report)


def _edge_findings(run: TextRun, trim, number: int | None, report: Report) -> None:
    """Report a run that crosses the trim edge or lies in the safe zone along it."""
    quote = _snippet(run.text)
    edge = min(run.box[0] - trim[0], run.box[1] - trim[1], trim[2] - run.box[2], trim[3] - run.box[3])
    if edge < 0:
        report.error("geometry", number, _("text crosses the trim edge by {distance:.1f} mm: {quote}").format(
            distance=-edge, quote=quote))
    elif edge < geometry.SAFE_MM - 0.01:
        report.error("geometry", number, _("text {distance:.1f} mm from the trim edge (safe zone {safe:g} mm): "
                                           "{quote}").format(distance=edge, safe=geometry.SAFE_MM, quote=quote))


def pieces(page_trace: trace.Trace, bleed_mm: float) -> list[tuple[float, float, float, float]]:
    """Return the trim boxes (mm) of the pages placed on a sheet: each placed form's box less the bleed."""
    found = []
    for box in page_trace.forms:
        x0, y0, x1, y1 = (geometry.pt_to_mm(v) for v in box)
        if x1 - x0 > 2 * bleed_mm and y1 - y0 > 2 * bleed_mm:
            found.append((x0 + bleed_mm, y0 + bleed_mm, x1 - bleed_mm, y1 - bleed_mm))
    return found


def check_pieces(runs: list[TextRun], page_trace: trace.Trace, number: int, report: Report,
                 options: Options) -> None:
    """Apply the trim and safe-zone rules to the text of each page placed on a sheet.

    A run belongs to the placed page its centre is on (text outside every
    placed page, in the sheet's margin, is not checked).
    """
    trims = pieces(page_trace, options.bleed)
    for run in runs:
        cx, cy = (run.box[0] + run.box[2]) / 2, (run.box[1] + run.box[3]) / 2
        trim = next((t for t in trims if t[0] <= cx <= t[2] and t[1] <= cy <= t[3]), None)
        if trim is not None:
            _edge_findings(run, trim, number, report)


# --- ink: black text, plates under small text -------------------------------------------------------


def reads_as_black(colour: trace.Colour) -> bool:
    """Tell whether text in this colour reads as black: 80 % K or more, or dark and neutral."""
    c, m, y, k = colour.process
    screen = [(1 - v) * (1 - k) for v in (c, m, y)]
    return colour.known and not colour.spots and (k >= 0.8 or max(screen) <= 0.2)


def _plates(plates) -> str:
    order = {p: i for i, p in enumerate(trace.PROCESS)}
    return ", ".join(sorted(plates, key=lambda p: (order.get(p, 9), p)))


INK_PROBLEMS = {  # translated when reported
    "grey": N_("black text is printed as {colour}, not 100 % K alone: it is screened or spread over several "
               "plates, and looks grey or blurred"),
    "knockout": N_("black text knocks out the colour under it ({plates}) instead of overprinting it: plates a hair "
                   "out of register leave a white edge around it"),
    "plates": N_("text under {small:g} pt prints on {count} plates ({plates}): plates a hair out of register blur "
                 "it; use {most} plates at most"),
    "reversed": N_("white text under {small:g} pt is reversed out of {count} plates ({plates}): it fills in when "
                   "plates are a hair out of register; use {most} plates at most under it, or set it bold and at "
                   "least {bold:g} pt"),
}


def ink_problem(text: trace.Text, under: frozenset[str]) -> tuple[str, dict] | None:
    """Return what is wrong with one text show's ink, as (problem, details), or None."""
    colour = text.colour
    if not colour.known:
        return None
    small = text.size < geometry.SMALL_TEXT_PT - 0.01
    if reads_as_black(colour):
        if colour.process != (0.0, 0.0, 0.0, 1.0):
            return "grey", {"colour": colour.describe()}
        if not text.overprint and under - {"K"}:
            return "knockout", {"plates": _plates(under)}
        return None
    if not small:
        return None
    involved = under if colour.is_white else colour.plates | (frozenset() if text.overprint else under)
    if len(involved) <= geometry.MAX_SMALL_TEXT_PLATES:
        return None
    if colour.is_white:
        if text.bold and text.size >= geometry.REVERSED_BOLD_PT - 0.01:
            return None
        return "reversed", {"count": len(involved), "plates": _plates(involved)}
    return "plates", {"count": len(involved), "plates": _plates(involved)}


def check_ink(page_trace: trace.Trace, runs: list[TextRun], number: int, report: Report) -> None:
    """Report black text that is not 100 % K or knocks out, and small text on too many plates.

    Each kind of problem is reported once per page, with how many text
    runs have it and the first of them.
    """
    found: dict[tuple, list] = {}
    for text in page_trace.texts:
        problem = ink_problem(text, page_trace.plates_under(text.inside))
        if problem is not None:
            kind, details = problem
            found.setdefault((kind, tuple(sorted(details.items()))), []).append(text)
    for (kind, details), texts in found.items():
        message = _(INK_PROBLEMS[kind]).format(small=geometry.SMALL_TEXT_PT, most=geometry.MAX_SMALL_TEXT_PLATES,
                                               bold=geometry.REVERSED_BOLD_PT, **dict(details))
        first = texts[0]
        report.error("ink", number, ngettext(
            "{problem} ({count} run of text, e.g. {quote} at {size:.1f} pt)",
            "{problem} ({count} runs of text, e.g. {quote} at {size:.1f} pt)", len(texts)).format(
                problem=message, count=len(texts), quote=_quote_at(first, runs), size=first.size))


def _quote_at(text: trace.Text, runs: list[TextRun]) -> str:
    """Return the words a text show starts, as pdfium read them, or where it is."""
    x, y = (geometry.pt_to_mm(v) for v in text.inside)
    for run in runs:
        if run.box[0] - 0.5 <= x <= run.box[2] + 0.5 and run.box[1] - 0.5 <= y <= run.box[3] + 0.5:
            return _snippet(run.text)
    return _("the text at {x:.0f} mm from the left, {y:.0f} mm from the bottom").format(x=x, y=y)


# --- marks -------------------------------------------------------------------------------------------------


def _outside(box, boxes) -> bool:
    """Tell whether a box overlaps none of ``boxes`` (all in the same units)."""
    return not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)


def is_registration(colour: trace.Colour) -> bool:
    """Tell whether a colour prints 100 % on all four process plates."""
    return colour.known and all(v >= 0.999 for v in colour.process)


def marks_of(page, page_trace: trace.Trace) -> list[trace.Stroke]:
    """Return a page's marks: strokes it draws itself outside every placed page and outside its bleed.

    The bleed counts only when it is smaller than the page (a deck with crop
    marks); a sheet's marks lie outside the pages placed on it. Spot colour
    strokes (a die line) are not marks.
    """
    media, bleed = pdf.box_pt(page, "media"), pdf.box_pt(page, "bleed")
    around = [bleed] if any(abs(a - b) > 1.0 for a, b in zip(media, bleed)) else []
    process = [s for s in page_trace.strokes if s.level == 0
               and (not s.space.startswith(("/Separation", "/DeviceN")) or s.space == "/Separation /All")]
    return [s for s in process if _outside(s.box, page_trace.forms + around)]


def check_marks(pages: list, report: Report, options: Options, cache: dict) -> None:
    """Require marks in registration colour, and on every side of a sheet when on any."""
    has: dict[int, bool] = {}
    for number, page in enumerate(pages, 1):
        media, bleed = pdf.box_pt(page, "media"), pdf.box_pt(page, "bleed")
        if options.kind != "sheets" and all(abs(a - b) <= 1.0 for a, b in zip(media, bleed)):
            has[number] = False  # no slug beyond the bleed: no room for marks
            continue
        page_trace = trace.trace(page, cache, forms=False)
        if options.kind == "sheets" and not page_trace.forms:
            continue  # a sheet that places no page (a calibration sheet's back) has nothing to cut
        marks = marks_of(page, page_trace)
        has[number] = bool(marks)
        wrong = [m for m in marks if not is_registration(m.colour)]
        if wrong:
            registration = _("{percent} on all four plates").format(percent=_("100 %"))  # no `% o` for gettext
            report.error("marks", number, ngettext(
                "{wrong} of its {count} marks are printed in {colour}, not in registration colour ({registration}): "
                "the plates cannot be registered on them",
                "{wrong} of its {count} marks are printed in {colour}, not in registration colour ({registration}): "
                "the plates cannot be registered on them", len(wrong)).format(
                    wrong=len(wrong), count=len(marks), colour=wrong[0].colour.describe(), registration=registration))
    first = next((number for number, marked in has.items() if marked), None)
    if first is None:
        return
    for number, marked in has.items():
        if not marked:
            report.error("marks", number, _("this side has no crop marks, unlike page {first}: every side of a "
                                            "sheet needs them, to cut and to register the back").format(first=first))


# --- die line -----------------------------------------------------------------------------------------------


def _die_spaces(pages: list) -> list:
    """Return the /Separation /CutContour colour spaces the pages and their forms can use."""
    found = []
    for page in pages:
        for _where, resources in _all_resources(page.get("/Resources")):
            for _name, space in _resolved(resources.get("/ColorSpace")).items():
                space = _get(space)
                if isinstance(space, list) and len(space) > 3 and space[0] == "/Separation" \
                        and str(space[1]) == f"/{pdf.DIE_LINE}":
                    found.append(space)
    return found


def _visible(space) -> bool:
    """Tell whether a separation's alternate shows: a process colour with some ink at full tint."""
    alternate, function = _get(space[2]), _resolved(space[3])
    process = alternate in ("/DeviceCMYK", "/DeviceGray") or isinstance(alternate, list) and alternate \
        and alternate[0] == "/ICCBased"
    if function.get("/FunctionType") == 2:
        return process and any(float(v) > 0 for v in _get(function.get("/C1", [1.0])))
    return process


def check_die(reader, pages: list, report: Report, options: Options, cache: dict) -> None:
    """Check the die line: visible alternate, overprint, optional content, on every page when asked."""
    spaces = _die_spaces(pages)
    if not spaces and not options.die_line:
        return
    if any(not _visible(space) for space in spaces):
        report.error("die", None, _("the {name} spot colour has no visible alternate colour: the die "
                                    "line cannot be seen on screen or on a proof").format(name=pdf.DIE_LINE))
    properties = _resolved(reader.root_object.get("/OCProperties"))
    listed = {id(_get(group)) for group in _get(properties.get("/OCGs")) or []}
    for number, page in enumerate(pages, 1):
        cuts = [s for s in trace.trace(page, cache).strokes if s.space == f"/Separation /{pdf.DIE_LINE}"]
        if options.die_line and not cuts:
            report.error("die", number, _("no die line on this page: it was asked for ({name} spot "
                                          "colour)").format(name=pdf.DIE_LINE))
        if any(not s.overprint for s in cuts):
            report.error("die", number, _("the die line does not overprint: it would knock a white line out of "
                                          "the artwork under it"))
        if any(not any(id(group) in listed for group in s.optional) for s in cuts):
            report.error("die", number, _("the die line is not in an optional content group (layer) of the file: "
                                          "a print shop cannot show or hide it"))


# --- nothing lost ----------------------------------------------------------------------------------------------

_IGNORED = str.maketrans("", "", " \t\n\r\u00a0\u202f\u200b\u00ad\u2010\u2011-\x02\ufffe\uffff")


def _fold(text: str) -> str:
    """Return text as compared for loss: case, spaces and hyphens (added at line breaks) left out."""
    return text.casefold().translate(_IGNORED)


def check_text(placed: dict[int, Drawn], texts: list[str], report: Report, pages: int) -> None:
    """Report the characters a page (or, given one text, the file) must print and does not.

    Each expected character must appear on its page at least as many times
    as in its text; spaces, hyphens and case do not count (line breaks and
    layouts change them). ``placed`` holds the pages read, by number, of a
    file of ``pages`` pages: one text for a file of several pages is the
    whole file's.
    """
    from collections import Counter

    if len(texts) == 1 and pages > 1:
        pairs = [(None, " ".join(page.text for page in placed.values()), texts[0])]
    else:
        pairs = [(number, page.text, texts[number - 1]) for number, page in placed.items()]
    for number, printed, text in pairs:
        missing = Counter(_fold(text)) - Counter(_fold(printed))
        if missing:
            lost = "".join(sorted(missing.elements()))
            count = sum(missing.values())
            report.error("text", number, ngettext(
                "{count} character(s) of the content are not printed: “{lost}”; a box is too small for its text",
                "{count} character(s) of the content are not printed: “{lost}”; a box is too small for its text",
                count).format(count=count, lost=lost[:40]))


# --- output -------------------------------------------------------------------------------------------------


def format_report(report: Report) -> list[str]:
    """Return the report as plain lines: errors, then warnings, then a summary."""
    name = relative(report.path)

    def line(finding: Finding, label: str = "") -> str:
        page = " " + _("page {number}:").format(number=finding.page) if finding.page is not None else ""
        return f"{name}:{page}{label} {finding.message}"

    lines = [line(f) for f in report.errors] + [line(f, " " + _("warning:")) for f in report.warnings]
    e, w = len(report.errors), len(report.warnings)
    verdict = _("ready for print") if report.ok else _("not ready for print")
    if report.kind == "screen":
        verdict = _("ready for the screen") if report.ok else _("not ready for the screen")
    lines.append(name + ": " + _("{errors}, {warnings}: {verdict}").format(
        errors=ngettext("{count} error", "{count} errors", e).format(count=e),
        warnings=ngettext("{count} warning", "{count} warnings", w).format(count=w), verdict=verdict))
    return lines
