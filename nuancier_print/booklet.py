"""Participant booklets: the semi-sur-mesure livret of a training session.

For each session (``content/sessions/<slug>.yaml``) :func:`write_booklets` writes

* ``out/booklet-<slug>.pdf``: A5 portrait with a 3 mm bleed. Cover, "Votre
  formation", sommaire, then for each teinte covered (in the order lived) its
  whole card, the mises en situation and the lecture critique of the group,
  and a notes page; then the bibliographie détaillée, the conseils pratiques
  and the back cover. Notes pages, just before the back cover, bring it to a
  multiple of 4 pages;
* ``out/booklet-<slug>-imposed.pdf``: the same pages two up on A4 landscape
  sheets, in saddle-stitch order, to print duplex, fold and staple;
* with ``per_participant``, ``out/booklet-<slug>-<participant>.pdf``: a copy
  with the participant's name on the cover and in every footer.

The booklet is rendered a section at a time (opening, sommaire, one per
teinte, closing, notes pages), each its own WeasyPrint document cached under
the hash of its HTML: editing what a session lived of one teinte renders that
teinte's section again, and the sommaire if a page number changed. Each
section knows the page its folios start at; the sommaire gets the page of
every anchor (see :func:`render_booklet`). :mod:`.sections` puts them back
together with their links and bookmarks, and the fonts are merged as in the
deck. Personal copies do not re-render anything: one more small document
holds every participant's cover and a transparent "stamp" page with their
name in the footer slot; pypdf then swaps the cover and draws the stamp on
every other shared page.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import io
import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject,
                           NameObject)

from . import __version__, schema
from .content import Content
from .deck import Palette, palette, teinte_colour
from .errors import BuildError, FitError, relative
from .output import atomic_write
from .preflight import FILE_CHECKS, PAGE_CHECKS, format_report, preflight
from .publish import publish, publish_file
from .pdfout import DocInfo, append_content, compress_streams, describe
from .render import LAYOUTS_DIR, FaceSpec, Renderer, zone_overflow_mm
from .sessions import PHOTO_WIDTH_MM, person_slug, resolve_photo
from .typography import french, short_url
from .weasyfix import shared_subsets

PAGE_H, BLEED = 210.0, 3.0  # A5 portrait (148 × 210 mm)
A5_TRIM = (148.0, PAGE_H)
BOOKLET_PDF: dict = {}  # plain DeviceCMYK PDFs; join_booklet() makes the booklet PDF/X-4 (see pdfout)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_X = 17.0, 16.0, 15.0  # as in layouts/booklet.css
TAB_W, TAB_START, NOTE_PITCH = 8.0, 40.0, 8.0
PRESS_PROFILE = LAYOUTS_DIR / "icc" / "FOGRA39L-coated.icc"
MAX_PHOTO_DPI = 450  # larger photos are scaled down to this at their printed width
PHOTO_QUALITY = 88  # JPEG quality of the CMYK print copies
PHOTO_CACHE = Path(".cache") / "booklet-photos"  # under the output folder
PHOTO_SCHEME = "nuancier-photo"  # photo URLs name a file of PHOTO_CACHE, wherever the project is (see fetcher)
STAMP = "/NuancierNameStamp"


@dataclass
class BookletResult:
    """What :func:`write_booklets` wrote for one session."""

    slug: str
    path: Path
    imposed_path: Path
    pages: int
    padding: int  # notes pages added to reach a multiple of 4
    per_participant: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # step -> seconds
    warnings: list[str] = field(default_factory=list)
    reused: bool = False  # its inputs had not changed: the files already there were kept
    sections_rendered: int = 0  # sections rendered, not taken from the cache
    sections: int = 0  # sections in all (a sommaire rendered twice counts twice)

    def line(self) -> str:
        """Return a one-line summary for the user."""
        copies = f", {len(self.per_participant)} personal copies" if self.per_participant else ""
        if self.reused:
            done = "; unchanged, not rendered again"
        elif self.sections_rendered == self.sections:
            done = f"; {self.sections} sections rendered"
        else:
            done = (f"; {self.sections_rendered} of {self.sections} sections rendered, "
                    f"{self.sections - self.sections_rendered} reused")
        return (f"booklet: {relative(self.path)} ({self.pages} pages, A5 + {BLEED:g} mm bleed"
                f"{copies}); imposed: {relative(self.imposed_path)}{done}")


@dataclass(frozen=True)
class BookletTeinte:
    """One teinte as the booklet shows it: the card, what was lived, colours, tab."""

    teinte: schema.Teinte
    famille: schema.Famille
    vecue: schema.TeinteVecue
    colours: Palette
    photos: dict  # photo as written in the session -> file URL of its print copy
    unfinished: dict  # field -> note, where the source is unfinished
    tab_top: float  # mm below the top margin
    tab_h: float

    @property
    def numero(self) -> str:
        """Return the teinte number."""
        return self.teinte.numero

    @property
    def anchor(self) -> str:
        """Return the HTML id of the teinte's first page."""
        return f"teinte-{self.teinte.numero.slug}"

    @property
    def page(self) -> str:
        """Return the CSS page name (and class) of the teinte's pages."""
        return f"pages-{self.teinte.numero.slug}"


