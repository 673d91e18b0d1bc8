"""Property tests: whatever an editor types or saves, the tool answers with located problems, never a crash.

Hypothesis generates YAML documents (random, or valid files with a few
values replaced, deleted or added), raw bytes and unicode text (right-to-left
scripts, emoji, combining marks, control characters) and feeds them to every
stage that reads content: :func:`~nuancier_print.yamlsrc.read_yaml`,
:func:`~nuancier_print.load.load_node` for each schema root,
:func:`~nuancier_print.content.load_content` and the typography filters.
Valid random teintes are rendered: two one-page faces, or a FitError.

Example counts are bounded so that the file runs in well under a minute.
"""

from __future__ import annotations

import copy
import io
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from pypdf import PdfReader

from nuancier_print import schema
from nuancier_print.content import load_content
from nuancier_print.errors import ContentError, FitError, Problem
from nuancier_print.load import load_node
from nuancier_print.markup import fr
from nuancier_print.typography import URL, french
from nuancier_print.yamlsrc import read_yaml

from .conftest import DATA

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies -------------------------------------------------------------------------

SPECIAL = [
    "\u202e", "\u200f", "\u200b", "\ufeff", "\u00ad", "שלום עולם", "مرحبا بالعالم", "עברית (123)",
    "👩🏽‍🔬", "🇫🇷", "🎨✂️", "e\u0301", "a\u0308\u0301\u0323", "\u0301début", "ﬁ", "Ⅻ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ufffe", "\uffff", "\r", "\t",
    "\n", " : ", "«", "»", "'", '"', "*", "**", "{{ 7*7 }}", "{%", "<b>", "&amp;", "\\", "---", "- ", "? ",
    "&a", "*a", "!!python/object:os.system", "%YAML 1.1", "#", "@", "`", "|", ">",
]
unicode_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(SPECIAL),
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=6)), max_size=6).map("".join),
)
FIELD_NAMES = sorted({path.split(".")[-1] for cls in schema.ROOTS.values() for path in schema.field_paths(cls)})
keys = st.one_of(st.sampled_from(FIELD_NAMES), unicode_text, st.integers(-5, 5), st.booleans(), st.none())
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), unicode_text)
edge_scalars = st.sampled_from([float("nan"), float("inf"), float("-inf"), -1, 0, 101, 1e300, 10**40, "", " ",
                                True, False, None, "1e5", ".nan", "2.1", "2-1", "1.1.1", "0", "-3mm", "3",
                                "99999999999999999999mm", "à compléter", "a" * 300])
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=12)


def _dump(value, allow_unicode: bool) -> str:
    return yaml.safe_dump(value, allow_unicode=allow_unicode, sort_keys=False)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _paths(value, prefix + (index,))


@st.composite
def mutated(draw, doc):
    """A valid document with one to three values replaced, deleted or added."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(doc))))
        if not path:
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["edge", "edge", "replace", "replace", "delete", "add"]))
        if action == "edge":  # an odd scalar where one was: .nan in a colour, a number as a title...
            parent[path[-1]] = draw(edge_scalars | scalars)
        elif action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(keys)] = draw(values)
        else:
            parent.append(draw(values))
    return doc


SESSION = {
    "titre": "Une formation", "commanditaire": "Une région", "lieu": "Rennes", "dates": ["12 mars 2026"],
    "formateurs": ["Camille Test", {"nom": "Dominique Essai", "service": "DRH"}], "participants": ["Alex"],
    "teintes": [{"numero": "1.1", "mises_en_situation": [{"titre": "Un atelier", "description": ["Un texte"],
                                                          "legende": "Une photo"}],
                 "lecture_critique": ["Une citation", {"texte": "Une autre", "auteur": "Alex"}]}],
    "programme": [{"titre": "Jour 1", "texte": ["Matin", "Après-midi"]}], "fictif": True,
}
MINI = {name: yaml.safe_load((DATA / "mini" / name).read_text(encoding="utf-8"))
        for name in ("nuancier.yaml", "familles.yaml", "teintes/1-1-premiere.yaml")}
MINI["sessions/essai.yaml"] = SESSION
ROOT_OF = {"nuancier.yaml": schema.Nuancier, "familles.yaml": schema.FamilleList,
           "teintes/1-1-premiere.yaml": schema.Teinte, "sessions/essai.yaml": schema.Session}


@pytest.fixture(scope="module")
def scratch():
    """A folder reused by every example (Hypothesis runs examples inside one test call)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _located(problems: list[Problem], shown: str) -> None:
    """Check that every problem names the file, a line and a column, and prints as one line."""
    for problem in problems:
        assert problem.where.file == shown, problem
        assert problem.where.line >= 1 and problem.where.column >= 1, problem
        assert str(problem).startswith(f"{shown}:{problem.where.line}:{problem.where.column}:"), problem
        assert problem.message and "Traceback" not in problem.message, problem


