"""French typography for every printed text.

:func:`french` applies the rules of French typesetting to a plain text
(before it is HTML-escaped):

* a no-break space (U+00A0) before ``:`` and inside « », so that the colon
  and the quotes never start or end a line alone;
* a narrow no-break space (U+202F) before ``;``, ``!`` and ``?``;
* typographic apostrophe ``’`` instead of ``'``, and « » instead of paired
  straight double quotes or “ ”;
* ``…`` for ``...``, and an en dash for a spaced hyphen (`` - `` → `` – ``);
* a no-break space after ``n°`` and between a number and ``%``.

Web addresses and e-mail addresses are left exactly as they are.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

URL = re.compile(
    r"(?:https?://|ftp://|mailto:|www\.)[^\s<>«»…]*[^\s<>«».,;:!?)\]…]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)

_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[ \t\u00a0\u202f]+"), " "),  # one plain space between words first
    (re.compile(r"\.\.\.+"), "…"),
    (re.compile(r"(?<=\S) …"), NBSP + "…"),
    (re.compile(r"[“”]"), '"'),
    (re.compile(r'"\s*([^"]*?)\s*"'), "«\\1»"),  # paired straight quotes: guillemets
    (re.compile(r"«\s*"), "«" + NBSP),
    (re.compile(r"\s*»"), NBSP + "»"),
    (re.compile(r"(?<= )-(?= [^\s:;!?»])"), "–"),  # a hyphen between spaces, before a word, is a dash
    (re.compile(r" –"), NBSP + "–"),
    (re.compile(r"(?<=\w)'|'(?=\w)"), "’"),
    (re.compile(r"(?<=[^\s:\d])\s*:(?=\s|$|[;!?])|(?<=\d)\s+:(?=\s|$|[;!?])"), NBSP + ":"),
    (re.compile(r"(?<=[^\s;!?(\[«" + NBSP + r"])\s*(?=[;!?])"), NNBSP),
    (re.compile(r"\b([nN]°)\s*(?=\d)"), "\\1" + NBSP),
    (re.compile(r"(?<=\d)\s*%"), NBSP + "%"),
]


def french(text: str) -> str:
    """Return ``text`` set in French typography, leaving URLs untouched."""
    if not text:
        return text
    parts, last = [], 0
    for match in URL.finditer(text):
        parts.append(_french_plain(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_french_plain(text[last:]))
    return "".join(parts)


def _french_plain(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def short_url(url: str) -> str:
    """Return a URL as printed: no scheme, no ``www.``-less change, no trailing slash."""
    url = re.sub(r"^(?:https?|ftp)://", "", url.strip())
    url = re.sub(r"^mailto:", "", url)
    return url[:-1] if url.endswith("/") else url


def breakable_url(url: str) -> str:
    """Return a printed URL with zero-width break points after / . - _ ? & =."""
    return re.sub(r"(?<=[/.\-_?&=#])(?=.)", "\u200b", url)
