"""The participant booklet as a print shop and a participant get it: pages, boxes,
sommaire, bibliography, lived pages, imposition, personal copies, colours."""

from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PageObject
from pypdf.generic import ContentStream, DecodedStreamObject, NameObject

from nuancier_print import schema
from nuancier_print.booklet import bibliography, collation_key, write_booklets
from nuancier_print.content import load_content
from nuancier_print.errors import BuildError, ContentError, FitError, relative
from nuancier_print.sessions import person_slug
from nuancier_print.typography import french

from .conftest import ROOT
from .pdfutil import MM, box_mm, normalise, page_texts, reader, size_mm

SLUG = "faire-ensemble-autrement"


@pytest.fixture(scope="module")
def content():
    """The shipped content, with its example session."""
    return load_content(ROOT / "content")


@pytest.fixture(scope="module")
def built(example_booklets):
    """The example session's booklets, screen editions and personal copies, written once for the test session."""
    return example_booklets


@pytest.fixture(scope="module")
def session(content):
    """The example session."""
    return content.sessions[SLUG][1]


@pytest.fixture(scope="module")
def texts(built):
    """The text of each booklet page, normalised."""
    return page_texts(built.path)


def compact(text: str) -> str:
    """Drop every space and every hyphen added at a line break, so that lines cannot hide a match."""
    return re.sub(r"\s+", "", normalise(text).replace("\u2010 ", ""))


def printed(text: str) -> str:
    """Return a content text as the booklet prints it (French typography), compacted."""
    return compact(french(text))


def first_page(texts: list[str], needle: str, *, after: int = -1, skip: tuple[int, ...] = ()) -> int:
    """Return the index of the first page after ``after`` whose text contains ``needle``."""
    for index, text in enumerate(texts):
        if index > after and index not in skip and needle in text:
            return index
    raise AssertionError(f"{needle!r} is on no page after page {after + 1}")


def teinte_starts(texts: list[str], session) -> list[int]:
    """Return the page index where each teinte of the session starts (its "N° x.y" band)."""
    return [first_page(texts, f"N° {vecue.numero}") for vecue in session.teintes]


def drawn_text(page) -> list[tuple[float, float, str]]:
    """Return (x, y, text) of each piece of text on ``page``, in the page's coordinates (pt)."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def footer(page) -> str:
    """Return the text printed in a page's bottom margin (below 16 mm from the trim edge)."""
    limit = float(page.trimbox.bottom) + 16 / MM
    return normalise(" ".join(text for x, y, text in drawn_text(page) if y < limit))


def body(page) -> str:
    """Return a page's text without its running header and footer."""
    text = normalise(page.extract_text())
    top, bottom = float(page.trimbox.top) - 17 / MM, float(page.trimbox.bottom) + 16 / MM
    furniture = [normalise(t) for x, y, t in drawn_text(page) if y > top or y < bottom]
    while furniture:
        piece = next((p for p in furniture if text.startswith(p) or text.endswith(p)), None)
        if piece is None:
            break
        text = (text[len(piece):] if text.startswith(piece) else text[:-len(piece)]).strip()
        furniture.remove(piece)
    return text


def lines(page) -> str:
    """Return a page's text line by line, top to bottom, whatever order it was drawn in."""
    pieces = sorted(drawn_text(page), key=lambda p: (-round(p[1]), p[0]))
    return normalise(" ".join(text for _, _, text in pieces))


def folio_side(page, folio: str) -> str | None:
    """Return 'left' or 'right': the side of the footer where ``folio`` is printed, if it is."""
    limit = float(page.trimbox.bottom) + 16 / MM
    middle = (float(page.trimbox.left) + float(page.trimbox.right)) / 2
    xs = [x for x, y, text in drawn_text(page) if y < limit and text == folio]
    return None if not xs else ("left" if xs[0] < middle else "right")


# --- the booklet ---------------------------------------------------------------------------


def test_page_count_is_a_multiple_of_four(built):
    pages = len(reader(built.path).pages)
    assert pages == built.pages and pages % 4 == 0


def test_every_page_is_a5_trim_with_3mm_bleed(built):
    for number, page in enumerate(reader(built.path).pages, start=1):
        width, height = size_mm(page.trimbox)
        assert abs(width - 148) <= 0.01 and abs(height - 210) <= 0.01, (number, width, height)
        trim, bleed = box_mm(page.trimbox), box_mm(page.bleedbox)
        assert [round(b - t, 2) for b, t in zip(bleed, trim)] == [-3.0, -3.0, 3.0, 3.0], number


