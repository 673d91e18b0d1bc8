"""`nuancier check`: validate the content and summarise the result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .content import load_content
from .errors import ContentError


@dataclass
class CheckReport:
    """The outcome of a check: the lines to print and whether it passed."""

    lines: list[str]
    ok: bool


def check_content(root: Path, *, strict: bool = False) -> CheckReport:
    """Validate ``root`` and return every problem plus a one-line summary."""
    try:
        content = load_content(root)
    except ContentError as exc:
        errors = [p for p in exc.problems if p.is_error]
        warnings = [p for p in exc.problems if not p.is_error]
        lines = [str(p) for p in exc.problems]
        return CheckReport(lines + [_summary("content", len(errors), len(warnings))], False)
    warnings = content.warnings
    errors = len(warnings) if strict else 0
    summary = _summary(content.summary(), errors, 0 if strict else len(warnings))
    if content.sessions:
        summary = summary.replace(" teintes,", f" teintes, {len(content.sessions)} "
                                             f"session{'s' if len(content.sessions) != 1 else ''},", 1)
    return CheckReport([str(p) for p in warnings] + [summary], errors == 0)


def _summary(what: str, errors: int, warnings: int) -> str:
    return f"{what}, {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
