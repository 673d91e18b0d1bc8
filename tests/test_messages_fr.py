"""The command line speaks French when the locale (or --lang, or NUANCIER_LANG) is French, English otherwise.

Every case of the bad-input corpus (tests/data/invalid, see
tests/test_invalid_corpus.py) is checked in both languages: with a French
locale, no text is looked up that the French catalogs do not translate (a
gettext hook records them: :class:`Untranslated`), and each line says the
same place and field as in English, in other words; with ``LANG=C`` the
output is the English the corpus expects. A build's report, a preflight
failure and ``--help`` are checked the same way.
"""

from __future__ import annotations

import gettext
import re
import shutil

import pytest

from nuancier_print import i18n
from nuancier_print.cli import main

from .conftest import DATA, ROOT
from .test_invalid_corpus import CASES, _overlay

NO_LOCALE = {"NUANCIER_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None}
ENGLISH = {**NO_LOCALE, "LANG": "C"}
FRENCH = {**NO_LOCALE, "LANG": "fr_FR.UTF-8"}
WHERE = re.compile(r"^(?P<where>\S+?(?::\d+:\d+)?): (?P<rest>.*)$")
FIELD = re.compile(r"^(?P<field>[a-z_]+(?:\[\d+\])?(?:\.[a-z_0-9]+(?:\[\d+\])?)*): (?P<message>.*)$")


class Untranslated(gettext.NullTranslations):
    """The last fallback of the French catalogs: it sees every text that none of them translates."""

    def __init__(self):
        super().__init__()
        self.texts: set[str] = set()

    def gettext(self, message):
        self.texts.add(message)
        return message

    def ngettext(self, singular, plural, n):
        self.texts.add(singular)
        return singular if n == 1 else plural


@pytest.fixture
def untranslated(monkeypatch) -> set[str]:
    """Record the texts looked up in French without a translation (the returned set)."""
    recorder = Untranslated()
    real = i18n.translations
    monkeypatch.setattr(i18n, "translations",
                        lambda language, last=None: real(language, recorder if language == "fr" else last))
    return recorder.texts


def invoke(runner, args, env):
    result = runner.invoke(main, args, env=env)
    return result, (result.stdout + result.stderr).splitlines()


def same_place_other_words(english: list[str], french: list[str]) -> None:
    """Check that two outputs say the same places and fields, line by line, in different words."""
    assert len(french) == len(english), (english, french)
    for en, fr in zip(english, french):
        en_match, fr_match = WHERE.match(en), WHERE.match(fr)
        if en_match and en_match["where"].startswith("content"):  # a problem: file:line:column: field: message
            assert fr_match and fr_match["where"] == en_match["where"], (en, fr)
            en, fr = en_match["rest"], fr_match["rest"]
            en_field = FIELD.match(en)
            if en_field and en_field["field"] != "warning":
                assert fr.startswith(en_field["field"] + ": "), (en, fr)
                en, fr = en[len(en_field["field"]) + 2:], fr[len(en_field["field"]) + 2:]
        assert fr != en, f"the same in French and in English: {en}"
        assert not fr.startswith("warning:") and " warning: " not in fr, fr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_corpus_in_french_and_in_english(case, mini, runner, untranslated):
    spec = _overlay(case, mini)
    args = ["check", "--content", "content", *spec.get("args", [])]
    english_result, english = invoke(runner, args, ENGLISH)
    untranslated.clear()  # the English run looks nothing up in French
    french_result, french = invoke(runner, args, FRENCH)
    assert not untranslated, f"texts without a French translation: {sorted(untranslated)}"
    assert french_result.exit_code == english_result.exit_code == spec.get("exit", 1), english + french
    assert "Traceback" not in "\n".join(french)
    same_place_other_words(english, french)
    if spec.get("exit", 1) != 0:  # LANG=C: the English the corpus expects
        where = f"content/{spec['file']}:{spec['line']}:" if spec.get("line") else f"content/{spec['file']}"
        assert any(line.startswith(where) and spec["message"] in line for line in english), english


def test_lang_and_nuancier_lang_choose_the_language(mini, runner):
    (mini / "teintes" / "1-1-premiere.yaml").write_text("numero: 1.1\ntitre: Première teinte\nfinalite: x\n",
                                                        encoding="utf-8")
    french_words = "champ `finalite` inconnu\u00a0; vouliez-vous dire `finalites`\u00a0?"
    english_words = "unknown field `finalite`; did you mean `finalites`?"
    for args, env, words in (
            (["--lang", "fr", "check"], ENGLISH, french_words),
            (["--lang", "en", "check"], FRENCH, english_words),
            (["check"], {**FRENCH, "NUANCIER_LANG": "en"}, english_words),
            (["check"], {**ENGLISH, "NUANCIER_LANG": "fr"}, french_words),
            (["check"], {**NO_LOCALE, "LC_ALL": "fr_CA.UTF-8", "LANG": "C"}, french_words),
            (["check"], {**NO_LOCALE, "LANG": "de_DE.UTF-8"}, english_words)):
        result, lines = invoke(runner, args, env)
        assert result.exit_code == 1
        assert any(words in line for line in lines), (args, env, lines)


def test_the_severity_and_the_summary_in_french(mini, runner):
    result, lines = invoke(runner, ["check"], FRENCH)
    assert result.exit_code == 0
    assert lines[-1] == "2 familles, 3 teintes, 0 erreur, 2 avertissements"
    assert lines[-2] == ("2 avertissements\u00a0: des passages que la source laisse «\u00a0à compléter\u00a0» "
                         "(teinte 1.2)\u00a0; --verbose les détaille")
    result, lines = invoke(runner, ["check", "--verbose"], FRENCH)
    warnings = [line for line in lines if "attention\u00a0:" in line]
    assert len(warnings) == 2 and all(": attention\u00a0: teinte 1.2\u00a0: inachevé dans la source\u00a0: "
                                      in line for line in warnings), lines
    result, lines = invoke(runner, ["check", "--strict"], FRENCH)
    assert sum(": erreur\u00a0: teinte 1.2\u00a0: inachevé dans la source\u00a0: " in line for line in lines) == 2


def test_a_build_report_in_french(mini, runner, untranslated):
    result, lines = invoke(runner, ["--lang", "fr", "deck"], ENGLISH)
    assert result.exit_code == 0, lines
    assert "fichiers produits\u00a0:" in lines
    assert "  écrit  out/deck.pdf" in lines
    assert lines[-1] == "1 écrit"
    assert any(line.startswith("jeu de cartes\u00a0: out/deck.pdf (") for line in lines), lines
    assert any(line.startswith("contrôle out/deck.pdf\u00a0: ok") for line in lines), lines
    result, lines = invoke(runner, ["deck"], FRENCH)
    assert result.exit_code == 0, lines
    assert "  inchangé  out/deck.pdf" in lines and lines[-1] == "1 inchangé"
    (mini / "teintes" / "2-1-troisieme.yaml").write_text("numero: 2.1\n", encoding="utf-8")
    result, lines = invoke(runner, ["deck"], FRENCH)
    assert result.exit_code == 1
    assert "content/teintes/2-1-troisieme.yaml:1:1: titre: le champ obligatoire `titre` manque (Le titre, avec " \
           "une majuscule initiale seulement (la mise en page pose les capitales).)" in lines
    assert "  non écrit  out/deck.pdf (le contenu a des erreurs (ci-dessus)\u00a0: rien n’a été écrit)" in lines
    assert lines[-1] == "1 non écrit\u00a0; les fichiers non écrits sont tels qu’avant cette exécution"
    assert not untranslated, sorted(untranslated)
    result, english = invoke(runner, ["deck"], ENGLISH)
    assert english[-1] == "1 not written; the files not written are as they were before this run"


def test_a_preflight_failure_in_french(runner, untranslated):
    pdf = str(DATA / "before-issue-17" / "booklet-essai-imposed.pdf")
    result, french = invoke(runner, ["preflight", pdf], FRENCH)
    assert result.exit_code == 1
    assert not untranslated, sorted(untranslated)
    text = "\n".join(french)
    assert ("le fichier n’a pas d’/ID (ses deux identifiants) dans son dictionnaire final "
            "(«\u00a0trailer\u00a0»)\u00a0: PDF/X l’exige") in text
    assert "le titre manque dans les informations du document (/Title)" in text
    assert "du texte noir s’imprime en C 0 M 0 Y 0 K 92 %, et non en 100\u00a0% K seul" in text
    assert french[-1].endswith(".pdf: 20 erreurs, 0 avertissement\u00a0: pas prêt pour l’impression")
    english_result, english = invoke(runner, ["preflight", pdf], ENGLISH)
    assert english[-1].endswith(": 20 errors, 0 warnings: not ready for print")
    assert len(english) == len(french)
    for en, fr in zip(english, french):  # the file and the page are the same, the words are not
        assert fr.split(":", 1)[0] == en.split(":", 1)[0] and fr != en, (en, fr)


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["build", "--help"], ["kit", "--help"],
                                  ["preflight", "--help"], ["serve", "--help"]])