def _read_and_load(path: Path, shown: str, cls=None):
    node, problems = read_yaml(path, shown)
    _located(problems, shown)
    assert (node is None) == bool(problems)
    if node is None:
        return None, problems
    results = {}
    for root in ([cls] if cls else schema.ROOTS.values()):
        obj, problems = load_node(node, root, shown)
        _located(problems, shown)
        assert obj is not None or problems, f"{root.__name__}: nothing built, and no problem said why"
        results[root] = (obj, problems)
    return node, results


# --- reading and loading -------------------------------------------------------------------


@settings(max_examples=250, **SETTINGS)
@given(value=values, allow_unicode=st.booleans())
def test_any_yaml_document_is_read_and_loaded_without_crashing(scratch, value, allow_unicode):
    path = scratch / "any.yaml"
    path.write_text(_dump(value, allow_unicode), encoding="utf-8")
    _read_and_load(path, "content/any.yaml")


@settings(max_examples=250, **SETTINGS)
@given(data=st.binary(max_size=300) | st.builds(lambda a, b: a + b, st.binary(max_size=40),
                                               st.sampled_from([b"numero: 1.1\ntitre: x\n", b"\xef\xbb\xbf",
                                                                b"- [a, {b: c}]\n", b"a: \xe9\n"])))
def test_any_bytes_are_read_without_crashing(scratch, data):
    path = scratch / "bytes.yaml"
    path.write_bytes(data)
    _read_and_load(path, "content/bytes.yaml")


@pytest.mark.parametrize("name", sorted(MINI))
@settings(max_examples=120, **SETTINGS)
@given(data=st.data(), allow_unicode=st.booleans())
def test_a_valid_file_with_wrong_values_gets_located_problems(scratch, name, data, allow_unicode):
    doc = data.draw(mutated(MINI[name]))
    path = scratch / "mutated.yaml"
    path.write_text(_dump(doc, allow_unicode), encoding="utf-8")
    _read_and_load(path, "content/mutated.yaml", ROOT_OF[name])


@settings(max_examples=60, **SETTINGS)
@given(data=st.data())
def test_a_content_folder_with_broken_files_raises_only_content_errors(scratch, data):
    content = scratch / "content"
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(DATA / "mini", content)
    (content / "sessions").mkdir()
    (content / "sessions" / "essai.yaml").write_text(_dump(SESSION, True), encoding="utf-8")
    broken = data.draw(st.lists(st.sampled_from(sorted(MINI)), min_size=1, max_size=3, unique=True))
    for name in broken:
        doc = data.draw(mutated(MINI[name]))
        (content / name).write_text(_dump(doc, data.draw(st.booleans())), encoding="utf-8")
    try:
        loaded = load_content(content)
    except ContentError as exc:
        assert exc.problems and exc.lines()[-1].endswith("nothing was written.")
        for problem in exc.problems:
            assert problem.where.line >= 1, problem  # every file exists: every problem has a line
    else:
        assert loaded.summary()


# --- typography ----------------------------------------------------------------------------


def _letters(text: str) -> list[str]:
    """Return the letters and digits of a text, with typographic signs mapped back to plain ones."""
    for fancy, plain in (("’", "'"), ("«", '"'), ("»", '"'), ("“", '"'), ("”", '"'), ("…", "...")):
        text = text.replace(fancy, plain)
    return [c for c in text if c.isalnum()]


@settings(max_examples=400, **SETTINGS)
@given(text=unicode_text | st.text(max_size=200))
def test_the_typography_filter_never_fails_and_keeps_every_letter_and_url(text):
    out = french(text)
    assert _letters(out) == _letters(text)
    for match in URL.finditer(text):
        assert match.group(0) in out
    markup = fr(text)
    assert isinstance(markup, Markup)
    assert "<script" not in markup and "<b>" not in markup
    assert _letters(markup.striptags()) == _letters(out)  # the markup step adds tags, never loses text


WORDS = ["le", "Été", "innovation", "27e", "n°", "5", "50", "%", "l'action", "aujourd'hui", "co-construction",
         "RÉ•ACTEUR", "œuvre", "*italique*", "http://www.la27eregion.fr/?p=3916", "www.adels.org",
         "mmarlin@la27eregion.fr", "(surtout", "vous)", '"citation"', "« déjà »", "“La Donnée”", "..."]
