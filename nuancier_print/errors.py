"""Errors a user can meet, and the located problems they carry.

Every problem a content editor can cause is a :class:`Problem`: a file, a
line and column, a field path and a plain message. Problems are collected,
then raised once inside a :class:`ContentError`. The CLI prints any
:class:`NuancierError` as plain lines, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .i18n import _, ngettext


@dataclass(frozen=True, order=True)
class Location:
    """Where something is: a file, a 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One located error or warning about the content."""

    where: Location
    field: str
    message: str
    severity: str = "error"  # or "warning"
    kind: str = ""  # UNFINISHED: a place the source leaves « à compléter » (summed up unless --verbose)
    subject: str = ""  # what the problem is about, for summaries: a teinte's number
    strict: bool = False  # a warning made an error by `check --strict`: it says so

    @property
    def is_error(self) -> bool:
        """Tell whether this problem stops the build."""
        return self.severity == "error"

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        label = " " + _("warning:") if self.severity == "warning" else " " + _("error:") if self.strict else ""
        return f"{self.where}:{field}{label} {self.message}"

    def as_error(self) -> Problem:
        """Return this problem as an error (`check --strict`), marked so that its line says so."""
        return self if self.is_error else replace(self, severity="error", strict=True)

    def sort_key(self):
        """Sort by file, then line, then column."""
        return (self.where.file, self.where.line, self.where.column, self.field)


class NuancierError(Exception):
    """Base of every error the CLI reports as plain lines."""

    def lines(self) -> list[str]:
        """Return the lines to print for the user."""
        return [str(self)]


class ContentError(NuancierError):
    """The content has errors; each one is a located :class:`Problem`."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        errors = [p for p in self.problems if p.is_error]
        return [str(p) for p in self.problems] + [
            ngettext("{count} error: nothing was written.", "{count} errors: nothing was written.",
                     len(errors)).format(count=len(errors))
        ]


class FitError(NuancierError):
    """A card face does not fit on its page, even at the smallest text size."""


class BuildError(NuancierError):
    """The build could not finish for a reason outside the content (fonts, layouts, files)."""


UNFINISHED = "unfinished"


def problem_lines(problems: list[Problem], *, verbose: bool = False) -> list[str]:
    """Return the lines of ``problems``, the « à compléter » warnings summed up in one line unless ``verbose``.

    Those warnings repeat what the source itself says (a place it leaves
    unfinished); editors know them, and they hid the warnings that matter.
    """
    unfinished = [p for p in problems if p.kind == UNFINISHED and not p.is_error]
    if verbose or len(unfinished) < 2:
        return [str(p) for p in problems]
    teintes = list(dict.fromkeys(p.subject for p in sorted(unfinished, key=Problem.sort_key)))
    lines = [str(p) for p in problems if p not in unfinished]
    which = ngettext("teinte {numbers}", "teintes {numbers}", len(teintes)).format(numbers=", ".join(teintes))
    lines.append(_("{count} warnings: places the source leaves « à compléter » ({teintes}); --verbose lists them")
                 .format(count=len(unfinished), teintes=which))
    return lines


def relative(path: Path, root: Path | None = None) -> str:
    """Return a path as the user typed it: relative to the working folder when possible."""
    path = Path(path)
    # Resolve the folder, not the file: a link is shown under its own name, not its target's.
    full = path.resolve() if path.name in ("", ".", "..") else path.parent.resolve() / path.name
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(full.relative_to(Path(base).resolve()))
        except ValueError:
            continue
    return str(path)
