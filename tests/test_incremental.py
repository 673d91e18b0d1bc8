"""Regeneration: what a second build, an edit or a damaged file costs, and reproducible bytes."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from nuancier_print.build import BuildOptions, build
from nuancier_print.cache import Cache
from nuancier_print.errors import FitError
from nuancier_print.markup import LAYOUTS_DIR
from nuancier_print.outputs import booklet_paths

from .conftest import DATA, ROOT
from .pdfutil import page_texts, reader
from .test_booklet import lines


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A mini content folder with a fixed SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    shutil.copytree(DATA / "mini", tmp_path / "content")
    return tmp_path


def _build(project, **options):
    defaults = {"content": project / "content", "out": project / "out"}
    return build(BuildOptions(**{**defaults, **options}))


def _edit(project, name="1-1-premiere.yaml"):
    path = project / "content" / "teintes" / name
    path.write_text(path.read_text(encoding="utf-8").replace("Un contenu", "Un contenu modifié"), encoding="utf-8")


def test_a_second_build_lays_out_nothing_and_keeps_the_deck(project):
    first = _build(project)
    assert len(first.rendered) == 14 and first.layouts >= 14
    before = (project / "out" / "deck.pdf").stat().st_mtime_ns
    second = _build(project)
    assert second.rendered == [] and second.layouts == 0
    assert (project / "out" / "deck.pdf").stat().st_mtime_ns == before
    assert any("unchanged, not laid out again" in line for line in second.lines)


def test_editing_one_teinte_fits_exactly_its_faces(project):
    _build(project)
    _edit(project)
    result = _build(project)
    assert sorted(result.rendered) == ["teinte-1-1-recto", "teinte-1-1-verso"]
    assert result.layouts <= 14 + 2 * 4  # the others are laid out once, at the size the cache knows
    assert "Un contenu modifié" in reader(project / "out" / "deck.pdf").pages[5].extract_text()


def test_cold_and_incremental_outputs_are_byte_identical(project):
    _build(project)
    _edit(project)
    _build(project)
    incremental = (project / "out" / "deck.pdf").read_bytes()
    _build(project, out=project / "cold", cache=False)
    assert (project / "cold" / "deck.pdf").read_bytes() == incremental


def _records(project):
    return sorted((project / "out" / ".cache" / "records").rglob("*.json"))


def test_a_corrupt_cache_record_is_ignored_and_the_face_fitted_again(project):
    _build(project)
    (project / "out" / "deck.pdf").unlink()
    for record in _records(project):
        record.write_text("{not json", encoding="utf-8")
    result = _build(project)
    assert len(result.rendered) == 14 and len(reader(project / "out" / "deck.pdf").pages) == 14


def test_editing_a_template_fits_again_only_the_faces_that_use_it(project, tmp_path):
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    _build(project, layouts=layouts)
    path = layouts / "closing-verso.html.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("<h2>Licence</h2>", "<h2>Licence.</h2>"),
                    encoding="utf-8")
    assert _build(project, layouts=layouts).rendered == ["closing-verso"]
    path = layouts / "_macros.html.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("<h2>", "<h2 class=\"x\">"), encoding="utf-8")
    rendered = _build(project, layouts=layouts).rendered
    assert "teinte-1-1-verso" in rendered and "closing-verso" not in rendered  # only faces with macro headings


def test_a_failed_build_keeps_the_outputs(project):
    _build(project)
    before = (project / "out" / "deck.pdf").read_bytes()
    path = project / "content" / "teintes" / "2-1-troisieme.yaml"
    path.write_text("numero: 2.1\ntitre: Trop long\nfinalites:\n" + "".join(
        f"  - Une finalité très longue qui se répète pour remplir la carte ({i})\n" for i in range(150)),
        encoding="utf-8")
    with pytest.raises(FitError):
        _build(project)
    assert (project / "out" / "deck.pdf").read_bytes() == before


def test_the_faces_that_fit_are_cached_even_when_another_does_not(project):
    path = project / "content" / "teintes" / "2-1-troisieme.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("finalites:\n", "finalites:\n" + "".join(
        f"  - Une finalité très longue qui se répète pour remplir la carte ({i})\n" for i in range(150)), 1),
        encoding="utf-8")
    with pytest.raises(FitError):
        _build(project)  # a cold build: every other face is fitted, one does not fit
    path.write_text(good, encoding="utf-8")
    assert _build(project).rendered == ["teinte-2-1-recto", "teinte-2-1-verso"]  # the fixed card only


# --- booklets -------------------------------------------------------------------------------------


@pytest.fixture
def with_session(tmp_path, monkeypatch):
    """The shipped content (with its example session), booklets only."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


