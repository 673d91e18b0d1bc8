"""The atelier speaks French from its catalog: every text is translated, and the shipped .mo is up to date."""

from __future__ import annotations

import gettext
import io
import re

import pytest

from .conftest import ROOT

PO = ROOT / "nuancier_print" / "locale" / "fr" / "LC_MESSAGES" / "atelier.po"
MO = PO.with_suffix(".mo")

babel = pytest.importorskip("babel", reason="babel (the test extra) extracts and compiles the catalogs")


def _extracted() -> set:
    """Return the msgids Babel extracts from the atelier, with the project's babel.cfg."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS):
        if "atelier" in filename.replace("\\", "/").split("/"):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog():
    from babel.messages.pofile import read_po

    with open(PO, "rb") as handle:
        return read_po(handle, locale="fr", domain="atelier")


def test_every_atelier_text_has_a_french_translation():
    catalog = _catalog()
    translated = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    extracted = _extracted()
    assert len(extracted) > 100, "extraction found too little: is babel.cfg still pointing at the atelier?"
    missing = sorted(extracted - set(translated))
    assert not missing, f"not in atelier.po (extract and translate them): {missing}"
    empty = sorted(k for k, m in translated.items() if k in extracted and not all(
        m.string if isinstance(m.string, tuple) else [m.string]))
    assert not empty, f"untranslated in atelier.po: {empty}"


def test_translations_keep_their_placeholders():
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", ids[-1]))
        for string in strings:
            assert sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", string)) == wanted, message.id


def test_the_shipped_mo_is_compiled_from_the_po():
    from babel.messages.mofile import write_mo

    fresh = io.BytesIO()
    write_mo(fresh, _catalog())
    fresh.seek(0)
    with open(MO, "rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    expected = gettext.GNUTranslations(fresh)
    assert shipped._catalog == expected._catalog, \
        "atelier.mo is older than atelier.po: run `pybabel compile -d nuancier_print/locale -D atelier`"


def test_the_french_catalog_is_used():
    from nuancier_print.atelier.texts import catalogs

    assert catalogs("fr").gettext("Compose a session") == "Composer une session"
    assert catalogs("en").gettext("Compose a session") == "Compose a session"
