"""The static site (`nuancier site`): every content item on its page, links, semantics, colours, atomic writes.

The site is built from the real `content/` (and from the mini test content)
into a temporary folder, with a tiny stand-in PDF instead of the real deck, so
these tests take a second. The browser tests at the end run axe-core in
headless Chromium on every page (see tests/browser.py for when they skip).
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from nuancier_print import schema
from nuancier_print.cli import main
from nuancier_print.content import load_content
from nuancier_print.deck import teinte_colour
from nuancier_print.markup import fr, href, printed_url
from nuancier_print.site import SiteError, build_site
from nuancier_print.site import pages as site_pages
from nuancier_print.site import write as site_write
from nuancier_print.site.colours import (
    AA,
    TEXT,
    WHITE,
    contrast,
    hex_colour,
    site_palette,
)

from .browser import axe_script, chromium_driver, set_viewport

ROOT = Path(__file__).resolve().parents[1]
CONTENTS = {"content": ROOT / "content", "mini": ROOT / "tests" / "data" / "mini"}
FAKE_PDF = b"%PDF-1.7\n% a stand-in for the deck, for tests\n%%EOF\n"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# --- Reading the pages ------------------------------------------------------


class PageParser(HTMLParser):
    """Collect what the tests look at in one page."""

    RESOURCE_ATTRS = frozenset({("link", "href"), ("script", "src"), ("img", "src"), ("img", "srcset"),
                      ("source", "src"), ("source", "srcset"), ("iframe", "src"), ("embed", "src"), ("object", "data"),
                      ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"),
                      ("input", "src"), ("image", "href"), ("use", "href")})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.title = ""
        self.headings: list[int] = []
        self.anchors: list[dict] = []  # {"href", "text"}
        self.resources: list[str] = []
        self.ids: set[str] = set()
        self.styles: list[str] = []  # inline style attributes and <style> contents
        self.scripts = 0
        self._stack: list[str] = []
        self._anchor: dict | None = None
        self._in = {"title": False, "style": False}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "script":
            self.scripts += 1
        if tag in self._in:
            self._in[tag] = True
        for (name, attr) in self.RESOURCE_ATTRS:
            if tag == name and attrs.get(attr):
                self.resources.append(attrs[attr])
        if tag == "a" and "href" in attrs:
            self._anchor = {"href": attrs["href"], "text": "", "class": attrs.get("class", "")}
            self.anchors.append(self._anchor)

    def handle_endtag(self, tag):
        if tag in self._in:
            self._in[tag] = False
        if tag == "a":
            self._anchor = None

    def handle_data(self, data):
        if self._in["title"]:
            self.title += data
        if self._in["style"]:
            self.styles.append(data)
        if self._anchor is not None:
            self._anchor["text"] += data


def parse(html: str) -> PageParser:
    """Return the parsed facts of a page."""
    parser = PageParser()
    parser.feed(html)
    return parser


def is_external(url: str) -> bool:
    """Tell whether a URL leaves the site (a scheme, or a protocol-relative address)."""
    return bool(urlsplit(url).scheme) or url.startswith("//")


# --- Fixtures ---------------------------------------------------------------


def make_site(root: Path, content_dir: Path, *, pdf: bytes | None = FAKE_PDF):
    """Build a site from ``content_dir`` into ``root/site``; return (content, site folder)."""
    content = load_content(content_dir, with_sessions=False)
    deck = None
    if pdf is not None:
        deck = root / "deck.pdf"
        deck.write_bytes(pdf)
    build_site(content, root / "site", deck_pdf=deck)
    return content, root / "site"


@pytest.fixture(scope="module", params=sorted(CONTENTS))
def built(request, tmp_path_factory):
    """The site of the real content, then of the mini content: (content, folder, {page: html})."""
    content, folder = make_site(tmp_path_factory.mktemp(request.param), CONTENTS[request.param])
    pages = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.html"))}
    return content, folder, pages


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    """The site of the real content: (content, folder)."""
    return make_site(tmp_path_factory.mktemp("real"), CONTENTS["content"])


# --- Pages and content ------------------------------------------------------


def test_every_page_is_written_and_nothing_else(built):
    content, folder, pages = built
    expected = {"index.html", "mode-d-emploi.html"}
    expected |= {"conseils-pratiques.html"} if content.nuancier.conseils_pratiques else set()
    expected |= {f"famille-{f.numero}.html" for f in content.familles}
    expected |= {f"teinte-{t.numero.slug}.html" for t in content.teintes}
    assert set(pages) == expected
    assert (folder / "nuancier.pdf").read_bytes() == FAKE_PDF
    assert {p.name for p in folder.iterdir()} == expected | {"nuancier.pdf", "assets"}


# Where each field of the nuancier is shown; a new field of the schema must be placed here.
NUANCIER_PAGES = {
    "titre": "index.html", "editeur": "index.html", "programme": "index.html", "mention": "index.html",
    "mode_emploi": "mode-d-emploi.html", "contacts": "mode-d-emploi.html", "licence": "mode-d-emploi.html",
    "credits": "mode-d-emploi.html", "conseils_pratiques": "conseils-pratiques.html",
}
NOT_TEXT = {"couleur", "format", "champ"}  # colours: see the colour tests; `champ` names a field
LINKS = {"url", "url_2", "email"}


def items(obj, prefix: str = ""):
    """Yield (field path, field name, value) for every text of a schema object, nested ones included."""
    for f in dataclasses.fields(obj):
        values = getattr(obj, f.name)
        for i, value in enumerate(values if isinstance(values, list) else [values]):
            path = f"{prefix}{f.name}" + (f"[{i}]" if isinstance(values, list) else "")
            if f.name in NOT_TEXT or value is None:
                continue
            if dataclasses.is_dataclass(value):
                yield from items(value, path + ".")
            else:
                assert isinstance(value, str), f"{path}: a field the site test does not know how to find"
                yield path, f.name, value


def shown(html: str, name: str, value: str) -> bool:
    """Tell whether a content text is on a page, after typography (a link: its target and its short form)."""
    if name in LINKS:
        return (f'href="{escape(href(value))}"' in html
                and str(printed_url(value)).replace("\u200b", "<wbr>") in html)
    return str(fr(value)) in html


def test_nothing_of_the_content_is_lost(built):
    content, _, pages = built
    assert {f.name for f in dataclasses.fields(schema.Nuancier)} - NOT_TEXT == set(NUANCIER_PAGES)
    expected = [(NUANCIER_PAGES[path.split(".")[0].split("[")[0]], f"nuancier.{path}", name, value)
                for path, name, value in items(content.nuancier)]
    for famille in content.familles:
        expected += [(f"famille-{famille.numero}.html", f"famille {famille.numero}: {path}", name, value)
                     for path, name, value in items(famille)]
        expected += [("index.html", f"famille {famille.numero}: titre", "titre", famille.titre)]
    for teinte in content.teintes:
        expected += [(f"teinte-{teinte.numero.slug}.html", f"teinte {teinte.numero}: {path}", name, value)
                     for path, name, value in items(teinte)]
        famille_page = f"famille-{teinte.numero.famille}.html"
        expected += [(page, f"teinte {teinte.numero}: titre", "titre", teinte.titre)
                     for page in ("index.html", famille_page)]
    missing = [f"{page}: {where}: {value!r}" for page, where, name, value in expected
               if not shown(pages[page], name, value)]
    assert len(expected) > (200 if len(content.teintes) > 10 else 20)
    assert missing == []


def test_unfinished_places_are_marked_in_words(built):
    content, _, pages = built
    for teinte in content.teintes:
        html = pages[f"teinte-{teinte.numero.slug}.html"]
        marks = site_pages.unfinished(teinte)
        assert html.count('<span class="todo-mark">À compléter</span>') == len(marks), teinte.numero
        for note in marks.values():
            assert str(fr(note)) in html


def test_texts_are_set_in_french_typography(real_site):
    _, folder = real_site
    html = (folder / "conseils-pratiques.html").read_text(encoding="utf-8")
    assert "De l’utilité du livrable «\u00a0semi-sur-mesure\u00a0»" in html
    assert "Une formation ou une mise en condition\u202f?" in html
    assert "La 27<span class=\"ordinal\">e</span> Région" in html


# --- Links and resources ----------------------------------------------------


def test_every_link_resolves_to_a_file_inside_the_site(built):
    _, folder, pages = built
    ids = {name: parse(html).ids for name, html in pages.items()}
    broken = []
    for name, html in pages.items():
        page = parse(html)
        for url in [a["href"] for a in page.anchors] + page.resources:
            if is_external(url):
                continue
            parts = urlsplit(url)
            target = (folder / name).parent / unquote(parts.path) if parts.path else folder / name
            if not target.resolve().is_relative_to(folder.resolve()) or not target.is_file():
                broken.append(f"{name}: {url}")
            elif parts.fragment and parts.fragment not in ids.get(target.name, set()):
                broken.append(f"{name}: {url} (no such id)")
            elif target.is_dir() or url.endswith("/"):
                broken.append(f"{name}: {url} (a folder: from disk, link to its index.html)")
    assert broken == []


def test_nothing_is_loaded_from_elsewhere(built):
    _, folder, pages = built
    css = (folder / "assets" / "site.css").read_text(encoding="utf-8")
    loaded = []
    for name, html in pages.items():
        page = parse(html)
        assert page.scripts == 0, name
        loaded += [f"{name}: {url}" for url in page.resources if is_external(url)]
        loaded += [f"{name}: style {s}" for s in page.styles if "url(" in s or "@import" in s]
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css):
        if is_external(url) or not (folder / "assets" / url).is_file():
            loaded.append(f"site.css: {url}")
    assert loaded == []
    assert "http" not in css


def test_outbound_links_are_content_links_and_say_they_leave_the_site(built):
    content, _, pages = built
    allowed = {href(ref.url) for t in content.teintes for ref in t.ressources + t.references_inspirantes
               if ref.url} | {href(ref.url_2) for t in content.teintes
                              for ref in t.ressources + t.references_inspirantes if ref.url_2}
    allowed |= {href(c.email) for c in content.nuancier.contacts}
    for name, html in pages.items():
        for anchor in parse(html).anchors:
            if not is_external(anchor["href"]):
                continue
            assert anchor["href"] in allowed, f"{name}: {anchor['href']}"
            if not anchor["href"].startswith("mailto:"):
                assert "external" in anchor["class"] and anchor["text"].endswith("(site externe)"), name


def test_links_have_meaningful_text(built):
    _, _, pages = built
    for name, html in pages.items():
        for anchor in parse(html).anchors:
            text = " ".join(anchor["text"].split()).lower()
            assert text and text not in {"ici", "cliquez ici", "lien", "en savoir plus", "lire la suite"}, name


# --- Semantics --------------------------------------------------------------


def test_each_page_has_one_h1_an_ordered_outline_and_a_unique_title(built):
    _, _, pages = built
    titles = {}
    for name, html in pages.items():
        page = parse(html)
        assert page.lang == "fr", name
        assert page.headings.count(1) == 1 and page.headings[0] == 1, name
        jumps = [(a, b) for a, b in zip(page.headings, page.headings[1:]) if b > a + 1]
        assert jumps == [], f"{name}: heading levels skipped: {jumps}"
        assert page.title.strip(), name
        titles.setdefault(page.title, []).append(name)
    assert [names for names in titles.values() if len(names) > 1] == []


def test_landmarks_skip_link_and_breadcrumb(built):
    _, _, pages = built
    for name, html in pages.items():
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert html.count(landmark) >= 1, f"{name}: {landmark}"
        assert html.count("<main") == 1, name
        assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in html
        if name != "index.html":
            assert 'aria-label="Fil d’Ariane"' in html and 'aria-current="page"' in html, name


def test_the_download_link_gives_the_size(real_site):
    _, folder = real_site
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert ('<a class="download" href="nuancier.pdf" type="application/pdf" download>Télécharger le nuancier '
            '<span class="download-size">(PDF, 1\u00a0Ko)</span></a>') in html


def test_without_a_deck_there_is_no_download(tmp_path):
    _, folder = make_site(tmp_path, CONTENTS["mini"], pdf=None)
    assert not (folder / "nuancier.pdf").exists()
    assert "Télécharger" not in (folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("size", "label"), [(31, "1\u00a0Ko"), (412_345, "412\u00a0Ko"),
                                             (999_499, "999\u00a0Ko"), (1_234_567, "1,2\u00a0Mo")])
def test_sizes_are_written_the_french_way(size, label):
    assert site_pages.size_label(size) == label


# --- Colours ----------------------------------------------------------------


def test_swatches_are_the_cards_colours(real_site):
    content, folder = real_site
    css = (folder / "assets" / "site.css").read_text(encoding="utf-8")
    for famille in content.familles:
        assert f".c-f{famille.numero} {{ --swatch: {hex_colour(famille.couleur.rgb)};" in css
    for teinte in content.teintes:
        colour = hex_colour(teinte_colour(content, teinte).rgb)
        assert f".c-t{teinte.numero.slug} {{ --swatch: {colour};" in css
        assert f'<body class="c-t{teinte.numero.slug}">' in (folder / f"teinte-{teinte.numero.slug}.html").read_text()


def assert_readable(palette):
    assert contrast(palette.on_swatch, palette.swatch) >= AA
    assert contrast(palette.ink, WHITE) >= AA
    assert contrast(palette.ink, palette.tint) >= AA
    assert contrast(TEXT, palette.tint) >= AA


def test_every_text_colour_of_the_content_meets_wcag_aa():
    content = load_content(CONTENTS["content"], with_sessions=False)
    palettes = site_pages.palettes(content)
    assert len(palettes) == 1 + len(content.familles) + len(content.teintes)
    for palette in palettes.values():
        assert_readable(palette)
    # A swatch already dark enough is its own ink: the cards' colour is kept where it can be.
    assert palettes["c-f1"].ink == palettes["c-f1"].swatch


@settings(max_examples=300, deadline=None)
@given(st.tuples(*[st.floats(0, 100, allow_nan=False)] * 4))
def test_any_cmyk_colour_gets_readable_text_colours(values):
    assert_readable(site_palette(schema.Cmyk(values)))


# --- Writing ----------------------------------------------------------------


def test_a_failed_run_leaves_the_previous_site_whole(tmp_path, monkeypatch):
    _, folder = make_site(tmp_path, CONTENTS["mini"])
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    calls = []

    def failing(env, page, shared):
        calls.append(page.path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return "<p>half a site</p>"

    monkeypatch.setattr(site_write, "render_page", failing)
    with pytest.raises(SiteError, match="No space left on device; the previous site, if any, is untouched"):
        make_site(tmp_path, CONTENTS["mini"])
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pdf", "site"]  # no staging folder left


def test_a_new_site_replaces_the_old_one_whole(tmp_path):
    _, folder = make_site(tmp_path, CONTENTS["mini"])
    (folder / "stale.html").write_text("<p>from an older build</p>", encoding="utf-8")
    make_site(tmp_path, CONTENTS["mini"])
    assert not (folder / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pdf", "site"]


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path):
    with pytest.raises(SiteError, match="is not a PDF file"):
        make_site(tmp_path, CONTENTS["mini"], pdf=b"<html>an error page</html>")
    assert not (tmp_path / "site").exists()


def test_a_file_in_the_way_is_reported(tmp_path):
    (tmp_path / "site").write_text("not a folder", encoding="utf-8")
    with pytest.raises(SiteError, match="is in the way"):
        make_site(tmp_path, CONTENTS["mini"])


# --- Command line -----------------------------------------------------------


def test_the_command_says_what_it_wrote(mini, runner):
    (mini.parent / "out").mkdir()
    (mini.parent / "out" / "deck.pdf").write_bytes(FAKE_PDF)
    result = runner.invoke(main, ["site"])
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines()[-1] == "site: out/site/ (8 pages, nuancier.pdf 1 Ko)"
    assert (mini.parent / "out" / "site" / "teinte-2-1.html").is_file()


def test_the_command_builds_the_missing_deck_first(mini, runner, monkeypatch):
    import nuancier_print.build

    asked = []

    def fake_build(options):
        asked.append(options)
        options.out.mkdir(exist_ok=True)
        (options.out / "deck.pdf").write_bytes(FAKE_PDF)
        return nuancier_print.build.BuildResult(lines=["deck: out/deck.pdf (fake)"])

    monkeypatch.setattr(nuancier_print.build, "build", fake_build)
    result = runner.invoke(main, ["site"])
    assert result.exit_code == 0, result.output + result.stderr
    assert [(o.sheets, o.booklets, o.deck) for o in asked] == [(False, False, True)]
    assert result.output.splitlines()[-2:] == ["deck: out/deck.pdf (fake)",
                                                "site: out/site/ (8 pages, nuancier.pdf 1 Ko)"]


def test_the_command_warns_when_the_deck_is_older_than_the_content(mini, runner):
    import os

    (mini.parent / "out").mkdir()
    deck = mini.parent / "out" / "deck.pdf"
    deck.write_bytes(FAKE_PDF)
    os.utime(deck, (1_000_000, 1_000_000))
    result = runner.invoke(main, ["site"])
    assert result.exit_code == 0
    assert "warning: out/deck.pdf is older than content/" in result.output


def test_a_content_error_is_reported_without_traceback_and_writes_nothing(mini, runner):
    path = mini / "teintes" / "1-1-premiere.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("finalites:", "finalite:"), encoding="utf-8")
    result = runner.invoke(main, ["site"])
    assert result.exit_code == 1
    assert "unknown field `finalite`" in result.stderr and "Traceback" not in result.stderr
    assert not (mini.parent / "out" / "site").exists()


# --- In a browser -----------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the browser tests of this module."""
    with chromium_driver() as driver:
        yield driver


