"""Robustness: what content editors' machines and habits throw at the tool.

The table of broken files lives in tests/data/invalid/ (see
test_invalid_corpus.py); this file covers what a table cannot: what the
commands leave untouched, failures outside the content, odd file names and
folders, and inputs that are valid but pathological in size.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nuancier_print import schema
from nuancier_print.cli import main
from nuancier_print.content import load_content
from nuancier_print.errors import ContentError
from nuancier_print.load import MAX_PROBLEMS, load_node
from nuancier_print.yamlsrc import MAX_DEPTH, read_yaml

from .conftest import ROOT


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _plain(result) -> str:
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    return text


# --- nothing the user had is lost ---------------------------------------------------


def test_check_and_build_never_touch_the_content_folder(mini, runner):
    before = _snapshot(mini)
    assert runner.invoke(main, ["check"]).exit_code == 0
    result = runner.invoke(main, ["deck", "--out", "out"])
    assert result.exit_code == 0, _plain(result)
    assert _snapshot(mini) == before


def test_a_check_with_errors_writes_nothing_at_all(mini, runner, tmp_path):
    (mini / "familles.yaml").write_text("familles: [\n", encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 1 and "content/familles.yaml:2:1: this is not valid YAML: the file ends inside" \
        in _plain(result)
    assert sorted(tmp_path.rglob("*")) == before  # not even an empty out/


# --- failures outside the content are plain messages too -----------------------------------


def test_an_out_folder_that_is_a_file(mini, runner):
    Path("out").write_text("not a folder", encoding="utf-8")
    result = runner.invoke(main, ["deck", "--out", "out"])
    assert result.exit_code == 1
    assert "cannot write to the folder out/" in _plain(result) and "internal error" not in result.stderr


def test_a_folder_in_place_of_deck_pdf(mini, runner):
    Path("out/deck.pdf").mkdir(parents=True)
    result = runner.invoke(main, ["deck", "--out", "out"])
    assert result.exit_code == 1
    assert "internal error" not in _plain(result) and "deck.pdf" in result.stderr


def test_an_interrupted_command_says_the_outputs_are_untouched(mini, runner, monkeypatch):
    import nuancier_print.check

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nuancier_print.check, "load_content", interrupted)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 130
    assert _plain(result).strip() == "interrupted"


def test_a_bug_is_reported_as_one_without_a_traceback(mini, runner, monkeypatch):
    import nuancier_print.check

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(nuancier_print.check, "load_content", broken)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stderr.startswith("internal error: ZeroDivisionError: division by zero\n")
    assert "--debug" in _plain(result)
    assert isinstance(runner.invoke(main, ["check", "--debug"]).exception, ZeroDivisionError)


# --- folders and file names ---------------------------------------------------------------


def test_an_empty_content_folder_names_each_missing_piece(tmp_path, runner, monkeypatch):
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    lines = _plain(result).splitlines()
    assert "content/nuancier.yaml: this file is missing: it holds the deck's title and format" in lines
    assert "content/familles.yaml: this file is missing: it lists the familles" in lines
    assert "content/teintes: this folder is missing: it holds one file per teinte" in lines


def test_a_content_folder_with_spaces_and_accents(tmp_path, runner, monkeypatch, mini):
    folder = tmp_path / "Mes documents" / "nuancier à jour"
    folder.parent.mkdir()
    mini.rename(folder)
    (folder / "teintes" / "2-1-troisieme.yaml").write_text("numero: 2.1\ntitr: x\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--content", str(folder)])
    assert result.exit_code == 1
    assert "Mes documents/nuancier à jour/teintes/2-1-troisieme.yaml:2:1: titr: unknown field" in _plain(result)


@pytest.mark.parametrize("environment", [{"LC_ALL": "C.UTF-8"}, {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}],
                         ids=["utf-8-terminal", "ascii-terminal"])
def test_a_file_name_that_is_not_utf8_is_shown_not_fatal(mini, environment):
    name = os.fsdecode(b"2-2-caf\xe9.yaml")  # saved by an old Latin-1 system
    (mini / "teintes" / name).write_text("numero: 2.2\ntitre: Café\ntitr: x\n", encoding="utf-8")
    env = {**os.environ, **environment, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "nuancier_print", "check"], cwd=mini.parent, env=env,
                            capture_output=True, timeout=60)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1 and "Traceback" not in stderr, stderr
    assert "content/teintes/2-2-caf" in stderr and ":3:1: titr: unknown field `titr`" in stderr


def test_a_copy_made_by_a_file_manager_is_a_duplicate_not_a_second_card(mini):
    source = mini / "teintes" / "1-1-premiere.yaml"
    (mini / "teintes" / "1-1-premiere (copie).yaml").write_bytes(source.read_bytes())
    with pytest.raises(ContentError) as info:
        load_content(mini)
    assert any(p.field == "numero" and "teinte 1.1 is defined twice" in p.message for p in info.value.problems)


# --- valid but pathological sizes ------------------------------------------------------------


def test_a_garbled_file_gets_the_first_problems_then_a_count(tmp_path):
    path = tmp_path / "garbled.yaml"
    path.write_text("numero: 2.1\ntitre: x\n" + "".join(f"cle_{i}: valeur\n" for i in range(500)), encoding="utf-8")
    node, problems = read_yaml(path, "garbled.yaml")
    assert problems == []
    obj, problems = load_node(node, schema.Teinte, "garbled.yaml")
    assert obj is None and len(problems) == MAX_PROBLEMS + 1
    assert str(problems[-1]) == ("garbled.yaml:53:1: 450 more problems from here on are not shown; "
                                 "fix the ones above, then check again")


def test_a_very_deep_file_is_refused(tmp_path):
    # Refused before PyYAML reads it (in one pass: see test_yamlsrc), so at once.
    path = tmp_path / "deep.yaml"
    path.write_text("numero: 2.1\nfinalites: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    node, problems = read_yaml(path, "deep.yaml")
    assert node is None and f"nested more than {MAX_DEPTH} levels deep" in problems[0].message


def test_a_long_text_is_accepted_by_the_check(mini):
    title = "Une teinte au titre très long " * 20_000  # 600 KB on one line
    (mini / "teintes" / "2-1-troisieme.yaml").write_text(f"numero: 2.1\ntitre: {title}\n", encoding="utf-8")
    content = load_content(mini)
    assert content.teinte("2.1").titre == title.strip()


def test_a_file_just_under_the_size_limit_is_checked(mini):
    line = "  - " + "Une finalité de la teinte, écrite longuement " * 2 + "\n"
    body = "numero: 2.1\ntitre: Troisième teinte\nfinalites:\n" + line * (1_900_000 // len(line.encode()))
    (mini / "teintes" / "2-1-troisieme.yaml").write_text(body, encoding="utf-8")
    content = load_content(mini)
    assert len(content.teinte("2.1").finalites) > 10_000


SESSION = ("titre: Une session\ncommanditaire: Une ville\nlieu: Ici\ndates: [1er avril 2026]\n"
           "formateurs: [Une formatrice]\nteintes:\n  - numero: 1.1\n")


@pytest.mark.parametrize("name", ["nuancier.yaml", "familles.yaml", "teintes/1-1-premiere.yaml",
                                  "sessions/une-session.yaml", "printers.yaml"])
def test_every_content_file_that_links_out_of_the_content_folder_is_refused(mini, runner, name):
    """Whatever the file, a link out of the content folder is named, and what it leads to is not read."""
    (mini / "sessions").mkdir()
    (mini / "sessions" / "une-session.yaml").write_text(SESSION, encoding="utf-8")
    (mini / "printers.yaml").write_text("bureau:\n  dx: 1\n", encoding="utf-8")
    path = mini / name
    outside = mini.parent / "ailleurs.yaml"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1, result.output
    assert f"content/{name}: this file is a link to {outside}, outside the content folder" in result.stderr


def test_a_link_inside_the_content_folder_is_followed(mini, runner):
    (mini / "printers.yaml").write_text("bureau:\n  dx: 1\n", encoding="utf-8")
    (mini / "imprimantes.yaml").write_bytes((mini / "printers.yaml").read_bytes())
    (mini / "printers.yaml").unlink()
    (mini / "printers.yaml").symlink_to("imprimantes.yaml")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.stderr


def test_a_session_without_dates_is_a_located_error_not_a_crash(mini, runner):
    """`dates: []` passed check, then the booklet crashed looking for the first date."""
    (mini / "sessions").mkdir()
    (mini / "sessions" / "une-session.yaml").write_text(SESSION.replace("[1er avril 2026]", "[]"), encoding="utf-8")
    for command in (["check"], ["build"], ["booklet"]):
        result = runner.invoke(main, command)
        assert result.exit_code == 1, (command, result.output)
        assert "content/sessions/une-session.yaml:4:8: dates: the list `dates` is empty; write at least one " \
               "item" in result.stderr, result.stderr
        assert "internal error" not in result.stderr


def test_a_card_too_small_for_the_layouts_is_a_located_error(mini, runner):
    """A 30 × 30 mm card without bleed made WeasyPrint fail, and the message blamed the layouts."""
    nuancier = mini / "nuancier.yaml"
    nuancier.write_text(nuancier.read_text(encoding="utf-8").replace(
        "  taille: DL\n  fond_perdu: 3mm", "  largeur: 30mm\n  hauteur: 30mm\n  fond_perdu: 0mm"), encoding="utf-8")
    result = runner.invoke(main, ["deck"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[:2] == [
        "content/nuancier.yaml:18:12: format.largeur: 30mm is too small for a card: the layouts need a "
        "largeur of at least 60mm",
        "content/nuancier.yaml:19:12: format.hauteur: 30mm is too small for a card: the layouts need a "
        "hauteur of at least 90mm",
    ]
    assert "layouts/" not in result.stderr and "WeasyPrint" not in result.stderr


def test_the_smallest_card_the_layouts_take_is_laid_out_or_said_too_full(mini, runner):
    """At the minimum size, the build either writes the deck or names the faces to shorten: never a crash."""
    nuancier = mini / "nuancier.yaml"
    nuancier.write_text(nuancier.read_text(encoding="utf-8").replace(
        "  taille: DL\n  fond_perdu: 3mm", "  largeur: 60mm\n  hauteur: 90mm\n  fond_perdu: 0mm"), encoding="utf-8")
    result = runner.invoke(main, ["deck"])
    assert "WeasyPrint" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.exit_code == 0 or "does not fit on its card" in result.stderr, result.stderr
