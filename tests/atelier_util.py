"""Helpers shared by the atelier's tests: a session file, a client with its CSRF token, photos."""

from __future__ import annotations

import io
import re

SESSION = """\
# yaml-language-server: $schema=../schema/session.schema.json
# Une session écrite à la main : ce commentaire doit survivre aux enregistrements.
titre: Session d'essai
commanditaire: DRH
lieu: Salle B  # la grande salle
dates:
  - 12 mars 2026

formateurs:
  - nom: Lucie Fontaine
    service: coopérative

participants:
  - nom: Camille Martin
    service: Direction des lycées
  - Karim Benali

teintes:
  - numero: 1.1
    lecture_critique:
      - texte: Une première citation.
        auteur: Karim Benali
  - numero: 2.1
"""


def write_session(content, slug: str = "essai", text: str = SESSION):
    """Write a session file into a content folder; return its path."""
    folder = content / "sessions"
    folder.mkdir(exist_ok=True)
    path = folder / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def token_of(client, url: str = "/sessions/new") -> str:
    """Return the CSRF token of the page at ``url`` (opening the browser session)."""
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def digest_of_page(html: str) -> str:
    """Return the file digest a form carries."""
    return re.search(r'name="base" value="([^"]+)"', html)[1]


def photo_bytes(width: int = 1400, height: int = 900, fmt: str = "JPEG") -> bytes:
    """Return an image of the given size, made on the spot."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (240, 124, 9))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 60):
        draw.rectangle([x, height // 3, x + 30, 2 * height // 3], fill=(0, 75, 148))
    out = io.BytesIO()
    image.save(out, fmt, quality=85)
    return out.getvalue()
