"""The rendering engine: Jinja layouts and WeasyPrint, through their public interfaces only.

An :class:`Engine` is made once per build (or per `watch` session) and owns
what every layout shares: the layouts' sandboxed Jinja environment, the
font configuration (the bundled fonts only), the stylesheets, the resource
fetcher that serves local files only, and the warnings WeasyPrint gave,
each tagged with the face or the booklet it came from.

It lays out a face at a text size (:meth:`Engine.layout`), fits a face to
its card (:meth:`Engine.fit_face`, see :mod:`.fit`), and writes laid-out
pages as one PDF (:meth:`Engine.write`). Fonts are embedded whole by
WeasyPrint (``full_fonts``) and cut to the glyphs the pages draw by
:func:`subset_fonts`, its finisher, with HarfBuzz's subsetter from
uharfbuzz: the same small files on every machine, with or without the
system's HarfBuzz-subset library, and each font cut once per file.
"""

from __future__ import annotations

import contextlib
import hashlib
import html.parser
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import fonts

fonts.isolate()  # before WeasyPrint is imported: Fontconfig must see the bundled fonts only

import jinja2  # noqa: E402
import pydyf  # noqa: E402
import uharfbuzz as hb  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint import __version__ as weasyprint_version  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from . import __version__, fit  # noqa: E402
from .cache import digest, files_digest  # noqa: E402
from .errors import BuildError, FitError, relative  # noqa: E402
from .fetcher import LocalFetcher  # noqa: E402
from .i18n import _, ngettext  # noqa: E402
from .markup import LAYOUTS_DIR, make_environment, template_errors  # noqa: E402
from .model import FaceSpec, Fitted  # noqa: E402


class Engine:
    """Lay out faces and booklets with one set of layouts, fonts and allowed folders."""

    def __init__(self, layouts: Path = LAYOUTS_DIR, *, roots: Iterable[Path] = (),
                 named: Mapping[str, Path] | None = None):
        self.layouts = Path(layouts).resolve()
        self.env = make_environment(self.layouts)
        self.fetcher = LocalFetcher([self.layouts, fonts.FONTS_DIR, *roots], named)
        self.font_config = FontConfiguration()
        self.warnings: list[str] = []
        self._stylesheets: dict[tuple, CSS] = {}
        self.salt = digest("render", __version__, weasyprint_version, files_digest(
            [fonts.FONTS_DIR / face.file for face in fonts.FACES]))

    # --- layouts -----------------------------------------------------------------------

    def stylesheet(self, text: str, label: str = "stylesheet", *, with_fonts: bool = True) -> CSS:
        """Return the parsed stylesheet ``text`` (after the bundled fonts' rules, unless told not to), once."""
        css = self._stylesheets.get((text, with_fonts))
        if css is None:
            with self._weasyprint(label):
                css = CSS(string=(fonts.font_face_css() + "\n" if with_fonts else "") + text,
                          base_url=self.layouts.as_uri() + "/", url_fetcher=self.fetcher,
                          font_config=self.font_config)
            self._stylesheets[(text, with_fonts)] = css
        return css

    def template_text(self, name: str, **variables) -> str:
        """Render a layout template that is not a page (a stylesheet template, say)."""
        with template_errors(self.layouts, name):
            return self.env.get_template(name).render(**variables)

    def html(self, spec: FaceSpec) -> str:
        """Return the HTML of a face, from its most specific layout (its text size is a stylesheet's)."""
        with template_errors(self.layouts, spec.label):
            try:
                template = self.env.select_template(list(spec.templates))
            except jinja2.TemplatesNotFound:
                raise BuildError(_("{label}: no layout found; looked for {files}").format(
                    label=spec.label, files=", ".join(relative(self.layouts / t) for t in spec.templates))) from None
            return template.render(**spec.context, face=spec)

    def parse(self, html: str) -> HTML:
        """Parse an HTML document for WeasyPrint: a face is parsed once, and laid out at any size."""
        return HTML(string=html, base_url=self.layouts.as_uri() + "/", url_fetcher=self.fetcher)

    def layout(self, source: str | HTML, css: CSS, label: str, size: float | None = None):
        """Lay out an HTML document (its text or parsed) with a stylesheet, at a text size; return the document."""
        with self._weasyprint(label):
            if isinstance(source, str):
                source = self.parse(source)
            sheets = [css] if size is None else [css, self._size(size)]
            return source.render(font_config=self.font_config, stylesheets=sheets)

    def _size(self, size: float) -> CSS:
        """Return the stylesheet that sets a face's text size (every length of a face is in em of it)."""
        return self.stylesheet(f"html {{ font-size: {size:g}pt; }}", "text size", with_fonts=False)

    def fit_face(self, spec: FaceSpec, css: CSS, html: str | None = None, start: float | None = None):
        """Return (a :class:`Fitted`, its document) at the largest size at which the face fits.

        ``start`` is where the search begins, the size this face had before.
        Raise :class:`FitError` when it does not fit even at the floor.
        """
        html = html or self.html(spec)
        source = self.parse(html)
        outcome = fit.fit(lambda size: self.layout(source, css, spec.label, size), fit.probes_in(html),
                          spec.base_size, spec.floor, start)
        if outcome.excess:
            raise FitError(_fit_message(spec, outcome))
        return Fitted(spec, outcome.size, outcome.layouts, page_text(html)), outcome.document

    def lay_out_at(self, spec: FaceSpec, css: CSS, size: float, html: str | None = None):
        """Return (a :class:`Fitted`, its document) at a size known to fit (from the cache), or None if it does not."""
        html = html or self.html(spec)
        document = self.layout(html, css, spec.label, size)
        if fit.overflow_mm(document.pages, fit.probes_in(html)):
            return None
        return Fitted(spec, size, 0, page_text(html)), document

    # --- writing -----------------------------------------------------------------------

    def write(self, documents: list, label: str, *, finisher=None, **options: Any) -> bytes:
        """Return the pages of laid-out ``documents`` (each a page list or a document) as one PDF.

        Documents are joined the way WeasyPrint documents it, with
        ``Document.copy``; fonts are embedded once each, cut to what the
        pages draw (:func:`subset_fonts`). ``finisher``, if given, then
        makes its last touches (as WeasyPrint's ``finisher`` does).
        """
        pages = [page for document in documents for page in document.pages]
        if not pages:
            raise BuildError(_("{label}: nothing to write").format(label=label))

        def finish(document, pdf: pydyf.PDF) -> None:
            subset_fonts(document, pdf)
            if finisher is not None:
                finisher(document, pdf)

        with self._weasyprint(label):
            joined = documents[0].copy(pages)
            return joined.write_pdf(full_fonts=True, finisher=finish, **options)

    # --- WeasyPrint's warnings and refusals --------------------------------------------

    @contextlib.contextmanager
    def _weasyprint(self, label: str):
        """Collect WeasyPrint's warnings and refused fetches; turn its failures into BuildErrors."""
        capture = _Capture()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(capture)
        self.fetcher.refused = []
        try:
            yield
        except (BuildError, FitError):
            raise
        except Exception as exc:  # noqa: BLE001 - a layout WeasyPrint cannot render is a build problem
            self._raise_refused(label)
            raise BuildError(_("{label}: WeasyPrint could not render this layout ({error}); check the files in "
                               "layouts/").format(label=label, error=f"{type(exc).__name__}: {exc}")) from exc
        finally:
            logger.removeHandler(capture)
            self.warnings += [f"{label}: {message}" for message in capture.messages]
        self._raise_refused(label)

    def _raise_refused(self, label: str) -> None:
        """Raise one line per refused resource, at the layout line that names it when it can be found."""
        if self.fetcher.refused:
            refused, self.fetcher.refused = self.fetcher.refused, []
            lines = []
            for url in dict.fromkeys(refused):
                where = _named_in_layouts(self.layouts, url)
                reason = self.fetcher.reasons.get(url)
                line = _("{label}: the layout asked for resources that are not allowed: {url}").format(
                    label=label, url=url) + (f" ({reason})" if reason else "")
                lines.append(f"{where}: {line}" if where else line)
            raise BuildError("\n".join(lines))


