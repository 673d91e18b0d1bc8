"""Coverage of the source text by `content/`: no item of the source was dropped.

The source (`tests/data/source/nuancier-source.txt`) is the text extracted from
the PDF of the nuancier. It is cut into blocks: ``nuancier`` (cover, mode
d'emploi, contacts, licence and the closing conseils), ``famille N`` (a famille's
headings and introduction) and one block per teinte (``2.4``: from its first
``TEINTE N° 2.4`` marker to the next teinte or famille). Each line of a block is:

* skipped if it is blank or a label the layout prints (``RESSOURCES``,
  ``TEINTE N° x.y``, ``MODALITÉS``...); a ``PUBLICS :`` prefix is cut off and
  the rest of the line is text;
* a *heading* if it is one of the printed forms of the block's title (the
  ``#`` lines, and in a teinte the lines before its first label): it must be
  contained in the title stored in the content;
* otherwise *text*: it must be found in the content of the same block, in the
  source's order.

Comparison is on normalised text: Unicode NFC, case folded, only letters and
digits kept (accents are kept, except when comparing headings, which the PDF
sometimes prints in capitals without accents). Items split or joined differ
only by punctuation and spaces, so a source line split into two items is still
found in the concatenation of the items. URLs are taken out of both sides
(``<...>``, ``[text](url)``) and compared exactly, after unescaping.

The corrections and decisions recorded in `content/CORRECTIONS.md` (the tables
headed ``| Where | Field | Before | After | Reason |``) are applied to the source
block they name before comparing, so every difference of wording between the
source and the content must be written down there.

The reverse check (nothing invented) looks for every text of the content in its
source block.

Run ``python tests/content_coverage.py`` to print the figures.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "data" / "source" / "nuancier-source.txt"
CONTENT = ROOT / "content"
CORRECTIONS = CONTENT / "CORRECTIONS.md"

# Labels printed by the layout, not content (compared normalised, accents folded).
LABELS = {
    "ressources", "referencesinspirantes", "champlexical", "finalites",
    "competencesetsavoirfaire", "savoiretre", "exemplesdecontenus", "exempledemodule",
    "modalites", "modalite", "deroule", "profildudesformateurs", "modedemploidunuancier",
    "contacts",
}
LABEL_PREFIX = re.compile(r"^\s*(?:PUBLICS|PROFIL DU\(DES\) FORMATEUR\(S\))\s*:\s*", re.IGNORECASE)
TEINTE_MARK = re.compile(r"^TEINTE N°\s*(\d+\.\d+)\s*$")
CONSEILS = re.compile(r"^##\s+QUELQUES CONSEILS PRATIQUES", re.IGNORECASE)
MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
BARE_URL = re.compile(r"(?:https?|ftp)://[^\s<>)\]]+")
# Two addresses of one item joined by a bare "ET" (2.3): the join is the
# url / url_2 pair of the Reference, not a word of the text.
URL_JOIN = re.compile(r"(?<=>)\s+ET\s+(?=<)")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
CORRECTIONS_HEADER = "| Where | Field | Before | After | Reason |"

# Source lines that cannot be matched even after the recorded corrections and
# decisions, each with its reason: (block, exact source line, reason). Empty:
# every difference is recorded in CORRECTIONS.md instead.
EXCEPTIONS: list[tuple[str, str, str]] = []

# Fields of the schema that are not transcribed text.
NOT_TEXT = {"numero", "couleur", "a_completer", "format"}
URL_FIELDS = {"url", "url_2"}


def normalise(text: str, *, fold_accents: bool = False) -> str:
    """Return ``text`` with only its letters and digits, case folded."""
    text = unicodedata.normalize("NFC", text).casefold()
    if fold_accents:
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return "".join(ch for ch in text if ch.isalnum())


def unescape(url: str) -> str:
    """Undo markdown escapes in a URL (``time\\_continue``)."""
    return re.sub(r"\\+([_*\[\]()])", r"\1", url)


@dataclass
class Line:
    """One source line with what the check needs from it."""

    number: int
    raw: str
    kind: str  # "skip", "heading" or "text"
    text: str = ""  # the line with URLs and markup taken out
    urls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Block:
    """A part of the source that maps to one content object."""

    key: str  # "nuancier", "famille 3" or a teinte number
    lines: list[Line] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.key if not self.key[0].isdigit() else f"teinte {self.key}"


@dataclass
class Correction:
    """One row of a corrections table."""

    where: str
    field: str
    before: str
    after: str
    reason: str


@dataclass
class Result:
    """The outcome of a coverage run."""

    lines: int = 0
    found: int = 0
    urls: int = 0
    urls_found: int = 0
    items: int = 0
    items_found: int = 0
    missing: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    unused_corrections: list[Correction] = field(default_factory=list)
    exceptions_used: int = 0

    @property
    def complete(self) -> bool:
        return (self.found == self.lines and self.urls_found == self.urls
                and not self.unused_corrections)

    def summary(self) -> list[str]:
        return [
            f"{self.found}/{self.lines} source lines found in content",
            f"{self.urls_found}/{self.urls} source URLs found exactly in content",
            f"{self.items_found}/{self.items} content texts found in the source (nothing invented)",
            f"{len(EXCEPTIONS)} documented exceptions, {self.exceptions_used} used",
        ]


# --- Source -----------------------------------------------------------------


def _next_nonblank(lines: list[str], i: int) -> str:
    for line in lines[i + 1:]:
        if line.strip():
            return line.strip()
    return ""


def _is_label(text: str) -> bool:
    return normalise(text, fold_accents=True) in LABELS


def _is_famille_heading(lines: list[str], i: int) -> bool:
    """A `# ` heading directly followed by a `## ` heading that is not a label."""
    line = lines[i].strip()
    nxt = _next_nonblank(lines, i)
    return line.startswith("# ") and nxt.startswith("## ") and not _is_label(nxt) and not CONSEILS.match(nxt)


def _clean(raw: str) -> tuple[str, list[str], list[str]]:
    """Take URLs and markup out of a line; return (text, urls, problems)."""
    urls, problems = [], []
    line = URL_JOIN.sub(" ", raw)

    def link(match):
        shown, target = unescape(match.group(1)), unescape(match.group(2))
        if target.startswith("mailto:"):
            return shown
        if re.sub(r"^\w+://", "", shown).rstrip("/") not in target:
            problems.append(f"link text {shown!r} is not its address {target!r}")
        urls.append(target)
        return " "

    line = MD_LINK.sub(link, line)
    line = AUTOLINK.sub(lambda m: urls.append(unescape(m.group(1))) or " ", line)
    line = BARE_URL.sub(lambda m: urls.append(unescape(m.group(0))) or " ", line)
    line = TAG.sub("", line)
    return line, urls, problems


def read_source(path: Path = SOURCE) -> list[Block]:
    """Cut the source into blocks and classify every line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: dict[str, Block] = {}
    order: list[str] = []

    def block(key: str) -> Block:
        if key not in blocks:
            blocks[key] = Block(key)
            order.append(key)
        return blocks[key]

    current, familles, before_label = "nuancier", 0, False
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        number = i + 1
        mark = TEINTE_MARK.match(stripped)
        if mark:
            if current != mark.group(1):
                current, before_label = mark.group(1), True
            block(current).lines.append(Line(number, raw, "skip"))
            continue
        if CONSEILS.match(stripped):
            current, before_label = "nuancier", False
        elif _is_famille_heading(lines, i):
            familles += 1
            current, before_label = f"famille {familles}", False
        here = block(current)
        if not stripped:
            here.lines.append(Line(number, raw, "skip"))
            continue
        text, urls, problems = _clean(stripped)
        if _is_label(text):
            before_label = False
            here.lines.append(Line(number, raw, "skip"))
            continue
        bare = text.replace("**", "").lstrip("#-> ")
        if LABEL_PREFIX.match(bare):
            text = LABEL_PREFIX.sub("", bare, count=1)
        if not normalise(text) and not urls:
            here.lines.append(Line(number, raw, "skip"))
            continue
        is_heading = (
            stripped.startswith("# ")
            or (here.key.startswith("famille") and stripped.startswith("## "))
            or (here.key[0].isdigit() and before_label)
        )
        here.lines.append(Line(number, raw, "heading" if is_heading else "text", text, urls, problems))
    return [blocks[k] for k in order]