@dataclass(frozen=True)
class BibEntry:
    """One entry of the bibliographie détaillée, with the teintes that cite it."""

    texte: str
    url: str | None
    url_2: str | None
    numeros: tuple[str, ...]


# --- the booklet as data ----------------------------------------------------------------


def collation_key(text: str) -> str:
    """Return a French sort key: case, accents and leading punctuation ignored.

    >>> sorted(["Zoé", "élan", "Étude", "« Avant »"], key=collation_key)
    ['« Avant »', 'élan', 'Étude', 'Zoé']
    """
    plain = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.sub(r"^[\W_]+", "", plain)


def _reference_key(ref: schema.Reference) -> tuple:
    """Return what makes two references the same: printed text and addresses."""
    text = " ".join(french(ref.texte).split())
    return text, *(short_url(u) if u else None for u in (ref.url, ref.url_2))


def bibliography(teintes: list[schema.Teinte]) -> list[BibEntry]:
    """Return the ressources and références of ``teintes``, each once, in French order."""
    entries: dict[tuple, BibEntry] = {}
    for teinte in teintes:
        for ref in [*teinte.ressources, *teinte.references_inspirantes]:
            key = _reference_key(ref)
            known = entries.get(key) or BibEntry(ref.texte, ref.url, ref.url_2, ())
            if teinte.numero not in known.numeros:
                known = BibEntry(known.texte, known.url, known.url_2, (*known.numeros, teinte.numero))
            entries[key] = known
    return sorted(entries.values(), key=lambda e: (collation_key(e.texte), e.url or "", e.texte))


