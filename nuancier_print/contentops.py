"""Content streams as tokens, and the press rule that black overprints.

A small, fast reader of PDF content streams (bytes in, operators out, with
their byte positions), and :func:`overprint_black`, which rewrites a stream
so that everything filled in 100 % black (DeviceCMYK ``0 0 0 1``, or
DeviceGray ``0``) overprints, and everything else knocks out, as a print
shop's prepress would set it: black text then prints on the K plate only,
over whatever colour lies under it, and misregistration cannot leave a white
halo around it. Strokes are left as they are.

The rewrite adds ``/NPop1 gs`` (overprint on) or ``/NPop0 gs`` (off) just
before a painting operator whose fill needs the other state, and nothing
else; the two ExtGState resources are added by :mod:`.pdf`. A rewritten
stream starts with the comment :data:`MARK`, so a stream is rewritten once
even when it is copied into another file (imposition, personal copies).
Nothing here imports pypdf.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

OVERPRINT_ON = "/NPop1"
OVERPRINT_OFF = "/NPop0"
MARK = b"%nuancier: 100 % black overprints\n"

_DELIMITERS = rb"\x00\t\n\x0c\r /\[\]<>(){}%"
_TOKEN = re.compile(
    rb"(?P<space>[\x00\t\n\x0c\r ]+|%[^\r\n]*)"
    rb"|(?P<string>\()"
    rb"|(?P<hex><(?!<)[0-9A-Fa-f\x00\t\n\x0c\r ]*>)"
    rb"|(?P<dict><<|>>)"
    # a whole flat array (a TJ's glyphs, a dash pattern) as one token: most of a page's tokens are in TJ arrays
    rb"|(?P<flat>\[(?:[^\[\]()<>]|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>|\((?:\\.|[^\\()])*\))*\])"
    rb"|(?P<array>[\[\]{}])"
    rb"|(?P<name>/[^" + _DELIMITERS + rb"]*)"
    rb"|(?P<word>[^" + _DELIMITERS + rb"]+)"
)
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_KEYWORDS = {b"true", b"false", b"null"}


class Unreadable(ValueError):
    """A content stream this reader does not handle (an inline image, a broken token)."""


@dataclass(frozen=True)
class Operation:
    """One operator with its operands (raw tokens) and where it starts and ends in the stream."""

    operator: bytes
    operands: tuple[bytes, ...]
    start: int  # first byte of its first operand (or of the operator)
    end: int  # just after the operator


def _string_end(data: bytes, start: int) -> int:
    """Return the index just after the literal string that opens at ``start``."""
    depth, i = 0, start
    while i < len(data):
        byte = data[i]
        if byte == 0x5C:  # backslash: skip the escaped byte
            i += 2
            continue
        if byte == 0x28:
            depth += 1
        elif byte == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise Unreadable("a literal string is not closed")


def tokens(data: bytes) -> Iterator[tuple[str, int, int]]:
    """Yield (kind, start, end) of every token but spaces and comments."""
    pos = 0
    while pos < len(data):
        match = _TOKEN.match(data, pos)
        if match is None:
            raise Unreadable(f"unexpected byte {data[pos:pos + 1]!r} at {pos}")
        kind = match.lastgroup
        end = _string_end(data, pos) if kind == "string" else match.end()
        if kind != "space":
            yield kind, pos, end
        pos = end


def operations(data: bytes) -> list[Operation]:
    """Return the operations of a content stream. Raise :class:`Unreadable` on an inline image."""
    found, operands, start, depth = [], [], None, 0
    for kind, begin, end in tokens(data):
        token = data[begin:end]
        if start is None:
            start = begin
        if kind in ("array", "dict"):
            depth += 1 if token in (b"[", b"<<", b"{") else -1
            operands.append(token)
            continue
        if kind == "word" and depth == 0 and not _NUMBER.fullmatch(token) and token not in _KEYWORDS:
            if token == b"BI":
                raise Unreadable("an inline image")
            found.append(Operation(token, tuple(operands), start, end))
            operands, start = [], None
            continue
        operands.append(token)
    return found


def is_number(token: bytes) -> bool:
    """Tell whether a token is a number."""
    return _NUMBER.fullmatch(token) is not None


def numbers(operands: tuple[bytes, ...]) -> tuple[float, ...] | None:
    """Return the operands as numbers, or None if one is not a number."""
    try:
        return tuple(float(v) for v in operands)
    except ValueError:
        return None


# --- black overprints ---------------------------------------------------------------------------

FILLS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"Tj", b"TJ", b"'", b'"'}
KNOCKOUTS = {b"Do", b"sh"}  # images, forms and shadings keep their own colours: never overprinted here


def is_black(space: bytes, values: tuple[float, ...] | None) -> bool:
    """Tell whether a fill colour is 100 % black ink alone: CMYK 0 0 0 1 or gray 0."""
    if values is None:
        return False
    if space == b"/DeviceCMYK" and len(values) == 4:
        return all(abs(v) < 1e-4 for v in values[:3]) and abs(values[3] - 1) < 1e-4
    if space == b"/DeviceGray" and len(values) == 1:
        return abs(values[0]) < 1e-4
    return False


@dataclass
class _Fill:
    space: bytes = b"/DeviceGray"
    values: tuple[float, ...] | None = (0.0,)
    overprint: bool | None = None  # None: inherited, unknown

    def copy(self) -> _Fill:
        return _Fill(self.space, self.values, self.overprint)


def _set_colour(fill: _Fill, op: Operation) -> None:
    """Follow the nonstroking colour operators."""
    if op.operator == b"cs" and op.operands:
        fill.space = op.operands[-1]
        fill.values = {b"/DeviceCMYK": (0.0, 0.0, 0.0, 1.0), b"/DeviceGray": (0.0,)}.get(fill.space)
    elif op.operator in (b"sc", b"scn"):
        fill.values = numbers(op.operands)
    elif op.operator == b"k":
        fill.space, fill.values = b"/DeviceCMYK", numbers(op.operands)
    elif op.operator == b"g":
        fill.space, fill.values = b"/DeviceGray", numbers(op.operands)
    elif op.operator == b"rg":
        fill.space, fill.values = b"/DeviceRGB", numbers(op.operands)


def overprint_black(data: bytes, neutral: frozenset[str] = frozenset()) -> bytes | None:
    """Return the stream with 100 % black fills overprinting and other fills knocking out.

    ``neutral`` names the ExtGState resources known not to touch overprint
    (any other ``gs`` makes the overprint state unknown). Return None when
    there is nothing to do: the stream was already rewritten (it starts
    with :data:`MARK`), paints nothing, or holds what this reader does not
    handle (an inline image), which is left as it is.
    """
    if data.startswith(MARK):
        return None
    try:
        ops = operations(data)
    except Unreadable:
        return None
    edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement)
    fill, stack = _Fill(), []
    for op in ops:
        if op.operator == b"gs" and op.operands and op.operands[-1].decode("latin-1") in (OVERPRINT_ON, OVERPRINT_OFF):
            edits.append((op.start, op.end, b""))  # an older rewrite's: made again below
            continue
        if op.operator == b"q":
            stack.append(fill.copy())
        elif op.operator == b"Q":
            fill = stack.pop() if stack else _Fill()
        elif op.operator == b"gs" and not (op.operands and op.operands[-1].decode("latin-1") in neutral):
            fill.overprint = None  # another ExtGState might set overprint
        _set_colour(fill, op)
        wanted = is_black(fill.space, fill.values) if op.operator in FILLS else (
            False if op.operator in KNOCKOUTS else None)
        if wanted is not None and fill.overprint is not wanted:
            name = OVERPRINT_ON if wanted else OVERPRINT_OFF
            edits.append((op.start, op.start, f"{name} gs ".encode()))
            fill.overprint = wanted
    if not any(replacement for _, _, replacement in edits):
        return None
    return MARK + _apply(data, edits)


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Return ``data`` with the (start, end, replacement) edits made, in order."""
    parts, pos = [], 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        parts += [data[pos:start], replacement]
        pos = max(pos, end)
    parts.append(data[pos:])
    return b"".join(parts)