def test_cover_first_back_cover_last_and_no_empty_page(texts):
    assert "Faire ensemble autrement" in texts[0] and "session fictive — exemple" in texts[0].lower()
    assert "Creative Commons" in texts[-1] and "citer La 27e Région" in texts[-1]
    assert all(text.strip() for text in texts), [i + 1 for i, t in enumerate(texts) if not t.strip()]


def test_padding_notes_pages_come_just_before_the_back_cover(built, texts):
    padding = texts[len(texts) - 1 - built.padding:-1]
    assert len(padding) == built.padding
    assert all(text.startswith("NOTES") for text in padding), padding
    before = texts[len(texts) - 2 - built.padding]
    assert "conseils pratiques" in before.lower()


def test_folios_are_the_page_numbers_on_the_outer_corner(built):
    pages = reader(built.path).pages
    for index, page in enumerate(pages[1:-1], start=1):
        side = folio_side(page, str(index + 1))
        assert side == ("left" if (index + 1) % 2 == 0 else "right"), (index + 1, footer(page))


def test_fictional_session_says_so_in_the_footer(built):
    pages = reader(built.path).pages
    assert all("Session fictive — exemple" in footer(page) for page in pages[1:-1])


def test_sommaire_numbers_are_the_pages_where_sections_start(built, texts, session, content):
    toc = first_page(texts, "Sommaire")
    listed = lines(reader(built.path).pages[toc]).split("Sommaire", 1)[1]
    entries = [(label.strip(), int(number)) for label, number in
               re.findall(r"(.+?)\s*(?:\.\s)+(\d+)(?=\s|$)", listed)]
    labels = [label for label, _ in entries]
    starts = teinte_starts(texts, session)
    expected = [("Votre formation", first_page(texts, "Votre formation", skip=(toc,)) + 1)]
    for vecue, start in zip(session.teintes, starts):
        title = normalise(french(content.teinte(vecue.numero).titre))
        expected.append((f"{vecue.numero} {title}", start + 1))
        expected.append(("Mises en situation vécues", first_page(texts, "MISES EN SITUATION VÉCUES", after=start) + 1))
        expected.append(("Lecture critique des participants",
                         first_page(texts, "LECTURE CRITIQUE DES PARTICIPANTS", after=start) + 1))
    expected.append(("Bibliographie détaillée", first_page(texts, "Bibliographie détaillée", skip=(toc,)) + 1))
    conseils = normalise(french(content.nuancier.conseils_pratiques.titre))
    expected.append((conseils, first_page(texts, conseils, skip=(toc,)) + 1))
    assert labels == [label for label, _ in expected]
    assert entries == expected
    assert len({page for _, page in entries}) >= len(entries) - len(session.teintes)  # not all one page


def test_sommaire_entries_link_to_their_sections(built, texts, session):
    """The booklet is rendered a section at a time: its links are made whole again."""
    booklet = reader(built.path)
    toc = first_page(texts, "Sommaire")
    dests = {name: booklet.get_destination_page_number(d) for name, d in booklet.named_destinations.items()}
    links = [a.get_object() for a in booklet.pages[toc].get("/Annots") or ()]
    targets = [str(link["/Dest"]) for link in links if "/Dest" in link]
    assert all("/A" not in link or "nuancier-anchor" not in str(link["/A"]) for link in links)
    starts = teinte_starts(texts, session)
    expected = {"formation": first_page(texts, "Votre formation", skip=(toc,)),
                "bibliographie": first_page(texts, "Bibliographie détaillée", skip=(toc,))}
    expected |= {f"teinte-{v.numero.replace('.', '-')}": start for v, start in zip(session.teintes, starts)}
    for name, page in expected.items():
        assert name in targets and dests[name] == page, name
    assert set(targets) <= set(dests) and len(targets) == len(links)


def test_teintes_come_in_the_order_lived_with_their_whole_card(texts, session, content):
    starts = teinte_starts(texts, session)
    assert starts == sorted(starts)
    for vecue, start, end in zip(session.teintes, starts, starts[1:] + [len(texts)]):
        teinte = content.teinte(vecue.numero)
        pages = compact(" ".join(texts[start:end]))
        expected = [*teinte.champ_lexical, *teinte.finalites, *teinte.competences, *teinte.savoir_etre,
                    *teinte.exemples_de_contenus, *(r.texte for r in teinte.ressources)]
        if teinte.module is not None:
            expected += [*teinte.module.deroule, *teinte.module.publics]
        missing = [text for text in expected if printed(text) not in pages]
        assert not missing, (vecue.numero, missing)


