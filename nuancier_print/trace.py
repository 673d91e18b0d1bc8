"""What a page paints, as a print shop's prepress reads it: one pass over its content.

:func:`trace` walks a page's content stream, entering Form XObjects, with
the graphics state a press cares about: the current transformation, the
fill and stroke colours resolved to process plates (C, M, Y, K) or spot
colours, overprint (``/OP``, ``/op``, ``/OPM``), the clip (as a rectangle),
the text state (font, size, text matrix) and optional content. It records:

* every text show: its colour, size, font weight, overprint, and where it
  starts (points, page space);
* every filled area and image, as a rectangle with the plates it leaves
  inked (:meth:`Trace.plates_under` answers "which plates lie under this
  point?", overprint included);
* every stroke: colour, bounding box, overprint, whether it is inside
  optional content, whether it is drawn by the page itself or by a form;
* every form the page itself places, with its bounding box on the page.

Rectangles are bounding boxes: a curved path counts as its box, and a clip
as its box. That is precise enough for what preflight asks (the colour
under a line of text, where a mark is) and keeps the pass fast. PDF objects
are read through :mod:`.pdf`; nothing here imports pypdf.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from . import contentops, pdf
from .impose import IDENTITY, Matrix, apply, compose

Box = tuple[float, float, float, float]
PROCESS = ("C", "M", "Y", "K")
REGISTRATION_SEPARATION = "All"  # the PDF name of registration colour: every plate
FILLS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
STROKES = {b"S", b"s", b"B", b"B*", b"b", b"b*"}
SHOWS = {b"Tj", b"TJ", b"'", b'"'}
CELL = 36.0  # points: the grid that speeds up "what is under this point"


@dataclass(frozen=True)
class Colour:
    """A colour as inks: process plates (0 to 1 each) and spot colours by name."""

    process: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    spots: tuple[tuple[str, float], ...] = ()
    known: bool = True  # False for what this reader cannot tell (a pattern, an unknown space)

    @property
    def plates(self) -> frozenset[str]:
        """Return the plates this colour puts ink on (process letters and spot names)."""
        return frozenset([p for p, v in zip(PROCESS, self.process) if v > 1e-4]
                         + [name for name, v in self.spots if v > 1e-4])

    @property
    def is_white(self) -> bool:
        """Tell whether the colour puts no ink at all (paper white)."""
        return self.known and not self.plates

    def describe(self) -> str:
        """Return the colour as a print shop writes it: ``C 0 M 0 Y 0 K 92 %``."""
        text = " ".join(f"{p} {v * 100:.0f}" for p, v in zip(PROCESS, self.process)) + " %"
        return text + "".join(f", {name} {v * 100:.0f} %" for name, v in self.spots)


BLACK = Colour()
WHITE = Colour((0.0, 0.0, 0.0, 0.0))
UNKNOWN = Colour((0.0, 0.0, 0.0, 0.0), known=False)


@dataclass(frozen=True)
class Text:
    """A text show: where it starts (points), its size (pt), colour, weight, overprint."""

    origin: tuple[float, float]
    inside: tuple[float, float]  # a point within its first glyph, to look under
    size: float
    colour: Colour
    bold: bool
    overprint: bool  # nonzero overprint mode: plates at 0 are left as they are
    where: str


@dataclass(frozen=True)
class Stroke:
    """A stroked path: its box (points), colour, colour space, overprint, optional content."""

    box: Box
    colour: Colour
    space: str  # the stroke colour space's family and name, e.g. "/Separation /CutContour"
    overprint: bool
    optional: tuple[object, ...]  # the optional content groups it is drawn in (resolved dictionaries)
    level: int  # 0: drawn by the page itself; 1 and more: inside forms


@dataclass(frozen=True)
class Area:
    """A painted rectangle (points) and the plates it leaves inked."""

    box: Box
    plates: frozenset[str]
    knockout: bool  # True: it replaces every plate under it; False: it adds its inks (overprint)


@dataclass
class Trace:
    """What one page paints (see the module docstring)."""

    texts: list[Text] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    forms: list[Box] = field(default_factory=list)  # forms the page itself places, their boxes on the page
    _grid: dict | None = None

    def plates_under(self, point: tuple[float, float]) -> frozenset[str]:
        """Return the plates inked at a point by the areas painted so far (paper: none)."""
        if self._grid is None:
            self._grid = {}
            for index, area in enumerate(self.areas):
                for cell in _cells(area.box):
                    self._grid.setdefault(cell, []).append(index)
        found: set[str] = set()
        x, y = point
        for index in reversed(self._grid.get((int(x // CELL), int(y // CELL)), [])):
            area = self.areas[index]
            if area.box[0] <= x <= area.box[2] and area.box[1] <= y <= area.box[3]:
                found |= area.plates
                if area.knockout:
                    break
        return frozenset(found)


def _cells(box: Box):
    x0, y0, x1, y1 = (int(v // CELL) for v in box)
    for cx in range(x0, x1 + 1):
        for cy in range(y0, y1 + 1):
            yield cx, cy


# --- graphics state ------------------------------------------------------------------------------------


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: Colour = BLACK
    stroke: Colour = BLACK
    fill_space: object = "/DeviceGray"
    stroke_space: object = "/DeviceGray"
    stroke_name: str = "/DeviceGray"
    op_fill: bool = False
    op_stroke: bool = False
    opm: int = 0
    clip: Box | None = None
    font: object = None
    font_size: float = 0.0
    leading: float = 0.0
    render: int = 0

    def copy(self) -> _State:
        return _State(**self.__dict__)


@dataclass
class _Walk:
    """The state of a walk through one content stream and the forms it draws."""

    resources: object
    level: int
    trace: Trace
    cache: dict
    seen: frozenset = frozenset()
    enter: bool = True  # False: forms are placed (their boxes recorded) but not walked
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY
    path: list = field(default_factory=list)  # points of the current path, in page space
    optional: list = field(default_factory=list)  # marked content: an OCG or None per level


def trace(page, cache: dict | None = None, forms: bool = True) -> Trace:
    """Return what a page paints (see the module docstring); with ``forms`` False, what the page itself draws.

    ``cache`` keeps what is shared between pages of one file (parsed
    content, fonts' weights): pass the same dictionary for every page of a file.
    """
    cache = {} if cache is None else cache
    key = ("trace", id(page), forms)
    if key not in cache:
        result = Trace()
        resources = _dict(page.get("/Resources"))
        _run(page, _State(), _Walk(resources, 0, result, cache, enter=forms))
        cache[key] = result
    return cache[key]


def _run(owner, state: _State, walk: _Walk) -> None:
    """Follow the operators of a page or form, from ``state``."""
    stack: list[_State] = []
    for operands, operator in _operations(owner, walk.cache):
        if operator == b"q":
            stack.append(state.copy())
        elif operator == b"Q":
            state = stack.pop() if stack else state
        else:
            _operator(operator, operands, state, walk)


def _operations(owner, cache: dict) -> list:
    """Return the (operands, operator) of a page or form, read by :mod:`.contentops` (pypdf if it cannot)."""
    key = ("ops", id(owner))
    if key not in cache:
        try:
            cache[key] = [([_operand(t) for t in op.operands], op.operator)
                          for op in contentops.operations(pdf.content_data(owner))]
        except contentops.Unreadable:
            cache[key] = pdf.operations(owner)
    return cache[key]


def _operand(token: bytes):
    """Return an operand token as a number, a name (``"/Name"``), or its bytes."""
    if token[:1] == b"/":
        return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), token).decode("latin-1")
    if contentops.is_number(token):
        return float(token)
    return token


def _operator(operator: bytes, operands: list, state: _State, walk: _Walk) -> None:
    """Apply one operator to the state, and record what it paints."""
    handler = _HANDLERS.get(operator)
    if handler is not None:
        handler(operands, state, walk)
    elif operator in FILLS or operator in STROKES or operator in (b"n", b"W", b"W*"):
        _paint(operator, state, walk)
    elif operator in SHOWS:
        _show(operator, operands, state, walk)


def _cm(operands, state, walk):
    if len(operands) == 6:
        state.ctm = compose(tuple(float(v) for v in operands), state.ctm)


def _path_point(operands, state, walk, count):
    values = [float(v) for v in operands[-count:]] if len(operands) >= count else []
    for i in range(0, len(values), 2):
        walk.path.append(apply(state.ctm, values[i], values[i + 1]))


def _re(operands, state, walk):
    if len(operands) == 4:
        x, y, w, h = (float(v) for v in operands)
        walk.path += [apply(state.ctm, px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]


def _colour_space(operands, state, walk, stroke: bool):
    if not operands:
        return
    space = _resolve_space(operands[-1], walk)
    name = _space_name(space)
    initial = _initial(space)
    if stroke:
        state.stroke_space, state.stroke, state.stroke_name = space, initial, name
    else:
        state.fill_space, state.fill = space, initial


def _colour(operands, state, walk, stroke: bool):
    space = state.stroke_space if stroke else state.fill_space
    colour = _to_inks(space, _numbers(operands), walk)
    if stroke:
        state.stroke = colour
    else:
        state.fill = colour


def _device(space: str, count: int, stroke: bool):
    def handler(operands, state, walk):
        colour = _to_inks(space, _numbers(operands)[-count:], walk)
        if stroke:
            state.stroke_space, state.stroke, state.stroke_name = space, colour, space
        else:
            state.fill_space, state.fill = space, colour
    return handler


def _gs(operands, state, walk):
    graphics = _resource(walk.resources, "/ExtGState", operands[-1]) if operands else None
    if graphics is None:
        return
    if "/OP" in graphics:
        state.op_stroke = bool(_value(graphics["/OP"]))
        state.op_fill = state.op_stroke
    if "/op" in graphics:
        state.op_fill = bool(_value(graphics["/op"]))
    if "/OPM" in graphics:
        state.opm = int(_value(graphics["/OPM"]))


def _do(operands, state, walk):
    if not operands:
        return
    xobject = _resource(walk.resources, "/XObject", operands[-1])
    if xobject is None:
        return
    if xobject.get("/Subtype") == "/Image":
        box = _clipped(_transformed((0, 0, 1, 1), state.ctm), state.clip)
        if box is not None:
            walk.trace.areas.append(Area(box, _image_plates(xobject), True))
    elif xobject.get("/Subtype") == "/Form" and id(xobject) not in walk.seen:
        _form(xobject, state, walk)


def _form(xobject, state: _State, walk: _Walk) -> None:
    """Walk a form with its matrix, clipped to its box, in its own resources."""
    inner = state.copy()
    inner.ctm = compose(tuple(float(v) for v in xobject.get("/Matrix", IDENTITY)), state.ctm)
    bbox = xobject.get("/BBox")
    box = _transformed(tuple(float(v) for v in bbox), inner.ctm) if bbox is not None else None
    if box is not None:
        inner.clip = _clipped(box, state.clip) or (box[0], box[1], box[0], box[1])
        if walk.level == 0:
            walk.trace.forms.append(box)
    if not walk.enter:
        return
    resources = _dict(xobject.get("/Resources")) or walk.resources
    nested = _Walk(resources, walk.level + 1, walk.trace, walk.cache, walk.seen | {id(xobject)},
                   optional=list(walk.optional))
    _run(xobject, inner, nested)


def _marked(operands, state, walk, opens: bool):
    if not opens:
        if walk.optional:
            walk.optional.pop()
        return
    group = None
    if len(operands) >= 2 and operands[0] == "/OC":
        group = _resource(walk.resources, "/Properties", operands[1]) if isinstance(operands[1], str) \
            else _dict(operands[1])
    walk.optional.append(group)


def _text_matrix(operands, state, walk):
    if len(operands) == 6:
        walk.tm = walk.tlm = tuple(float(v) for v in operands)


def _td(operands, state, walk, set_leading: bool = False):
    if len(operands) == 2:
        tx, ty = (float(v) for v in operands)
        if set_leading:
            state.leading = -ty
        walk.tm = walk.tlm = compose((1.0, 0.0, 0.0, 1.0, tx, ty), walk.tlm)


def _next_line(operands, state, walk):
    walk.tm = walk.tlm = compose((1.0, 0.0, 0.0, 1.0, 0.0, -state.leading), walk.tlm)


def _tf(operands, state, walk):
    if len(operands) == 2:
        state.font = _resource(walk.resources, "/Font", operands[0])
        state.font_size = float(operands[1])


def _set(attribute: str, kind=float):
    def handler(operands, state, walk):
        if operands:
            setattr(state, attribute, kind(float(operands[-1])))
    return handler


def _bt(operands, state, walk):
    walk.tm = walk.tlm = IDENTITY


_HANDLERS = {
    b"cm": _cm,
    b"m": lambda o, s, w: _path_point(o, s, w, 2), b"l": lambda o, s, w: _path_point(o, s, w, 2),
    b"c": lambda o, s, w: _path_point(o, s, w, 6), b"v": lambda o, s, w: _path_point(o, s, w, 4),
    b"y": lambda o, s, w: _path_point(o, s, w, 4), b"re": _re,
    b"cs": lambda o, s, w: _colour_space(o, s, w, False), b"CS": lambda o, s, w: _colour_space(o, s, w, True),
    b"sc": lambda o, s, w: _colour(o, s, w, False), b"scn": lambda o, s, w: _colour(o, s, w, False),
    b"SC": lambda o, s, w: _colour(o, s, w, True), b"SCN": lambda o, s, w: _colour(o, s, w, True),
    b"k": _device("/DeviceCMYK", 4, False), b"K": _device("/DeviceCMYK", 4, True),
    b"g": _device("/DeviceGray", 1, False), b"G": _device("/DeviceGray", 1, True),
    b"rg": _device("/DeviceRGB", 3, False), b"RG": _device("/DeviceRGB", 3, True),
    b"gs": _gs, b"Do": _do,
    b"BDC": lambda o, s, w: _marked(o, s, w, True), b"BMC": lambda o, s, w: _marked(o, s, w, True),
    b"EMC": lambda o, s, w: _marked(o, s, w, False),
    b"BT": _bt, b"Tm": _text_matrix, b"Td": _td, b"TD": lambda o, s, w: _td(o, s, w, True),
    b"T*": _next_line, b"Tf": _tf, b"TL": _set("leading"), b"Tr": _set("render", int),
}


# --- painting -----------------------------------------------------------------------------------


def _paint(operator: bytes, state: _State, walk: _Walk) -> None:
    """Record the current path as a filled area and a stroke, as the operator paints it; clip to it."""
    points, walk.path = walk.path, []
    if not points:
        return
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    box = (min(xs), min(ys), max(xs), max(ys))
    if operator in FILLS:
        painted = _clipped(box, state.clip)
        if painted is not None:
            overprint = state.op_fill and state.opm == 1 and _is_process(state.fill_space)
            walk.trace.areas.append(Area(painted, state.fill.plates if state.fill.known
                                         else frozenset(PROCESS), not overprint))
    if operator in STROKES:
        walk.trace.strokes.append(Stroke(box, state.stroke, state.stroke_name, state.op_stroke,
                                         tuple(g for g in walk.optional if g is not None), walk.level))
    if operator in (b"W", b"W*"):
        walk.path = points  # the clip applies after the painting operator that follows (usually n)
        state.clip = _clipped(box, state.clip) or (box[0], box[1], box[0], box[1])


def _show(operator: bytes, operands: list, state: _State, walk: _Walk) -> None:
    """Record a text show at the text matrix's origin."""
    if operator in (b"'", b'"'):
        _next_line(operands, state, walk)
    if state.render in (3, 7) or state.font_size == 0:
        return  # invisible text
    matrix = compose(walk.tm, state.ctm)
    size = abs(state.font_size) * math.hypot(matrix[2], matrix[3])
    origin = apply(matrix, 0.0, 0.0)
    inside = apply(matrix, 0.25 * state.font_size, 0.3 * state.font_size)
    overprint = state.op_fill and state.opm == 1 and _is_process(state.fill_space)
    walk.trace.texts.append(Text(origin, inside, size, state.fill, _bold(state.font, walk.cache),
                                 overprint, "page" if walk.level == 0 else "form"))


# --- colours ----------------------------------------------------------------------------------------


def _resolve_space(name, walk: _Walk):
    """Return a colour space operand resolved through the resources (a name or an array)."""
    if isinstance(name, str) and name in ("/DeviceCMYK", "/DeviceGray", "/DeviceRGB", "/Pattern"):
        return name
    space = _resource(walk.resources, "/ColorSpace", name) if isinstance(name, str) else name
    space = _get(space)
    return space if space is not None else name


def _space_name(space) -> str:
    """Return a colour space's family (and a separation's name), for messages and checks."""
    space = _get(space)
    if isinstance(space, str):
        return space
    if isinstance(space, list) and space:
        family = str(_get(space[0]))
        if family == "/Separation" and len(space) > 1:
            return f"{family} {_get(space[1])}"
        return family
    return "?"


def _is_process(space) -> bool:
    """Tell whether nonzero overprint mode applies to a colour space (DeviceCMYK only)."""
    space = _get(space)
    return space == "/DeviceCMYK" or isinstance(space, list) and space and _get(space[0]) == "/ICCBased" \
        and int(_value(_get(space[1]).get("/N", 0))) == 4


def _initial(space) -> Colour:
    """Return the colour a space starts with when it is selected."""
    space = _get(space)
    family = space if isinstance(space, str) else str(_get(space[0])) if isinstance(space, list) and space else ""
    if family in ("/DeviceCMYK", "/DeviceGray") or family == "/ICCBased":
        return BLACK
    if family in ("/Separation", "/DeviceN"):
        return _to_inks(space, (1.0,) * (len(_get(space[1])) if family == "/DeviceN" else 1), None)
    return UNKNOWN


def _to_inks(space, values: tuple[float, ...], walk) -> Colour:
    """Return a colour's inks from its colour space and its components."""
    space = _get(space)
    family = space if isinstance(space, str) else str(_get(space[0])) if isinstance(space, list) and space else ""
    if family == "/ICCBased":
        components = int(_value(_get(space[1]).get("/N", 0)))
        family = {4: "/DeviceCMYK", 1: "/DeviceGray"}.get(components, "")
    if family == "/DeviceCMYK" and len(values) == 4:
        return Colour(tuple(min(max(v, 0.0), 1.0) for v in values))
    if family == "/DeviceGray" and len(values) == 1:
        return Colour((0.0, 0.0, 0.0, 1.0 - min(max(values[0], 0.0), 1.0)))
    if family == "/Separation" and len(values) == 1:
        name, tint = str(_get(space[1])).lstrip("/"), min(max(values[0], 0.0), 1.0)
        if name == REGISTRATION_SEPARATION:
            return Colour((tint,) * 4)
        return Colour((0.0, 0.0, 0.0, 0.0), ((name, tint),))
    if family == "/DeviceN":
        names = [str(_get(n)).lstrip("/") for n in _get(space[1])]
        process = [0.0] * 4
        spots = []
        for name, tint in zip(names, values):
            if name in ("Cyan", "Magenta", "Yellow", "Black"):
                process[("Cyan", "Magenta", "Yellow", "Black").index(name)] = tint
            elif name != "None":
                spots.append((name, tint))
        return Colour(tuple(process), tuple(spots))
    return UNKNOWN


def _image_plates(image) -> frozenset[str]:
    """Return the plates an image may ink: gray on K, anything else on all four."""
    space = _get(image.get("/ColorSpace"))
    if space == "/DeviceGray" or image.get("/ImageMask"):
        return frozenset("K")
    return frozenset(PROCESS)


def _bold(font, cache: dict) -> bool:
    """Tell whether a font is bold (weight 700 or more, or a bold name), once per font."""
    if font is None:
        return False
    key = ("bold", id(font))
    if key not in cache:
        cache[key] = _font_weight(font) >= 700
    return cache[key]


def _font_weight(font) -> int:
    target = font
    descendants = _get(font.get("/DescendantFonts"))
    if isinstance(descendants, list) and descendants:
        target = _dict(descendants[0]) or font
    descriptor = _dict(target.get("/FontDescriptor"))
    if descriptor is not None and "/FontWeight" in descriptor:
        return int(float(_value(descriptor["/FontWeight"])))
    name = str(target.get("/BaseFont", font.get("/BaseFont", ""))).split("+")[-1].replace("-", "").lower()
    if any(word in name for word in ("semibold", "demibold", "medium")):
        return 600
    return 700 if any(word in name for word in ("bold", "black", "heavy")) else 400


# --- small helpers -----------------------------------------------------------------------------------


def _numbers(operands) -> tuple[float, ...]:
    found = []
    for value in operands:
        try:
            found.append(float(value))
        except (TypeError, ValueError):
            pass
    return tuple(found)


def _transformed(box, matrix: Matrix) -> Box:
    x0, y0, x1, y1 = box
    corners = [apply(matrix, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _clipped(box: Box, clip: Box | None) -> Box | None:
    if clip is None:
        return box
    x0, y0 = max(box[0], clip[0]), max(box[1], clip[1])
    x1, y1 = min(box[2], clip[2]), min(box[3], clip[3])
    return (x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else None


def _get(obj):
    return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj


def _dict(obj):
    obj = _get(obj)
    return obj if isinstance(obj, dict) else None


def _value(obj):
    obj = _get(obj)
    return getattr(obj, "value", obj)


def _resource(resources, category: str, name):
    group = _dict(resources.get(category)) if resources is not None else None
    if group is None:
        return None
    return _get(group.get(name))
