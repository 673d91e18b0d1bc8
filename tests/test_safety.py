"""Safety: content text is printed, never interpreted; nothing is fetched from outside the project.

* HTML and Jinja written in the content come out as the same characters on
  the card, never as elements or template code;
* ``*italique*`` is the only inline markup editors may write;
* while rendering, a local HTTP server that the content and the layouts
  point at in every way we could think of receives no request at all, and
  the renderer names what it refused;
* :class:`~nuancier_print.fetcher.LocalFetcher` serves files under its
  folders only, whatever the URL says and wherever a link points.
"""

from __future__ import annotations

import html.parser
import http.server
import io
import os
import shutil
import threading
from pathlib import Path

import pytest
from markupsafe import Markup
from pypdf import PdfReader

from nuancier_print.cli import main
from nuancier_print.content import load_content
from nuancier_print.deck import card_format, deck_cards, deck_stylesheet
from nuancier_print.engine import Engine
from nuancier_print.errors import BuildError
from nuancier_print.fetcher import FetchRefused, LocalFetcher
from nuancier_print.markup import LAYOUTS_DIR, fr

from .conftest import DATA
from .pdfutil import normalise, page_texts


class CountingServer:
    """An HTTP server on 127.0.0.1 that answers everything and counts the requests."""

    def __init__(self):
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                owner.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            do_POST = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def server():
    srv = CountingServer()
    yield srv
    srv.close()


def _mini(tmp_path: Path, teinte_yaml: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(DATA / "mini", content)
    (content / "teintes" / "2-1-troisieme.yaml").write_text(teinte_yaml, encoding="utf-8")
    return content


class _Faces:
    """Lay out and write single faces with an engine, as the build does."""

    def __init__(self, content, fmt, layouts: Path):
        self.engine = Engine(layouts, roots=[content.root])
        self.css = self.engine.stylesheet(deck_stylesheet(fmt, layouts))
        self.fetcher = self.engine.fetcher

    def html(self, spec) -> str:
        return self.engine.html(spec)

    def render(self, spec):
        """Return the face fitted and written alone, as an object with its ``pdf`` bytes."""
        _, document = self.engine.fit_face(spec, self.css)
        return type("Face", (), {"pdf": self.engine.write([document], spec.label)})


def _card(content_dir: Path, key: str = "teinte-2-1", layouts: Path = LAYOUTS_DIR):
    content = load_content(content_dir)
    fmt = card_format(content)
    card = next(c for c in deck_cards(content, fmt) if c.key == key)
    return _Faces(content, fmt, layouts), card


class Elements(html.parser.HTMLParser):
    """Collect (tag, attributes) of every element of an HTML text."""

    def __init__(self, text: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.found}


# --- content text is printed literally -----------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "calcul {{ 7*7 }} fin",
    "{% include 'base.html.j2' %}",
    '{% include "base.html.j2" %}',
    "${7*7} #{7*7} {#commentaire#}",
    "{{ deck.__class__.__init__.__globals__ }}",
    "</li></ul><h1>titre</h1>",
]


def _hostile_teinte(port_url: str) -> str:
    img = f'<img src="{port_url}/x.png">'
    items = "\n".join(f"  - {_quote(text)}" for text in [*HOSTILE, img])
    return (f"numero: 2.1\ntitre: {_quote('<script>alert(1)</script> {{ 7*7 }}')}\n"
            f"finalites:\n{items}\n"
            f"ressources:\n  - texte: {_quote('<b>gras</b> & <i>autre</i>')}\n    url: {port_url}/lien\n"
            f"a_completer:\n  - champ: finalites\n    note: {_quote(chr(34) + '><script>alert(2)</script>')}\n")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def hostile_deck(tmp_path_factory, server):
    """Build the deck of a mini content whose teinte 2.1 is full of HTML and Jinja."""
    from click.testing import CliRunner

    tmp = tmp_path_factory.mktemp("hostile")
    content = _mini(tmp, _hostile_teinte(server.url))
    before = len(server.requests)
    result = CliRunner().invoke(main, ["deck", "--content", str(content), "--out", str(tmp / "out")])
    assert result.exit_code == 0, result.output
    assert len(server.requests) == before, server.requests
    return content, tmp / "out" / "deck.pdf"


