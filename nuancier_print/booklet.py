"""Participant booklets: the semi-sur-mesure livret of a training session.

For each session (``content/sessions/<slug>.yaml``) :func:`write_booklets` writes

* ``out/sessions/<slug>/booklet-<slug>.pdf``: A5 portrait with a 3 mm bleed. Cover, "Votre
  formation", sommaire, then for each teinte covered (in the order lived) its
  whole card, the mises en situation and the lecture critique of the group,
  and a notes page; then the bibliographie détaillée, the conseils pratiques
  and the back cover. Notes pages, just before the back cover, bring it to a
  multiple of 4 pages;
* ``booklet-<slug>-imposed.pdf``, beside it: the same pages two up on A4 landscape
  sheets, in saddle-stitch order, for office printers (no bleed, no marks):
  print duplex flipping on the short edge, fold and staple;
* ``booklet-<slug>-press-SRA3.pdf``: for a print shop, one spread per side
  of an SRA3 sheet, with bleed, crop, fold and registration marks, and the
  creep asked for (:func:`.sheets.impose_saddle_press`);
* ``booklet-<slug>-ecran.pdf``: the screen edition, to send by e-mail: the
  same pages without bleed, in RGB, tagged for screen readers (PDF/UA-1),
  with light photos (see :mod:`.screen`);
* with ``per_participant``, ``participants/booklet-<slug>-<participant>.pdf``: a copy
  with the participant's name on the cover and in every footer, and
  ``…-<participant>-ecran.pdf``, the screen edition with their cover.

The booklet is laid out as one WeasyPrint document, its sommaire numbered by
WeasyPrint itself (``target-counter``); notes pages that bring it to a
multiple of 4 are laid out apart and go before the back cover. A booklet
whose inputs did not change is kept as it is (see :mod:`.cache`). Personal
copies render nothing again: one more small document holds every
participant's cover and a transparent "stamp" page with their name in the
footer slot; :mod:`.pdf` then swaps the cover and draws the stamp on every
other shared page. The screen edition is laid out apart (its colours,
boxes and photos differ), and so is each participant's copy of it: their
cover and its shared pages, written again by WeasyPrint, which tags them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import fit, pdf, schema, screen
from .cache import Cache, digest
from .content import Content
from .deck import palette, teinte_colour
from .edition import Dates
from .engine import Engine, page_text
from .errors import BuildError, FitError, Problem, relative
from .geometry import SAFE_MM
from .i18n import N_, _, ngettext
from .markup import LAYOUTS_DIR, read_layout
from .model import FaceSpec, Palette
from .output import atomic_write
from .outputs import PRESS_SHEET, BookletPaths, Ledger, booklet_paths
from .pdf import DocInfo
from .preflight import format_report, preflight
from .publish import publish
from .sessions import (
    PHOTO_MAX_HEIGHT_MM,
    PHOTO_WIDTH_MM,
    PhotoError,
    open_image,
    person_slug,
    read_image,
    resolve_photo,
    strict_images,
)
from .typography import french, short_url

PAGE_H, BLEED = 210.0, 3.0  # A5 portrait (148 × 210 mm)
A5_TRIM = (148.0, PAGE_H)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_X = 17.0, 16.0, 15.0  # as in layouts/booklet.css
FOOTER_PADDING, LABEL_W, STAMP_W = 5.0, 35.0, 48.0  # the footers' margin boxes, as in layouts/booklet.css
PT = 25.4 / 72
# One line of the cover's texts, in mm: font size × line height, as in layouts/booklet.css.
COVER_LINES = {"title": 30 * 1.02 * PT, "owner": 14 * 1.15 * PT, "fact": 9 * 1.45 * PT}
TAB_W, TAB_START, NOTE_PITCH = 10.0, 40.0, 8.0  # a tab wide enough for an 8 pt bold numeral outside the safe zone
PRESS_PROFILE = LAYOUTS_DIR / "icc" / "FOGRA39L-coated.icc"
MAX_PHOTO_DPI = 450  # larger photos are scaled down to this at their printed width
PHOTO_QUALITY = 88  # JPEG quality of the CMYK print copies
PHOTO_CACHE = Path(".cache") / "booklet-photos"  # under the output folder
PHOTO_SCHEME = "nuancier-photo"  # photo URLs name a file of PHOTO_CACHE, wherever the project is (see fetcher)
STAMP = "NuancierNameStamp"


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
    press_path: Path | None = None  # the press imposition
    screen_path: Path | None = None  # the screen edition
    screen_copies: list[Path] = field(default_factory=list)  # each participant's copy of the screen edition

    def line(self) -> str:
        """Return a one-line summary for the user."""
        count = len(self.per_participant)
        copies = ngettext(", {count} personal copy", ", {count} personal copies", count).format(count=count) \
            if count else ""
        done = _("; unchanged, not rendered again") if self.reused else ""
        press = _("; for the press: {file}").format(file=relative(self.press_path)) if self.press_path else ""
        ecran = _("; for the screen: {path}").format(path=relative(self.screen_path)) if self.screen_path else ""
        return _("booklet: {file} ({pages} pages, A5 + {bleed:g} mm bleed{copies}); imposed for office printers: "
                 "{imposed}{press}{ecran}{done}").format(file=relative(self.path), pages=self.pages, bleed=BLEED,
                                                         copies=copies, imposed=relative(self.imposed_path),
                                                         press=press, ecran=ecran, done=done)


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


def geometry(n_teintes: int, bleed: float = BLEED) -> dict:
    """Return the booklet's measurements in mm (those that depend on the session; ``bleed``: 0 on screen)."""
    band_h = round(min(15.0, 80.0 / max(n_teintes, 1)), 2)
    tab_zone = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - TAB_START - 10.0
    content_h = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
    return {
        "bleed": bleed, "margin_x": MARGIN_X, "tab_w": TAB_W,
        "tab_h": round(min(18.0, (tab_zone - 2.0 * (n_teintes - 1)) / max(n_teintes, 1)), 2),
        "cover_band_h": band_h, "cover_bands_h": round(band_h * n_teintes, 2),
        "cover_top_h": round(PAGE_H - band_h * n_teintes - 15.0 - 14.0, 2),  # top padding, source line
        "photo_w": PHOTO_WIDTH_MM, "photo_max_h": PHOTO_MAX_HEIGHT_MM,
        "note_pitch": NOTE_PITCH, "note_lines": int((content_h - 14.0) // NOTE_PITCH),
        "cover_lines": {name: round(mm, 2) for name, mm in COVER_LINES.items()},
        # The height a footer may take: from its padding down to the safe zone along the trim.
        "footer_room": MARGIN_BOTTOM - FOOTER_PADDING - SAFE_MM, "label_w": LABEL_W, "stamp_w": STAMP_W,
    }


def _unfinished(teinte: schema.Teinte) -> dict[str, str]:
    """Return {field: note} for the places the source leaves unfinished."""
    marks = {item.champ: item.note for item in teinte.a_completer}
    if teinte.module is not None and teinte.module.titre is None:
        marks.setdefault("module.titre", "titre à définir")
    return marks


def booklet_teintes(content: Content, session: schema.Session, photos: dict, colours=palette) -> list[BookletTeinte]:
    """Return the session's teintes, in the order lived, ready for the layouts (``colours``: a palette maker)."""
    g = geometry(len(session.teintes))
    result = []
    for index, vecue in enumerate(session.teintes):
        teinte = content.teinte(vecue.numero)
        unfinished = _unfinished(teinte) if session.badges_a_completer else {}  # the session may hide the badges
        result.append(BookletTeinte(
            teinte=teinte, famille=content.famille(teinte.numero.famille), vecue=vecue,
            colours=colours(teinte_colour(content, teinte)), photos=photos,
            unfinished=unfinished, tab_top=round(TAB_START + index * (g["tab_h"] + 2.0), 2),
            tab_h=g["tab_h"]))
    return result


def _dates(dates: list[str]) -> str:
    """Return the dates as one phrase: ``12 mars, 13 mars et 14 mars``."""
    return dates[0] if len(dates) == 1 else ", ".join(dates[:-1]) + " et " + dates[-1]


def booklet_context(content: Content, session: schema.Session, photos: dict, for_screen: bool = False) -> dict:
    """Return the variables every booklet layout gets (``for_screen``: the screen edition's, see :mod:`.screen`)."""
    teintes = booklet_teintes(content, session, photos, screen.screen_palette if for_screen else palette)
    return {
        "session": session, "nuancier": content.nuancier, "teintes": teintes,
        "bibliography_entries": bibliography([t.teinte for t in teintes]),
        "dates": _dates(session.dates), "g": geometry(len(teintes), 0.0 if for_screen else BLEED),
        "participant": None,
        "title": f"Livret de formation — {french(session.titre)}",
        "footer_label": "Session fictive — exemple" if session.fictif else french(session.titre),
    }


# --- photos --------------------------------------------------------------------------------


def prepare_photos(content: Content, path: Path, session: schema.Session, folder: Path,
                   for_screen: bool = False) -> dict:
    """Make a CMYK print copy (an sRGB screen copy) of each photo of the session in ``folder``; return {photo: URL}.

    Copies are named after what they are made from, so they are made once and
    reused, and the booklet's bytes do not change from one build to the next.
    Their URLs (``nuancier-photo:<copy>``) do not name the folder: WeasyPrint
    names images after their URLs, and the booklet must not depend on where
    the project is. A copy is decoded whole before it is used, and made again
    if it was damaged since (WeasyPrint would print a truncated one grey).
    """
    urls = {}
    for vecue in session.teintes:
        for mise in vecue.mises_en_situation:
            if mise.photo is None or mise.photo in urls:
                continue
            source = resolve_photo(mise.photo, path.parent, content.root)
            if source is None or not source.is_file():
                raise BuildError(_("{file}: photo `{photo}` not found; run `nuancier check`").format(
                    file=relative(path), photo=mise.photo))
            target = folder / f"photo-{_photo_key(source, for_screen)}{'-ecran' * for_screen}.jpg"
            if not _whole_copy(target):  # missing, or damaged since it was made: make it again
                try:
                    atomic_write(target, rgb_photo(source) if for_screen else cmyk_photo(source))
                except PhotoError as exc:
                    raise BuildError(_("{file}: the photo `{photo}` {problem}").format(
                        file=relative(path), photo=mise.photo, problem=exc)) from None
            urls[mise.photo] = f"{PHOTO_SCHEME}:{target.name}"
    return urls


def _whole_copy(path: Path) -> bool:
    """Tell whether a print copy of the cache is there and whole: a JPEG whose every pixel decodes."""
    if not path.is_file():
        return False
    try:
        return read_image(path)[0] == "JPEG"
    except PhotoError:
        return False


def _photo_key(source: Path, for_screen: bool = False) -> str:
    """Return a short hash of a photo, the press profile and how copies (print or screen) are made."""
    digest = hashlib.sha256(source.read_bytes())
    digest.update(PRESS_PROFILE.read_bytes() if PRESS_PROFILE.is_file() else b"")
    digest.update(f"{MAX_PHOTO_DPI}|{PHOTO_QUALITY}|{PHOTO_WIDTH_MM}".encode())
    if for_screen:
        digest.update(f"screen|{screen.SCREEN_DPI}|{screen.SCREEN_QUALITY}|{PHOTO_MAX_HEIGHT_MM}".encode())
    return digest.hexdigest()[:16]


def cmyk_photo(source: Path) -> bytes:
    """Return ``source`` upright, as a CMYK JPEG for the press profile (FOGRA39)."""
    from PIL import Image, ImageCms

    if not PRESS_PROFILE.is_file():
        raise BuildError(_("the press colour profile {file} is missing; restore it from git: "
                           "`git checkout -- layouts/icc`").format(file=relative(PRESS_PROFILE)))
    with strict_images(), open_image(source) as opened:
        image = _flatten(_upright(opened))
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


def rgb_photo(source: Path) -> bytes:
    """Return ``source`` upright, as an sRGB JPEG for the screen: 150 ppi where it is placed (:mod:`.screen`)."""
    from PIL import Image, ImageCms

    with strict_images(), open_image(source) as opened:
        image, embedded = _upright(opened), opened.info.get("icc_profile")
        if image.mode == "CMYK":  # a CMYK photo without a profile is taken as made for the press
            own = _profile(embedded) if embedded else ImageCms.getOpenProfile(str(PRESS_PROFILE))
            image, embedded = ImageCms.profileToProfile(image, own, ImageCms.createProfile("sRGB"),
                                                        outputMode="RGB"), None
        image = _flatten(image)
        if embedded:
            try:
                image = ImageCms.profileToProfile(image, _profile(embedded), ImageCms.createProfile("sRGB"),
                                                  renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB")
            except ImageCms.PyCMSError:
                pass  # a profile that does not fit the pixels (a grey one): they are taken as sRGB
        size = screen.screen_size(*image.size)
        if size != image.size:
            image = image.resize(size, Image.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=screen.SCREEN_QUALITY, optimize=True,
                   dpi=(screen.SCREEN_DPI, screen.SCREEN_DPI))
    return buffer.getvalue()


def _upright(opened):
    """Return an opened photo decoded whole and turned upright, or raise PhotoError."""
    from PIL import ImageOps

    try:
        opened.load()
    except OSError:
        raise PhotoError(_("is damaged: only part of it can be read; copy the photo again from its "
                           "original")) from None
    return ImageOps.exif_transpose(opened)


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

BOOKLET_TEMPLATE = "booklet.html.j2"
PADDING_TEMPLATE = "booklet-padding.html.j2"
PERSONAL_TEMPLATE = "booklet-personal.html.j2"
STYLESHEET = "booklet.css"


def stylesheet(engine: Engine, for_screen: bool = False):
    """Return the booklet's stylesheet, parsed by ``engine`` (``for_screen``: the screen edition's)."""
    if for_screen:
        return engine.stylesheet(screen.stylesheet_text(engine.layouts, STYLESHEET), screen.SCREEN_LAYER)
    return engine.stylesheet(read_layout(engine.layouts, STYLESHEET), STYLESHEET)


def booklet_html(engine: Engine, context: dict, label: str) -> str:
    """Return the booklet's HTML (its cover, every chapter and the back cover)."""
    return engine.html(FaceSpec("booklet", label, (BOOKLET_TEMPLATE,), context, base_size=9.0))


@dataclass
class BookletPages:
    """The booklet laid out: its pages in order, notes pages included, and what they must print."""

    documents: list  # WeasyPrint documents whose pages, in order, make the booklet
    pages: int
    padding: int  # notes pages added before the back cover to reach a multiple of 4
    text: str  # what the booklet must print (preflight's "nothing lost" check)


def lay_out_booklet(engine: Engine, context: dict, label: str, html: str | None = None, *, css=None,
                    pad: bool = True) -> BookletPages:
    """Lay out the booklet in one document, check its covers, and pad it to a multiple of 4 pages (if ``pad``).

    The notes pages are laid out apart, their folios continuing the
    booklet's, and go just before the back cover (:func:`_padding`).
    """
    css = css or stylesheet(engine)
    html = html or booklet_html(engine, context, label)
    document = engine.layout(html, css, label)
    _check_cover(document.pages, label, context.get("session"))
    _check_back_cover(document.pages, label)
    count = len(document.pages)
    padding = -count % 4 if pad else 0
    if not padding:
        return BookletPages([document], count, 0, page_text(html))
    notes = _padding(engine, context, label, padding, count, css)
    return BookletPages([document.copy(document.pages[:-1]), notes, document.copy(document.pages[-1:])],
                        count + padding, padding, page_text(html))


def _padding(engine: Engine, context: dict, label: str, padding: int, first_page: int, css):
    """Lay out ``padding`` notes pages whose folios start at ``first_page``.

    When that page is a left (even) page, a blank lead page comes first so
    that left and right pages match the booklet's; it is dropped here.
    """
    lead = first_page % 2 == 0
    spec = FaceSpec("notes", _("{label}, notes pages").format(label=label), (PADDING_TEMPLATE,),
                    {**context, "padding": padding, "first_page": first_page, "lead": lead}, base_size=9.0)
    document = engine.layout(engine.html(spec), css, spec.label)
    return document.copy(document.pages[1:] if lead else document.pages)


def _check_cover(pages, label: str, session: schema.Session | None = None) -> None:
    """Raise FitError unless the cover holds on the first page, its texts within their zone.

    With the ``session``, each line names the text to shorten, where it is
    written (``content/sessions/x.yaml:3:8: titre: ...``): the session's
    title, commanditaire, lieu or dates, or the title again when the
    footers cannot hold it.
    """
    spilled = len(pages) < 2 or "formation" not in pages[1].anchors
    over = _over(pages[0])
    if not spilled and not over:
        return
    if session is None:
        raise FitError(_("{label}: the cover does not fit on one page; shorten the session's "
                         "title, commanditaire or lieu").format(label=label))
    problems = []
    if "footer-label" in over and not session.fictif:
        problems.append(_footer_problem(session, "titre", _("the session's title"), over["footer-label"],
                                        _("the footer of every page")))
    if spilled or "cover" in over:
        problems.append(_cover_problem(session, pages[:2], None))
    raise FitError("\n".join(str(p) for p in problems))


def _over(page) -> dict[str, float]:
    """Return {probe name: mm beyond its limit} for the fit probes of one page that are beyond it."""
    probes = fit.probes_on(page)
    beyond = fit.measure([page], probes).beyond if probes else {}
    return {probe.name: beyond[probe.anchor] for probe in probes if beyond[probe.anchor] > fit.TOLERANCE_MM}


_FIELD = re.compile(r"field-([a-z_]+)-(\d+)x(\d+(?:\.\d+)?)(?:-(\d+))?")
COVER_FIELDS = {  # the cover's texts: field of the session, and how to name it (translated when shown)
    "titre": ("titre", N_("the session's title")), "owner": ("participants[{i}].nom", N_("the participant's name")),
    "commanditaire": ("commanditaire", N_("the commanditaire")), "lieu": ("lieu", N_("the lieu")),
    "dates": ("dates", N_("the dates")),
}


def _cover_problem(session: schema.Session, pages, index: int | None) -> Problem:
    """Return the problem of a cover that does not fit: its text that most exceeds its room.

    Every text of the cover says how many lines of it the cover has room for
    (``field-<name>-<lines>x<line mm>``); the one with the most lines beyond
    that is named (the tallest, when none is beyond it: the cover's room
    shrinks as the session covers more teintes).
    """
    from .load import where

    found = []
    for page in pages:
        for anchor, box in page.anchors.items():
            match = _FIELD.fullmatch(anchor)
            if match and (int(match[4]) if match[4] else None) == index and match[1] in COVER_FIELDS:
                lines = max(1, round((box[3] - box[1]) / fit.PX_PER_MM / float(match[3])))
                found.append((lines - int(match[2]), lines, int(match[2]), match[1]))
    if not found:  # a layout without field ids: the cover as a whole
        return Problem(where(session), "", _("the cover does not fit on its page; shorten the session's title, "
                                             "commanditaire or lieu"))
    _excess, lines, room, name = max(found)
    field, what = COVER_FIELDS[name]
    field = field.format(i=(index or 1) - 1)
    return Problem(where(session, field), field, ngettext(
        "{what} takes {lines} line on the cover, which has room for about {room}, and the cover does not fit on "
        "its page; shorten it",
        "{what} takes {lines} lines on the cover, which has room for about {room}, and the cover does not fit on "
        "its page; shorten it", lines).format(what=_(what), lines=lines, room=room))


def _footer_problem(session: schema.Session, field: str, what: str, excess: float, place: str) -> Problem:
    """Return the problem of a text too long for the footer it is printed in."""
    from .load import where

    return Problem(where(session, field), field,
                   _("{what} does not fit in {place}: its lines would run {excess:.0f} mm "
                     "past the safe zone along the trim; shorten it").format(what=what, place=place,
                                                                            excess=max(excess, 1)))


def _check_back_cover(pages, label: str) -> None:
    """Raise FitError unless the back cover holds on the last page alone, its text above its colour bands."""
    last = pages[-1].anchors
    spilled = "credits" not in last or len(pages) > 1 and "credits" in pages[-2].anchors
    if spilled or "credits-end" not in last or last["credits-end"][1] > last["credits-bands"][1] + 0.5:
        raise FitError(_("{label}: the back cover does not fit on one page; shorten the "
                         "nuancier's credits or licence").format(label=label))


# --- personal copies -----------------------------------------------------------------------


def lay_out_personal_pages(engine: Engine, context: dict, names: list[str], label: str, css=None):
    """Lay out every participant's cover and footer stamp in one document: cover, stamp, cover...

    Raise FitError naming, for each participant whose cover or footer stamp
    does not fit, the name to shorten (or the text of the cover that is too long).
    """
    spec = FaceSpec("personal", _("{label}, personal pages").format(label=label), (PERSONAL_TEMPLATE,),
                    {**context, "participants": names}, base_size=9.0)
    document = engine.layout(engine.html(spec), css or stylesheet(engine), spec.label)
    pages, session = document.pages, context["session"]
    problems = []
    for index in range(1, len(names) + 1):
        start = next((number for number, page in enumerate(pages)
                      if any(a.startswith(f"fit-cover-{index}-") for a in page.anchors)), None)
        cover = pages[2 * index - 2] if 2 * index - 2 < len(pages) else None
        over = _over(cover) if cover is not None else {}
        if f"stamp-{index}" in over:
            problems.append(_footer_problem(session, f"participants[{index - 1}].nom", _("the participant's name"),
                                            over[f"stamp-{index}"],
                                            _("the footer of every page of their personal copy")))
        if start != 2 * index - 2 or f"cover-{index}" in over:
            problems.append(_cover_problem(session, pages[2 * index - 2:2 * index], index))
            break  # the pages after a cover that spilled are no longer where they should be
    if problems or len(pages) != 2 * len(names):
        raise FitError("\n".join(str(p) for p in problems) or (
            _("{label}: a personal cover does not fit on one page; shorten the session's title or the "
              "participants' names").format(label=label)))
    return document


def personal_copy(shared, cover, stamp, info: DocInfo) -> bytes:
    """Return the shared booklet (an open reader) with ``cover`` as its first page and ``stamp`` on the others."""
    target = pdf.clone(shared)
    pdf.replace_page(target, target.pages[0], cover)
    form = pdf.page_form(target, stamp)
    for page in target.pages[1:]:
        pdf.append_content(target, page, f"q /{STAMP} Do Q\n".encode(), {STAMP: form})
    return pdf.finish(target, info)


def write_personal_copies(engine: Engine, context: dict, shared: bytes, info: DocInfo, paths: BookletPaths,
                          ledger: Ledger, sources: list[Path]) -> list[Path]:
    """Write one booklet per participant: their cover, their name in every footer."""
    session = context["session"]
    names = [french(p.nom) for p in session.participants]
    label = _("booklet {slug}").format(slug=paths.slug)
    document = lay_out_personal_pages(engine, context, names, label)
    personal = pdf.read(engine.write([document], _("{label}, personal pages").format(label=label)))
    report = preflight(pdf_bytes(personal), kind="booklet", trim=A5_TRIM, bleed=BLEED, checks=PERSONAL_CHECKS)
    if not report.ok:  # the copies are the checked shared booklet plus these pages
        raise BuildError("\n".join(format_report(report) + [_(
            "{label}: the personal covers and footers failed preflight; no personal copy was written").format(
                label=label)]))
    reader = pdf.read(shared)
    written = []
    for index, person in enumerate(session.participants):
        mine = personal_info(info, session, person)
        data = personal_copy(reader, personal.pages[2 * index], personal.pages[2 * index + 1], mine)
        target = atomic_write(paths.participant(person_slug(person.nom)), data)
        ledger.written(target, "participant", sources, session=paths.slug)
        written.append(target)
    return written


def personal_info(info: DocInfo, session: schema.Session, person: schema.Participant) -> DocInfo:
    """Return what a participant's copy of a booklet (``info``) says about itself."""
    name = french(person.nom)
    return DocInfo(f"Livret de {name} — {french(session.titre)}", info.date, f"{info.identity}|{name}",
                   document=f"{info.document}|{person_slug(person.nom)}")


def pdf_bytes(reader) -> bytes:
    """Return the bytes a reader was opened on."""
    return reader.stream.getvalue()


PERSONAL_CHECKS = frozenset({"boxes", "fonts", "colour", "images", "geometry"})


# --- the stage -----------------------------------------------------------------------------


def write_booklets(content: Content, out: Path, *, slugs: list[str] | None = None, per_participant: bool = False,
                   cache: Cache | None = None, engine: Engine | None = None, dates: Dates | None = None,
                   ledger: Ledger | None = None, creep: float = 0.0) -> list[BookletResult]:
    """Write the booklet of each session (or of ``slugs``), imposed, and personal copies if asked.

    A booklet whose inputs have not changed since it was written (and whose
    files are still there, intact) is kept as it is.
    """
    out = Path(out)
    engine = engine or booklet_engine(content, out)
    ledger = ledger or Ledger(out, content.root)
    return [write_booklet(content, slug, out, per_participant=per_participant, cache=cache or Cache(None),
                          engine=engine, dates=dates or Dates(), ledger=ledger, creep=creep)
            for slug in _chosen_sessions(content, slugs)]


def booklet_engine(content: Content, out: Path, layouts: Path = LAYOUTS_DIR) -> Engine:
    """Return an engine that may read the content folder and the booklets' photo copies."""
    return Engine(layouts, roots=[content.root], named={PHOTO_SCHEME: Path(out) / PHOTO_CACHE})


def _chosen_sessions(content: Content, slugs: list[str] | None) -> list[str]:
    """Return the slugs to build, or raise BuildError naming the unknown ones."""
    if slugs is None:
        return sorted(content.sessions)
    unknown = [s for s in slugs if s not in content.sessions and s not in content.session_errors]
    if unknown:
        known = ", ".join(sorted([*content.sessions, *content.session_errors])) or _("none")
        raise BuildError(_("no session named {names} in {folder}/ (the sessions are: {known})").format(
            names=", ".join(unknown), folder=relative(content.root / "sessions"), known=known))
    return [slug for slug in dict.fromkeys(slugs) if slug in content.sessions]


def booklet_sources(content: Content, slug: str) -> list[Path]:
    """Return the content files a session's booklet is made of: the session, its teintes, the shared texts, photos."""
    from .load import where

    path, session = content.sessions[slug]
    root = content.root
    files = [path, root / "nuancier.yaml", root / "familles.yaml", *sorted(root.glob("familles/*.y*ml"))]
    files += [Path(where(content.teinte(v.numero)).file) for v in session.teintes]
    files += [found for v in session.teintes for m in v.mises_en_situation if m.photo
              for found in [resolve_photo(m.photo, path.parent, root)] if found is not None]
    return list(dict.fromkeys(f for f in files if f.exists()))


def write_booklet(content: Content, slug: str, out: Path, *, per_participant: bool = False, cache: Cache,
                  engine: Engine, dates: Dates, ledger: Ledger, creep: float = 0.0) -> BookletResult:
    """Write one session's booklet, its imposed sheets, its screen edition and, if asked, the personal copies."""
    path, session = content.sessions[slug]
    label = _("booklet {slug}").format(slug=slug)
    paths = booklet_paths(out, slug)
    sources = booklet_sources(content, slug)
    people = [person_slug(p.nom) for p in session.participants] if per_participant else []
    copies, screen_copies = [paths.participant(p) for p in people], [paths.participant_ecran(p) for p in people]
    ledger.plan(*paths.shared, *(copy for p in people for copy in paths.personal(p)))
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    photos = prepare_photos(content, path, session, out / PHOTO_CACHE)
    context = booklet_context(content, session, photos)
    date = _content_date(content, path, context["teintes"], dates)
    html = booklet_html(engine, context, label)
    made_of = booklet_key(engine, html, date)
    key = digest(made_of, per_participant, creep, screen.SCREEN_DPI, screen.SCREEN_QUALITY)
    kept = cache.unchanged(f"booklet|{slug}", key)
    if kept is not None:
        for output, kind in [(paths.booklet, "booklet"), (paths.imposed, "imposed"), (paths.press, "press"),
                             (paths.ecran, "screen"), *((copy, "participant") for copy in copies),
                             *((copy, "participant-screen") for copy in screen_copies)]:
            ledger.written(output, kind, sources, session=slug, unchanged=True)
        return _kept(slug, paths, kept)
    before = len(engine.warnings)
    timings["photos"], clock = _lap(clock)
    laid = lay_out_booklet(engine, context, label, html)
    timings["layout"], clock = _lap(clock)
    info = DocInfo(context["title"], date, f"booklet|{made_of}", document=f"booklet|{slug}",
                   purpose="Livret A5 à imprimer recto verso, plier et agrafer ; fond perdu 3 mm.")
    shared = pdf.finish(engine.write(laid.documents, label), info)
    report = publish(shared, paths.booklet, kind="booklet", trim=A5_TRIM, bleed=BLEED, texts=[laid.text])
    ledger.written(paths.booklet, "booklet", sources, session=slug)
    timings["write"], clock = _lap(clock)
    _write_imposed(paths.booklet, paths.imposed, info)
    ledger.written(paths.imposed, "imposed", sources, session=slug)
    _write_press(paths.booklet, paths.press, info, creep)
    ledger.written(paths.press, "press", sources, session=slug)
    timings["impose"], clock = _lap(clock)
    if copies:  # asked for, and the session has participants
        write_personal_copies(engine, context, shared, info, paths, ledger, sources)
    timings["personal"], clock = _lap(clock)
    edition = write_screen_edition(engine, content, slug, out, info, ledger, sources)
    if copies:
        write_screen_copies(engine, edition, session, info, paths, ledger, sources)
    timings["screen"], clock = _lap(clock)
    warnings = list(dict.fromkeys(engine.warnings[before:] + format_report(report)[:-1]))
    result = BookletResult(slug, paths.booklet, paths.imposed, laid.pages, laid.padding, copies, timings, warnings,
                           press_path=paths.press, screen_path=paths.ecran, screen_copies=screen_copies)
    cache.written(f"booklet|{slug}", key, [*paths.shared, *copies, *screen_copies],
                  {"pages": result.pages, "padding": result.padding, "copies": [str(p) for p in copies],
                   "screen_copies": [str(p) for p in screen_copies], "warnings": warnings})
    return result


@dataclass
class ScreenEdition:
    """A booklet's screen edition as laid out: its context and stylesheet, for the participants' copies."""

    context: dict
    css: object  # the parsed stylesheet
    laid: BookletPages
    label: str


def write_screen_edition(engine: Engine, content: Content, slug: str, out: Path, info: DocInfo, ledger: Ledger,
                         sources: list[Path]) -> ScreenEdition:
    """Lay out and write a session's screen edition (see :mod:`.screen`), once it passes its preflight."""
    path, session = content.sessions[slug]
    paths, label = booklet_paths(out, slug), f"booklet {slug}, screen edition"
    photos = prepare_photos(content, path, session, out / PHOTO_CACHE, for_screen=True)
    context = booklet_context(content, session, photos, for_screen=True)
    css = stylesheet(engine, for_screen=True)
    laid = lay_out_booklet(engine, context, label, css=css, pad=False)
    data = screen.write(engine, laid.documents, label, screen.screen_info(info))
    publish(data, paths.ecran, kind="screen", trim=A5_TRIM, bleed=0.0, texts=[laid.text])
    ledger.written(paths.ecran, "screen", sources, session=slug)
    return ScreenEdition(context, css, laid, label)


def write_screen_copies(engine: Engine, edition: ScreenEdition, session: schema.Session, info: DocInfo,
                        paths: BookletPaths, ledger: Ledger, sources: list[Path]) -> list[Path]:
    """Write each participant's copy of the screen edition: their cover, then the edition's other pages.

    WeasyPrint writes each copy whole, so that it is tagged as the edition
    is; the pages after the cover were checked in the edition, and are not
    read again.
    """
    names = [french(p.nom) for p in session.participants]
    covers = lay_out_personal_pages(engine, edition.context, names, edition.label, css=edition.css)
    [shared] = edition.laid.documents
    checked = {number: [] for number in range(2, len(shared.pages) + 1)}
    written = []
    for index, person in enumerate(session.participants):
        pages = [covers.copy(covers.pages[2 * index:2 * index + 1]), shared.copy(shared.pages[1:])]
        data = screen.write(engine, pages, edition.label, screen.screen_info(personal_info(info, session, person)))
        target = paths.participant_ecran(person_slug(person.nom))
        publish(data, target, kind="screen", trim=A5_TRIM, bleed=0.0, known=checked)
        ledger.written(target, "participant-screen", sources, session=paths.slug)
        written.append(target)
    return written


def _content_date(content: Content, session_path: Path, teintes: list, dates: Dates) -> dt.datetime:
    """Return the date the booklet carries: the newest date of the files it is made of.

    Those are the session, the nuancier's texts, the familles and the teintes
    the session covered: editing another teinte leaves the booklet as it was.
    """
    from .load import where

    root = content.root
    files = [session_path, root / "nuancier.yaml", root / "familles.yaml", *sorted(root.glob("familles/*.y*ml"))]
    files += [Path(where(t.teinte).file) for t in teintes]
    return dates.newest(list(dict.fromkeys(f for f in files if f.exists())))


def booklet_key(engine: Engine, html: str, date: dt.datetime) -> str:
    """Return the hash of everything a session's booklet is made of.

    Its HTML (the session, the nuancier's texts, the teintes covered, photos
    named after their bytes), the booklet's other layouts and stylesheet,
    the fonts, the tool's and WeasyPrint's versions, and its date.
    """
    layouts = {name: read_layout(engine.layouts, name) for name in (PADDING_TEMPLATE, PERSONAL_TEMPLATE,
                                                                     "booklet-parts.html.j2", STYLESHEET,
                                                                     screen.SCREEN_LAYER)}
    return digest("booklet", engine.salt, html, layouts, date.isoformat())


def _kept(slug: str, paths: BookletPaths, data: dict) -> BookletResult:
    """Return the result of a booklet kept as it was."""
    copies = [Path(p) for p in data.get("copies", [])]
    return BookletResult(slug, paths.booklet, paths.imposed, int(data.get("pages", 0)), int(data.get("padding", 0)),
                         copies, warnings=list(data.get("warnings", [])), reused=True, press_path=paths.press,
                         screen_path=paths.ecran, screen_copies=[Path(p) for p in data.get("screen_copies", [])])


def _lap(start: float) -> tuple[float, float]:
    """Return (seconds since ``start``, now)."""
    now = time.perf_counter()
    return round(now - start, 3), now


def _write_imposed(booklet: Path, target: Path, info: DocInfo) -> Path:
    """Impose the booklet two up on A4 in saddle order; publish it once it passes preflight."""
    from .sheets import impose_saddle

    imposed = DocInfo(f"{info.title} — imposé A4 pour imprimante de bureau", info.date, f"imposed|{info.identity}",
                      document=f"imposed|{info.document}", purpose=OFFICE_PURPOSE)
    publish(impose_saddle(booklet, imposed, sheet="A4"), target, kind="sheets", bleed=BLEED,
            pieces_checked=True)  # the booklet passed preflight
    return target


OFFICE_PURPOSE = ("Imposition pour imprimante de bureau, sans fond perdu ni traits de coupe (pas pour un "
                  "imprimeur : voir le fichier press-SRA3). A4 paysage, imprimer à 100 % recto verso, bord court "
                  "(retourner sur le petit côté), plier les feuilles ensemble au milieu, agrafer au pli.")


def _write_press(booklet: Path, target: Path, info: DocInfo, creep: float) -> Path:
    """Impose the booklet for a print shop, one spread per SRA3 side; publish it once it passes preflight."""
    from .sheets import impose_saddle_press

    crept = f", chasse compensée de {creep:g} mm" if creep else ""
    press = DocInfo(f"{info.title} — imposé {PRESS_SHEET} pour l'imprimeur", info.date,
                    f"press|{creep}|{info.identity}", document=f"press|{info.document}",
                    purpose=f"Imposition pour l'imprimeur : une double page A5 par face de feuille {PRESS_SHEET} "
                            f"paysage, fond perdu 3 mm, traits de coupe, de pli et de repérage{crept}. Recto verso "
                            "en tournant la feuille comme une page de livre ; plier, piquer à cheval, massicoter.")
    publish(impose_saddle_press(booklet, press, sheet=PRESS_SHEET, creep=creep), target, kind="sheets", bleed=BLEED,
            pieces_checked=True)  # the booklet passed preflight
    return target
