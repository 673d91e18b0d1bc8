"""Outputs are replaced atomically: a killed, failed or concurrent build never damages what was there.

The expensive tests run the real command (`python -m nuancier_print build`)
in a subprocess and kill it with SIGKILL while it renders; the cheap ones
check :func:`~nuancier_print.output.atomic_write` and
:func:`~nuancier_print.output.build_lock` directly.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from nuancier_print.cli import main
from nuancier_print.errors import BuildError
from nuancier_print.output import atomic_write, build_lock

from .conftest import DATA, ROOT

BUILD = [sys.executable, "-m", "nuancier_print", "build", "--content", "content", "--out", "out"]
ADDED = 16  # teintes added to make a build long enough to be caught rendering
LOCK_MESSAGE = "another build is already writing to out/"


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(BUILD, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)


def _start(cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(BUILD, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _outputs(out: Path) -> dict[str, bytes]:
    """Return {path: bytes} of every output a user would open (not the cache, lock or temporary files)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".") and ".cache" not in p.relative_to(out).parts
            and p.name != "manifest.json"}


def _add_teintes(content: Path, count: int, start: int = 2) -> None:
    """Add teintes 2.2, 2.3... with enough text that each face takes a real render."""
    line = "  - Développer une culture commune de l'expérimentation, numéro {}\n"
    for rang in range(start, start + count):
        (content / "teintes" / f"2-{rang}-ajout.yaml").write_text(
            f"numero: 2.{rang}\ntitre: Teinte ajoutée {rang}\nfinalites:\n"
            + "".join(line.format(i) for i in range(14)), encoding="utf-8")


def _lock_held(out: Path) -> bool:
    """Tell whether some process holds the flock of ``out/.lock`` (Linux: /proc/locks)."""
    try:
        inode = os.stat(out / ".lock").st_ino
        with open("/proc/locks", encoding="ascii") as locks:
            return any(f":{inode} " in line for line in locks)
    except OSError:
        return False


def _wait_for_lock(process: subprocess.Popen, out: Path, timeout: float = 60) -> None:
    """Wait until ``process`` holds the lock: it has loaded the content and started rendering."""
    deadline = time.monotonic() + timeout
    while not _lock_held(out):
        assert process.poll() is None, f"the build ended before rendering: {process.communicate()}"
        assert time.monotonic() < deadline, "the build never took the lock"
        time.sleep(0.02)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


@contextlib.contextmanager
def _reaped(process: subprocess.Popen):
    """Make sure nothing the build started outlives the test."""
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def built(tmp_path) -> Path:
    """A copy of the mini content, built once into out/; the cwd is the test folder."""
    shutil.copytree(DATA / "mini", tmp_path / "content")
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    return tmp_path


