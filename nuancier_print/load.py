"""Turn YAML nodes into schema objects, collecting located problems.

:func:`convert` walks a node tree along the dataclasses of
:mod:`nuancier_print.schema`. It never stops at the first problem: wrong
types, missing fields and unknown keys (with a "did you mean" suggestion)
are all collected. Each object it builds remembers where each of its fields
came from, see :func:`where`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import typing
import unicodedata

import yaml

from . import fonts, schema
from .errors import Location, Problem
from .i18n import _, ngettext
from .yamlsrc import location

_WHERE = "_where"
MAX_PROBLEMS = 50  # per file: a pasted or garbled file should not bury the first, useful messages
_SAFE = yaml.SafeLoader("")  # used only to resolve scalar values, never to read files


def where(obj, field: str | None = None) -> Location:
    """Return where ``obj``, or one of its fields (``module.deroule[2]``), was written."""
    loc = getattr(obj, _WHERE, {}).get("", Location("?"))
    for name, index in re.findall(r"([^.\[]+)(?:\[(\d+)\])?", field or ""):
        table = getattr(obj, _WHERE, {})
        loc = table.get(f"{name}[{index}]" if index else name, table.get(name, loc))
        obj = getattr(obj, name, None)
        if index and isinstance(obj, list) and int(index) < len(obj):
            obj = obj[int(index)]
        if obj is None or isinstance(obj, (str, list)):
            break
    return loc


class Converter:
    """Convert nodes of one file; problems accumulate in :attr:`problems`."""

    def __init__(self, shown: str):
        self.shown = shown
        self.problems: list[Problem] = []
        self.skipped: list[Location] = []  # where the problems past MAX_PROBLEMS were

    def error(self, node, path: str, message: str) -> None:
        """Record an error at ``node`` (past MAX_PROBLEMS, only count it)."""
        if len(self.problems) >= MAX_PROBLEMS:
            self.skipped.append(location(self.shown, node.start_mark))
            return
        self.problems.append(Problem(location(self.shown, node.start_mark), path, message))

    def convert(self, node, tp, path: str = ""):
        """Convert ``node`` to type ``tp``; return None after recording a problem."""
        tp, optional = schema.unwrap(tp)
        if _is_null(node):
            if not optional:
                self.error(node, path, _("is empty; write a value or remove the line") if path
                           else _("this file holds no content (an empty YAML document)"))
            return None
        if dataclasses.is_dataclass(tp):
            return self._object(node, tp, path)
        if tp is schema.Cmyk:
            return self._cmyk(node, path)
        if typing.get_origin(tp) is list:
            return self._list(node, typing.get_args(tp)[0], path)
        if typing.get_origin(tp) is dict:
            return self._names(node, typing.get_args(tp)[1], path)
        if isinstance(tp, type) and issubclass(tp, schema.Number):
            return self._bounded(node, tp, path)
        return self._scalar(node, tp, path)

    def _object(self, node, cls, path: str):
        shorthand = getattr(cls, "SHORTHAND", None)
        if isinstance(node, yaml.ScalarNode) and shorthand:
            if node.tag.endswith((":int", ":float")):
                self.error(node, path, _("expected text or {expected}, got the number `{value}`").format(
                    expected=_describe(cls), value=node.value))
                return None
            text = self._scalar(node, str, path)
            return None if text is None else _locate(cls(**{shorthand: text}), {"": self._loc(node)})
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path or _("(file)"), _expected(_describe(cls), node))
            return None
        values, where_ = self._fields(node, cls, path)
        if values is None:
            return None
        try:
            obj = cls(**values)
        except (TypeError, ValueError) as exc:  # pragma: no cover - guarded by _fields
            self.error(node, path, str(exc))
            return None
        return _locate(obj, where_)

    def _fields(self, node, cls, path: str):
        hints = typing.get_type_hints(cls, vars(schema))
        declared = {f.name: f for f in dataclasses.fields(cls)}
        values, where_, ok = {}, {"": self._loc(node)}, True
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            sub = (f"{path}.{key}" if path else str(key)) if key is not None else path
            if key not in declared:
                self.error(key_node, sub, _unknown_key(key, declared))
                ok = False
                continue
            if key in values or key in where_:
                self.error(key_node, sub, _twice(key))
                ok = False
                continue
            where_[key] = self._loc(value_node)
            self._where_items(value_node, key, where_)
            value = self.convert(value_node, hints[key], sub)
            if value is None and not schema.unwrap(hints[key])[1]:
                ok = False
            elif value == [] and _required(declared[key]):  # `dates: []`: a list that must hold something
                self.error(value_node, sub, _("the list `{key}` is empty; write at least one item ({doc})").format(
                    key=key, doc=_(declared[key].metadata["doc"])))
                ok = False
            values[key] = value
        for name, f in declared.items():
            if name in values:
                continue
            sub = f"{path}.{name}" if path else name
            if _required(f):
                self.error(node, sub, _("the required field `{name}` is missing ({doc})").format(
                    name=name, doc=_(f.metadata["doc"])))
                ok = False
        return (values if ok else None), where_

    def _where_items(self, node, key: str, where_: dict) -> None:
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                where_[f"{key}[{i}]"] = self._loc(item)

    def _list(self, node, item_tp, path: str):
        if isinstance(node, yaml.ScalarNode) and (item_tp is str or hasattr(item_tp, "SHORTHAND")):
            item = self.convert(node, item_tp, path)
            return None if item is None else [item]
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, path, _expected(_("a list (lines starting with `- `)"), node))
            return None
        items, ok = [], True
        for i, child in enumerate(node.value):
            item = self.convert(child, item_tp, f"{path}[{i}]")
            ok = ok and item is not None
            items.append(item)
        return items if ok else None

    def _names(self, node, item_tp, path: str):
        """Convert a mapping whose keys are names the user chose (printers), each to ``item_tp``."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path or _("(file)"), _("expected a mapping: each name on its own line, followed by a "
                                                 "colon and its fields, indented below it; got {found}").format(
                found=_kind(node)))
            return None
        items, ok = {}, True
        for key_node, value_node in node.value:
            name = key_node.value.strip() if isinstance(key_node, yaml.ScalarNode) else ""
            if not name or _is_null(key_node):
                self.error(key_node, path, _("a name must be a plain word, not a list, a mapping or nothing"))
                ok = False
                continue
            sub = f"{path}.{name}" if path else name
            if name in items:
                self.error(key_node, sub, _twice(name))
                ok = False
                continue
            items[name] = self.convert(value_node, item_tp, sub)
            ok = ok and items[name] is not None
        return items if ok else None

    def _bounded(self, node, tp, path: str):
        """Convert a YAML number that must lie within ``tp.RANGE``."""
        value = _number(node)
        if value is None:
            quoted = isinstance(node, yaml.ScalarNode) and node.style in ('"', "'") and _number(
                yaml.ScalarNode(_SAFE.resolve(yaml.ScalarNode, node.value, (True, False)), node.value)) is not None
            self.error(node, path, _expected(_("a number (write it without quotes)") if quoted else _("a number"),
                                             node))
            return None
        low, high = tp.RANGE
        if not low <= value <= high:
            self.error(node, path, _("{value} is outside the range {low:g} to {high:g}{unit}; "
                                     "measure again on the calibration sheet").format(
                value=node.value, low=low, high=high, unit=f" {_(tp.UNIT)}" if tp.UNIT else ""))
            return None
        return tp(value)

    def _scalar(self, node, tp, path: str):
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, path, _expected(_describe(tp), node))
            return None
        if tp is bool:
            value = _SAFE.construct_object(node) if node.tag.endswith(":bool") else None
            _SAFE.constructed_objects.clear()  # it would keep every node, and its file's text, alive
            if not isinstance(value, bool):
                quoted = node.style in ('"', "'")
                self.error(node, path, (_("expected true or false (write it without quotes), got `{value}`") if quoted
                                        else _("expected true or false, got `{value}`")).format(value=node.value))
            return value
        text = node.value.strip()
        if not text:
            self.error(node, path, _("is empty; write a value or remove the line"))
            return None
        if _has_control(text):
            self.error(node, path, _("contains invisible control characters; retype this text"))
            return None
        missing = fonts.missing_glyphs(text)
        if missing:
            shown = ", ".join(f"« {c} » (U+{ord(c):04X})" for c in missing[:5])
            self.error(node, path, _("the bundled fonts cannot print {characters}: it would come out as an "
                                     "empty box on the page; write it another way or remove it").format(
                characters=shown))
            return None
        checker = getattr(self, f"_as_{tp.__name__.lower()}", None)
        return checker(node, text, path) if checker else text

    def _as_numero(self, node, text, path):
        if not schema.Numero.PATTERN.match(text):
            self.error(node, path, _("`{text}` is not a teinte number; write famille, dot, position, like "
                                     "`2.4`").format(text=text))
            return None
        return schema.Numero(text)

    def _as_famillenumero(self, node, text, path):
        if not schema.FamilleNumero.PATTERN.match(text):
            self.error(node, path, _("`{text}` is not a famille number; write a whole number, like `2`").format(
                text=text))
            return None
        return schema.FamilleNumero(text)

    def _as_copies(self, node, text, path):
        if not schema.Copies.PATTERN.match(text):
            self.error(node, path, _("`{text}` is not a number of copies; write a whole number from 1 to "
                                     "50").format(text=text))
            return None
        return schema.Copies(text)

    def _as_feuille(self, node, text, path):
        found = {choice.casefold(): choice for choice in schema.Feuille.CHOICES}.get(text.casefold())
        if found is None:
            self.error(node, path, _("`{text}` is not a sheet we print on; write one of {choices}").format(
                text=text, choices=", ".join(f"`{c}`" for c in schema.Feuille.CHOICES)))
            return None
        return schema.Feuille(found)

    def _as_length(self, node, text, path):
        match = schema.Length.PATTERN.match(text)
        if not match:
            self.error(node, path, _not_a_length(text))
            return None
        value = float(match[1].replace(",", ".")) * schema.Length.UNITS[match[2]]
        if not math.isfinite(value):
            self.error(node, path, _not_a_length(text))
            return None
        if value < 0:
            self.error(node, path, _("`{text}` is negative; a length must be 0 or more").format(text=text))
            return None
        return schema.Length(value)

    def _cmyk(self, node, path):
        if not isinstance(node, yaml.SequenceNode) or len(node.value) != 4:
            found = ngettext("a list of {count} item", "a list of {count} items", len(node.value)).format(
                count=len(node.value)) if isinstance(node, yaml.SequenceNode) else _kind(node)
            self.error(node, path, _("expected {expected}, got {found}").format(expected=_CMYK(), found=found))
            return None
        values = []
        for child in node.value:
            value = _number(child)
            if value is None:
                self.error(child, path, _("expected {expected}; {found} is not a number").format(
                    expected=_CMYK(), found=_kind(child)))
                return None
            values.append(value)
        bad = [child.value for child, v in zip(node.value, values) if not 0 <= v <= 100]
        if bad:
            self.error(node, path, ngettext("CMYK values must be between 0 and 100; {values} is out of range",
                                            "CMYK values must be between 0 and 100; {values} are out of range",
                                            len(bad)).format(values=", ".join(bad)))
            return None
        return schema.Cmyk(values)

    def _loc(self, node) -> Location:
        return location(self.shown, node.start_mark)


