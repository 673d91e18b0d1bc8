"""Export the content schema as JSON Schema, for editors' YAML language servers.

The JSON Schema is generated from the dataclasses of
:mod:`nuancier_print.schema`, so it can never disagree with the loader. A
content file opts in with a first line such as::

    # yaml-language-server: $schema=../schema/teinte.schema.json
"""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path

from . import schema
from .errors import BuildError, relative
from .i18n import _
from .output import atomic_write

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FILES = {
    "nuancier": schema.Nuancier,
    "familles": schema.FamilleList,
    "famille": schema.Famille,
    "teinte": schema.Teinte,
    "session": schema.Session,
    "printers": schema.Printers,
}
# Types without a class (and a docstring) of their own: their title and description.
TITLES = {schema.Printers: ("Printers", "The file `content/printers.yaml`: each office printer's duplex "
                                        "correction, under the name given to `nuancier sheets --printer`.")}


def json_schema(cls) -> dict:
    """Return the JSON Schema of one content file type."""
    title, description = TITLES.get(cls, (cls.__name__, None))
    out = _type(cls)
    return {"$schema": DRAFT, "title": title, **({"description": description} if description else {}), **out}


def _type(tp) -> dict:
    inner, optional = schema.unwrap(tp)
    out = _inner(inner)
    return {"anyOf": [out, {"type": "null"}]} if optional else out


def _inner(tp) -> dict:
    if dataclasses.is_dataclass(tp):
        return _object(tp)
    if typing.get_origin(tp) is list:
        item = typing.get_args(tp)[0]
        listed = {"type": "array", "items": _type(item)}
        if item is str or hasattr(item, "SHORTHAND"):
            return {"anyOf": [listed, _type(item)]}
        return listed
    if typing.get_origin(tp) is dict:
        return {"type": "object", "propertyNames": {"minLength": 1},
                "additionalProperties": _type(typing.get_args(tp)[1])}
    if isinstance(tp, type) and issubclass(tp, schema.Number):
        low, high = tp.RANGE
        return {"type": "number", "minimum": low, "maximum": high}
    if tp is schema.Cmyk:
        return {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 100},
                "minItems": 4, "maxItems": 4}
    if tp is schema.Length:
        return {"type": "string", "pattern": schema.Length.PATTERN.pattern.replace("-?", "")}
    if tp is schema.Numero:
        return {"type": ["string", "number"], "pattern": schema.Numero.PATTERN.pattern}
    if tp is schema.FamilleNumero:
        return {"type": ["string", "integer"], "pattern": schema.FamilleNumero.PATTERN.pattern}
    if tp is schema.Copies:
        return {"type": ["string", "integer"], "pattern": schema.Copies.PATTERN.pattern}
    if tp is schema.Feuille:
        return {"type": "string", "enum": list(schema.Feuille.CHOICES)}
    if tp is bool:
        return {"type": "boolean"}
    return {"type": ["string", "number", "boolean"], "minLength": 1}


def _object(cls) -> dict:
    hints = typing.get_type_hints(cls, vars(schema))
    props, required = {}, []
    for f in dataclasses.fields(cls):
        props[f.name] = {**_type(hints[f.name]), "description": f.metadata["doc"]}
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    out = {"type": "object", "description": (cls.__doc__ or "").strip(), "properties": props,
           "required": required, "additionalProperties": False}
    shorthand = getattr(cls, "SHORTHAND", None)
    if shorthand:
        return {"anyOf": [out, {"type": "string", "minLength": 1}], "description": out["description"]}
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write one ``<name>.schema.json`` per content file type into ``folder`` (made if missing).

    Raise :class:`BuildError` naming the path when the folder cannot be made
    or a file cannot be written (``--to`` names a file, say).
    """
    folder = Path(folder)
    in_the_way = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if in_the_way is not None:
        raise BuildError(_("{file}: this is a file, not a folder; give `--to` a folder "
                           "(it is made if it does not exist)").format(file=relative(in_the_way)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(_("{folder}: cannot make this folder ({reason})").format(folder=relative(folder),
                                                                                  reason=exc.strerror)) from None
    written = []
    for name, cls in FILES.items():
        path = folder / f"{name}.schema.json"
        text = json.dumps(json_schema(cls), ensure_ascii=False, indent=2) + "\n"
        written.append(atomic_write(path, text.encode("utf-8")))  # a BuildError names the path
    return written
