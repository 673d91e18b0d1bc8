"""Incremental builds: the cache, parallel rendering and reproducible bytes."""

from __future__ import annotations

import re
import shutil

import pytest

from nuancier_print.build import BuildOptions, build
from nuancier_print.errors import FitError

from .conftest import DATA
from .pdfutil import page_texts, reader
from .test_booklet import lines


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A mini content folder with a fixed SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    shutil.copytree(DATA / "mini", tmp_path / "content")
    return tmp_path


def _build(project, **options):
    defaults = {"content": project / "content", "out": project / "out", "jobs": 1}
    return build(BuildOptions(**{**defaults, **options}))


def _edit(project, name="1-1-premiere.yaml"):
    path = project / "content" / "teintes" / name
    path.write_text(path.read_text(encoding="utf-8").replace("Un contenu", "Un contenu modifié"), encoding="utf-8")


def test_a_second_build_renders_nothing(project):
    first = _build(project)
    assert len(first.rendered) == 14
    second = _build(project)
    assert second.rendered == []
    assert (project / "out" / "deck.pdf").exists()


def test_editing_one_teinte_renders_exactly_its_faces(project):
    _build(project)
    _edit(project)
    result = _build(project)
    assert sorted(result.rendered) == ["teinte-1-1-recto", "teinte-1-1-verso"]
    assert "Un contenu modifié" in reader(project / "out" / "deck.pdf").pages[5].extract_text()


def test_cold_and_incremental_outputs_are_byte_identical(project):
    _build(project)
    _edit(project)
    _build(project)
    incremental = (project / "out" / "deck.pdf").read_bytes()
    _build(project, out=project / "cold", cache=False)
    assert (project / "cold" / "deck.pdf").read_bytes() == incremental


def test_jobs_do_not_change_the_bytes(project):
    _build(project, out=project / "one", jobs=1, cache=False)
    _build(project, out=project / "two", jobs=2, cache=False)
    assert (project / "one" / "deck.pdf").read_bytes() == (project / "two" / "deck.pdf").read_bytes()


@pytest.mark.parametrize("jobs", [1, 2])
def test_faces_prepared_for_assembly_while_rendering_give_the_same_bytes(project, monkeypatch, jobs):
    from nuancier_print import pdfout

    prepared = []
    real_prepare = pdfout.prepare
    monkeypatch.setattr(pdfout, "prepare", lambda data: prepared.append(data) or real_prepare(data))
    monkeypatch.setattr(pdfout, "_READERS", {})
    _build(project, out=project / "prepared", jobs=jobs, cache=False)
    assert len(prepared) == 14 and len(pdfout._READERS) == 14  # each new face, once, in the main process
    monkeypatch.setattr(pdfout, "prepare", lambda data: None)
    monkeypatch.setattr(pdfout, "_READERS", {})
    _build(project, out=project / "lazy", jobs=jobs, cache=False)
    assert (project / "prepared" / "deck.pdf").read_bytes() == (project / "lazy" / "deck.pdf").read_bytes()


