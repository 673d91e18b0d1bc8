"""The deck's plates as a press makes them: Ghostscript's ``tiffsep`` separations.

Each page is separated twice, with its text and without it (``-dFILTERTEXT``):
the pixels that differ are the text's, on each plate (a glyph in ink, or the
hole a glyph knocks out of what is under it). Each text object that pdfium
finds on the page is classed by the colour it reads as (black, white,
colour) and its size, and the plates its pixels change are counted:

* text that reads as black changes the K plate alone, at 100 % ink;
* text under 9 pt changes two plates at most, unless it is white, bold and
  at least 8 pt (it may then be reversed out of a teinte's four plates).

Pixels that two text objects' boxes share are not counted, so that a line
never answers for its neighbour. The same analysis finds the faults of the
files made before issue 17, which shows that it can fail.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from nuancier_print.build import BuildOptions, build
from nuancier_print.geometry import REVERSED_BOLD_PT, SMALL_TEXT_PT
from nuancier_print.impose import IDENTITY, apply, compose

from .conftest import DATA

np = pytest.importorskip("numpy")
pytestmark = pytest.mark.skipif(shutil.which("gs") is None,
                                reason="Ghostscript is not installed (`apt-get install ghostscript`; .ci/run does)")

RESOLUTION = 150  # dpi: enough for 6.5 pt glyphs to cover whole pixels
PLATES = ("Cyan", "Magenta", "Yellow", "Black")
FULL_INK = 250  # of 255: 100 % K, give or take rounding


@dataclass(frozen=True)
class Glyphs:
    """One text object: its class, its size, its glyphs, the plates its pixels change."""

    page: int
    text: str
    kind: str  # "black", "white" or "colour", as the text reads
    size: float
    bold: bool
    plates: str  # e.g. "K", "CM"
    k_ink: int  # the least K ink (0 to 255) where it changes the K plate; 255 if it does not

    @property
    def small(self) -> bool:
        return self.size < SMALL_TEXT_PT - 0.01


def separate(pdf: Path, folder: Path, with_text: bool) -> list:
    """Return, per page, the ink (0 to 255) of each plate as a (4, height, width) array."""
    name = "text" if with_text else "bare"
    command = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", f"-r{RESOLUTION}",
               *([] if with_text else ["-dFILTERTEXT"]), "-o", str(folder / f"{name}-%03d.tif"), str(pdf)]
    subprocess.run(command, check=True, capture_output=True)
    from PIL import Image

    pages = sorted(p for p in folder.glob(f"{name}-*.tif") if "(" not in p.name)
    return [np.stack([255 - np.asarray(Image.open(folder / f"{p.stem}({plate}).tif")) for plate in PLATES])
            for p in pages]


def text_objects(pdf: Path):
    """Yield, per page, its text objects as (box in points from the media's corner, size, rgb, bold, text)."""
    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for page in document:
            x0, y0, _, y1 = page.get_mediabox()
            textpage = page.get_textpage()
            found, forms = [], [IDENTITY]  # forms[level]: the matrix of the form the objects of that level are in
            for obj in page.get_objects(max_depth=5):
                if obj.type == raw.FPDF_PAGEOBJ_FORM:
                    del forms[obj.level + 1:]
                    forms.append(compose(tuple(obj.get_matrix().get()), forms[obj.level]))
                if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                    continue
                left, bottom, right, top = _placed(obj.get_bounds(), forms[obj.level])
                size, matrix = ctypes.c_float(), obj.get_matrix()
                raw.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(size))
                rgba = [ctypes.c_uint() for _ in range(4)]
                raw.FPDFPageObj_GetFillColor(obj.raw, *[ctypes.byref(v) for v in rgba])
                name = ctypes.create_string_buffer(256)
                raw.FPDFFont_GetBaseFontName(raw.FPDFTextObj_GetFont(obj.raw), name, 256)
                base = name.value.decode("latin-1").split("+")[-1]
                found.append(((left - x0, bottom - y0, right - x0, top - y0), y1 - y0,
                              size.value * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5,
                              tuple(v.value for v in rgba[:3]), "Bold" in base and "Semi" not in base,
                              _text(obj, textpage)))
            yield found
    finally:
        document.close()


