"""Fitting faces: text steps down until it fits, or the build says which face and by how much."""

from __future__ import annotations

import shutil

import pytest

from nuancier_print.build import BuildOptions, build
from nuancier_print.content import load_content
from nuancier_print.deck import card_format, deck_cards, deck_faces, deck_stylesheet
from nuancier_print.errors import FitError
from nuancier_print.render import STEP, Renderer, overflow_mm, zone_overflow_mm

from .conftest import DATA



def _content(tmp_path, teinte_yaml: str):
    shutil.copytree(DATA / "mini", tmp_path / "content")
    (tmp_path / "content" / "teintes" / "2-1-troisieme.yaml").write_text(teinte_yaml, encoding="utf-8")
    return load_content(tmp_path / "content")


def _card(content, key):
    fmt = card_format(content)
    card = next(c for c in deck_cards(content, fmt) if c.key == key)
    return Renderer(deck_stylesheet(fmt), roots=[content.root]), card


SENTENCE = "Développer une culture commune de l'expérimentation dans les services publics locaux"


def _finalites(count: int) -> str:
    lines = "\n".join(f"  - {SENTENCE} ({i})" for i in range(count))
    return f"numero: 2.1\ntitre: Une teinte chargée\nfinalites:\n{lines}\n"


def test_a_full_face_steps_down_to_the_largest_size_that_fits(tmp_path):
    renderer, card = _card(_content(tmp_path, _finalites(22)), "teinte-2-1")
    face = renderer.render(card.verso)
    assert 6.5 <= face.size < card.verso.base_size
    assert len(renderer.layout(card.verso, face.size).pages) == 1
    assert overflow_mm(renderer.layout(card.verso, face.size + STEP)) > 0


def test_a_face_that_fits_keeps_the_base_size(tmp_path):
    renderer, card = _card(_content(tmp_path, _finalites(3)), "teinte-2-1")
    face = renderer.render(card.verso)
    assert face.size == card.verso.base_size and face.renders == 1


def test_a_face_too_long_even_at_the_floor_is_reported(tmp_path):
    renderer, card = _card(_content(tmp_path, _finalites(120)), "teinte-2-1")
    with pytest.raises(FitError) as info:
        renderer.render(card.verso)
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


def test_a_long_title_shrinks_instead_of_spilling_out_of_the_band(tmp_path):
    title = "Une teinte au titre " + "vraiment " * 40 + "long"
    renderer, card = _card(_content(tmp_path, f"numero: 2.1\ntitre: {title}\n"), "teinte-2-1")
    assert zone_overflow_mm(renderer.layout(card.recto, 8.0).pages[0]) > 0
    face = renderer.render(card.recto)
    assert face.size < 8.0
    assert zone_overflow_mm(renderer.layout(card.recto, face.size).pages[0]) == 0


def test_a_2000_character_word_is_wrapped_inside_the_trim(tmp_path):
    word = "x" * 2000
    content = _content(tmp_path, f"numero: 2.1\ntitre: Mot long\nfinalites:\n  - {word}\n")
    renderer, card = _card(content, "teinte-2-1")
    face = renderer.render(card.verso)
    document = renderer.layout(card.verso, face.size)
    page = document.pages[0]
    width = page._page_box.margin_width()
    for box in page._page_box.descendants():
        if hasattr(box, "position_x") and getattr(box, "text", None):
            assert box.position_x + box.width <= width + 0.01
    assert len(reader_pages(face.pdf)) == 1


def reader_pages(data: bytes):
    import io

    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).pages


def test_no_weasyprint_warnings_for_the_shipped_layouts(tmp_path):
    renderer, card = _card(_content(tmp_path, _finalites(3)), "teinte-2-1")
    renderer.render(card.recto)
    renderer.render(card.verso)
    assert renderer.warnings == []




def test_the_fitted_size_is_the_largest_that_fits_on_every_shipped_verso():
    # fit() skips the layout one step up when the fitting layout proves it overflows
    # (certain_overflow); an exhaustive search must agree on every face that shrinks.
    from nuancier_print.deck import deck_faces
    from nuancier_print.render import certain_overflow

    from .conftest import ROOT

    content = load_content(ROOT / "content")
    fmt = card_format(content)
    renderer = Renderer(deck_stylesheet(fmt), roots=[content.root])
    shortcuts = 0
    for spec in [s for s in deck_faces(content, fmt) if s.key.endswith("verso") and "teinte" in s.key]:
        document, size, _ = renderer.fit(spec)
        if size == spec.base_size:
            continue
        larger = renderer.layout(spec, size + STEP)
        assert overflow_mm(larger) > 0, f"{spec.label} would fit at {size + STEP} pt"
        shortcuts += certain_overflow(document, size, size + STEP)
    assert shortcuts >= 1  # the shortcut is taken on the shipped content, and was right


