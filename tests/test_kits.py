"""Workshop kits: the right cards in each copy, marked, imposed so each copy is one pile, press or office."""

from __future__ import annotations

import re
import shutil

import pytest

from nuancier_print import pdf
from nuancier_print.cli import main
from nuancier_print.geometry import pt_to_mm
from nuancier_print.kits import kit_cards
from nuancier_print.outputs import kit_paths
from nuancier_print.preflight import drawn_pages, pieces
from nuancier_print.trace import trace

from .conftest import ROOT
from .pdfutil import page_texts, reader

SLUG = "faire-ensemble-autrement"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The shipped content, as ./content of a folder of its own."""
    root = tmp_path_factory.mktemp("kits")
    shutil.copytree(ROOT / "content", root / "content")
    return root


def _kit(project, runner, monkeypatch, *args):
    monkeypatch.chdir(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    result = runner.invoke(main, ["kit", *args])
    assert result.exit_code == 0, result.output + result.stderr
    return result


def _cards(texts: list[str]) -> list[tuple[str, str]]:
    """Return (what the card is, its copy mark) for each recto of a kit deck."""
    found = []
    for text in texts[::2]:
        numero = re.search(r"N° (\d\.\d)", text)
        famille = re.search(r"FAMILLE\s+(\d)", text)
        what = numero[1] if numero else f"famille {famille[1]}" if famille else (
            "cover" if "Nuancier de formation" in text else "closing")
        mark = re.search(r"table (\d+/\d+)", text)
        found.append((what, mark[1] if mark else ""))
    return found


def _expected(teintes: list[str]) -> list[str]:
    cards, famille = ["cover"], None
    for numero in teintes:
        if numero[0] != famille:
            famille = numero[0]
            cards.append(f"famille {famille}")
        cards.append(numero)
    return cards + ["closing"]


@pytest.mark.parametrize("asked, teintes", [
    (["--teintes", "3.2,4.1,5.1"], ["3.2", "4.1", "5.1"]),
    (["--session", SLUG], None),
])
def test_each_copy_holds_its_cards_in_order_with_its_mark(project, runner, monkeypatch, asked, teintes):
    from nuancier_print.content import load_content

    if teintes is None:
        teintes = [v.numero for v in load_content(project / "content").sessions[SLUG][1].teintes]
    _kit(project, runner, monkeypatch, *asked, "--copies", "5", "--sheet", "A3")
    name = SLUG if teintes is None or "--session" in asked else "teintes-3-2-4-1-5-1"
    paths = kit_paths(project / "out", name)
    cards = _cards(page_texts(paths.deck))
    one = _expected(teintes)
    assert cards == [(what, f"{copy}/5") for copy in range(1, 6) for what in one]
    sheets = reader(paths.sheets("A3"))
    assert len(sheets.pages) % 2 == 0 and {round(pt_to_mm(float(p.mediabox.width))) for p in sheets.pages} <= {297, 420}


def test_an_office_kit_puts_two_cards_a_sheet_without_bleed_and_says_how_to_print(project, runner, monkeypatch):
    _kit(project, runner, monkeypatch, "--teintes", "3.2,4.1,5.1", "--copies", "5", "--sheet", "A4",
         "--name", "bureau")
    path = kit_paths(project / "out", "bureau").sheets("A4")
    sheets = reader(path)
    assert {(round(pt_to_mm(float(p.mediabox.width))), round(pt_to_mm(float(p.mediabox.height))))
            for p in sheets.pages} == {(210, 297)}
    texts = page_texts(path)
    assert all("retournement sur le bord long" in text for text in texts[::2])
    for page in drawn_pages(path).values():
        marks = re.findall(r"table \d+/5", page.text)
        assert len(marks) <= 2 * 2  # two cards a side (each mark may wrap over two runs)
    cards_per_side = [sum(1 for form in page["/Resources"]["/XObject"].values()
                          if 200 < pt_to_mm(float(form.get_object().get("/BBox", [0, 0, 0, 0])[3])) < 250)
                      for page in sheets.pages]
    faces = len(reader(kit_paths(project / "out", "bureau").deck).pages)
    assert sum(cards_per_side) == faces  # every face of the kit, once
    assert set(cards_per_side[:-2]) == {2}, cards_per_side  # two cards on every side (the last sheet may hold one)
    deck = reader(kit_paths(project / "out", "bureau").deck)
    covers = [(item.title, deck.get_destination_page_number(item)) for item in deck.outline
              if not isinstance(item, list) and "table" in item.title]
    assert [title.rsplit(" ", 1)[-1] for title, _ in covers] == [f"{k}/5" for k in range(1, 6)]  # one per copy
    assert [page for _, page in covers] == [k * faces // 5 for k in range(5)]  # each at its copy's cover
    # the sheets have the deck's bookmarks, each at the sheet side that holds its card
    marks = [(item.title, sheets.get_destination_page_number(item)) for item in sheets.outline
             if not isinstance(item, list)]
    assert [title for title, _ in marks if "table" in title] == [title for title, _ in covers]
    teintes = [(item.title, sheets.get_destination_page_number(item)) for group in sheets.outline
               if isinstance(group, list) for item in group]
    assert len(teintes) == 3 * 5
    for title, page in teintes:
        assert f"N° {title.split(' ')[0]}" in sheets.pages[page].extract_text().replace("\u00a0", " "), title
    checked = runner.invoke(main, ["preflight", str(path), str(kit_paths(project / "out", "bureau").deck)])
    assert checked.exit_code == 0, checked.output  # the file names tell preflight what they are, bleed or none
    form_boxes = {tuple(round(pt_to_mm(float(v)), 1) for v in form.get_object()["/BBox"])
                  for page in sheets.pages for form in page["/Resources"]["/XObject"].values()
                  if form.get_object().get("/BBox") and form.get_object()["/BBox"][2] < 400}
    assert all(round(box[2] - box[0], 1) == 99.0 for box in form_boxes if box[3] - box[1] > 200)  # to the trim


@pytest.mark.parametrize("sheet", ["A3", "A4", "Letter"])
def test_backs_are_registered_and_each_copy_stays_together_once_cut(project, runner, monkeypatch, sheet):
    _kit(project, runner, monkeypatch, "--teintes", "4.1,5.1", "--copies", "3", "--sheet", sheet, "--name",
         f"piles-{sheet}")
    path = kit_paths(project / "out", f"piles-{sheet}").sheets(sheet)
    drawn = drawn_pages(path)
    pages = pdf.read(path).pages
    checked, piles = 0, {}  # piles: a slot's place on the sheet -> the copy of each sheet's card there, in order
    for front in range(1, len(drawn) + 1, 2):
        back = front + 1
        _, _, width, height = drawn[front].trim
        bleed = 0.0 if sheet in ("A4", "Letter") else 3.0  # office sheets show the cards to their trim
        cards = {side: [c for c in pieces(trace(pages[side - 1], {}, forms=False), bleed)
                        if c[2] - c[0] < width / 2]  # not the office sheet's printing note, as wide as the sheet
                 for side in (front, back)}
        for run in drawn[front].runs:
            mark = re.search(r"table\s(\d+/3)", run.text)
            if not mark:
                continue
            x, y = (run.box[0] + run.box[2]) / 2, (run.box[1] + run.box[3]) / 2
            [(x0, y0, x1, y1)] = [c for c in cards[front] if c[0] <= x <= c[2] and c[1] <= y <= c[3]]
            # turned over its long edge, a portrait sheet mirrors left and right, a landscape one top and bottom
            behind = (width - x1, y0, width - x0, y1) if width < height else (x0, height - y1, x1, height - y0)
            [card] = [c for c in cards[back] if all(abs(a - b) < 1.0 for a, b in zip(c, behind))]
            marks = [r.text for r in drawn[back].runs if card[0] <= (r.box[0] + r.box[2]) / 2 <= card[2]
                     and card[1] <= (r.box[1] + r.box[3]) / 2 <= card[3] and re.search(r"table\s\d+/3", r.text)]
            assert marks and all(mark[1] in m for m in marks), (front, mark[1], marks)
            checked += 1
            piles.setdefault((round(x0), round(y0)), []).append(mark[1])
    assert checked >= 6  # every copy's cards were checked, on several sheets
    copies = set()
    for pile in piles.values():  # cut, a slot's pile holds whole copies one after the other, never mixed
        runs = [copy for i, copy in enumerate(pile) if i == 0 or pile[i - 1] != copy]
        assert len(runs) == len(set(runs)), pile
        copies |= set(runs)
    assert copies == {"1/3", "2/3", "3/3"}
    split = {copy for copy in copies if sum(copy in pile for pile in piles.values()) > 1}
    # 3 copies, 3 places on A3: a pile each; 2 places on A4 and Letter: the third is spread over both piles
    assert split == (set() if sheet == "A3" else {"3/3"})
    checked = runner.invoke(main, ["preflight", str(path)])
    assert checked.exit_code == 0, checked.output


def test_a_session_that_declares_its_kit_gets_it_from_build_and_nothing_goes_stale(tmp_path, runner, monkeypatch):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    session = tmp_path / "content" / "sessions" / f"{SLUG}.yaml"
    session.write_text(session.read_text(encoding="utf-8") + "\nkit:\n  copies: 2\n  feuille: A4\n",
                       encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    assert runner.invoke(main, ["build"]).exit_code == 0
    paths = kit_paths(tmp_path / "out", SLUG)
    assert paths.deck.exists() and paths.sheets("A4").exists()
    extra = runner.invoke(main, ["kit", "--teintes", "1.1", "--copies", "2", "--name", "autre"])
    assert extra.exit_code == 0
    teinte = next((tmp_path / "content" / "teintes").glob("1-1-*.yaml"))
    teinte.write_text(teinte.read_text(encoding="utf-8").replace("titre: ", "titre: Nouveau ", 1), encoding="utf-8")
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0
    other = kit_paths(tmp_path / "out", "autre")
    assert any("Nouveau" in text for text in page_texts(other.deck))  # the kit made before is made again
    assert re.search(rf"written +{re.escape(str(other.deck.relative_to(tmp_path)))}\n", result.output)


def test_kit_cards_follow_the_order_asked():
    from nuancier_print.content import load_content
    from nuancier_print.deck import card_format
    from nuancier_print.edition import Dates

    content = load_content(ROOT / "content")
    cards = kit_cards(content, card_format(content), Dates(), ("5.1", "3.2", "3.1"))
    assert [c.key for c in cards] == ["cover", "famille-5", "teinte-5-1", "famille-3", "teinte-3-2",
                                      "teinte-3-1", "closing"]


def test_unknown_teintes_and_sessions_are_plain_errors(project, runner, monkeypatch):
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["kit", "--teintes", "3.2,9.9"])
    assert result.exit_code == 1 and "--teintes: 9.9 is not a teinte of the nuancier" in result.stderr
    result = runner.invoke(main, ["kit", "--session", "inconnue"])
    assert result.exit_code == 1 and "no session named inconnue" in result.stderr
