"""Shared fixtures: the repository root, a copy of the mini content, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture
def mini(tmp_path, monkeypatch) -> Path:
    """A writable copy of tests/data/mini as ./content, with the cwd at its parent."""
    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    monkeypatch.chdir(tmp_path)
    return content


@pytest.fixture
def runner() -> CliRunner:
    """A click runner that keeps stderr apart from stdout."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()
