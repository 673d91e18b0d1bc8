"""Write session files as a person would, keeping the comments of a file that exists.

This module only WRITES. Every file it updates was first read and validated
by the project's hardened loader (:mod:`nuancier_print.yamlsrc`,
:mod:`nuancier_print.load`), and every text it produces is validated the
same way before it replaces anything (:mod:`.store`).

ruamel.yaml's round-trip mode keeps comments, blank lines, key order and the
quoting of untouched values; :func:`merge` changes only the values that
differ from the plain model (:func:`plain`) of the new content, and keeps the
nodes of list items that are still there (matched by name, title or number).
Numbers such as teinte ``numero`` are kept as written (``1.10`` stays
``1.10``): they are read back as their text, never as floats.
"""

from __future__ import annotations

import dataclasses
import io
import re
import typing

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import CommentMark
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.tokens import CommentToken

from .. import schema

HEADER = ("# yaml-language-server: $schema=../schema/session.schema.json\n"
          "#\n"
          "# Written by `nuancier serve` (the atelier); you may also edit it by hand.\n")
FLOAT_TAG = "tag:yaml.org,2002:float"
INT_TAG = "tag:yaml.org,2002:int"
# The field that tells two items of a list apart, so that an item keeps its node (and comments).
IDENTITY = {"teintes": "numero", "participants": "nom", "formateurs": "nom", "mises_en_situation": "titre",
            "lecture_critique": "texte", "programme": "titre"}


class Verbatim(str):
    """A number kept as the text it was written with, and written back plain."""

    tag = FLOAT_TAG


def _construct_verbatim(constructor, node):
    value = Verbatim(node.value)
    value.tag = node.tag
    return value


