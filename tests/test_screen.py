"""The booklet's screen edition as a participant's e-mail gets it: PDF/UA-1 in French, tagged, with
bookmarks, links and described photos; trimmed A5 without bleed, in RGB, light; and its own preflight."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfWriter
from pypdf.generic import ContentStream, NameObject

from nuancier_print import schema
from nuancier_print.booklet import write_booklets
from nuancier_print.cli import guess_kind, main
from nuancier_print.content import load_content
from nuancier_print.deck import printed_rgb, teinte_colour
from nuancier_print.outputs import booklet_paths
from nuancier_print.pdf import PDFUAID
from nuancier_print.preflight import SCREEN_CHECKS, drawn_pages, effective_dpi, preflight
from nuancier_print.screen import SCREEN_DPI, placed_mm, readable_text, screen_css, screen_palette, screen_size
from nuancier_print.sessions import person_slug
from nuancier_print.site.colours import WHITE, contrast, hex_colour
from nuancier_print.typography import french

from .conftest import DATA, ROOT
from .pdfutil import normalise, page_texts, reader, size_mm

SLUG = "faire-ensemble-autrement"
A5 = (148.0, 210.0)


@pytest.fixture(scope="module")
def content():
    """The shipped content, with its example session."""
    return load_content(ROOT / "content")


@pytest.fixture(scope="module")
def built(example_booklets):
    """The example session's booklets, screen editions and personal copies, written once for the test session."""
    return example_booklets


@pytest.fixture(scope="module")
def session(content):
    """The example session."""
    return content.sessions[SLUG][1]


def structure(pdf) -> list:
    """Return every element of a PDF's structure tree (StructElem dictionaries), in document order."""
    root = pdf.root_object if isinstance(pdf, PdfWriter) else pdf.trailer["/Root"]
    found, stack = [], [root["/StructTreeRoot"].get("/K")]
    while stack:
        kid = stack.pop()
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, list):
            stack.extend(reversed(kid))
        elif isinstance(kid, dict) and "/S" in kid:
            found.append(kid)
            stack.append(kid.get("/K"))
    return found


def figures_alt(path) -> list[str | None]:
    """Return the /Alt of every /Figure of a file's structure, in document order."""
    return [None if e.get("/Alt") is None else str(e["/Alt"]) for e in structure(reader(path)) if e["/S"] == "/Figure"]


def xmp_values(pdf, namespace: str, name: str) -> list[str]:
    """Return the values of an XMP property, written as an element or as an attribute."""
    root = ET.fromstring(pdf.trailer["/Root"]["/Metadata"].get_object().get_data())
    tag = f"{{{namespace}}}{name}"
    return [(e.text or "").strip() for e in root.iter(tag)] + [e.attrib[tag] for e in root.iter() if tag in e.attrib]


def outline_titles(outline, depth: int = 0) -> list[tuple[int, str]]:
    """Return (depth, title) of every bookmark, in order."""
    found = []
    for item in outline:
        if isinstance(item, list):
            found += outline_titles(item, depth + 1)
        else:
            found.append((depth, normalise(item.title)))
    return found


# --- PDF/UA-1, in French --------------------------------------------------------------------


def test_the_screen_edition_is_next_to_the_print_booklet(built):
    paths = booklet_paths(built.path.parent.parent.parent, SLUG)
    assert built.screen_path == paths.ecran == built.path.with_name(f"booklet-{SLUG}-ecran.pdf")
    assert paths.ecran in paths.shared and built.screen_path.is_file()
    assert "; for the screen: " in built.line() and built.line().count(built.screen_path.name) == 1


def test_it_declares_pdf_ua_1_and_is_tagged(built):
    pdf = reader(built.screen_path)
    root = pdf.trailer["/Root"]
    assert xmp_values(pdf, PDFUAID, "part") == ["1"]
    assert pdf.pdf_header == "%PDF-1.7"
    assert root["/MarkInfo"]["/Marked"].value is True
    elements = structure(pdf)
    assert elements[0]["/S"] == "/Document" and len(elements) > 1000
    kinds = {str(e["/S"]) for e in elements}
    assert {"/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Link", "/Figure", "/Caption", "/BlockQuote"} <= kinds
    assert all("/StructParents" in page for page in pdf.pages)