def geometry(n_teintes: int) -> dict:
    """Return the booklet's measurements in mm (those that depend on the session)."""
    band_h = round(min(15.0, 80.0 / max(n_teintes, 1)), 2)
    tab_zone = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - TAB_START - 10.0
    content_h = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
    return {
        "bleed": BLEED, "margin_x": MARGIN_X, "tab_w": TAB_W,
        "tab_h": round(min(18.0, (tab_zone - 2.0 * (n_teintes - 1)) / max(n_teintes, 1)), 2),
        "cover_band_h": band_h, "cover_bands_h": round(band_h * n_teintes, 2),
        "cover_top_h": round(PAGE_H - band_h * n_teintes - 15.0 - 14.0, 2),  # top padding, source line
        "photo_w": PHOTO_WIDTH_MM,
        "note_pitch": NOTE_PITCH, "note_lines": int((content_h - 14.0) // NOTE_PITCH),
    }


def _unfinished(teinte: schema.Teinte) -> dict[str, str]:
    """Return {field: note} for the places the source leaves unfinished."""
    marks = {item.champ: item.note for item in teinte.a_completer}
    if teinte.module is not None and teinte.module.titre is None:
        marks.setdefault("module.titre", "titre à définir")
    return marks


def booklet_teintes(content: Content, session: schema.Session, photos: dict) -> list[BookletTeinte]:
    """Return the session's teintes, in the order lived, ready for the layouts."""
    g = geometry(len(session.teintes))
    result = []
    for index, vecue in enumerate(session.teintes):
        teinte = content.teinte(vecue.numero)
        result.append(BookletTeinte(
            teinte=teinte, famille=content.famille(teinte.numero.famille), vecue=vecue,
            colours=palette(teinte_colour(content, teinte)), photos=photos,
            unfinished=_unfinished(teinte), tab_top=round(TAB_START + index * (g["tab_h"] + 2.0), 2),
            tab_h=g["tab_h"]))
    return result


def _dates(dates: list[str]) -> str:
    """Return the dates as one phrase: ``12 mars, 13 mars et 14 mars``."""
    return dates[0] if len(dates) == 1 else ", ".join(dates[:-1]) + " et " + dates[-1]


def booklet_context(content: Content, session: schema.Session, photos: dict) -> dict:
    """Return the variables every booklet layout gets."""
    teintes = booklet_teintes(content, session, photos)
    return {
        "session": session, "nuancier": content.nuancier, "teintes": teintes,
        "bibliography_entries": bibliography([t.teinte for t in teintes]),
        "dates": _dates(session.dates), "g": geometry(len(teintes)), "participant": None,
        "title": f"Livret de formation — {french(session.titre)}",
        "footer_label": "Session fictive — exemple" if session.fictif else french(session.titre),
    }


# --- photos --------------------------------------------------------------------------------


def prepare_photos(content: Content, path: Path, session: schema.Session, folder: Path) -> dict:
    """Make a CMYK print copy of each photo of the session in ``folder``; return {photo: file URL}.

    Copies are named after what they are made from, so they are made once and
    reused, and the booklet's bytes do not change from one build to the next.
    Their URLs (``nuancier-photo:<copy>``) do not name the folder: WeasyPrint
    names images after their URLs, and the booklet must not depend on where
    the project is.
    """
    urls = {}
    for vecue in session.teintes:
        for mise in vecue.mises_en_situation:
            if mise.photo is None or mise.photo in urls:
                continue
            source = resolve_photo(mise.photo, path.parent, content.root)
            if source is None or not source.is_file():
                raise BuildError(f"{relative(path)}: photo `{mise.photo}` not found; run `nuancier check`")
            target = folder / f"photo-{_photo_key(source)}.jpg"
            if not target.is_file():
                atomic_write(target, cmyk_photo(source))
            urls[mise.photo] = f"{PHOTO_SCHEME}:{target.name}"
    return urls


def _photo_key(source: Path) -> str:
    """Return a short hash of a photo, the press profile and how copies are made."""
    digest = hashlib.sha256(source.read_bytes())
    digest.update(PRESS_PROFILE.read_bytes() if PRESS_PROFILE.is_file() else b"")
    digest.update(f"{MAX_PHOTO_DPI}|{PHOTO_QUALITY}|{PHOTO_WIDTH_MM}".encode())
    return digest.hexdigest()[:16]


def cmyk_photo(source: Path) -> bytes:
    """Return ``source`` upright, as a CMYK JPEG for the press profile (FOGRA39)."""
    from PIL import Image, ImageCms, ImageOps

    if not PRESS_PROFILE.is_file():
        raise BuildError(f"the press colour profile {relative(PRESS_PROFILE)} is missing; "
                         "restore it from git: `git checkout -- layouts/icc`")
    with Image.open(source) as opened:
        image = _flatten(ImageOps.exif_transpose(opened))
        embedded = opened.info.get("icc_profile")
        limit = round(MAX_PHOTO_DPI * PHOTO_WIDTH_MM / 25.4)
        if image.width > limit:
            image = image.resize((limit, round(image.height * limit / image.width)), Image.LANCZOS)
        if image.mode != "CMYK":
            image = ImageCms.profileToProfile(image, _profile(embedded), str(PRESS_PROFILE),
                                              renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="CMYK")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=PHOTO_QUALITY, dpi=(300, 300))
    return buffer.getvalue()


def _flatten(image):
    """Return an RGB (or CMYK) image, transparent areas laid on white."""
    from PIL import Image

    if image.mode in ("RGB", "CMYK"):
        return image
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _profile(embedded: bytes | None):
    """Return the photo's own colour profile, or sRGB when it has none (or a broken one)."""
    from PIL import ImageCms

    if embedded:
        try:
            return ImageCms.ImageCmsProfile(io.BytesIO(embedded))
        except (OSError, ImageCms.PyCMSError):
            pass
    return ImageCms.createProfile("sRGB")


