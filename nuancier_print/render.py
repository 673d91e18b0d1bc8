"""Render stage: Jinja layouts and WeasyPrint turn one face spec into a fitted one-page PDF.

A :class:`FaceSpec` names the templates to try (most specific first) and the
variables they get. :class:`Renderer` renders it at the largest text size, in
steps of :data:`STEP` points from the base size down to the floor, at which
it fits on its page with no fixed zone (such as the title area) overflowing.
The search starts from the size found last time, or one predicted from the
faces of the same layout; where it starts never changes what it finds
(:meth:`Renderer.fit`). At the floor, :class:`~nuancier_print.errors.FitError`
says which face and by how much. Nothing is ever clipped. The text as laid
out is also measured for the preflight (:func:`layout_text_runs`).
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from . import fonts

fonts.isolate()

import jinja2  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.formatting_structure import boxes as wp_boxes  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.text.line_break import strut  # noqa: E402

from .errors import BuildError, FitError  # noqa: E402
from .fetcher import LocalFetcher  # noqa: E402
from .geometry import MIN_TEXT_PT  # noqa: E402
from .markup import LAYOUTS_DIR, make_environment  # noqa: E402
from .weasyfix import install as _install_weasyfix, shared_subsets  # noqa: E402

_install_weasyfix()  # see weasyfix: a C type parsed per font subset length, a subset per document

STEP = 0.25
PX_PER_MM = 96 / 25.4


@dataclass(frozen=True)
class FaceSpec:
    """One page to render: which templates, with which variables."""

    key: str  # unique and file-safe, e.g. "teinte-2-4-recto"
    label: str  # for people, e.g. "teinte 2.4, verso"
    templates: tuple[str, ...]  # most specific first
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    base_size: float = 8.0
    floor: float = MIN_TEXT_PT


@dataclass
class RenderedFace:
    """A fitted face: its one-page PDF and the text size chosen."""

    key: str
    label: str
    pdf: bytes
    size: float
    renders: int
    findings: list = field(default_factory=list)  # preflight findings of this face: (severity, check, message)
    text_runs: list | None = None  # the text as laid out (see layout_text_runs); not cached


class _Capture(logging.Handler):
    """Collect WeasyPrint's warnings during one render."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class Renderer:
    """Render face specs to fitted one-page PDFs, sharing fonts and CSS between them."""

    def __init__(self, stylesheet: str, *, roots: list[Path], layouts: Path = LAYOUTS_DIR,
                 pdf_options: Mapping[str, Any] | None = None, named: Mapping[str, Path] | None = None):
        self.layouts = layouts
        self.env = make_environment(layouts)
        self.env.globals["color_profile"] = bool(dict(pdf_options or {}).get("pdf_variant"))
        self.fetcher = LocalFetcher([layouts, fonts.FONTS_DIR, *roots], named)
        self.font_config = FontConfiguration()
        self.css = CSS(string=fonts.font_face_css() + "\n" + stylesheet, base_url=layouts.as_uri() + "/",
                       url_fetcher=self.fetcher, font_config=self.font_config)
        self.pdf_options = dict(pdf_options or {})
        self.warnings: list[str] = []
        self._fitted: dict[tuple, list[float]] = {}  # layout -> fitted size x root of text volume (see predict)

    def html(self, spec: FaceSpec, size: float) -> str:
        """Return the HTML of a face at a text size."""
        try:
            template = self.env.select_template(list(spec.templates))
        except jinja2.TemplatesNotFound as exc:
            raise BuildError(f"{spec.label}: no layout found; looked for "
                             + ", ".join(f"layouts/{t}" for t in spec.templates)) from exc
        return template.render(**spec.context, size=size, face=spec)

    def parse(self, html: str) -> HTML:
        """Parse a face's HTML for WeasyPrint."""
        return HTML(string=html, base_url=self.layouts.as_uri() + "/", url_fetcher=self.fetcher)

    def layout(self, spec: FaceSpec, size: float, html: str | None = None, source: HTML | None = None):
        """Lay out a face at a text size and return WeasyPrint's document.

        ``html``: the face's HTML at this size, already made. ``source``: the
        face's HTML already parsed, at any size: the fitter parses a face once
        and only changes the size its root element sets (see :func:`_resize`).
        """
        if source is None or not _resize(source, size):
            source = self.parse(html or self.html(spec, size))
        with self._weasyprint(spec):
            document = source.render(font_config=self.font_config, stylesheets=[self.css])
        document._nuancier_text = _body_text(source.etree_element)
        return document

    @contextlib.contextmanager
    def _weasyprint(self, spec: FaceSpec):
        """Collect WeasyPrint's warnings and refused fetches; turn its failures into BuildErrors."""
        capture = _Capture()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(capture)
        self.fetcher.refused = []
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - a layout WeasyPrint cannot render is a build problem
            self._raise_refused(spec)
            raise BuildError(f"{spec.label}: WeasyPrint could not render this layout "
                             f"({type(exc).__name__}: {exc}); check the templates in layouts/") from exc
        finally:
            logger.removeHandler(capture)
            self.warnings += [f"{spec.label}: {m}" for m in capture.messages]
        self._raise_refused(spec)

    def _raise_refused(self, spec: FaceSpec) -> None:
        if self.fetcher.refused:
            refused, self.fetcher.refused = self.fetcher.refused, []
            raise BuildError(f"{spec.label}: the layout asked for resources that are not allowed: "
                             + ", ".join(dict.fromkeys(refused)))

    def render(self, spec: FaceSpec, hint: float | None = None) -> RenderedFace:
        """Render a face at the largest size that fits on one page (``hint``: the last size found)."""
        document, size, renders = self.fit(spec, hint)
        with self._weasyprint(spec), shared_subsets():  # images are fetched while writing; fonts merged later
            pdf = document.write_pdf(**self.pdf_options)
        return RenderedFace(spec.key, spec.label, pdf, size, renders, text_runs=layout_text_runs(document))

    def fit(self, spec: FaceSpec, hint: float | None = None):
        """Return (document, size, layouts) for the largest size that fits.

        The search starts at ``hint`` when given (the size this face had last
        time: after a small edit it is usually still right), else at the step
        at or below the size predicted from the faces of the same layout
        fitted before it (:meth:`predict`), else at the base size. When that first size
        overflows, the size is estimated from how much it overflowed (text
        area scales with the square of the size). From there it walks in
        steps of :data:`STEP` to the largest size that fits. The layout one
        step up, which proves a size is the largest, is skipped when the
        fitting layout already shows it cannot fit (:func:`certain_overflow`).
        Where the search starts changes how many layouts it takes, never the
        size it finds.
        """
        sizes = _sizes(spec.base_size, spec.floor)
        profile = self._profile(spec) if hint is None and self._fitted else None
        start = hint if hint is not None else self.predict(spec, profile)
        index = _index_at_or_below(sizes, start) if start is not None else 0
        tried: dict[int, tuple] = {}
        source = None  # the face's HTML, parsed once (the profile's when there is one), laid out at each size
        while True:
            if index not in tried:
                if source is None:
                    source = self.parse(profile[2] if profile else self.html(spec, sizes[index]))
                document = self.layout(spec, sizes[index], source=source)
                tried[index] = (document, overflow_mm(document))
                if tried[index][1] and len(tried) == 1 and index < len(sizes) - 1:  # first size overflows
                    index = max(index + 1, _estimate(sizes, index, tried[index][1], _flow_capacity_mm(document)))
                    continue
            document, excess = tried[index]
            if excess and index == len(sizes) - 1:
                raise FitError(_fit_message(spec, document, sizes[-1], excess))
            if excess:
                index += 1
            elif (index == 0 or (index - 1 in tried and tried[index - 1][1])
                  or (index - 1 not in tried and certain_overflow(document, sizes[index], sizes[index - 1]))):
                if sizes[index] < spec.base_size:  # a face that fits at the base size says little
                    name, volume, _ = profile or self._profile(spec)
                    largest = largest_size_estimate(document, sizes[index], sizes[index - 1])
                    self._fitted.setdefault(name, []).append(largest * volume ** 0.5)
                return document, sizes[index], len(tried)
            else:
                index -= 1

    def predict(self, spec: FaceSpec, profile: tuple | None = None) -> float | None:
        """Predict a face's fitted size from the faces of the same layout this renderer shrank.

        Among faces of one layout, the largest size that fits (not rounded to
        a step: see :func:`largest_size_estimate`) times the square root of
        the text's volume (characters, plus a line's worth per block) varies
        by a few percent: the median of what was seen, divided by this
        face's root volume, predicts this face's largest size; the search
        starts at the step at or below it. None when no face of this layout
        had to shrink yet.
        """
        if not self._fitted:
            return None
        name, volume, _ = profile or self._profile(spec)
        seen = self._fitted.get(name)
        return sorted(seen)[len(seen) // 2] / volume ** 0.5 if seen else None

    def _profile(self, spec: FaceSpec) -> tuple[tuple[str, float], int, str]:
        """Return what predictions go by: (the layout used and base size, the text's volume, the HTML).

        The HTML (at the base size) is returned so that the face's layouts,
        whatever their size, need not make it again.
        """
        name = self.env.select_template(list(spec.templates)).name
        html = self.html(spec, spec.base_size)
        return (name, spec.base_size), text_volume(html), html


_BLOCK = re.compile(r"<(?:p|li|h[1-6]|dt|dd|blockquote)\b")
_TAG = re.compile(r"<[^>]*>")


def text_volume(html: str) -> int:
    """Return how much text a face's HTML holds: characters, plus 25 per block (its ragged last line)."""
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S)
    text = " ".join(_TAG.sub(" ", body).split())
    return max(1, len(text) + 25 * len(_BLOCK.findall(body)))


