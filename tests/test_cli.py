"""The command line: exit codes, summaries, no tracebacks."""

from __future__ import annotations

import json

from nuancier_print.cli import main


def test_check_passes_with_a_summary(mini, runner):
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2 familles, 3 teintes, 0 errors, 2 warnings"


def test_check_strict_turns_warnings_into_errors(mini, runner):
    result = runner.invoke(main, ["check", "--strict"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "2 familles, 3 teintes, 2 errors, 0 warnings"


def test_misspelt_key_is_located_without_traceback(mini, runner):
    path = mini / "teintes" / "1-1-premiere.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("finalites:", "finalite:"), encoding="utf-8")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert "content/teintes/1-1-premiere.yaml:10:1: finalite: unknown field `finalite`; " \
           "did you mean `finalites`?" in result.stderr
    assert "Traceback" not in result.stderr + result.output


def test_unknown_option_is_usage_error(mini, runner):
    assert runner.invoke(main, ["check", "--nope"]).exit_code == 2


def test_missing_content_folder(tmp_path, monkeypatch, runner):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert "content: this content folder does not exist" in result.stderr


def test_debug_shows_the_traceback(mini, runner):
    (mini / "nuancier.yaml").write_text("titre: [\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--debug"])
    assert result.exit_code == 1  # check reports, it does not raise


def test_schema_validates_the_fixtures(mini, runner, tmp_path):
    import jsonschema
    import yaml

    result = runner.invoke(main, ["schema", "--to", str(tmp_path / "schema")])
    assert result.exit_code == 0, result.output
    schemas = {p.name.split(".")[0]: json.loads(p.read_text()) for p in (tmp_path / "schema").iterdir()}
    pairs = [("nuancier", mini / "nuancier.yaml"), ("familles", mini / "familles.yaml")]
    pairs += [("teinte", p) for p in (mini / "teintes").iterdir()]
    for name, path in pairs:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schemas[name])
    bad = yaml.safe_load((mini / "teintes" / "2-1-troisieme.yaml").read_text(encoding="utf-8"))
    bad["finalite"] = ["x"]
    try:
        jsonschema.validate(bad, schemas["teinte"])
    except jsonschema.ValidationError as exc:
        assert "finalite" in str(exc)
    else:
        raise AssertionError("the schema accepted an unknown key")


def test_committed_schemas_are_up_to_date(tmp_path):
    from nuancier_print.jsonschema import write_schemas

    from .conftest import ROOT

    for path in write_schemas(tmp_path):
        committed = ROOT / "content" / "schema" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), \
            f"run `nuancier schema` and commit {committed.name}"


def test_schema_to_a_file_is_a_plain_error(mini, runner):
    (mini.parent / "notes.txt").write_text("x", encoding="utf-8")
    for target in ("notes.txt", "notes.txt/schema"):
        result = runner.invoke(main, ["schema", "--to", target])
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            "notes.txt: this is a file, not a folder; give `--to` a folder (it is made if it does not exist)"]
    (mini.parent / "schemas" / "teinte.schema.json").mkdir(parents=True)
    result = runner.invoke(main, ["schema", "--to", "schemas"])
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert "cannot write schemas/teinte.schema.json: Is a directory" in result.stderr


def test_preflight_tells_a_kit_deck_from_its_sheets_by_the_files_beside_it(tmp_path):
    from nuancier_print.cli import guess_kind, is_office_sheet_of_cards

    alone = tmp_path / "kit-stage-a3.pdf"  # a kit named after its session, « stage-a3 »
    alone.write_bytes(b"")
    assert guess_kind(alone) == "deck"
    sheets = tmp_path / "kit-stage-a3-A4.pdf"  # its office sheets, next to it
    sheets.write_bytes(b"")
    assert guess_kind(sheets) == "sheets" and is_office_sheet_of_cards(sheets)
    assert guess_kind(tmp_path / "deck-sheets-SRA3.pdf") == "sheets"
    assert not is_office_sheet_of_cards(tmp_path / "deck-sheets-SRA3.pdf")
    assert is_office_sheet_of_cards(tmp_path / "deck-sheets-Letter.pdf")
