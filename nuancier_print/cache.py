"""The build's one cache, under `out/.cache/`: small records keyed by what they depend on.

Two kinds of records live in it, in the same store:

* a **face**: the text size the fitter found for one card face, under the
  hash of everything its layout depends on (its HTML at the base size, which
  holds its templates and variables, the stylesheet, the bundled fonts and
  a render salt naming the tool's and WeasyPrint's versions). A face found
  here is laid out once, at that size, instead of searched for;
* an **output**: a file the build wrote (the deck, the sheets, a booklet),
  under the hash of its inputs, with the SHA-256 of each file it wrote. When
  the inputs and the files are unchanged, the build keeps the files as they
  are and does nothing.

Every record is one JSON file, written atomically; one that is missing,
unreadable or not ours counts as absent. The store keeps itself under
:data:`MAX_CACHE_BYTES` by deleting the records used least recently
(:meth:`Cache.prune`); deleting `out/.cache/` is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from . import __version__
from .output import atomic_write

FORMAT_VERSION = 5  # 5: one store of JSON records (faces' sizes, outputs' files)
MAX_CACHE_BYTES = 50 * 1024 * 1024
PRUNE_EVERY_SECONDS = 600
_RECORD = re.compile(r"[0-9a-f]{64}\.json")


def digest(*parts: Any) -> str:
    """Return the SHA-256 of JSON-able parts: a cache key."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def files_digest(paths: list[Path]) -> str:
    """Hash a list of files (names and bytes), e.g. the bundled fonts."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def file_sha256(path: Path) -> str | None:
    """Return a file's SHA-256, or None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class Cache:
    """A folder of JSON records keyed by content hash; a ``None`` folder keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) / "records" if folder is not None else None

    def get(self, key: str) -> dict | None:
        """Return the record stored under ``key``, if there is one and it is ours."""
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT_VERSION:
            return None
        with contextlib.suppress(OSError):  # a read-only cache still serves
            os.utime(path)  # used now: the last to be pruned
        return record.get("data")

    def put(self, key: str, data: dict) -> None:
        """Store ``data`` under ``key``."""
        if self.folder is not None:
            record = {"format": FORMAT_VERSION, "version": __version__, "data": data}
            atomic_write(self._path(key), json.dumps(record, sort_keys=True, ensure_ascii=False).encode(),
                         durable=False)

    # --- whole outputs ------------------------------------------------------------------------

    def unchanged(self, name: str, key: str) -> dict | None:
        """Return what was recorded for output ``name`` if its inputs and every file it wrote are unchanged."""
        record = self.get(digest("output", name))
        if not record or record.get("key") != key:
            return None
        files = record.get("files")
        if not isinstance(files, dict) or not files:
            return None
        if any(file_sha256(Path(path)) != sha for path, sha in files.items()):
            return None
        return record.get("data", {})

    def written(self, name: str, key: str, files: list[Path], data: dict | None = None) -> None:
        """Record that output ``name`` wrote ``files`` from inputs hashed as ``key``."""
        self.put(digest("output", name), {"key": key, "data": data or {},
                                          "files": {str(p): file_sha256(p) for p in files}})

    # --- size ---------------------------------------------------------------------------------

    def prune(self, max_bytes: int = MAX_CACHE_BYTES) -> int:
        """Delete the least recently used records until the rest fit in ``max_bytes``; return how many."""
        if self.folder is None:
            return 0
        entries = []
        for sub in _scan(self.folder):
            for item in _scan(Path(sub.path)) if sub.is_dir(follow_symlinks=False) else ():
                if _RECORD.fullmatch(item.name):
                    with contextlib.suppress(OSError):
                        info = item.stat()
                        entries.append((info.st_mtime, info.st_size, Path(item.path)))
        total, removed = sum(size for _, size, _ in entries), 0
        for _, size, path in sorted(entries):
            if total <= max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
            total -= size
            removed += 1
        return removed

    def prune_now_and_then(self) -> int:
        """Prune if the cache was not pruned in the last :data:`PRUNE_EVERY_SECONDS`; return how many went."""
        if self.folder is None:
            return 0
        stamp = self.folder / "pruned"  # holds when it was last pruned, by this process's clock
        with contextlib.suppress(OSError, ValueError):
            if -1 < time.time() - float(stamp.read_text(encoding="ascii")) < PRUNE_EVERY_SECONDS:
                return 0
        removed = self.prune()
        with contextlib.suppress(OSError):
            atomic_write(stamp, repr(time.time()).encode(), durable=False)
        return removed

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"


def _scan(folder: Path) -> list:
    try:
        with os.scandir(folder) as items:
            return list(items)
    except OSError:
        return []


def canonical(value: Any) -> Any:
    """Turn layout variables (dataclasses, tuples, str subclasses) into plain JSON data."""
    import dataclasses

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
