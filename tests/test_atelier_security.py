"""The atelier refuses what it must: POSTs without their CSRF token, slugs and names that would
leave content/sessions/, oversized uploads, uploads that are not images, and foreign host names."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("flask", reason="the atelier needs flask (a dependency of the package)")

from nuancier_print.atelier import create_app

from .atelier_util import digest_of_page, photo_bytes, token_of, write_session


@pytest.fixture
def app(mini, tmp_path):
    write_session(mini)
    return create_app(mini, tmp_path / "out", auto_build=False, language="fr")


@pytest.fixture
def client(app):
    return app.test_client()


def _tree(folder) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _compose_form(client, **extra) -> dict:
    html = client.get("/sessions/essai/compose").get_data(as_text=True)
    form = {"base": digest_of_page(html), "titre": "Nouveau titre", "commanditaire": "DRH", "lieu": "Salle B",
            "dates": "12 mars 2026", "formateurs": "Lucie Fontaine ; coopérative",
            "participants": "Camille Martin", "teinte": ["1.1"], "action": "save"}
    form.update(extra)
    return form


def test_a_post_without_the_csrf_token_is_refused(client, mini):
    before = _tree(mini)
    response = client.post("/sessions/essai/compose", data=_compose_form(client))
    assert response.status_code == 400
    assert "jeton de sécurité" in response.get_data(as_text=True)
    assert _tree(mini) == before


def test_a_post_with_another_csrf_token_is_refused(client, mini):
    token_of(client)
    before = _tree(mini)
    response = client.post("/sessions/essai/compose", data=_compose_form(client, csrf_token="forged"))
    assert response.status_code == 403
    assert _tree(mini) == before


def test_every_post_route_wants_the_token(app, client):
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 5
    for rule in posts:
        url = rule.rule.replace("<slug>", "essai")
        assert client.post(url, data={"titre": "x"}).status_code == 400, url


def test_the_same_form_with_its_token_is_saved(client, mini):
    token = token_of(client)
    response = client.post("/sessions/essai/compose", data=_compose_form(client, csrf_token=token))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "titre: Nouveau titre" in (mini / "sessions" / "essai.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", ["../../evil", "../nuancier", "a/b", "..", ".hidden", "évil\\x"])
def test_a_slug_that_tries_to_leave_the_sessions_folder_is_refused(client, mini, tmp_path, slug):
    token = token_of(client)
    before = _tree(tmp_path)
    response = client.post("/sessions/new", data={
        "csrf_token": token, "slug": slug, "titre": "Évasion", "commanditaire": "x", "lieu": "y",
        "dates": "1 mars 2026", "formateurs": "A", "teinte": ["1.1"], "action": "save"})
    assert response.status_code == 400
    assert "lettres, des chiffres et des tirets" in response.get_data(as_text=True)
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("url", ["/sessions/..%2F..%2Fnuancier/compose", "/sessions/..%2Fessai/after",
                                 "/sessions/ESSAI/compose", "/sessions/essai/photos/..%2F..%2Fnuancier.yaml",
                                 "/sessions/essai/photos/../../nuancier.yaml", "/jobs/..%2Fx.json",
                                 "/sessions/..%2F..%2Fetc/state.json"])
def test_paths_out_of_the_sessions_folder_are_not_found(client, url):
    assert client.get(url).status_code == 404


def _after_form(client, **extra) -> dict:
    html = client.get("/sessions/essai/after").get_data(as_text=True)
    form = {"csrf_token": token_of(client, "/sessions/essai/after"), "base": digest_of_page(html),
            "numero": ["1.1", "2.1"], "action": "save", "mise-0-0-titre": "Une mise en situation"}
    form.update(extra)
    return form


def test_an_oversized_upload_is_refused(client, mini):
    before = _tree(mini)
    form = _after_form(client)
    form["mise-0-0-photo"] = (io.BytesIO(b"\xff" * (41 * 1024 * 1024)), "enorme.jpg")
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "trop lourd" in response.get_data(as_text=True)
    assert _tree(mini) == before


def test_a_photo_over_its_own_limit_is_refused(client, mini):
    before = _tree(mini)
    form = _after_form(client)
    form["mise-0-0-photo"] = (io.BytesIO(photo_bytes() + b"\0" * (16 * 1024 * 1024)), "lourde.jpg")
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "dépasse 15" in response.get_data(as_text=True)
    assert _tree(mini) == before


@pytest.mark.parametrize("name, data", [
    ("photo.jpg", b"this is not a photo, only text with a .jpg name"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 200),  # a PNG signature and nothing that decodes
    ("script.jpg", b"<script>alert(1)</script>"),
])
def test_an_upload_that_is_not_an_image_is_refused(client, mini, name, data):
    before = _tree(mini)
    form = _after_form(client)
    form["mise-0-0-photo"] = (io.BytesIO(data), name)
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "pas une image lisible" in response.get_data(as_text=True)
    assert _tree(mini) == before


def test_a_gif_is_refused_even_though_it_decodes(client, mini):
    before = _tree(mini)
    form = _after_form(client)
    form["mise-0-0-photo"] = (io.BytesIO(photo_bytes(fmt="GIF")), "anime.jpg")
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "pas une photo JPEG ou PNG" in response.get_data(as_text=True)
    assert _tree(mini) == before


def test_an_uploaded_photo_gets_a_safe_name_inside_the_session_folder(client, mini):
    form = _after_form(client)
    form["mise-0-0-photo"] = (io.BytesIO(photo_bytes()), "../../Photo de groupe <b>.JPG")
    response = client.post("/sessions/essai/after", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert [p.name for p in (mini / "sessions" / "essai").iterdir()] == ["photo-de-groupe-b.jpg"]
    assert "photo: essai/photo-de-groupe-b.jpg" in (mini / "sessions" / "essai.yaml").read_text(encoding="utf-8")


def test_a_foreign_host_name_is_refused(client):
    assert client.get("/nuancier", headers={"Host": "evil.example:5000"}).status_code == 400
    assert client.get("/nuancier", headers={"Host": "127.0.0.1:5000"}).status_code == 200


def test_content_is_escaped(client, mini):
    text = (mini / "sessions" / "essai.yaml").read_text(encoding="utf-8")
    (mini / "sessions" / "essai.yaml").write_text(text.replace("Salle B", '"<script>alert(1)</script>"'),
                                                  encoding="utf-8")
    html = client.get("/sessions/essai/compose").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_pages_forbid_inline_scripts(client):
    policy = client.get("/nuancier").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