# --- Corrections -------------------------------------------------------------


def read_corrections(path: Path = CORRECTIONS) -> list[Correction]:
    """Return the rows of every corrections table in CORRECTIONS.md."""
    rows, in_table = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped == CORRECTIONS_HEADER:
            in_table = True
            continue
        if in_table and stripped.startswith("|---"):
            continue
        if in_table and stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if len(cells) != 5:
                raise ValueError(f"{path.name}: a corrections row needs 5 cells: {line}")
            where, field_, before, after, reason = cells
            rows.append(Correction(where, field_, _unquote(before), _unquote(after), reason))
            continue
        in_table = False
    return rows


def _unquote(cell: str) -> str:
    match = re.fullmatch(r"`(.*)`", cell)
    if not match:
        raise ValueError(f"Before and After cells must be written in backticks: {cell}")
    return match.group(1)


def _correct(text: str, corrections: list[Correction]) -> str:
    """Apply corrections to a normalised text."""
    for c in corrections:
        text = text.replace(normalise(c.before), normalise(c.after))
    return text


# --- Content -----------------------------------------------------------------


def _texts(obj) -> tuple[list[str], list[str]]:
    """Return (texts, urls) of a schema object, in field order."""
    texts, urls = [], []
    for f in dataclasses.fields(obj):
        if f.name in NOT_TEXT:
            continue
        value = getattr(obj, f.name)
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            if isinstance(item, str):
                (urls if f.name in URL_FIELDS else texts).append(str(item))
            elif dataclasses.is_dataclass(item):
                sub_texts, sub_urls = _texts(item)
                texts += sub_texts
                urls += sub_urls
    return texts, urls


