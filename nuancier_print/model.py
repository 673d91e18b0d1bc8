"""The types the pipeline passes around, free of any rendering library.

A :class:`FaceSpec` is one page to render: which layouts to try and with
which variables. A :class:`Card` is two of them. A :class:`Palette` holds a
card's colours. A :class:`Fitted` is a face once laid out: the text size the
fitter chose and what preflight found on it. Importing this module (or
:mod:`.deck`, which builds these from the content) never loads WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .geometry import MIN_TEXT_PT


@dataclass(frozen=True)
class FaceSpec:
    """One page to render: which templates, with which variables."""

    key: str  # unique and file-safe, e.g. "teinte-2-4-recto"
    label: str  # for people, e.g. "teinte 2.4, verso"
    templates: tuple[str, ...]  # most specific first
    context: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    base_size: float = 8.0
    floor: float = MIN_TEXT_PT


@dataclass(frozen=True)
class Palette:
    """The colours of one card, as CSS ``device-cmyk()`` strings."""

    band: str  # the swatch itself
    on_band: str  # text printed on the swatch
    ink: str  # headings on white: the colour, darkened if too light to read
    tint: str  # a light tint for boxes
    rule: str  # thin rules
    panel: str = ""  # the swatch under small text across a whole card: at most two plates when the text is white


@dataclass(frozen=True)
class Card:
    """One card of the deck: a key, a label and its two faces."""

    key: str
    label: str
    recto: FaceSpec
    verso: FaceSpec
    edition: str


@dataclass
class Fitted:
    """A face as laid out: the size chosen, how many layouts it took, what preflight will say of it."""

    spec: FaceSpec
    size: float
    layouts: int  # 0 when its size came from the cache
    text: str = ""  # the text the page must print, for preflight's "nothing lost" check
    findings: list | None = None  # preflight's page checks on it, (severity, check, message), once known
