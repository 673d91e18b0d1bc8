"""What keeps the atelier safe by default: CSRF tokens, safe names, checked uploads.

* Every POST carries the token of the browser's session (:func:`check_csrf`);
  without it the request is refused with 400, with a wrong one with 403.
* A session's slug is a short lowercase name (:data:`SLUG`); any path built
  from it is checked to stay inside ``content/sessions/`` (:func:`inside`).
* An uploaded photo must be a JPEG or PNG that Pillow really decodes, within
  :data:`MAX_PHOTO_BYTES` and :data:`MAX_PIXELS`; its stored name is made of
  safe characters and the extension of what it really is.
"""

from __future__ import annotations

import hmac
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import abort, request, session

from .texts import _

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_REQUEST_BYTES = 40 * 1024 * 1024  # a form with a few photos; Flask answers 413 above it
MAX_PIXELS = 60_000_000  # a 60-megapixel photo; more is a decompression bomb, not a photo
PHOTO_FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png"}


# --- CSRF ------------------------------------------------------------------------------------


def csrf_token() -> str:
    """Return this browser session's CSRF token, creating it on first use."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Refuse a POST without the session's token (400) or with another one (403)."""
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    if not sent:
        abort(400, description=_("This form has no security token. Reload the page and try again."))
    expected = session.get("csrf")
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(403, description=_("This form has expired or does not come from the atelier. "
                                 "Reload the page and try again."))


# --- names -----------------------------------------------------------------------------------


def plain_name(text: str, fallback: str = "session") -> str:
    """Return ``text`` as a safe lowercase name: ``Élodie, été 2026`` → ``elodie-ete-2026``."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-")
    return plain or fallback


def valid_slug(slug: str) -> bool:
    """Tell whether ``slug`` is a safe session name (no dots, slashes or capitals)."""
    return bool(SLUG.match(slug or ""))


def inside(folder: Path, *parts: str) -> Path:
    """Return ``folder/parts...``, refusing (404) any path that would lead out of ``folder``."""
    base = Path(folder).resolve()
    target = base.joinpath(*parts).resolve()
    if target == base or base not in target.parents:
        abort(404)
    return target


# --- photos ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    """An uploaded photo that passed the checks: its bytes and the extension of its real format."""

    data: bytes
    extension: str
    width: int
    height: int


class UploadProblem(ValueError):
    """An upload that is refused; the message is for the trainer."""


def checked_photo(data: bytes) -> Photo:
    """Return the photo if ``data`` is a JPEG or PNG that really decodes; raise UploadProblem otherwise."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_PHOTO_BYTES:
        raise UploadProblem(_("This photo is larger than 15 MB; send a smaller one."))
    if not data:
        raise UploadProblem(_("This file is empty."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                raise UploadProblem(_("This image has too many pixels to be a photo."))
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decode it all: a truncated or forged file fails here
    except UploadProblem:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadProblem(_("This file is not an image that can be read; send a JPEG or PNG photo.")) \
            from None
    if fmt not in PHOTO_FORMATS:
        raise UploadProblem(_("This image is not a JPEG or PNG photo; send a JPEG or PNG file."))
    return Photo(data, PHOTO_FORMATS[fmt], width, height)


def photo_name(original: str, extension: str, taken: set[str]) -> str:
    """Return a safe file name for a photo, from its original name, unlike any in ``taken``."""
    stem = plain_name(Path(original or "").stem, "photo")[:40].strip("-") or "photo"
    name, n = f"{stem}{extension}", 2
    while name in taken:
        name, n = f"{stem}-{n}{extension}", n + 1
    return name