def _index_at_or_below(sizes: list[float], size: float) -> int:
    """Return the index of the largest size of the (decreasing) list that is at most ``size``."""
    below = [i for i, s in enumerate(sizes) if s <= size + 1e-9]
    return below[0] if below else len(sizes) - 1


def certain_overflow(document, size: float, larger: float) -> bool:
    """Tell whether a face that fits at ``size`` is sure to overflow at ``larger``.

    Each region checked is a normal flow: the page's, whose last line must
    end above the page's bottom margin, and each ``data-bottom-limit``
    block's, whose content must end above its limit. Down to its last line,
    a region's height is sums and maxima of vertical lengths: line heights,
    margins, paddings, borders. Those in em of the face's size (the layouts'
    rule, see deck.css) grow by ``ratio = larger / size`` one step up, and
    no paragraph gets fewer lines (the measure is no wider, so each line
    holds at most what it held). Two parts may not grow:

    * lengths in other units (a border in mm), which stay as they are
      (:func:`_fixed_px`);
    * what makes a line taller than its strut (WeasyPrint's least line
      height, the block's ``line-height``): a glyph from another font, whose
      line may hold other words one step up; that excess may be gone.

    The last line, which still ends the region one step up and still holds
    its block's last word, is at least a strut tall, with that word at least
    on the strut's baseline (:func:`_lowest_end`). When the end so bounded is
    below the region's bottom, the larger size overflows and needs no layout
    to prove it. A region whose growth cannot be bounded so proves nothing:
    one with a font size, line height or box height that does not follow the
    face's size, an image, a float, a table, a flex or grid box. Fixed and
    absolutely positioned boxes (band, title, footer) are not part of a flow.
    """
    if len(document.pages) != 1:
        return False
    ratio = larger / size
    page_box = document.pages[0]._page_box
    for top, _, bottom, box in _regions(document.pages[0]):
        end = _lowest_end(box, top, ratio, content=box is not page_box)  # the page paginates on lines
        if end is not None and end > bottom + _ROUNDING_PX:
            return True
    return False