# --- rendering -----------------------------------------------------------------------------


def booklet_renderer(roots: list[Path], photos: Path | None = None) -> Renderer:
    """Return a renderer for the booklet layouts, allowed to read ``roots`` and the ``photos`` copies."""
    renderer = Renderer((LAYOUTS_DIR / "booklet.css").read_text(encoding="utf-8"), roots=roots,
                        pdf_options=BOOKLET_PDF, named={PHOTO_SCHEME: photos} if photos else None)
    renderer.env.filters.update(frtext=french)
    return renderer


def _layout(renderer: Renderer, template: str, label: str, context: dict):
    """Lay out one booklet document and return WeasyPrint's document."""
    spec = FaceSpec(template.removesuffix(".html.j2"), label, (template,), context, base_size=9.0)
    return renderer.layout(spec, spec.base_size)


SECTION_TEMPLATE = "booklet-section.html.j2"
PADDING_TEMPLATE = "booklet-padding.html.j2"
SECTION_CACHE_FORMAT = 2  # 2: page findings in the record
PLACEHOLDER_PAGE = 99  # the sommaire's numbers while the length of the sommaire itself is not known


@dataclass
class Section:
    """A rendered section: its PDF (lead page dropped), pages, anchors (id -> page index), warnings.

    ``findings`` are its page checks (colour, images) as (page index,
    severity, check, message): run once when it is rendered, cached with it.
    """

    pdf: bytes
    pages: int
    anchors: dict[str, int]
    warnings: list[str]
    findings: list[tuple] = field(default_factory=list)


@dataclass
class BookletPages:
    """The booklet as sections, in order, and the notes pages that go before its back cover."""

    sections: list[Section]
    padding_pages: Section | None
    padding: int
    renders: int = 0  # sections asked for (the sommaire at least twice)
    rendered: int = 0  # of those, rendered rather than taken from the cache

    @property
    def pages(self) -> int:
        """Return the booklet's page count, notes pages included."""
        return sum(s.pages for s in self.sections) + self.padding


class SectionRenderer:
    """Render booklet sections, each cached under the hash of its HTML (and what else it uses)."""

    def __init__(self, renderer: Renderer, context: dict, label: str, cache: Path | None):
        from weasyprint import __version__ as weasyprint_version  # after render.py isolated the fonts

        from .cache import FaceCache, canonical
        from .faces import assets_digest

        self.renderer, self.context, self.label = renderer, context, label
        self.asked = self.rendered = 0
        self.cache = FaceCache(cache, kind="booklet-sections")
        self.salt = json.dumps({
            "format": SECTION_CACHE_FORMAT, "version": __version__, "weasyprint": weasyprint_version,
            "pdf": canonical(BOOKLET_PDF), "assets": assets_digest(LAYOUTS_DIR),
            "stylesheet": hashlib.sha256((LAYOUTS_DIR / "booklet.css").read_bytes()).hexdigest(),
        }, sort_keys=True)

    def render(self, template: str, name: str, variables: dict, first_page: int, check=None) -> Section:
        """Render one section whose folios start at ``first_page`` (``check`` raises on its pages)."""
        from .cache import Entry

        self.asked += 1
        lead = first_page % 2 == 0  # a left page: a blank right page goes first, then is dropped
        spec = FaceSpec(name, f"{self.label}, {name}", (template,),
                        {**self.context, **variables, "first_page": first_page, "lead": lead}, base_size=9.0)
        html = self.renderer.html(spec, spec.base_size)
        key = hashlib.sha256(f"{self.salt}|{html}".encode()).hexdigest()
        entry = self.cache.get(key)
        if entry is not None:
            meta = entry.meta
            return Section(entry.pdf, int(meta["pages"]), dict(meta["anchors"]), list(meta["warnings"]),
                           [tuple(f) for f in meta["findings"]])
        before = len(self.renderer.warnings)
        document = self.renderer.layout(spec, spec.base_size, html)
        pages = document.pages[1:] if lead else document.pages
        if check is not None:
            check(pages)
        with shared_subsets():  # join_booklet merges the fonts
            pdf = document.copy(pages).write_pdf(**BOOKLET_PDF)
        anchors = {anchor: index for index, page in enumerate(pages) for anchor in page.anchors}
        section = Section(pdf, len(pages), anchors, self.renderer.warnings[before:], _page_findings(pdf))
        self.rendered += 1
        self.cache.put(key, Entry(pdf, spec.base_size, 1, [], {
            "pages": section.pages, "anchors": anchors, "warnings": section.warnings,
            "findings": [list(f) for f in section.findings]}))
        return section