@pytest.mark.parametrize("lines, certain", [(27, True), (20, False)])
def test_certain_overflow_compares_the_flow_growth_with_the_room_left(lines, certain):
    from weasyprint import HTML

    from nuancier_print.render import certain_overflow

    # 8 pt lines at line-height 1.3 are 3.67 mm: 27 of them leave 1 mm of a 100 mm page,
    # and one step up (8.25 pt) they need 3 mm more; 20 of them leave 27 mm.
    html = ("<style>@page { size: 100mm 100mm; margin: 0 } html { font-size: 8pt; line-height: 1.3 }"
            "body, p { margin: 0 }</style>" + "<p>ligne</p>" * lines)
    document = HTML(string=html).render()
    assert len(document.pages) == 1
    assert certain_overflow(document, 8.0, 8.0 + STEP) is certain


def _page(body_css: str, blocks: int):
    from weasyprint import HTML

    html = ("<style>@page { size: 100mm 100mm; margin: 0 } html { font-size: 8pt; line-height: 1.3 }"
            f"body {{ margin: 0 }} p {{ margin: 0; {body_css} }}</style>" + "<p>ligne</p>" * blocks)
    document = HTML(string=html).render()
    assert len(document.pages) == 1
    return document


def test_certain_overflow_counts_spacing_in_em_as_growing_with_the_size():
    from nuancier_print.render import certain_overflow, overflow_mm

    # 15 lines of 3.67 mm with 14 gaps of 1.1 em (3.10 mm) end at 98.5 mm. One step up,
    # the lines alone grow by 1.7 mm, less than the 1.5 mm left plus rounding; lines and
    # gaps grow by 3.1 mm, so the face cannot fit, and indeed it does not.
    document = _page("margin-bottom: 1.1em", 15)
    assert certain_overflow(document, 8.0, 8.0 + STEP)
    from weasyprint import HTML

    larger = HTML(string="<style>@page { size: 100mm 100mm; margin: 0 } html { font-size: 8.25pt; "
                  "line-height: 1.3 } body { margin: 0 } p { margin: 0; margin-bottom: 1.1em }</style>"
                  + "<p>ligne</p>" * 15).render()
    assert overflow_mm(larger) > 0


@pytest.mark.parametrize("css, blocks", [("margin-bottom: 3.1mm", 15),
                                         ("margin-bottom: 1.1em; position: relative; top: 82mm", 3)])
def test_certain_overflow_does_not_count_spacing_in_mm_as_growing(css, blocks):
    from nuancier_print.render import certain_overflow

    # The same page with gaps of 3.1 mm: only the lines grow, by less than the room left.
    # Or 3 lines ending at 17 mm, moved down 82 mm (to 99 mm) by an offset that does not grow.
    assert not certain_overflow(_page(css, blocks), 8.0, 8.0 + STEP)


@pytest.mark.parametrize("css", ["font-size: 8pt", "line-height: 3.7mm", "height: 3.7mm", "margin-bottom: 0.01%",
                                 "float: left; width: 100%", "display: flex", "display: table"])
def test_certain_overflow_claims_nothing_of_a_flow_it_cannot_bound(css):
    from nuancier_print.render import certain_overflow

    # 27 lines leave about 1 mm, and would grow by 3 mm if they followed the size: with
    # this length or layout, which may not, what the page does one step up is not known.
    assert not certain_overflow(_page(css, 27), 8.0, 8.0 + STEP)
    assert certain_overflow(_page("", 27), 8.0, 8.0 + STEP)


def test_certain_overflow_claims_nothing_of_a_flow_with_an_image():
    from weasyprint import HTML

    from nuancier_print.render import certain_overflow

    pixel = ("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'></svg>")
    html = ("<style>@page { size: 100mm 100mm; margin: 0 } html { font-size: 8pt; line-height: 1.3 }"
            f"body, p {{ margin: 0 }}</style><p><img src=\"{pixel}\"></p>" + "<p>ligne</p>" * 26)
    document = HTML(string=html).render()
    assert len(document.pages) == 1
    assert not certain_overflow(document, 8.0, 8.0 + STEP)


@pytest.mark.parametrize("count, sentence", [(n, SENTENCE) for n in (18, 19, 21)]
                         + [(n, SENTENCE[:37]) for n in (33, 38)] + [(n, SENTENCE * 2) for n in (12, 13, 14)])
