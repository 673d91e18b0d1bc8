"""The atelier prepares a session's workshop kit: copies and sheet chosen, first sheet shown, both files offered."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("flask", reason="the atelier needs flask (a dependency of the package)")

from pypdf import PdfReader

from nuancier_print.atelier import create_app
from nuancier_print.atelier.jobs import kit_key

from .atelier_util import token_of, write_session


@pytest.fixture
def app(mini, tmp_path):
    write_session(mini)
    return create_app(mini, tmp_path / "out", auto_build=False, language="fr")


def test_a_kit_is_built_with_the_copies_and_sheet_chosen_and_offered(app):
    client = app.test_client()
    page = client.get("/sessions/essai/preview").get_data(as_text=True)
    assert "Kit d’atelier" in page and 'id="build-kit"' in page and "download-kit-sheets" not in page
    token = token_of(client, "/sessions/essai/preview")
    answer = client.post("/sessions/essai/kit", data={"csrf_token": token, "copies": "3", "sheet": "A4"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/sessions/essai/preview#kit")
    job = app.extensions["atelier"].builder.wait(kit_key("essai"), 240)
    assert job.state == "done", job.lines
    page = client.get("/sessions/essai/preview").get_data(as_text=True)
    assert 'value="3"' in page and '<option value="A4" selected>' in page
    images = [part.split('"')[0] for part in page.split('src="')[1:] if "/kit/" in part.split('"')[0]]
    assert len(images) == 2  # the first sheet, front and back
    assert all(client.get(url).mimetype == "image/png" for url in images)
    sheets = client.get("/sessions/essai/download/kit-sheets.pdf")
    assert sheets.status_code == 200 and sheets.mimetype == "application/pdf"
    assert "kit-essai-A4.pdf" in sheets.headers["Content-Disposition"]
    deck = PdfReader(io.BytesIO(client.get("/sessions/essai/download/kit.pdf").data))
    texts = [" ".join(page.extract_text().split()) for page in deck.pages]  # « table 1/3 » has a no-break space
    per_copy = len(texts) // 3  # the cover, famille 1's divider, 1.1, famille 2's divider, 2.1, closing: twice each
    assert per_copy == 12 and len(texts) == 36
    assert all("table 1/3" in t for t in texts[:per_copy]) and all("table 3/3" in t for t in texts[-per_copy:])


def test_a_kit_outside_the_choices_is_refused(app):
    client = app.test_client()
    token = token_of(client, "/sessions/essai/preview")
    for form in ({"copies": "0", "sheet": "A4"}, {"copies": "51", "sheet": "A4"}, {"copies": "x", "sheet": "A4"},
                 {"copies": "2", "sheet": "A0"}):
        answer = client.post("/sessions/essai/kit", data={"csrf_token": token, **form})
        assert answer.status_code == 400, form
    assert app.extensions["atelier"].builder.job(kit_key("essai")) is None


def test_a_kit_not_built_yet_is_not_offered_for_download(app):
    client = app.test_client()
    assert client.get("/sessions/essai/download/kit.pdf").status_code == 404
    assert client.get("/sessions/essai/download/kit-sheets.pdf").status_code == 404
    assert client.get("/jobs/essai~kit.json").get_json()["state"] == "none"
    assert client.get("/jobs/..~kit.json").status_code in (400, 404)