def test_html_and_jinja_in_content_are_printed_as_written(hostile_deck):
    from nuancier_print.typography import french

    _, pdf = hostile_deck
    text = " ".join(page_texts(pdf))
    for raw in HOSTILE:
        assert normalise(french(raw)) in text, raw
    assert "<script>alert(1)</script> {{ 7*7 }}" in text  # the title
    assert "calcul {{ 7*7 }} fin" in text and "calcul 49 fin" not in text
    assert "<b>gras</b> & <i>autre</i>" in text


def test_html_and_jinja_in_content_make_no_element(hostile_deck):
    content_dir, _ = hostile_deck
    renderer, card = _card(content_dir)
    clean_renderer, clean_card = _card(DATA / "mini")
    for face, clean in ((card.recto, clean_card.recto), (card.verso, clean_card.verso)):
        page = renderer.html(face)
        elements = Elements(page)
        assert not elements.tags() & {"script", "img", "iframe", "object", "embed", "b", "i"}, face.label
        headings = [tag for tag, _ in Elements(clean_renderer.html(clean)).found if tag == "h1"]
        assert [tag for tag, _ in elements.found if tag == "h1"] == headings  # the layout's own title only
        assert page.count("<html") == 1 and page.count("<!DOCTYPE") == 1  # nothing was included twice
        for tag, attrs in elements.found:
            for name, value in attrs.items():
                if "127.0.0.1" in (value or ""):
                    assert (tag, name) == ("a", "href"), (tag, attrs)
                # content text in an attribute is escaped: a title, a bookmark label
                assert "<script" not in (value or "") or name in ("title", "data-bookmark"), (tag, attrs)


def test_a_reference_url_becomes_a_link_and_is_never_fetched(hostile_deck, server):
    _, pdf = hostile_deck
    uris = [annot.get_object()["/A"]["/URI"]
            for page in PdfReader(str(pdf)).pages for annot in page.get("/Annots") or []
            if "/A" in annot.get_object()]
    assert f"{server.url}/lien" in uris
    assert not any("/lien" in r for r in server.requests)


# --- inline markup: *italique* only -------------------------------------------------


@pytest.mark.parametrize("raw,expected", [
    ("*italique*", "<em>italique</em>"),
    ("un *titre d’ouvrage* cité", "un <em>titre d’ouvrage</em> cité"),
    ("*un* et *deux*", "<em>un</em> et <em>deux</em>"),
    ("**gras**", "**gras**"),
    ("_souligné_ et __gras__", "_souligné_ et __gras__"),
    ("<b>gras</b>", "&lt;b&gt;gras&lt;/b&gt;"),
    ("<em>déjà</em>", "&lt;em&gt;déjà&lt;/em&gt;"),
    ("[lien](http://example.org)", "[lien](http://example.org)"),
    ("2 * 3 * 4", "2 * 3 * 4"),
    ("*pas fermé", "*pas fermé"),
    ("* liste", "* liste"),
    ("`code`", "`code`"),
    ("# titre", "# titre"),
])
def test_only_star_italics_are_markup(raw, expected):
    out = fr(raw)
    assert isinstance(out, Markup)
    assert out == expected


