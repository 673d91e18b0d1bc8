"""Load and validate training sessions (`content/sessions/*.yaml`).

A session names the teintes it covered and carries what the group lived.
Besides the schema (which already requires at least one date, trainer and
teinte), this checks what only makes sense against the rest of the content:
teinte numbers that exist, participants listed once (and giving distinct
file names for their personal booklets), and photos that are real, local,
images that decode whole, with enough resolution for the size they print
at (:data:`PHOTO_WIDTH_MM`).
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import unicodedata
import warnings
from pathlib import Path

from . import schema
from .i18n import _
from .load import where

PHOTO_WIDTH_MM = 110.0  # the width a photo prints at in the booklet
PHOTO_MAX_HEIGHT_MM = 95.0  # the tallest it prints: a portrait photo is narrower, to keep to this height
MIN_DPI, GOOD_DPI = 150, 300
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def session_files(root: Path) -> list[Path]:
    """Return the session files of a content folder, sorted."""
    folder = Path(root) / "sessions"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_sessions(col, content) -> tuple[dict, dict]:
    """Load every session of ``content``; return ({slug: (path, Session)}, {slug: (path, [Problem])}).

    A session's problems are collected apart: its warnings join the
    content's (in ``col``), and a session with errors is set aside with
    them, so that it keeps only its own booklet from being made.
    """
    sessions, broken = {}, {}
    for path in session_files(content.root):
        own = col.apart()
        session = load_session(own, content, path)
        errors = [p for p in own.problems if p.is_error]
        col.problems += [p for p in own.problems if not p.is_error]
        if errors:
            broken[path.stem] = (path, errors)
        elif session is not None:
            sessions[path.stem] = (path, session)
    return sessions, broken


def load_session(col, content, path: Path):
    """Load one session file, adding its problems to the collector ``col``."""
    session = col.load(path, schema.Session)
    if session is None:
        return None
    before = len(col.problems)
    _check_teintes(col, content, session)
    _check_people(col, session)
    _check_photos(col, content, session, path)
    return session if not any(p.is_error for p in col.problems[before:]) else None


def _check_teintes(col, content, session) -> None:
    known = {t.numero for t in content.teintes}
    seen = set()
    for i, vecue in enumerate(session.teintes):
        field = f"teintes[{i}].numero"
        if vecue.numero not in known:
            col.add(where(session, field), field,
                    _("teinte {numero} does not exist in the nuancier").format(numero=vecue.numero))
        elif vecue.numero in seen:
            col.add(where(session, field), field, _("teinte {numero} is listed twice").format(numero=vecue.numero))
        seen.add(vecue.numero)


def _check_people(col, session) -> None:
    for group in ("formateurs", "participants"):
        seen = {}
        for i, person in enumerate(getattr(session, group)):
            key = _same_name(person.nom)
            if key in seen:
                col.add(where(session, f"{group}[{i}]"), f"{group}[{i}].nom",
                        _("{name} is listed twice (also at {other})").format(name=person.nom, other=seen[key]))
            else:
                seen[key] = where(session, f"{group}[{i}]")
    _check_file_names(col, session)


def _check_file_names(col, session) -> None:
    """Report participants whose names give the same personal booklet file name.

    Each participant has two: their print copy's, and their screen copy's
    (``camille-martin-ecran``), which another name could give too.
    """
    from .outputs import SCREEN_SUFFIX

    seen = {}
    for i, person in enumerate(session.participants):
        slug = person_slug(person.nom)
        for name in (slug, f"{slug}-{SCREEN_SUFFIX}"):
            other = seen.setdefault(name, person)
            if other is not person and _same_name(other.nom) != _same_name(person.nom):
                col.add(where(session, f"participants[{i}]"), f"participants[{i}].nom",
                        _("{name} and {other} give the same file name `{slug}` for their personal booklets; "
                          "write the names so that they differ by more than accents").format(
                            name=person.nom, other=other.nom, slug=name)
                        if slug == person_slug(other.nom) else
                        _("{person} and {other} give the same file name `{name}` for their personal booklets "
                          "(one is a screen edition's); write the names so that they differ").format(
                            person=person.nom, other=other.nom, name=name))
                break


def _same_name(name: str) -> str:
    """Return the form under which two names count as the same person."""
    return " ".join(name.casefold().split())


def person_slug(name: str) -> str:
    """Return a file-safe name for a person: ``Élodie Le Goff`` → ``elodie-le-goff``."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "participant"


def _check_photos(col, content, session, path: Path) -> None:
    for i, vecue in enumerate(session.teintes):
        for j, mise in enumerate(vecue.mises_en_situation):
            if mise.photo is None:
                continue
            field = f"teintes[{i}].mises_en_situation[{j}].photo"
            for severity, message in photo_problems(mise.photo, path.parent, content.root):
                col.add(where(session, field), field, message, severity)


def resolve_photo(photo: str, folder: Path, root: Path) -> Path | None:
    """Return the photo's path if it is a local file inside the content folder."""
    if _SCHEME.match(photo) or Path(photo).is_absolute() or photo.startswith("/"):
        return None
    candidate = (folder / photo).resolve()
    try:
        candidate.relative_to(Path(root).resolve())
    except ValueError:
        return None
    return candidate


