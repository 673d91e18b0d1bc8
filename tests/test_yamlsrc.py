"""Reading YAML safely: refusals with their position, deep nesting refused at once, quotes explained."""

from __future__ import annotations

import pytest

from nuancier_print import yamlsrc


@pytest.mark.parametrize("text, message", [
    ("a: &x 1\nb: *x\n", "YAML anchors"),
    ("a: 1\nb: *x\n", "YAML aliases"),
    ("a: !!python/object:os.system ls\n", "tag"),
    ("<<: {a: 1}\n", "merge key"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "nested more than"),
])
def test_refusals_carry_a_message_and_a_position(tmp_path, text, message):
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    node, problems = yamlsrc.read_yaml(path, "f.yaml")
    assert node is None and len(problems) == 1 and message in problems[0].message
    assert problems[0].where.line is not None


@pytest.mark.parametrize("text, line, column, message", [
    ('titre: "Le \\"bon\\" mot" en plus\n', 1, 8, "followed by more text on its line"),
    ("titre: 'l''été' en plus\n", 1, 8, "followed by more text on its line"),
    ("titre: '''été' en plus\n", 1, 8, "followed by more text on its line"),
    ('finalites:\n  - "un\n  - "deux"\n', 2, 5, "not closed on its line (the next quote, on line 3,"),
])
def test_text_after_a_closing_quote_is_explained_at_the_opening_quote(tmp_path, text, line, column, message):
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = yamlsrc.read_yaml(path, "f.yaml")
    assert len(problems) == 1 and message in problems[0].message and "<scalar>" not in problems[0].message
    assert (problems[0].where.line, problems[0].where.column) == (line, column)


@pytest.mark.parametrize("text, deep", [
    ("a: " + "[" * 33 + "]" * 33 + "\n", 3 + 32),
    ("a:\n  - {b: " + "[" * 40 + "\n", 11 + 31),
    ("a: " + "[" * 20 + "'[[[[[[[[[[[[[[[[[[[[' " + "]" * 20 + "\n", None),  # quoted: text, not nesting
    ("titre: " + "a[" * 40 + "\n", None),  # brackets inside plain text
    ("a: 1 # " + "[" * 40 + "\n", None),  # in a comment
    ("a: " + "[" * 32 + "]" * 32 + "\n", None),
])
def test_flow_nesting_is_measured_in_one_pass(text, deep):
    assert yamlsrc._flow_depth(text) == deep


def test_a_deeply_nested_file_is_refused_where_it_gets_too_deep(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("numero: 2.1\nfinalites: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    node, problems = yamlsrc.read_yaml(path, "deep.yaml")
    assert node is None and [str(p) for p in problems] == [
        f"deep.yaml:2:{12 + yamlsrc.MAX_DEPTH}: the file is nested more than {yamlsrc.MAX_DEPTH} levels deep"]
