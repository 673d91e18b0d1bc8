"""Tests on the shipped content: `content/` transcribes the whole source text.

The source is `tests/data/source/nuancier-source.txt`; every difference of
wording is recorded in `content/CORRECTIONS.md`. `content_coverage.py` (next to
this file) checks that no line of the source was dropped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from nuancier_print.check import check_content
from nuancier_print.content import load_content

ROOT = Path(__file__).parents[1]
CONTENT = ROOT / "content"
sys.path.insert(0, str(Path(__file__).parent))

import content_coverage as coverage  # noqa: E402


@pytest.fixture(scope="module")
def content():
    return load_content(CONTENT, with_sessions=False)


@pytest.fixture(scope="module")
def result(content):
    return coverage.check(content)


NUMEROS = [
    "1.1", "1.2", "1.3", "1.4",
    "2.1", "2.2", "2.3", "2.4",
    "3.1", "3.2", "3.3", "3.4", "3.5",
    "4.1",
    "5.1",
    "6.1", "6.2",
    "7.1",
]

FAMILLES = {
    "1": "Géopolitique de l'innovation publique",
    "2": "Faire ensemble",
    "3": "Ouvrir les possibles",
    "4": "Repartir des usages",
    "5": "Mettre en test",
    "6": "Institutionnaliser",
    "7": "Usages du numérique",
}

# The places where the source itself is unfinished, each declared in the
# teinte's `a_completer` and reported by `nuancier check` as a warning.
UNFINISHED = {
    ("1.1", "references_inspirantes"),  # heading with nothing under it
    ("1.3", "exemples_de_contenus"),  # « ... participa- »
    ("2.3", "ressources"),  # « À compléter ... »
    ("5.1", "finalites"),  # « la conception de publiques »: a word is missing
    ("5.1", "module.profil_formateurs"),  # « à définir »
    ("6.1", "module.titre"),  # the module has no title
}

# --- Check -------------------------------------------------------------------


def test_check_reports_seven_familles_eighteen_teintes_one_session_and_no_error():
    report = check_content(CONTENT)
    assert report.ok, "\n".join(report.lines)
    assert report.lines[-1] == f"7 familles, 18 teintes, 1 session, 0 errors, {len(UNFINISHED)} warnings"


def test_warnings_are_exactly_the_unfinished_places(content):
    warned = set()
    for problem in content.warnings:
        match = re.match(r"teinte (\d+\.\d+): unfinished in the source: ", problem.message)
        assert match, f"unexpected warning: {problem}"
        warned.add((match.group(1), problem.field))
    assert warned == UNFINISHED
    assert len(content.warnings) == len(UNFINISHED)


def test_strict_check_fails_only_because_of_the_unfinished_places():
    report = check_content(CONTENT, strict=True)
    assert not report.ok
    assert report.lines[-1].endswith(f"{len(UNFINISHED)} errors, 0 warnings")


# --- Numbers, familles, files ------------------------------------------------


def test_teintes_numbers_in_order(content):
    assert [t.numero for t in content.teintes] == NUMEROS


def test_each_teinte_in_its_famille(content):
    for famille in content.familles:
        expected = [n for n in NUMEROS if n.split(".")[0] == famille.numero]
        assert [t.numero for t in content.teintes_of(famille)] == expected


def test_famille_titles(content):
    assert {f.numero: f.titre for f in content.familles} == FAMILLES


def test_teinte_files_are_named_after_their_number(content):
    files = sorted(p.name for p in (CONTENT / "teintes").glob("*.yaml"))
    assert len(files) == len(NUMEROS)
    for teinte in content.teintes:
        assert any(name.startswith(teinte.numero.slug + "-") for name in files), teinte.numero


@pytest.mark.parametrize("path, schema", [
    ("nuancier.yaml", "schema/nuancier.schema.json"),
    ("familles.yaml", "schema/familles.schema.json"),
    *[(f"teintes/{p.name}", "../schema/teinte.schema.json") for p in sorted((CONTENT / "teintes").glob("*.yaml"))],
])
def test_files_declare_their_json_schema(path, schema):
    first = (CONTENT / path).read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema}"
    assert (CONTENT / path).parent.joinpath(schema).resolve().is_file()


# --- Sections present exactly where the source has them ----------------------

# The source's section letters.
R, I, L, F, C, S, E, M = ("ressources", "references_inspirantes", "champ_lexical", "finalites",  # noqa: E741
                          "competences", "savoir_etre", "exemples_de_contenus", "module")

# Derived from the source by reading it: which sections each teinte has. 1.1's
# « Références inspirantes » heading is empty in the source (declared unfinished).
SECTIONS = {
    "1.1": {R, L, F, C, E, M},
    "1.2": {R, I, L, F, C, E, M},
    "1.3": {R, I, L, F, C, E, M},
    "1.4": {R, I, L, F, C, E, M},
    "2.1": {R, I, L, F, C, S, M},
    "2.2": {R, I, L, F, C, S, E, M},
    "2.3": {R, I, L, F, S, E, M},
    "2.4": {R, I, L, F, S, E, M},
    "3.1": {R, I, L, F, C, S, E, M},
    "3.2": {R, I, L, F, C, S, M},
    "3.3": {R, I, L, F, C, S, M},
    "3.4": {R, I, L, F, C, S, E, M},
    "3.5": {R, I, L, F, C, S, M},
    "4.1": {R, I, L, F, C, S, E, M},
    "5.1": {R, I, L, F, C, S, E, M},
    "6.1": {R, I, L, F, C, S, E, M},
    "6.2": {R, I, L, F, C, E, M},
    "7.1": {R, I, L, F, C, E, M},
}

SOURCE_LABELS = {
    "ressources": R, "referencesinspirantes": I, "champlexical": L, "finalites": F,
    "competencesetsavoirfaire": C, "savoiretre": S, "exemplesdecontenus": E,
    "exempledemodule": M, "modalites": M, "modalite": M, "deroule": M, "profildudesformateurs": M,
}


def _sections_in_source() -> dict[str, set[str]]:
    """Return, for each teinte, the sections whose heading has text under it."""
    found = {}
    for block in coverage.read_source():
        if not block.key[0].isdigit():
            continue
        current, sections = None, set()
        for line in block.lines:
            label = coverage.normalise(coverage._clean(line.raw.strip())[0], fold_accents=True)
            if line.kind == "skip" and label in SOURCE_LABELS:
                current = SOURCE_LABELS[label]
            elif line.kind == "text" and current:
                sections.add(current)
        found[block.key] = sections
    return found


def test_section_table_matches_the_source():
    assert _sections_in_source() == SECTIONS


@pytest.mark.parametrize("numero", NUMEROS)
def test_sections_present_exactly_where_the_source_has_them(content, numero):
    teinte = content.teinte(numero)
    present = {name for name in (R, I, L, F, C, S, E, M) if getattr(teinte, name)}
    assert present == SECTIONS[numero]


# --- Spot checks ---------------------------------------------------------------


def test_nuancier_metadata(content):
    n = content.nuancier
    assert n.titre == "Nuancier de formation pour une action publique ingénieuse"
    assert n.editeur == "La 27e Région"
    assert n.programme == "RÉ•ACTEUR PUBLIC"
    assert n.mention == ("Ce nuancier a été produit par La 27e Région dans le cadre du programme "
                         "RÉ•ACTEUR PUBLIC.")
    assert [s.titre for s in n.mode_emploi] == ["L'esprit du nuancier", "Pourquoi un nuancier ?", "Et après ?"]
    assert n.mode_emploi[0].texte[0].startswith("Ce nuancier se veut « engagé » et porte")
    assert [(c.nom, c.email) for c in n.contacts] == [
        ("Magali Marlin", "mmarlin@la27eregion.fr"),
        ("Nadège Guiraud", "nguiraud@la27eregion.fr"),
    ]
    assert n.licence.startswith("Ce nuancier est mis à disposition selon les termes de la licence Creative Commons")
    assert n.licence.endswith("Toute utilisation, dans sa forme originale ou dérivée, implique de citer La 27e Région.")
    assert "l'œuvre originale" in n.licence
    assert n.credits == []
    assert n.format.taille == "DL" and float(n.format.fond_perdu) == 3.0


def test_conseils_pratiques(content):
    conseils = content.nuancier.conseils_pratiques
    assert conseils.titre == "Quelques conseils pratiques pour une (bonne) formation"
    assert [c.titre for c in conseils.conseils] == [
        "Prévoir une réunion de cadrage",
        "Associer les parties prenantes",
        "Impliquer les stagiaires",
        "De l'utilité du livrable « semi-sur-mesure »",
        "Une formation ou une mise en condition ?",
    ]
    assert conseils.conseils[-1].texte == [
        "Selon les cas et les publics, il peut être utile de présenter la formation comme un test, une mise en "
        "condition, une préparation collective. Ça permet de rassurer et donner envie, en amont d'un projet ou "
        "d'une mission d'accompagnement."
    ]


def test_famille_introductions(content):
    assert [len(f.introduction) for f in content.familles] == [3, 4, 2, 2, 3, 2, 4]
    assert content.famille("1").introduction[0].startswith("C'est quoi l'innovation ?")
    six = content.famille("6").introduction
    assert six[0].startswith("Comment inscrire durablement les processus d'innovation")
    assert six[1].endswith("Faut-il à tout prix créer une fonction « labo » ?")
    assert "quel que soit son résultat" in content.famille("5").introduction[1]


def test_titles(content):
    titles = {t.numero: t.titre for t in content.teintes}
    assert titles["1.1"] == "Décryptage critique de l'innovation publique"
    assert titles["1.2"] == "Histoire critique de la réforme de l'action publique"
    assert titles["1.3"] == "Qu'est-ce que l'innovation publique ?"
    assert titles["2.2"] == "Intelligence collective, travail collaboratif et gouvernance partagée"
    assert titles["2.4"] == ("De la participation citoyenne à l'innovation publique ouverte : "
                             "coproduire avec les usagers")
    assert titles["3.5"] == "Appréhender un sujet par la mise en projet : le format « résidence »"
    for title in [*titles.values(), *FAMILLES.values()]:
        assert title[0].isupper() and title != title.upper(), title  # sentence case


def test_references_and_urls(content):
    t = content.teinte
    first = t("1.1").ressources[0]
    assert first.texte == ("A quoi tient le succès des innovations ?, Gérer & Comprendre, Madeleine Akrich, "
                           "Michel Callon, Bruno Latour, 1988.")
    assert first.url == "https://halshs.archives-ouvertes.fr/halshs-00081741/document"
    assert t("1.4").ressources[2].url == \
        "http://www.la27eregion.fr/publications/100-acteurs-du-design-des-politiques-publiques/"
    assert t("6.1").ressources[1].url == "https://www.youtube.com/watch?time_continue=3&v=y6oiSAF1-hc"
    assert t("4.1").ressources[2].url == "https://www.youtube.com/watch?time_continue=3&v=y6oiSAF1-hc"
    adels = t("2.4").ressources[3]
    assert (adels.texte, adels.url) == ("Adels", "http://www.adels.org")
    demarreur = t("2.3").references_inspirantes[0]
    assert demarreur.url.startswith("https://territoiresenresidences.wordpress.com/2013/07/08/")
    assert demarreur.url_2 == "https://territoiresenresidences.wordpress.com/2013/11/26/transfo-ca-semaine-8-jour-2/"
    assert t("2.3").references_inspirantes[1].texte == \
        "La Pointeuse #2, L'élu inoffensif (La 27e Région / RE•ACTEUR PUBLIC)"
    soon = t("3.1").references_inspirantes[2]
    assert soon.texte == soon.url == "https://www.soonsoonsoon.com/"
    assert t("1.2").ressources[0].texte.startswith("Chantiers ouverts au public, ouvrage collectif de La 27e Région")


def test_items_flattened_in_the_source_are_split(content):
    t = content.teinte
    assert [(r.texte, r.url) for r in t("3.3").ressources[1:]] == [
        ("Revue Usbek et Rica", "http://usbek-et-rica.fr/"),
        ("Collection « raconter la vie », Pierre Rosanvallon", "http://raconterlavie.fr/"),
    ]
    assert [r.texte for r in t("2.1").references_inspirantes] == [
        "SCOP Le pavé", "Université du Nous", "Compagnie de théâtre-forum NAJE",
        "Documentaire Pôle Emploi, ne quittez pas !, Nora Philippe, 2014",
    ]
    assert t("5.1").module.publics == [
        "tous publics, mais prioritairement les opérationnels/porteurs de projets",
        "mixité (inter-directions, niveaux hiérarchiques), y compris de structures",
    ]
    assert t("7.1").champ_lexical == ["NTIC", "digital", "dématérialisation", "réseaux sociaux", "open data",
                                      "big data", "DSI", "appli"]


def test_verso_fields(content):
    t = content.teinte
    assert t("2.1").savoir_etre == ["Ouverture d'esprit, sincérité, bienveillance"]
    assert t("4.1").savoir_etre == ["Etre à l'écoute", "Bienveillance", "Empathie", "Prendre le temps"]
    assert t("1.1").champ_lexical == ["processus d'innovation", "conception innovante", "conduite du changement",
                                      "théories", "méthodes", "tool kit"]
    assert t("1.1").module.titre == "Grandes (et petites) théories de l'innovation"
    assert t("1.1").module.modalites == [
        "Module en ligne",
        "Possibilité de portage présentiel pour permettre une discussion critique des éléments présentés",
    ]
    assert t("1.1").module.deroule[1] == ("Exercice pratique : « Où est-ce que j'entends parler d'innovation dans "
                                          "mon entourage ? » : construction d'une cartographie du réseau personnel")
    assert t("1.2").module.deroule[1].startswith("Exercice pratique : sous forme QCM,")
    assert t("1.3").exemples_de_contenus[2].startswith("Démonter les idées reçues (« Seul le privé sait innover »")
    assert t("3.3").module.publics == [
        "tous publics", "mixité (directions, niveaux hiérarchiques, structures) privilégiée mais pas obligatoire."]
    assert t("1.4").module.profil_formateurs == ["un acteur impliqué dans la communauté des innovateurs publics"]
    assert t("7.1").module.titre == "La Donnée ... à quoi ça sert ?"


def test_unfinished_places_are_kept_visible(content):
    t = content.teinte
    assert [r.texte for r in t("2.3").ressources] == ["À compléter ..."]
    assert t("1.3").exemples_de_contenus[-1].endswith("recherche-action, participa-")
    assert t("5.1").module.profil_formateurs == ["à définir"]
    assert t("5.1").finalites[0] == "Introduire un processus itératif dans la conception de publiques"
    assert t("6.1").module is not None and t("6.1").module.titre is None
    assert t("1.1").references_inspirantes == []


def _all_texts(content):
    for key, (_, texts, _) in coverage.content_blocks(content).items():
        for text in texts:
            yield key, text


def test_no_extraction_debris_left(content):
    debris = re.compile(r"\*\*|</?\w+>|\]\(|[›“”\"]|\\_|^\s*[-•>]\s|\bnancier\b|\s{2,}|^\s|\s$|\bN°")
    for key, text in _all_texts(content):
        assert not debris.search(text), f"{key}: {text!r}"
    split = re.compile(r"\b(FORMA TION|TECHNI QUES|DÉCOUVE RTE|GÉOPO LITIQUE|heu-reuses)\b")
    for key, text in _all_texts(content):
        assert not split.search(text), f"{key}: {text!r}"


def test_module_titles_have_no_quotes(content):
    for teinte in content.teintes:
        if teinte.module and teinte.module.titre:
            assert not re.search(r"^[«\"“ ]|[»\"” ]$", teinte.module.titre), teinte.numero


# --- Colours -----------------------------------------------------------------


def _ink(cmyk) -> int:
    return sum(cmyk)


def _distance(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a.rgb, b.rgb)) ** 0.5


def test_famille_colours_are_distinct_and_printable(content):
    colours = [f.couleur for f in content.familles]
    assert len(set(colours)) == 7
    for colour in colours:
        assert all(0 <= v <= 100 for v in colour) and _ink(colour) <= 300
    for i, a in enumerate(colours):
        for b in colours[i + 1:]:
            assert _distance(a, b) > 0.35, (a, b)


def test_teinte_colours_are_graded_shades_of_their_famille(content):
    for famille in content.familles:
        teintes = content.teintes_of(famille)
        colours = [t.couleur for t in teintes]
        assert all(c is not None for c in colours)
        if len(teintes) == 1:
            assert colours[0] == famille.couleur
            continue
        assert len(set(colours)) == len(colours)
        inks = [_ink(c) for c in colours]
        assert inks == sorted(inks), f"famille {famille.numero}: not light to deep: {colours}"
        for colour in colours:
            assert _ink(colour) <= 300 and colour[3] <= 40  # never muddy
            assert max(colour[:3]) >= 30  # never near-white
            # same hue: the inks the famille colour uses are the main ones of the shade
            main = [i for i in range(3) if famille.couleur[i] >= 50]
            assert all(colour[i] >= 30 for i in main), (famille.numero, colour)


# --- Coverage and corrections ------------------------------------------------


def test_no_line_of_the_source_was_dropped(result):
    assert result.missing == []
    assert result.lines > 500
    assert result.found == result.lines


def test_every_source_url_is_in_the_content_exactly(result):
    assert result.urls > 50
    assert result.urls_found == result.urls


def test_nothing_invented(result):
    assert result.invented == []
    assert result.items_found == result.items


def test_every_recorded_correction_applies_to_the_source(result):
    assert result.unused_corrections == []


def test_exceptions_list_stays_tiny():
    assert len(coverage.EXCEPTIONS) <= 3
    for block, line, reason in coverage.EXCEPTIONS:
        assert block and line and len(reason) > 20


def test_corrections_file_records_the_decisions():
    text = (CONTENT / "CORRECTIONS.md").read_text(encoding="utf-8")
    assert "## Decisions" in text
    rows = coverage.read_corrections()
    where = {(c.where, c.before) for c in rows}
    assert ("famille 6", "GÉOPOLITIQUE DE L'INNOVATION PUBLIQUE") in where
    assert ("3.5", "LE FORMAT RÉSIDENT") in where
    assert ("1.2", "sous forme OCM") in where
    for c in rows:
        assert c.reason, c


def test_coverage_script_prints_its_figures():
    import subprocess

    out = subprocess.run([sys.executable, str(Path(__file__).parent / "content_coverage.py")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"^(\d+)/\1 source lines found in content$", out.stdout, re.MULTILINE)