LAYOUT_FILES = (".j2", ".css", ".html")


def _named_in_layouts(layouts: Path, url: str) -> str | None:
    """Return ``layouts/<file>:<line>`` of the first layout file that names ``url``, or None.

    The URL is looked for as WeasyPrint resolved it, and, for a file of the
    layouts folder, as a layout names it: its path relative to the folder.
    """
    needles = [url]
    parts = urlsplit(url)
    if parts.scheme == "file":
        with contextlib.suppress(ValueError):
            needles.append(Path(unquote(parts.path)).relative_to(layouts).as_posix())
    for path in sorted(layouts.rglob("*")):
        if path.suffix not in LAYOUT_FILES or path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for needle in needles:
            found = text.find(needle)
            if found >= 0:
                return f"{relative(path)}:{text.count(chr(10), 0, found) + 1}"
    return None


class _Capture(logging.Handler):
    """Collect WeasyPrint's warnings while one thing is laid out or written."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _fit_message(spec: FaceSpec, outcome: fit.Outcome) -> str:
    """Say which face does not fit, at which size, and by how much to shorten it."""
    line_mm = outcome.size * 1.3 * 25.4 / 72
    lines = max(1, round(outcome.excess / line_mm))
    return ngettext("{face} does not fit on its card: even at {size:g} pt, the text is {excess:.0f} mm too long; "
                    "shorten it by about {lines} line",
                    "{face} does not fit on its card: even at {size:g} pt, the text is {excess:.0f} mm too long; "
                    "shorten it by about {lines} lines", lines).format(
        face=spec.label, size=outcome.size, excess=outcome.excess, lines=lines)


# --- what a page must print -----------------------------------------------------------------


class _Text(html.parser.HTMLParser):
    """Collect the text of an HTML body, leaving out its head, styles and scripts."""

    SKIPPED = {"head", "style", "script", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(markup: str) -> str:
    """Return the text an HTML page must print (what preflight's "nothing lost" check looks for)."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return " ".join("".join(parser.parts).split())


# --- templates ------------------------------------------------------------------------------


# --- fonts ----------------------------------------------------------------------------------

DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def subset_fonts(document, pdf: pydyf.PDF) -> None:
    """Cut every embedded font to the glyphs the pages draw (a ``write_pdf`` finisher).

    WeasyPrint embedded each font whole (``full_fonts``) with the widths and
    Unicode map of all its glyphs; the glyphs drawn, and the text each
    stands for, are those its fonts recorded while painting
    (``Document.fonts``). Each font program is cut once, keeping glyph ids,
    and its widths and Unicode map list only those glyphs. Its name gets a
    tag made from the cut program's bytes: two different subsets never share
    a name (a RIP may cache fonts by name).
    """
    groups: dict[bytes, list] = {}
    for font in document.fonts.values():
        groups.setdefault(font.name, []).append(font)
    objects = pdf.objects
    cut: dict[int, bytes] = {}  # font file object number -> its subset
    for obj in list(objects):
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Font" and obj.get("Subtype") == "/Type0":
            group = groups.get(obj.get("BaseFont"))
            if group:
                _subset_font(obj, group, objects, cut)


def _deref(objects: list, reference: bytes):
    """Return the object a pydyf reference (``b"12 0 R"``) points at."""
    return objects[int(reference.split()[0])]


def _subset_font(font_dict: pydyf.Dictionary, group: list, objects: list, cut: dict) -> None:
    """Cut one Type 0 font's program, widths and Unicode map to the glyphs its group drew."""
    to_unicode: dict[int, str] = {}
    widths: dict[int, float] = {}
    for font in group:
        to_unicode.update(font.to_unicode)
        widths.update(font.widths)
    font = group[0]
    descendant = _deref(objects, font_dict["DescendantFonts"][0])
    descriptor = _deref(objects, descendant["FontDescriptor"])
    key = next((k for k in ("FontFile3", "FontFile2", "FontFile") if k in descriptor), None)
    if key is None or not to_unicode:
        return
    program_ref = int(descriptor[key].split()[0])
    if program_ref not in cut:
        program = objects[program_ref]
        glyphs = sorted({0, *to_unicode} & set(range(_glyph_count(font))))
        subset = cut_font(b"".join(_chunks(program.stream)), glyphs, index=font.index)
        if subset is None:
            return
        program.stream = [subset]
        if "Length1" in program.extra:
            program.extra["Length1"] = len(subset)
        cut[program_ref] = subset
    tag = subset_tag(cut[program_ref])
    name = "/" + tag + "+" + font.name.decode().split("+", 1)[-1]
    for holder, field in ((font_dict, "BaseFont"), (descendant, "BaseFont"), (descriptor, "FontName")):
        holder[field] = name
    descendant["W"] = _widths_array(widths)
    _deref(objects, font_dict["ToUnicode"]).stream = _cmap(to_unicode)


def _glyph_count(font) -> int:
    face = hb.Face(hb.Blob(font.file_content), font.index)
    return face.glyph_count


def _chunks(stream: list) -> Iterable[bytes]:
    for chunk in stream:
        yield chunk if isinstance(chunk, bytes) else str(chunk).encode()


def cut_font(program: bytes, glyphs: list[int], *, index: int = 0) -> bytes | None:
    """Return a font program cut down to ``glyphs``, glyph ids kept, in one HarfBuzz pass (None if it fails).

    WeasyPrint's own settings: glyph ids kept, unknown tables passed
    through, CFF desubroutinised, no hinting, layout tables dropped.
    """
    face = hb.Face(hb.Blob(program), index)
    wanted = hb.SubsetInput()
    for glyph in glyphs:
        wanted.glyph_set.add(glyph)
    wanted.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                    | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING)
    drop = wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in DROPPED_TABLES:
        drop.add(int.from_bytes(tag, "big"))
    result = hb.subset(face, wanted)
    data = result.blob.data if result is not None else b""
    return bytes(data) or None


def subset_tag(program: bytes) -> str:
    """Return the six-letter subset tag of a font program, made from its bytes."""
    return "".join(chr(ord("A") + b % 26) for b in hashlib.sha256(program).digest()[:6])


def _widths_array(widths: dict[int, float]) -> pydyf.Array:
    """Return a CID font's ``/W`` array for ``widths`` (glyph id -> width): runs of consecutive ids."""
    array = pydyf.Array()
    run = None
    for glyph in sorted(widths):
        if run is None or glyph - 1 not in widths:
            run = pydyf.Array()
            array.extend([glyph, run])
        width = widths[glyph]
        run.append(int(width) if float(width).is_integer() else round(width, 3))
    return array


def _cmap(to_unicode: dict[int, str]) -> list[bytes]:
    """Return the lines of a ToUnicode CMap mapping each glyph id to the text it stands for."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(to_unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>".encode() for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return lines

