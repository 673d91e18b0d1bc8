"""Load stage: read `content/`, validate it as a whole, return a :class:`Content`.

Layout of a content folder::

    content/nuancier.yaml            deck metadata and format
    content/familles.yaml            all familles (or content/familles/*.yaml)
    content/teintes/*.yaml           one teinte per file, e.g. 2-4-participation.yaml
    content/sessions/*.yaml          training sessions, for participant booklets
    content/printers.yaml            office printers' duplex corrections (optional)

:func:`load_content` collects every problem of every file (syntax, types,
unknown keys, numbering, famille links, unfinished places) and raises one
:class:`~nuancier_print.errors.ContentError` if any is an error in the
shared content (the nuancier, the familles, the teintes). A session with
errors only keeps its own booklet from being made: it is set aside, with its
problems, in :attr:`Content.session_errors`. Warnings are kept on the
returned :class:`Content`.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import UNFINISHED, ContentError, Location, Problem, relative
from .geometry import MIN_CARD_MM
from .i18n import _, ngettext
from .load import load_node, where
from .yamlsrc import read_yaml

MAX_CARD_MM = 1000  # a card side; PDF pages cannot exceed 5080 mm anyway
MAX_BLEED_MM = 30
PLACEHOLDER = re.compile(r"^\s*(à compléter|à définir|a completer|a definir)\b", re.IGNORECASE)


@dataclass
class Content:
    """Everything in a content folder, validated."""

    root: Path
    nuancier: schema.Nuancier
    familles: list[schema.Famille]
    teintes: list[schema.Teinte]
    sessions: dict = field(default_factory=dict)  # slug -> (path, Session), the sessions without errors
    printers: dict = field(default_factory=dict)  # name -> schema.Printer, from printers.yaml
    warnings: list[Problem] = field(default_factory=list)
    session_errors: dict = field(default_factory=dict)  # slug -> (path, [Problem]): sessions that have errors

    def famille(self, numero: str) -> schema.Famille:
        """Return the famille with this number."""
        return next(f for f in self.familles if f.numero == numero)

    def teinte(self, numero: str) -> schema.Teinte:
        """Return the teinte with this number."""
        return next(t for t in self.teintes if t.numero == numero)

    def teintes_of(self, famille: schema.Famille) -> list[schema.Teinte]:
        """Return the teintes of a famille, in order."""
        return [t for t in self.teintes if t.numero.famille == famille.numero]

    def summary(self) -> str:
        """Return the one-line count of what was loaded."""
        familles, teintes = len(self.familles), len(self.teintes)
        return ", ".join((ngettext("{count} famille", "{count} familles", familles).format(count=familles),
                          ngettext("{count} teinte", "{count} teintes", teintes).format(count=teintes)))


class _Collector:
    """Gathers problems from every file of a content folder."""

    def __init__(self, root: Path, parsed: dict | None = None):
        self.root = root
        self.problems: list[Problem] = []
        self.incomplete = False  # a file failed to load: skip checks that need them all
        self.parsed = {} if parsed is None else parsed  # see _load_file

    def shown(self, path: Path) -> str:
        return relative(path)

    def load(self, path: Path, cls, *, empty_ok: bool = False):
        """Read and convert one content file, refusing a link that leads out of the content folder."""
        shown = self.shown(path)
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a link that leads back to itself (Python 3.11)
            self.add(Location(shown), "", _("cannot read this file: it is a link that leads back to itself"))
            return None
        if not target.is_relative_to(self.root.resolve()):
            self.add(Location(shown), "", _("this file is a link to {target}, outside the content "
                                            "folder; copy that file into the folder instead").format(target=target))
            return None
        obj, problems = _load_file(path, shown, cls, self.parsed, empty_ok)
        self.problems += problems
        return obj

    def add(self, where_: Location, field_: str, message: str, severity: str = "error", **more) -> None:
        self.problems.append(Problem(where_, field_, message, severity, **more))

    def apart(self) -> _Collector:
        """Return a collector of its own for one file's problems, sharing what was parsed."""
        other = _Collector(self.root, self.parsed)
        return other


