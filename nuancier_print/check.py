"""`nuancier check`: validate the content (or some of its files) and summarise the result.

With files named, the whole content is still read (a session is checked
against the teintes it covers), but only the problems of those files, and of
the files they refer to (a session's teintes, a teinte's famille), are
reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .content import Content, load_content
from .errors import ContentError, Location, Problem, problem_lines, relative
from .i18n import _, ngettext
from .load import where


@dataclass
class CheckReport:
    """The outcome of a check: the lines to print and whether it passed."""

    lines: list[str]
    ok: bool


def check_content(root: Path, *, strict: bool = False, files: list[Path] | None = None,
                  verbose: bool = False) -> CheckReport:
    """Validate ``root`` (only the problems of ``files`` and what they refer to, if given); report every problem.

    The « à compléter » warnings are summed up in one line unless ``verbose``;
    ``strict`` makes every warning an error, listed and said so.
    """
    try:
        content = load_content(root)
    except ContentError as exc:
        problems = _only(exc.problems, root, files, None)
        return _report(problems, _("content"), strict, verbose)
    problems = content.warnings + [p for _, found in content.session_errors.values() for p in found]
    problems = _only(sorted(problems, key=Problem.sort_key), root, files, content)
    what = content.summary()
    sessions = len(content.sessions) + len(content.session_errors)
    if sessions:
        what += ", " + ngettext("{count} session", "{count} sessions", sessions).format(count=sessions)
    if files:
        what = ", ".join(relative(Path(f)) for f in files)
    return _report(problems, what, strict, verbose)


def _report(problems: list[Problem], what: str, strict: bool, verbose: bool) -> CheckReport:
    if strict:
        problems = [p.as_error() for p in problems]
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    return CheckReport(problem_lines(problems, verbose=verbose) + [_summary(what, errors, warnings)], errors == 0)


def _only(problems: list[Problem], root: Path, files: list[Path] | None, content: Content | None) -> list[Problem]:
    """Keep the problems of ``files`` and of the files they refer to (all of them without ``files``)."""
    if not files:
        return problems
    wanted = set()
    for path in files:
        wanted |= {_same(path)} | _referred(Path(path), content)
    missing = [Problem(Location(relative(Path(f))), "", _("this file does not exist")) for f in files
               if not Path(f).is_file()]
    return missing + [p for p in problems if _same(Path(p.where.file)) in wanted]


def _same(path: Path) -> Path:
    return Path(path).resolve()


def _referred(path: Path, content: Content | None) -> set[Path]:
    """Return the files a content file refers to: a session's teintes, a teinte's famille list."""
    if content is None:
        return set()
    referred = set()
    for session_path, session in content.sessions.values():
        if _same(session_path) == _same(path):
            referred |= {_same(Path(where(content.teinte(v.numero)).file)) for v in session.teintes}
    for teinte in content.teintes:
        if _same(Path(where(teinte).file)) == _same(path):
            referred.add(_same(Path(where(content.famille(teinte.numero.famille)).file)))
    return referred


def _summary(what: str, errors: int, warnings: int) -> str:
    return ", ".join((what, ngettext("{count} error", "{count} errors", errors).format(count=errors),
                      ngettext("{count} warning", "{count} warnings", warnings).format(count=warnings)))