def _page_findings(pdf: bytes) -> list[tuple]:
    """Return a section's page checks (colour, images) as (page index, severity, check, message).

    The joined booklet then gets the file checks only (text geometry is a deck rule).
    """
    report = preflight(pdf, kind="booklet", trim=A5_TRIM, bleed=BLEED, checks=PAGE_CHECKS)
    return [(f.page - 1, severity, f.check, f.message)
            for severity, found in (("error", report.errors), ("warning", report.warnings)) for f in found]


def render_booklet(sections: SectionRenderer) -> BookletPages:
    """Render (or reuse) every section of the booklet, padded to a multiple of 4 pages.

    The sommaire's page numbers depend on every section's length, and where
    the sections after it start depends on the sommaire's length: it is first
    rendered with placeholder numbers (cached too), then again with the real
    ones, until its length is the one the others were placed after (once, in
    practice).
    """
    teintes = sections.context["teintes"]
    opening = sections.render(SECTION_TEMPLATE, "opening", {"part": "opening"}, 1, _check_cover(sections.label))
    placeholder = collections.defaultdict(lambda: PLACEHOLDER_PAGE)
    toc_pages = sections.render(SECTION_TEMPLATE, "sommaire", {"part": "sommaire", "toc_pages": placeholder},
                                opening.pages + 1).pages
    for _ in range(4):
        placed: list[tuple[Section, int]] = [(opening, 1)]
        start = opening.pages + toc_pages + 1
        for t in teintes:
            placed.append((sections.render(SECTION_TEMPLATE, f"teinte {t.numero}", {"part": "teinte", "t": t},
                                           start), start))
            start += placed[-1][0].pages
        closing = sections.render(SECTION_TEMPLATE, "closing", {"part": "closing"}, start,
                                  _check_back_cover(sections.label))
        placed.append((closing, start))
        numbers = {anchor: first + index for section, first in placed for anchor, index in section.anchors.items()}
        sommaire = sections.render(SECTION_TEMPLATE, "sommaire", {"part": "sommaire", "toc_pages": numbers},
                                   opening.pages + 1)
        if sommaire.pages == toc_pages:
            break
        toc_pages = sommaire.pages
    else:  # pragma: no cover - a sommaire whose length depends on its own numbers
        raise BuildError(f"{sections.label}: the sommaire's length does not settle; report this as a bug")
    ordered = [opening, sommaire, *[section for section, _ in placed[1:]]]
    count = sum(s.pages for s in ordered)
    padding = -count % 4
    notes = None
    if padding:  # notes pages before the back cover; the first takes its place, page `count`
        notes = sections.render(PADDING_TEMPLATE, "notes pages", {"padding": padding}, count)
    return BookletPages(ordered, notes, padding, sections.asked, sections.rendered)


def _check_cover(label: str):
    def check(pages) -> None:
        if len(pages) < 2 or "formation" not in pages[1].anchors or zone_overflow_mm(pages[0]):
            raise FitError(f"{label}: the cover does not fit on one page; shorten the session's "
                           "title, commanditaire or lieu")
    return check


def _check_back_cover(label: str):
    def check(pages) -> None:  # a box split over two pages has its id on both
        if "credits" not in pages[-1].anchors or len(pages) > 1 and "credits" in pages[-2].anchors:
            raise FitError(f"{label}: the back cover does not fit on one page; shorten the "
                           "nuancier's credits or licence")
    return check