def _load_file(path: Path, shown: str, cls, parsed: dict, empty_ok: bool = False):
    """Read and convert one file; an unchanged regular file is not parsed again in the same ``parsed`` memo."""
    try:
        info = path.stat()
        key = (str(path), shown, cls, empty_ok, info.st_mtime_ns, info.st_size, info.st_ino)
    except OSError:
        key = None
    if key is not None and stat.S_ISREG(info.st_mode) and key in parsed:
        obj, problems = parsed[key]
        return obj, list(problems)
    node, problems = read_yaml(path, shown, empty_ok=empty_ok)
    obj = None
    if node is None and not problems:  # empty_ok: an empty file holds an empty mapping
        obj = {}
    if node is not None:
        obj, more = load_node(node, cls, shown)
        problems = problems + more
    if key is not None and stat.S_ISREG(info.st_mode):
        if len(parsed) > 1024:
            parsed.clear()
        parsed[key] = (obj, tuple(problems))
    return obj, problems


def load_content(root: Path | str = "content", *, with_sessions: bool = True, parsed: dict | None = None) -> Content:
    """Load and validate a content folder; raise ContentError if its shared content has errors.

    ``parsed`` keeps the files already read, for a caller that loads the same
    folder again and again (`watch`): an unchanged file is not read again.
    """
    root = Path(root)
    if not root.is_dir():
        raise ContentError([Problem(Location(relative(root)), "", _("this content folder does not exist"))])
    col = _Collector(root, parsed)
    nuancier = _load_nuancier(col, root)
    familles = _load_familles(col, root)
    teintes = _load_teintes(col, root)
    printers = _load_printers(col, root / PRINTERS_FILE)
    for folder, others in (("teintes", True), ("familles", True), ("sessions", False)):
        _check_unread(col, root / folder, others_too=others)
    if familles is not None:
        _check_familles(col, familles)
    _check_teintes(col, teintes, familles)
    content = None
    if nuancier is not None and not any(p.is_error for p in col.problems):
        content = Content(root, nuancier, familles or [], sorted(teintes, key=lambda t: t.numero.sort_key()),
                          printers=printers or {})
        if with_sessions:
            from .sessions import load_sessions

            content.sessions, content.session_errors = load_sessions(col, content)
    errors = [p for p in col.problems if p.is_error]
    if errors or content is None:
        raise ContentError(col.problems)
    content.warnings = sorted((p for p in col.problems if not p.is_error), key=Problem.sort_key)
    return content


PRINTERS_FILE = "printers.yaml"


def load_printers(path: Path) -> dict[str, schema.Printer]:
    """Read a printer profiles file (``content/printers.yaml``): {printer name: its correction}.

    It goes through the same reader and schema as every content file (and
    may not be a link out of its folder); an empty file, or one of comments
    only, holds no printer. Raise :class:`ContentError` with every problem.
    """
    path = Path(path)
    col = _Collector(path.parent)
    if not (path.exists() or path.is_symlink()):
        col.add(Location(col.shown(path)), "", _("this file is missing: run `nuancier calibrate` and record "
                                                 "your printer's correction in it"))
    printers = _load_printers(col, path)
    if any(p.is_error for p in col.problems):
        raise ContentError(col.problems)
    return printers or {}


def _load_printers(col: _Collector, path: Path) -> dict[str, schema.Printer] | None:
    """Load the printer profiles when the file is there (it is optional); None if it has errors."""
    if not (path.exists() or path.is_symlink()):
        return {}
    return col.load(path, schema.Printers, empty_ok=True)


def _load_nuancier(col: _Collector, root: Path):
    path = root / "nuancier.yaml"
    if not path.exists():
        col.add(Location(col.shown(path)), "", _("this file is missing: it holds the deck's title and format"))
        return None
    before = len(col.problems)
    nuancier = col.load(path, schema.Nuancier)
    if nuancier is not None:
        fmt = nuancier.format
        if fmt.taille is not None and fmt.taille not in schema.FORMAT_PRESETS:
            presets = ", ".join(f"`{k}`" for k in schema.FORMAT_PRESETS)
            col.add(where(fmt, "taille"), "format.taille",
                    _("unknown size `{size}`; use {presets}").format(size=fmt.taille, presets=presets))
        wrong = {p.field for p in col.problems[before:]}  # a size already reported is not also "missing"
        if (fmt.largeur is None) != (fmt.hauteur is None) and not wrong & {"format.largeur", "format.hauteur"}:
            col.add(where(fmt), "format", _("give both `largeur` and `hauteur`, or neither"))
        for name, smallest in zip(("largeur", "hauteur"), MIN_CARD_MM):
            value = getattr(fmt, name)
            if value is not None and value < smallest:
                col.add(where(fmt, name), f"format.{name}", _(
                    "{value} is too small for a card: the layouts need a {name} of at least {smallest:g}mm").format(
                        value=value.css, name=name, smallest=smallest))
            if value is not None and value > MAX_CARD_MM:
                col.add(where(fmt, name), f"format.{name}",
                        _("{value} is too large for a card (at most {most}mm)").format(value=value.css,
                                                                                       most=MAX_CARD_MM))
        if fmt.fond_perdu > MAX_BLEED_MM:
            col.add(where(fmt, "fond_perdu"), "format.fond_perdu",
                    _("a bleed of {bleed} is too large (at most {most}mm; 3mm is usual)").format(
                        bleed=fmt.fond_perdu.css, most=MAX_BLEED_MM))
        for i, contact in enumerate(nuancier.contacts):
            _check_links(col, contact, f"contacts[{i}]", ("email",))
    return nuancier


