"""What a run did to each output, said last: written, unchanged, removed, or not written and why.

The build records every output it plans, then what became of it. Whatever
ends the run (success, an error, Ctrl-C, a SIGTERM), its last lines list
each output with its outcome, so that what they say is what is in `out/`:
an output is replaced whole or left as it was (see :mod:`.output`), and one
that was not reached is listed as not written, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import relative

WRITTEN, UNCHANGED, REMOVED, NOT_WRITTEN = "written", "unchanged", "removed", "not written"


@dataclass
class Outcome:
    """What became of one output."""

    path: Path
    status: str
    reason: str = ""
    before: tuple | None = None  # the file's identity when it was planned (see _identity)


@dataclass
class RunReport:
    """The outcomes of one run, in the order the outputs were planned."""

    outcomes: dict[Path, Outcome] = field(default_factory=dict)

    def plan(self, paths) -> None:
        """Record outputs the run means to write (not written until said otherwise)."""
        for path in paths:
            if Path(path) not in self.outcomes:
                self.outcomes[Path(path)] = Outcome(Path(path), NOT_WRITTEN, "not reached", _identity(Path(path)))

    def set(self, path: Path, status: str, reason: str = "") -> None:
        """Record what became of an output."""
        self.outcomes[Path(path)] = Outcome(Path(path), status, reason)

    def written(self, path: Path) -> None:
        """Record an output written."""
        self.set(path, WRITTEN)

    def unchanged(self, path: Path, reason: str = "") -> None:
        """Record an output kept as it was, up to date."""
        self.set(path, UNCHANGED, reason)

    def removed(self, path: Path, reason: str) -> None:
        """Record an output removed."""
        self.set(path, REMOVED, reason)

    def failed(self, path: Path, reason: str) -> None:
        """Record an output not written, and why."""
        self.set(path, NOT_WRITTEN, reason)

    def stop(self, reason: str) -> None:
        """Say why the outputs not reached were not written (an error elsewhere, an interruption).

        An output replaced in the instant between its writing and its record
        (an interruption lands there) is found by its file and said written.
        """
        for outcome in self.outcomes.values():
            if outcome.status == NOT_WRITTEN and outcome.reason == "not reached":
                now = _identity(outcome.path)
                if now != outcome.before:
                    outcome.status, outcome.reason = (WRITTEN, "") if now is not None else (REMOVED, reason)
                else:
                    outcome.reason = reason

    @property
    def failures(self) -> list[Outcome]:
        """Return the outputs not written."""
        return [o for o in self.outcomes.values() if o.status == NOT_WRITTEN]

    def lines(self) -> list[str]:
        """Return the report's lines: one per output, then a count."""
        if not self.outcomes:
            return []
        width = max(len(o.status) for o in self.outcomes.values())
        lines = ["outputs:"]
        for outcome in self.outcomes.values():
            tail = f" ({outcome.reason})" if outcome.reason else ""
            lines.append(f"  {outcome.status:<{width}}  {relative(outcome.path)}{tail}")
        counts = {status: sum(o.status == status for o in self.outcomes.values())
                  for status in (WRITTEN, UNCHANGED, REMOVED, NOT_WRITTEN)}
        lines.append(", ".join(f"{n} {status}" for status, n in counts.items() if n)
                     + ("; the files not written are as they were before this run" if counts[NOT_WRITTEN] else ""))
        return lines


def _identity(path: Path) -> tuple | None:
    """Return what tells a file from its replacement (outputs are replaced by a rename), or None if absent."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size