def _valid_pdf(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


@pytest.mark.parametrize("delay", [0.0, 0.5, 1.0])
def test_a_build_killed_while_rendering_leaves_the_previous_outputs(built, delay):
    out = built / "out"
    before = _outputs(out)
    assert "deck.pdf" in before
    pages = _valid_pdf(out / "deck.pdf")
    _add_teintes(built / "content", ADDED)
    process = _start(built)
    with _reaped(process):
        _wait_for_lock(process, out)
        time.sleep(delay)
        assert process.poll() is None, "the build finished before it could be killed; add teintes"
        os.kill(process.pid, signal.SIGKILL)  # the build only, as the OOM killer or `kill -9 PID` would
        process.wait()
        assert _outputs(out) == before
        for name in before:
            if name.endswith(".pdf"):
                assert _valid_pdf(out / name) > 0, name
        # The next build must not be blocked by anything the killed one left behind.
        again = _run(built)
        assert again.returncode == 0, again.stderr
    assert _valid_pdf(out / "deck.pdf") == pages + 2 * ADDED
    leftovers = [p for p in out.rglob("*") if p.is_file() and p.name.endswith((".tmp", ".pending"))]
    assert all(p.name.startswith(".") for p in leftovers), leftovers  # hidden: never taken for an output


def test_two_builds_at_once_the_second_is_refused(tmp_path):
    shutil.copytree(DATA / "mini", tmp_path / "content")
    _add_teintes(tmp_path / "content", ADDED)
    first = _start(tmp_path)
    with _reaped(first):
        _wait_for_lock(first, tmp_path / "out")
        second = _run(tmp_path)
        assert first.poll() is None, "the first build ended before the second one asked for the lock"
        stdout, stderr = first.communicate(timeout=300)
    assert second.returncode == 1
    assert LOCK_MESSAGE in second.stderr and "Traceback" not in second.stderr, second.stderr
    assert first.returncode == 0, stderr
    assert _valid_pdf(tmp_path / "out" / "deck.pdf") == 2 * (7 + ADDED)


def test_a_content_error_leaves_the_previous_outputs(built, runner, monkeypatch):
    monkeypatch.chdir(built)
    before = _outputs(built / "out")
    (built / "content" / "teintes" / "2-1-troisieme.yaml").write_text("numero: 2.1\ntitr: x\n", encoding="utf-8")
    result = runner.invoke(main, ["build", "--content", "content", "--out", "out"])
    assert result.exit_code == 1
    assert "content/teintes/2-1-troisieme.yaml:2:1: titr: unknown field `titr`; did you mean `titre`?" \
        in result.stderr
    assert any(re.fullmatch(r"\d+ errors?: nothing was written\.", line) for line in result.stderr.splitlines())
    assert result.stderr.splitlines()[-1].startswith(f"{len(before)} not written")
    assert _outputs(built / "out") == before


# --- atomic_write and build_lock, directly ---------------------------------------------


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "deck.pdf"
    atomic_write(target, b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and _temporaries(tmp_path) == []


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_write_that_fails_half_way_keeps_the_previous_file(tmp_path, monkeypatch, failure):
    target = tmp_path / "deck.pdf"
    atomic_write(target, b"previous")

    def broken(fd):
        raise failure

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(BuildError if isinstance(failure, OSError) else KeyboardInterrupt) as info:
        atomic_write(target, b"x" * 100_000)
    assert target.read_bytes() == b"previous" and _temporaries(tmp_path) == []
    if isinstance(failure, OSError):
        assert "No space left on device" in str(info.value) and "untouched" in str(info.value)


def test_a_folder_in_place_of_an_output_is_a_plain_error(tmp_path):
    (tmp_path / "deck.pdf").mkdir()
    with pytest.raises(BuildError, match="cannot write .*deck.pdf"):
        atomic_write(tmp_path / "deck.pdf", b"data")
    assert _temporaries(tmp_path) == []


def test_an_out_folder_that_is_a_file_is_a_plain_error(tmp_path):
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    with pytest.raises(BuildError, match="cannot write to the folder"):
        with build_lock(tmp_path / "out"):
            pass


def test_a_process_killed_while_writing_leaves_an_old_or_new_file_never_a_mix(tmp_path):
    target = tmp_path / "big.bin"
    size = 16 * 1024 * 1024
    writer = textwrap.dedent(f"""
        from nuancier_print.output import atomic_write
        i = 0
        while True:
            atomic_write({str(target)!r}, bytes([65 + i % 26]) * {size})
            i += 1
    """)
    for delay in (0.3, 0.45, 0.6, 0.75):
        process = subprocess.Popen([sys.executable, "-c", writer], env=_env())
        try:
            deadline = time.monotonic() + 30
            while not target.exists():
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.01)
            time.sleep(delay)
        finally:
            process.kill()
            process.wait()
        data = target.read_bytes()
        assert len(data) == size and data.count(data[:1]) == size


def test_outputs_are_synced_to_disk_and_cache_records_are_not(tmp_path, monkeypatch):
    from nuancier_print.cache import Cache

    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    atomic_write(tmp_path / "deck.pdf", b"%PDF-1.7 output")
    assert len(synced) == 1
    cache = Cache(tmp_path / "cache")
    cache.put("ab" * 32, {"size": 8.0})
    assert len(synced) == 1  # a torn record is unreadable JSON, ignored: the face is fitted again
    assert cache.get("ab" * 32) == {"size": 8.0}