def _load_familles(col: _Collector, root: Path) -> list[schema.Famille]:
    single, folder = root / "familles.yaml", root / "familles"
    if single.exists():
        loaded = col.load(single, schema.FamilleList)
        familles = loaded.familles if loaded else None
    elif folder.is_dir():
        familles = [col.load(p, schema.Famille) for p in _yaml_files(folder)]
        familles = None if None in familles else familles
    else:
        col.add(Location(col.shown(single)), "", _("this file is missing: it lists the familles"))
        familles = None
    return None if familles is None else sorted(familles, key=lambda f: int(f.numero))


def _load_teintes(col: _Collector, root: Path) -> list[schema.Teinte]:
    folder = root / "teintes"
    if not folder.is_dir():
        col.add(Location(col.shown(folder)), "", _("this folder is missing: it holds one file per teinte"))
        return []
    teintes = []
    for path in _yaml_files(folder):
        teinte = col.load(path, schema.Teinte)
        if teinte is None:
            col.incomplete = True
            continue
        _check_file_name(col, path, teinte)
        _check_unfinished(col, teinte)
        for group in ("ressources", "references_inspirantes"):
            for i, ref in enumerate(getattr(teinte, group)):
                _check_links(col, ref, f"{group}[{i}]", ("url", "url_2"))
        teintes.append(teinte)
    return teintes


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


_LEFTOVER = re.compile(r"^[.~#]|[~#]$|\.(bak|swp|tmp|orig)$", re.IGNORECASE)  # editors' backups and locks
_YAMLISH = re.compile(r"\.ya?ml(?=\.|$)", re.IGNORECASE)


def _check_unread(col: _Collector, folder: Path, *, others_too: bool) -> None:
    """Point at the files of a content folder that are not read, so no teinte is left out silently.

    `2-2-x.YAML` or `2-2-x.yaml.txt` (Notepad) are errors; other files are
    warnings where only YAML belongs (``others_too``), and ignored elsewhere.
    """
    if not folder.is_dir():
        return
    read = set(_yaml_files(folder))
    for path in sorted(folder.iterdir()):
        if path in read or path.is_dir() or _LEFTOVER.search(path.name):
            continue
        if _YAMLISH.search(path.name):
            name = path.name[:_YAMLISH.search(path.name).start()] + ".yaml"
            col.add(Location(col.shown(path)), "", _("this file is not read: only names ending in `.yaml` "
                                                     "are; rename it `{name}`").format(name=name))
        elif others_too:
            col.add(Location(col.shown(path)), "", _("this file is not read: this folder holds only "
                                                     "`.yaml` files"), "warning")


_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)")  # not `www.example.org:8080`


def _check_links(col: _Collector, obj, path: str, names: tuple[str, ...]) -> None:
    """Refuse links that are not web or e-mail addresses (javascript:, file:, data:...)."""
    for name in names:
        value = getattr(obj, name) or ""
        match = _SCHEME.match(value)
        if match and match[1].lower() not in ("http", "https", "mailto"):
            col.add(where(obj, name), f"{path}.{name}",
                    _("`{value}` is not a web or e-mail address; a link must start with http://, "
                      "https:// or www., or be an e-mail address").format(value=value))


def _check_file_name(col: _Collector, path: Path, teinte: schema.Teinte) -> None:
    if not re.match(rf"^{re.escape(teinte.numero.slug)}(?:\D|$)", path.stem):
        col.add(where(teinte, "numero"), "numero",
                _("teinte {numero} is in a file whose name does not start with "
                  "`{start}`; rename the file so the folder stays in order").format(
                    numero=teinte.numero, start=teinte.numero.slug), "warning")