def test_lived_pages_follow_their_teinte_and_precede_the_next(texts, session, content):
    toc = first_page(texts, "Sommaire")
    starts = teinte_starts(texts, session)
    ends = starts[1:] + [first_page(texts, "Bibliographie détaillée", after=starts[-1])]
    for vecue, start, end in zip(session.teintes, starts, ends):
        teinte = content.teinte(vecue.numero)
        last_card_text = (teinte.module.deroule[-1] if teinte.module else teinte.finalites[-1])
        card_end = next(i for i in range(start, end) if printed(last_card_text) in compact(texts[i]))
        lived = [m.titre for m in vecue.mises_en_situation] + [q.texte for q in vecue.lecture_critique]
        for text in lived:
            pages = [i for i in range(toc + 1, len(texts)) if printed(text) in compact(texts[i])]
            assert pages and all(card_end <= i < end for i in pages), (vecue.numero, text, pages, card_end, end)


def test_quotes_are_attributed_or_anonymous(texts, session):
    everything = compact(" ".join(texts))
    for vecue in session.teintes:
        for quote in vecue.lecture_critique:
            author = quote.auteur or "anonyme"
            assert printed(f"« {quote.texte} »") + printed(f"— {author}") in everything, quote.texte


def test_each_teinte_is_followed_by_a_notes_page(texts, session):
    starts = teinte_starts(texts, session)
    ends = starts[1:] + [first_page(texts, "Bibliographie détaillée", after=starts[-1])]
    for end in ends:
        assert texts[end - 1].startswith("NOTES"), texts[end - 1][:80]


def _bibliography_pages(built, texts, content) -> list[str]:
    """Return the body text of the bibliography's pages."""
    start = first_page(texts, "Bibliographie détaillée", after=first_page(texts, "Sommaire"))
    end = first_page(texts, normalise(french(content.nuancier.conseils_pratiques.titre)), after=start)
    return [body(page) for page in reader(built.path).pages[start:end]]


def _covered_refs(session, content) -> list[schema.Reference]:
    return [r for v in session.teintes for t in [content.teinte(v.numero)]
            for r in (*t.ressources, *t.references_inspirantes)]


def test_bibliography_lists_each_reference_of_the_covered_teintes_once(built, texts, session, content):
    text = compact(" ".join(_bibliography_pages(built, texts, content)))
    refs = _covered_refs(session, content)
    distinct = {(printed(r.texte), r.url) for r in refs}
    for ref in refs:
        containing = sum(1 for texte, _ in distinct if printed(ref.texte) in texte)
        assert text.count(printed(ref.texte)) == containing, ref.texte


def test_bibliography_leaves_out_the_teintes_not_covered(built, texts, session, content):
    text = compact(" ".join(_bibliography_pages(built, texts, content)))
    cited = {printed(r.texte) for r in _covered_refs(session, content)}
    covered = {v.numero for v in session.teintes}
    others = [r.texte for t in content.teintes if t.numero not in covered
              for r in (*t.ressources, *t.references_inspirantes)
              if not any(printed(r.texte) in c for c in cited)]
    assert others and not [r for r in others if printed(r) in text]


def test_bibliography_is_in_french_alphabetical_order(built, texts, content):
    listed = " ".join(_bibliography_pages(built, texts, content)).split("de la teinte. ", 1)[1]
    entries = [e.strip() for e in re.split(r"\steintes? \d+\.\d+(?:, \d+\.\d+)*", listed) if e.strip()]
    assert len(entries) > 10
    keys = [collation_key(e) for e in entries]
    assert keys == sorted(keys), entries


def test_the_pdf_has_bookmarks_for_the_sections(built, session):
    titles = [item.title for item in reader(built.path).outline if not isinstance(item, list)]
    assert titles[:2] == ["Couverture", "Votre formation"]
    assert [t.split(" ")[0] for t in titles if t[:1].isdigit()] == [v.numero for v in session.teintes]
    assert "Bibliographie détaillée" in titles and titles[-1] == "Crédits et licence"


def test_no_weasyprint_warning(built):
    assert built.warnings == []


# --- imposition ----------------------------------------------------------------------------


