"""The commands around the deck: sheets, preflight, calibrate, preview, watch, reprint."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import pytest
from PIL import Image

from nuancier_print.build import BuildOptions
from nuancier_print.cli import main

from .pdfutil import reader, size_mm


@pytest.fixture
def built(mini, runner):
    """The mini content with its deck and sheets already built."""
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output + result.stderr
    return mini.parent


def test_build_writes_deck_and_sheets_and_preflights_them(built):
    out = built / "out"
    assert (out / "deck.pdf").exists() and (out / "deck-sheets-A3.pdf").exists()
    sheets = reader(out / "deck-sheets-A3.pdf")
    assert len(sheets.pages) == 2 * 3  # 7 cards, 3 per A3 sheet: 3 sheets, front and back
    assert {size_mm(p.mediabox) for p in sheets.pages} == {(420.0, 297.0)}


def test_sheets_command_takes_sheet_and_flip(built, runner):
    result = runner.invoke(main, ["sheets", "--sheet", "SRA3", "--flip", "short"])
    assert result.exit_code == 0, result.stderr
    assert "4 per SRA3 sheet" in result.output and "short-edge flip" in result.output
    assert len(reader(built / "out" / "deck-sheets-SRA3.pdf").pages) == 4


def test_unknown_printer_is_a_plain_error(built, runner):
    result = runner.invoke(main, ["sheets", "--printer", "bureau"])
    assert result.exit_code == 1
    assert "printers.yaml does not exist" in result.stderr and "Traceback" not in result.stderr


def test_printer_correction_moves_only_the_backs(built, runner):
    plain = [p.get_contents().get_data() for p in reader(built / "out" / "deck-sheets-A3.pdf").pages[:2]]
    (built / "content" / "printers.yaml").write_text("bureau:\n  dx: 1.5\n  dy: -0.5\n", encoding="utf-8")
    result = runner.invoke(main, ["sheets", "--printer", "bureau"])
    assert result.exit_code == 0, result.stderr
    front, back = (p.get_contents().get_data() for p in reader(built / "out" / "deck-sheets-A3.pdf").pages[:2])
    assert front == plain[0]
    assert back != plain[1]
    first = back.decode("latin-1").split(" cm")[0].split()[-6:]
    assert [round(float(v), 2) for v in first] == [1.0, 0.0, 0.0, 1.0, round(1.5 / 25.4 * 72, 2),
                                                   round(-0.5 / 25.4 * 72, 2)]


def test_preflight_command_passes_good_files_and_reports_json(built, runner):
    out = built / "out"
    result = runner.invoke(main, ["preflight", str(out / "deck.pdf"), str(out / "deck-sheets-A3.pdf")])
    assert result.exit_code == 0, result.output
    assert result.output.count("ready for print") == 2
    result = runner.invoke(main, ["preflight", "--json", str(out / "deck.pdf")])
    assert '"ok": true' in result.output


def test_preflight_command_fails_on_an_rgb_pdf(tmp_path, runner):
    from weasyprint import HTML

    from nuancier_print import engine  # noqa: F401 - isolates fonts before WeasyPrint loads

    path = tmp_path / "deck.pdf"
    HTML(string="<p style='color: rgb(255, 0, 0)'>rouge</p>").write_pdf(path)
    result = runner.invoke(main, ["preflight", str(path)])
    assert result.exit_code == 1
    assert "not ready for print" in result.output


def test_calibrate_writes_a_two_sided_sheet(mini, runner):
    result = runner.invoke(main, ["calibrate"])
    assert result.exit_code == 0, result.stderr
    pages = reader(mini.parent / "out" / "calibration-A4.pdf").pages
    assert len(pages) == 2 and size_mm(pages[0].mediabox) == (210.0, 297.0)


def test_preview_writes_faces_contact_sheet_and_fan(built, runner):
    result = runner.invoke(main, ["preview"])
    assert result.exit_code == 0, result.stderr
    out = built / "out"
    faces = sorted((out / "preview").glob("*.png"))
    assert len(faces) == 14 and faces[0].name == "01-recto.png"
    width, height = Image.open(faces[0]).size
    assert abs(width / height - 99 / 210) < 0.02  # cropped to the trim, no bleed
    assert Image.open(out / "contact-sheet.png").size[0] > 7 * width
    fan = Image.open(out / "fan.png")
    assert fan.size[0] > 2 * height * 0.9  # opened around the rivet, wider than a card is tall


def test_watch_rebuilds_one_teinte_and_survives_an_error(mini):
    from nuancier_print.watch import watch

    lines, stop, ready = [], threading.Event(), threading.Event()
    options = BuildOptions(content=mini, out=mini.parent / "out", sheets=False)
    thread = threading.Thread(target=watch, args=(options, lines.append), kwargs={"stop": stop, "ready": ready})
    thread.start()
    try:
        assert ready.wait(60)
        teinte = mini / "teintes" / "1-1-premiere.yaml"
        deck = mini.parent / "out" / "deck.pdf"
        before = deck.read_bytes()
        teinte.write_text(teinte.read_text(encoding="utf-8").replace("Un contenu", "Un contenu revu"),
                          encoding="utf-8")
        _wait_for(lambda: any("1-1-premiere.yaml: " in line for line in lines))
        assert any("1-1-premiere.yaml: rebuilt 1.1 recto, 1.1 verso (2 faces)" in line for line in lines), lines
        after = deck.read_bytes()
        assert after != before
        teinte.write_text("numero: 1.1\ntitre: [cassé\n", encoding="utf-8")
        _wait_for(lambda: any("still watching" in line for line in lines))
        assert any("1-1-premiere.yaml:2:" in line for line in lines), lines
        assert deck.read_bytes() == after
    finally:
        stop.set()
        thread.join(30)


def _wait_for(condition, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _git(folder, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="reprint needs git")
def test_reprint_imposes_only_the_changed_cards(mini, runner):
    root = mini.parent
    _git(root, "init", "-q")
    _git(root, "add", "content")
    _git(root, "commit", "-qm", "first print run")
    teinte = mini / "teintes" / "2-1-troisieme.yaml"
    teinte.write_text(teinte.read_text(encoding="utf-8").replace("Une finalité", "Une finalité revue"),
                      encoding="utf-8")
    _git(root, "commit", "-qam", "edit 2.1")
    result = runner.invoke(main, ["reprint", "--since", "HEAD~1"])
    assert result.exit_code == 0, result.stderr
    assert "1 card(s) changed since HEAD~1: teinte 2.1" in result.output
    pages = reader(root / "out" / "reprint.pdf").pages
    assert len(pages) == 2  # one A3 sheet: front and back
    assert "Une finalité revue" in pages[1].extract_text() + pages[0].extract_text()
    assert "Première teinte" not in pages[0].extract_text()
    png = Image.open(root / "out" / "reprint.png")
    assert png.size[0] > png.size[1]  # before and after, side by side


def test_reprint_with_an_unknown_revision_is_a_plain_error(mini, runner):
    _git(mini.parent, "init", "-q")
    _git(mini.parent, "add", "content")
    _git(mini.parent, "commit", "-qm", "one")
    result = runner.invoke(main, ["reprint", "--since", "nope"])
    assert result.exit_code == 1
    assert "git does not know the revision `nope`" in result.stderr


def test_the_watch_line_names_the_faces_and_the_booklets_rendered():
    from nuancier_print.build import BuildResult
    from nuancier_print.watch import summary

    result = BuildResult(rendered=["teinte-2-1-recto", "teinte-2-1-verso"], booklets_rendered=["atelier"])
    assert summary(result, 2.5, ["/x/content/teintes/2-1-a.yaml"]) == (
        "2-1-a.yaml: rebuilt 2.1 recto, 2.1 verso (2 faces); booklet atelier in 2.50 s")
    only_booklet = BuildResult(booklets_rendered=["atelier"])
    assert summary(only_booklet, 1.0, ["/x/content/sessions/atelier.yaml"]) == (
        "atelier.yaml: rebuilt booklet atelier in 1.00 s")
    assert summary(BuildResult(), 0.1, ["a.yaml"]) == "a.yaml: nothing to re-render (0.10 s)"
