"""Fitting faces: text steps down until it fits, or the build says which face and by how much."""

from __future__ import annotations

import shutil

import pytest

from nuancier_print import fit
from nuancier_print.build import BuildOptions, build
from nuancier_print.content import load_content
from nuancier_print.deck import card_format, deck_cards, deck_faces, deck_stylesheet
from nuancier_print.engine import Engine
from nuancier_print.errors import FitError
from nuancier_print.fit import STEP, Probe

from .conftest import DATA, ROOT
from .pdfutil import page_texts


def _content(tmp_path, teinte_yaml: str):
    shutil.copytree(DATA / "mini", tmp_path / "content")
    (tmp_path / "content" / "teintes" / "2-1-troisieme.yaml").write_text(teinte_yaml, encoding="utf-8")
    return load_content(tmp_path / "content")


def _card(content, key):
    fmt = card_format(content)
    card = next(c for c in deck_cards(content, fmt) if c.key == key)
    engine = Engine(roots=[content.root])
    return engine, engine.stylesheet(deck_stylesheet(fmt)), card


def _overflow(engine, css, spec, size) -> float:
    html = engine.html(spec)
    return fit.overflow_mm(engine.layout(html, css, spec.label, size).pages, fit.probes_in(html))


SENTENCE = "Développer une culture commune de l'expérimentation dans les services publics locaux"


def _finalites(count: int) -> str:
    lines = "\n".join(f"  - {SENTENCE} ({i})" for i in range(count))
    return f"numero: 2.1\ntitre: Une teinte chargée\nfinalites:\n{lines}\n"


def test_a_full_face_steps_down_to_the_largest_size_that_fits(tmp_path):
    engine, css, card = _card(_content(tmp_path, _finalites(22)), "teinte-2-1")
    fitted, document = engine.fit_face(card.verso, css)
    assert 6.5 <= fitted.size < card.verso.base_size
    assert len(document.pages) == 1 and _overflow(engine, css, card.verso, fitted.size) == 0
    assert _overflow(engine, css, card.verso, fitted.size + STEP) > 0


def test_a_face_that_fits_keeps_the_base_size_in_one_layout(tmp_path):
    engine, css, card = _card(_content(tmp_path, _finalites(3)), "teinte-2-1")
    fitted, _ = engine.fit_face(card.verso, css)
    assert fitted.size == card.verso.base_size and fitted.layouts == 1


def test_a_face_too_long_even_at_the_floor_is_reported(tmp_path):
    engine, css, card = _card(_content(tmp_path, _finalites(120)), "teinte-2-1")
    with pytest.raises(FitError) as info:
        engine.fit_face(card.verso, css)
    message = str(info.value)
    assert message.startswith("teinte 2.1, verso does not fit on its card: even at 6.5 pt")
    assert "mm too long" in message and "lines" in message


def test_the_build_reports_every_face_that_does_not_fit_and_keeps_the_old_deck(tmp_path):
    _content(tmp_path, _finalites(3))
    out = tmp_path / "out"
    build(BuildOptions(content=tmp_path / "content", out=out))
    before = (out / "deck.pdf").read_bytes()
    (tmp_path / "content" / "teintes" / "2-1-troisieme.yaml").write_text(_finalites(120), encoding="utf-8")
    with pytest.raises(FitError) as info:
        build(BuildOptions(content=tmp_path / "content", out=out))
    assert "teinte 2.1, verso" in str(info.value) and "deck.pdf was not written" in str(info.value)
    assert (out / "deck.pdf").read_bytes() == before


def test_a_long_title_shrinks_instead_of_climbing_into_the_number(tmp_path):
    title = "Une teinte au titre " + "vraiment " * 40 + "long"
    engine, css, card = _card(_content(tmp_path, f"numero: 2.1\ntitre: {title}\n"), "teinte-2-1")
    assert _overflow(engine, css, card.recto, 8.0) > 0
    fitted, _ = engine.fit_face(card.recto, css)
    assert fitted.size < 8.0 and _overflow(engine, css, card.recto, fitted.size) == 0


def test_a_footer_that_loses_lines_overflows(tmp_path):
    content = _content(tmp_path, _finalites(3))
    engine, css, card = _card(content, "teinte-2-1")
    long_footer = {**card.verso.context, "footer": {"left": "mot " * 200, "right": "x"}}
    spec = type(card.verso)(card.verso.key, card.verso.label, card.verso.templates, long_footer)
    assert _overflow(engine, css, spec, 8.0) > 0


def test_a_2000_character_word_is_wrapped_inside_the_trim(tmp_path):
    word = "x" * 2000
    _content(tmp_path, f"numero: 2.1\ntitre: Mot long\nfinalites:\n  - {word}\n")
    build(BuildOptions(content=tmp_path / "content", out=tmp_path / "out", sheets=False))  # preflight: in the trim
    texts = page_texts(tmp_path / "out" / "deck.pdf")
    assert sum(text.count("x") for text in texts) >= 2000