def _drawn_pages(sheet: PageObject, source) -> list[tuple[float, str]]:
    """Return (x of the centre, text) of each page drawn on an imposed side, left to right."""
    placed, stack, ctm = [], [], (1, 0, 0, 1, 0, 0)
    forms = sheet["/Resources"]["/XObject"]
    for operands, operator in ContentStream(sheet.get_contents(), source).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            ctm = (a * ctm[0] + b * ctm[2], a * ctm[1] + b * ctm[3], c * ctm[0] + d * ctm[2],
                   c * ctm[1] + d * ctm[3], e * ctm[0] + f * ctm[2] + ctm[4], e * ctm[1] + f * ctm[3] + ctm[5])
        elif operator == b"Do":
            form = forms[operands[0]].get_object()
            x0, _, x1, _ = (float(v) for v in form["/BBox"])
            placed.append((ctm[0] * (x0 + x1) / 2 + ctm[4], _form_text(form)))
    return sorted(placed)


def _form_text(form) -> str:
    """Return the text a Form XObject draws, read as if it were a page."""
    page = PageObject.create_blank_page(width=100, height=100)
    stream = DecodedStreamObject()
    stream.set_data(form.get_data())
    page[NameObject("/Contents")] = stream
    page[NameObject("/Resources")] = form["/Resources"]
    return normalise(page.extract_text())


def test_imposed_sheets_are_a4_landscape_two_pages_up_in_saddle_order(built):
    booklet = [normalise(p.extract_text()) for p in reader(built.path).pages]
    imposed = reader(built.imposed_path)
    n = len(booklet)
    assert len(imposed.pages) == n // 2
    for side_index, side in enumerate(imposed.pages):
        assert size_mm(side.mediabox) == (297.0, 210.0)
        drawn = _drawn_pages(side, imposed)
        assert len(drawn) == 2 and drawn[0][0] < 297 / 2 / MM < drawn[1][0]
        sheet, back = divmod(side_index, 2)
        expected = (2 * sheet + 2, n - 2 * sheet - 1) if back else (n - 2 * sheet, 2 * sheet + 1)
        found = tuple(booklet.index(text) + 1 for _, text in drawn)
        assert found == expected, (side_index, found, expected)


def test_the_press_imposition_puts_one_spread_per_sra3_side_in_saddle_order(built):
    booklet = [normalise(p.extract_text()) for p in reader(built.path).pages]
    press = reader(built.press_path)
    n = len(booklet)
    assert built.press_path.name == f"booklet-{SLUG}-press-SRA3.pdf" and len(press.pages) == n // 2
    for side_index, side in enumerate(press.pages):
        assert size_mm(side.mediabox) == (450.0, 320.0)
        assert size_mm(side.trimbox) == (296.0, 210.0) and size_mm(side.bleedbox) == (302.0, 216.0)
        sheet, back = divmod(side_index, 2)
        expected = (2 * sheet + 2, n - 2 * sheet - 1) if back else (n - 2 * sheet, 2 * sheet + 1)
        assert tuple(booklet.index(text) + 1 for _, text in _drawn_pages(side, press)) == expected
    assert "imposed for office printers: " in built.line() and "for the press: " in built.line()


# --- personal copies -----------------------------------------------------------------------


def test_one_personal_copy_per_participant(built, session):
    names = sorted(p.name for p in built.per_participant)
    assert names == sorted(f"booklet-{SLUG}-{person_slug(p.nom)}.pdf" for p in session.participants)


def test_personal_covers_and_footers_carry_the_participants_name(built, session):
    for person in (session.participants[0], session.participants[-1]):
        path = next(p for p in built.per_participant if p.name.endswith(f"-{person_slug(person.nom)}.pdf"))
        pages = reader(path).pages
        name = normalise(french(person.nom))
        assert f"Livret de {name}" in normalise(pages[0].extract_text())
        missing = [i + 1 for i, page in enumerate(pages[1:], start=1) if name not in footer(page)]
        assert not missing, (person.nom, missing)


def test_personal_copies_are_the_shared_pages_plus_the_name(built, session):
    shared = page_texts(built.path)
    path = built.per_participant[0]
    person = next(p for p in session.participants if path.name.endswith(f"-{person_slug(p.nom)}.pdf"))
    personal = page_texts(path)
    assert len(personal) == len(shared)
    assert personal[1:] == [f"{text} {normalise(french(person.nom))}" for text in shared[1:]]


def test_the_shared_booklet_has_no_name_in_its_footers(built, session):
    names = [normalise(french(p.nom)) for p in session.participants]
    footers = [footer(page) for page in reader(built.path).pages]
    assert not [(i + 1, name) for i, text in enumerate(footers) for name in names if name in text]


