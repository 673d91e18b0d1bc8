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
from .preflight import FILE_CHECKS, Finding, Report, format_report, preflight


def publish(data: bytes, final: Path, *, kind: str, face_findings=(), checks=FILE_CHECKS,
            **options) -> Report:
    """Write ``data`` to ``final`` if it passes preflight; raise BuildError otherwise.

    ``face_findings`` are (page, severity, check, message) tuples found earlier
    on the faces the file is made of; they count as this file's findings.
    """
    final = Path(final)
    pending = atomic_write(final.with_name(f".{final.name}.pending"), data)
    return publish_file(pending, final, kind=kind, face_findings=face_findings, checks=checks, **options)


def publish_file(pending: Path, final: Path, *, kind: str, face_findings=(), checks=FILE_CHECKS,
                 **options) -> Report:
    """Check an already written file and rename it to ``final``, or set it aside."""
    report = preflight(pending, kind=kind, checks=checks, **options)
    report.path = final
    for page, severity, check, message in face_findings:
        (report.errors if severity == "error" else report.warnings).append(Finding(check, page, message))
    if report.ok:
        _replace(pending, final)
        return report
    rejected = final.parent / "rejected" / final.name
    rejected.parent.mkdir(exist_ok=True)
    os.replace(pending, rejected)
    raise BuildError("\n".join(format_report(report) + [
        f"{relative(final)} was not replaced: the new file failed preflight and was put in "
        f"{relative(rejected)} for inspection"]))


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
