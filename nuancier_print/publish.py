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
from .i18n import _, ngettext
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
        kept = _("the new file failed preflight and was put in {folder} for inspection").format(
            folder=relative(rejected))
    except OSError as exc:
        pending.unlink(missing_ok=True)
        kept = _("the new file failed preflight (and could not be kept in {folder}: {reason})").format(
            folder=relative(rejected), reason=exc.strerror)
    raise BuildError("\n".join(format_report(report) + [
        _("{file} was not replaced: {why}").format(file=relative(final), why=kept)]))


def _replace(pending: Path, final: Path) -> None:
    try:
        os.replace(pending, final)
    except OSError as exc:
        pending.unlink(missing_ok=True)
        raise BuildError(_("cannot write {file}: {reason} (is a folder or a read-only file in the way?)").format(
            file=relative(final), reason=exc.strerror or exc)) from None


def summary(report: Report, *, verdict_only: bool = False) -> str:
    """Return a one-line preflight summary for the build's output (or only what it says of the file)."""
    warnings = len(report.warnings)
    verdict = ngettext("ok, {count} warning(s)", "ok, {count} warning(s)", warnings).format(count=warnings) \
        if warnings else _("ok")
    return verdict if verdict_only else _("preflight {file}: {verdict}").format(file=relative(report.path),
                                                                               verdict=verdict)
