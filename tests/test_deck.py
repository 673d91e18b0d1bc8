"""The card deck as a user gets it: pages, boxes, numbers, titles, fonts, marks."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from nuancier_print.build import BuildOptions, build
from nuancier_print.fonts import FACES, FONTS_DIR

from .conftest import DATA
from .pdfutil import box_mm, font_program, fonts, page_texts, reader, size_mm


@pytest.fixture(scope="module")
def mini_deck(tmp_path_factory) -> Path:
    """Build the mini content's deck once for this module."""
    root = tmp_path_factory.mktemp("deck")
    shutil.copytree(DATA / "mini", root / "content")
    result = build(BuildOptions(content=root / "content", out=root / "out", verbose=True))
    assert (root / "out" / "deck.pdf") in result.written
    return root / "out" / "deck.pdf"


def test_two_pages_per_card(mini_deck):
    # cover + 2 dividers + 3 teintes + closing = 7 cards
    assert len(reader(mini_deck).pages) == 2 * 7


def test_every_page_has_dl_trim_and_3mm_bleed(mini_deck):
    for page in reader(mini_deck).pages:
        assert size_mm(page.trimbox) == (99.0, 210.0)
        trim, bleed = box_mm(page.trimbox), box_mm(page.bleedbox)
        assert [round(b - t, 2) for b, t in zip(bleed, trim)] == [-3.0, -3.0, 3.0, 3.0]


def test_each_number_is_on_exactly_its_two_faces(mini_deck):
    texts = page_texts(mini_deck)
    for number, recto in (("1.1", 4), ("1.2", 6), ("2.1", 10)):
        pages = [i for i, text in enumerate(texts) if f"N° {number}" in text]
        assert pages == [recto, recto + 1], (number, pages)


def test_each_title_is_on_its_recto(mini_deck):
    texts = page_texts(mini_deck)
    for title, recto in (("Première teinte", 4), ("Deuxième teinte", 6), ("Troisième teinte", 10)):
        assert title in texts[recto]


def test_deck_order_cover_dividers_closing(mini_deck):
    texts = page_texts(mini_deck)
    assert "Nuancier de test" in texts[0] and "Mode d’emploi" in texts[1]
    assert "Première famille" in texts[2] and "Qui innove ?" in texts[3]
    assert "Deuxième famille" in texts[8]
    assert "Quelques conseils" in texts[12] and "Licence d’essai" in texts[13]


def test_every_item_reaches_the_page(mini_deck):
    texts = page_texts(mini_deck)
    recto, verso = texts[4], texts[5]
    assert "Un livre, 2015, éd. Exemple." in recto and "www.example.org/livre" in recto
    assert "http://" not in recto
    for text in ("innovation", "conception", "Dépasser l’injonction à l’innovation", "Connaître les méthodes",
                 "Curiosité", "Un contenu", "« Un module »", "Module en ligne", "Une étape", "tous publics",
                 "Des enseignants"):
        assert text in verso, text


def test_missing_sections_are_left_out(mini_deck):
    verso = page_texts(mini_deck)[11]  # teinte 2.1 has only finalités
    assert "FINALITÉS" in verso.upper()
    for absent in ("CHAMP LEXICAL", "SAVOIR-ÊTRE", "EXEMPLE DE MODULE", "RESSOURCES"):
        assert absent not in verso.upper()


def test_unfinished_places_are_marked(mini_deck):
    texts = page_texts(mini_deck)
    assert "à compléter" in texts[6]  # 1.2 ressources
    assert "à compléter" in texts[7]  # 1.2 module without a title
    assert "à compléter" not in texts[4] + texts[5]


def test_urls_are_clickable_links(mini_deck):
    page = reader(mini_deck).pages[4]
    uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
    assert "http://www.example.org/livre/" in uris


def _bundled_font_names() -> set[str]:
    names = set()
    for face in FACES:
        with TTFont(FONTS_DIR / face.file) as font:
            names.add(font["name"].getDebugName(6))  # PostScript name
    return names


def test_all_fonts_are_embedded_and_bundled(mini_deck):
    bundled = _bundled_font_names()
    used = fonts(mini_deck)
    assert used
    for base_font, font in used.items():
        program = font_program(font)
        assert program, f"{base_font} is not embedded"
        with TTFont(io.BytesIO(program)) as embedded:
            assert embedded["name"].getDebugName(6) in bundled, base_font


def test_crop_marks_grow_the_media_but_not_the_boxes(tmp_path):
    shutil.copytree(DATA / "mini", tmp_path / "content")
    build(BuildOptions(content=tmp_path / "content", out=tmp_path / "out", marks=True))
    page = reader(tmp_path / "out" / "deck.pdf").pages[0]
    assert size_mm(page.trimbox) == (99.0, 210.0)
    assert size_mm(page.mediabox) == (99.0 + 2 * 9.0, 210.0 + 2 * 9.0)
    contents = page.get_contents().get_data().decode("latin-1")
    assert "1 1 1 1 K" in contents  # registration colour: the marks print on every plate
    assert not re.search(r"\b(rg|RG)\b", contents)


def test_a6_preset(tmp_path):
    shutil.copytree(DATA / "mini", tmp_path / "content")
    path = tmp_path / "content" / "nuancier.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("taille: DL", "taille: A6"), encoding="utf-8")
    build(BuildOptions(content=tmp_path / "content", out=tmp_path / "out"))
    pages = reader(tmp_path / "out" / "deck.pdf").pages
    assert len(pages) == 14
    assert {size_mm(p.trimbox) for p in pages} == {(105.0, 148.0)}
    assert {size_mm(p.bleedbox) for p in pages} == {(111.0, 154.0)}


def test_a_famille_with_many_teintes_gets_a_range_on_its_divider(tmp_path):
    shutil.copytree(DATA / "mini", tmp_path / "content")
    teintes = tmp_path / "content" / "teintes"
    for rang in range(2, 15):
        (teintes / f"2-{rang}-t.yaml").write_text(f"numero: 2.{rang}\ntitre: Teinte {rang}\n", encoding="utf-8")
    build(BuildOptions(content=tmp_path / "content", out=tmp_path / "out", sheets=False))
    texts = page_texts(tmp_path / "out" / "deck.pdf")
    dividers = [t for t in texts if "14 teintes, de 2.1 à 2.14" in t]
    assert len(dividers) == 1 and "Deuxième famille" in dividers[0]
    assert sum("N° 2.14" in t for t in texts) == 2  # the teinte itself still has its two faces


def _outline(path: Path) -> list[tuple[int, str, int]]:
    """Return (depth, title, page number) of every bookmark, in order."""
    deck = reader(path)
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, deck.get_destination_page_number(item) + 1))

    walk(deck.outline, 0)
    return found


def test_bookmarks_name_each_famille_and_each_teinte_at_its_recto(mini_deck):
    from nuancier_print.content import load_content

    content = load_content(DATA / "mini")
    outline = _outline(mini_deck)
    texts = page_texts(mini_deck)
    teintes = [(depth, title, page) for depth, title, page in outline if depth == 1]
    assert [title.split(" · ")[0] for _, title, _ in teintes] == [t.numero for t in content.teintes]
    for _, title, page in teintes:
        assert f"N° {title.split(' · ')[0]}" in texts[page - 1] and page % 2 == 1  # a recto
    familles = [title for depth, title, _ in outline if depth == 0 and title.startswith("Famille ")]
    assert familles == [f"Famille {f.numero} · {f.titre}" for f in content.familles]
    assert outline[0][2] == 1 and outline[-1][1].startswith("Quelques conseils")
