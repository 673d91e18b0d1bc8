"""Print files as a print shop's tools see them: qpdf, pdffonts, pdfinfo, and no RGB anywhere."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from nuancier_print.build import BuildOptions, build

from .conftest import DATA
from .pdfutil import reader

needs = pytest.mark.skipif(not (shutil.which("qpdf") and shutil.which("pdffonts") and shutil.which("pdfinfo")),
                           reason="qpdf and poppler-utils are not installed (.ci/run installs them)")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Build the mini content once: deck (with crop marks) and A3 sheets."""
    root = tmp_path_factory.mktemp("print")
    shutil.copytree(DATA / "mini", root / "content")
    build(BuildOptions(content=root / "content", out=root / "out", marks=True))
    return [root / "out" / "deck.pdf", root / "out" / "deck-sheets-A3.pdf"]


def _run(*command) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout


@needs
def test_qpdf_finds_nothing_wrong(outputs):
    for path in outputs:
        result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors found" in result.stdout


@needs
def test_no_rgb_in_the_uncompressed_files(outputs, tmp_path):
    for path in outputs:
        plain = tmp_path / f"{path.stem}.qdf"
        subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(plain)], check=True)
        data = plain.read_bytes().decode("latin-1")
        assert "/DeviceRGB" not in data, path.name
        assert not re.search(r"(^|\s)(rg|RG)(\s|$)", data), path.name
        assert "/DeviceCMYK" in data


@needs
def test_pdffonts_shows_every_font_embedded(outputs):
    for path in outputs:
        lines = _run("pdffonts", str(path)).splitlines()[2:]
        assert lines, path.name
        for line in lines:
            assert re.search(r"\s+yes\s+yes\s+yes\s+", line), line


@needs
def test_pdfinfo_boxes(outputs):
    deck = _run("pdfinfo", "-box", "-f", "1", "-l", "1", str(outputs[0]))
    trim = re.search(r"Page\s+1 TrimBox:\s+([\d.\s-]+)", deck).group(1).split()
    bleed = re.search(r"Page\s+1 BleedBox:\s+([\d.\s-]+)", deck).group(1).split()
    mm = [round(float(v) * 25.4 / 72, 1) for v in trim + bleed]
    assert mm[2] - mm[0] == pytest.approx(99.0, abs=0.1) and mm[3] - mm[1] == pytest.approx(210.0, abs=0.1)
    assert mm[6] - mm[4] == pytest.approx(105.0, abs=0.1) and mm[7] - mm[5] == pytest.approx(216.0, abs=0.1)


def test_pdfx4_identification_and_cmyk_output_intent(outputs):
    for path in outputs:
        pdf = reader(path)
        xmp = pdf.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp, path.name
        (intent,) = pdf.trailer["/Root"]["/OutputIntents"]
        intent = intent.get_object()
        assert intent["/S"] == "/GTS_PDFX"
        assert intent["/DestOutputProfile"].get_object()["/N"] == 4
        assert "FOGRA39" in str(intent["/OutputConditionIdentifier"])