PUNCTUATION = ["", "", "", ".", ",", " :", ":", " ;", "?", " !", "...", " …"]
SEPARATORS = [" ", " ", " ", "  ", " - ", "\u00a0", "\u202f"]


@st.composite
def french_sentences(draw):
    """Sentences as French editors write them: words, spaces, punctuation after words."""
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        word = draw(st.sampled_from(WORDS))
        if "://" in word or "@" in word or word.startswith("www."):
            parts += [word, " "]  # an address stands alone between spaces
            continue
        parts += [word, draw(st.sampled_from(PUNCTUATION)), draw(st.sampled_from(SEPARATORS))]
    return "".join(parts).strip()


@settings(max_examples=500, **SETTINGS)
@given(text=french_sentences())
def test_the_typography_filter_is_idempotent_on_french_text(text):
    once = french(text)
    assert french(once) == once
    for match in URL.finditer(text):
        assert match.group(0) in once


@pytest.mark.parametrize("text", [
    pytest.param("Jauge:?", id="colon-before-question-mark"),
    pytest.param('"-"', id="quoted-hyphen"),
    pytest.param("voir www.adels.org...:", id="url-then-ellipsis"),
    pytest.param("le:;", id="colon-before-semicolon"),
    pytest.param("http://a.fr/x?y=1...\t…", id="url-ellipsis-tab-ellipsis"),
])
def test_typography_fixed_points_hypothesis_found(text):
    once = french(text)
    assert french(once) == once


def test_typography_fixed_point_hyphen_before_colon():
    once = french("Atelier -: suite")
    assert french(once) == once


# --- rendering random valid teintes ----------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzéèêàçôœ ABCDÉ 0123456789 ,.:;!?'’«»()-"
french_text = st.text(alphabet=st.sampled_from(list(LETTERS)), min_size=1, max_size=160).map(str.strip).filter(bool)
lists_of_text = st.lists(french_text, max_size=6)


@st.composite
def teintes(draw):
    """A valid teinte 2.1 made of random French-ish text."""
    doc = {"numero": "2.1", "titre": draw(french_text)}
    for name in ("finalites", "competences", "savoir_etre", "champ_lexical", "exemples_de_contenus"):
        items = draw(lists_of_text)
        if items:
            doc[name] = items
    refs = draw(st.lists(st.fixed_dictionaries({"texte": french_text},
                                               optional={"url": st.just("http://www.example.org/une/page")}),
                         max_size=4))
    if refs:
        doc["ressources"] = refs
    if draw(st.booleans()):
        doc["module"] = {"titre": draw(french_text), "deroule": draw(lists_of_text)}
    return doc


@pytest.fixture(scope="module")
def teinte_renderer(scratch):
    from nuancier_print.deck import card_format, deck_stylesheet
    from nuancier_print.engine import Engine

    content = scratch / "render"
    shutil.copytree(DATA / "mini", content)
    fmt = card_format(load_content(content))
    engine = Engine(roots=[content])
    return content, engine, engine.stylesheet(deck_stylesheet(fmt))


@settings(max_examples=8, **SETTINGS)
@given(doc=teintes())
def test_a_valid_random_teinte_renders_to_two_one_page_faces_or_a_fit_error(teinte_renderer, doc):
    from nuancier_print.deck import card_format, deck_cards

    content_dir, engine, css = teinte_renderer
    (content_dir / "teintes" / "2-1-troisieme.yaml").write_text(_dump(doc, True), encoding="utf-8")
    try:
        content = load_content(content_dir)
    except ContentError as exc:  # only the unfinished-text heuristics may object, as warnings
        pytest.fail("\n".join(exc.lines()))
    card = next(c for c in deck_cards(content, card_format(content)) if c.key == "teinte-2-1")
    for face in (card.recto, card.verso):
        try:
            _, document = engine.fit_face(face, css)
        except FitError as exc:
            assert str(exc).startswith(f"{face.label} does not fit on its card")
            continue
        assert len(PdfReader(io.BytesIO(engine.write([document], face.label))).pages) == 1
    assert engine.warnings == []


def test_the_strategies_cover_what_they_promise():
    categories = {unicodedata.bidirectional(c) for text in SPECIAL for c in text}
    assert {"R", "AL"} <= categories  # right-to-left scripts
    assert any(unicodedata.category(c) == "Mn" for text in SPECIAL for c in text)  # combining marks
    assert any(unicodedata.category(c) == "Cc" for text in SPECIAL for c in text)  # control characters
    assert any(ord(c) > 0xFFFF for text in SPECIAL for c in text)  # emoji, astral planes
