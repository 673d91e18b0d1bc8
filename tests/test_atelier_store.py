"""The atelier's files: written as a person would (comments kept), validated like the CLI, never
overwritten blindly; participants read from pastes, CSV and XLSX."""

from __future__ import annotations

import io
import re

import pytest

pytest.importorskip("flask", reason="the atelier needs flask (a dependency of the package)")

from nuancier_print.atelier import create_app, people, yamlwrite
from nuancier_print.content import load_content

from .atelier_util import SESSION, digest_of_page, token_of, write_session


@pytest.fixture
def client(mini, tmp_path):
    write_session(mini)
    return create_app(mini, tmp_path / "out", auto_build=False, language="fr").test_client()


def _form(client, **extra) -> dict:
    html = client.get("/sessions/essai/compose").get_data(as_text=True)
    form = {"csrf_token": token_of(client, "/sessions/essai/compose"), "base": digest_of_page(html),
            "titre": "Session d'essai", "commanditaire": "DRH", "lieu": "Salle B",
            "dates": "12 mars 2026", "formateurs": "Lucie Fontaine ; coopérative",
            "participants": "Camille Martin ; Direction des lycées\nKarim Benali",
            "teinte": ["1.1", "2.1"], "action": "save"}
    form.update(extra)
    return form


def test_an_unchanged_save_leaves_the_file_as_it_was(client, mini):
    before = (mini / "sessions" / "essai.yaml").read_text(encoding="utf-8")
    assert client.post("/sessions/essai/compose", data=_form(client)).status_code == 303
    assert (mini / "sessions" / "essai.yaml").read_text(encoding="utf-8") == before


def test_a_save_keeps_the_comments_and_changes_only_what_changed(client, mini):
    form = _form(client, lieu="Salle C : la petite", teinte=["2.1", "1.1"],
                 participants="Camille Martin ; Direction des lycées ; cheffe de projet\nKarim Benali\nZoé Nouvelle")
    assert client.post("/sessions/essai/compose", data=form).status_code == 303
    text = (mini / "sessions" / "essai.yaml").read_text(encoding="utf-8")
    assert "# Une session écrite à la main : ce commentaire doit survivre aux enregistrements." in text
    assert re.search(r'\nlieu: "Salle C : la petite" +# la grande salle\n', text)
    assert "    role: cheffe de projet\n  - Karim Benali\n  - nom: Zoé Nouvelle\n" in text
    session = load_content(mini).sessions["essai"][1]
    assert [str(t.numero) for t in session.teintes] == ["2.1", "1.1"]
    assert session.teintes[1].lecture_critique[0].texte == "Une première citation."  # carried with its teinte


def test_a_stale_form_is_a_conflict_and_writes_nothing(client, mini):
    form = _form(client, lieu="Depuis le navigateur")
    path = mini / "sessions" / "essai.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Salle B", "Salle D"), encoding="utf-8")
    by_hand = path.read_bytes()
    response = client.post("/sessions/essai/compose", data=form)
    assert response.status_code == 409
    assert "Rien n’a été enregistré" in response.get_data(as_text=True)
    assert path.read_bytes() == by_hand
    form["action"], form["disk"] = "overwrite", digest_of_page(client.get("/sessions/essai/compose").get_data(
        as_text=True))
    assert client.post("/sessions/essai/compose", data=form).status_code == 303  # a choice, made knowingly
    assert "lieu: Depuis le navigateur" in path.read_text(encoding="utf-8")


def test_problems_are_shown_next_to_their_fields(client, mini):
    before = (mini / "sessions" / "essai.yaml").read_bytes()
    form = _form(client, titre="", participants="Camille Martin\n ; Direction sans nom\nCamille Martin",
                 formateurs="Lucie Fontaine")
    html = client.post("/sessions/essai/compose", data=form).get_data(as_text=True)
    assert '<p class="field-error" data-field="titre">Ce champ est obligatoire.</p>' in html
    assert '<p class="field-error" data-field="participants">Ligne 2\u00a0: le nom manque.</p>' in html
    form = _form(client, participants="Camille Martin\nCamille Martin")
    response = client.post("/sessions/essai/compose", data=form)
    assert response.status_code == 400
    assert 'data-field="participants">Ligne 2\u00a0: Camille Martin figure deux fois' in response.get_data(as_text=True)
    assert (mini / "sessions" / "essai.yaml").read_bytes() == before


def test_a_file_with_errors_is_listed_and_never_rewritten(client, mini):
    path = write_session(mini, text=SESSION.replace("lieu: Salle B", "lieu: [Salle B"))
    before = path.read_bytes()
    html = client.get("/sessions/essai/compose").get_data(as_text=True)
    assert "ne peut pas être lu" in html and "essai.yaml:" in html
    response = client.post("/sessions/essai/compose", data={**_form_without_page(client), "base": "x"})
    assert response.status_code == 409
    assert path.read_bytes() == before


def _form_without_page(client) -> dict:
    return {"csrf_token": token_of(client), "titre": "x", "commanditaire": "x", "lieu": "x", "dates": "x",
            "formateurs": "x", "teinte": ["1.1"], "action": "save"}


