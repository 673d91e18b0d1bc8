"""Every output is a valid PDF/X-4 file as a print shop's tools read it (pikepdf, qpdf underneath),
`nuancier preflight` passes them, and it fails the outputs made before issue 17.

The outputs are built once from the mini content and a session of it, with
everything a build can write: the deck with crop marks and a die line, its
A3 sheets, the booklet, its office and press impositions, a personal copy;
and the calibration sheet. The booklet's screen editions (PDF/UA-1, not
print files: see test_screen.py) are among them, and pass their own preflight.
"""

from __future__ import annotations

import shutil

import pikepdf
import pytest

from nuancier_print.build import BuildOptions, build
from nuancier_print.cli import main
from nuancier_print.pdf import ICC_PROFILE, PRODUCER
from nuancier_print.sheets import calibration_pdf

from .conftest import DATA

BEFORE = DATA / "before-issue-17"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """Build everything once; return {file name: path}."""
    root = tmp_path_factory.mktemp("print-ready")
    shutil.copytree(DATA / "mini", root / "content")
    (root / "content" / "sessions").mkdir()
    shutil.copy(DATA / "mini-session" / "essai.yaml", root / "content" / "sessions")
    build(BuildOptions(content=root / "content", out=root / "out", marks=True, die_line=True, corners=3.0,
                       per_participant=True, creep=0.3))
    (root / "out" / "calibration-A4.pdf").write_bytes(calibration_pdf("A4"))
    outputs = {path.name: path for path in sorted((root / "out").rglob("*.pdf")) if "rejected" not in path.parts}
    # what other commands write: an office sheet of the deck, a kit (its deck and its office sheets)
    other = root / "other"
    build(BuildOptions(content=root / "content", out=other, sheet="A4", booklets=False,
                       kits=[{"teintes": "1.1,2.1", "copies": 2, "sheet": "A4", "name": "deux"}]))
    return outputs | {path.name: path for path in sorted(other.rglob("*.pdf")) if path.name != "deck.pdf"}


def test_the_build_writes_every_kind_of_output(outputs):
    assert set(outputs) == {"deck.pdf", "deck-sheets-A3.pdf", "booklet-essai.pdf", "booklet-essai-imposed.pdf",
                            "booklet-essai-press-SRA3.pdf", "booklet-essai-camille-martin.pdf",
                            "calibration-A4.pdf", "booklet-essai-ecran.pdf", "booklet-essai-camille-martin-ecran.pdf",
                            "deck-sheets-A4.pdf", "kit-deux.pdf", "kit-deux-A4.pdf"}


def xmp_of(pdf: pikepdf.Pdf) -> dict:
    """Return the XMP properties pikepdf reads, by their usual prefixed names."""
    names = {"http://purl.org/dc/elements/1.1/": "dc", "http://ns.adobe.com/pdf/1.3/": "pdf",
             "http://ns.adobe.com/xap/1.0/": "xmp", "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
             "http://www.npes.org/pdfx/ns/id/": "pdfxid"}
    found = {}
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:  # read only
        for key, value in meta.items():
            uri, _, name = key[1:].partition("}")
            if uri in names:
                found[f"{names[uri]}:{name}"] = value
    return found


@pytest.mark.parametrize("name", ["deck.pdf", "deck-sheets-A3.pdf", "booklet-essai.pdf", "booklet-essai-imposed.pdf",
                                  "booklet-essai-press-SRA3.pdf", "booklet-essai-camille-martin.pdf",
                                  "calibration-A4.pdf", "deck-sheets-A4.pdf", "kit-deux.pdf", "kit-deux-A4.pdf"])
def test_every_output_is_pdfx4_with_agreeing_metadata(outputs, name):
    with pikepdf.open(outputs[name]) as pdf:
        ids = pdf.trailer.ID
        assert len(ids) == 2 and all(len(bytes(i)) == 16 for i in ids)
        info, xmp = pdf.docinfo, xmp_of(pdf)
        assert info.Trapped == pikepdf.Name("/False") and xmp["pdf:Trapped"] == "False"
        assert str(info.Title) == xmp["dc:title"] and str(info.Title)
        assert str(info.Producer) == xmp["pdf:Producer"] == PRODUCER
        assert str(info.Creator) == xmp["xmp:CreatorTool"]
        assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4" and xmp["xmpMM:DocumentID"] != xmp["xmpMM:InstanceID"]
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert intent.DestOutputProfile.read_bytes() == ICC_PROFILE.read_bytes()
        assert pdf.pdf_version == "1.6"


