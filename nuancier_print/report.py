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
from .i18n import N_, _, ngettext

WRITTEN, UNCHANGED, REMOVED, NOT_WRITTEN = "written", "unchanged", "removed", "not written"
LABELS = {WRITTEN: N_("written"), UNCHANGED: N_("unchanged"), REMOVED: N_("removed"), NOT_WRITTEN: N_("not written")}


@dataclass
class Outcome:
    """What became of one output."""

    path: Path
    status: str
    reason: str = ""
    reached: bool = True  # False while the run has not come to it (see RunReport.stop)
    before: tuple | None = None  # the file's identity when it was planned (see _identity)


@dataclass
class RunReport:
    """The outcomes of one run, in the order the outputs were planned."""

    outcomes: dict[Path, Outcome] = field(default_factory=dict)

    def plan(self, paths) -> None:
        """Record outputs the run means to write (not written until said otherwise)."""
        for path in paths:
            if Path(path) not in self.outcomes:
                self.outcomes[Path(path)] = Outcome(Path(path), NOT_WRITTEN, _("not reached"), reached=False,
                                                    before=_identity(Path(path)))

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
            if not outcome.reached:
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
        labels = {status: _(label) for status, label in LABELS.items()}
        width = max(len(labels[o.status]) for o in self.outcomes.values())
        lines = [_("outputs:")]
        for outcome in self.outcomes.values():
            tail = f" ({outcome.reason})" if outcome.reason else ""
            lines.append(f"  {labels[outcome.status]:<{width}}  {relative(outcome.path)}{tail}")
        counts = {status: sum(o.status == status for o in self.outcomes.values())
                  for status in (WRITTEN, UNCHANGED, REMOVED, NOT_WRITTEN)}
        summary = ", ".join(_counted(status, n) for status, n in counts.items() if n)
        if counts[NOT_WRITTEN]:
            summary = _("{counts}; the files not written are as they were before this run").format(counts=summary)
        return lines + [summary]


def _counted(status: str, n: int) -> str:
    """Return « 3 written » and the like, for the report's last line."""
    if status == WRITTEN:
        text = ngettext("{count} written", "{count} written", n)
    elif status == UNCHANGED:
        text = ngettext("{count} unchanged", "{count} unchanged", n)
    elif status == REMOVED:
        text = ngettext("{count} removed", "{count} removed", n)
    else:
        text = ngettext("{count} not written", "{count} not written", n)
    return text.format(count=n)


def _identity(path: Path) -> tuple | None:
    """Return what tells a file from its replacement (outputs are replaced by a rename), or None if absent."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size