def booklet_findings(booklet: BookletPages) -> list[tuple]:
    """Return every section's page findings as (page number in the booklet, severity, check, message).

    The notes pages go just before the back cover, the closing section's last page.
    """
    numbered, first = [], 1
    for section in booklet.sections:
        for index, *finding in section.findings:
            after_notes = section is booklet.sections[-1] and index == section.pages - 1
            numbered.append((first + index + (booklet.padding if after_notes else 0), *finding))
        first += section.pages
    if booklet.padding_pages is not None:  # they start where the back cover was
        numbered += [(first - 1 + index, *finding) for index, *finding in booklet.padding_pages.findings]
    return sorted(numbered)


def join_booklet(booklet: BookletPages, title: str, date: dt.datetime) -> tuple[bytes, DocInfo]:
    """Return the booklet's sections as one reproducible PDF/X-4 file, fonts merged, and its DocInfo."""
    from .fontmerge import merge_fonts
    from .pdfout import drop_unreachable
    from .sections import join_sections

    writer = join_sections([s.pdf for s in booklet.sections],
                           before_last=[booklet.padding_pages.pdf] if booklet.padding_pages else [])
    merge_fonts(writer)
    drop_unreachable(writer)
    compress_streams(writer)
    return _finish_reproducible(writer, title, date)


# --- personal copies -----------------------------------------------------------------------


def render_personal_pages(renderer: Renderer, context: dict, names: list[str], label: str) -> PdfReader:
    """Render every participant's cover and footer stamp in one document: cover, stamp, cover..."""
    document = _layout(renderer, "booklet-personal.html.j2", f"{label}, personal pages",
                       {**context, "participants": names})
    if len(document.pages) != 2 * len(names) or any(zone_overflow_mm(p) for p in document.pages[::2]):
        raise FitError(f"{label}: a personal cover does not fit on one page; shorten the "
                       "session's title or the participants' names")
    data = document.write_pdf()
    report = preflight(data, kind="booklet", trim=A5_TRIM, bleed=BLEED, checks=PERSONAL_CHECKS)
    if not report.ok:  # the copies are the checked shared booklet plus these pages
        raise BuildError("\n".join(format_report(report) + [f"{label}: the personal covers and footers "
                                                             "failed preflight; no personal copy was written"]))
    return PdfReader(io.BytesIO(data))


PERSONAL_CHECKS = frozenset({"boxes", "fonts", "colour", "images"})


def personal_copy(shared: bytes | PdfReader, cover: PageObject, stamp: PageObject, info: DocInfo) -> bytes:
    """Return the shared booklet with ``cover`` as its first page and ``stamp`` on the others.

    ``shared`` may be an already parsed reader: cloning from it is faster than parsing again.
    """
    writer = PdfWriter(clone_from=shared if isinstance(shared, PdfReader) else io.BytesIO(shared))
    _replace_page(writer, writer.pages[0], cover)
    form = _page_form(writer, stamp)
    for page in writer.pages[1:]:
        _draw_form(writer, page, form)
    return _finish(writer, info)


def _replace_page(writer: PdfWriter, page: PageObject, source: PageObject) -> None:
    """Give ``page`` the drawing and resources of ``source`` (same boxes), in place."""
    page[NameObject("/Contents")] = source.raw_get("/Contents").clone(writer)
    page[NameObject("/Resources")] = source.raw_get("/Resources").clone(writer)


def _page_form(writer: PdfWriter, page: PageObject):
    """Return an indirect Form XObject that draws ``page`` in its own coordinates."""
    form = DecodedStreamObject()
    contents = page.get_contents()
    form.set_data(contents.get_data() if contents is not None else b"")
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(float(v)) for v in page.mediabox)
    form[NameObject("/Resources")] = page.raw_get("/Resources").clone(writer)
    return writer._add_object(form)


def _draw_form(writer: PdfWriter, page: PageObject, form) -> None:
    """Draw ``form`` over ``page``, in the page's default coordinates."""
    resources = page["/Resources"].get_object()
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[NameObject(STAMP)] = form
    resources[NameObject("/XObject")] = xobjects
    append_content(writer, page, f"q {STAMP} Do Q\n".encode())


