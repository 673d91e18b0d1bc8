"""Edition marks: when a card's content last changed, and a short hash of it.

Every card prints a small mark such as ``éd. 27/11/2026 · 3fa9c1`` so that
cards from different print runs can be told apart. The date is, in order:
``SOURCE_DATE_EPOCH`` when it is set (reproducible builds); else the date of
the last git commit of the card's source file, when that file is committed
and unchanged since; else the file's modification time. The hash is computed
from the card's own variables, so it changes exactly when the card does.

A content folder may come from someone else, with a ``.git`` of theirs in
it, and git obeys a repository's own configuration: ``core.fsmonitor``,
hooks, pagers, diff and text-conversion drivers, filters and credential
helpers can all run commands, and a folder laid out as a bare repository is
found by git without any ``.git``. So git is only asked plumbing questions
that run none of those (``log --name-only`` and ``ls-tree``, never
``status``), with every such setting overridden on the command line, no
global or system configuration, and bare repositories used only when named;
whether a file is unchanged is decided here, by hashing it as git hashes a
blob. ``tests/test_hostile_git.py`` arms every such setting and checks that
`build`, `deck` and `reprint` spring none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
from pathlib import Path

# Settings that could make git run a program, each set to something that runs none.
SAFE_GIT = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.pager=cat",
            "-c", "pager.log=false", "-c", "log.showSignature=false", "-c", "diff.external=",
            "-c", "core.sshCommand=false", "-c", "credential.helper=", "-c", "core.askPass=",
            "-c", "gpg.program=false", "-c", "gpg.ssh.program=false", "-c", "gpg.x509.program=false",
            "-c", "protocol.allow=never", "-c", "core.alternateRefsCommand=",
            # A folder of the content laid out as a bare repository (HEAD, objects, refs, config) is
            # found by git on its own, its configuration read and its made-up history used: refuse it.
            "-c", "safe.bareRepository=explicit")


def short_hash(data) -> str:
    """Return a 6-character hash of JSON-able data."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:6]


def epoch_override() -> int | None:
    """Return SOURCE_DATE_EPOCH as an int, if it is set and valid."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


class Dates:
    """The dates of a content folder's files, asked of git once per folder (one per build)."""

    def __init__(self):
        self._folders: dict[Path, dict[str, dt.date]] = {}

    def of(self, path: Path) -> dt.date:
        """Return when a content file last changed (see the module docstring)."""
        override = epoch_override()
        if override is not None:
            return dt.datetime.fromtimestamp(override, dt.UTC).date()
        path = Path(path).resolve()
        if path.parent not in self._folders:
            self._folders[path.parent] = committed_dates(path.parent)
        committed = self._folders[path.parent].get(path.name)
        if committed is not None:
            return committed
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()

    def newest(self, paths) -> dt.datetime:
        """Return the newest date of existing ``paths``, as midnight UTC (a file's date)."""
        newest = max(self.of(Path(p)) for p in paths if Path(p).exists())
        return dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC)


def committed_dates(folder: Path) -> dict[str, dt.date]:
    """Return {file name: last commit date} for the files of ``folder`` unchanged since HEAD."""
    try:
        log = git(folder, "log", "--no-ext-diff", "--no-textconv", "--format=@%ct", "--name-only",
                  "--relative", "--", ".")
        tree = git(folder, "ls-tree", "HEAD", "--", ".")
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return {}
    blobs = {}
    for line in tree.splitlines():
        meta, _, name = line.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob":
            blobs[name] = fields[2]
    dates: dict[str, dt.date] = {}
    stamp = None
    for line in log.splitlines():
        if line.startswith("@"):
            stamp = dt.datetime.fromtimestamp(int(line[1:]), dt.UTC).date()
        elif line.strip() and "/" not in line and line not in dates and stamp is not None:
            dates[line] = stamp
    return {name: date for name, date in dates.items()
            if name in blobs and blob_id(folder / name, len(blobs[name])) == blobs[name]}


def blob_id(path: Path, length: int = 40) -> str | None:
    """Return the id git gives a file's bytes as a blob (SHA-1, or SHA-256 for 64-character ids)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    hasher = hashlib.sha256() if length == 64 else hashlib.sha1(usedforsecurity=False)
    hasher.update(b"blob %d\0" % len(data) + data)
    return hasher.hexdigest()


def git(folder: Path, *args: str, binary: bool = False, timeout: int = 10):
    """Run a git plumbing command in ``folder`` with every command-running setting neutralised."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0",
               GIT_OPTIONAL_LOCKS="0", GIT_PAGER="cat", PAGER="cat", GIT_EXTERNAL_DIFF="")
    result = subprocess.run(["git", "--no-pager", *SAFE_GIT, "-C", str(folder), *args], capture_output=True,
                            text=not binary, timeout=timeout, check=True, env=env, stdin=subprocess.DEVNULL)
    return result.stdout


def content_files(root: Path) -> list[Path]:
    """Return the files every output of a content folder depends on (not the sessions)."""
    root = Path(root)
    return [root / "nuancier.yaml", root / "familles.yaml", *sorted(root.glob("familles/*.y*ml")),
            *sorted(root.glob("teintes/*.y*ml"))]


def mark(date: dt.date, digest: str) -> str:
    """Return the printed edition mark."""
    return f"éd. {date:%d/%m/%Y} · {digest}"
