"""The session files: read through the hardened loader, validated like the CLI, written safely.

Nothing here keeps a copy of a file between requests: every page reads the
file afresh, so a change made by hand shows at the next load. A form carries
the SHA-256 of the file it was made from (:attr:`Loaded.digest`); a save whose
digest no longer matches the file is a :class:`Conflict`, and nothing is
written.

A save runs in this order: the file on disk must have passed the hardened
loader (:func:`read`); the new text is made (ruamel, :mod:`.yamlwrite`);
the new text and any new photo are validated by
:func:`nuancier_print.content.load_content` in a scratch copy of the content
folder, exactly as ``nuancier check`` would; only then are the photos and
the file replaced, each atomically.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import schema
from ..content import Content, load_content
from ..errors import ContentError, Location, Problem, relative
from ..load import load_node
from ..sessions import session_files
from ..yamlsrc import read_yaml
from . import yamlwrite
from .security import inside, valid_slug

ABSENT = "absent"  # the digest of a file that does not exist yet


def digest_of(data: bytes | None) -> str:
    """Return the digest a form carries for a file's bytes (``absent`` for no file)."""
    return ABSENT if data is None else hashlib.sha256(data).hexdigest()


@dataclass
class Loaded:
    """A session file as it is on disk now."""

    slug: str
    path: Path
    data: bytes | None
    session: schema.Session | None = None
    problems: list[Problem] = field(default_factory=list)  # what the hardened loader said

    @property
    def exists(self) -> bool:
        """Tell whether the file exists."""
        return self.data is not None

    @property
    def digest(self) -> str:
        """Return the SHA-256 of the file's bytes, or ``absent``."""
        return digest_of(self.data)

    @property
    def text(self) -> str:
        """Return the file's text (it passed the loader, so it is UTF-8)."""
        return (self.data or b"").decode("utf-8-sig")


class Conflict(Exception):
    """The file changed on disk since the form was made from it."""

    def __init__(self, loaded: Loaded):
        super().__init__(loaded.path)
        self.loaded = loaded


class Invalid(Exception):
    """The save was refused: the problems say why, located in the file it would have written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(len(problems))
        self.problems = problems


class Store:
    """The content folder as the atelier sees it."""

    def __init__(self, content: Path, scratch: Path):
        self.root = Path(content)
        self.scratch = Path(scratch)
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        """Return ``content/sessions``."""
        return self.root / "sessions"

    def path(self, slug: str) -> Path:
        """Return the file of session ``slug``; a slug that is not a safe name is refused (404)."""
        if not valid_slug(slug):
            from flask import abort

            abort(404)
        return inside(self.folder, f"{slug}.yaml")

    def content(self) -> Content:
        """Return the deck content (familles, teintes), without the sessions; raises ContentError."""
        return load_content(self.root, with_sessions=False)

    def slugs(self) -> list[str]:
        """Return the slugs of the session files the atelier can edit, sorted."""
        return [p.stem for p in session_files(self.root) if p.suffix == ".yaml" and valid_slug(p.stem)]

    def read(self, slug: str) -> Loaded:
        """Read a session file through the hardened loader."""
        path = self.path(slug)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return Loaded(slug, path, None)
        node, problems = read_yaml(path, relative(path))
        session = None
        if node is not None:
            session, problems = load_node(node, schema.Session, relative(path))
        return Loaded(slug, path, data, session if not problems else None, problems)

    def save(self, slug: str, base: str, data: dict, photos: dict[str, bytes] | None = None) -> Loaded:
        """Write ``data`` as session ``slug`` if the file is still the one of digest ``base``.

        ``photos`` maps names relative to the session file to new photos' bytes.
        Raises :class:`Conflict` or :class:`Invalid`; returns the file as written.
        """
        photos = photos or {}
        with self._lock:
            loaded = self.read(slug)
            if loaded.digest != base:
                raise Conflict(loaded)
            if loaded.exists and loaded.session is None:
                raise Invalid(loaded.problems)
            text = yamlwrite.merge(loaded.text, data) if loaded.exists else yamlwrite.fresh_text(data)
            problems = self.validate(slug, text, data, photos)
            if any(p.is_error for p in problems):
                raise Invalid(problems)
            for name, content in photos.items():
                _replace(inside(self.folder, name), content)
            _replace(loaded.path, text.encode("utf-8"))
        written = self.read(slug)
        written.problems = [p for p in problems if not p.is_error]
        return written

    def validate(self, slug: str, text: str, data: dict, photos: dict[str, bytes]) -> list[Problem]:
        """Return what ``nuancier check`` would say of session ``slug`` if it held ``text``."""
        self.scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="check-", dir=self.scratch) as tmp:
            shadow = Path(tmp) / "content"
            self._shadow(shadow, slug, text, data, photos)
            try:
                content = load_content(shadow)
            except ContentError as exc:
                found = exc.problems
            else:
                found = content.warnings + [p for _, errors in content.session_errors.values() for p in errors]
            own = relative(self.path(slug))
            relocated = [self._relocated(p, shadow) for p in found]
            return [p for p in relocated if p.is_error or p.where.file == own]  # not the teintes' warnings

    def _shadow(self, shadow: Path, slug: str, text: str, data: dict, photos: dict[str, bytes]) -> None:
        """Lay out a scratch content folder: the deck's files, this session's text and its photos."""
        shadow.mkdir()
        for name in ("nuancier.yaml", "familles.yaml"):
            if (self.root / name).is_file():
                _link(self.root / name, shadow / name)
        for name in ("familles", "teintes"):
            if (self.root / name).is_dir():
                shutil.copytree(self.root / name, shadow / name, copy_function=_link, symlinks=True)
        sessions = shadow / "sessions"
        sessions.mkdir()
        (sessions / f"{slug}.yaml").write_text(text, encoding="utf-8")
        for photo in _photos_of(data):
            source = (self.folder / photo).resolve()
            target = (sessions / photo).resolve()
            if source.is_file() and self.root.resolve() in source.parents and shadow.resolve() in target.parents:
                target.parent.mkdir(parents=True, exist_ok=True)
                _link(source, target)
        for name, content in photos.items():
            target = inside(sessions, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            target.write_bytes(content)

    def _relocated(self, problem: Problem, shadow: Path) -> Problem:
        """Return a problem found in the scratch copy as located in the real content folder."""
        prefix = relative(shadow)
        file = problem.where.file
        if file.startswith(prefix):
            file = relative(self.root) + file[len(prefix):]
        where = Location(file, problem.where.line, problem.where.column)
        return Problem(where, problem.field, problem.message, problem.severity)


def _photos_of(data: dict) -> list[str]:
    return [mise["photo"] for vecue in data.get("teintes", []) for mise in vecue.get("mises_en_situation", [])
            if mise.get("photo")]


def _link(source, target) -> None:
    """Hard-link ``source`` at ``target`` (a copy where links are not possible)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a hidden temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