def _lowest_end(region, top: float, ratio: float, content: bool) -> float | None:
    """Return the lowest a region's flow can end, ``ratio`` times larger (see :func:`certain_overflow`).

    ``content``: where its content ends (its last word's bottom), else where
    its last line does. None when it cannot be bounded.
    """
    fixed = _fixed_px(region)
    lines = [box for box in _in_flow(region) if isinstance(box, wp_boxes.LineBox)]
    if fixed is None or not lines:
        return None
    last = max(lines, key=lambda line: line.position_y)
    excess = sum(max(0.0, line.height - strut(line.style)[0]) for line in lines if line is not last)
    line_height, baseline = strut(last.style)
    if content:
        words = [box for box in _in_flow(last) if isinstance(box, wp_boxes.TextBox) and box.text.strip()]
        if not words:
            return None
        tail = baseline + words[-1].height - words[-1].baseline  # down to the last word's descent
    else:
        tail = line_height
    return top + ratio * (last.position_y - top - fixed - excess + tail) + fixed


_ROUNDING_PX = 0.1 * PX_PER_MM  # more than limit_overflow_mm's tolerance (0.05 mm) and Pango's rounding


def largest_size_estimate(document, size: float, larger: float) -> float:
    """Estimate the largest size, not rounded to a step, at which a face fits (``size`` fits, ``larger`` not).

    Growing from ``size``, each region of the flow ends at least in
    proportion further from its top when its lengths follow the size (see
    :func:`certain_overflow`), so the face cannot fit beyond ``size`` times
    the least ratio of a region's room to its content's height: an upper
    bound, close when the face would gain few lines. Learning from this
    rather than from ``size`` keeps the rounding to a step out of
    :meth:`Renderer.predict`. Only a guess: nothing relies on it but where
    the next face's search starts.
    """
    ratios = [(bottom - top) / (end - top) for top, end, bottom, _ in _regions(document.pages[0]) if end > top]
    return min([larger] + [size * ratio for ratio in ratios])


