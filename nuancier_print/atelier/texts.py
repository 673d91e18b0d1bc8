"""The atelier's language: French or English per request, from the gettext catalogs.

:mod:`nuancier_print.i18n` holds one language for the whole process; a web
server answers several browsers at once, so each request gets its own
catalogs here (:func:`use_language`), chosen from the ``--lang`` option, then
the browser's ``Accept-Language``, then the locale. Texts are written in
English inside :func:`_` and translated by the ``atelier`` domain.
"""

from __future__ import annotations

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
    """Translate this request's texts into ``language``."""
    g.language = language
    g.catalogs = catalogs(language)


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