def test_no_weasyprint_warnings_for_the_shipped_layouts(tmp_path):
    engine, css, card = _card(_content(tmp_path, _finalites(3)), "teinte-2-1")
    engine.write([engine.fit_face(card.recto, css)[1], engine.fit_face(card.verso, css)[1]], "deck")
    assert engine.warnings == []


def test_the_fitted_size_is_the_largest_that_fits_on_every_shipped_verso():
    content = load_content(ROOT / "content")
    fmt = card_format(content)
    engine = Engine(roots=[content.root])
    css = engine.stylesheet(deck_stylesheet(fmt))
    shrunk = 0
    for spec in [s for s in deck_faces(content, fmt) if s.key.endswith("verso") and "teinte" in s.key]:
        fitted, _ = engine.fit_face(spec, css)
        if fitted.size < spec.base_size:
            shrunk += 1
            assert _overflow(engine, css, spec, fitted.size + STEP) > 0, f"{spec.label} fits one step up"
        assert _overflow(engine, css, spec, fitted.size) == 0
    assert shrunk >= 5


def test_where_the_search_starts_never_changes_what_it_finds(tmp_path):
    engine, css, card = _card(_content(tmp_path, _finalites(22)), "teinte-2-1")
    found = {engine.fit_face(card.verso, css, start=start)[0].size for start in (None, 8.0, 7.0, 6.5, 7.5)}
    assert len(found) == 1


def test_a_face_is_laid_out_the_same_at_a_size_whatever_it_was_laid_out_at_before(tmp_path):
    engine, css, card = _card(_content(tmp_path, _finalites(22)), "teinte-2-1")
    html = engine.html(card.verso)
    source = engine.parse(html)
    engine.layout(source, css, "x", 8.0)
    again = engine.write([engine.layout(source, css, "x", 7.0)], "x")
    fresh = engine.write([engine.layout(html, css, "x", 7.0)], "x")
    assert again == fresh


# --- the search, on made-up faces ---------------------------------------------------------------


class _Page:
    """A laid-out page as fit reads it: its height (CSS px) and its anchors (x0, y0, x1, y1 in px)."""

    def __init__(self, anchors: dict, height_mm: float = 210.0):
        self.height = height_mm * fit.PX_PER_MM
        self.anchors = {name: tuple(v * fit.PX_PER_MM for v in box) for name, box in anchors.items()}


class _Document:
    def __init__(self, *pages):
        self.pages = list(pages)


FLOW = Probe.parse("fit-flow-max-190.00")


def _face(needed_at_8: float):
    """A face whose flow, starting 20 mm down, needs ``needed_at_8`` mm at 8 pt, growing with the square of the size."""
    calls = []

    def layout(size: float):
        calls.append(size)
        bottom = 20 + needed_at_8 * (size / 8) ** 2
        return _Document(_Page({FLOW.anchor: (0, 20, 80, min(bottom, 207))}))

    return layout, calls


def test_probes_are_read_from_ids():
    assert Probe.parse("fit-title-min-15.5") == Probe("fit-title-min-15.5", "title", "min", 15.5)
    assert Probe.parse("formation") is None
    html = '<p id="fit-a-max-12"></p><h1 id=\'fit-b-min-3.25\'>x</h1><p id="other">'
    assert [p.anchor for p in fit.probes_in(html)] == ["fit-a-max-12", "fit-b-min-3.25"]


def test_a_probe_beyond_its_limit_or_missing_overflows():
    page = _Page({FLOW.anchor: (0, 20, 80, 195)})
    assert fit.overflow_mm([page], [FLOW]) == pytest.approx(5)
    assert fit.overflow_mm([_Page({})], [FLOW]) == fit.MISSING_MM
    title = Probe.parse("fit-title-min-15.00")
    assert fit.overflow_mm([_Page({title.anchor: (0, 12, 80, 30)})], [title]) == pytest.approx(3)
    assert fit.overflow_mm([_Page({title.anchor: (0, 16, 80, 30)})], [title]) == 0


def test_a_second_page_overflows_even_with_every_probe_in_place():
    assert fit.overflow_mm([_Page({FLOW.anchor: (0, 20, 80, 100)}), _Page({})], [FLOW]) > 0


@pytest.mark.parametrize("needed", [100, 175, 190, 260, 400])
def test_the_search_finds_the_largest_step_that_fits_in_few_layouts(needed):
    layout, calls = _face(needed)
    outcome = fit.fit(layout, [FLOW], 8.0, 6.5)
    fits = [s for s in fit.sizes(8.0, 6.5) if 20 + needed * (s / 8) ** 2 <= 190 + fit.TOLERANCE_MM]
    if not fits:
        assert outcome.excess > 0 and outcome.size == 6.5
        return
    assert outcome.size == max(fits) and outcome.excess == 0
    assert len(calls) == len(set(calls)) <= 4  # no size laid out twice, and a guess close to the answer