def _face_fonts(pdf: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = (page.get("/Resources") or {}).get("/Font") or {}
    return {str(f.get_object()["/BaseFont"]) for f in fonts.values()}


def test_a_rendered_face_sets_star_text_in_italics_and_keeps_the_rest_literal(tmp_path):
    teinte = "numero: 2.1\ntitre: Troisième teinte\nfinalites:\n  - {}\n  - '**gras** _souligné_ <b>x</b>'\n"
    renderer, card = _card(_mini(tmp_path / "a", teinte.format("Lire *Le Prince*")))
    html = renderer.html(card.verso)
    assert html.count("<em>") == 1 and "<em>Le Prince</em>" in html
    assert "**gras** _souligné_ &lt;b&gt;x&lt;/b&gt;" in html
    italic = renderer.render(card.verso).pdf
    text = normalise(PdfReader(io.BytesIO(italic)).pages[0].extract_text())
    assert "Lire Le Prince" in text and "**gras** _souligné_ <b>x</b>" in text
    plain_renderer, plain_card = _card(_mini(tmp_path / "b", teinte.format("Lire Le Prince")))
    plain = plain_renderer.render(plain_card.verso).pdf
    assert any("Italic" in name for name in _face_fonts(italic) - _face_fonts(plain))


# --- nothing is fetched while rendering ------------------------------------------------


def test_urls_in_content_text_are_printed_not_fetched(tmp_path, server):
    url = f"{server.url}/texte.png"
    teinte = (f"numero: 2.1\ntitre: Voir {url}\nfinalites:\n  - 'url({url})'\n  - '@import \"{url}\";'\n"
              f"ressources:\n  - texte: Un site\n    url: {url}\n    url_2: {server.url}/deux\n")
    renderer, card = _card(_mini(tmp_path, teinte))
    before = len(server.requests)
    faces = [renderer.render(card.recto), renderer.render(card.verso)]
    assert len(server.requests) == before, server.requests
    text = " ".join(normalise(PdfReader(io.BytesIO(f.pdf)).pages[0].extract_text()) for f in faces)
    assert f"url({url})" in text.replace("\u200b", "")


def _layout_snippets(url: str) -> dict[str, str]:
    return {
        "img": f'<img src="{url}/img.png">',
        "link-stylesheet": f'<link rel="stylesheet" href="{url}/link.css">',
        "style-import": f"<style>@import url({url}/import.css);</style>",
        "background": f'<div style="background: url({url}/background.png); height: 2mm"></div>',
        "font-face": f"<style>@font-face {{ font-family: Piege; src: url({url}/font.woff) }} "
                     "body { font-family: Piege }</style>",
        "list-style-image": f'<ul style="list-style-image: url({url}/bullet.png)"><li>x</li></ul>',
        "content-url": f"<style>body::after {{ content: url({url}/after.png) }}</style>",
        "object": f'<object data="{url}/object.png" type="image/png"></object>',
        "embed": f'<embed src="{url}/embed.png" type="image/png">',
        "picture": f'<picture><source srcset="{url}/source.png"><img src="{url}/picture.png"></picture>',
        "anchor": f'<a href="{url}/anchor.html">lien</a>',
        "video-audio": f'<video poster="{url}/poster.png" src="{url}/video.mp4"></video>'
                       f'<audio src="{url}/audio.mp3"></audio>',
        "file-etc-passwd": '<img src="file:///etc/passwd">',
        "absolute-path": '<img src="/etc/hostname">',
        "dot-dot": '<img src="../../../../../../etc/passwd">',
        "data-url": '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "iframe": f'<iframe src="{url}/iframe.html"></iframe>',
        "base-href": f'<base href="{url}/"><img src="relative.png">',
        "attachment": f'<a rel="attachment" href="{url}/attachment.pdf">pièce jointe</a>',
        "svg-image": f'<svg width="10" height="10"><image href="{url}/svg.png" width="10" height="10"/></svg>',
    }


# What is rendered without any resource at all: nothing to refuse.
NOTHING_TO_REFUSE = {"anchor", "video-audio"}
@pytest.fixture(scope="module")
def hostile_layouts(tmp_path_factory, server):
    """Render teinte 2.1 once per hostile snippet added to a copy of the layouts: {name: outcome}."""
    tmp = tmp_path_factory.mktemp("layouts")
    layouts = tmp / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    template = layouts / "teinte-recto.html.j2"
    original = template.read_text(encoding="utf-8")
    outcomes = {}
    for name, snippet in _layout_snippets(server.url).items():
        template.write_text(original.replace("{% block main %}", "{% block main %}" + snippet, 1), encoding="utf-8")
        renderer, card = _card(DATA / "mini", layouts=layouts)
        before = len(server.requests)
        try:
            renderer.render(card.recto)
            error = None
        except Exception as exc:  # noqa: BLE001 - the outcome is what the tests look at
            error = exc
        outcomes[name] = (error, server.requests[before:], list(renderer.fetcher.refused))
    return outcomes


SNIPPETS = sorted(_layout_snippets("http://x"))


@pytest.mark.parametrize("name", SNIPPETS)
def test_a_hostile_layout_fetches_nothing(hostile_layouts, name):
    error, requests, _ = hostile_layouts[name]
    assert requests == [], f"{name}: the server was asked for {requests}"


@pytest.mark.parametrize("name", [
    n for n in SNIPPETS if n not in NOTHING_TO_REFUSE
])
def test_a_hostile_layout_is_refused_by_name(hostile_layouts, name):
    error, _, _ = hostile_layouts[name]
    assert isinstance(error, BuildError), f"{name}: {type(error).__name__}: {error}"
    if name in CANNOT_RENDER:  # WeasyPrint fetches nothing for it, but cannot draw it in CMYK
        assert "WeasyPrint could not render this layout" in str(error) and "teinte 2.1, recto" in str(error)
    else:
        assert "the layout asked for resources that are not allowed" in str(error)


CANNOT_RENDER = {"iframe"}


def test_refusals_name_every_url(hostile_layouts, server):
    error, _, _ = hostile_layouts["picture"]
    assert f"{server.url}/picture.png" in str(error)
    error, _, _ = hostile_layouts["file-etc-passwd"]
    assert "file:///etc/passwd" in str(error)


@pytest.mark.parametrize("name", sorted(NOTHING_TO_REFUSE))
def test_harmless_markup_renders(hostile_layouts, name):
    error, requests, refused = hostile_layouts[name]
    assert error is None and requests == [] and refused == []


# --- LocalFetcher ----------------------------------------------------------------------


@pytest.fixture
def roots(tmp_path):
    """An allowed folder with a file, and a secret next to it."""
    allowed = tmp_path / "layouts"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p {}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "layouts-evil").mkdir()
    (tmp_path / "layouts-evil" / "x.css").write_text("p {}", encoding="utf-8")
    return tmp_path, allowed


