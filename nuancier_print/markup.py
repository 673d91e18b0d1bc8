"""Layouts as Jinja templates: the sandboxed environment and the filters that set content texts.

Layouts are the user's own code, but a layouts folder gets shared like a
theme, so they run in Jinja's sandbox, autoescaped and strict (a missing
variable fails loudly), and the loader refuses a template that is a link
leading out of the layouts folder. Content texts go through :func:`fr`:
escaped, set in French typography, with ``*italic*`` as the only markup.

Nothing here imports WeasyPrint: the web atelier and the static site use the
same environment and filters as the print layouts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .typography import breakable_url, french, short_url

LAYOUTS_DIR = Path(__file__).resolve().parent.parent / "layouts"


class LayoutsLoader(jinja2.FileSystemLoader):
    """Load templates from one folder, refusing any file whose real path lies outside it."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.root = Path(folder).resolve()

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(os.path.realpath(filename))
        if self.root not in real.parents:
            raise jinja2.TemplateNotFound(f"{template} (a link that leads out of the layouts folder)")
        return source, filename, uptodate


def make_environment(layouts: Path = LAYOUTS_DIR) -> SandboxedEnvironment:
    """Return the Jinja environment of a layouts folder: sandboxed, autoescaped, strict, with our filters."""
    env = SandboxedEnvironment(
        loader=LayoutsLoader(layouts),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fr=fr, url=url_link, printed_url=printed_url, frtext=french)
    return env


def fr(text) -> Markup:
    """Escape a content text, set it in French typography, allow *italic*."""
    if text is None:
        return Markup("")
    return inline_markup(escape(french(str(text))))


_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ACRONYM = re.compile(r"\b[A-ZÀ-Ý][A-ZÀ-Ý0-9]+\b")
_ORDINAL = re.compile(r"\b(\d+)(e|er|re|ère|es|ers|res)\b")


def inline_markup(escaped: Markup) -> Markup:
    """Add the little markup we allow to already escaped text.

    ``*text*`` becomes italics (the only markup editors may write); words in
    capitals are kept from hyphenation; ordinals (27e) get superior letters.
    """
    text = _ITALIC.sub(r"<em>\1</em>", str(escaped))
    text = _ACRONYM.sub(r'<span class="nohy">\g<0></span>', text)
    text = _ORDINAL.sub(r'\1<span class="ordinal">\2</span>', text)
    return Markup(text)


def printed_url(url: str) -> Markup:
    """Return a URL as printed: short, with break opportunities, escaped."""
    return escape(breakable_url(short_url(url)))


def href(url: str) -> str:
    """Return the link target of a URL or an e-mail address as written in the content."""
    if "://" in url or url.startswith("mailto:"):
        return url
    return f"mailto:{url}" if "@" in url and "/" not in url else f"http://{url}"


def url_link(url: str) -> Markup:
    """Return a clickable, short, breakable link for a URL or an e-mail address."""
    return Markup('<a class="url" href="{}">{}</a>').format(href(url), printed_url(url))
