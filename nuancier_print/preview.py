"""Screen previews of the deck: a PNG per face, a contact sheet, and the deck fanned open.

Pages are rasterised with pypdfium2 and cropped to their TrimBox, so the
previews show the cards as they come out of the guillotine. The fan rotates
every recto around the rivet hole, as a swatch book opens in the hand.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from .geometry import Rivet
from .output import atomic_write

BACKGROUND = (236, 234, 230)


@dataclass
class Preview:
    """What :func:`write_previews` wrote."""

    faces: list[Path]
    contact_sheet: Path
    fan: Path


def render_pages(pdf: Path | bytes, dpi: float = 60) -> list[Image.Image]:
    """Rasterise every page of ``pdf`` (a path or PDF bytes), cropped to its TrimBox."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    scale = dpi / 72
    images = []
    try:
        for page in document:
            image = page.render(scale=scale).to_pil().convert("RGB")
            images.append(_crop_to_trim(image, page, scale))
    finally:
        document.close()
    return images


def _crop_to_trim(image: Image.Image, page, scale: float) -> Image.Image:
    left, bottom, right, top = page.get_cropbox()
    t_left, t_bottom, t_right, t_top = page.get_trimbox()
    box = (round((t_left - left) * scale), round((top - t_top) * scale),
           round((t_right - left) * scale), round((top - t_bottom) * scale))
    return image.crop(box)


def contact_sheet(images: list[Image.Image], columns: int = 18, gap: int = 8) -> Image.Image:
    """Lay images out in a grid, recto and verso of a card side by side."""
    width = max(i.width for i in images)
    height = max(i.height for i in images)
    rows = math.ceil(len(images) / columns)
    sheet = Image.new("RGB", (gap + columns * (width + gap), gap + rows * (height + gap)), BACKGROUND)
    for index, image in enumerate(images):
        column, row = index % columns, index // columns
        extra = gap if column % 2 else 0  # a wider gap between cards than between faces
        sheet.paste(image, (gap + column * (width + gap) + extra // 2, gap + row * (height + gap)))
    return sheet


def fan(cards: list[Image.Image], rivet: Rivet, card_mm: tuple[float, float], spread: float = 150.0) -> Image.Image:
    """Return the cards fanned open around the rivet, first card at the back."""
    card_w, card_h = cards[0].size
    px_per_mm = card_w / card_mm[0]
    pivot = (rivet.cx * px_per_mm, rivet.cy * px_per_mm)
    radius = math.hypot(max(pivot[0], card_w - pivot[0]), pivot[1])
    below = math.hypot(max(pivot[0], card_w - pivot[0]), card_h - pivot[1])
    size = int(2 * radius + 40)
    canvas = Image.new("RGBA", (size, int(radius + below + 40)), BACKGROUND + (255,))
    centre = (size / 2, radius + 20)
    step = spread / max(1, len(cards) - 1)
    for index, card in enumerate(cards):
        angle = spread / 2 - index * step
        layer = _card_layer(card, pivot, angle, canvas.size, centre)
        canvas.alpha_composite(layer)
    draw = ImageDraw.Draw(canvas)
    r = rivet.hole_radius * px_per_mm
    draw.ellipse((centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r), fill=(90, 90, 90), outline=(40, 40, 40))
    return canvas.convert("RGB")


def _card_layer(card: Image.Image, pivot, angle: float, size, centre) -> Image.Image:
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    shadow = Image.new("RGBA", card.size, (0, 0, 0, 60))
    offset = (round(centre[0] - pivot[0]), round(centre[1] - pivot[1]))
    layer.paste(shadow, (offset[0] + 2, offset[1] + 2))
    layer.paste(card.convert("RGBA"), offset)
    return layer.rotate(angle, center=centre, resample=Image.BICUBIC)


def write_previews(deck_pdf: Path, out: Path, rivet: Rivet, card_mm: tuple[float, float]) -> Preview:
    """Write a PNG per face, `contact-sheet.png` and `fan.png` into ``out``."""
    images = render_pages(deck_pdf, dpi=60)
    folder = out / "preview"
    faces = []
    for index, image in enumerate(images, start=1):
        side = "recto" if index % 2 else "verso"
        path = folder / f"{(index + 1) // 2:02d}-{side}.png"
        faces.append(atomic_write(path, _png(image)))
    sheet = atomic_write(out / "contact-sheet.png", _png(contact_sheet(images)))
    fanned = atomic_write(out / "fan.png", _png(fan(images[::2], rivet, card_mm)))
    return Preview(faces, sheet, fanned)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
