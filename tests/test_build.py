"""A whole build of the shipped content: no warning, and the same files with or without HarfBuzz-subset."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from nuancier_print.build import BuildOptions, build

from .conftest import DATA, ROOT


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """Build the shipped content once: deck, sheets, the example booklet."""
    out = tmp_path_factory.mktemp("shipped") / "out"
    return build(BuildOptions(content=ROOT / "content", out=out)), out


def test_a_build_of_the_shipped_content_gives_no_warning(shipped):
    result, out = shipped
    assert result.warnings == []
    assert {p.name for p in result.written} >= {"deck.pdf", "deck-sheets-A3.pdf",
                                                "booklet-faire-ensemble-autrement.pdf"}


def test_weasyprint_s_warnings_reach_the_user_with_their_face(tmp_path):
    layouts = tmp_path / "layouts"
    shutil.copytree(ROOT / "layouts", layouts)
    recto = layouts / "teinte-recto.html.j2"
    recto.write_text(recto.read_text(encoding="utf-8").replace(
        "{% block main %}", '{% block main %}<p style="colr: red">x</p>', 1), encoding="utf-8")
    shutil.copytree(DATA / "mini", tmp_path / "content")
    result = build(BuildOptions(content=tmp_path / "content", out=tmp_path / "out", layouts=layouts, sheets=False))
    shown = [w for w in result.warnings if "colr" in w]
    assert shown and all(w.startswith("teinte ") and ", recto: " in w for w in shown)
    assert set(shown) <= set(result.lines)


HIDDEN = textwrap.dedent("""
    import sys, cffi
    real = cffi.FFI.dlopen
    def dlopen(self, name, *args, **kwargs):
        if name and "harfbuzz-subset" in str(name):
            raise OSError("hidden")
        return real(self, name, *args, **kwargs)
    cffi.FFI.dlopen = dlopen
    from nuancier_print.cli import main
    from weasyprint.text import ffi
    assert ffi.harfbuzz_subset is None, "the library is still visible"
    sys.argv = ["nuancier", "deck", "--content", sys.argv[1], "--out", sys.argv[2]]
    main()
""")


def test_the_deck_is_the_same_with_or_without_harfbuzz_subset(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    shutil.copytree(DATA / "mini", tmp_path / "content")
    build(BuildOptions(content=tmp_path / "content", out=tmp_path / "with", sheets=False, booklets=False))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", HIDDEN, str(tmp_path / "content"), str(tmp_path / "without")],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "without" / "deck.pdf").read_bytes() == (tmp_path / "with" / "deck.pdf").read_bytes()
