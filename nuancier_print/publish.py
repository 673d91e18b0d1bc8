"""Put a new output in place only after it passes preflight.

A freshly made PDF is written next to its destination under a temporary
name, checked with :func:`nuancier_print.preflight.preflight`, then renamed
over the previous file. If the check finds errors, the new file is moved to
`out/rejected/` for inspection and the previous output stays as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BuildError, relative
from .output import atomic_write
from .preflight import Report, format_report, preflight


def publish(data: bytes, final: Path, *, kind: str, **options) -> Report:
    """Write ``data`` to ``final`` if it passes preflight (``options``: see :func:`preflight`)."""
    final = Path(final)
    pending = atomic_write(final.with_name(f".{final.name}.pending"), data)
    try:
        report = preflight(pending, kind=kind, name=final, **options)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    report.path = final
    if report.ok:
        _replace(pending, final)
        return report
    rejected = final.parent / "rejected" / final.name
    try:
        rejected.parent.mkdir(exist_ok=True)
        os.replace(pending, rejected)
        kept = f"the new file failed preflight and was put in {relative(rejected)} for inspection"
    except OSError as exc:
        pending.unlink(missing_ok=True)
        kept = f"the new file failed preflight (and could not be kept in {relative(rejected)}: {exc.strerror})"
    raise BuildError("\n".join(format_report(report) + [f"{relative(final)} was not replaced: {kept}"]))


def _replace(pending: Path, final: Path) -> None:
    try:
        os.replace(pending, final)
    except OSError as exc:
        pending.unlink(missing_ok=True)
        raise BuildError(f"cannot write {relative(final)}: {exc.strerror or exc} "
                         "(is a folder or a read-only file in the way?)") from None


def summary(report: Report) -> str:
    """Return a one-line preflight summary for the build's output."""
    warnings = len(report.warnings)
    return f"preflight {relative(report.path)}: ok" + (f", {warnings} warning(s)" if warnings else "")
