"""What a run says it did to each output is what is in out/: after success, errors, a full disk, Ctrl-C, SIGTERM.

Also: output names that no content can make collide, a broken session that
blocks only its own booklet, nothing left stale, `nuancier status` and
`nuancier check FILE`.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nuancier_print.cli import Terminated, main, terminated_as_interrupt
from nuancier_print.outputs import booklet_paths

from .conftest import ROOT
from .pdfutil import page_texts, reader

SLUG = "faire-ensemble-autrement"
LINE = re.compile(r"^  (written|unchanged|removed|not written)\s+(\S+)(?: \((.*)\))?$")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the shipped content, as ./content, with fixed dates."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(out: Path) -> dict[str, bytes]:
    """Return the bytes of every output file (not the cache, the lock or the manifest)."""
    return {p.relative_to(out.parent).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))
            if ".cache" not in p.parts and not p.name.startswith(".")} if out.exists() else {}


def outcomes(text: str) -> dict[str, tuple[str, str]]:
    """Return {path: (status, reason)} from a run's report."""
    found = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if match:
            found[match[2]] = (match[1], match[3] or "")
    return found


def assert_report_matches(before: dict, after: dict, report: dict) -> None:
    """Check every line of a report against the files: written ones changed or appeared, the others did not."""
    assert report, "the run printed no report"
    for path, (status, _) in report.items():
        if status == "written":
            assert path in after, f"{path} is said written but is not there"
        elif status == "removed":
            assert path not in after, f"{path} is said removed but is still there"
        else:
            assert after.get(path) == before.get(path), f"{path} is said {status} but changed"
    for path in set(before) | set(after):
        if before.get(path) != after.get(path):
            assert path in report and report[path][0] in ("written", "removed"), f"{path} changed unreported"


def run(runner, *args):
    result = runner.invoke(main, list(args))
    return result, outcomes(result.output + result.stderr)


def test_a_successful_build_lists_every_output(project, runner):
    before = snapshot(project / "out")
    result, report = run(runner, "build")
    assert result.exit_code == 0, result.stderr
    assert_report_matches(before, snapshot(project / "out"), report)
    assert {s for s, _ in report.values()} == {"written"} and len(report) == 6  # deck, sheets, booklet, 2 impositions,
    assert report[f"out/sessions/{SLUG}/booklet-{SLUG}-ecran.pdf"][0] == "written"  # and the screen edition
    again, report = run(runner, "build")
    assert {s for s, _ in report.values()} == {"unchanged"}


def test_a_content_error_writes_nothing_and_says_so(project, runner):
    run(runner, "build")
    before = snapshot(project / "out")
    teinte = next((project / "content" / "teintes").glob("2-2-*.yaml"))
    teinte.write_text(teinte.read_text(encoding="utf-8").replace("titre:", "titr:", 1), encoding="utf-8")
    result, report = run(runner, "build")
    assert result.exit_code == 1
    assert_report_matches(before, snapshot(project / "out"), report)
    assert {s for s, _ in report.values()} == {"not written"} and len(report) == 6
    assert all("the content has errors" in reason for _, reason in report.values())


BROKEN = ("titre: Atelier cassé\ncommanditaire: Région\nlieu: Orléans\ndates: ['1er mars 2026']\n"
          "formateurs:\n  - nom: Anne\nteintes:\n  - numero: 9.9\n")


def test_a_broken_session_blocks_only_its_own_booklet(project, runner):
    (project / "content" / "sessions" / "casse.yaml").write_text(BROKEN, encoding="utf-8")
    before = snapshot(project / "out")
    result, report = run(runner, "build")
    assert result.exit_code == 1
    assert "content/sessions/casse.yaml:8:13: teintes[0].numero: teinte 9.9 does not exist" in result.output
    assert_report_matches(before, snapshot(project / "out"), report)
    assert report["out/deck.pdf"][0] == "written"
    assert report[f"out/sessions/{SLUG}/booklet-{SLUG}.pdf"][0] == "written"
    status, reason = report["out/sessions/casse/booklet-casse.pdf"]
    assert status == "not written" and "content/sessions/casse.yaml has errors" in reason
    assert report["out/sessions/casse/booklet-casse-ecran.pdf"] == (status, reason)  # its screen edition too
    assert report[f"out/sessions/{SLUG}/booklet-{SLUG}-ecran.pdf"][0] == "written"
    deck_only, report = run(runner, "deck")  # a broken session does not stop the deck either
    assert deck_only.exit_code == 0 and report["out/deck.pdf"][0] == "unchanged"