# --- colours -------------------------------------------------------------------------------


CMYK_SPACES = {"/DeviceCMYK", "/Pattern"}


def _is_cmyk(space) -> bool:
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, list) or hasattr(space, "__getitem__") and not isinstance(space, str):
        if str(space[0]) == "/ICCBased":
            return int(space[1].get_object()["/N"]) == 4
        return False
    return str(space) in CMYK_SPACES


def _colour_problems(source, stream, resources, where: str, seen: set) -> list[str]:
    """Return every RGB or grey colour operator and non-CMYK colour space or image."""
    problems = []
    spaces = (resources or {}).get("/ColorSpace") or {}
    for operands, operator in ContentStream(stream, source).operations:
        if operator in (b"rg", b"RG", b"g", b"G"):
            problems.append(f"{where}: {operator.decode()} {operands}")
        if operator in (b"cs", b"CS"):
            name = operands[0]
            space = spaces[name] if name in spaces else name
            if not _is_cmyk(space):
                problems.append(f"{where}: colour space {name}")
    for name, ref in ((resources or {}).get("/XObject") or {}).items():
        xobject = ref.get_object()
        if id(xobject) in seen:
            continue
        seen.add(id(xobject))
        if xobject.get("/Subtype") == "/Image" and not _is_cmyk(xobject["/ColorSpace"]):
            problems.append(f"{where}: image {name} in {xobject['/ColorSpace']}")
        if xobject.get("/Subtype") == "/Form":
            problems += _colour_problems(source, xobject, xobject.get("/Resources"), f"{where} {name}", seen)
    return problems


@pytest.mark.parametrize("which", ["path", "imposed_path", "press_path", "personal"])
def test_nothing_is_painted_in_rgb_or_grey(built, which):
    path = built.per_participant[0] if which == "personal" else getattr(built, which)
    source = reader(path)
    problems = []
    for number, page in enumerate(source.pages, start=1):
        problems += _colour_problems(source, page.get_contents(), page["/Resources"], f"page {number}", set())
    assert not problems, problems[:10]


def test_photos_are_printed_from_cmyk_copies(built):
    source = reader(built.path)
    images = {x.idnum: x.get_object() for page in source.pages
              for x in ((page["/Resources"].get("/XObject") or {}).values())
              if x.get_object().get("/Subtype") == "/Image"}
    assert len(images) == 3 and all(_is_cmyk(i["/ColorSpace"]) for i in images.values())


# --- determinism and errors ------------------------------------------------------------------


def test_same_content_same_bytes(content, built):
    out = built.path.parent
    before = (built.path.read_bytes(), built.imposed_path.read_bytes(), built.press_path.read_bytes(),
              built.screen_path.read_bytes())
    [again] = write_booklets(content, out)
    assert (again.path.read_bytes(), again.imposed_path.read_bytes(), again.press_path.read_bytes(),
            again.screen_path.read_bytes()) == before