def write_personal_copies(renderer, context, shared: bytes, info: DocInfo, out: Path, slug: str) -> list[Path]:
    """Write one booklet per participant: their cover, their name in every footer."""
    session = context["session"]
    names = [french(p.nom) for p in session.participants]
    personal = render_personal_pages(renderer, context, names, f"booklet {slug}")
    reader = PdfReader(io.BytesIO(shared))
    paths = []
    for index, (person, name) in enumerate(zip(session.participants, names)):
        mine = DocInfo(f"Livret de {name} — {french(session.titre)}", info.date, f"{info.identity}|{name}")
        data = personal_copy(reader, personal.pages[2 * index], personal.pages[2 * index + 1], mine)
        paths.append(atomic_write(out / f"booklet-{slug}-{person_slug(person.nom)}.pdf", data))
    return paths


# --- reproducible files --------------------------------------------------------------------


def _finish_reproducible(writer: PdfWriter, title: str, date: dt.datetime) -> tuple[bytes, DocInfo]:
    """Describe ``writer`` with IDs hashed from its pages' drawings; return its bytes and DocInfo.

    WeasyPrint writes a random XMP DocumentID and the current time; this puts
    the content's date, our own XMP packet and IDs hashed from the pages instead.
    """
    pages = hashlib.sha256()
    for page in writer.pages:
        contents = page.get_contents()
        pages.update(contents.get_data() if contents is not None else b"")
    info = DocInfo(title, date, f"booklet|{pages.hexdigest()}")
    return _finish(writer, info), info


def _finish(writer: PdfWriter, info: DocInfo) -> bytes:
    """Write document information, XMP metadata, output intent and IDs from ``info``; return the PDF."""
    digest = hashlib.sha256(info.identity.encode()).digest()
    fresh = "/OutputIntents" not in writer.root_object
    describe(writer, info, digest)
    if fresh:
        compress_streams(writer)  # the ICC profile just added
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the stage -----------------------------------------------------------------------------


def write_booklets(content: Content, out: Path, *, slugs: list[str] | None = None,
                   per_participant: bool = False, cache: Path | None = None) -> list[BookletResult]:
    """Write the booklet of each session (or of ``slugs``), imposed, and personal copies if asked.

    With a ``cache`` folder, a booklet whose inputs have not changed since it
    was written (and whose files are still there, intact) is not rendered again.
    """
    out = Path(out)
    chosen = _chosen_sessions(content, slugs)
    return [write_booklet(content, slug, out, per_participant=per_participant, cache=cache) for slug in chosen]


def _chosen_sessions(content: Content, slugs: list[str] | None) -> list[str]:
    """Return the slugs to build, or raise BuildError naming the unknown ones."""
    if slugs is None:
        return sorted(content.sessions)
    unknown = [s for s in slugs if s not in content.sessions]
    if unknown:
        known = ", ".join(sorted(content.sessions)) or "none"
        raise BuildError(f"no session named {', '.join(unknown)} in {relative(content.root / 'sessions')}/ "
                         f"(the sessions are: {known})")
    return list(dict.fromkeys(slugs))


def write_booklet(content: Content, slug: str, out: Path, *, per_participant: bool = False,
                  cache: Path | None = None) -> BookletResult:
    """Write one session's booklet, its imposed sheets and, if asked, its personal copies."""
    path, session = content.sessions[slug]
    label = f"booklet {slug}"
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    photo_folder = out / PHOTO_CACHE
    photos = prepare_photos(content, path, session, photo_folder)
    context = booklet_context(content, session, photos)
    date = _content_date(content, path, context["teintes"])
    key = booklet_key(context, date, per_participant)
    reused = _reuse(cache, slug, key)
    if reused is not None:
        reused.timings = {"photos": _lap(clock)[0]}
        return reused
    renderer = booklet_renderer([content.root], photo_folder)
    timings["photos"], clock = _lap(clock)
    pages = render_booklet(SectionRenderer(renderer, context, label, cache))
    timings["layout"], clock = _lap(clock)
    shared, info = join_booklet(pages, context["title"], date)
    booklet = out / f"booklet-{slug}.pdf"
    report = publish(shared, booklet, kind="booklet", checks=FILE_CHECKS, face_findings=booklet_findings(pages),
                     trim=A5_TRIM, bleed=BLEED)
    timings["write"], clock = _lap(clock)
    imposed = _write_imposed(booklet, out / f"booklet-{slug}-imposed.pdf")
    timings["impose"], clock = _lap(clock)
    copies = write_personal_copies(renderer, context, shared, info, out, slug) if per_participant else []
    timings["personal"], clock = _lap(clock)
    warnings = [w for section in [*pages.sections, pages.padding_pages] if section for w in section.warnings]
    warnings += format_report(report)[:-1]  # preflight's warnings (a photo under 300 dpi...), page by page
    result = BookletResult(slug, booklet, imposed, pages.pages, pages.padding, copies, timings,
                           list(dict.fromkeys(warnings + renderer.warnings)), sections_rendered=pages.rendered,
                           sections=pages.renders)
    _remember(cache, key, result)
    return result


