"""The participant `role` field: declared once in the schema, followed by the loader and the JSON Schema."""

from __future__ import annotations

import json

from nuancier_print import schema
from nuancier_print.content import load_content
from nuancier_print.jsonschema import json_schema

from .conftest import ROOT

SESSION = """\
titre: Essai
commanditaire: DRH
lieu: Ici
dates: [12 mars 2026]
formateurs:
  - nom: Lucie Fontaine
    {trainer_extra}
participants:
  - nom: Camille Martin
    service: Direction des lycées
    role: chargée de mission
  - Karim Benali
teintes:
  - numero: 1.1
"""


def _write(mini, trainer_extra=""):
    folder = mini / "sessions"
    folder.mkdir(exist_ok=True)
    (folder / "essai.yaml").write_text(SESSION.format(trainer_extra=trainer_extra), encoding="utf-8")


def test_a_participant_may_have_a_role(mini):
    _write(mini, "service: coopérative")
    _, session = load_content(mini).sessions["essai"]
    assert session.participants[0].role == "chargée de mission"
    assert session.participants[1].role is None
    assert isinstance(session.participants[0], schema.Personne)


def test_a_trainer_has_no_role(mini):
    _write(mini, "role: formatrice")
    content = load_content(mini)  # a session's errors keep only its own booklet from being made
    _, problems = content.session_errors["essai"]
    assert any(p.field == "formateurs[0].role" and "unknown field" in p.message for p in problems)


def test_the_json_schema_offers_role_to_participants_only():
    session = json_schema(schema.Session)["properties"]
    participant = session["participants"]["anyOf"][0]["items"]["anyOf"][0]
    trainer = session["formateurs"]["anyOf"][0]["items"]["anyOf"][0]
    assert "role" in participant["properties"]
    assert "role" not in trainer["properties"]
    committed = json.loads((ROOT / "content" / "schema" / "session.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(schema.Session)