def test_a_session_whose_cover_cannot_fit_blocks_only_its_booklet(project, runner):
    session = project / "content" / "sessions" / f"{SLUG}.yaml"
    text = session.read_text(encoding="utf-8")
    session.write_text(text.replace("lieu: ", "lieu: " + "Très long lieu de formation, " * 40, 1), encoding="utf-8")
    teinte = next((project / "content" / "teintes").glob("2-2-*.yaml"))
    teinte.write_text(teinte.read_text(encoding="utf-8").replace("titre: ", "titre: Nouveau ", 1), encoding="utf-8")
    before = snapshot(project / "out")
    result, report = run(runner, "build")
    assert result.exit_code == 1 and "the cover does not fit on its page" in result.output + result.stderr
    assert_report_matches(before, snapshot(project / "out"), report)
    assert report["out/deck.pdf"][0] == "written"  # the edited teinte is printed on the deck
    assert report[f"out/sessions/{SLUG}/booklet-{SLUG}.pdf"][0] == "not written"
    assert report[f"out/sessions/{SLUG}/booklet-{SLUG}-ecran.pdf"][0] == "not written"


def test_a_full_disk_is_reported_output_by_output(project, runner, monkeypatch):
    from nuancier_print import output
    from nuancier_print.errors import BuildError

    real = output.atomic_write

    def full_for_booklets(path, data, **kwargs):
        if "sessions" in Path(path).parts:
            raise BuildError(f"cannot write {path}: No space left on device; the previous file, if any, is untouched")
        return real(path, data, **kwargs)

    monkeypatch.setattr(output, "atomic_write", full_for_booklets)
    import nuancier_print.booklet
    import nuancier_print.publish

    monkeypatch.setattr(nuancier_print.publish, "atomic_write", full_for_booklets)
    monkeypatch.setattr(nuancier_print.booklet, "atomic_write", full_for_booklets)
    result, report = run(runner, "build")
    assert result.exit_code == 1
    assert_report_matches({}, snapshot(project / "out"), report)
    assert report["out/deck.pdf"][0] == "written" and report["out/deck-sheets-A3.pdf"][0] == "written"
    status, reason = report[f"out/sessions/{SLUG}/booklet-{SLUG}.pdf"]
    assert status == "not written" and "No space left on device" in reason


@pytest.mark.parametrize("sig, delay", [(signal.SIGINT, 0.5), (signal.SIGINT, 3.0), (signal.SIGTERM, 2.0),
                                        (signal.SIGINT, 5.0)])
def test_an_interrupted_build_says_what_it_wrote(project, sig, delay):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "nuancier_print", "build", "--per-participant"]
    subprocess.run(command, cwd=project, env=env, capture_output=True, check=True)
    teinte = next((project / "content" / "teintes").glob("2-2-*.yaml"))
    teinte.write_text(teinte.read_text(encoding="utf-8").replace("titre: ", "titre: Nouveau ", 1), encoding="utf-8")
    shutil.rmtree(project / "out" / ".cache")  # every face to fit again: a long build
    before = snapshot(project / "out")
    process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(delay)
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=120)
    report = outcomes(stdout + stderr)
    if process.returncode == 0:  # it finished first: the report must still match
        assert {s for s, _ in report.values()} == {"written"}
    else:
        assert process.returncode == (143 if sig == signal.SIGTERM else 130), (stdout + stderr)[-3000:]
        assert any(s == "not written" and "interrupted" in r for s, r in report.values())
    assert_report_matches(before, snapshot(project / "out"), report)


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)])
def test_an_interrupt_turned_into_a_library_error_is_still_an_interrupt(sig, status):
    # ctypes turns a KeyboardInterrupt raised while it converts an argument into
    # « ArgumentError: argument 1: KeyboardInterrupt » (seen under pypdfium2)
    with pytest.raises(status) as caught, terminated_as_interrupt():
        try:
            signal.raise_signal(sig)
        except KeyboardInterrupt as exc:
            raise ctypes.ArgumentError(f"argument 1: {type(exc).__name__}: ") from None
    assert type(caught.value) is status
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_interrupt_whose_error_was_caught_on_the_way_still_ends_the_run():
    with pytest.raises(KeyboardInterrupt), terminated_as_interrupt():
        try:  # one session's error, caught so that the other sessions are built
            try:
                signal.raise_signal(signal.SIGINT)
            except KeyboardInterrupt as exc:
                raise ctypes.ArgumentError(f"argument 1: {type(exc).__name__}: ") from None
        except ctypes.ArgumentError:
            pass


def test_a_library_error_without_an_interrupt_stays_what_it_is():
    with pytest.raises(ValueError), terminated_as_interrupt():
        raise ValueError("a bug")


def test_no_content_makes_two_outputs_share_a_name(project, runner):
    session = project / "content" / "sessions" / f"{SLUG}.yaml"
    text = session.read_text(encoding="utf-8")
    session.write_text(text.replace("participants:\n", "participants:\n  - nom: Imposed\n", 1), encoding="utf-8")
    shutil.copy(session, project / "content" / "sessions" / f"{SLUG}-imposed.yaml")
    result, report = run(runner, "build", "--per-participant")
    assert result.exit_code == 0, result.stderr
    paths = booklet_paths(project / "out", SLUG)
    assert len(reader(paths.imposed).pages) == 14  # 28 A5 pages, 2 per A4 side: still the imposition
    assert len(reader(paths.participant("imposed")).pages) == 28
    assert booklet_paths(project / "out", f"{SLUG}-imposed").booklet.exists()
    assert len(reader(paths.participant_ecran("imposed")).pages) == 27  # the screen edition: no notes pages added
    # The deck and its sheets; each session: booklet, 2 impositions, screen edition, 15 copies of each.
    assert len(report) == 2 + 2 * (4 + 2 * 15)