def photo_problems(photo: str, folder: Path, root: Path) -> list[tuple[str, str]]:
    """Return (severity, message) pairs for one photo reference."""
    if _SCHEME.match(photo) and not re.match(r"^[a-zA-Z]:[\\/]", photo):
        return [("error", _("`{photo}` is a web address; put the photo file next to the session file "
                            "and give its file name (nothing is downloaded while building)").format(photo=photo))]
    if Path(photo).is_absolute() or photo.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:[\\/]", photo):
        return [("error", _("`{photo}` is an absolute path; put the photo next to the session file "
                            "and give its file name relative to it").format(photo=photo))]
    path = resolve_photo(photo, folder, root)
    if path is None:
        return [("error", _("`{photo}` points outside the content folder; put the photo next to the "
                            "session file and give its file name").format(photo=photo))]
    if not path.is_file():
        return [("error", _("the photo `{photo}` was not found next to the session file").format(photo=photo))]
    return _image_problems(photo, path)


def _image_problems(photo: str, path: Path) -> list[tuple[str, str]]:
    try:
        fmt, (width_px, _height) = read_image(path)
    except PhotoError as exc:
        return [("error", _("`{photo}` {problem}").format(photo=photo, problem=exc))]
    if fmt not in ("JPEG", "MPO", "PNG"):  # MPO: the JPEG variant many phones write
        return [("error", _("`{photo}` is a {format} image; use a JPEG or PNG file").format(photo=photo, format=fmt))]
    dpi = photo_dpi(width_px)
    if dpi < MIN_DPI:
        return [("error", _("`{photo}` is {width} pixels wide: {dpi:.0f} dpi at its printed width of "
                            "{printed:.0f} mm, below the {least} dpi minimum; use a larger photo").format(
            photo=photo, width=width_px, dpi=dpi, printed=PHOTO_WIDTH_MM, least=MIN_DPI))]
    if dpi < GOOD_DPI:
        return [("warning", _("`{photo}` prints at {dpi:.0f} dpi ({width} pixels over {printed:.0f} mm); "
                              "{good} dpi or more looks sharper").format(
            photo=photo, dpi=dpi, width=width_px, printed=PHOTO_WIDTH_MM, good=GOOD_DPI))]
    return []


# --- reading images whole --------------------------------------------------------------------

MAX_PHOTO_PIXELS = 80_000_000  # a 108-megapixel phone photo is refused: 1300 pixels wide print at 300 dpi
_STRICT = threading.Lock()


class PhotoError(ValueError):
    """An image that cannot be used; its message follows the photo's name."""


@contextlib.contextmanager
def strict_images():
    """Decode images whole, or fail: truncated images refused, too many pixels refused before decoding.

    WeasyPrint turns on Pillow's ``LOAD_TRUNCATED_IMAGES`` for the whole
    process when it is imported: a photo cut short would then print grey
    from where it stops. It is turned off while this context lasts (one at
    a time: it is a global setting). Pillow's decompression-bomb warning is
    silenced: :func:`open_image` refuses large images itself, with their size.
    """
    from PIL import Image, ImageFile

    with _STRICT, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def open_image(path: Path):
    """Return ``path`` opened with Pillow, its size checked (call inside :func:`strict_images`).

    Raise :class:`PhotoError` if it is not an image or has more than
    :data:`MAX_PHOTO_PIXELS`: nothing is decoded yet.
    """
    from PIL import Image, UnidentifiedImageError

    too_large = _("has more than {megapixels} megapixels; save a smaller copy (a width of {width} pixels prints "
                  "at {dpi} dpi)").format(megapixels=MAX_PHOTO_PIXELS // 1_000_000,
                                          width=math.ceil(GOOD_DPI * PHOTO_WIDTH_MM / 25.4), dpi=GOOD_DPI)
    try:
        image = Image.open(path)
    except Image.DecompressionBombError:  # more than twice Pillow's limit: refused before its size is known
        raise PhotoError(too_large) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError(_("is not a readable image; use a JPEG or PNG file")) from None
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        image.close()
        raise PhotoError(_("is {width} × {height} pixels: it {too_large}").format(width=width, height=height,
                                                                                  too_large=too_large))
    return image


def read_image(path: Path) -> tuple[str, tuple[int, int]]:
    """Decode a whole image file; return its format and size, or raise :class:`PhotoError`.

    Every pixel is decoded, so a file cut short or damaged is found here,
    and not on paper.
    """
    from PIL import Image

    with strict_images():
        image = open_image(path)
        try:
            fmt, size = image.format, image.size
            image.verify()  # the structure, and the checksums a PNG carries
            with Image.open(path) as again:
                again.load()  # every pixel
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            raise PhotoError(_("is damaged: only part of it can be read (it may have been cut short while it "
                               "was copied); copy the photo again from its original")) from exc
        finally:
            image.close()
    return fmt, size


def photo_dpi(width_px: int) -> float:
    """Return the effective resolution of a photo printed at :data:`PHOTO_WIDTH_MM`."""
    return width_px / (PHOTO_WIDTH_MM / 25.4)