def test_a_project_checked_out_elsewhere_gives_the_same_bytes(tmp_path, monkeypatch):
    """WeasyPrint names images after their URLs: photo URLs must not name the folders.

    Both builds are dated by SOURCE_DATE_EPOCH: a copy has no git history, so
    without it one would be dated by its commits and the other by today.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    [here] = write_booklets(load_content(ROOT / "content"), tmp_path / "ici")
    shutil.copytree(ROOT / "content", tmp_path / "ailleurs" / "content")
    [elsewhere] = write_booklets(load_content(tmp_path / "ailleurs" / "content"), tmp_path / "ailleurs" / "out")
    assert elsewhere.path.read_bytes() == here.path.read_bytes()
    assert elsewhere.imposed_path.read_bytes() == here.imposed_path.read_bytes()
    assert elsewhere.screen_path.read_bytes() == here.screen_path.read_bytes()  # its photos too are named by URL


def test_unknown_session_is_named(content, tmp_path):
    with pytest.raises(BuildError, match=r"no session named atelier-inconnu .*the sessions are: " + SLUG):
        write_booklets(content, tmp_path, slugs=["atelier-inconnu"])


# --- pure functions ------------------------------------------------------------------------


def _teinte(numero: str, ressources=(), references=()) -> schema.Teinte:
    return schema.Teinte(numero=schema.Numero(numero), titre=f"Teinte {numero}",
                         ressources=list(ressources), references_inspirantes=list(references))


def test_bibliography_counts_same_text_and_url_once_and_keeps_both_teintes():
    a = schema.Reference(texte="Un livre", url="http://example.org/livre/")
    same = schema.Reference(texte="Un  livre", url="https://example.org/livre")
    other_url = schema.Reference(texte="Un livre", url="http://example.org/autre")
    entries = bibliography([_teinte("1.1", [a]), _teinte("2.1", [same], [other_url])])
    assert [(e.texte, e.url, e.numeros) for e in entries] == [
        ("Un livre", "http://example.org/autre", ("2.1",)),
        ("Un livre", "http://example.org/livre/", ("1.1", "2.1")),
    ]


def test_bibliography_sorts_in_french_order():
    refs = [schema.Reference(texte=t) for t in ("Zola", "Œuvres", "éthique", "Étude", "« Avant »", "abc")]
    assert [e.texte for e in bibliography([_teinte("1.1", refs)])] == [
        "abc", "« Avant »", "éthique", "Étude", "Œuvres", "Zola"]


def test_collation_ignores_case_accents_and_leading_quotes():
    assert collation_key("« Élan »") == collation_key("elan »")
    assert collation_key("Œil") < collation_key("Ours")


def test_person_slug_is_file_safe():
    assert person_slug("Élodie Le Goff-Prévost") == "elodie-le-goff-prevost"
    assert person_slug("   ") == "participant"


def test_padding_after_an_even_page_keeps_left_and_right_pages(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    for old in (tmp_path / "content" / "sessions").glob("*.yaml"):
        old.unlink()
    (tmp_path / "content" / "sessions" / "courte.yaml").write_text(
        "titre: Courte\ncommanditaire: Une ville\nlieu: Ici\ndates: 1er avril 2026\n"
        "formateurs: [Une formatrice]\nteintes:\n  - numero: 2.4\n", encoding="utf-8")
    [result] = write_booklets(load_content(tmp_path / "content"), tmp_path / "out")
    assert result.padding == 2 and (result.pages - result.padding) % 2 == 0, (
        "this session no longer needs notes pages after an even page; pick another teinte")
    pages = reader(result.path).pages
    texts = page_texts(result.path)
    assert [t[:5] for t in texts[-3:-1]] == ["NOTES", "NOTES"]
    for index, page in enumerate(pages[1:-1], start=1):
        assert folio_side(page, str(index + 1)) == ("left" if index % 2 else "right"), index + 1


def test_a_session_without_participants_has_no_personal_copies_to_make(tmp_path):
    content = _mini_session(tmp_path, participants="[]")
    [built] = write_booklets(load_content(content), tmp_path / "out", per_participant=True)
    assert built.path.is_file() and built.screen_path.is_file()
    assert built.per_participant == built.screen_copies == []


def test_a_title_too_long_for_the_cover_is_reported(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    session = tmp_path / "content" / "sessions" / f"{SLUG}.yaml"
    text = session.read_text(encoding="utf-8").replace(
        "titre: Faire ensemble autrement", "titre: " + "Faire ensemble autrement et longtemps " * 3, 1)
    session.write_text(text, encoding="utf-8")
    with pytest.raises(FitError, match=rf"sessions/{SLUG}.yaml:13:8: titre: the session's title takes \d+ lines "
                                       "on the cover, which has room for about 3, and the cover does not fit"):
        write_booklets(load_content(tmp_path / "content"), tmp_path / "out")
    assert not (tmp_path / "out" / f"booklet-{SLUG}.pdf").exists()


# 150 more sentences spill onto another page; 62 stay on the page but run under its colour bands
@pytest.mark.parametrize("sentences", [150, 62])
def test_a_licence_too_long_for_the_back_cover_is_reported(tmp_path, sentences):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    nuancier = tmp_path / "content" / "nuancier.yaml"
    text = nuancier.read_text(encoding="utf-8")
    nuancier.write_text(text.replace("implique de citer La 27e Région.",
                                     "implique de citer La 27e Région. " + "Et encore une phrase. " * sentences, 1),
                        encoding="utf-8")
    with pytest.raises(FitError, match="the back cover does not fit on one page; shorten the nuancier's credits"):
        write_booklets(load_content(tmp_path / "content"), tmp_path / "out")
    assert not (tmp_path / "out" / f"booklet-{SLUG}.pdf").exists()


def test_a_photo_under_300_dpi_is_a_warning_that_names_its_page(tmp_path):
    from PIL import Image

    shutil.copytree(ROOT / "content", tmp_path / "content")
    photo = tmp_path / "content" / "sessions" / SLUG / "cercle.jpg"  # lived with teinte 2.2
    Image.new("RGB", (700, 460), (200, 120, 40)).save(photo)  # 162 dpi over 110 mm: printable, not good
    [built] = write_booklets(load_content(tmp_path / "content"), tmp_path / "out")
    [shown] = [w for w in built.warnings if "dpi" in w]
    assert "warning: image 1 is 162 dpi as placed" in shown and "below the 300 dpi wanted" in shown
    page = int(re.search(r"page (\d+): warning", shown)[1])
    texts = page_texts(built.path)
    assert "Décider par consentement" in texts[page - 1] and "MISES EN SITUATION" in texts[page - 1]


# --- photos: read whole, or refused ----------------------------------------------------------


def _session_with_a_photo(tmp_path):
    """A copy of the mini content with one session whose mise en situation has a 1400-pixel photo."""
    from PIL import Image

    from .conftest import DATA

    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    (content / "sessions" / "s").mkdir(parents=True)
    image = Image.new("RGB", (1400, 930), (40, 120, 200))
    for x in range(0, 1400, 20):  # some detail, so that a truncated file loses pixels
        image.paste((200, 60, 30), (x, 0, x + 10, 930))
    image.save(content / "sessions" / "s" / "photo.jpg", quality=90)
    (content / "sessions" / "s.yaml").write_text(
        "titre: Une session\ncommanditaire: Une ville\nlieu: Ici\ndates: [1er avril 2026]\n"
        "formateurs: [Une formatrice]\nteintes:\n  - numero: 1.1\n    mises_en_situation:\n"
        "      - titre: Un atelier\n        photo: s/photo.jpg\n", encoding="utf-8")
    return content


def test_a_damaged_photo_copy_in_the_cache_is_made_again(tmp_path):
    from nuancier_print.booklet import PHOTO_CACHE
    from nuancier_print.screen import screen_size
    from nuancier_print.sessions import read_image

    content = _session_with_a_photo(tmp_path)
    out = tmp_path / "out"
    write_booklets(load_content(content), out)
    copies = sorted((out / PHOTO_CACHE).glob("photo-*.jpg"), key=lambda c: c.name.endswith("-ecran.jpg"))
    assert [c.name.endswith("-ecran.jpg") for c in copies] == [False, True]  # for print, for the screen
    for copy, size in zip(copies, [(1400, 930), screen_size(1400, 930)]):
        whole = copy.read_bytes()
        copy.write_bytes(whole[: len(whole) // 2])  # a copy cut short: WeasyPrint printed it half grey
        write_booklets(load_content(content), out)
        assert copy.read_bytes() == whole
        copy.write_bytes(b"")  # an empty copy printed nothing at all
        write_booklets(load_content(content), out)
        assert copy.read_bytes() == whole and read_image(copy) == ("JPEG", size)


def test_a_photo_cut_short_is_refused_even_after_weasyprint_is_loaded(tmp_path):
    """WeasyPrint lets Pillow read truncated images for the whole process; the check still refuses them."""
    from PIL import ImageFile

    import nuancier_print.engine  # noqa: F401 - loads WeasyPrint, which turns LOAD_TRUNCATED_IMAGES on

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    content = _session_with_a_photo(tmp_path)
    photo = content / "sessions" / "s" / "photo.jpg"
    photo.write_bytes(photo.read_bytes()[:-2000])
    _, [problem] = load_content(content).session_errors["s"]  # only this session's booklet is held back
    assert ContentError([problem]).lines()[0] == (
        f"{relative(content / 'sessions' / 's.yaml')}:10:16: teintes[0].mises_en_situation[0].photo: "
        "`s/photo.jpg` is damaged: only part of it can be read (it may have been cut short while it was copied); "
        "copy the photo again from its original")
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as WeasyPrint wants it


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(tmp_path):
    from PIL import Image

    content = _session_with_a_photo(tmp_path)
    Image.new("1", (10000, 9000)).save(content / "sessions" / "s" / "photo.jpg", format="PNG")  # 90 MP
    _, [problem] = load_content(content).session_errors["s"]
    assert re.search(r"`s/photo.jpg` is 10000 × 9000 pixels: it has more than 80 "
                     r"megapixels; save a smaller copy \(a width of 1300 pixels", problem.message)


# --- text past the trim: long words are broken, what still does not fit names its field ----------------


def _mini_session(tmp_path, **fields):
    """The mini content with one session, its fields replaced by ``fields`` (YAML text)."""
    from .conftest import DATA

    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    values = {"titre": "Une session", "commanditaire": "Une ville", "lieu": "Ici", "dates": "[1er avril 2026]",
              "formateurs": "[Une formatrice]", "participants": "[Camille Martin]", **fields}
    (content / "sessions").mkdir()
    (content / "sessions" / "s.yaml").write_text(
        "".join(f"{key}: {value}\n" for key, value in values.items()) + "teintes:\n  - numero: 1.1\n",
        encoding="utf-8")
    return content


def _located(error: Exception, content, line: int, column: int, field: str) -> str:
    """Return the one line of ``error`` located at the session file's ``line`` and ``column``, for ``field``."""
    where = f"{relative(content / 'sessions' / 's.yaml')}:{line}:{column}: {field}: "
    [found] = [text for text in str(error).splitlines() if text.startswith(where)]
    return found[len(where):]


