"""Shared fixtures: the repository root, a copy of the mini content, a CLI runner; every test in English."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nuancier_print import i18n

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"

# The tests compare English texts, whatever the machine's locale (a French desktop included): NUANCIER_LANG
# overrides LANG for the commands run here and in subprocesses. The tests of French set their own language.
os.environ["NUANCIER_LANG"] = "en"


@pytest.fixture(autouse=True)
def english():
    """Start every test in English, whatever the test before it chose."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


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


@pytest.fixture(scope="session")
def example_booklets(tmp_path_factory):
    """The shipped content's example session, its booklets and personal copies written once (read them only)."""
    from nuancier_print.booklet import write_booklets
    from nuancier_print.content import load_content

    [result] = write_booklets(load_content(ROOT / "content"), tmp_path_factory.mktemp("example-booklets"),
                              per_participant=True)
    return result
