"""Errors a user can meet, and the located problems they carry.

Every problem a content editor can cause is a :class:`Problem`: a file, a
line and column, a field path and a plain message. Problems are collected,
then raised once inside a :class:`ContentError`. The CLI prints any
:class:`NuancierError` as plain lines, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    @property
    def is_error(self) -> bool:
        """Tell whether this problem stops the build."""
        return self.severity == "error"

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        label = " " + _("warning:") if self.severity == "warning" else ""
        return f"{self.where}:{field}{label} {self.message}"

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
