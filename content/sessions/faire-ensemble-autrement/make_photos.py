"""Draw the example session's "photos": synthetic illustrations, not real pictures.

The example session `faire-ensemble-autrement.yaml` is fictional, and so are
its photos. This script draws them with Pillow (sticky notes on a wall, a
circle of chairs seen from above, a cardboard prototype), 1600 pixels wide,
so that they print at more than 300 dpi at the booklet's photo width, and
saves them as JPEG (quality 80, well under 300 KB each). It is seeded, so
running it again gives the same pictures::

    python content/sessions/faire-ensemble-autrement/make_photos.py
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
SIZE = (1600, 1067)
NOTE_COLOURS = [(250, 226, 90), (247, 160, 190), (150, 215, 160), (140, 200, 235), (250, 180, 110)]


def wall_of_notes(rng: random.Random) -> Image.Image:
    """Return sticky notes in loose columns on a pale wall, with scribbled lines."""
    image = Image.new("RGB", SIZE, (236, 230, 218))
    draw = ImageDraw.Draw(image)
    for x in range(0, SIZE[0], 8):  # a faint plaster texture
        draw.line([(x, 0), (x + rng.randint(-40, 40), SIZE[1])], fill=(230, 224, 211), width=3)
    for column in range(6):
        colour = NOTE_COLOURS[column % len(NOTE_COLOURS)]
        for row in range(rng.randint(3, 5)):
            cx = 150 + column * 260 + rng.randint(-25, 25)
            cy = 150 + row * 220 + rng.randint(-20, 20)
            _note(image, (cx, cy), colour, rng)
    return image.filter(ImageFilter.GaussianBlur(0.8))


def _note(image: Image.Image, centre, colour, rng: random.Random) -> None:
    """Paste one rotated sticky note with a soft shadow and a few scribbles."""
    side = 180
    note = Image.new("RGBA", (side + 40, side + 40), (0, 0, 0, 0))
    draw = ImageDraw.Draw(note)
    draw.rectangle([26, 28, side + 26, side + 28], fill=(0, 0, 0, 60))  # shadow
    draw.rectangle([20, 20, side + 20, side + 20], fill=colour + (255,))
    for line in range(rng.randint(2, 4)):
        y = 55 + line * 32
        x1 = 40 + rng.randint(60, side - 40)
        points = [(40 + t, y + 4 * math.sin(t / 9 + line)) for t in range(0, x1 - 40, 6)]
        draw.line(points, fill=(40, 40, 60, 255), width=5)
    note = note.rotate(rng.uniform(-8, 8), resample=Image.BICUBIC, expand=True)
    image.paste(note, (centre[0] - note.width // 2, centre[1] - note.height // 2), note)


def circle_of_chairs(rng: random.Random) -> Image.Image:
    """Return a circle of chairs around a rug, seen from above, on a wooden floor."""
    image = Image.new("RGB", SIZE, (196, 160, 118))
    draw = ImageDraw.Draw(image)
    for y in range(0, SIZE[1], 60):  # floor boards
        draw.line([(0, y), (SIZE[0], y)], fill=(176, 140, 100), width=4)
        for x in range(rng.randint(0, 400), SIZE[0], 420):
            draw.line([(x, y), (x, y + 60)], fill=(176, 140, 100), width=4)
    cx, cy = SIZE[0] // 2, SIZE[1] // 2
    draw.ellipse([cx - 250, cy - 250, cx + 250, cy + 250], fill=(60, 110, 150))
    draw.ellipse([cx - 180, cy - 180, cx + 180, cy + 180], outline=(230, 200, 90), width=14)
    for i in range(13):
        angle = 2 * math.pi * i / 13
        x, y = cx + 400 * math.cos(angle), cy + 400 * math.sin(angle)
        colour = NOTE_COLOURS[i % len(NOTE_COLOURS)]
        draw.ellipse([x - 62, y - 62, x + 62, y + 62], fill=(70, 70, 80))
        draw.ellipse([x - 52, y - 52, x + 52, y + 52], fill=colour)
    for _ in range(9):  # papers on the rug
        x, y = cx + rng.randint(-140, 110), cy + rng.randint(-140, 110)
        draw.rectangle([x, y, x + 60, y + 42], fill=(248, 248, 244), outline=(120, 120, 120))
    return image.filter(ImageFilter.GaussianBlur(1.0))


def cardboard_prototype(rng: random.Random) -> Image.Image:
    """Return a cardboard model of a service counter on a table, with paper figures."""
    image = Image.new("RGB", SIZE, (222, 228, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 700, SIZE[0], SIZE[1]], fill=(150, 120, 90))  # table
    boxes = [(260, 380, 700, 720), (720, 300, 1120, 720), (1140, 450, 1400, 720)]
    for x0, y0, x1, y1 in boxes:
        draw.polygon([(x0, y0), (x0 + 60, y0 - 50), (x1 + 60, y0 - 50), (x1, y0)], fill=(214, 180, 132))
        draw.polygon([(x1, y0), (x1 + 60, y0 - 50), (x1 + 60, y1 - 50), (x1, y1)], fill=(170, 136, 94))
        draw.rectangle([x0, y0, x1, y1], fill=(196, 160, 112))
        draw.rectangle([x0 + 40, y0 + 40, x0 + 150, y0 + 110], fill=(250, 250, 246))
    draw.rectangle([760, 360, 1080, 460], fill=(70, 130, 170))  # a painted sign
    for i in range(5):  # paper figures
        x = 330 + i * 230 + rng.randint(-20, 20)
        colour = NOTE_COLOURS[i % len(NOTE_COLOURS)]
        draw.ellipse([x - 28, 760, x + 28, 816], fill=colour)
        draw.polygon([(x - 45, 960), (x, 820), (x + 45, 960)], fill=colour)
    return image.filter(ImageFilter.GaussianBlur(0.9))


def main() -> None:
    """Draw and save the three illustrations next to this script."""
    rng = random.Random(27)
    for name, draw in (("mur-de-post-it.jpg", wall_of_notes), ("cercle.jpg", circle_of_chairs),
                       ("prototype-carton.jpg", cardboard_prototype)):
        path = HERE / name
        draw(rng).save(path, "JPEG", quality=80, optimize=True, dpi=(300, 300))
        print(f"wrote {path.name} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
