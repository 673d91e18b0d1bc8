"""Where outputs go, and what each one was made from: the output folder's names and its manifest.

Names are collision-free by construction: the deck and its sheets at the top
of `out/`, each session in its own folder (`out/sessions/<slug>/`), each
participant's copies in that folder's `participants/`. No content text can
make one output's name land on another's.

`out/manifest.json` records every output a build or `watch` wrote: its kind,
the options it was made with (a sheet size, a printer), the source files it
was made from with their SHA-256, and its own SHA-256. A later build uses
it to leave nothing stale (an output of an earlier run that depends on
changed content is made again, or removed with a line that says so), and
`nuancier status` to say which outputs are out of date.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import _
from .output import atomic_write

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1


def deck_path(out: Path) -> Path:
    """Return the deck's path."""
    return Path(out) / "deck.pdf"


def sheets_path(out: Path, sheet: str) -> Path:
    """Return the path of the deck imposed on ``sheet``."""
    return Path(out) / f"deck-sheets-{sheet}.pdf"


def imposed_cards_sheet(path: Path) -> str | None:
    """Return the sheet a deck or a kit imposed on sheets is named after (:func:`sheets_path`, :meth:`KitPaths.sheets`).

    A kit's sheets lie next to its deck, `kit-<name>.pdf`: a kit deck whose
    own name ends like a sheet (`kit-stage-a3.pdf`) is not taken for sheets.
    """
    from .sheets import SHEETS

    match = re.fullmatch(r"(deck-sheets|kit-.+)-([A-Za-z0-9]+)\.pdf", path.name)
    if not match or match[2].upper() not in SHEETS:
        return None
    if match[1] != "deck-sheets" and not path.with_name(f"{match[1]}.pdf").is_file():
        return None
    return match[2]


def session_folder(out: Path, slug: str) -> Path:
    """Return the folder of a session's outputs."""
    return Path(out) / "sessions" / slug


PRESS_SHEET = "SRA3"  # the sheet a booklet is imposed on for a print shop (its name is in the file's)
SCREEN_SUFFIX = "ecran"  # ends the screen edition's file names: `booklet-<slug>-ecran.pdf`


@dataclass(frozen=True)
class BookletPaths:
    """Where a session's booklet files go."""

    folder: Path
    slug: str

    @property
    def booklet(self) -> Path:
        """The print booklet (A5, bleed)."""
        return self.folder / f"booklet-{self.slug}.pdf"

    @property
    def imposed(self) -> Path:
        """The booklet two up on A4, for office printers."""
        return self.folder / f"booklet-{self.slug}-imposed.pdf"

    @property
    def press(self) -> Path:
        """The booklet imposed for a print shop: two pages a side of an SRA3 sheet, with marks."""
        return self.folder / f"booklet-{self.slug}-press-{PRESS_SHEET}.pdf"

    @property
    def ecran(self) -> Path:
        """The screen edition, to send by e-mail: A5 without bleed, RGB, tagged (PDF/UA-1), light photos."""
        return self.folder / f"booklet-{self.slug}-{SCREEN_SUFFIX}.pdf"

    @property
    def shared(self) -> tuple[Path, Path, Path, Path]:
        """The files every booklet has: the booklet, its office and press impositions, its screen edition."""
        return self.booklet, self.imposed, self.press, self.ecran

    def participant(self, person: str) -> Path:
        """A participant's copy (``person``: their file-safe name)."""
        return self.folder / "participants" / f"booklet-{self.slug}-{person}.pdf"

    def participant_ecran(self, person: str) -> Path:
        """A participant's copy of the screen edition."""
        return self.folder / "participants" / f"booklet-{self.slug}-{person}-{SCREEN_SUFFIX}.pdf"

    def personal(self, person: str) -> tuple[Path, Path]:
        """A participant's copies: for print, and for the screen."""
        return self.participant(person), self.participant_ecran(person)


def booklet_paths(out: Path, slug: str) -> BookletPaths:
    """Return where a session's booklet files go."""
    return BookletPaths(session_folder(out, slug), slug)


@dataclass(frozen=True)
class KitPaths:
    """Where a kit's files go: `out/kits/<name>/`."""

    folder: Path
    name: str

    @property
    def deck(self) -> Path:
        """The kit's cards, copy after copy, each with its bleed."""
        return self.folder / f"kit-{self.name}.pdf"

    def sheets(self, sheet: str) -> Path:
        """The kit imposed on ``sheet``."""
        return self.folder / f"kit-{self.name}-{sheet}.pdf"


def kit_paths(out: Path, name: str) -> KitPaths:
    """Return where a kit's files go."""
    return KitPaths(Path(out) / "kits" / name, name)


# --- the manifest ---------------------------------------------------------------------------