def test_it_is_in_french_on_its_catalog_its_structure_and_its_metadata(built):
    pdf = reader(built.screen_path)
    assert str(pdf.trailer["/Root"]["/Lang"]) == "fr"
    assert str(structure(pdf)[0]["/Lang"]) == "fr"
    metadata = ET.fromstring(pdf.trailer["/Root"]["/Metadata"].get_object().get_data())
    [language] = metadata.iter("{http://purl.org/dc/elements/1.1/}language")
    assert [li.text for li in language.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")] == ["fr"]


def test_it_shows_its_title(built, session):
    pdf = reader(built.screen_path)
    assert pdf.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert pdf.metadata.title == f"Livret de formation — {french(session.titre)}"
    assert "écran" in pdf.metadata.subject and "PDF/UA-1" in pdf.metadata.subject


def test_every_figure_has_its_alternative_text(built, session):
    captions = [m.alt or m.legende or m.titre for v in session.teintes for m in v.mises_en_situation if m.photo]
    assert len(captions) == 3 and figures_alt(built.screen_path) == captions


def test_its_bookmarks_are_the_sommaire(built, session, content):
    titles = outline_titles(reader(built.screen_path).outline)
    expected = [(0, "Couverture"), (0, "Votre formation"), (0, "Sommaire")]
    for vecue in session.teintes:
        expected.append((0, normalise(f"{vecue.numero} · {french(content.teinte(vecue.numero).titre)}")))
        expected += [(1, "Mises en situation vécues")] * bool(vecue.mises_en_situation)
        expected += [(1, "Lecture critique des participants")] * bool(vecue.lecture_critique)
    expected += [(0, "Bibliographie détaillée"), (0, normalise(french(content.nuancier.conseils_pratiques.titre))),
                 (0, "Crédits et licence")]
    assert titles == expected


def test_its_links_lead_to_their_pages_and_addresses(built):
    pdf = reader(built.screen_path)
    texts = page_texts(built.screen_path)
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(pdf.pages)}
    destinations = {name: pages[dest.page.idnum] for name, dest in pdf.named_destinations.items()}
    internal = external = 0
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            assert annotation["/Subtype"] == "/Link" and str(annotation.get("/Contents", ""))
            if "/Dest" in annotation:
                internal += 1
                assert str(annotation["/Dest"]) in destinations
            else:
                external += 1
                assert str(annotation["/A"]["/URI"]).startswith(("http://", "https://", "mailto:"))
    assert internal >= 10 and external >= 10
    assert texts[destinations["bibliographie"]].startswith("Bibliographie détaillée")
    assert "N° 2.1" in texts[destinations["teinte-2-1"]]


# --- the same pages, trimmed, in RGB ------------------------------------------------------------


def test_every_page_is_a5_without_bleed(built):
    for number, page in enumerate(reader(built.screen_path).pages, 1):
        assert size_mm(page.mediabox) == A5, number
        assert page.trimbox == page.mediabox and page.bleedbox == page.mediabox, number


def test_it_has_the_booklets_pages_without_the_notes_page_that_pads_it(built):
    printed, screen = page_texts(built.path), page_texts(built.screen_path)
    assert built.padding == 1 and len(screen) == len(printed) - built.padding
    assert screen == printed[:-1 - built.padding] + printed[-1:]


def _colour_spaces(pdf):
    """Yield (where, space) for the colour spaces of every page, form and image, and each colour operator."""
    for number, page in enumerate(pdf.pages, 1):
        holders, seen = [(f"page {number}", page, page["/Resources"])], set()
        while holders:
            where, owner, resources = holders.pop()
            resources = resources.get_object() if resources is not None else {}
            for name, space in (resources.get("/ColorSpace") or {}).items():
                yield f"{where} {name}", space.get_object()
            for name, xobject in (resources.get("/XObject") or {}).items():
                xobject = xobject.get_object()
                if id(xobject) in seen:
                    continue
                seen.add(id(xobject))
                if xobject["/Subtype"] == "/Image":
                    yield f"{where} image {name}", xobject["/ColorSpace"]
                else:
                    holders.append((f"{where} form {name}", xobject, xobject.get("/Resources")))
            contents = owner.get_contents() if hasattr(owner, "get_contents") else owner
            for operands, operator in ContentStream(contents, pdf).operations:
                if operator in (b"k", b"K", b"cs", b"CS"):
                    yield f"{where} `{operator.decode()}`", operands[-1] if operator in (b"cs", b"CS") else operator