def test_a_new_session_is_written_as_a_person_would(client, mini):
    response = client.post("/sessions/new", data={**_form_without_page(client), "titre": "Printemps 2026",
                                                  "slug": "", "participants": "Ana ; DRH ; RH"})
    assert response.status_code == 303
    text = (mini / "sessions" / "printemps-2026.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/session.schema.json\n")
    assert "\nteintes:\n  - numero: 1.1\n" in text
    assert "\nparticipants:\n  - nom: Ana\n    service: DRH\n    role: RH\n" in text
    assert load_content(mini).sessions["printemps-2026"][1].participants[0].role == "RH"


def test_a_low_resolution_photo_is_refused_by_the_clis_check(client, mini):
    from .atelier_util import photo_bytes

    html = client.get("/sessions/essai/after").get_data(as_text=True)
    form = {"csrf_token": token_of(client, "/sessions/essai/after"), "base": digest_of_page(html),
            "numero": ["1.1", "2.1"], "mise-0-0-titre": "Petite photo",
            "mise-0-0-photo": (io.BytesIO(photo_bytes(400, 300)), "petite.jpg")}
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'data-field="mise-0-0">`essai/petite.jpg` fait 400 pixels de large' in response.get_data(as_text=True)
    assert not (mini / "sessions" / "essai").exists()


def test_the_alt_text_is_shown_in_its_field_saved_and_dropped_with_its_photo(client, mini):
    from .atelier_util import photo_bytes

    (mini / "sessions" / "essai").mkdir()
    (mini / "sessions" / "essai" / "mur.jpg").write_bytes(photo_bytes())
    write_session(mini, text=SESSION.replace(
        "  - numero: 1.1\n", "  - numero: 1.1\n    mises_en_situation:\n      - titre: Le mur\n"
        "        photo: essai/mur.jpg\n        alt: Un mur couvert de post-it orange.\n", 1))
    html = client.get("/sessions/essai/after").get_data(as_text=True)
    assert ">Un mur couvert de post-it orange.</textarea>" in html  # written by hand, shown in its field
    form = {"csrf_token": token_of(client, "/sessions/essai/after"), "base": digest_of_page(html),
            "numero": ["1.1", "2.1"], "mise-0-0-titre": "Le mur", "mise-0-0-photo-keep": "essai/mur.jpg",
            "mise-0-0-legende": "Le mur, avant le vote.", "mise-0-0-alt": "Un mur de post-it orange et bleus."}
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    mise = load_content(mini).sessions["essai"][1].teintes[0].mises_en_situation[0]
    assert (mise.legende, mise.alt) == ("Le mur, avant le vote.", "Un mur de post-it orange et bleus.")

    html = client.get("/sessions/essai/after").get_data(as_text=True)  # another photo, the field left as it was
    form.update({"csrf_token": token_of(client, "/sessions/essai/after"), "base": digest_of_page(html),
                 "mise-0-0-photo": (io.BytesIO(photo_bytes(1500, 1000)), "autre.jpg")})
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    mise = load_content(mini).sessions["essai"][1].teintes[0].mises_en_situation[0]
    assert mise.photo != "essai/mur.jpg" and mise.alt is None  # it described the photo replaced

    html = client.get("/sessions/essai/after").get_data(as_text=True)
    form.pop("mise-0-0-photo")
    form.update({"csrf_token": token_of(client, "/sessions/essai/after"), "base": digest_of_page(html),
                 "mise-0-0-photo-keep": mise.photo, "mise-0-0-photo-remove": "1"})
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    mise = load_content(mini).sessions["essai"][1].teintes[0].mises_en_situation[0]
    assert (mise.photo, mise.alt) == (None, None)


def test_yamlwrite_keeps_a_teintes_number_as_written():
    text = "titre: T\nteintes:\n  - numero: 1.10  # the tenth\n"
    data = {"titre": "T", "teintes": [{"numero": "1.10"}, {"numero": "2.1"}]}
    assert yamlwrite.merge(text, data) == "titre: T\nteintes:\n  - numero: 1.10  # the tenth\n  - numero: 2.1\n"


def test_a_french_excel_csv_with_first_and_last_names():
    data = "Prénom;Nom;Direction;Fonction\r\nÉlodie;Garnier;ESS;chargée\r\n;;;\r\nKarim;Benali;;\r\n".encode("cp1252")
    found = people.people_from_rows(people.read_table("liste.csv", data))
    assert found == [people.Person("Élodie Garnier", "ESS", "chargée"), people.Person("Karim Benali")]


def test_an_xlsx_workbook_without_a_header():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Camille Martin", "Direction des lycées", "cheffe de projet"])
    book.active.append(["Karim Benali", None, None])
    out = io.BytesIO()
    book.save(out)
    found = people.people_from_rows(people.read_table("liste.xlsx", out.getvalue()))
    assert found == [people.Person("Camille Martin", "Direction des lycées", "cheffe de projet"),
                     people.Person("Karim Benali")]


@pytest.mark.parametrize("name, data", [("liste.xlsx", b"PK\x03\x04 not really a zip"),
                                        ("liste.xlsx", b"plain text named .xlsx"),
                                        ("liste.csv", b"\x00\x01\x02binary")])
def test_a_file_that_is_not_a_table_is_explained(name, data):
    with pytest.raises(people.ImportProblem):
        people.read_table(name, data)
