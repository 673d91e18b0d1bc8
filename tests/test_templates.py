"""Layouts are compiled once per process, and compiled again when they are edited."""

from __future__ import annotations

import os

from nuancier_print import render
from nuancier_print.render import make_environment


def test_an_edited_layout_is_compiled_again(tmp_path):
    layout = tmp_path / "face.html.j2"
    layout.write_text("<p>{{ title|fr }} avant</p>", encoding="utf-8")
    assert make_environment(tmp_path).get_template("face.html.j2").render(title="Titre") == "<p>Titre avant</p>"
    layout.write_text("<p>{{ title|fr }} après : édité</p>", encoding="utf-8")
    os.utime(layout, ns=(1, 1))  # the same modification time would not matter: the source is compared
    rendered = make_environment(tmp_path).get_template("face.html.j2").render(title="Titre")
    assert rendered == "<p>Titre après : édité</p>"


def test_a_second_environment_reuses_the_compiled_layouts(tmp_path, monkeypatch):
    layout = tmp_path / "face.html.j2"
    layout.write_text("<p>{{ title }}</p>", encoding="utf-8")
    compiled = []
    real = render.jinja2.Environment.compile

    def compile_(self, *args, **kwargs):
        compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(render.jinja2.Environment, "compile", compile_)
    for _ in range(3):
        assert make_environment(tmp_path).get_template("face.html.j2").render(title="x") == "<p>x</p>"
    assert compiled == ["face.html.j2"]
