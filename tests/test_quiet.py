"""Quieter defaults: the « à compléter » warnings summed up, `--strict` saying « error », badges a session can hide."""

from __future__ import annotations

import re
import shutil

from nuancier_print.cli import main
from nuancier_print.errors import UNFINISHED, Location, Problem, problem_lines

from .conftest import DATA, ROOT
from .pdfutil import page_texts

UNFINISHED_LINE = re.compile(r": warning: teinte \d+\.\d+: unfinished in the source: ")


def _unfinished(file: str, line: int, teinte: str) -> Problem:
    return Problem(Location(file, line, 3), "finalites", f"teinte {teinte}: unfinished in the source: note",
                   "warning", kind=UNFINISHED, subject=teinte)


def test_unfinished_warnings_are_one_line_and_the_others_stay():
    other = Problem(Location("content/teintes/2-1-x.yaml", 4, 1), "titre", "something else", "warning")
    problems = [_unfinished("content/teintes/1-2-x.yaml", 9, "1.2"), other,
                _unfinished("content/teintes/1-2-x.yaml", 3, "1.2"),
                _unfinished("content/teintes/1-1-x.yaml", 5, "1.1")]
    assert problem_lines(problems) == [
        str(other),
        "3 warnings: places the source leaves « à compléter » (teintes 1.1, 1.2); --verbose lists them"]
    assert problem_lines(problems, verbose=True) == [str(p) for p in problems]
    assert problem_lines(problems[:2]) == [str(p) for p in problems[:2]]  # a single one is shown as it is


def test_check_sums_up_the_shipped_unfinished_places_unless_verbose(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    quiet = runner.invoke(main, ["check"])
    assert quiet.exit_code == 0, quiet.output
    assert not UNFINISHED_LINE.search(quiet.output)
    assert re.search(r"^6 warnings: places the source leaves « à compléter » \(teintes [\d., ]+\); --verbose lists "
                     r"them$", quiet.output, re.M)
    loud = runner.invoke(main, ["check", "--verbose"])
    assert len(UNFINISHED_LINE.findall(loud.output)) == 6


def test_strict_check_lists_each_unfinished_place_as_an_error(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(main, ["check", "--strict"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "unfinished in the source" in line]
    assert len(lines) == 6 and all(": error: teinte " in line for line in lines), lines
    assert "warning" not in result.stderr.replace("0 warnings", "")


def test_the_build_sums_them_up_too(runner, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.rmtree(tmp_path / "content" / "sessions")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not UNFINISHED_LINE.search(result.output)
    assert "6 warnings: places the source leaves « à compléter »" in result.output


SESSION = ("titre: Une session\ncommanditaire: Une ville\nlieu: Ici\ndates: [1er avril 2026]\n"
           "formateurs: [Une formatrice]\nteintes:\n  - numero: 1.2\n")


def test_a_session_can_leave_out_the_a_completer_badges(tmp_path):
    from nuancier_print.booklet import write_booklets
    from nuancier_print.content import load_content

    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    (content / "sessions").mkdir()
    texts = {}
    for badges in ("true", "false"):
        (content / "sessions" / "s.yaml").write_text(SESSION + f"badges_a_completer: {badges}\n", encoding="utf-8")
        [built] = write_booklets(load_content(content), tmp_path / badges)
        texts[badges] = "\n".join(page_texts(built.path))
    assert texts["true"].count("à compléter") > texts["false"].count("à compléter")
    assert "Deuxième teinte".upper() in texts["false"].upper()  # the teinte itself is still there
