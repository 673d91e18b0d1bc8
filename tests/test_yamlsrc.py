"""Both ways of composing YAML (libyaml's events, pure Python) give the same nodes and the same refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nuancier_print import yamlsrc

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "content").rglob("*.yaml")) + sorted((ROOT / "tests" / "data").rglob("*.yaml"))

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml: one path only")


def _tree(node) -> list:
    """Everything a node tree says, positions and styles included."""
    out = [(type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column,
            node.end_mark.line, node.end_mark.column, getattr(node, "style", None), node.flow_style
            if hasattr(node, "flow_style") else None)]
    if isinstance(node.value, list):
        for child in node.value:
            for part in child if isinstance(child, tuple) else (child,):
                out += _tree(part)
    else:
        out.append(node.value)
    return out


def _outcome(compose, text: str):
    try:
        return _tree(compose(text))
    except Exception as exc:  # noqa: BLE001 - the refusals are compared too
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_content_and_test_file_composes_the_same_both_ways(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    assert _outcome(yamlsrc._compose, text) == _outcome(lambda t: yamlsrc._Loader(t).get_single_node(), text)


def test_the_libyaml_path_is_the_one_taken_for_good_files(monkeypatch):
    def refuse(text):
        raise AssertionError("the pure-Python composer was used")

    monkeypatch.setattr(yamlsrc, "_Loader", refuse)
    node = yamlsrc._compose("titre: Nuancier\nteintes:\n  - 1.1\n  - 'x'\n")
    assert [k.value for k, _ in node.value] == ["titre", "teintes"]
    assert node.value[1][1].value[1].style == "'" and node.value[1][1].value[0].style is None


@pytest.mark.parametrize("text, message", [
    ("a: &x 1\nb: *x\n", "YAML anchors"),
    ("a: 1\nb: *x\n", "YAML aliases"),
    ("a: !!python/object:os.system ls\n", "tag"),
    ("<<: {a: 1}\n", "merge key"),
    ("a: " + "[" * 40 + "]" * 40 + "\n", "nested more than"),
])
def test_refusals_carry_the_pure_python_message_and_position(tmp_path, text, message):
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
