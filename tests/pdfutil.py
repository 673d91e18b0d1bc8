"""Reading what a user gets: PDF pages, boxes in mm, text and fonts, with pypdf."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pypdf import PdfReader

MM = 25.4 / 72


def reader(path: Path) -> PdfReader:
    """Open a PDF."""
    return PdfReader(str(path))


def box_mm(box) -> tuple[float, float, float, float]:
    """Return a PDF box as (left, bottom, right, top) in mm, rounded to 0.01."""
    return tuple(round(float(v) * MM, 2) for v in (box.left, box.bottom, box.right, box.top))


def size_mm(box) -> tuple[float, float]:
    """Return a box's (width, height) in mm, rounded to 0.01."""
    left, bottom, right, top = box_mm(box)
    return round(right - left, 2), round(top - bottom, 2)


def page_texts(path: Path) -> list[str]:
    """Return the text of each page, with spaces normalised (NBSPs become spaces)."""
    return [normalise(page.extract_text() or "") for page in reader(path).pages]


def normalise(text: str) -> str:
    """Fold no-break spaces and line breaks so that text can be searched."""
    text = unicodedata.normalize("NFC", text)
    for char in ("\u00a0", "\u202f", "\n"):
        text = text.replace(char, " ")
    return " ".join(text.replace("\u200b", "").split())


def fonts(path: Path) -> dict[str, dict]:
    """Return {BaseFont: font dictionary} for every font used by any page."""
    found = {}
    for page in reader(path).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def font_program(font) -> bytes | None:
    """Return the embedded font program of a (Type0 or simple) font, if any."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return None
    descriptor = descriptor.get_object()
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        if key in descriptor:
            return descriptor[key].get_object().get_data()
    return None