def _CMYK() -> str:  # noqa: N802 - it reads as the constant text it is
    return _("a CMYK colour as 4 numbers from 0 to 100, like [0, 60, 100, 0]")


def _expected(expected: str, node) -> str:
    """Return « expected …, got … » for a node of the wrong kind."""
    return _("expected {expected}, got {found}").format(expected=expected, found=_kind(node))


def _twice(key: str) -> str:
    return _("`{key}` is given twice; keep only one").format(key=key)


def _not_a_length(text: str) -> str:
    return _("`{text}` is not a length; write a number and a unit, like `3mm`").format(text=text)


def _number(node) -> float | None:
    """Return the finite number a scalar node holds, else None (text, true/false, .nan, .inf)."""
    if not isinstance(node, yaml.ScalarNode) or not node.tag.endswith((":int", ":float")):
        return None
    try:
        value = float(_SAFE.construct_object(node))
    except (ValueError, OverflowError):  # more digits than Python converts
        return None
    finally:
        _SAFE.constructed_objects.clear()
    return value if math.isfinite(value) else None


def _required(f: dataclasses.Field) -> bool:
    """Tell whether a declared field must be given (it has no default)."""
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _locate(obj, where_: dict):
    object.__setattr__(obj, _WHERE, where_)
    return obj