def test_a_title_that_is_one_long_word_is_broken_on_the_cover_and_in_the_footers(tmp_path):
    """« #FaireEnsembleAutrementEnRégionValDeLoirette » ran 10 mm past the cover's trim."""
    title = "#FaireEnsembleAutrementEnRégionValDeLoirette"
    content = _mini_session(tmp_path, titre=f'"{title}"')
    [built] = write_booklets(load_content(content), tmp_path / "out", per_participant=True)  # preflight passes
    for path in (built.path, *built.per_participant):
        pages = reader(path).pages
        assert title in compact(pages[0].extract_text()), "the title is printed whole on the cover"
        for page in pages[1:]:
            for x, _y, text in drawn_text(page):
                assert float(page.trimbox.left) + 3 / MM <= x <= float(page.trimbox.right) - 3 / MM, text


def test_a_long_participant_name_is_broken_in_the_footer_of_their_copy(tmp_path):
    """A long name in the personal footer wrapped onto the trim edge; two lines of it fit above the safe zone."""
    name = "Marie-Charlotte-Éléonore de La Tour-Fontaine-Saint-Aubin-Lemaire"
    content = _mini_session(tmp_path, participants=f"[{name}]")
    [built] = write_booklets(load_content(content), tmp_path / "out", per_participant=True)
    [copy] = built.per_participant
    page = reader(copy).pages[2]
    assert compact(name) in compact(footer(page))
    assert min(y for x, y, text in drawn_text(page)) >= float(page.trimbox.bottom) + 3 / MM