def test_help_in_french(runner, untranslated, args):
    english_result, english = invoke(runner, args, ENGLISH)
    for french_args, env in ((["--lang", "fr", *args], ENGLISH), (args, FRENCH)):
        result, french = invoke(runner, french_args, env)
        assert result.exit_code == 0
        assert not untranslated, sorted(untranslated)
        text = "\n".join(french)
        assert text.startswith("Utilisation\u00a0: main ")
        assert "\nOptions\u00a0:\n" in text and "Afficher ce message et quitter." in text
        assert "Show this message" not in text and "Usage:" not in text
        assert len(french) > 5 and len(english) > 5
    if args == ["--help"]:
        assert "Commandes\u00a0:" in text and "Vérifier le contenu" in text
        assert "--lang [fr|en]" in text


def test_help_is_translated_whatever_the_language_at_import(runner):
    i18n.set_language("en")  # what the process spoke when cli.py declared its commands
    result, lines = invoke(runner, ["--lang", "fr", "check", "--help"], ENGLISH)
    assert any(re.fullmatch(r"  --strict +Traiter les avertissements comme des erreurs\.", line) for line in lines)
    assert any(line.startswith("  --content CHEMIN ") for line in lines), lines
    i18n.set_language("fr")
    result, lines = invoke(runner, ["--lang", "en", "check", "--help"], FRENCH)
    assert any(re.fullmatch(r"  --strict +Treat warnings as errors\.", line) for line in lines)
    assert any(line.startswith("  --content PATH ") for line in lines), lines