def test_nothing_is_cmyk(built):
    found = list(_colour_spaces(reader(built.screen_path)))
    assert any("image" in where for where, _ in found)
    images = [str(space) for where, space in found if "image" in where]
    assert set(images) == {"/DeviceRGB"}
    assert not [(w, s) for w, s in found if "CMYK" in str(s) or s in (b"k", b"K")]
    raw = b"".join(p.get_contents().get_data() for p in reader(built.screen_path).pages)
    assert b" rg" in raw or b"\nrg" in raw  # it paints in RGB


def test_the_teinte_colours_are_those_the_press_prints(built, content, session):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(built.screen_path))
    texts = page_texts(built.screen_path)
    for vecue in session.teintes:
        number = next(i for i, text in enumerate(texts) if f"N° {vecue.numero}" in text)
        image = document[number].render(scale=2).to_pil().convert("RGB")
        band = image.getpixel((image.width // 2, 8))  # the band runs to the page's top edge
        expected = printed_rgb(teinte_colour(content, content.teinte(vecue.numero)))
        assert max(abs(a - round(b * 255)) for a, b in zip(band, expected)) <= 2, (vecue.numero, band)
    document.close()


def test_its_photos_are_150_ppi_as_placed_and_it_is_light(built):
    images = [image for page in drawn_pages(built.screen_path, text=False).values() for image in page.images]
    assert len(images) == 3
    for w_px, h_px, ctm in images:
        dpi, w_mm, _ = effective_dpi(w_px, h_px, ctm)
        assert 140 <= dpi <= SCREEN_DPI * 1.01, (w_px, h_px, w_mm)
    assert built.screen_path.stat().st_size < 1_000_000 < built.path.stat().st_size


def test_no_weasyprint_warning(built):
    assert built.warnings == []


# --- personal copies ----------------------------------------------------------------------------


def test_each_participant_has_a_screen_copy_with_their_name(built, session):
    names = sorted(p.name for p in built.screen_copies)
    assert names == sorted(f"booklet-{SLUG}-{person_slug(p.nom)}-ecran.pdf" for p in session.participants)
    shared = page_texts(built.screen_path)
    for person in (session.participants[0], session.participants[-1]):
        path = next(p for p in built.screen_copies if p.name.endswith(f"-{person_slug(person.nom)}-ecran.pdf"))
        pdf, texts = reader(path), page_texts(path)
        name = normalise(french(person.nom))
        assert f"Livret de {name}" in texts[0] and texts[1:] == shared[1:]
        assert pdf.metadata.title == f"Livret de {french(person.nom)} — {french(session.titre)}"
        assert xmp_values(pdf, PDFUAID, "part") == ["1"] and str(structure(pdf)[0]["/Lang"]) == "fr"
        assert len(figures_alt(path)) == 3 and all(figures_alt(path))
        assert preflight(path, kind="screen", trim=A5).ok


# --- alternative texts and photo sizes -------------------------------------------------------------


def _session_with_photos(tmp_path):
    """The mini content with a session of three photos: with an alt text, with a caption only, with neither."""
    from PIL import Image

    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    (content / "sessions" / "s").mkdir(parents=True)
    Image.new("RGB", (2400, 1600), (40, 120, 200)).save(content / "sessions" / "s" / "large.jpg")
    Image.new("RGB", (1200, 1800), (200, 60, 30)).save(content / "sessions" / "s" / "portrait.jpg")
    Image.new("CMYK", (1000, 700), (0, 150, 255, 0)).save(content / "sessions" / "s" / "cmyk.jpg")
    (content / "sessions" / "s.yaml").write_text(
        "titre: Une session\ncommanditaire: Une ville\nlieu: Ici\ndates: [1er avril 2026]\n"
        "formateurs: [Une formatrice]\nparticipants: [Camille Martin]\nteintes:\n  - numero: 1.1\n"
        "    mises_en_situation:\n"
        "      - titre: Le grand mur\n        photo: s/large.jpg\n        legende: Le mur, avant le vote.\n"
        "        alt: Un mur bleu couvert de post-it.\n"
        "      - titre: La tour\n        photo: s/portrait.jpg\n        legende: La tour en carton.\n"
        "      - titre: L'affiche\n        photo: s/cmyk.jpg\n", encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """The booklet of a session with three photos, and its screen copy."""
    tmp_path = tmp_path_factory.mktemp("photos")
    [built] = write_booklets(load_content(_session_with_photos(tmp_path)), tmp_path / "out", per_participant=True)
    return built


def test_the_alt_text_is_the_alt_field_or_else_the_caption_or_else_the_title(photos):
    expected = ["Un mur bleu couvert de post-it.", "La tour en carton.", "L'affiche"]
    assert figures_alt(photos.screen_path) == expected
    assert figures_alt(photos.screen_copies[0]) == expected
    assert "Un mur bleu couvert" not in " ".join(page_texts(photos.screen_path))  # read aloud, not printed


def test_every_photo_is_150_ppi_where_it_is_placed_landscape_portrait_or_cmyk(photos):
    placed = [image for page in drawn_pages(photos.screen_path, text=False).values() for image in page.images]
    assert sorted((w, h) for w, h, _ in placed) == sorted(screen_size(*size) for size in
                                                          [(2400, 1600), (1200, 1800), (1000, 700)])
    for w_px, h_px, ctm in placed:
        dpi, w_mm, h_mm = effective_dpi(w_px, h_px, ctm)
        assert 145 <= dpi <= SCREEN_DPI * 1.01, (w_px, h_px, dpi)
        assert (round(w_mm, 1), round(h_mm, 1)) == tuple(round(v, 1) for v in placed_mm(w_px, h_px))
    found = list(_colour_spaces(reader(photos.screen_path)))
    assert {str(s) for w, s in found if "image" in w} == {"/DeviceRGB"}


def test_photo_sizes_on_screen():
    assert placed_mm(2400, 1600) == (110.0, pytest.approx(73.33, abs=0.01))
    assert placed_mm(1200, 1800) == (pytest.approx(63.33, abs=0.01), pytest.approx(95.0))
    assert screen_size(2400, 1600) == (649, 433)  # 150 ppi over 110 mm
    assert screen_size(1200, 1800) == (374, 561)  # 150 ppi over 95 mm of height
    assert screen_size(500, 300) == (500, 300)  # never enlarged


# --- colours that read -------------------------------------------------------------------------------


def test_every_teinte_s_screen_colours_read_where_they_are_set(content):
    for teinte in content.teintes:
        colours = screen_palette(teinte_colour(content, teinte))
        assert contrast(colours.on_band, colours.band) >= 4.5, teinte.numero
        assert contrast(colours.ink, WHITE) >= 4.5 and contrast(colours.ink, colours.tint) >= 4.5, teinte.numero
        assert colours.band == hex_colour(printed_rgb(teinte_colour(content, teinte)))


def test_the_stylesheet_s_cmyk_becomes_the_rgb_it_prints_as_its_text_readable():
    css = screen_css(".a { color: device-cmyk(0 0 0 0.6); border-top: 0.5pt solid device-cmyk(0 0 0 0.25); }\n"
                     ".b { color: device-cmyk(0 0 0 0); background: device-cmyk(0 0 0 1); }\n"
                     "@page { @top-center { color: device-cmyk(0 0 0 1) } }")
    grey, rule = re.findall(r"#[0-9a-f]{6}", css)[:2]
    assert "device-cmyk" not in css
    assert rule == hex_colour(printed_rgb(schema.Cmyk((0, 0, 0, 25))))  # not text: as printed
    assert contrast(grey, WHITE) >= 4.5 > contrast(hex_colour(printed_rgb(schema.Cmyk((0, 0, 0, 60)))), WHITE)
    assert ".b { color: #ffffff; background: #1e1e20; }" in css
    assert readable_text("#ffff00", "#1e1e20") == "#ffff00" and contrast(readable_text("#ffff00"), WHITE) >= 4.5


# --- its preflight --------------------------------------------------------------------------------------


def test_the_screen_preflight_passes_it_and_fails_the_print_booklet(built):
    assert preflight(built.screen_path, kind="screen", trim=A5).ok
    report = preflight(built.path, kind="screen", trim=A5)
    messages = [f.message for f in report.errors]
    assert {f.check for f in report.errors} == {"ua", "colour", "boxes"}
    assert "the XMP metadata does not declare PDF/UA-1 (pdfuaid:part 1)" in messages
    assert any(m.startswith("the file has no structure tree (/StructTreeRoot)") for m in messages)
    assert "the file is not marked as tagged (/MarkInfo /Marked true)" in messages
    assert any(m.startswith("CMYK colour: ") for m in messages)
    assert "its TrimBox is not its MediaBox: a screen file shows its whole page, without bleed" in messages
    assert "the page is 154.0×216.0 mm (expected 148×210 mm, without bleed)" in messages
    assert SCREEN_CHECKS == {"ua", "colour", "boxes", "fonts", "geometry", "text"}


def test_the_screen_preflight_finds_a_figure_without_alt_text_and_a_missing_language(built, tmp_path):
    writer = PdfWriter(clone_from=str(built.screen_path))
    del writer.root_object["/Lang"]
    figure = next(e for e in structure(writer) if e["/S"] == "/Figure")
    del figure[NameObject("/Alt")]
    broken = tmp_path / "broken-ecran.pdf"
    with broken.open("wb") as out:
        writer.write(out)
    report = preflight(broken, kind="screen", trim=A5, texts=None)
    found = {(f.page, f.message) for f in report.errors}
    page = next(i for i, t in enumerate(page_texts(built.screen_path), 1) if "Le statut rêvé" in t)
    assert (page, "figure 1 of 3 has no alternative text (/Alt)") in found
    assert (None, "the file does not give its language (/Lang): a screen reader would read it with the wrong "
                  "voice") in found
    assert len(found) == 2


def test_nuancier_preflight_knows_a_screen_file_by_its_name(built, runner):
    assert guess_kind(built.screen_path) == "screen" and guess_kind(built.path) == "booklet"
    result = runner.invoke(main, ["preflight", str(built.screen_path), str(built.screen_copies[0])])
    assert result.exit_code == 0, result.output
    assert result.output.count("0 errors, 0 warnings: ready for the screen") == 2


# --- in a build --------------------------------------------------------------------------------------------


def test_a_screen_edition_that_fails_its_preflight_leaves_the_print_files_written(tmp_path, monkeypatch, runner):
    """A layout that paints the screen edition in CMYK: it is refused, the print booklet is still made."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    layer = tmp_path / "layouts" / "booklet-screen.css"
    layer.write_text(layer.read_text(encoding="utf-8") + "\nh1 { color: device-cmyk(1 0 0 0); }\n", encoding="utf-8")
    shutil.copytree(DATA / "mini", tmp_path / "content")
    (tmp_path / "content" / "sessions").mkdir()
    shutil.copy(DATA / "mini-session" / "essai.yaml", tmp_path / "content" / "sessions")
    result = runner.invoke(main, ["build", "--layouts", "layouts"])
    assert result.exit_code == 1
    outputs = result.output + result.stderr
    assert "booklet-essai-ecran.pdf: page 1: CMYK colour: `scn` in a CMYK colour space in the page content" in outputs
    assert re.search(r"written +out/sessions/essai/booklet-essai\.pdf\n", outputs)
    assert re.search(r"not written +out/sessions/essai/booklet-essai-ecran\.pdf \(booklet essai: ", outputs)
    assert (tmp_path / "out" / "sessions" / "essai" / "rejected" / "booklet-essai-ecran.pdf").is_file()
    assert not (tmp_path / "out" / "sessions" / "essai" / "booklet-essai-ecran.pdf").exists()


def test_a_kept_booklet_keeps_its_screen_edition_and_a_damaged_one_is_made_again(tmp_path):
    from nuancier_print.cache import Cache

    content, out = load_content(_session_with_photos(tmp_path)), tmp_path / "out"
    [first] = write_booklets(content, out, per_participant=True, cache=Cache(out / ".cache"))
    [again] = write_booklets(content, out, per_participant=True, cache=Cache(out / ".cache"))
    assert again.reused and again.screen_path == first.screen_path and again.screen_copies == first.screen_copies
    first.screen_path.write_bytes(b"%PDF-1.7 damaged")
    [third] = write_booklets(content, out, per_participant=True, cache=Cache(out / ".cache"))
    assert not third.reused and preflight(third.screen_path, kind="screen", trim=A5).ok