REUSED = "; unchanged, not rendered again"


def _booklet(project, **options):
    result = _build(project, deck=False, sheets=False, **options)
    (line,) = [line for line in result.lines if line.startswith("booklet:")]
    return line, booklet_paths(project / "out", "faire-ensemble-autrement").booklet


def _edit_teinte(project, prefix: str):
    path = next((project / "content" / "teintes").glob(f"{prefix}-*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("titre: ", "titre: Nouveau ", 1), encoding="utf-8")


def test_an_unchanged_booklet_is_not_rendered_again(with_session):
    first, path = _booklet(with_session)
    assert not first.endswith(REUSED)
    before = path.read_bytes(), path.stat().st_mtime_ns
    second, _ = _booklet(with_session)
    assert second.endswith(REUSED)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_only_an_edit_to_a_teinte_the_session_covered_renders_the_booklet_again(with_session):
    _booklet(with_session)
    _edit_teinte(with_session, "1-1")  # the example session did not cover 1.1
    assert _booklet(with_session)[0].endswith(REUSED)
    _edit_teinte(with_session, "2-2")  # ...but it covered 2.2
    line, path = _booklet(with_session)
    assert not line.endswith(REUSED)
    assert "Nouveau" in "".join(page.extract_text() for page in reader(path).pages)


def _edit_session(project, old: str, new: str):
    path = project / "content" / "sessions" / "faire-ensemble-autrement.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_longer_lecture_critique_moves_the_folios_and_the_sommaire_follows(with_session):
    _booklet(with_session)
    before = page_texts(booklet_paths(with_session / "out", "faire-ensemble-autrement").booklet)
    quote = "J'aurais aimé avoir plus de temps pour trier les idées."
    _edit_session(with_session, quote, quote + " " + "Une phrase de plus pour allonger ce témoignage. " * 60)
    _, path = _booklet(with_session)
    texts = page_texts(path)
    assert len(texts) > len(before) and len(texts) % 4 == 0
    start = next(i for i, t in enumerate(texts) if "N° 5.1" in t)  # the teinte after 3.2, moved
    assert start > next(i for i, t in enumerate(before) if "N° 5.1" in t)
    booklet = reader(path)
    assert booklet.get_destination_page_number(booklet.named_destinations["teinte-5-1"]) == start
    sommaire = lines(booklet.pages[next(i for i, t in enumerate(texts) if t.startswith("Sommaire"))])
    assert re.search(rf"La mise en test[ .]*? {start + 1}\b", sommaire)  # the number printed there
    assert str(start + 1) in texts[start].split()  # its folio
    cold = with_session / "cold"
    build(BuildOptions(content=with_session / "content", out=cold, deck=False, sheets=False, cache=False))
    assert booklet_paths(cold, "faire-ensemble-autrement").booklet.read_bytes() == path.read_bytes()  # = cold


def test_a_damaged_booklet_is_rendered_again(with_session):
    _, path = _booklet(with_session)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    line, _ = _booklet(with_session)
    assert not line.endswith(REUSED) and path.read_bytes() == good


# --- imposed sheets ---------------------------------------------------------------------------------

KEPT_SHEETS = "unchanged, not imposed again"


def _sheets(project, **options):
    result = _build(project, **options)
    (line,) = [line for line in result.lines if line.startswith("sheets:")]
    return line


def test_sheets_are_kept_while_the_deck_and_their_options_do_not_change(project):
    assert not _sheets(project).endswith(KEPT_SHEETS)
    path = project / "out" / "deck-sheets-A3.pdf"
    before = path.read_bytes(), path.stat().st_mtime_ns
    assert _sheets(project).endswith(KEPT_SHEETS)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert not _sheets(project, flip="short").endswith(KEPT_SHEETS)  # another option: imposed again
    _edit(project)
    assert not _sheets(project, flip="short").endswith(KEPT_SHEETS)  # another deck: imposed again


def test_damaged_sheets_are_imposed_again(project):
    _sheets(project)
    path = project / "out" / "deck-sheets-A3.pdf"
    good = path.read_bytes()
    path.write_bytes(good[:1000])
    assert not _sheets(project).endswith(KEPT_SHEETS)
    assert path.read_bytes() == good


# --- keeping the cache bounded -----------------------------------------------------------------------


def _aged(cache: Cache, key: str, used: float, data: dict | None = None) -> None:
    cache.put(key, data or {"size": 8.0, "padding": "x" * 900})
    os.utime(cache._path(key), (used, used))


def test_prune_deletes_the_least_recently_used_records_first(tmp_path):
    cache = Cache(tmp_path)
    for key, used in (("a" * 64, 1_000), ("b" * 64, 2_000), ("c" * 64, 3_000)):
        _aged(cache, key, used)
    (tmp_path / "records" / "aa" / "notes.txt").write_text("not ours", encoding="utf-8")
    size = sum(f.stat().st_size for f in (tmp_path / "records").rglob("*.json"))
    assert cache.prune(max_bytes=size - 1) == 1
    assert cache.get("a" * 64) is None and cache.get("b" * 64) and cache.get("c" * 64)
    assert (tmp_path / "records" / "aa" / "notes.txt").exists()
    assert cache.prune(max_bytes=10_000) == 0 and Cache(None).prune() == 0


def test_reading_a_record_marks_it_used(tmp_path):
    cache = Cache(tmp_path)
    _aged(cache, "d" * 64, 1_000)
    _aged(cache, "e" * 64, 1_000)
    assert cache.get("d" * 64) is not None  # used now: "e" is the least recently used
    size = sum(f.stat().st_size for f in (tmp_path / "records").rglob("*.json"))
    assert cache.prune(max_bytes=size - 1) == 1
    assert cache.get("d" * 64) is not None and cache.get("e" * 64) is None


def test_the_cache_is_pruned_now_and_then_not_at_every_build(tmp_path, monkeypatch):
    from nuancier_print import cache as module

    calls = []
    monkeypatch.setattr(Cache, "prune", lambda self: calls.append(self.folder) or 0)
    cache = Cache(tmp_path)
    cache.prune_now_and_then()
    cache.prune_now_and_then()  # within PRUNE_EVERY_SECONDS of the first
    assert calls == [tmp_path / "records"]
    monkeypatch.setattr(module, "PRUNE_EVERY_SECONDS", 0)
    cache.prune_now_and_then()
    assert len(calls) == 2 and Cache(None).prune_now_and_then() == 0


def test_page_checks_are_kept_with_each_face_and_reported_again(project, tmp_path, monkeypatch):
    from PIL import Image

    from nuancier_print import preflight

    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    Image.new("CMYK", (160, 160), (0, 80, 80, 0)).save(layouts / "tampon.jpg")  # 203 dpi over 20 mm: a warning
    closing = layouts / "closing-recto.html.j2"
    closing.write_text(closing.read_text(encoding="utf-8").replace(
        "{% block main %}", '{% block main %}<img src="tampon.jpg" style="width: 20mm">', 1), encoding="utf-8")
    first = _build(project, layouts=layouts)
    warning = [line for line in first.lines if "image 1 is 203 dpi" in line]
    assert warning and "page 13: warning" in warning[0]
    read = []
    real = preflight.drawn_pages
    monkeypatch.setattr(preflight, "drawn_pages", lambda *a, **k: read.append(k.get("only")) or real(*a, **k))
    _edit(project)
    second = _build(project, layouts=layouts)
    assert read[0] == {5, 6}  # the edited teinte's faces only: the others were checked before
    assert [line for line in second.lines if "image 1 is 203 dpi" in line] == warning