def _represent_verbatim(representer, data):
    return representer.represent_scalar(data.tag, str(data))


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that reads numbers as their text."""


class _Representer(RoundTripRepresenter):
    """Round-trip representer that writes :class:`Verbatim` numbers plain."""


class _Emitter(Emitter):
    """Quote new texts with double quotes, as the README tells people to (kept quotes stay as they are)."""

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        return '"' if style == "'" and not self.event.style else style


_Constructor.add_constructor(FLOAT_TAG, _construct_verbatim)
_Constructor.add_constructor(INT_TAG, _construct_verbatim)
_Representer.add_representer(Verbatim, _represent_verbatim)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.Emitter = _Emitter
    yaml.preserve_quotes = True
    yaml.width = 4096  # one paragraph, one line: as people write them
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


# --- the plain model -------------------------------------------------------------------------


def plain(obj) -> dict:
    """Return a schema object as plain dicts, lists and texts, in field order, without empty fields."""
    out = {}
    for f in dataclasses.fields(obj):
        value = _plain_value(getattr(obj, f.name))
        if value is not None and value != []:
            out[f.name] = value
    return out


def _plain_value(value):
    if value is None or isinstance(value, bool):
        return value
    if dataclasses.is_dataclass(value):
        return plain(value)
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    return str(value)


# --- writing ---------------------------------------------------------------------------------


def fresh_text(data: dict) -> str:
    """Return the text of a new session file holding ``data``."""
    body = _dump(_fresh(data, schema.Session))
    return HEADER + "\n" + _space_blocks(body)


def merge(text: str, data: dict) -> str:
    """Return ``text`` (a session file that passed the hardened loader) updated to hold ``data``."""
    document = _yaml().load(text)
    if not isinstance(document, CommentedMap):  # pragma: no cover - the loader accepted a mapping
        return fresh_text(data)
    _merge_map(document, data, schema.Session)
    return _dump(document)


def _dump(document) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def _space_blocks(body: str) -> str:
    """Put a blank line before each top-level field that holds a block, as the examples do."""
    out: list[str] = []
    for line in body.splitlines(keepends=True):
        if re.match(r"^[a-z_]+:\s*$", line) and out and out[-1].strip():
            out.append("\n")
        out.append(line)
    return "".join(out)


def _hints(cls) -> dict:
    return typing.get_type_hints(cls, vars(schema))


def _fresh(value, tp):
    """Return a new ruamel node for a plain value of type ``tp``."""
    inner, _ = schema.unwrap(tp)
    if dataclasses.is_dataclass(inner):
        node = CommentedMap()
        hints = _hints(inner)
        for f in dataclasses.fields(inner):
            item = value.get(f.name)
            if _absent(item):
                continue
            node[f.name] = _fresh(item, hints[f.name])
        return node
    if typing.get_origin(inner) is list:
        item_tp = typing.get_args(inner)[0]
        return CommentedSeq(_fresh(v, item_tp) for v in value)
    return _scalar(value, inner)


def _scalar(value, tp):
    if isinstance(value, bool):
        return value
    if tp in (schema.Numero, schema.FamilleNumero):
        return Verbatim(value)
    return str(value)


def _absent(value) -> bool:
    return value is None or value == [] or value is False


def _merge_map(node: CommentedMap, data: dict, cls) -> CommentedMap:
    hints = _hints(cls)
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    names = list(defaults)
    for name in names:
        new = data.get(name)
        if new is None or new == []:
            if name in node:
                del node[name]
        elif not isinstance(new, bool) or new is not defaults[name] or name in node:
            _set(node, name, new, hints[name], names)  # `fictif: false` is kept if written, never added
    return node


def _set(node: CommentedMap, name: str, new, tp, order: list[str]) -> None:
    if name in node:
        merged = _merge_value(node[name], new, tp, name)
        if merged is not node[name]:
            node[name] = merged
        return
    earlier = [k for k in order[: order.index(name)] if k in node]
    position = list(node).index(earlier[-1]) + 1 if earlier else 0
    node.insert(position, name, _fresh(new, tp))


def _merge_value(old, new, tp, name: str):
    inner, _ = schema.unwrap(tp)
    if dataclasses.is_dataclass(inner):
        return _merge_object(old, new, inner)
    if typing.get_origin(inner) is list:
        return _merge_list(old, new, typing.get_args(inner)[0], IDENTITY.get(name))
    if old is not None and not isinstance(old, (CommentedMap, CommentedSeq)) and _same(old, new):
        return old
    return _fresh(new, inner)


def _same(old, new) -> bool:
    if isinstance(new, bool) or isinstance(old, bool):
        return old is new
    return str(old).strip() == str(new)


def _merge_object(old, new: dict, cls):
    shorthand = getattr(cls, "SHORTHAND", None)
    if isinstance(old, str) and shorthand:
        if {k for k, v in new.items() if not _absent(v)} == {shorthand}:
            return old if _same(old, new[shorthand]) else str(new[shorthand])
        return _fresh(new, cls)
    if not isinstance(old, CommentedMap):
        return _fresh(new, cls)
    return _merge_map(old, new, cls)


def _identity(item, key: str | None):
    if key is None:
        return str(item).strip() if isinstance(item, str) else None
    if isinstance(item, str):  # a shorthand item: `- Camille Martin`
        return item.strip()
    if isinstance(item, dict):
        value = item.get(key)
        return None if value is None else str(value).strip()
    return None


def _match(olds: list, new: list, key: str | None) -> list[int | None]:
    """Pair each new item with the old item it continues (by identity, else by position), or None."""
    used: set[int] = set()
    wanted = {_identity(item, key) for item in new}
    pairs: list[int | None] = []
    for position, item in enumerate(new):
        ident = _identity(item, key)
        found = next((i for i, o in enumerate(olds) if i not in used and ident is not None
                      and _identity(o, key) == ident), None)
        if found is None and position < len(olds) and position not in used \
                and _identity(olds[position], key) not in wanted:
            found = position  # the same item, renamed
        if found is not None:
            used.add(found)
        pairs.append(found)
    return pairs


def _merge_list(old, new: list, item_tp, key: str | None):
    if not isinstance(old, CommentedSeq):
        return _fresh(new, list[item_tp])
    blank = _take_trailing_blank(old)
    pairs = _match(list(old), new, key)
    merged = [(_merge_value(old[i], item, item_tp, "") if i is not None else _fresh(item, item_tp))
              for i, item in zip(pairs, new)]
    kept = [i for i in pairs if i is not None]
    if kept == list(range(len(kept))) and pairs[: len(kept)] == kept:  # same order; maybe items added or cut
        for i, item in enumerate(merged[: len(kept)]):
            if item is not old[i]:
                old[i] = item
        del old[len(kept):]
        old.extend(merged[len(kept):])
        _give_trailing_blank(old, blank)
        return old
    seq = _rebuilt(old, merged, pairs)
    _give_trailing_blank(seq, blank)
    return seq


# A list's blank line(s) after it are stored as a comment on its last leaf value: when items
# are added, removed or moved, they move to the new last leaf, so they stay after the list.


def _last_slots(node) -> list[tuple]:
    """Return the comment slots (container, key, index) along the path to ``node``'s last leaf."""
    slots = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        slots.append((node, key, 2 if isinstance(node, CommentedMap) else 0))
        node = node[key]
    return slots


def _take_trailing_blank(seq) -> str:
    """Remove and return the blank lines that follow ``seq`` ('' if none)."""
    for container, key, index in reversed(_last_slots(seq)):
        entry = container.ca.items.get(key)
        token = entry[index] if entry and len(entry) > index else None
        if token is None or not isinstance(token, CommentToken):
            continue
        value = token.value
        cut = value.find("\n") + 1
        if not cut or value[cut:].strip("\n") != "" or cut == len(value):
            return ""
        if value[:cut].strip():
            token.value = value[:cut]
        else:
            entry[index] = None
        return value[cut:]
    return ""


def _give_trailing_blank(seq, blank: str) -> None:
    """Put ``blank`` lines back after the (new) last leaf of ``seq``."""
    slots = _last_slots(seq)
    if not blank or not slots:
        return
    container, key, index = slots[-1]
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= index:
        entry.append(None)
    if isinstance(entry[index], CommentToken):
        entry[index].value += blank
    else:
        entry[index] = CommentToken("\n" + blank, CommentMark(0), None)


def _rebuilt(old: CommentedSeq, merged: list, pairs: list[int | None]) -> CommentedSeq:
    """Return a new list of the merged items, carrying over the comments of the items that moved."""
    seq = CommentedSeq(merged)
    if old.fa.flow_style():
        seq.fa.set_flow_style()
    for new_index, old_index in enumerate(pairs):
        if old_index is not None and old_index in old.ca.items:
            seq.ca.items[new_index] = old.ca.items[old_index]
    if old.ca.comment:
        seq.ca.comment = old.ca.comment
    return seq
