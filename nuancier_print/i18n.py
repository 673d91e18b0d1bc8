"""The language of everything a trainer reads: French or English, from gettext catalogs.

Texts are written in English in the code, wrapped in :func:`_` (or
:func:`ngettext`), and translated by the catalogs in
``nuancier_print/locale/<lang>/LC_MESSAGES/<domain>.po``. Babel extracts
them (``python3 -m tests.catalogs update``, which runs ``pybabel extract -F
babel.cfg`` domain by domain) and compiles them to the ``.mo`` files shipped
next to them (``pybabel compile -d nuancier_print/locale``); a test checks
that the shipped ``.mo`` files match their ``.po``.

The language is French when the locale says so (``LC_ALL``, ``LC_MESSAGES``
or ``LANG`` starting with ``fr``), English otherwise; ``NUANCIER_LANG``
(``fr`` or ``en``) overrides the locale, and :func:`set_language` forces
either one (the CLI's ``--lang``). A web request of the atelier translates
its own texts, the loader's messages included, into its browser's language
with :func:`use_here`, without changing the process's.

Each part of the tool has its own domain (:data:`DOMAINS`), so that their
catalogs can be edited apart: ``content`` (what the content checks say about
the YAML files), ``nuancier`` (the rest of the command line), ``atelier``
and ``site``. ``tests/catalogs.py`` says which sources each domain's texts
are extracted from, and extracts, updates, compiles and checks them.

A text that must be marked where it is defined but translated where it is
shown (a schema field's description, a click option's help) is marked with
:func:`N_`, which returns it unchanged, and passed through :func:`_` when shown.
"""

from __future__ import annotations

import contextvars
import functools
import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("nuancier", "content", "atelier", "site")
LANGUAGES = ("fr", "en")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_here: contextvars.ContextVar = contextvars.ContextVar("nuancier_language", default=None)  # see use_here


def language_from_environment(environ=os.environ) -> str:
    """Return ``fr`` when ``NUANCIER_LANG`` or else the user's locale is French, else ``en``."""
    forced = environ.get("NUANCIER_LANG", "").strip().lower()
    if forced in LANGUAGES:
        return forced
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(name, "")
        if value:
            return "fr" if value.split(":")[0].lower().startswith("fr") else "en"
    return "en"


def translations(language: str, last: gettext.NullTranslations | None = None) -> gettext.NullTranslations:
    """Return the catalogs of every domain for ``language`` (English needs none).

    ``last`` is asked for the texts no catalog translates (by default they
    stay in English); the tests use it to record them.
    """
    chain: gettext.NullTranslations = last if last is not None else gettext.NullTranslations()
    if language == "en":
        return chain
    for domain in DOMAINS:
        try:
            found = gettext.translation(domain, LOCALE_DIR, languages=[language])
        except OSError:  # a domain without a catalog for this language
            continue
        found.add_fallback(chain)
        chain = found
    return chain


@functools.cache
def _shared(language: str) -> gettext.NullTranslations:
    return translations(language)


def set_language(language: str | None = None) -> str:
    """Use ``language`` (``fr`` or ``en``; None: the environment's) for every text from now on; return it."""
    global _current, _language
    _language = language if language in LANGUAGES else language_from_environment()
    _current = translations(_language)
    return _language


def use_here(language: str) -> contextvars.Token:
    """Translate into ``language`` in this context only (an atelier request); undo with :func:`leave`."""
    return _here.set((language, _shared(language)))


def leave(token: contextvars.Token) -> None:
    """Go back to the language in use before :func:`use_here`."""
    _here.reset(token)


def _active() -> tuple[str, gettext.NullTranslations]:
    return _here.get() or (_language, _current)


def current_language() -> str:
    """Return the language texts are translated to."""
    return _active()[0]


def _(message: str) -> str:
    """Return ``message`` in the current language."""
    return _active()[1].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form for ``n``, in the current language."""
    return _active()[1].ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; pass it through :func:`_` where it is shown."""
    return message


set_language()