def _is_null(node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)


def _kind(node) -> str:
    """Return what a node is, as « got … » says it."""
    if isinstance(node, yaml.MappingNode):
        return _("a mapping (`key: value` lines)")
    if isinstance(node, yaml.SequenceNode):
        return _("a list")
    if _is_null(node):
        return _("nothing")
    text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return _("the text `{text}`").format(text=text)


def _describe(tp) -> str:
    if dataclasses.is_dataclass(tp):
        names = [f.name for f in dataclasses.fields(tp)][:3]
        return _("a mapping with keys such as {keys}").format(keys=", ".join(f"`{n}`" for n in names))
    if tp is schema.Cmyk:
        return _("a CMYK colour")
    if typing.get_origin(tp) is list:
        return _("a list")
    return _("true or false") if tp is bool else _("text")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return text.lower().replace("-", "_").replace(" ", "_").strip("_")


def _unknown_key(key, declared: dict) -> str:
    if key is None:
        return _("a key must be a plain word, not a list or a mapping")
    names = list(declared)
    folded = {_fold(n): n for n in names}
    match = folded.get(_fold(key)) or next(
        iter(difflib.get_close_matches(_fold(key), list(folded), n=1, cutoff=0.6)), None)
    if match:
        match = folded.get(match, match)
        return _("unknown field `{key}`; did you mean `{match}`?").format(key=key, match=match)
    return _("unknown field `{key}`; the fields here are {fields}").format(
        key=key, fields=", ".join(f"`{n}`" for n in names))


def load_node(node, cls, shown: str) -> tuple[object | None, list[Problem]]:
    """Convert a composed file ``node`` into an instance of ``cls``."""
    converter = Converter(shown)
    obj = converter.convert(node, cls, "")
    if converter.skipped:
        count = len(converter.skipped)
        converter.problems.append(Problem(converter.skipped[0], "", ngettext(
            "{count} more problem from here on is not shown; fix the ones above, then check again",
            "{count} more problems from here on are not shown; fix the ones above, then check again",
            count).format(count=count)))
    return obj, converter.problems