def _content_date(content: Content, session_path: Path, teintes: list) -> dt.datetime:
    """Return the date the booklet carries: the newest date of the files it is made of.

    Those are the session, the nuancier's texts, the familles and the teintes
    the session covered: editing another teinte leaves the booklet as it was.
    """
    from .edition import newest_date
    from .load import where

    root = content.root
    files = [session_path, root / "nuancier.yaml", root / "familles.yaml", *sorted(root.glob("familles/*.y*ml"))]
    files += [Path(where(t.teinte).file) for t in teintes]
    return newest_date(list(dict.fromkeys(f for f in files if f.exists())))


# --- reusing a booklet whose inputs did not change -----------------------------------------

BOOKLET_CACHE_FORMAT = 1
BOOKLET_TEMPLATES = ("booklet-section.html.j2", "booklet-padding.html.j2", "booklet-personal.html.j2")


def booklet_key(context: dict, date: dt.datetime, per_participant: bool) -> str:
    """Return the hash of everything a session's booklet files depend on.

    Its variables (the session, the nuancier's texts, the teintes covered,
    photos named after their bytes), its date, the booklet templates and
    stylesheet, the fonts and colour profile, the tool's version and whether
    personal copies are wanted.
    """
    from . import __version__
    from .cache import canonical, template_digest
    from .faces import assets_digest, key_environment

    env = key_environment(LAYOUTS_DIR)
    parts = {
        "format": BOOKLET_CACHE_FORMAT, "version": __version__, "pdf": canonical(BOOKLET_PDF),
        "templates": {name: template_digest(env, name) for name in BOOKLET_TEMPLATES},
        "stylesheet": hashlib.sha256((LAYOUTS_DIR / "booklet.css").read_bytes()).hexdigest(),
        "assets": assets_digest(LAYOUTS_DIR), "context": canonical(context),
        "date": date.isoformat(), "per_participant": per_participant,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _reuse(cache: Path | None, slug: str, key: str) -> BookletResult | None:
    """Return the recorded result if the booklet's key and every file it wrote are unchanged."""
    from .cache import kept_output

    data = kept_output(cache, f"booklet-{slug}", key)
    if data is None:
        return None
    try:
        return BookletResult(slug, Path(data["path"]), Path(data["imposed"]), int(data["pages"]),
                             int(data["padding"]), [Path(p) for p in data["copies"]],
                             warnings=list(data["warnings"]), reused=True)
    except (KeyError, TypeError, ValueError):
        return None


def _remember(cache: Path | None, key: str, result: BookletResult) -> None:
    """Record what a booklet build wrote, for :func:`_reuse`."""
    from .cache import keep_output

    data = {"path": str(result.path), "imposed": str(result.imposed_path), "pages": result.pages,
            "padding": result.padding, "copies": [str(p) for p in result.per_participant],
            "warnings": result.warnings}
    keep_output(cache, f"booklet-{result.slug}", key, [result.path, result.imposed_path, *result.per_participant],
                data)


def _lap(start: float) -> tuple[float, float]:
    """Return (seconds since ``start``, now)."""
    now = time.perf_counter()
    return round(now - start, 3), now


def _write_imposed(booklet: Path, target: Path) -> Path:
    """Impose the booklet two up on A4 in saddle order; publish it once it passes preflight."""
    from .sheets import impose_saddle

    pending = target.with_name(f".{target.name}.pending")
    impose_saddle(booklet, pending, sheet="A4")
    publish_file(pending, target, kind="sheets")
    return target
