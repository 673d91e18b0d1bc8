"""Edition marks: when a card's content last changed, and a short hash of it.

Every card prints a small mark such as ``éd. 27/11/2026 · 3fa9c1`` so that
cards from different print runs can be told apart. The date is, in order:
``SOURCE_DATE_EPOCH`` when it is set (reproducible builds); else the date of
the last git commit of the card's source file, when that file is committed
and unmodified; else the file's modification time. The hash is computed
from the card's own variables, so it changes exactly when the card does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path


def short_hash(data) -> str:
    """Return a 6-character hash of JSON-able data."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:6]


def epoch_override() -> int | None:
    """Return SOURCE_DATE_EPOCH as an int, if it is set and valid."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def file_date(path: Path) -> dt.date:
    """Return when a content file last changed (see the module docstring)."""
    override = epoch_override()
    if override is not None:
        return dt.datetime.fromtimestamp(override, dt.timezone.utc).date()
    path = Path(path).resolve()
    committed = _git_dates(str(path.parent)).get(path.name)
    if committed is not None:
        return committed
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).date()


@lru_cache(maxsize=64)
def _git_dates(folder: str) -> dict[str, dt.date]:
    """Return {file name: last commit date} for committed, unmodified files of a folder."""
    try:
        status = _git(folder, "status", "--porcelain", "--untracked-files=all", "--", ".")
        log = _git(folder, "log", "--format=@%ct", "--name-only", "--relative", "--", ".")
    except (OSError, subprocess.SubprocessError):
        return {}
    dirty = {line[3:].strip().split(" -> ")[-1].rsplit("/", 1)[-1] for line in status.splitlines() if line}
    dates: dict[str, dt.date] = {}
    stamp = None
    for line in log.splitlines():
        if line.startswith("@"):
            stamp = dt.datetime.fromtimestamp(int(line[1:]), dt.timezone.utc).date()
        elif line.strip() and "/" not in line and line not in dates and stamp is not None:
            dates[line] = stamp
    return {name: date for name, date in dates.items() if name not in dirty}


def _git(folder: str, *args: str) -> str:
    result = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True, timeout=10, check=True)
    return result.stdout


def newest_date(paths) -> dt.datetime:
    """Return the newest :func:`file_date` of existing ``paths``, as midnight UTC (a file's date)."""
    newest = max(file_date(Path(p)) for p in paths if Path(p).exists())
    return dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.timezone.utc)


def content_files(root: Path) -> list[Path]:
    """Return the files every output of a content folder depends on (not the sessions)."""
    root = Path(root)
    return [root / "nuancier.yaml", root / "familles.yaml", *sorted(root.glob("familles/*.y*ml")),
            *sorted(root.glob("teintes/*.y*ml"))]


def mark(date: dt.date, digest: str) -> str:
    """Return the printed edition mark."""
    return f"éd. {date:%d/%m/%Y} · {digest}"
