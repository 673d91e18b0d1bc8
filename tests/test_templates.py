"""Layouts: an edited layout is compiled again, and cache keys follow what a layout refers to."""

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


def _jinja_references(env, source: str) -> set[str]:
    from jinja2 import meta

    return {name for name in meta.find_referenced_templates(env.parse(source)) if name}


def test_the_cache_key_finds_every_template_a_layout_refers_to():
    # cache._parsed reads references with a regular expression instead of Jinja's parser:
    # it must find at least what the parser finds, in every shipped layout and in odd syntax.
    from nuancier_print.cache import _parsed

    env = make_environment()
    for path in sorted(render.LAYOUTS_DIR.glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        assert _jinja_references(env, source) <= set(_parsed(source)[1]), path.name
    odd = ("{%- extends 'a.html.j2' -%}{%+ include [\"b.j2\", 'c.j2'] ignore missing %}"
           "{% import \"d.j2\" as d with context %}{%from 'e.j2' import f%}{% include x %}"
           "{#\n{% include 'g.j2' %}\n#}{%\n  include\n  'h.j2'\n%}")
    found = set(_parsed(odd)[1])
    assert _jinja_references(env, odd) <= found == {"a.html.j2", "b.j2", "c.j2", "d.j2", "e.j2", "g.j2", "h.j2"}


def test_a_face_key_changes_when_an_included_layout_is_edited(tmp_path):
    from nuancier_print.cache import template_digest

    # A name in an expression counts even when no such file exists: a reference too many is harmless.
    (tmp_path / "face.html.j2").write_text('{% include "gone.html.j2" if false else "part.html.j2" %}'
                                           '{% include name %}', encoding="utf-8")
    (tmp_path / "part.html.j2").write_text("<p>avant</p>", encoding="utf-8")
    before = template_digest(make_environment(tmp_path), "face.html.j2")
    (tmp_path / "part.html.j2").write_text("<p>après</p>", encoding="utf-8")
    assert template_digest(make_environment(tmp_path), "face.html.j2") != before