def test_nothing_is_left_stale_after_an_edit(project, runner):
    run(runner, "build", "--per-participant")
    run(runner, "sheets", "--sheet", "SRA3")
    teinte = next((project / "content" / "teintes").glob("2-2-*.yaml"))
    teinte.write_text(teinte.read_text(encoding="utf-8").replace("titre: ", "titre: Nouveau ", 1), encoding="utf-8")
    status = runner.invoke(main, ["status"])
    assert status.exit_code == 1 and "content/teintes/2-2-intelligence-collective.yaml changed" in status.output
    result, report = run(runner, "build")  # no --per-participant, no --sheet SRA3 this time
    assert result.exit_code == 0
    copies = sorted((booklet_paths(project / "out", SLUG).folder / "participants").glob("*.pdf"))
    assert len(copies) == 2 * 14  # for print, for the screen
    for path in [*copies, project / "out" / "deck-sheets-SRA3.pdf"]:
        assert report[path.relative_to(project).as_posix()][0] == "written"
        assert any("Nouveau" in text for text in page_texts(path)), path
    assert runner.invoke(main, ["status"]).exit_code == 0


def test_outputs_of_a_session_or_a_participant_that_is_gone_are_removed_and_said(project, runner):
    run(runner, "build", "--per-participant")
    session = project / "content" / "sessions" / f"{SLUG}.yaml"
    text = session.read_text(encoding="utf-8")
    session.write_text(re.sub(r"  - nom: Camille Martin\n(    .*\n)*", "", text, count=1), encoding="utf-8")
    result, report = run(runner, "build")
    for copy in (f"out/sessions/{SLUG}/participants/booklet-{SLUG}-camille-martin.pdf",
                 f"out/sessions/{SLUG}/participants/booklet-{SLUG}-camille-martin-ecran.pdf"):
        assert report[copy] == ("removed", "no longer a participant of the session")
        assert not (project / copy).exists()
    session.unlink()
    result, report = run(runner, "build")
    assert report[f"out/sessions/{SLUG}/booklet-{SLUG}.pdf"] == ("removed", "its session file is gone")
    assert report[f"out/sessions/{SLUG}/booklet-{SLUG}-ecran.pdf"] == ("removed", "its session file is gone")


def test_check_takes_files_and_what_they_refer_to(project, runner):
    (project / "content" / "sessions" / "casse.yaml").write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(main, ["check", "content/sessions/casse.yaml"])
    assert result.exit_code == 1 and "teinte 9.9 does not exist" in result.stderr
    assert "unfinished in the source" not in result.stderr  # the other files' warnings are not this file's
    good = runner.invoke(main, ["check", f"content/sessions/{SLUG}.yaml"])
    assert good.exit_code == 0 and "casse.yaml" not in good.output + good.stderr
    teinte = runner.invoke(main, ["check", "content/teintes/5-1-mise-en-test.yaml"])
    assert teinte.exit_code == 0 and "5-1-mise-en-test.yaml" in teinte.output
    assert "1-1-" not in teinte.output


def test_an_output_replaced_just_before_an_interruption_is_said_written(tmp_path):
    """Ctrl-C can land between an output's rename and its record: the report reads the file, not its notes."""
    from nuancier_print.report import RunReport

    kept, replaced, made = tmp_path / "kept.pdf", tmp_path / "replaced.pdf", tmp_path / "made.pdf"
    kept.write_bytes(b"old")
    replaced.write_bytes(b"old")
    report = RunReport()
    report.plan([kept, replaced, made])
    (tmp_path / "new").write_bytes(b"new")
    os.replace(tmp_path / "new", replaced)
    made.write_bytes(b"new")
    report.stop("interrupted before it was written")
    assert [(o.path.name, o.status, o.reason) for o in report.outcomes.values()] == [
        ("kept.pdf", "not written", "interrupted before it was written"),
        ("replaced.pdf", "written", ""), ("made.pdf", "written", "")]


def test_a_rejected_file_that_cannot_be_kept_is_said_and_the_previous_output_stays(tmp_path):
    import weasyprint

    from nuancier_print.errors import BuildError
    from nuancier_print.publish import publish

    out = tmp_path / "out"
    out.mkdir()
    (out / "deck.pdf").write_bytes(b"the previous deck")
    (out / "rejected").write_text("a file where the folder would go")
    failing = weasyprint.HTML(string="<p style='color: rgb(255, 0, 0)'>RVB</p>").write_pdf()  # not PDF/X, RGB
    with pytest.raises(BuildError) as caught:
        publish(failing, out / "deck.pdf", kind="deck")
    assert "was not replaced" in str(caught.value) and "could not be kept in" in str(caught.value)
    assert (out / "deck.pdf").read_bytes() == b"the previous deck"
    assert sorted(p.name for p in out.iterdir()) == ["deck.pdf", "rejected"]  # no pending file left behind
