"""Draw the README's picture of a press sheet: ``python3 -m tests.press_sheet_png``.

Builds the example session's booklet from content/ in a scratch folder, with
1 mm of creep, and renders the first side of its press imposition
(``booklet-<slug>-press-SRA3.pdf``: the cover and the back cover, one spread
on an SRA3 sheet, with bleed, crop, fold and registration marks) with pdfium
into docs/press-sheet.png, framed in grey where the sheet ends.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLUG = "faire-ensemble-autrement"
WIDTH_PX = 1600


def main(out: Path = ROOT / "docs" / "press-sheet.png") -> Path:
    """Write the picture to ``out``; return its path."""
    import pypdfium2

    from nuancier_print.booklet import write_booklets
    from nuancier_print.content import load_content

    with tempfile.TemporaryDirectory() as scratch:
        [booklet] = write_booklets(load_content(ROOT / "content"), Path(scratch), slugs=[SLUG], creep=1.0)
        document = pypdfium2.PdfDocument(str(booklet.press_path))
        try:
            page = document[0]
            image = page.render(scale=WIDTH_PX / page.get_width()).to_pil()
        finally:
            document.close()
    from PIL import ImageDraw

    ImageDraw.Draw(image).rectangle((0, 0, image.width - 1, image.height - 1), outline=(150, 150, 150))  # the sheet
    image.save(out, optimize=True)
    return out


if __name__ == "__main__":
    print(main(*(Path(arg) for arg in sys.argv[1:])))
