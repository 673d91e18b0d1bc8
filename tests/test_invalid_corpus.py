"""Table-driven bad-input corpus: every case gets one located message, and never a traceback.

Each folder of tests/data/invalid/ holds a `case.toml` and the files it lays
over a copy of tests/data/mini. The keys of `case.toml`:

* ``what``: what the case is about, in a few words;
* ``file``, ``line``, ``field``, ``message``: where the expected message is
  (``file`` relative to the content folder) and a part of its text;
* ``exit``: the expected exit status, 1 by default; 0 for input that must be
  accepted (then ``file`` is not needed and ``stdout`` may hold a text the
  output must contain);
* ``args``: extra options for `nuancier check`, e.g. ``["--strict"]``;
* ``remove``: files of the mini content to delete;
* ``generate``: the name of a function of :data:`GENERATORS` that creates what
  cannot be committed (a 10 MB file, a named pipe, symbolic links).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import tomllib
from pathlib import Path

import pytest

from nuancier_print.cli import main

from .conftest import DATA

CASES = sorted(p for p in (DATA / "invalid").iterdir() if (p / "case.toml").exists())


def ten_megabytes(content: Path) -> None:
    """Write a 10 MB teinte file."""
    line = "  - " + "x" * 96 + "\n"
    body = "numero: 2.1\ntitre: Troisième teinte\nfinalites:\n" + line * (10 * 1024 * 1024 // len(line) + 1)
    (content / "teintes" / "2-1-troisieme.yaml").write_text(body, encoding="utf-8")


def folder_named_yaml(content: Path) -> None:
    """Make a folder that is named like a teinte file."""
    (content / "teintes" / "2-2-dossier.yaml").mkdir()


def named_pipe(content: Path) -> None:
    """Make a named pipe named like a teinte file; unblock a reader after a while, should one wait."""
    path = content / "teintes" / "2-2-tube.yaml"
    os.mkfifo(path)

    def unblock():
        time.sleep(5)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # nobody is waiting on it: good

    threading.Thread(target=unblock, daemon=True).start()


def link_outside(content: Path) -> None:
    """Link a teinte file to a file outside the content folder."""
    outside = content.parent / "ailleurs.yaml"
    outside.write_text("numero: 2.2\ntitre: Venue d'ailleurs\n", encoding="utf-8")
    (content / "teintes" / "2-2-lien.yaml").symlink_to(outside)


def printers_link_outside(content: Path) -> None:
    """Make printers.yaml a link to a file outside the content folder, whose value must not be shown."""
    outside = content.parent / "secret.yaml"
    outside.write_text("bureau:\n  dx: le-mot-de-passe\n", encoding="utf-8")
    (content / "printers.yaml").symlink_to(outside)


def link_loop(content: Path) -> None:
    """Make a teinte file that is a link to itself."""
    (content / "teintes" / "2-2-boucle.yaml").symlink_to("2-2-boucle.yaml")


GENERATORS = {f.__name__: f for f in (ten_megabytes, folder_named_yaml, named_pipe, link_outside, link_loop,
                                      printers_link_outside)}


def _overlay(case: Path, content: Path) -> dict:
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    for path in case.rglob("*"):
        if path.is_file() and path.name != "case.toml":
            target = content / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    for name in spec.get("remove", []):
        target = content / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    if "generate" in spec:
        GENERATORS[spec["generate"]](content)
    return spec


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_case(case, mini, runner):
    spec = _overlay(case, mini)
    result = runner.invoke(main, ["check", "--content", "content", *spec.get("args", [])])
    output = result.stderr
    everything = result.stdout + output
    assert result.exit_code == spec.get("exit", 1), everything
    assert "Traceback" not in everything and "internal error" not in everything, everything
    assert "le-mot-de-passe" not in everything, "a value read through a link out of the content folder"
    if spec.get("exit", 1) == 0:
        assert output == "", output
        assert spec.get("stdout", "") in result.stdout, result.stdout
        return
    where = f"content/{spec['file']}:{spec['line']}:" if spec.get("line") else f"content/{spec['file']}"
    matching = [line for line in output.splitlines() if line.startswith(where)]
    assert matching, f"no message at {where}:\n{output}"
    if "field" in spec:
        matching = [line for line in matching if f" {spec['field']}:" in line]
        assert matching, f"no message naming field {spec['field']} at {where}:\n{output}"
    assert any(spec["message"] in line for line in matching), output


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_well_formed(case):
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    known = {"what", "file", "line", "field", "message", "exit", "args", "remove", "generate", "stdout"}
    assert set(spec) <= known, set(spec) - known
    assert spec.get("what"), "say what the case is about"
    if spec.get("exit", 1) != 0:
        assert {"file", "message"} <= set(spec)
    assert spec.get("generate", "ten_megabytes") in GENERATORS


def test_corpus_is_large_enough():
    assert len(CASES) >= 40