def _regions(page):
    """Yield (top, end, bottom, box) for each normal flow that must fit on a one-page face.

    The page's flow ends with its last line and must end above the page's
    bottom margin (where WeasyPrint paginates); a ``data-bottom-limit``
    block's content must end above its limit (see :func:`limit_overflow_mm`).
    Flows with nothing in them are left out.
    """
    page_box = page._page_box
    regions = [(page_box, page_box.content_box_y() + page_box.height, _last_line_bottom)]
    regions += [(box, float(limit) * PX_PER_MM, _deepest_content) for box, limit in _marked(page, "data-bottom-limit")]
    for box, bottom, end_of in regions:
        end = end_of(box)
        if end is not None:
            yield box.content_box_y(), end, bottom, box


def _last_line_bottom(box) -> float | None:
    """Return where the last line of a flow ends (where pagination looks), or None if it has none."""
    return max((d.position_y + d.height for d in _in_flow(box) if type(d).__name__ == "LineBox"), default=None)


def _deepest_content(box) -> float | None:
    """Return where the lowest content of a flow ends (where :func:`limit_overflow_mm` looks)."""
    return max((_bottom(d) for d in _in_flow(box) if _has_content(d)), default=None)


def _in_flow(box):
    """Yield the boxes in the flow under ``box`` (not fixed or absolute), not ``box`` itself."""
    stack = list(reversed(getattr(box, "children", None) or ()))
    while stack:
        child = stack.pop()
        if hasattr(child, "_box"):  # an AbsolutePlaceholder: out of the flow
            continue
        style = getattr(child, "style", None)
        if style is not None and style["position"] in ("absolute", "fixed"):
            continue
        yield child
        stack.extend(reversed(getattr(child, "children", None) or ()))


_UNBOUNDED = (wp_boxes.ReplacedBox, wp_boxes.TableBox, wp_boxes.FlexContainerBox, wp_boxes.GridContainerBox)
_FONT_UNITS = frozenset(("em", "rem", "ex", "ch"))  # lengths that follow the face's size
_SPACING = ("margin_top", "margin_bottom", "padding_top", "padding_bottom", "border_top_width", "border_bottom_width",
            "top", "bottom")  # top, bottom: the offsets of a relatively positioned box
_SIZING = ("height", "min_height", "max_height", "font_size", "line_height")
_SIZE_FREE_KEYWORDS = frozenset(("auto", "none", "normal", "smaller", "larger"))


def _fixed_px(region) -> float | None:
    """Return the sum of the vertical spacings in a flow that do not follow the face's size, or None.

    Read from each box's cascaded values, as the stylesheet wrote them: a
    length follows the face's size when it is in em (or rem, ex, ch), zero,
    a keyword that depends on nothing else (``auto``, ``none``, ``normal``,
    ``smaller``), a unitless line height, or a percentage of a font size.
    The root's own font size is the face's size itself; anonymous boxes
    inherit. A margin, padding, border or relative offset in other units
    counts its computed length (in px); a font size, line height or height
    in other units, or a percentage spacing (of a width or height), gives
    None: the flow cannot be bounded.
    So does an image (its height is its own), a float (lines beside it may
    move below it, and get fewer), or a table, flex or grid box (they share
    out their width by content: a cell may get wider, and fewer lines).
    """
    fixed = 0.0
    for box in _in_flow(region):
        style = getattr(box, "style", None)
        if isinstance(box, _UNBOUNDED) or (style is not None and style["float"] != "none"):
            return None
        cascaded = getattr(style, "cascaded", None)
        if not cascaded:
            continue
        for name, (value, _) in cascaded.items():
            if name in _SIZING:
                if not (_follows_size(value, name) or (name == "font_size" and style.is_root_element)):
                    return None
            elif name in _SPACING and not _follows_size(value, name):
                length = style[name]
                amount = length if isinstance(length, (int, float)) else getattr(length, "value", None)
                if getattr(length, "unit", "px") != "px" or amount is None:
                    return None
                fixed += max(0.0, amount)
    return fixed


