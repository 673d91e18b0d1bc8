"""Read one YAML file into position-carrying nodes, safely.

The file is composed (not constructed) with PyYAML's safe loader, so every
value keeps its line and column. On top of ``safe_load`` semantics:

* anchors and aliases are refused (no alias bombs), with their position;
* nesting deeper than :data:`MAX_DEPTH` is refused;
* tags other than YAML's standard ones (``!!python/object``...) are refused;
* a UTF-8 byte-order mark is accepted; other encodings get a clear message;
* files over :data:`MAX_BYTES` are refused before parsing;
* text that a ` #` cuts short is refused (:func:`_cut_by_comment`): in
  ``texte: Le groupe #2 a trouvé``, YAML reads a comment from ``#2`` on.

PyYAML's scanner reads a whole run of opening brackets before it hands
over the first one, in time that grows with the square of their number, so
flow nesting (``[[[[...``) is measured first, in one pass over the text
(:func:`_flow_depth`): a file nested too deeply is refused at once.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import yaml
from yaml.events import AliasEvent

from .errors import Location, Problem
from .i18n import N_, _

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}


class _YamlProblem(Exception):
    def __init__(self, mark, message):
        super().__init__(message)
        self.mark = mark
        self.message = message


class _Checks:
    """What our composers refuse: aliases, anchors, deep nesting, merge keys and foreign tags."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _YamlProblem(
                event.start_mark,
                _("YAML aliases (`*name`) are not allowed in content files; write the text out in full"),
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise _YamlProblem(
                event.start_mark,
                _("YAML anchors (`&name`) are not allowed in content files; write the text out in full"),
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _YamlProblem(event.start_mark, _too_deep())
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node.tag == "tag:yaml.org,2002:merge":
            raise _YamlProblem(node.start_mark, _("`<<` (a YAML merge key) is not allowed in content files; "
                                                  "write the fields out in full"))
        if node.tag not in STANDARD_TAGS:
            raise _YamlProblem(
                node.start_mark,
                _("the YAML tag `{tag}` is not allowed; write plain text, lists and mappings").format(tag=node.tag),
            )
        return node


def _too_deep() -> str:
    return _("the file is nested more than {depth} levels deep").format(depth=MAX_DEPTH)


class _Loader(_Checks, yaml.SafeLoader):
    """A safe composer that refuses aliases, deep nesting and foreign tags (pure Python)."""


def _compose(text: str):
    """Compose ``text`` into nodes with the checks of :class:`_Checks`."""
    return _Loader(text).get_single_node()


_FLOW_START = re.compile(r"(?:^|[\s:,\[{-])$")


def _flow_depth(text: str) -> int | None:
    """Return the offset of the first flow bracket nested deeper than :data:`MAX_DEPTH`, or None.

    Counts ``[`` and ``{`` that open a flow collection (at the start of a
    value, or inside another collection) and the brackets that close them,
    skipping quoted text and comments: an approximation of YAML's flow
    context that errs towards counting less, used only to refuse early.
    """
    depth, index, length = 0, 0, len(text)
    while index < length:
        char = text[index]
        if char in "\"'" and (depth or _FLOW_START.search(text[max(0, index - 2):index])):
            index = _after_quoted(text, index)
            continue
        if char == "#" and (index == 0 or text[index - 1] in " \t\n"):
            index = text.find("\n", index)
            if index < 0:
                break
            continue
        if char in "[{" and (depth or _FLOW_START.search(text[max(0, index - 2):index])):
            depth += 1
            if depth > MAX_DEPTH:
                return index
        elif char in "]}" and depth:
            depth -= 1
        index += 1
    return None


def _after_quoted(text: str, start: int) -> int:
    """Return the offset just after the quoted text that starts at ``start``."""
    quote, index = text[start], start + 1
    while index < len(text):
        if quote == '"' and text[index] == "\\":
            index += 2
            continue
        if text[index] == quote:
            if quote == "'" and text[index + 1:index + 2] == "'":
                index += 2
                continue
            return index + 1
        index += 1
    return index


def location(file: str, mark) -> Location:
    """Turn a PyYAML mark into a 1-based :class:`Location`."""
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


def read_yaml(path: Path, shown: str, *, empty_ok: bool = False) -> tuple[yaml.Node | None, list[Problem]]:
    """Compose ``path`` into a node tree; return it with any problems found.

    ``shown`` is the path to print in messages. With ``empty_ok``, a file
    that is empty or holds only comments gives no node and no problem.
    """
    data, problem = _read(Path(path), shown)
    if problem is None:
        text, problem = _decode(data, shown)
    if problem is None:
        problem = _invisible(text, shown)
    if problem:
        return None, [problem]
    if not text.strip():
        return None, [] if empty_ok else [Problem(Location(shown, 1, 1), "", _("this file is empty"))]
    deep = _flow_depth(text)
    if deep is not None:
        line, column = text.count("\n", 0, deep) + 1, deep - text.rfind("\n", 0, deep)
        return None, [Problem(Location(shown, line, column), "", _too_deep())]
    try:
        node = _compose(text)
    except _YamlProblem as exc:
        return None, [Problem(location(shown, exc.mark), "", exc.message)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text, shown)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks its errors
        return None, [Problem(Location(shown), "", _("this is not valid YAML: {detail}").format(detail=exc))]
    except RecursionError:
        return None, [Problem(Location(shown, 1, 1), "", _("the file is nested too deeply"))]
    if node is None:
        return None, [] if empty_ok else [Problem(Location(shown, 1, 1), "",
                                                  _("this file holds no content (only comments)"))]
    cut = _cut_by_comment(node, text, shown)
    if cut:
        return None, cut
    return node, []


# After a plain (unquoted) text, on its line: blanks, then `#` and a letter or a digit.
_TEXT_COMMENT = re.compile(r"[ \t]+(#[^\W_].*)")


def _cut_by_comment(root, text: str, shown: str) -> list[Problem]:
    """Return a problem for each unquoted text that a comment looking like text cuts short.

    YAML reads `` #`` as the start of a comment, so ``texte: Le groupe #2 a
    trouvé…`` holds « Le groupe » only. A comment is taken for lost text when
    it follows an unquoted text on the same line and its ``#`` is followed
    by a letter or a digit (``#2``, ``#FaireEnsemble``): written comments
    have a space after their ``#`` (``dx: 0.8  # mm``), and comments on
    their own line (``# yaml-language-server: ...``) follow no text.
    """
    problems, stack = [], [(root, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                stack.append((value, f"{path}.{name}" if path else name))
                stack.append((key, path))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, f"{path}[{i}]") for i, item in reversed(list(enumerate(node.value)))]
        elif node.style is None and node.tag == "tag:yaml.org,2002:str" and node.value:
            match = _TEXT_COMMENT.match(text, node.end_mark.index)  # `.` stops at the end of the line
            if match:
                hash_at = match.start(1)
                line = text.count("\n", 0, hash_at) + 1
                column = hash_at - text.rfind("\n", 0, hash_at)
                problems.append(Problem(Location(shown, line, column), path, _(
                    "YAML reads ` #` as the start of a comment: this text stops at « {kept} » and "
                    "« {lost} » is left out; put the whole text between double quotes "
                    "\"...\" (or, if it is a comment, write a space after `#`)").format(
                        kept=_short(node.value), lost=_short(match[1].rstrip()))))
    return problems


def _short(text: str, limit: int = 40) -> str:
    """Return a text on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _read(path: Path, shown: str) -> tuple[bytes, Problem | None]:
    """Read a regular file of at most MAX_BYTES, without ever loading more (or blocking on a pipe)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            message = (_("this is a folder; a content file must be a plain text file")
                       if stat.S_ISDIR(info.st_mode) else
                       _("this is not a regular file; a content file must be a plain text file"))
            return b"", Problem(Location(shown), "", message)
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return b"", Problem(Location(shown), "", _("cannot read this file: {reason}").format(reason=exc.strerror))
    if len(data) > MAX_BYTES:
        return b"", Problem(Location(shown, 1, 1), "",
                            _("this file is {size:.1f} MB; a content file may be at most {most} MB").format(
                                size=max(info.st_size, len(data)) / 1024 / 1024, most=MAX_BYTES // 1024 // 1024))
    return data, None


# What PyYAML refuses to read, plus the characters it counts as line breaks
# (NEL, LINE and PARAGRAPH SEPARATOR) that editors do not: they would shift
# every line number after them.
_INVISIBLE = re.compile(r"[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")


def _invisible(text: str, shown: str) -> Problem | None:
    """Return a located problem for the first invisible control character, if any."""
    match = _INVISIBLE.search(text)
    if match is None:
        return None
    start = match.start()
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Problem(Location(shown, line, column), "",
                   _("this file contains an invisible control character (U+{code:04X}); "
                     "delete it, or retype the text around it").format(code=ord(match[0])))


def _decode(data: bytes, shown: str) -> tuple[str, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        return "", Problem(
            Location(shown, line, column), "",
            _("this file is not UTF-8 text (byte 0x{byte:02X}); save it again with the UTF-8 encoding").format(
                byte=data[exc.start]),
        )


_UNCLOSED = {
    "while parsing a flow sequence": N_("this is not valid YAML: the list that starts here with `[` is never closed "
                                        "with `]`"),
    "while parsing a flow mapping": N_("this is not valid YAML: the mapping that starts here with `{` is never "
                                       "closed with `}`"),
    "while scanning a quoted scalar": N_("this is not valid YAML: the quoted text that starts here is never closed"),
}


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, shown: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    context = (exc.context or "").strip()
    at_end = "end of stream" in str(exc.problem) or "<stream end>" in str(exc.problem)
    if context in _UNCLOSED and exc.context_mark is not None and at_end:
        return Problem(location(shown, exc.context_mark), "", _(_UNCLOSED[context]))
    if context == "while parsing a flow node" and at_end:
        return Problem(location(shown, mark), "", _("this is not valid YAML: the file ends inside a list `[...]` "
                                                    "or a mapping `{...}` that is never closed with `]` or `}`"))
    where = location(shown, mark)
    lines = text.splitlines()
    line_text = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\t" in line_text[: len(line_text) - len(line_text.lstrip())] or "'\\t'" in str(exc.problem):
        return Problem(where, "", _("a tab is used for indentation; indent with spaces only"))
    problem = (exc.problem or "").strip()
    if problem.startswith("expected '<document start>'"):
        return Problem(where, "", _("the YAML document ended (a `...` or `%` line) before this line; "
                                    "remove that line, or what follows it"))
    if problem.startswith("but found another document"):
        return Problem(where, "", _("this file holds a second YAML document after a `---` line; "
                                    "keep one document per file (one teinte, one session...)"))
    if problem == "mapping values are not allowed here":
        return Problem(where, "", _("YAML reads ` : ` in this text as the start of a new field; "
                                    "put the whole text between double quotes \"...\""))
    quoted = _text_after_quotes(text, mark, shown) if "but found '<scalar>'" in problem else None
    if quoted is not None:
        return quoted
    context = _yaml_words((exc.context or "").strip())
    problem = _yaml_words(problem)
    detail = f"{context}, {problem}" if context and problem else problem or context
    return Problem(where, "", _("this is not valid YAML ({detail})").format(detail=detail))


# PyYAML's own words, shown in the messages above when no plainer explanation applies: the most
# frequent are translated (those it builds with a value are left as they are, but « expected X, but
# found Y »).
YAML_WORDS = (
    N_("while scanning a simple key"), N_("could not find expected ':'"), N_("while parsing a block mapping"),
    N_("while parsing a block collection"), N_("while parsing a flow sequence"), N_("while parsing a flow mapping"),
    N_("while parsing a node"), N_("while scanning a quoted scalar"), N_("while scanning a double-quoted scalar"),
    N_("while scanning a block scalar"), N_("while scanning for the next token"),
    N_("sequence entries are not allowed here"), N_("mapping keys are not allowed here"),
    N_("found unexpected end of stream"), N_("found unexpected document separator"),
    N_("invalid indentation or unclosed '[' or '{'"),
)
_EXPECTED = re.compile(r"^expected (.+), but (?:found|got) (.+)$")


def _yaml_words(text: str) -> str:
    """Return PyYAML's words in the current language, when they are among the translated ones."""
    if text in YAML_WORDS:
        return _(text)
    match = _EXPECTED.match(text)
    if match:
        return _("expected {expected}, but found {found}").format(expected=match[1], found=match[2])
    return text


def _text_after_quotes(text: str, mark, shown: str) -> Problem | None:
    """Explain text found after a closing quote, located at the quote that opened it (None if not that).

    ``titre: "Immersion" longue`` leaves text after the quoted part; a quote
    left open in a list item (``- "un`` then ``- "deux"``) is closed by the
    next item's quote, with that item's text left over.
    """
    end = mark.index
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    quote = text[end - 1] if end else ""
    if not quote or quote not in "\"'":
        return None
    start = end - 2
    while start >= 0:
        if text[start] == quote:
            if quote == "'" and text[start - 1:start] == "'":  # '' is a quote inside '...'
                start -= 2
                continue
            if text[start - 1:start] != "\\" or quote == "'":  # \" is a quote inside "..."
                break
        start -= 1
    if start < 0:
        return None
    opened = Location(shown, text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
    closed_line = text.count("\n", 0, end - 1) + 1
    if closed_line == opened.line:
        return Problem(opened, "", _("this is not valid YAML: the text in quotes that starts here is followed "
                                     "by more text on its line; put the whole text between the quotes"))
    return Problem(opened, "", _("this is not valid YAML: the quote opened here is not closed on its line "
                                 "(the next quote, on line {line}, closes it instead); "
                                 "add the closing quote at the end of this line").format(line=closed_line))
