"""Layouts as Jinja templates: the sandboxed environment and the filters that set content texts.

Layouts are the user's own code, but a layouts folder gets shared like a
theme, so they run in Jinja's sandbox, autoescaped and strict (a missing
variable fails loudly), and the loader refuses a template that is a link
leading out of the layouts folder; so does :func:`read_layout`, for the
stylesheets read as they are. :func:`template_errors` reports any error in a
layout as ``layouts/<file>:<line>: message``. Content texts go through :func:`fr`:
escaped, set in French typography, with ``*italic*`` as the only markup.

Nothing here imports WeasyPrint: the web atelier and the static site use the
same environment and filters as the print layouts.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from .errors import BuildError, FitError, relative
from .i18n import _
from .typography import breakable_url, french, short_url

LAYOUTS_DIR = Path(__file__).resolve().parent.parent / "layouts"


class LayoutOutside(jinja2.TemplateNotFound):
    """A layout file is a link that leads out of the layouts folder."""


class LayoutsLoader(jinja2.FileSystemLoader):
    """Load templates from one folder, refusing any file whose real path lies outside it."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.root = Path(folder).resolve()

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(os.path.realpath(filename))
        if self.root not in real.parents:
            raise LayoutOutside(f"{template} (a link that leads out of the layouts folder)")
        return source, filename, uptodate


def read_layout(layouts: Path, name: str) -> str:
    """Return the text of a file of the layouts folder (a stylesheet), refused if it is a link out of it.

    Raise :class:`BuildError` as ``layouts/<file>: message`` when it is
    missing, a link out of the folder, or not UTF-8 text.
    """
    path = Path(layouts) / name
    shown = relative(path)
    try:
        if Path(layouts).resolve() not in path.resolve().parents:
            raise BuildError(_("{file}: this file is a link to {target}, outside the layouts folder; "
                               "copy that file into the folder instead").format(file=shown, target=path.resolve()))
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(_("{file}: this layout file is missing; restore it, or give --layouts a folder "
                           "that has every layout file").format(file=shown)) from None
    except UnicodeDecodeError as exc:
        raise BuildError(_("{file}: this file is not UTF-8 text (byte 0x{byte:02X}); save it again with the UTF-8 "
                           "encoding").format(file=shown, byte=exc.object[exc.start])) from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop (Python 3.11)
        raise BuildError(_("{file}: cannot read this layout file ({reason})").format(
            file=shown, reason=getattr(exc, "strerror", None) or exc)) from None


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


# --- errors in layouts ---------------------------------------------------------------------


@contextlib.contextmanager
def template_errors(layouts: Path, label: str):
    """Report an error in a layout as ``layouts/<file>:<line>: message`` instead of a traceback."""
    try:
        yield
    except (BuildError, FitError):
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(f"{_where(layouts, exc.filename, exc.lineno)}: {exc.message}") from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        where = _template_frame(exc, layouts)
        raise BuildError(f"{where or relative(layouts)}: {label}: {_message(exc, layouts)}") from None


def _message(exc: BaseException, layouts: Path) -> str:
    """Return what went wrong in a layout, in plain words."""
    if isinstance(exc, LayoutOutside):
        name = exc.name.split(" (", 1)[0]
        return _("the layout `{name}` is a link that leads out of the layouts folder; copy the file into it "
                 "instead").format(name=name)
    if isinstance(exc, jinja2.TemplatesNotFound):
        return _("none of the layouts {names} is in {folder}/").format(
            names=", ".join(f"`{n}`" for n in exc.templates), folder=relative(layouts))
    if isinstance(exc, jinja2.TemplateNotFound):
        return _("the layout `{name}` is not in {folder}/").format(name=exc.name, folder=relative(layouts))
    if isinstance(exc, jinja2.TemplateError) and exc.message:
        return exc.message
    return str(exc)


def _where(layouts: Path, filename: str | None, line: int | None) -> str:
    shown = relative(Path(filename)) if filename else relative(layouts)
    return f"{shown}:{line}" if line else shown


def _template_frame(exc: BaseException, layouts: Path) -> str | None:
    """Return ``file:line`` of the innermost layout frame in an exception's traceback."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2") or name.endswith(".css") or name.endswith(".html"):
            found = _where(layouts, name, tb.tb_lineno)
        tb = tb.tb_next
    return found