def test_a_name_too_long_for_the_footer_names_the_participant(tmp_path):
    name = ("Marie-Charlotte-Éléonore-Anne-Sophie de La Tour-Fontaine-Saint-Aubin-Lemaire-Dupont-Moreau-"
            "Martin-Lefebvre")
    content = _mini_session(tmp_path, participants=f"[Camille Martin, {name}]")
    with pytest.raises(FitError) as caught:
        write_booklets(load_content(content), tmp_path / "out", per_participant=True)
    assert _located(caught.value, content, 6, 32, "participants[1].nom").startswith(
        "the participant's name does not fit in the footer of every page of their personal copy: its lines "
        "would run")
    assert (tmp_path / "out" / "sessions" / "s").is_dir()  # where the copies would be (its booklet was written)
    assert not list((tmp_path / "out").rglob("booklet-s-camille*.pdf")), "no personal copy is written"


def test_a_title_too_long_for_the_footers_names_the_title(tmp_path):
    title = "Innover dans l’action publique : méthodes, postures et outils pour les agents de la Région"
    content = _mini_session(tmp_path, titre=f'"{title}"')
    with pytest.raises(FitError) as caught:
        write_booklets(load_content(content), tmp_path / "out")
    assert _located(caught.value, content, 1, 8, "titre").startswith(
        "the session's title does not fit in the footer of every page: its lines would run")


def test_a_commanditaire_too_long_for_the_cover_is_the_one_named(tmp_path):
    long = " ".join(["Direction des ressources humaines et de la transformation de la Région"] * 40)
    content = _mini_session(tmp_path, commanditaire=long)
    with pytest.raises(FitError) as caught:
        write_booklets(load_content(content), tmp_path / "out")
    assert re.fullmatch(r"the commanditaire takes \d\d lines on the cover, which has room for about 3, and the "
                        r"cover does not fit on its page; shorten it",
                        _located(caught.value, content, 2, 16, "commanditaire"))