def page_urls(folder: Path) -> list[tuple[str, str]]:
    """Return (name, file:// URL) for every page of a site."""
    return [(path.name, path.as_uri()) for path in sorted(folder.glob("*.html"))]


@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_no_wcag_21_aa_violation_on_any_page(real_site, browser, capsys, width):
    _, folder = real_site
    axe = axe_script()
    set_viewport(browser, width)
    violations, checked, incomplete = {}, 0, 0
    for name, url in page_urls(folder):
        browser.get(url)
        browser.execute_script(axe)
        result = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            ".then(r => done({violations: r.violations.map(v => ({id: v.id, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' '))})), incomplete: r.incomplete.length}))"
            ".catch(e => done({error: String(e)}));", AXE_TAGS)
        assert "error" not in result, f"{name}: axe failed: {result.get('error')}"
        checked += 1
        incomplete += result["incomplete"]
        if result["violations"]:
            violations[name] = result["violations"]
    with capsys.disabled():
        print(f"\naxe-core on {checked} pages at {width} px ({', '.join(AXE_TAGS)}): "
              f"{sum(len(v) for v in violations.values())} violations, {incomplete} to review by hand")
    assert checked == len(list(folder.glob("*.html"))) > 20
    assert violations == {}


def test_every_page_reflows_at_320_css_pixels(real_site, browser):
    _, folder = real_site
    set_viewport(browser, 320)
    wide = []
    for name, url in page_urls(folder):
        browser.get(url)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        if width > 320:
            wide.append(f"{name}: {width}px")
    assert wide == []


def test_the_skip_link_shows_on_focus_and_leads_to_the_content(real_site, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _, folder = real_site
    set_viewport(browser, 1280)
    browser.get((folder / "teinte-2-4.html").as_uri())
    skip = browser.find_element(By.CLASS_NAME, "skip-link")
    assert skip.rect["y"] < 0  # out of sight until focused
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element == skip and skip.rect["y"] >= 0
    styles = browser.execute_script("const s = getComputedStyle(arguments[0]);"
                                    "return [s.backgroundColor, s.boxShadow];", skip)
    assert styles[0] == "rgb(255, 221, 0)"  # the focus style
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "contenu"