def test_certain_overflow_is_never_wrong_on_synthetic_versos(tmp_path, count, sentence):
    # At every size from the fitted one down, a claim that one step up overflows is
    # checked against the layout one step up.
    from nuancier_print.render import certain_overflow, largest_size_estimate

    lines = "\n".join(f"  - {sentence} ({i})" for i in range(count))
    yaml = (f"numero: 2.1\ntitre: Une teinte chargée\nchamp_lexical: [un, deux, trois]\n"
            f"finalites:\n{lines}\nsavoir_etre: Écoute, patience\n")
    renderer, card = _card(_content(tmp_path, yaml), "teinte-2-1")
    _, fitted, _ = renderer.fit(card.verso)
    claims = 0
    for size in (fitted, fitted - STEP, fitted - 2 * STEP):
        if size + STEP > card.verso.base_size:
            continue
        if certain_overflow(renderer.layout(card.verso, size), size, size + STEP):
            claims += 1
            assert overflow_mm(renderer.layout(card.verso, size + STEP)) > 0, f"{size + STEP} pt fits"
    assert claims <= 1  # only the fitted size can prove its next step overflows
    # What the predictor learns: an upper bound on the largest size that fits.
    estimate = largest_size_estimate(renderer.layout(card.verso, fitted), fitted, fitted + STEP)
    assert fitted < estimate <= fitted + STEP
    if estimate < fitted + STEP - 0.02:
        assert overflow_mm(renderer.layout(card.verso, estimate + 0.01)) > 0


def test_a_renderer_predicts_the_size_of_a_face_from_those_it_shrank(tmp_path):
    renderer, card = _card(_content(tmp_path, _finalites(22)), "teinte-2-1")
    assert renderer.predict(card.verso) is None  # nothing learnt yet
    first = renderer.render(card.verso)
    assert first.size < card.verso.base_size
    # A heavier face of the same layout: predicted near its size, found in fewer layouts.
    heavier, heavy_card = _card(_content(tmp_path / "heavier", _finalites(23)), "teinte-2-1")
    cold = heavier.render(heavy_card.verso)
    heavier._fitted = renderer._fitted
    predicted = heavier.predict(heavy_card.verso)
    warm = heavier.render(heavy_card.verso)
    assert abs(predicted - cold.size) <= 2 * STEP
    assert warm.size == cold.size  # where the search starts never changes what it finds
    assert warm.renders < cold.renders


@pytest.mark.parametrize("start", [8.0, 7.5, 7.0, 6.5])
def test_the_fitted_size_does_not_depend_on_where_the_search_starts(tmp_path, start):
    renderer, card = _card(_content(tmp_path, _finalites(22)), "teinte-2-1")
    _, expected, _ = renderer.fit(card.verso)
    _, found, _ = renderer.fit(card.verso, hint=start)
    assert found == expected


def test_walk_lists_every_box_in_document_order_once():
    from nuancier_print.render import page_boxes, walk

    def recursive(box):  # what walk did before it kept its own stack
        inner = getattr(box, "_box", box)
        yield inner
        for child in getattr(inner, "children", ()) or ():
            yield from recursive(child)

    content = load_content(DATA / "mini")
    fmt = card_format(content)
    renderer = Renderer(deck_stylesheet(fmt), roots=[content.root])
    spec = next(face for face in deck_faces(content, fmt) if face.label.endswith("verso") and "teinte" in face.label)
    page = renderer.layout(spec, spec.base_size).pages[0]
    expected = list(recursive(page._page_box))
    positioned = [b for b in expected if getattr(b, "style", None) and b.style["position"] in ("absolute", "fixed")]
    assert len(expected) > 100 and positioned  # boxes placed out of the flow are walked too
    assert list(walk(page._page_box)) == expected
    assert page_boxes(page) == expected and page_boxes(page) is page_boxes(page)


def test_a_face_parsed_once_is_laid_out_at_any_size_as_if_made_at_that_size():
    from nuancier_print.render import _resize

    content = load_content(DATA / "mini")
    fmt = card_format(content)
    renderer = Renderer(deck_stylesheet(fmt), roots=[content.root])
    spec = next(face for face in deck_faces(content, fmt) if face.label.endswith("verso") and "teinte" in face.label)
    source = renderer.parse(renderer.html(spec, spec.base_size))
    for size in (7.0, 7.75):
        reused = renderer.layout(spec, size, source=source)
        assert source.etree_element.get("style") == f"font-size: {size}pt"
        assert reused.write_pdf() == renderer.layout(spec, size).write_pdf()
    bare = renderer.parse("<html><body><p>Sans taille</p></body></html>")
    assert _resize(bare, 7.0) is False and bare.etree_element.get("style") is None  # then it is made again


def test_certain_overflow_does_not_count_a_line_taller_than_its_strut_as_growing(tmp_path):
    # Found by tests/fit_soundness.py (seed 8). At 6.5 pt the module's title breaks so that its
    # first line holds a glyph of another font and is 0.37 mm taller than its line-height;
    # at 6.75 pt it breaks elsewhere and that excess is gone. Counting it as growing claimed
    # that 6.75 pt overflows, and it fits.
    from nuancier_print.render import certain_overflow

    yaml = (DATA / "fit" / "excess-line.yaml").read_text(encoding="utf-8")
    renderer, card = _card(_content(tmp_path, yaml), "teinte-2-1")
    assert overflow_mm(renderer.layout(card.verso, 6.75)) == 0
    assert not certain_overflow(renderer.layout(card.verso, 6.5), 6.5, 6.75)