def _follows_size(value, name: str) -> bool:
    """Tell whether a cascaded length grows with the face's size (see :func:`_fixed_px`)."""
    if isinstance(value, str):
        return value in _SIZE_FREE_KEYWORDS
    unit, amount = getattr(value, "unit", "?"), getattr(value, "value", None)
    if unit in _FONT_UNITS or amount == 0:
        return True
    if name == "line_height":
        return unit in (None, "%")  # a number or a percentage: of the font size
    return name == "font_size" and unit == "%"


def _fit_message(spec: FaceSpec, document, size: float, excess: float) -> str:
    lost = document_lost_text(document)
    if excess == LOST_TEXT_MM and lost:
        return (f"{spec.label} does not fit on its card: even at {size:g} pt, some text of a fixed "
                f"area (band, title or footer) has no room; shorten the title or the footer texts")
    return (f"{spec.label} does not fit on its card: even at {size:g} pt, the text is {excess:.0f} mm "
            f"too long; shorten it by about {_lines(excess, size)} lines")


def _estimate(sizes: list[float], index: int, excess_mm: float, capacity_mm: float) -> int:
    """Guess the index of the largest fitting size from how much ``sizes[index]`` overflowed."""
    if capacity_mm <= 0:
        return len(sizes) - 1
    target = sizes[index] * (capacity_mm / (capacity_mm + excess_mm)) ** 0.5
    fitting = [i for i, size in enumerate(sizes) if size <= target]
    return fitting[0] if fitting else len(sizes) - 1


def _flow_capacity_mm(document) -> float:
    page = document.pages[0]._page_box
    return page.height / PX_PER_MM


def _sizes(base: float, floor: float) -> list[float]:
    count = int(round((base - floor) / STEP))
    return [round(base - i * STEP, 2) for i in range(count + 1)]


def _lines(excess_mm: float, size_pt: float) -> int:
    line_mm = size_pt * 1.3 * 25.4 / 72
    return max(1, round(excess_mm / line_mm))


def overflow_mm(document) -> float:
    """Return how far a face overflows, in mm (0 when it fits).

    A face overflows when it needs a second page, when a ``data-fit`` zone
    spills out of its box, when a ``data-bottom-limit`` block ends below its
    limit (given in mm from the top of the trimmed page), or when some text
    of the page was not laid out at all (WeasyPrint drops the lines of a
    fixed box that do not fit on the page: we count characters to notice).
    """
    pages = document.pages
    extra = sum(_flow_height(page) for page in pages[1:]) / PX_PER_MM
    first = pages[0]
    excess = max(extra, zone_overflow_mm(first), limit_overflow_mm(first))
    if not excess and document_lost_text(document):
        excess = LOST_TEXT_MM
    return excess


LOST_TEXT_MM = 1.0


def limit_overflow_mm(page) -> float:
    """Return how far a ``data-bottom-limit`` block ends below its limit, in mm."""
    worst = 0.0
    for box, value in _marked(page, "data-bottom-limit"):
        limit = float(value)
        deepest = max((_bottom(d) for d in walk(box) if d is not box and _has_content(d)),
                      default=box.content_box_y())
        worst = max(worst, deepest / PX_PER_MM - limit)
    return worst if worst > 0.05 else 0.0


def _has_content(box) -> bool:
    return bool(getattr(box, "text", None)) or type(box).__name__ in ("ImageMarkerBox", "InlineReplacedBox",
                                                                       "BlockReplacedBox")


_IGNORED = str.maketrans("", "", " \t\n\r\u00a0\u202f\u200b\u00ad\u2010-")  # spaces, hyphens


def document_lost_text(document) -> str:
    """Return the characters of the page's HTML text that were not laid out (empty if none)."""
    from collections import Counter

    expected = Counter(_fold(getattr(document, "_nuancier_text", "")))
    laid = Counter(_fold("".join(box.text for page in document.pages for box in page_boxes(page)
                                 if type(box).__name__ == "TextBox")))
    missing = expected - laid
    return "".join(sorted(missing.elements()))


