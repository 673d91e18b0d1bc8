"""The Flask application: configuration, language, CSRF on every POST, and error pages.

:func:`create_app` is safe by default: a random secret per run, session
cookies that never leave for another site (SameSite=Strict), requests
accepted only for loopback host names (no DNS rebinding), a size limit on
every request, and Jinja autoescaping on every page.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, request
from flask.globals import request_ctx
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from ..markup import fr, url_link
from . import security, texts
from .jobs import Builder
from .store import Store
from .web import Atelier, bp, page

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


def create_app(content: Path | str = "content", out: Path | str = "out", *, language: str | None = None,
               auto_build: bool = True, trusted_hosts: list[str] | None = LOOPBACK_HOSTS) -> Flask:
    """Return the atelier for a content folder, building into ``out``.

    ``language`` forces ``fr`` or ``en`` (default: the browser's, then the
    locale's); ``auto_build`` rebuilds a session's booklet after each save;
    ``trusted_hosts`` (None: any) are the host names requests may be sent to.
    """
    from . import views_after, views_nuancier, views_preview, views_sessions  # noqa: F401 - they add routes

    app = Flask(__name__)
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=security.MAX_REQUEST_BYTES,
                      SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True,
                      TRUSTED_HOSTS=trusted_hosts, MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
                      TEMPLATES_AUTO_RELOAD=False)
    content, out = Path(content), Path(out)
    builder = Builder(content, out)
    app.extensions["atelier"] = Atelier(content, out, Store(content, out / ".atelier" / "scratch"), builder,
                                        auto_build)
    app.config["ATELIER_LANGUAGE"] = language
    _jinja(app)
    _hooks(app)
    app.register_blueprint(bp)
    return app


def _jinja(app: Flask) -> None:
    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext=texts._, ngettext=texts.ngettext, newstyle=True)
    env.filters.update(fr=fr, url=url_link, lines_of=_lines_of)
    env.globals.update(csrf_token=security.csrf_token)


def _lines_of(items) -> Markup:
    """Join texts with line breaks, each escaped and set in French typography."""
    return Markup("<br>").join(fr(item) for item in items)


def _hooks(app: Flask) -> None:
    @app.before_request
    def language_and_csrf():
        texts.use_language(texts.choose_language(app.config["ATELIER_LANGUAGE"], request.accept_languages))
        if request.method == "POST":
            security.check_csrf()

    @app.teardown_request
    def process_language(_exc):
        texts.leave_language()

    @app.context_processor
    def language():
        return {"lang": texts.current_language()}

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                    "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(HTTPException)
    def error_page(exc: HTTPException):
        if request.path.endswith(".json"):
            return {"error": exc.code}, exc.code
        if request_ctx.url_adapter is None:  # refused before routing (a foreign host name): plain text
            return _message(exc), exc.code, {"Content-Type": "text/plain; charset=utf-8"}
        return page("error.html", exc.code or 500, code=exc.code, message=_message(exc))


def _message(exc: HTTPException) -> str:
    _ = texts._
    default = {
        400: _("The request could not be understood."),
        403: _("This request was refused."),
        404: _("This page does not exist."),
        405: _("This page cannot be used that way."),
        413: _("What you sent is too large (at most 40 MB at once, 15 MB per photo)."),
    }
    described = exc.description if exc.description and exc.description != type(exc).description else None
    return described or default.get(exc.code, _("Something went wrong."))
