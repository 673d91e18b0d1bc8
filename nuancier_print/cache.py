"""Content-addressed cache of rendered faces (one-page PDFs), under `out/.cache/`.

A face's key hashes everything its rendering depends on: the tool's
version, the templates it uses (its template and everything that template
extends, includes or imports), the stylesheet, the bundled fonts and the
ICC profile, the card format, and its own variables (its content, its
famille's, its colours). Same key, same PDF: the face is not rendered again.

Each entry is a PDF plus a small JSON record holding the PDF's SHA-256 and
length. An entry whose record is missing, unreadable or does not match its
PDF (a truncated write, a disk error) is treated as absent and rebuilt.

Every edit adds entries, so the cache would grow for as long as a project
lives. :func:`prune` keeps it under :data:`MAX_CACHE_BYTES` by deleting the
entries used least recently (reading an entry marks it used): those are
rendered again if they are ever needed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .output import atomic_write

FORMAT_VERSION = 4  # 4: faces stored uncompressed (assembly compresses once)
MAX_CACHE_BYTES = 500 * 1024 * 1024  # for faces and booklet sections together; see prune()
PRUNE_EVERY_SECONDS = 600  # a full cache takes about 0.1 s to scan: not at every watch rebuild
ENTRY_KINDS = ("faces", "booklet-sections")


@dataclasses.dataclass
class Entry:
    """A cached face: its PDF, the text size chosen and how many layouts it took."""

    pdf: bytes
    size: float
    renders: int
    findings: list = dataclasses.field(default_factory=list)
    meta: dict = dataclasses.field(default_factory=dict)  # what else its user needs to know (JSON)


class FaceCache:
    """A folder of rendered faces keyed by content hash; ``None`` folder disables it.

    ``kind`` names the sub-folder: ``faces`` for the deck's faces,
    ``booklet-sections`` for the booklets' sections (see booklet.py).
    """

    def __init__(self, folder: Path | None, kind: str = "faces"):
        self.folder = Path(folder) / kind if folder is not None else None

    def get(self, key: str) -> Entry | None:
        """Return the entry for ``key`` if it is present and intact."""
        if self.folder is None:
            return None
        pdf_path, record_path = self._paths(key)
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            pdf = pdf_path.read_bytes()
        except (OSError, ValueError):
            return None
        try:
            if (record.get("format") != FORMAT_VERSION or record.get("length") != len(pdf)
                    or record.get("sha256") != hashlib.sha256(pdf).hexdigest() or not pdf.startswith(b"%PDF")):
                return None
            entry = Entry(pdf, float(record["size"]), int(record.get("renders", 1)),
                          [tuple(f) for f in record.get("findings", [])], dict(record.get("meta", {})))
        except (AttributeError, KeyError, TypeError, ValueError):  # a record that is not ours
            return None
        with contextlib.suppress(OSError):  # a read-only cache still serves
            os.utime(record_path)  # used now: the last to be pruned
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Store an entry: the PDF first, then the record that vouches for it."""
        if self.folder is None:
            return
        pdf_path, record_path = self._paths(key)
        atomic_write(pdf_path, entry.pdf, durable=False)
        record = {"format": FORMAT_VERSION, "length": len(entry.pdf), "size": entry.size,
                  "renders": entry.renders, "sha256": hashlib.sha256(entry.pdf).hexdigest(),
                  "findings": [list(f) for f in entry.findings], "meta": entry.meta}
        atomic_write(record_path, json.dumps(record, sort_keys=True).encode(), durable=False)

    def hints(self) -> dict[str, float]:
        """Return the text size each face had in the last build, by face (not content) key."""
        if self.folder is None:
            return {}
        try:
            data = json.loads((self.folder / "sizes.json").read_text(encoding="utf-8"))
            return {str(k): float(v) for k, v in data.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def save_hints(self, sizes: dict[str, float]) -> None:
        """Remember the size of each face, to start the next fit there."""
        if self.folder is not None:
            atomic_write(self.folder / "sizes.json", json.dumps(sizes, sort_keys=True).encode(), durable=False)

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.folder / key[:2]
        return folder / f"{key}.pdf", folder / f"{key}.json"


_ENTRY = re.compile(r"[0-9a-f]{64}\.(pdf|json)")


def prune(cache: Path | None, max_bytes: int | None = None) -> int:
    """Delete the least recently used cache entries until the rest fit in ``max_bytes``; return how many.

    An entry is its PDF and its record; its last use is its record's
    modification time (written when stored, touched when read). Only files
    named like entries, in the entry folders, are ever deleted.
    """
    if cache is None:
        return 0
    max_bytes = MAX_CACHE_BYTES if max_bytes is None else max_bytes
    entries: dict[Path, list] = {}  # record path -> [last use, bytes, files]
    for kind in ENTRY_KINDS:
        for sub in _subfolders(Path(cache) / kind):
            for item in _scan(sub):
                if not _ENTRY.fullmatch(item.name):
                    continue
                record = sub / (item.name[:64] + ".json")
                try:
                    info = item.stat()
                except OSError:
                    continue
                entry = entries.setdefault(record, [0.0, 0, []])
                entry[1] += info.st_size
                entry[2].append(Path(item.path))
                if item.name.endswith(".json"):
                    entry[0] = info.st_mtime
    total = sum(size for _, size, _ in entries.values())
    removed = 0
    for _, size, files in sorted(entries.values(), key=lambda e: e[0]):
        if total <= max_bytes:
            break
        for file in files:
            with contextlib.suppress(OSError):
                file.unlink()
        total -= size
        removed += 1
    return removed


def prune_now_and_then(cache: Path | None) -> int:
    """Prune the cache if it was not pruned in the last :data:`PRUNE_EVERY_SECONDS`; return how many went."""
    if cache is None:
        return 0
    stamp = Path(cache) / "pruned"
    try:
        if time.time() - stamp.stat().st_mtime < PRUNE_EVERY_SECONDS:
            return 0
    except OSError:
        pass  # never pruned
    removed = prune(cache)
    with contextlib.suppress(OSError):
        stamp.touch()
    return removed


def _subfolders(folder: Path) -> list[Path]:
    return [Path(item.path) for item in _scan(folder) if item.is_dir(follow_symlinks=False)
            and re.fullmatch(r"[0-9a-f]{2}", item.name)]


def _scan(folder: Path) -> list:
    try:
        with os.scandir(folder) as items:
            return list(items)
    except OSError:
        return []


def face_key(spec, env: jinja2.Environment, stylesheet: str, assets: str, memo: dict | None = None) -> str:
    """Return the content hash of everything a face's rendering depends on.

    ``memo`` (a dict kept for one build) saves looking up and hashing the same
    templates again for every face that uses them.
    """
    memo = {} if memo is None else memo
    if spec.templates not in memo:
        name = env.select_template(list(spec.templates)).name
        memo[spec.templates] = (name, template_digest(env, name))
    name, digest = memo[spec.templates]
    parts = {
        "version": __version__,
        "template": name,
        "templates": digest,
        "stylesheet": hashlib.sha256(stylesheet.encode()).hexdigest(),
        "assets": assets,
        "base_size": spec.base_size,
        "floor": spec.floor,
        "context": canonical(spec.context),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def template_digest(env: jinja2.Environment, name: str) -> str:
    """Hash a template with every template it extends, includes or imports."""
    seen: dict[str, str] = {}
    _collect(env, name, seen)
    return hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()


def _collect(env: jinja2.Environment, name: str, seen: dict[str, str]) -> None:
    if name in seen:
        return
    try:
        source, _, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        seen[name] = "missing"  # a name in a dynamic reference, say; rendering says if it matters
        return
    digest, children = _parsed(source)
    seen[name] = digest
    for child in children:
        _collect(env, child, seen)


_REFERENCE = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\b(.*?)%\}", re.S)
_LITERAL = re.compile(r"\"([^\"\\]*)\"|'([^'\\]*)'")


@lru_cache(maxsize=512)
def _parsed(source: str) -> tuple[str, tuple[str, ...]]:
    """Return a template source's hash and the names of the templates it may refer to.

    Every quoted name in an ``extends``, ``include``, ``import`` or ``from``
    tag counts, even in a comment or an expression: a reference too many
    only makes a key depend on one more file. Jinja's own parser found the
    same names (tested), for the cost of a parse per template and build.
    """
    children = tuple(dict.fromkeys(a or b for tag in _REFERENCE.findall(source) for a, b in _LITERAL.findall(tag)))
    return hashlib.sha256(source.encode()).hexdigest(), children


def files_digest(paths: list[Path]) -> str:
    """Hash a list of files (names and bytes), e.g. the bundled fonts."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + _file_hash(path, path.stat().st_mtime_ns).encode())
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _file_hash(path: Path, _mtime: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def canonical(value: Any) -> Any:
    """Turn face variables (dataclasses, tuples, str subclasses) into plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    if value is None or isinstance(value, (bool, int)):
        return value
    return str(value)


# --- whole outputs (booklets, sheets) kept when their inputs did not change -----------------------


def _output_record_path(cache: Path, name: str) -> Path:
    return Path(cache) / "outputs" / f"{name}.json"


def kept_output(cache: Path | None, name: str, key: str) -> dict | None:
    """Return what was recorded for output ``name`` if its key and every file it wrote are unchanged.

    Outputs that are not one face (a booklet, the imposed sheets) are not
    cached as files: when their inputs did not change, the files already in
    ``out/`` are kept. The record holds the key and a SHA-256 per file; a file
    missing or changed since (a partial copy, an edit) means it is made again.
    """
    if cache is None:
        return None
    try:
        record = json.loads(_output_record_path(cache, name).read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        for path, digest in record["files"].items():
            if hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
                return None
        return record["data"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def keep_output(cache: Path | None, name: str, key: str, files: list[Path], data: dict) -> None:
    """Record the files output ``name`` wrote under ``key``, with ``data`` to report when kept."""
    if cache is None:
        return
    record = {"key": key, "data": data,
              "files": {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in files}}
    target = _output_record_path(cache, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