def layout_text_runs(document) -> list | None:
    """Return the text of a laid-out one-page face as placed runs, or None if it cannot tell.

    The runs are :class:`~nuancier_print.preflight.TextRun` in PDF axes (mm,
    origin at the lower left of the trim box, as in the face's PDF), measured
    from WeasyPrint's text boxes: the preflight's geometry rules then need no
    reading back of the PDF. A transformed box (CSS ``transform``) is not
    placed where its layout box says, so a face with one gets None and is
    checked from its PDF instead.
    """
    from .preflight import TextRun

    page = document.pages[0]
    height = page.height / PX_PER_MM
    runs = []
    for box in page_boxes(page):
        style = getattr(box, "style", None)
        if style is not None and style["transform"]:
            return None
        if type(box).__name__ != "TextBox" or not box.text.strip():
            continue
        x0, top = box.content_box_x() / PX_PER_MM, box.content_box_y() / PX_PER_MM  # after half-leading
        x1, bottom = x0 + box.width / PX_PER_MM, top + box.height / PX_PER_MM
        runs.append(TextRun(box.text, (x0, height - bottom, x1, height - top), style["font_size"] * 0.75))
    return runs


_ROOT_SIZE = re.compile(r"font-size: [0-9.]+pt")  # the root's style in base.html.j2


def _resize(source: HTML, size: float) -> bool:
    """Give a parsed face the text size ``size``, as base.html.j2 would; False if its root sets no size."""
    root = source.etree_element
    if not _ROOT_SIZE.fullmatch(root.get("style") or ""):
        return False
    root.set("style", f"font-size: {size}pt")
    return True


def walk(box):
    """Yield a box and all its descendants in document order, including absolutely positioned ones."""
    stack = [box]
    while stack:
        node = stack.pop()
        inner = getattr(node, "_box", node)  # an AbsolutePlaceholder wraps the positioned box
        yield inner
        children = getattr(inner, "children", None)
        if children:
            stack.extend(reversed(children))


def page_boxes(page) -> list:
    """Return every box of a laid-out page (:func:`walk`), listed once: the fit checks read it many times."""
    boxes = getattr(page, "nuancier_boxes", None)
    if boxes is None:
        boxes = page.nuancier_boxes = list(walk(page._page_box))
    return boxes


def _fold(text: str) -> str:
    return text.casefold().translate(_IGNORED)


def _body_text(root) -> str:
    """Return the text an HTML tree should print: its body, without style or script."""
    body = root.find("body")
    if body is None:
        return ""
    parts = []
    for element in body.iter():
        if element.tag not in ("style", "script", "title"):
            parts.append(element.text or "")
        if element is not body:
            parts.append(element.tail or "")
    return "".join(parts)


def _marked(page, attribute: str) -> list:
    """Return (box, attribute value) for the block boxes of elements carrying ``attribute`` (listed once)."""
    marked = getattr(page, "nuancier_marked", None)
    if marked is None:
        marked = page.nuancier_marked = {}
    if attribute not in marked:
        marked[attribute] = [(box, box.element.get(attribute)) for box in page_boxes(page)
                             if getattr(box, "element", None) is not None and hasattr(box, "content_box_y")
                             and box.element.get(attribute) is not None]
    return marked[attribute]


def _flow_height(page) -> float:
    html_box = page._page_box.children[0]
    return max((child.margin_height() for child in html_box.children), default=0.0) or 1.0


def zone_overflow_mm(page) -> float:
    """Return the largest spill of a ``data-fit`` zone beyond its own box, in mm."""
    worst = 0.0
    for box, _ in _marked(page, "data-fit"):
        top = box.content_box_y()
        bottom = top + box.height
        inner = [d for d in walk(box) if d is not box]
        below = max((_bottom(d) for d in inner), default=bottom) - bottom
        above = top - min((_top(d) for d in inner), default=top)
        worst = max(worst, below / PX_PER_MM, above / PX_PER_MM)
    return worst if worst > 0.05 else 0.0


def _top(box) -> float:
    return getattr(box, "position_y", 0.0) or 0.0


def _bottom(box) -> float:
    try:
        return box.position_y + box.margin_height()
    except (AttributeError, TypeError):
        return 0.0
