"""The language of everything a trainer reads: French or English, from gettext catalogs.

Texts are written in English in the code, wrapped in :func:`_` (or
:func:`ngettext`), and translated by the catalogs in
``nuancier_print/locale/<lang>/LC_MESSAGES/<domain>.po``. Babel extracts
them (``pybabel extract -F babel.cfg``) and compiles them to the ``.mo``
files shipped next to them (``pybabel compile -d nuancier_print/locale``);
a test checks that the shipped ``.mo`` files match their ``.po``.

The language is French when the locale says so (``LC_ALL``, ``LC_MESSAGES``
or ``LANG`` starting with ``fr``), English otherwise; :func:`set_language`
forces either one (the CLI's ``--lang``, the atelier's browser language).
Each part of the tool has its own domain (:data:`DOMAINS`), so that their
catalogs can be edited apart.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("nuancier", "atelier", "site")
LANGUAGES = ("fr", "en")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_from_environment(environ=os.environ) -> str:
    """Return ``fr`` when the user's locale is French, else ``en``."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(name, "")
        if value:
            return "fr" if value.split(":")[0].lower().startswith("fr") else "en"
    return "en"


def translations(language: str) -> gettext.NullTranslations:
    """Return the catalogs of every domain for ``language`` (English needs none)."""
    chain: gettext.NullTranslations = gettext.NullTranslations()
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


def set_language(language: str | None = None) -> str:
    """Use ``language`` (``fr`` or ``en``; None: the locale's) for every text from now on; return it."""
    global _current, _language
    _language = language if language in LANGUAGES else language_from_environment()
    _current = translations(_language)
    return _language


def current_language() -> str:
    """Return the language texts are translated to."""
    return _language


def _(message: str) -> str:
    """Return ``message`` in the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form for ``n``, in the current language."""
    return _current.ngettext(singular, plural, n)


set_language()
