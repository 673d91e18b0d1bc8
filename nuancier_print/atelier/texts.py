"""The atelier's language: French or English per request, from the gettext catalogs.

:mod:`nuancier_print.i18n` holds one language for the whole process; a web
server answers several browsers at once, so each request gets its own
catalogs here (:func:`use_language`), chosen from the ``--lang`` option, then
the browser's ``Accept-Language``, then the locale. Texts are written in
English inside :func:`_` and translated by the ``atelier`` domain; the
loader's messages about a file (the ``content`` domain) follow the request's
language too (:func:`nuancier_print.i18n.use_here`).
"""

from __future__ import annotations

import contextlib
import functools

from flask import g, has_request_context

from .. import i18n

LANGUAGES = i18n.LANGUAGES


@functools.cache
def catalogs(language: str):
    """Return the catalogs for ``language`` (loaded once)."""
    return i18n.translations(language)


def choose_language(forced: str | None, accept_languages) -> str:
    """Return the language of a request: the forced one, else the browser's best match, else the locale's."""
    if forced in LANGUAGES:
        return forced
    if accept_languages:
        best = accept_languages.best_match(LANGUAGES)
        if best:
            return best
    return i18n.language_from_environment()


def use_language(language: str) -> None:
    """Translate this request's texts into ``language``: the atelier's, and the loader's messages."""
    g.language = language
    g.catalogs = catalogs(language)
    g.language_token = i18n.use_here(language)


def leave_language() -> None:
    """Give the thread back the process's language when the request ends."""
    token = g.pop("language_token", None)
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context: nothing of it is left here
            i18n.leave(token)


def current_language() -> str:
    """Return this request's language (the process's outside a request)."""
    return g.get("language", "en") if has_request_context() else i18n.current_language()


def _current():
    if has_request_context() and "catalogs" in g:
        return g.catalogs
    return catalogs(i18n.current_language())


def _(message: str) -> str:
    """Return ``message`` in this request's language."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form for ``n``, in this request's language."""
    return _current().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; it is translated where it is shown."""
    return message