def _check_familles(col: _Collector, familles: list[schema.Famille]) -> None:
    seen: dict[str, schema.Famille] = {}
    for famille in familles:
        if famille.numero in seen:
            first = where(seen[famille.numero], "numero")
            col.add(where(famille, "numero"), "numero",
                    _("famille {numero} is defined twice (first at {first})").format(numero=famille.numero,
                                                                                       first=first))
        seen[famille.numero] = famille
    numbers = sorted(int(n) for n in seen)
    for expected, famille in zip(range(1, len(numbers) + 1), sorted(seen.values(), key=lambda f: int(f.numero))):
        if int(famille.numero) != expected:
            col.add(where(famille, "numero"), "numero",
                    _("famille {numero} comes after famille {previous}; famille {expected} is missing").format(
                        numero=famille.numero, previous=expected - 1, expected=expected))
            break


def _check_teintes(col: _Collector, teintes: list[schema.Teinte], familles) -> None:
    known = {f.numero for f in familles or []}
    seen: dict[str, schema.Teinte] = {}
    for teinte in sorted(teintes, key=lambda t: (t.numero.sort_key(), where(t).file)):
        here = where(teinte, "numero")
        if teinte.numero in seen:
            col.add(here, "numero", _("teinte {numero} is defined twice (also in {other})").format(
                numero=teinte.numero, other=where(seen[teinte.numero], "numero")))
            continue
        seen[teinte.numero] = teinte
        if familles is not None and teinte.numero.famille not in known:
            col.add(here, "numero", _("teinte {numero} belongs to famille {famille}, which does not exist "
                                      "(the familles are {familles})").format(
                numero=teinte.numero, famille=teinte.numero.famille, familles=", ".join(sorted(known, key=int))))
    if not col.incomplete:
        _check_gaps(col, list(seen.values()))


def _check_gaps(col: _Collector, teintes: list[schema.Teinte]) -> None:
    by_famille: dict[str, list[schema.Teinte]] = {}
    for teinte in teintes:
        by_famille.setdefault(teinte.numero.famille, []).append(teinte)
    for members in by_famille.values():
        members.sort(key=lambda t: t.numero.rang)
        for expected, teinte in enumerate(members, start=1):
            if teinte.numero.rang != expected:
                missing = f"{teinte.numero.famille}.{expected}"
                col.add(where(teinte, "numero"), "numero",
                        _("teinte {numero} has no teinte {missing} before it; "
                          "number the teintes of a famille 1, 2, 3... without gaps").format(
                            numero=teinte.numero, missing=missing))
                break


def _check_unfinished(col: _Collector, teinte: schema.Teinte) -> None:
    paths = set(schema.field_paths(schema.Teinte))
    declared = set()
    for i, item in enumerate(teinte.a_completer):
        if item.champ not in paths:
            col.add(where(item, "champ"), f"a_completer[{i}].champ",
                    _("`{champ}` is not a field of a teinte").format(champ=item.champ))
            continue
        declared.add(item.champ)
        col.add(where(teinte, item.champ), item.champ,
                _("teinte {numero}: unfinished in the source: {note}").format(numero=teinte.numero, note=item.note),
                "warning", kind=UNFINISHED, subject=str(teinte.numero))
    for path, text in _texts(teinte):
        top = path.split("[")[0]
        if PLACEHOLDER.match(text) and top not in declared:
            col.add(where(teinte, path), path,
                    _("teinte {numero}: « {text} » looks like a placeholder; "
                      "list `{field}` under `a_completer` so it is marked on the card").format(
                        numero=teinte.numero, text=text, field=top), "warning")
    module = teinte.module
    if module is not None and module.titre is None and "module.titre" not in declared:
        col.add(where(teinte, "module"), "module.titre",
                _("teinte {numero}: the exemple de module has no title").format(numero=teinte.numero), "warning")


def _texts(obj, prefix: str = ""):
    """Yield (field path, text) for every text in a schema object."""
    import dataclasses

    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = prefix + f.name
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            sub = f"{path}[{i}]" if isinstance(value, list) else path
            if isinstance(item, str):
                yield sub, item
            elif dataclasses.is_dataclass(item):
                yield from _texts(item, sub + ".")