def file_sha256(path: Path) -> str | None:
    """Return a file's SHA-256, or None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class Entry:
    """One output as the manifest records it."""

    path: str  # relative to the output folder
    kind: str  # deck, sheets, booklet, imposed, participant...
    sources: dict[str, str] = field(default_factory=dict)  # content file (relative to content/) -> SHA-256
    options: dict = field(default_factory=dict)
    sha256: str = ""
    session: str | None = None  # the session it belongs to, if any


class Manifest:
    """The manifest of an output folder: read once, updated as outputs are written.

    Sources are content files, named relative to the content folder; the
    layouts, fonts and tool an output was made with are summed up in its
    ``options["tools"]`` (see :func:`tools_digest`).
    """

    def __init__(self, out: Path, content: Path):
        self.out, self.content = Path(out), Path(content)
        self.entries: dict[str, Entry] = self._read()

    def _read(self) -> dict[str, Entry]:
        try:
            data = json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT:
                return {}
            entries = {}
            for item in data["outputs"]:
                entry = Entry(str(item["path"]), str(item["kind"]), dict(item.get("sources", {})),
                              dict(item.get("options", {})), str(item.get("sha256", "")), item.get("session"))
                entries[entry.path] = entry
            return entries
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def relative(self, path: Path) -> str:
        """Return an output's path as the manifest names it."""
        try:
            return Path(path).resolve().relative_to(self.out.resolve()).as_posix()
        except ValueError:
            return str(path)

    def record(self, path: Path, kind: str, sources: list[Path], *, options: dict | None = None,
               session: str | None = None) -> None:
        """Record that ``path`` was written (or checked unchanged) from ``sources``, and save the manifest."""
        entry = Entry(self.relative(path), kind, {self._source(s): file_sha256(s) or "" for s in sources},
                      options or {}, file_sha256(path) or "", session)
        self.entries[entry.path] = entry
        self.save()

    def forget(self, path: Path) -> None:
        """Forget an output (it was removed), and save the manifest."""
        if self.entries.pop(self.relative(path), None) is not None:
            self.save()

    def save(self) -> None:
        """Write the manifest, atomically."""
        data = {"format": MANIFEST_FORMAT, "outputs": [vars(e) for e in sorted(self.entries.values(),
                                                                                  key=lambda e: e.path)]}
        atomic_write(self.out / MANIFEST, json.dumps(data, indent=1, ensure_ascii=False).encode(), durable=False)

    def of_kind(self, *kinds: str) -> list[Entry]:
        """Return the entries of some kinds."""
        return [e for e in self.entries.values() if e.kind in kinds]

    def _source(self, path: Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.content.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def stale(self, entry: Entry, tools: str | None = None) -> list[str]:
        """Return why an output is out of date: its file, its sources, or the layouts and tool it was made with."""
        reasons = []
        own = file_sha256(self.out / entry.path)
        if own is None:
            reasons.append(_("the file is missing"))
        elif own != entry.sha256:
            reasons.append(_("the file was changed since it was written"))
        from .errors import relative

        for source, sha in sorted(entry.sources.items()):
            now = file_sha256(self.content / source)
            if now is None:
                reasons.append(_("{file} is gone").format(file=relative(self.content / source)))
            elif now != sha:
                reasons.append(_("{file} changed").format(file=relative(self.content / source)))
        if tools is not None and entry.options.get("tools") not in (None, tools):
            reasons.append(_("the layouts, the fonts or the tool changed"))
        return reasons


def tools_digest(layouts: Path) -> str:
    """Hash what every output is made with besides the content: the layouts, the fonts, the tool's version."""
    from . import __version__
    from .fonts import FACES, FONTS_DIR

    hasher = hashlib.sha256(__version__.encode())
    files = sorted(p for p in Path(layouts).rglob("*") if p.is_file()) + [FONTS_DIR / f.file for f in FACES]
    for path in files:
        hasher.update(path.name.encode() + b"\0" + (file_sha256(path) or "").encode())
    return hasher.hexdigest()[:16]


class Ledger:
    """The run's report and the folder's manifest, kept together: what a run does to each output."""

    def __init__(self, out: Path, content: Path, report=None, tools: str = ""):
        from .report import RunReport

        self.manifest = Manifest(out, content)
        self.report = report if report is not None else RunReport()
        self.tools = tools

    def plan(self, *paths: Path) -> None:
        """Say which outputs the run means to write."""
        self.report.plan(paths)

    def written(self, path: Path, kind: str, sources: list[Path], *, options: dict | None = None,
                session: str | None = None, unchanged: bool = False, reason: str = "") -> None:
        """Record an output written (or found up to date, ``unchanged``) from ``sources``."""
        self.manifest.record(path, kind, sources, options={**(options or {}), "tools": self.tools},
                             session=session)
        if unchanged:
            self.report.unchanged(path, reason)
        else:
            self.report.written(path)

    def failed(self, path: Path, reason: str) -> None:
        """Record an output not written (one this run already wrote stays written: it is in place, whole)."""
        from .report import WRITTEN

        outcome = self.report.outcomes.get(Path(path))
        if outcome is None or outcome.status != WRITTEN:
            self.report.failed(path, reason)

    def remove(self, path: Path, reason: str) -> None:
        """Remove an output that nothing makes any more, and say so."""
        try:
            Path(path).unlink(missing_ok=True)
        except OSError as exc:
            self.report.failed(path, _("{reason}, but it could not be removed: {error}").format(
                reason=reason, error=exc.strerror))
            return
        self.manifest.forget(path)
        self.report.removed(path, reason)
