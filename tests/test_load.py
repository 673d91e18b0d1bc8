"""Loader and validator: valid content loads, and problems are located precisely."""

from __future__ import annotations

import pytest

from nuancier_print import schema
from nuancier_print.content import load_content
from nuancier_print.errors import ContentError
from nuancier_print.load import where


def test_mini_content_loads(mini):
    content = load_content(mini)
    assert content.summary() == "2 familles, 3 teintes"
    assert [t.numero for t in content.teintes] == ["1.1", "1.2", "2.1"]
    assert [f.titre for f in content.familles] == ["Première famille", "Deuxième famille"]


def test_values_are_typed(mini):
    content = load_content(mini)
    teinte = content.teinte("1.1")
    assert isinstance(teinte.numero, schema.Numero) and teinte.numero.famille == "1"
    assert teinte.ressources[0] == schema.Reference(texte="Un livre, 2015, éd. Exemple.",
                                                    url="http://www.example.org/livre/")
    assert teinte.ressources[1].texte == "Une ressource sans adresse." and teinte.ressources[1].url is None
    assert teinte.competences == ["Connaître les méthodes"]  # one text is a list of one
    assert content.famille("1").couleur == (0, 60, 100, 0)
    assert content.nuancier.format.size == (99.0, 210.0)
    assert content.nuancier.format.fond_perdu == pytest.approx(3.0)


def test_positions_are_kept(mini):
    teinte = load_content(mini).teinte("1.1")
    assert where(teinte, "numero").line == 1
    assert where(teinte, "ressources[1]").line == 6
    assert where(teinte, "module.deroule[0]").line == 20
    assert where(teinte, "module.deroule[0]").file == "content/teintes/1-1-premiere.yaml"


def test_unfinished_places_are_warnings(mini):
    warnings = load_content(mini).warnings
    assert [(w.where.line, w.field) for w in warnings] == [(4, "ressources"), (8, "module.titre")]
    assert all(w.severity == "warning" and "teinte 1.2" in w.message for w in warnings)


def test_undeclared_placeholder_is_a_warning(mini):
    path = mini / "teintes" / "2-1-troisieme.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "savoir_etre: à définir\n", encoding="utf-8")
    warnings = load_content(mini).warnings
    assert any(w.field == "savoir_etre[0]" and "looks like a placeholder" in w.message for w in warnings)


def test_all_problems_are_collected_at_once(mini):
    (mini / "teintes" / "1-1-premiere.yaml").write_text("numero: 1.1\ntitr: x\nfinalite: y\n", encoding="utf-8")
    (mini / "teintes" / "2-1-troisieme.yaml").write_text("numero: 2-1\ntitre: x\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(mini)
    messages = [str(p) for p in info.value.problems if p.is_error]
    assert len(messages) == 4, messages  # titr, finalite, missing titre, bad numero
    assert any("did you mean `titre`?" in m for m in messages)
    assert any("did you mean `finalites`?" in m for m in messages)


def test_a_mismatched_file_name_is_a_warning(mini):
    (mini / "teintes" / "2-1-troisieme.yaml").rename(mini / "teintes" / "troisieme.yaml")
    warnings = load_content(mini).warnings
    assert any("does not start with `2-1`" in w.message for w in warnings)


def test_familles_can_be_one_file_per_famille(mini):
    folder = mini / "familles"
    folder.mkdir()
    (folder / "1.yaml").write_text("numero: 1\ntitre: Une\ncouleur: [0, 60, 100, 0]\n", encoding="utf-8")
    (folder / "2.yaml").write_text("numero: 2\ntitre: Deux\ncouleur: [100, 0, 40, 0]\n", encoding="utf-8")
    (mini / "familles.yaml").unlink()
    assert [f.titre for f in load_content(mini).familles] == ["Une", "Deux"]


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(ContentError) as info:
        load_content(tmp_path / "nope")
    assert "does not exist" in str(info.value)


@pytest.mark.parametrize("text,expected", [
    ("3mm", 3.0), ("0.5cm", 5.0), ("1in", 25.4), ("3,5 mm", 3.5),
])
def test_lengths_take_units(mini, text, expected):
    path = mini / "nuancier.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fond_perdu: 3mm", f"fond_perdu: {text}"),
                    encoding="utf-8")
    assert load_content(mini).nuancier.format.fond_perdu == pytest.approx(expected)


@pytest.mark.parametrize("text,message", [("3", "is not a length"), ("-3mm", "is negative")])
def test_bad_lengths_are_reported(mini, text, message):
    path = mini / "nuancier.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fond_perdu: 3mm", f"fond_perdu: {text}"),
                    encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(mini)
    (problem,) = [p for p in info.value.problems if p.is_error]
    assert problem.field == "format.fond_perdu" and message in problem.message
    assert problem.where.line == 19
