"""The gettext catalogs, for developers: which sources each domain's texts come from; extract, update, compile, check.

    python3 -m tests.catalogs            # list the texts without a French translation, and stale .mo (exit 1 if any)
    python3 -m tests.catalogs update     # extract each domain's texts and merge them into its .po
    python3 -m tests.catalogs compile    # compile each .po into the .mo shipped next to it

It does what ``pybabel extract``, ``pybabel update`` and ``pybabel compile``
do, domain by domain, with the project's ``babel.cfg`` and the sources of
:data:`SOURCES`: the same texts must not land in another domain's catalog.
After ``update``, translate the new entries of the ``.po`` files (an entry
marked ``#, fuzzy`` is not used until the mark is removed), then ``compile``.
The tests (``tests/test_catalogs.py``) fail while a text has no translation
or a ``.mo`` is older than its ``.po``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "nuancier_print" / "locale"
LANGUAGE = "fr"

# The modules whose texts are about the content files (the `content` domain): what `nuancier check`
# says about the YAML, and the schema's field descriptions. The rest of nuancier_print/*.py is `nuancier`.
CONTENT_MODULES = ("yamlsrc.py", "load.py", "content.py", "sessions.py", "schema.py")
SOURCES = {
    "nuancier": "nuancier_print/*.py, except the content modules",
    "content": ", ".join(f"nuancier_print/{m}" for m in CONTENT_MODULES),
    "atelier": "nuancier_print/atelier/",
    "site": "nuancier_print/site/",
}


def domain_of(path: str) -> str | None:
    """Return the domain whose catalog holds the texts of a source file (relative to the project)."""
    parts = Path(path).as_posix().split("/")
    if parts[0] != "nuancier_print":
        return None
    if len(parts) > 2:
        return parts[1] if parts[1] in ("atelier", "site") else None
    return "content" if parts[1] in CONTENT_MODULES else "nuancier"


def extract() -> dict:
    """Return, per domain, a template catalog of the texts Babel extracts from its sources."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    templates = {domain: Catalog(domain=domain, project="nuancier-print", charset="utf-8") for domain in SOURCES}
    for filename, line, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS, directory_filter=_sources_only):
        domain = domain_of(filename)
        if domain is not None:
            templates[domain].add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return templates


def _sources_only(folder: str) -> bool:
    """Walk the package only (not the tests, the outputs or .git)."""
    parts = Path(folder).relative_to(ROOT).parts
    return parts[0] == "nuancier_print" and not any(p.startswith((".", "_")) for p in parts)


def po_path(domain: str) -> Path:
    """Return the French catalog of a domain."""
    return LOCALE / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


def read(domain: str):
    """Return a domain's French catalog (an empty one if it has none yet)."""
    from babel.messages.pofile import read_po

    path = po_path(domain)
    if not path.exists():  # French has two forms, as in atelier.po (Babel's own rule has a third, for millions)
        return read_po(io.BytesIO(NEW_CATALOG.encode()), locale=LANGUAGE, domain=domain)
    with open(path, "rb") as handle:
        return read_po(handle, locale=LANGUAGE, domain=domain)


NEW_CATALOG = r'''# French translations for nuancier-print.
# This file is distributed under the same license as the nuancier-print project.
msgid ""
msgstr ""
"Project-Id-Version: nuancier-print 0.1.0\n"
"Last-Translator: nuancier-print developers\n"
"Language: fr\n"
"Language-Team: French\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n"
"Content-Transfer-Encoding: 8bit\n"
'''


def update() -> None:
    """Merge each domain's extracted texts into its .po: new ones to translate, vanished ones dropped."""
    from babel.messages.pofile import write_po

    for domain, template in extract().items():
        catalog = read(domain)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        path = po_path(domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:  # one line per text, no source lines: small diffs when the code moves
            write_po(handle, catalog, width=100, no_location=True, ignore_obsolete=True)
        print(f"updated {path.relative_to(ROOT)}")


def compiled(domain: str) -> bytes:
    """Return the .mo a domain's .po compiles to."""
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, read(domain))
    return out.getvalue()


def compile_all() -> None:
    """Write each domain's .mo next to its .po."""
    for domain in SOURCES:
        if po_path(domain).exists():
            po_path(domain).with_suffix(".mo").write_bytes(compiled(domain))
            print(f"compiled {po_path(domain).with_suffix('.mo').relative_to(ROOT)}")


def untranslated(templates: dict | None = None) -> dict[str, list[str]]:
    """Return, per domain, the extracted texts its .po does not translate, each with where it is used."""
    templates = templates or extract()
    found = {}
    for domain, template in templates.items():
        catalog = read(domain)
        missing = []
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id)
            strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
                [entry.string] if entry is not None else [])
            if entry is None or entry.fuzzy or not all(strings):
                where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2])
                missing.append(f"{where}: {message.id!r}")
        if missing:
            found[domain] = missing
    return found


def stale_mo() -> list[str]:
    """Return the domains whose shipped .mo does not hold what their .po compiles to."""
    import gettext

    stale = []
    for domain in SOURCES:
        po = po_path(domain)
        if not po.exists():
            continue
        mo = po.with_suffix(".mo")
        if not mo.exists():
            stale.append(domain)
            continue
        with open(mo, "rb") as handle:
            shipped = gettext.GNUTranslations(handle)
        fresh = gettext.GNUTranslations(io.BytesIO(compiled(domain)))
        if shipped._catalog != fresh._catalog:
            stale.append(domain)
    return stale


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command != "check":
        print(__doc__)
        return 2
    problems = 0
    for domain, missing in untranslated().items():
        print(f"{po_path(domain).relative_to(ROOT)}: {len(missing)} text(s) without a translation:")
        print("\n".join(f"  {m}" for m in missing))
        problems += len(missing)
    for domain in stale_mo():
        print(f"{po_path(domain).with_suffix('.mo').relative_to(ROOT)} is older than its .po: "
              "run `python3 -m tests.catalogs compile`")
        problems += 1
    if not problems:
        print("every text is translated, and every .mo is up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