def test_a_usage_error_in_french(runner, untranslated):
    result, lines = invoke(runner, ["check", "--strikt"], FRENCH)
    assert result.exit_code == 2
    assert lines[-1] == "Erreur\u00a0: Option '--strikt' inconnue. Vouliez-vous dire '--strict'\u00a0?"
    assert lines[1] == "Essayez «\u00a0main check --help\u00a0» pour l’aide."
    result, lines = invoke(runner, ["kit", "--copies", "99"], FRENCH)
    assert "n’est pas dans l’intervalle 1<=x<=50." in lines[-1] and lines[-1].startswith("Erreur\u00a0: ")
    result, lines = invoke(runner, ["preflight", "absent.pdf"], FRENCH)
    assert lines[-1].endswith("\u00a0: Fichier 'absent.pdf' n’existe pas."), lines
    assert not untranslated, sorted(untranslated)


def test_schema_descriptions_are_translated_in_messages_not_in_the_schema_files(mini, runner, tmp_path):
    result, lines = invoke(runner, ["--lang", "fr", "schema", "--to", str(tmp_path / "schema")], ENGLISH)
    assert result.exit_code == 0 and lines[0].startswith("écrit\u00a0: ")
    committed = (ROOT / "content" / "schema" / "session.schema.json").read_text(encoding="utf-8")
    assert (tmp_path / "schema" / "session.schema.json").read_text(encoding="utf-8") == committed
    assert "The dates, as they should be printed" in committed


def test_the_atelier_shows_the_loaders_messages_in_the_requests_language(tmp_path):
    from nuancier_print.atelier.app import create_app

    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    (content / "sessions").mkdir()
    (content / "sessions" / "essai.yaml").write_text("titre: Essai\nfinalite: x\n", encoding="utf-8")
    for language, words in (("fr", "champ `finalite` inconnu"), ("en", "unknown field `finalite`")):
        client = create_app(content, tmp_path / "out", auto_build=False, language=language).test_client()
        page = client.get("/sessions/essai/compose").get_data(as_text=True)
        assert words in page, page
    assert i18n.current_language() == "en", "a request gives the process its language back"