def _placed(bounds, matrix) -> tuple[float, float, float, float]:
    """Return the page-space box of bounds given in a form's space."""
    x0, y0, x1, y1 = bounds
    corners = [apply(matrix, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    return (min(c[0] for c in corners), min(c[1] for c in corners),
            max(c[0] for c in corners), max(c[1] for c in corners))


def _text(obj, textpage) -> str:
    import pypdfium2.raw as raw

    length = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buffer = (ctypes.c_ushort * max(length // 2, 1))()
    raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, length)
    return bytes(buffer)[:-2].decode("utf-16-le", "replace")


def reads_as(rgb: tuple[int, int, int]) -> str:
    """Return how a colour reads on paper, from pdfium's rendering of it."""
    if min(rgb) > 230:
        return "white"
    return "black" if max(rgb) < 90 and max(rgb) - min(rgb) < 25 else "colour"


def analyse(pdf: Path, folder: Path) -> list[Glyphs]:
    """Return every text object of a PDF with the plates it changes (see the module docstring)."""
    with_text, bare = separate(pdf, folder, True), separate(pdf, folder, False)
    found = []
    for number, (objects, inked, plain) in enumerate(zip(text_objects(pdf), with_text, bare), 1):
        changed = inked != plain
        owners = np.zeros(changed.shape[1:], np.int32)
        rects = []
        for box, height, *_ in objects:
            scale = RESOLUTION / 72
            rect = (int((height - box[3]) * scale), int(np.ceil((height - box[1]) * scale)),
                    int(box[0] * scale), int(np.ceil(box[2] * scale)))
            rects.append(rect)
            owners[rect[0]:rect[1], rect[2]:rect[3]] += 1
        for (_, _, size, rgb, bold, text), (r0, r1, c0, c1) in zip(objects, rects):
            mine = changed[:, r0:r1, c0:c1] & (owners[r0:r1, c0:c1] == 1)
            plates = "".join("CMYK"[i] for i in range(4) if mine[i].any())
            k = inked[3, r0:r1, c0:c1][mine[3]]
            found.append(Glyphs(number, text, reads_as(rgb), size, bold, plates, int(k.min()) if k.size else 255))
    return found


def census(glyphs: list[Glyphs]) -> Counter:
    """Count glyphs by (class, under 9 pt or not, plates): the figures the issue gave."""
    counts = Counter()
    for g in glyphs:
        counts[(g.kind, "small" if g.small else "large", g.plates)] += len(g.text.strip())
    return counts


def black_faults(glyphs: list[Glyphs]) -> list[Glyphs]:
    """Return the text that reads as black and changes another plate than K, or K at less than 100 %."""
    return [g for g in glyphs if g.kind == "black" and g.plates and (g.plates != "K" or g.k_ink < FULL_INK)]


def plate_faults(glyphs: list[Glyphs]) -> list[Glyphs]:
    """Return the text under 9 pt on more than two plates (white text bold and 8 pt or more excepted)."""
    return [g for g in glyphs if g.small and len(g.plates) > 2
            and not (g.kind == "white" and g.bold and g.size >= REVERSED_BOLD_PT - 0.01)]


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> list[Glyphs]:
    """The mini content's deck, separated."""
    root = tmp_path_factory.mktemp("separations")
    shutil.copytree(DATA / "mini", root / "content")
    build(BuildOptions(content=root / "content", out=root / "out", sheets=False, booklets=False))
    (root / "plates").mkdir()
    return analyse(root / "out" / "deck.pdf", root / "plates")


def test_the_analysis_sees_every_kind_of_text(deck):
    kinds = {(g.kind, g.small) for g in deck if g.plates}
    assert kinds >= {("black", True), ("black", False), ("colour", True), ("white", True)}
    assert sum(len(g.text.strip()) for g in deck if g.kind == "black" and g.plates == "K") > 1000


def test_black_text_is_on_the_k_plate_alone_at_full_ink(deck):
    faults = black_faults(deck)
    assert not faults, faults[:5]


def test_text_under_9_pt_prints_on_two_plates_at_most(deck):
    faults = plate_faults(deck)
    assert not faults, faults[:5]


def test_the_same_analysis_finds_the_faults_of_the_files_made_before_issue_17(tmp_path):
    old = analyse(DATA / "before-issue-17" / "deck-sheets-A3.pdf", tmp_path)
    assert {g.k_ink for g in black_faults(old)} & set(range(230, 240))  # 92 % K: screened
    assert any(len(g.plates) > 1 for g in black_faults(old))  # and knocking out of colour
    assert plate_faults(old)
