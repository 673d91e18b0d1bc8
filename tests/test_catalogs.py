"""The French catalogs of every domain: complete, compiled, faithful to their placeholders, typeset in French.

The command to fix what these tests find is in each message; the workflow is
in tests/catalogs.py and README.md (« For developers »).
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nuancier_print import i18n

from . import catalogs
from .conftest import ROOT

pytest.importorskip("babel", reason="babel (the test extra) extracts and compiles the catalogs")

DOMAINS = tuple(catalogs.SOURCES)
CLI_DOMAINS = ("nuancier", "content", "site")  # atelier.po keeps its own conventions (straight apostrophes)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+(?:![rs])?(?::[^{}]*)?\}")


def test_the_domains_are_the_same_everywhere():
    assert set(i18n.DOMAINS) == set(catalogs.SOURCES)
    for domain in DOMAINS:
        assert catalogs.po_path(domain).exists(), f"{domain}.po is missing: run `python3 -m tests.catalogs update`"


def test_every_source_file_belongs_to_a_domain():
    sources = [p.relative_to(ROOT).as_posix() for p in (ROOT / "nuancier_print").rglob("*.py")]
    assert sources and all(catalogs.domain_of(path) in DOMAINS for path in sources)
    assert catalogs.domain_of("nuancier_print/load.py") == "content"
    assert catalogs.domain_of("nuancier_print/cli.py") == "nuancier"
    assert catalogs.domain_of("nuancier_print/atelier/forms.py") == "atelier"


def test_every_text_has_a_french_translation():
    templates = catalogs.extract()
    assert len(templates["nuancier"]) > 250 and len(templates["content"]) > 150, \
        "extraction found too little: is babel.cfg still pointing at nuancier_print?"
    missing = catalogs.untranslated(templates)
    assert not missing, ("texts without a French translation (run `python3 -m tests.catalogs update`, "
                         f"translate them, then `python3 -m tests.catalogs compile`): {missing}")


def test_a_text_in_two_domains_has_one_translation():
    """A text is looked up in every domain at once: its translations must not differ from one domain to another."""
    seen: dict[str, tuple[str, object]] = {}
    for domain in DOMAINS:
        for message in catalogs.read(domain):
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key:
                first = seen.setdefault(key, (domain, message.string))
                assert first[1] == message.string, (key, first[0], domain)


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_their_placeholders(domain):
    for message in catalogs.read(domain):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for index, string in enumerate(strings):  # the first form is the singular's
            wanted = sorted(PLACEHOLDER.findall(ids[min(index, len(ids) - 1)]))
            assert sorted(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


@pytest.mark.parametrize("domain", CLI_DOMAINS)
def test_translations_are_typeset_in_french(domain):
    """A non-breaking space before : ; ? ! and inside « », ’ for the apostrophe; code between `backticks` aside."""
    for message in catalogs.read(domain):
        if not message.id:  # the header
            continue
        for string in message.string if isinstance(message.string, tuple) else (message.string,):
            prose = re.sub(r"`[^`]*`", "", string or "")
            assert not re.search(r" [:;?!»]|« ", prose), (message.id, string)
            assert not re.search(r"(?<=[^\s\u00a0\d])[;?!](?!\w)", prose), (message.id, string)
            assert "'" not in prose.replace("{name!r}", "").replace("{value!r}", "").replace(
                "{filename!r}", "").replace("{sheet!r}", ""), (message.id, string)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_shipped_mo_is_compiled_from_the_po(domain):
    assert domain not in catalogs.stale_mo(), \
        f"{domain}.mo is older than {domain}.po: run `python3 -m tests.catalogs compile`"


def test_pybabel_compiles_the_catalogs_as_shipped(tmp_path):
    """`pybabel compile`, as the README says to run it, accepts every catalog and gives the shipped .mo."""
    locale = tmp_path / "locale"
    shutil.copytree(catalogs.LOCALE, locale, ignore=shutil.ignore_patterns("*.mo"))
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(locale),
                             "-D", " ".join(DOMAINS), "--statistics"], capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stderr.lower(), result.stderr
    for domain in DOMAINS:
        compiled = locale / "fr" / "LC_MESSAGES" / f"{domain}.mo"
        with open(compiled, "rb") as fresh, open(catalogs.po_path(domain).with_suffix(".mo"), "rb") as shipped:
            assert gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(shipped)._catalog, domain


def test_the_helper_reports_nothing_to_do(capsys):
    assert catalogs.main(["check"]) == 0
    assert "every text is translated" in capsys.readouterr().out


def test_the_french_catalogs_are_used():
    assert i18n.translations("fr").gettext("warning:") == "attention\u00a0:"
    assert i18n.translations("fr").gettext("written") == "écrit"
    assert i18n.translations("en").gettext("warning:") == "warning:"


def test_schema_descriptions_are_marked_for_translation():
    from nuancier_print import schema

    template = catalogs.extract()["content"]
    for cls in (schema.Teinte, schema.Session, schema.Nuancier, schema.Printer, schema.Kit, schema.Format):
        for field in schema.fields_of(cls):
            assert field.metadata["doc"] in template, f"{cls.__name__}.{field.name}: mark its doc() text with N_"


def test_readme_describes_the_workflow():
    readme = Path(ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("update", "compile", "check"):
        assert f"python3 -m tests.catalogs {command}" in readme