def test_a_truncated_cache_entry_is_rebuilt(project):
    _build(project)
    entries = sorted((project / "out" / ".cache" / "faces").rglob("*.pdf"))
    assert len(entries) == 14
    victim = entries[0]
    victim.write_bytes(victim.read_bytes()[: len(victim.read_bytes()) // 2])
    result = _build(project)
    assert len(result.rendered) == 1
    assert victim.read_bytes().startswith(b"%PDF") and len(reader(project / "out" / "deck.pdf").pages) == 14


def test_a_corrupt_cache_record_is_rebuilt(project):
    _build(project)
    record = sorted((project / "out" / ".cache" / "faces").rglob("*.json"))[0]
    record.write_text("{not json", encoding="utf-8")
    assert len(_build(project).rendered) == 1


def test_editing_a_template_renders_only_the_faces_that_use_it(project, tmp_path):
    from nuancier_print.render import LAYOUTS_DIR

    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    _build(project, layouts=layouts)
    path = layouts / "closing-verso.html.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    assert _build(project, layouts=layouts).rendered == ["closing-verso"]
    path = layouts / "_macros.html.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    rendered = _build(project, layouts=layouts).rendered
    assert "teinte-1-1-verso" in rendered and len(rendered) == 14  # every face imports the macros


def test_a_failed_build_keeps_the_cache_and_the_outputs(project):
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
        _build(project)  # a cold build: every other face is rendered, one does not fit
    path.write_text(good, encoding="utf-8")
    rendered = _build(project).rendered
    assert rendered == ["teinte-2-1-recto", "teinte-2-1-verso"]  # the fixed card, not the whole deck


# --- booklets -------------------------------------------------------------------------------------


@pytest.fixture
def with_session(tmp_path, monkeypatch):
    """The shipped content (with its example session), booklets only."""
    from .conftest import ROOT

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


REUSED = "; unchanged, not rendered again"


def _booklet(project):
    result = _build(project, deck=False, sheets=False)
    (line,) = [line for line in result.lines if line.startswith("booklet:")]
    return line, project / "out" / "booklet-faire-ensemble-autrement.pdf"


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


def _rendered_sections(line: str) -> tuple[int, int]:
    some = re.search(r"; (\d+) of (\d+) sections rendered, (\d+) reused$", line)
    if some:
        assert int(some[1]) + int(some[3]) == int(some[2])
        return int(some[1]), int(some[2])
    every = int(re.search(r"; (\d+) sections rendered$", line)[1])
    return every, every


def _edit_session(project, old: str, new: str):
    path = project / "content" / "sessions" / "faire-ensemble-autrement.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_to_what_a_session_lived_renders_only_that_teinte_s_section(with_session):
    first, path = _booklet(with_session)
    assert _rendered_sections(first) == (9, 9)  # opening, sommaire twice, 4 teintes, closing, notes pages
    _edit_session(with_session, "J'aurais aimé avoir plus de temps", "J'aurais aimé avoir un peu plus de temps")
    line, _ = _booklet(with_session)
    assert _rendered_sections(line) == (1, 9)  # teinte 3.2's section; the page numbers did not move
    assert "un peu plus de temps" in "".join(page.extract_text() for page in reader(path).pages)


def test_a_section_that_grows_moves_the_folios_after_it(with_session):
    _booklet(with_session)
    before = page_texts(with_session / "out" / "booklet-faire-ensemble-autrement.pdf")
    quote = "J'aurais aimé avoir plus de temps pour trier les idées."
    _edit_session(with_session, quote, quote + " " + "Une phrase de plus pour allonger ce témoignage. " * 60)
    line, path = _booklet(with_session)
    rendered, total = _rendered_sections(line)
    texts = page_texts(path)
    assert len(texts) > len(before) and 1 < rendered < total  # 3.2, what follows it, the sommaire
    start = next(i for i, t in enumerate(texts) if "N° 5.1" in t)  # the teinte after 3.2, moved
    assert start > next(i for i, t in enumerate(before) if "N° 5.1" in t)
    booklet = reader(path)
    links = [a.get_object().get("/Dest") for page in booklet.pages for a in page.get("/Annots") or ()]
    assert "teinte-5-1" in links  # the sommaire's entry, a link to the teinte's destination...
    assert booklet.get_destination_page_number(booklet.named_destinations["teinte-5-1"]) == start  # ...moved
    sommaire = lines(booklet.pages[next(i for i, t in enumerate(texts) if t.startswith("Sommaire"))])
    assert re.search(rf"La mise en test[ .]*? {start + 1}\b", sommaire)  # the number printed there
    assert str(start + 1) in texts[start].split()  # its folio
    cold = with_session / "cold"
    build(BuildOptions(content=with_session / "content", out=cold, deck=False, sheets=False, cache=False, jobs=1))
    assert (cold / path.name).read_bytes() == path.read_bytes()  # incremental = cold, byte for byte


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


def _entry(folder, key: str, size: int, used: float):
    import os

    sub = folder / key[:2]
    sub.mkdir(parents=True, exist_ok=True)
    (sub / f"{key}.pdf").write_bytes(b"%PDF" + b"x" * (size - 4))
    (sub / f"{key}.json").write_text("{}", encoding="utf-8")
    os.utime(sub / f"{key}.json", (used, used))
    return sub / f"{key}.pdf"


def test_prune_deletes_the_least_recently_used_entries_first(tmp_path):
    from nuancier_print.cache import prune

    cache = tmp_path / ".cache"
    old = _entry(cache / "faces", "a" * 64, 1000, used=1_000)
    middle = _entry(cache / "booklet-sections", "b" * 64, 1000, used=2_000)
    recent = _entry(cache / "faces", "c" * 64, 1000, used=3_000)
    (cache / "faces" / "sizes.json").write_text("{}", encoding="utf-8")
    (cache / "faces" / "aa" / "notes.txt").write_text("not ours", encoding="utf-8")
    assert prune(cache, max_bytes=2_100) == 1
    assert not old.exists() and not old.with_suffix(".json").exists()
    assert middle.exists() and recent.exists()
    assert (cache / "faces" / "sizes.json").exists() and (cache / "faces" / "aa" / "notes.txt").exists()
    assert prune(cache, max_bytes=10_000) == 0 and prune(None) == 0


def test_reading_an_entry_marks_it_used(tmp_path):
    import os

    from nuancier_print.cache import Entry, FaceCache, prune

    cache = FaceCache(tmp_path)
    cache.put("d" * 64, Entry(b"%PDF-1.7 d", 8.0, 1))
    cache.put("e" * 64, Entry(b"%PDF-1.7 e", 8.0, 1))
    for key in ("d" * 64, "e" * 64):
        record = tmp_path / "faces" / key[:2] / f"{key}.json"
        os.utime(record, (1_000, 1_000))
    assert cache.get("d" * 64) is not None  # used now: "e" is the least recently used
    size = sum(f.stat().st_size for f in (tmp_path / "faces").rglob("*") if f.is_file())
    assert prune(tmp_path, max_bytes=size - 1) == 1
    assert cache.get("d" * 64) is not None and cache.get("e" * 64) is None


def test_a_build_keeps_the_cache_under_its_limit_and_what_it_used(project, monkeypatch):
    from nuancier_print import cache

    _build(project)
    used = sum(f.stat().st_size for f in (project / "out" / ".cache" / "faces").rglob("*.*") if f.is_file())
    monkeypatch.setattr(cache, "MAX_CACHE_BYTES", used + 1000)
    monkeypatch.setattr(cache, "PRUNE_EVERY_SECONDS", 0)
    _edit(project)
    assert len(_build(project).rendered) == 2  # the edited teinte's new faces push its old ones out
    assert _build(project).rendered == []  # ...and nothing this build used was lost
    kept = sorted(f.name for f in (project / "out" / ".cache" / "faces").rglob("*.pdf"))
    assert len(kept) == 14


def test_the_cache_is_pruned_now_and_then_not_at_every_build(tmp_path, monkeypatch):
    from nuancier_print import cache

    calls = []
    monkeypatch.setattr(cache, "prune", lambda folder: calls.append(folder) or 0)
    cache.prune_now_and_then(tmp_path)
    cache.prune_now_and_then(tmp_path)  # within PRUNE_EVERY_SECONDS of the first
    assert calls == [tmp_path]
    monkeypatch.setattr(cache, "PRUNE_EVERY_SECONDS", 0)
    cache.prune_now_and_then(tmp_path)
    assert calls == [tmp_path, tmp_path] and cache.prune_now_and_then(None) == 0
