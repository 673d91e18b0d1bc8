"""End to end: a trainer drives the atelier in a real Chromium.

One module-scoped atelier over a copy of the repository's content; the tests
run in order, as a trainer would work: 1) create a session with 3 teintes
and 12 participants imported from a CSV; 2) add a photo and quotes, save;
3) see the booklet's preview, download its PDF and read its text; 4) change
the file on disk while the page is open, and see the conflict reported.
Only the saves of 1) and 2) build a booklet (3 s to 20 s each here).
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="the atelier needs flask (a dependency of the package)")

from .atelier_util import photo_bytes
from .browser import start_chromium
from .conftest import ROOT

SLUG = "atelier-de-printemps"
TEINTES = ["3.2", "2.2", "5.1"]  # the order they are lived in, after one move with the arrows
PEOPLE = [("Camille Martin", "Direction des lycées", "chargée de mission"),
          ("Karim Benali", "Service des transports scolaires", "chef de service"),
          ("Sophie Lefèvre", "Mission transition écologique", ""),
          ("Thomas Nguyen", "Direction des finances", "contrôleur de gestion"),
          ("Aïcha Diallo", "Direction des ressources humaines", "conseillère formation"),
          ("Julien Moreau", "Direction de la culture", ""),
          ("Élodie Garnier", "Service économie sociale et solidaire", "chargée de projet"),
          ("Mathieu Roux", "Direction du numérique", "développeur"),
          ("Nadia Haddad", "Maison de la Région de Beaulieu", "agente d'accueil"),
          ("Pierre-Yves Le Goff", "Direction des routes", "ingénieur"),
          ("Claire Dubois", "Service de la formation professionnelle", ""),
          ("Bastien Perrin", "Direction de l'agriculture", "chargé d'études")]
WAIT = 120  # seconds a build may take on a busy two-core machine


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("atelier")
    shutil.copytree(ROOT / "content", root / "content")
    return root


@pytest.fixture(scope="module")
def atelier(workspace):
    from werkzeug.serving import make_server

    from nuancier_print.atelier import create_app

    app = create_app(workspace / "content", workspace / "out")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.port}"
    server.shutdown()


@pytest.fixture(scope="module")
def downloads(workspace):
    folder = workspace / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def browser(downloads):
    driver = start_chromium(width=1280, height=1000, downloads=downloads)
    yield driver
    driver.quit()


def _wait(browser, condition, timeout=20, message=""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.2).until(condition, message)


def _css(browser, selector):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, selector)


def _all(browser, selector):
    from selenium.webdriver.common.by import By

    return browser.find_elements(By.CSS_SELECTOR, selector)


def _type(element, text):
    element.clear()
    element.send_keys(text)


def _click(browser, element):
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _session_file(workspace) -> Path:
    return workspace / "content" / "sessions" / f"{SLUG}.yaml"


def _load(workspace):
    from nuancier_print.content import load_content

    return load_content(workspace / "content").sessions[SLUG][1]


def test_1_create_a_session_with_three_teintes_and_twelve_participants_from_a_csv(atelier, browser, workspace):
    _app, base = atelier
    csv = workspace / "participants.csv"
    lines = ["Nom;Service;Fonction"] + [";".join(p) for p in PEOPLE]
    csv.write_bytes("\r\n".join(lines).encode("cp1252"))  # as French Excel exports it
    browser.get(f"{base}/sessions/new")
    assert _css(browser, "h1").text == "Composer une session"
    _type(_css(browser, "#titre"), "Atelier de printemps")
    assert _css(browser, "#slug").get_attribute("value") == SLUG
    _type(_css(browser, "#commanditaire"), "Direction générale des services")
    _type(_css(browser, "#lieu"), "Hôtel de Région, salle Loire")
    _type(_css(browser, "#dates"), "2 avril 2026\n3 avril 2026")
    _type(_css(browser, "#formateurs"), "Lucie Fontaine ; coopérative Les Communs d'abord")
    for numero in ("2.2", "3.2", "5.1"):
        _click(browser, _css(browser, f'[data-swatch="{numero}"]'))
    assert [li.get_attribute("data-numero") for li in _all(browser, "#chosen li[data-numero]")] == ["2.2", "3.2", "5.1"]
    _click(browser, _css(browser, '#chosen li[data-numero="3.2"] [data-move="-1"]'))
    _type(_css(browser, "#programme-0-titre"), "Jour 1 — jeudi 2 avril 2026")
    _type(_css(browser, "#programme-0-texte"), "9 h 30 – Accueil\n10 h – Idéation")
    _css(browser, "#participants_file").send_keys(str(csv))
    _click(browser, _css(browser, "#import"))
    _wait(browser, lambda b: "12 participants importés" in b.page_source, message="the import was not confirmed")
    assert not _session_file(workspace).exists(), "an import must not write the file"
    assert [li.get_attribute("data-numero") for li in _all(browser, "#chosen li[data-numero]")] == TEINTES
    pasted = _css(browser, "#participants").get_attribute("value").splitlines()
    assert len(pasted) == 12 and pasted[0] == "Camille Martin ; Direction des lycées ; chargée de mission"
    _click(browser, _css(browser, "#save"))
    _wait(browser, lambda b: "Enregistré" in b.page_source, message="the save was not confirmed")
    session = _load(workspace)
    assert [str(v.numero) for v in session.teintes] == TEINTES
    assert len(session.participants) == 12
    assert session.participants[4].nom == "Aïcha Diallo" and session.participants[4].role == "conseillère formation"
    text = _session_file(workspace).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/session.schema.json")
    assert "\nparticipants:\n  - nom: Camille Martin\n    service: Direction des lycées\n" in text


def test_2_add_a_photo_and_quotes_then_save(atelier, browser, workspace):
    app, base = atelier
    photo = workspace / "Mur d'idées.jpg"
    photo.write_bytes(photo_bytes(1500, 1000))
    app.extensions["atelier"].builder.wait(SLUG, WAIT)  # the first save's build
    browser.get(f"{base}/sessions/{SLUG}/after")
    assert _css(browser, "h1").text == "Après la session"
    assert [s.get_attribute("data-teinte") for s in _all(browser, "[data-teinte]")] == TEINTES
    _type(_css(browser, "#mise-0-0-titre"), "Cent idées en vingt minutes")
    _type(_css(browser, "#mise-0-0-description"), "Trois tours de cinq minutes.\n\nPuis un vote avec des gommettes.")
    _css(browser, "#mise-0-0-photo").send_keys(str(photo))
    _type(_css(browser, "#mise-0-0-legende"), "Le mur des idées, avant le vote.")
    _type(_css(browser, "#citation-0-0-texte"), "On s'autorise plus d'idées quand on ne doit pas les défendre.")
    from selenium.webdriver.support.ui import Select

    Select(_css(browser, "#citation-0-0-auteur")).select_by_visible_text("Aïcha Diallo")
    _type(_css(browser, "#citation-2-0-texte"), "Le plus dur a été de me taire pendant le test.")
    _click(browser, _css(browser, "#save"))
    _wait(browser, lambda b: "Enregistré" in b.page_source, message="the save was not confirmed")
    vecue = _load(workspace).teintes[0]
    mise = vecue.mises_en_situation[0]
    assert mise.photo == f"{SLUG}/mur-d-idees.jpg" and mise.description[1] == "Puis un vote avec des gommettes."
    assert (workspace / "content" / "sessions" / SLUG / "mur-d-idees.jpg").read_bytes() == photo.read_bytes()
    assert vecue.lecture_critique[0].auteur == "Aïcha Diallo"
    assert _load(workspace).teintes[2].lecture_critique[0].auteur is None
    assert _all(browser, f'img[src*="/photos/{SLUG}/mur-d-idees.jpg"]'), "the saved photo is not shown"


def test_3_preview_the_booklet_and_download_its_pdf(atelier, browser, workspace, downloads):
    _app, base = atelier
    browser.get(f"{base}/sessions/{SLUG}/preview")
    _wait(browser, lambda b: _css(b, "#job-summary").text in ("Fabriqué.", "La fabrication a échoué.")
          and (_all(b, "#pages img") or "échoué" in _css(b, "#job-summary").text), WAIT, "the build did not finish")
    assert _css(browser, "#job-summary").text == "Fabriqué.", _css(browser, "#build").text
    assert "Kit d’atelier" in _css(browser, "#kit").text and _css(browser, "#build-kit").is_enabled()
    images = _all(browser, "#pages img")
    assert len(images) % 4 == 0 and len(images) >= 8
    _wait(browser, lambda b: all(b.execute_script("return arguments[0].naturalWidth", i) > 100 for i in images),
          message="the page previews did not load")
    _click(browser, _css(browser, "#download-booklet"))
    target = downloads / f"booklet-{SLUG}.pdf"
    _wait(browser, lambda b: target.is_file() and not list(downloads.glob("*.crdownload")), 60,
          "the booklet was not downloaded")
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    flat = " ".join(text.split())
    for expected in ("Atelier de printemps", "Cent idées en vingt minutes", "Aïcha Diallo"):
        assert expected in flat, expected
    assert len(images) == len(PdfReader(target).pages)
    assert "12 exemplaires personnels" in _css(browser, "#download-copies").text


def test_3b_prepare_the_workshop_kit(atelier, browser, workspace, downloads):
    _app, base = atelier
    browser.get(f"{base}/sessions/{SLUG}/preview")
    copies = _css(browser, "#kit-copies")
    copies.clear()
    copies.send_keys("2")
    _click(browser, _css(browser, "#build-kit"))
    _wait(browser, lambda b: len(_all(b, "#kit .kit-sheet img")) == 2, WAIT, "the kit's first sheet was not shown")
    _click(browser, _css(browser, "#download-kit-sheets"))
    target = downloads / f"kit-{SLUG}-A4.pdf"
    _wait(browser, lambda b: target.is_file() and not list(downloads.glob("*.crdownload")), 60,
          "the kit was not downloaded")
    from pypdf import PdfReader

    assert "retournement sur le bord long" in PdfReader(target).pages[0].extract_text()


def test_4_a_change_on_disk_while_the_page_is_open_is_reported(atelier, browser, workspace):
    _app, base = atelier
    browser.get(f"{base}/sessions/{SLUG}/compose")
    _type(_css(browser, "#lieu"), "Salle modifiée dans le navigateur")
    path = _session_file(workspace)
    by_hand = path.read_text(encoding="utf-8").replace("lieu: Hôtel de Région, salle Loire",
                                                      "lieu: Salle Garonne  # changé à la main")
    time.sleep(0.5)
    path.write_text(by_hand, encoding="utf-8")
    _wait(browser, lambda b: _css(b, "#disk-changed").is_displayed(), 15, "the change on disk was not noticed")
    assert "vient d’être modifié sur le disque" in _css(browser, "#disk-changed").text
    _click(browser, _css(browser, "#save"))
    _wait(browser, lambda b: _all(b, "#conflict"), message="the conflict was not reported")
    assert "Rien n’a été enregistré" in _css(browser, "#conflict").text
    assert path.read_text(encoding="utf-8") == by_hand, "the file changed by hand was overwritten"
    assert _css(browser, "#lieu").get_attribute("value") == "Salle modifiée dans le navigateur"
    _click(browser, _css(browser, "#conflict a"))  # reload from disk
    _wait(browser, lambda b: _css(b, "#lieu").get_attribute("value") == "Salle Garonne")
