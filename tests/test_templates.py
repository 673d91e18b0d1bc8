"""Layouts: the sandbox, symlinks, located template errors, and face keys that follow every layout used."""

from __future__ import annotations

import os
import shutil

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
    with pytest.raises(BuildError, match="no layout found; looked for layouts/face.html.j2"):
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
