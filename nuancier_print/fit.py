"""Fitting a face to its card: the largest text size at which everything stays where it must.

Layouts say what must fit with *fit probes*: an element whose ``id`` is
``fit-<name>-max-<mm>`` must end at most ``<mm>`` below the top of the
trimmed page, and one whose ``id`` is ``fit-<name>-min-<mm>`` must start at
least that low (a title growing upwards must not climb into the number).
WeasyPrint reports where each element with an id was laid out
(``Page.anchors``), so the checks need nothing but its public interface.
A face fits when it takes one page and every probe is on it, within its
limit. A probe that is missing was not laid out at all: WeasyPrint drops
the lines of a fixed box that run past the page, so such a box's limit
lies above the page's bottom margin (see ``layouts/_macros.html.j2``).

:func:`fit` searches the sizes from the base size down to the floor, in
steps of :data:`STEP` points, for the largest that fits: the size found
last time (or, when the first size tried overflows, an estimate from how
much it overflowed) is only where the search starts, never what it finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

STEP = 0.25
PX_PER_MM = 96 / 25.4
TOLERANCE_MM = 0.05  # Pango's rounding
MISSING_MM = 1.0  # how much a probe that was not laid out counts as overflowing

_PROBE = re.compile(r"fit-([\w-]+?)-(max|min)-(\d+(?:\.\d+)?)")
_PROBE_IN_HTML = re.compile(r"""\bid=["'](fit-[\w-]+?-(?:max|min)-\d+(?:\.\d+)?)["']""")


@dataclass(frozen=True)
class Probe:
    """One element that must stay within a limit (mm from the top of the trimmed page)."""

    anchor: str  # the element's id
    name: str
    bound: str  # "max": its bottom must be above the limit; "min": its top below it
    limit: float

    @classmethod
    def parse(cls, anchor: str) -> Probe | None:
        """Return the probe an id names, or None if it is not a probe."""
        match = _PROBE.fullmatch(anchor)
        return cls(anchor, match[1], match[2], float(match[3])) if match else None


def probes_in(html: str) -> list[Probe]:
    """Return the fit probes a face's HTML declares."""
    return [Probe.parse(anchor) for anchor in dict.fromkeys(_PROBE_IN_HTML.findall(html))]


def probes_on(page) -> list[Probe]:
    """Return the fit probes laid out on a page (those its layout lost are not there to be found)."""
    return [probe for probe in map(Probe.parse, page.anchors) if probe is not None]


def overflow_mm(pages, probes: list[Probe]) -> float:
    """Return how far laid-out pages (a face's) overflow, in mm (0 when they fit)."""
    excess = measure(pages, probes).excess
    return excess if excess > TOLERANCE_MM else 0.0


@dataclass(frozen=True)
class Measure:
    """How a laid-out face sits: per probe, how far beyond its limit (negative: room left), in mm."""

    beyond: dict[str, float]  # probe anchor -> mm beyond its limit
    rooms: dict[str, float]  # probe anchor -> mm from its top to its limit (max probes on page 1)
    pages: int
    page_mm: float

    @property
    def excess(self) -> float:
        """Return how far the face overflows (negative: the least room left over all probes)."""
        worst = max(self.beyond.values(), default=0.0)
        return max(worst, self.page_mm * (self.pages - 1)) if self.pages > 1 and worst <= 0 else worst

    @property
    def fullest(self) -> str | None:
        """Return the anchor of the probe that overflows most (or has least room)."""
        return max(self.beyond, key=self.beyond.get) if self.beyond else None


def measure(pages, probes: list[Probe]) -> Measure:
    """Measure each probe of a laid-out face (see :class:`Measure`).

    A probe on a later page counts what the flow holds on the pages after
    the first (the flow being the probe with the most room); one that was
    not laid out counts :data:`MISSING_MM`; a face on several pages
    overflows even when every probe is within its limit.
    """
    found = {probe: _find(pages, probe.anchor) for probe in probes}
    rooms = {probe.anchor: max(probe.limit - where[1][0], 1.0) for probe, where in found.items()
             if where is not None and not where[0] and probe.bound == "max"}
    flow = max(rooms.values(), default=pages[0].height / PX_PER_MM)  # the room of the page's flow
    flow_top = next((probe.limit - room for probe in probes for anchor, room in rooms.items()
                     if anchor == probe.anchor and room == flow), 0.0)
    beyond = {}
    for probe, where in found.items():
        if where is None:
            beyond[probe.anchor] = MISSING_MM
            continue
        index, (top, bottom) = where
        if probe.bound == "min":
            beyond[probe.anchor] = probe.limit - top - index * pages[0].height / PX_PER_MM
        elif index:  # on a later page: the flow filled the pages before it, and starts again at its top
            beyond[probe.anchor] = (index - 1) * flow + bottom - flow_top
        else:
            beyond[probe.anchor] = bottom - probe.limit
    return Measure(beyond, rooms, len(pages), pages[0].height / PX_PER_MM)


def _find(pages, anchor: str) -> tuple[int, tuple[float, float]] | None:
    """Return (page index, (top, bottom) in mm) of an anchor's first appearance, or None."""
    for index, page in enumerate(pages):
        box = page.anchors.get(anchor)
        if box is not None:
            return index, (box[1] / PX_PER_MM, box[-1] / PX_PER_MM)
    return None


def sizes(base: float, floor: float) -> list[float]:
    """Return the sizes to try, largest first, from ``base`` down to ``floor`` in steps of :data:`STEP`."""
    count = int(round((base - floor) / STEP))
    return [round(base - i * STEP, 2) for i in range(count + 1)]


@dataclass
class Outcome:
    """What a search found: the document at the largest size that fits (or at the floor), and its excess."""

    document: object
    size: float
    layouts: int
    excess: float  # 0 when it fits; at the floor, how much is still too long


def fit(layout: Callable[[float], object], probes: list[Probe], base: float, floor: float,
        start: float | None = None) -> Outcome:
    """Return the largest size of :func:`sizes` at which ``layout(size)`` fits.

    The search brackets the answer: it lays out ``start`` (the size found
    last time, else the base size), then a size guessed from how far the
    sizes tried so far overflowed or had room left, until it holds a size
    that fits and the size one step above it overflows (or the fitting size
    is the base size). Where it starts and what it guesses change how many
    layouts it takes, never the size it finds. At the floor, an overflowing
    outcome is returned: the caller says by how much the face is too long.
    """
    steps = sizes(base, floor)
    tried: dict[int, tuple[object, Measure]] = {}
    index = _index_at_or_below(steps, start) if start is not None else 0
    while index is not None:
        document = layout(steps[index])
        tried[index] = (document, measure(document.pages, probes))
        index = _next(steps, {i: m for i, (_, m) in tried.items()})
    fits = [i for i, (_, m) in tried.items() if m.excess <= TOLERANCE_MM]
    best = min(fits) if fits else len(steps) - 1
    document, found = tried[best]
    return Outcome(document, steps[best], len(tried), 0.0 if fits else found.excess)


def _next(steps: list[float], tried: dict[int, Measure]) -> int | None:
    """Return the index of the next size to lay out, or None when the answer is known."""
    fits = [i for i, m in tried.items() if m.excess <= TOLERANCE_MM]
    over = [i for i, m in tried.items() if m.excess > TOLERANCE_MM]
    best = min(fits) if fits else None  # the largest size that fits so far
    worst = max(over) if over else None  # the smallest size that overflows so far
    if best is not None and (best == 0 or worst == best - 1):
        return None
    if best is None:
        if worst == len(steps) - 1:
            return None  # even the floor overflows
        return max(worst + 1, _index_at_or_below(steps, _guess(steps[worst], tried[worst])))
    if worst is None:
        return best - 1  # prove that one step up overflows
    guess = _between(steps[best], tried[best], steps[worst], tried[worst])
    return min(max(_index_at_or_below(steps, guess), worst + 1), best - 1)


def _guess(size: float, over: Measure) -> float:
    """Guess the largest size that fits from how much ``size`` overflowed.

    Text takes room with the square of its size (its lines get both taller
    and fuller): the probe that overflows most had ``room`` and needed
    ``room + excess``.
    """
    probe = over.fullest
    room = over.rooms.get(probe, over.page_mm)
    return size * (room / (room + over.excess)) ** 0.5


def _between(fit_size: float, fitting: Measure, over_size: float, over: Measure) -> float:
    """Guess the size between a fitting and an overflowing one at which the overflowing probe just fits.

    The probe's excess is taken to grow with the square of the size.
    """
    probe = over.fullest
    slack, excess = -fitting.beyond.get(probe, 0.0), over.excess
    if slack <= 0 or excess <= 0:
        return fit_size
    return (fit_size ** 2 + (over_size ** 2 - fit_size ** 2) * slack / (slack + excess)) ** 0.5


def _index_at_or_below(steps: list[float], size: float) -> int:
    """Return the index of the largest size of the (decreasing) list that is at most ``size``."""
    below = [i for i, s in enumerate(steps) if s <= size + 1e-9]
    return below[0] if below else len(steps) - 1


