"""The atelier's nuancier screen (search, a teinte in HTML, links into the PDF), its downloads, and where it listens."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

pytest.importorskip("flask", reason="the atelier needs flask (a dependency of the package)")

from pypdf import PdfReader

from nuancier_print.atelier import create_app
from nuancier_print.build import BuildOptions, build
from nuancier_print.cli import main

from .atelier_util import write_session


@pytest.fixture
def built(mini, tmp_path):
    """The mini content with a session of two participants, built with its personal copies."""
    write_session(mini)
    build(BuildOptions(content=mini, out=tmp_path / "out", sheets=False, per_participant=True))
    return create_app(mini, tmp_path / "out", auto_build=False, language="fr").test_client()


def _shown(html: str) -> list[str]:
    """Return the titles of the teinte cards the nuancier page shows (not hidden)."""
    cards = re.findall(r'<article class="card" [^>]*>.*?</article>', html, re.S)
    return [re.search(r'<a class="title"[^>]*>(.*?)</a>', card, re.S).group(1) for card in cards
            if not card.split(">", 1)[0].endswith(" hidden")]


def test_the_search_keeps_the_cards_whose_text_holds_the_words_accents_and_case_aside(built):
    everything = _shown(built.get("/nuancier").get_data(as_text=True))
    assert len(everything) == 3
    found = _shown(built.get("/nuancier?q=DEUXIEME").get_data(as_text=True))  # « Deuxième teinte »
    assert len(found) == 1 and "Deuxième" in found[0]
    nothing = built.get("/nuancier?q=introuvablezzz").get_data(as_text=True)
    assert _shown(nothing) == [] and 'id="search-none" hidden' not in nothing


def test_a_teinte_reads_in_html_and_links_to_its_page_of_the_deck(built, tmp_path):
    html = built.get("/nuancier/1.2").get_data(as_text=True)
    assert "Deuxième teinte" in html
    page = int(re.search(r'deck\.pdf#page=(\d+)', html).group(1))
    deck = PdfReader(tmp_path / "out" / "deck.pdf")
    assert "Deuxième teinte" in deck.pages[page - 1].extract_text()  # the link opens the card's recto
    assert built.get("/deck.pdf").mimetype == "application/pdf"
    listing = built.get("/nuancier").get_data(as_text=True)
    assert listing.count("deck.pdf#page=") >= 3 + 2  # every teinte and every famille


def test_the_screen_edition_and_every_copy_can_be_downloaded(built):
    page = built.get("/sessions/essai/preview").get_data(as_text=True)
    assert 'id="download-ecran"' in page and 'id="download-copies"' in page and 'id="download-copies-ecran"' in page
    ecran = built.get("/sessions/essai/download/ecran.pdf")
    assert ecran.status_code == 200 and ecran.mimetype == "application/pdf"
    assert "Session d’essai" in PdfReader(io.BytesIO(ecran.data)).pages[0].extract_text()
    for kind, suffix in (("copies.zip", ".pdf"), ("copies-ecran.zip", "-ecran.pdf")):
        answer = built.get(f"/sessions/essai/download/{kind}")
        assert answer.status_code == 200 and answer.mimetype == "application/zip"
        names = sorted(zipfile.ZipFile(io.BytesIO(answer.data)).namelist())
        assert names == sorted(f"booklet-essai-{person}{suffix}" for person in ("camille-martin", "karim-benali"))


def test_nothing_is_offered_before_it_is_built(mini, tmp_path):
    write_session(mini)
    client = create_app(mini, tmp_path / "out", auto_build=False, language="fr").test_client()
    page = client.get("/sessions/essai/preview").get_data(as_text=True)
    assert "download-ecran" not in page and "download-copies-ecran" not in page
    assert client.get("/sessions/essai/download/ecran.pdf").status_code == 404
    assert client.get("/sessions/essai/download/copies-ecran.zip").status_code == 404


def test_serve_listens_on_the_loopback_address_unless_told_otherwise():
    [host] = [param for param in main.commands["serve"].params if param.name == "host"]
    assert host.default == "127.0.0.1"
