"""Writing outputs safely: atomic replacement and one build at a time per folder.

Every output is written to a temporary file in its own folder, then renamed
into place, so an interrupted build (even killed) leaves the previous file
intact. :func:`build_lock` keeps two builds from writing the same `out/`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

from .errors import BuildError
from .i18n import _


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    ``durable`` waits for the data to reach the disk before the rename, so a
    power cut cannot leave an empty file under the final name. The cache
    does without it: every entry is checked against its SHA-256 when read
    (a torn one is rendered again), and its 108 syncs a cold build were
    pure waiting.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise BuildError(_("cannot write {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, a folder in the way...: the previous file is intact
            raise BuildError(_("cannot write {file}: {reason}; the previous file, if any, is untouched").format(
                file=path, reason=exc.strerror or exc)) from None
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def build_lock(out: Path):
    """Hold the lock of an output folder for the duration of a build."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / ".lock", "a+")
    except OSError as exc:
        raise BuildError(_("cannot write to the folder {folder}/: {reason}").format(
            folder=out, reason=exc.strerror or exc)) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise BuildError(_("another build is already writing to {folder}/; wait for it to finish, "
                           "then run this command again").format(folder=out)) from None
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
