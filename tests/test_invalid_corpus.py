"""Table-driven bad-input corpus: every case gets one located message, exit 1, no traceback.

Each folder of tests/data/invalid/ holds a `case.toml` (what it tests and the
expected file, line, field and message) and the files it lays over a copy of
tests/data/mini.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from nuancier_print.cli import main

from .conftest import DATA

CASES = sorted(p for p in (DATA / "invalid").iterdir() if (p / "case.toml").exists())


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
    return spec


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_case(case, mini, runner):
    spec = _overlay(case, mini)
    result = runner.invoke(main, ["check", "--content", "content"])
    output = result.stderr
    assert result.exit_code == spec.get("exit", 1), output
    assert "Traceback" not in output and "internal error" not in output, output
    where = f"content/{spec['file']}:{spec['line']}:" if spec.get("line") else f"content/{spec['file']}"
    matching = [line for line in output.splitlines() if line.startswith(where)]
    assert matching, f"no message at {where}:\n{output}"
    if "field" in spec:
        matching = [line for line in matching if f" {spec['field']}:" in line]
        assert matching, f"no message naming field {spec['field']} at {where}:\n{output}"
    assert any(spec["message"] in line for line in matching), output


def test_corpus_is_not_empty():
    assert len(CASES) >= 15