def content_blocks(content) -> dict[str, tuple[str, list[str], list[str]]]:
    """Return {block key: (title, texts, urls)} for a loaded Content."""
    out = {"nuancier": (content.nuancier.titre, *_texts(content.nuancier))}
    for famille in content.familles:
        out[f"famille {famille.numero}"] = (famille.titre, *_texts(famille))
    for teinte in content.teintes:
        out[str(teinte.numero)] = (teinte.titre, *_texts(teinte))
    return out


# --- Check -------------------------------------------------------------------


def check(content=None, source: Path = SOURCE, corrections_path: Path = CORRECTIONS) -> Result:
    """Compare the source with the content; return the figures and the misses."""
    if content is None:
        sys.path.insert(0, str(ROOT))
        from nuancier_print.content import load_content

        content = load_content(CONTENT, with_sessions=False)
    blocks = read_source(source)
    corrections = read_corrections(corrections_path)
    ours = content_blocks(content)
    result = Result()
    for c in corrections:
        scope = [b for b in blocks if b.key == c.where]
        if not any(c.before.casefold() in line.raw.casefold() for b in scope for line in b.lines):
            result.unused_corrections.append(c)
    for b in blocks:
        _check_block(b, ours, [c for c in corrections if c.where == b.key], result)
    for key in ours.keys() - {b.key for b in blocks}:
        result.missing.append(f"{key}: in the content but not in the source")
    return result


def _check_block(b: Block, ours, corrections: list[Correction], result: Result) -> None:
    title, texts, urls = ours.get(b.key, ("", [], []))
    stream = "".join(normalise(t) for t in texts)
    title_n = normalise(title, fold_accents=True)
    exceptions = {line for key, line, _ in EXCEPTIONS if key == b.key}
    source_text, source_urls, pos = [], [], 0
    for line in b.lines:
        if line.kind == "skip":
            continue
        text = _correct(normalise(line.text), corrections)
        line_urls = [_correct_url(u, corrections) for u in line.urls]
        source_text.append(text)
        source_urls += line_urls
        where = f"{b.label}, source line {line.number}"
        if text or line.problems:
            result.lines += 1  # a line that is only a URL counts as its URL
        if not text and not line.problems:
            pass
        elif line.raw.strip() in exceptions:
            result.found += 1
            result.exceptions_used += 1
        elif line.problems:
            result.missing += [f"{where}: {p}" for p in line.problems]
        elif line.kind == "heading":
            if normalise(text, fold_accents=True) in title_n:
                result.found += 1
            else:
                result.missing.append(f"{where}: heading {line.raw.strip()!r} is not the title {title!r}")
        else:
            at = stream.find(text, pos)
            if at >= 0:
                result.found += 1
                pos = at + len(text)
            elif text in stream:
                result.missing.append(f"{where}: found out of the source's order: {line.raw.strip()!r}")
            else:
                result.missing.append(f"{where}: not found: {line.raw.strip()!r}")
        for url in line_urls:
            result.urls += 1
            if url in urls:
                result.urls_found += 1
            else:
                result.missing.append(f"{where}: URL {url} is not in the content")
    whole = "".join(source_text)
    whole_folded = normalise(whole, fold_accents=True)
    for text in texts:
        result.items += 1
        if normalise(text, fold_accents=True) in whole_folded or text in source_urls:
            result.items_found += 1
        else:
            result.invented.append(f"{b.label}: not in the source: {text!r}")
    for url in urls:
        result.items += 1
        if url in source_urls:
            result.items_found += 1
        else:
            result.invented.append(f"{b.label}: URL not in the source: {url}")


def _correct_url(url: str, corrections: list[Correction]) -> str:
    for c in corrections:
        if c.before in url:
            url = url.replace(c.before, c.after)
    return url


def main() -> int:
    result = check()
    for line in result.summary():
        print(line)
    for miss in result.missing:
        print("missing:", miss)
    for item in result.invented:
        print("invented?", item)
    for c in result.unused_corrections:
        print(f"correction not found in the source ({c.where}): {c.before!r}")
    return 0 if result.complete and not result.invented else 1


if __name__ == "__main__":
    sys.exit(main())
