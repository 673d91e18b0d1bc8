"""Layouts: the sandbox, symlinks, located template errors, and face keys that follow every layout used."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nuancier_print.build import face_key
from nuancier_print.content import load_content
from nuancier_print.deck import card_format, deck_cards, deck_stylesheet
from nuancier_print.engine import Engine
from nuancier_print.errors import BuildError
from nuancier_print.markup import LAYOUTS_DIR, make_environment
from nuancier_print.model import FaceSpec

from .conftest import DATA


def test_an_edited_layout_is_compiled_again(tmp_path):
    layout = tmp_path / "face.html.j2"
    layout.write_text("<p>{{ title|fr }} avant</p>", encoding="utf-8")
    env = make_environment(tmp_path)
    assert env.get_template("face.html.j2").render(title="Titre") == "<p>Titre avant</p>"
    layout.write_text("<p>{{ title|fr }} après : édité</p>", encoding="utf-8")
    os.utime(layout, ns=(1, 1))
    assert make_environment(tmp_path).get_template("face.html.j2").render(title="Titre") == \
        "<p>Titre après : édité</p>"


def _card_and_engine(layouts):
    content = load_content(DATA / "mini")
    fmt = card_format(content)
    card = next(c for c in deck_cards(content, fmt) if c.key == "teinte-2-1")
    return card, Engine(layouts, roots=[content.root]), deck_stylesheet(fmt, layouts)


def test_a_face_key_changes_when_an_included_layout_is_edited(tmp_path):
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    card, engine, css = _card_and_engine(layouts)
    before = face_key(engine, css, card.verso, engine.html(card.verso))
    macros = layouts / "_macros.html.j2"
    macros.write_text(macros.read_text(encoding="utf-8").replace("<h2>", "<h2 class='edited'>"), encoding="utf-8")
    card, engine, css = _card_and_engine(layouts)
    assert face_key(engine, css, card.verso, engine.html(card.verso)) != before


def test_layouts_run_in_jinja_s_sandbox(tmp_path):
    (tmp_path / "face.html.j2").write_text("{{ face.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    engine = Engine(tmp_path)
    with pytest.raises(BuildError, match=r"face.html.j2:1: a face: .*unsafe"):
        engine.html(FaceSpec("x", "a face", ("face.html.j2",)))


def test_a_layout_that_is_a_link_out_of_the_layouts_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe", encoding="utf-8")
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "face.html.j2").symlink_to(secret)
    with pytest.raises(BuildError, match="no layout found; looked for .*layouts/face.html.j2"):
        Engine(layouts).html(FaceSpec("x", "a face", ("face.html.j2",)))


@pytest.mark.parametrize("source, message", [
    ("<p>{% if %}</p>", r"face.html.j2:1: Expected an expression"),
    ("<p>\n{{ missing.name }}</p>", r"face.html.j2:2: a face: 'missing' is undefined"),
    ("<p>\n\n{{ 1 / 0 }}</p>", r"face.html.j2:3: a face: division by zero"),
])
def test_template_errors_are_located_in_the_layout(tmp_path, source, message):
    (tmp_path / "face.html.j2").write_text(source, encoding="utf-8")
    with pytest.raises(BuildError, match=message):
        Engine(tmp_path).html(FaceSpec("x", "a face", ("face.html.j2",)))


# --- errors in layouts are located, wherever they are ----------------------------------------


@pytest.fixture
def layouts(tmp_path, monkeypatch):
    """An empty layouts folder, ./layouts, with the working folder at its parent."""
    monkeypatch.chdir(tmp_path)
    folder = Path("layouts")
    folder.mkdir()
    return folder


def _html_error(layouts, name: str) -> str:
    with pytest.raises(BuildError) as caught:
        Engine(layouts).html(FaceSpec("x", "a face", (name,)))
    return str(caught.value)


def test_an_exception_in_a_macro_of_another_file_is_located_in_that_file(layouts):
    (layouts / "_pieces.html.j2").write_text(
        "{% macro total(x) -%}\n<p>\n{{ x / 0 }}\n</p>\n{%- endmacro %}\n", encoding="utf-8")
    (layouts / "face.html.j2").write_text(
        '{% import "_pieces.html.j2" as p %}\n<p>avant</p>\n{{ p.total(1) }}\n', encoding="utf-8")
    assert _html_error(layouts, "face.html.j2") == "layouts/_pieces.html.j2:3: a face: division by zero"


def test_an_include_of_a_missing_file_is_located_at_the_include(layouts):
    (layouts / "face.html.j2").write_text('<p>avant</p>\n\n{% include "absent.html.j2" %}\n', encoding="utf-8")
    assert _html_error(layouts, "face.html.j2") == (
        "layouts/face.html.j2:3: a face: the layout `absent.html.j2` is not in layouts/")


def test_an_include_that_links_out_of_the_layouts_folder_is_refused_at_the_include(layouts, tmp_path):
    (tmp_path / "secret.html").write_text("mot de passe", encoding="utf-8")
    (layouts / "piece.html.j2").symlink_to(tmp_path / "secret.html")
    (layouts / "face.html.j2").write_text('<p>avant</p>\n{% include "piece.html.j2" %}\n', encoding="utf-8")
    assert _html_error(layouts, "face.html.j2") == (
        "layouts/face.html.j2:2: a face: the layout `piece.html.j2` is a link that leads out of the layouts "
        "folder; copy the file into it instead")


def _copy_of_the_layouts(tmp_path) -> Path:
    shutil.copytree(LAYOUTS_DIR, tmp_path / "layouts")
    return Path("layouts")


@pytest.mark.parametrize("name", ["deck.css", "booklet.css"])
def test_a_stylesheet_that_links_out_of_the_layouts_folder_is_refused(tmp_path, monkeypatch, name):
    from nuancier_print.booklet import stylesheet

    monkeypatch.chdir(tmp_path)
    layouts = _copy_of_the_layouts(tmp_path)
    outside = tmp_path / "outside.css"
    outside.write_text("/* secret */", encoding="utf-8")
    (layouts / name).unlink()
    (layouts / name).symlink_to(outside)
    expected = (f"layouts/{name}: this file is a link to {outside}, outside the layouts folder; "
                "copy that file into the folder instead")
    with pytest.raises(BuildError) as caught:
        if name == "deck.css":
            deck_stylesheet(card_format(load_content(DATA / "mini")), layouts)
        else:
            stylesheet(Engine(layouts))
    assert str(caught.value) == expected


def test_a_stylesheet_a_layout_links_that_leads_out_is_refused_by_the_fetcher(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layouts = _copy_of_the_layouts(tmp_path)
    outside = tmp_path / "outside.css"
    outside.write_text("body { color: red }", encoding="utf-8")
    (layouts / "extra.css").symlink_to(outside)
    recto = layouts / "teinte-recto.html.j2"
    lines = recto.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "{% block main %}" in line)
    recto.write_text(recto.read_text(encoding="utf-8").replace(
        "{% block main %}", '{% block main %}<link rel="stylesheet" href="extra.css">', 1), encoding="utf-8")
    card, engine, css = _card_and_engine(layouts)
    with pytest.raises(BuildError) as caught:
        engine.layout(engine.html(card.recto), engine.stylesheet(css), card.recto.label)
    assert str(caught.value) == (
        f"layouts/teinte-recto.html.j2:{number}: teinte 2.1, recto: the layout asked for resources that are not "
        f"allowed: {(layouts.resolve() / 'extra.css').as_uri()} (a link that leads out of the folders the layouts "
        "may use)")
    assert engine.fetcher.refused == [] and "color: red" not in str(caught.value)


def test_a_layouts_folder_without_a_stylesheet_is_a_plain_error(tmp_path, monkeypatch, runner):
    from nuancier_print.cli import main

    shutil.copytree(DATA / "mini", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    layouts = _copy_of_the_layouts(tmp_path)
    (layouts / "deck.css").unlink()
    result = runner.invoke(main, ["deck", "--layouts", "layouts"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "1 not written; the files not written are as they were before this run"  # the report
    assert (
        "layouts/deck.css: this layout file is missing; restore it, or give --layouts a folder that has every "
        "layout file") in lines
    (layouts / "deck.css.j2").unlink()
    result = runner.invoke(main, ["deck", "--layouts", "layouts"])
    assert result.exit_code == 1
    assert "layouts: deck stylesheet: the layout `deck.css.j2` is not in layouts/" in result.stderr.splitlines()


# --- a relative --layouts ------------------------------------------------------------------------------


SESSION = ("titre: Une session\ncommanditaire: Une ville\nlieu: Ici\ndates: [1er avril 2026]\n"
           "formateurs: [Une formatrice]\nparticipants: [Camille Martin]\nteintes:\n  - numero: 1.1\n")


def test_a_relative_layouts_folder_is_used_by_every_command(tmp_path, monkeypatch, runner):
    """`--layouts mine` (relative to the working folder) for the deck, the sheets, the booklets and reprint."""
    from nuancier_print.cli import main

    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    (content / "sessions").mkdir()
    (content / "sessions" / "une-session.yaml").write_text(SESSION, encoding="utf-8")
    shutil.copytree(LAYOUTS_DIR, tmp_path / "mine")
    recto = tmp_path / "mine" / "teinte-recto.html.j2"
    recto.write_text(recto.read_text(encoding="utf-8").replace(
        "{% block main %}", "{% block main %}<p>Version maison</p>", 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "--layouts", "mine"])
    assert result.exit_code == 0, result.output + result.stderr
    from .pdfutil import page_texts

    assert "Version maison" in page_texts(tmp_path / "out" / "deck.pdf")[6]
    assert (tmp_path / "out" / "sessions" / "une-session" / "booklet-une-session.pdf").is_file()
    result = runner.invoke(main, ["deck", "--layouts", "./mine/", "--no-cache"])
    assert result.exit_code == 0, result.output + result.stderr
    if shutil.which("git"):
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
        for args in (["init", "-q"], ["add", "content"], ["commit", "-qm", "un"]):
            subprocess.run(["git", *args], check=True, capture_output=True, env=env)
        teinte = content / "teintes" / "2-1-troisieme.yaml"
        teinte.write_text(teinte.read_text(encoding="utf-8").replace("Une finalité", "Une autre"), encoding="utf-8")
        subprocess.run(["git", "commit", "-qam", "deux"], check=True, capture_output=True, env=env)
        result = runner.invoke(main, ["reprint", "--since", "HEAD~1", "--layouts", "mine"])
        assert result.exit_code == 0, result.output + result.stderr
        recto.write_text(recto.read_text(encoding="utf-8").replace("<p>Version maison</p>", "{{ 1 / 0 }}"),
                         encoding="utf-8")
        result = runner.invoke(main, ["reprint", "--since", "HEAD~1", "--layouts", "mine"])
        assert result.exit_code == 1 and "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert result.stderr.startswith("mine/teinte-recto.html.j2:"), result.stderr
        assert "division by zero" in result.stderr