def test_every_output_has_its_own_instance_id(outputs):
    instances = {}
    for name, path in outputs.items():
        with pikepdf.open(path) as pdf:
            instances[name] = (xmp_of(pdf)["xmpMM:InstanceID"], bytes(pdf.trailer.ID[1]))
    assert len({i for i, _ in instances.values()}) == len({i for _, i in instances.values()}) == len(outputs)


def test_the_office_and_press_impositions_say_what_they_are(outputs):
    with pikepdf.open(outputs["booklet-essai-imposed.pdf"]) as pdf:
        subject = str(pdf.docinfo.Subject)
        assert "imprimante de bureau" in str(pdf.docinfo.Title)
        assert "sans fond perdu ni traits de coupe" in subject and "bord court" in subject
    with pikepdf.open(outputs["booklet-essai-press-SRA3.pdf"]) as pdf:
        assert "pour l'imprimeur" in str(pdf.docinfo.Title) and "chasse compensée de 0.3 mm" in str(
            pdf.docinfo.Subject)
        page = pdf.pages[0]
        assert page.trimbox != page.mediabox and page.bleedbox != page.trimbox


def test_the_die_line_is_on_the_deck_and_its_sheets(outputs):
    for name in ("deck.pdf", "deck-sheets-A3.pdf"):
        with pikepdf.open(outputs[name]) as pdf:
            (group,) = pdf.Root.OCProperties.OCGs
            assert pdf.Root.OCProperties.D.Name and list(pdf.Root.OCProperties.D.Order) == [group]
            separations = [list(space) for _, space in _colour_spaces(pdf)
                           if isinstance(space, pikepdf.Array) and space[0] == pikepdf.Name.Separation]
            assert separations and all(space[1:3] == [pikepdf.Name("/CutContour"), pikepdf.Name.DeviceCMYK]
                                       for space in separations)


def _colour_spaces(pdf: pikepdf.Pdf):
    """Yield (name, space) for every colour space of the pages and of the forms they place."""
    for page in pdf.pages:
        holders = [page.Resources] + [x.Resources for x in page.Resources.get("/XObject", {}).values()
                                      if x.get("/Subtype") == pikepdf.Name.Form and "/Resources" in x]
        for resources in holders:
            yield from resources.get("/ColorSpace", {}).items()


def test_preflight_passes_every_output(outputs, runner):
    names = [str(path) for name, path in outputs.items() if "camille" not in name]
    result = runner.invoke(main, ["preflight", *names])
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.count("ready for print") == len(names) - 1
    assert result.output.count("booklet-essai-ecran.pdf: 0 errors, 0 warnings: ready for the screen") == 1
    die = [str(outputs[name]) for name in ("deck.pdf", "deck-sheets-A3.pdf")]
    assert runner.invoke(main, ["preflight", "--die-line", *die]).exit_code == 0


def test_preflight_fails_the_imposed_files_made_before_issue_17(runner):
    files = [str(BEFORE / "deck-sheets-A3.pdf"), str(BEFORE / "booklet-essai-imposed.pdf")]
    result = runner.invoke(main, ["preflight", *files])
    assert result.exit_code == 1
    for path in files:
        name = path.rsplit("/", 1)[-1]
        lines = [line for line in result.output.splitlines() if line.split(":", 1)[0].endswith(name)]
        text = "\n".join(lines)
        assert lines[-1].endswith("not ready for print")
        assert "the file has no trailer /ID" in text
        assert "the title is missing from the document information (/Title)" in text
        assert "the producer differs between the document information (« pypdf »)" in text
        assert "/Trapped is missing in the document information" in text
        assert "the output intent's condition is « FOGRA39L coated »" in text
        assert "black text is printed as C 0 M 0 Y 0 K 92 %, not 100 % K alone" in text
        assert "text under 9 pt prints on 3 plates" in text
    sheets = result.output
    assert "RESSOURCES" in sheets  # the findings quote the text they are about