def _refused(fetcher: LocalFetcher, url: str) -> bool:
    with pytest.raises(FetchRefused):
        fetcher(url)
    return fetcher.refused[-1] == url


def test_a_file_under_an_allowed_folder_is_served(roots):
    _, allowed = roots
    fetcher = LocalFetcher([allowed])
    response = fetcher((allowed / "ok.css").as_uri())
    assert response.read() == b"p {}" and fetcher.refused == []
    assert fetcher(f"file://localhost{allowed}/ok.css").read() == b"p {}"


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "file://otherhost/etc/passwd",
    "data:text/css,p{}",
    "https://example.org/s.css",
    "http://127.0.0.1:1/s.css",
    "ftp://example.org/s.css",
    "javascript:alert(1)",
])
def test_urls_outside_the_allowed_folders_are_refused(roots, url):
    _, allowed = roots
    assert _refused(LocalFetcher([allowed]), url)


def test_dot_dot_traversal_is_refused(roots):
    tmp, allowed = roots
    fetcher = LocalFetcher([allowed])
    assert _refused(fetcher, f"{allowed.as_uri()}/../secret.txt")
    assert _refused(fetcher, f"{allowed.as_uri()}/%2e%2e/secret.txt")
    assert _refused(fetcher, f"{allowed.as_uri()}/../layouts-evil/x.css")  # a sibling sharing the prefix


def test_a_link_inside_an_allowed_folder_pointing_outside_is_refused(roots):
    tmp, allowed = roots
    (allowed / "passwd.css").symlink_to("/etc/passwd")
    (allowed / "secret.css").symlink_to(tmp / "secret.txt")
    (allowed / "dir").symlink_to(tmp)
    (allowed / "inside.css").symlink_to(allowed / "ok.css")
    fetcher = LocalFetcher([allowed])
    for name in ("passwd.css", "secret.css", "dir/secret.txt"):
        assert _refused(fetcher, (allowed / name).as_uri())
    assert fetcher((allowed / "inside.css").as_uri()).read() == b"p {}"


def test_a_named_folder_serves_its_plain_files_only(roots):
    tmp, allowed = roots
    (allowed / "photo.jpg").write_bytes(b"jpeg")
    (allowed / "sub").mkdir()
    (allowed / "sub" / "deep.jpg").write_bytes(b"jpeg")
    (allowed / "out.jpg").symlink_to(tmp / "secret.txt")
    fetcher = LocalFetcher([], named={"nuancier-photo": allowed})
    assert fetcher("nuancier-photo:photo.jpg").read() == b"jpeg"
    for url in ("nuancier-photo:../secret.txt", "nuancier-photo:%2e%2e/secret.txt", "nuancier-photo:sub/deep.jpg",
                "nuancier-photo:out.jpg", "nuancier-photo:", "nuancier-photo:..", "nuancier-photo://host/photo.jpg",
                "nuancier-photo:photo.jpg?x=1", "nuancier-photo:missing.jpg", "nuancier-photo:a%00b.jpg",
                "other-name:photo.jpg", (allowed / "photo.jpg").as_uri()):
        assert _refused(fetcher, url), url


def test_odd_paths_are_refused_and_recorded(roots):
    _, allowed = roots
    (allowed / "loop.css").symlink_to("loop.css")
    os.mkfifo(allowed / "pipe.css")
    fetcher = LocalFetcher([allowed])
    for url in (f"{allowed.as_uri()}/loop.css", f"{allowed.as_uri()}/pipe.css",
                f"{allowed.as_uri()}/a%00b.css", f"{allowed.as_uri()}/missing.css", f"{allowed.as_uri()}/"):
        assert _refused(fetcher, url), url
