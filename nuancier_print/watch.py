"""`nuancier watch`: rebuild what changed every time a file is saved.

Watches `content/`, the layouts and the fonts with watchfiles. Each save
triggers a build by the same :class:`~nuancier_print.build.Builder`, which
keeps the engine and every face it laid out: only the faces whose inputs
changed are laid out again, then the deck is written whole. Each rebuild
prints one line: what was laid out again and how long it took. A content
error is printed with its location; the last good outputs stay in place
and watching goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .build import Builder, BuildOptions, BuildResult
from .errors import NuancierError
from .fonts import FONTS_DIR
from .i18n import _, ngettext
from .markup import LAYOUTS_DIR


def rebuild(builder: Builder) -> tuple[BuildResult | None, list[str], float]:
    """Run one build; return (result or None, lines to print, seconds)."""
    start = time.perf_counter()
    try:
        result = builder.build()
    except NuancierError as exc:
        return None, exc.lines() + [_("the previous outputs are unchanged; still watching")], \
            time.perf_counter() - start
    return result, [], time.perf_counter() - start


def summary(result: BuildResult, seconds: float, changed: Iterable[str] = (), verb: str = "rebuilt") -> str:
    """Return the one line printed after a rebuild (``verb``: ``rebuilt``, or ``built`` the first time)."""
    faces = result.rendered
    parts = []
    if faces:
        what = ", ".join(_short(k) for k in faces[:6])
        if len(faces) > 6:
            what = _("{faces} and {count} more").format(faces=what, count=len(faces) - 6)
        parts.append(ngettext("{faces} ({count} face)", "{faces} ({count} faces)", len(faces)).format(
            faces=what, count=len(faces)))
    parts += [_("booklet {slug}").format(slug=slug) for slug in result.booklets_rendered]
    trigger = ", ".join(sorted({Path(c).name for c in changed})[:3])
    if not parts:
        line = _("nothing to re-render ({seconds:.2f} s)").format(seconds=seconds)
    elif verb == "built":
        line = _("built {what} in {seconds:.2f} s").format(what="; ".join(parts), seconds=seconds)
    else:
        line = _("rebuilt {what} in {seconds:.2f} s").format(what="; ".join(parts), seconds=seconds)
    return _("{trigger}: {line}").format(trigger=trigger, line=line) if trigger else line


def _short(key: str) -> str:
    return key.replace("teinte-", "").replace("-recto", " recto").replace("-verso", " verso").replace("-", ".", 1) \
        if key.startswith("teinte-") else key


def watch(options: BuildOptions, echo: Callable[[str], None], *, stop=None, ready=None) -> None:
    """Build once, then rebuild on every change until interrupted (or ``stop`` is set)."""
    from watchfiles import watch as watch_files

    builder = Builder(options, keep_faces=True)
    result, errors, seconds = rebuild(builder)
    for line in errors or [*result.lines, *result.errors]:
        echo(line)
    if result is not None:
        echo(summary(result, seconds, verb="built"))
    folders = [options.content, options.layouts or LAYOUTS_DIR, FONTS_DIR]
    echo(_("watching {folders} (Ctrl+C to stop)").format(folders=", ".join(str(f) for f in folders)))
    if ready is not None:
        ready.set()
    for changes in watch_files(*folders, debounce=50, step=20, stop_event=stop, watch_filter=_relevant,
                               raise_interrupt=False):
        result, errors, seconds = rebuild(builder)
        for line in errors or result.errors:
            echo(line)
        if result is not None:
            echo(summary(result, seconds, [path for _, path in changes]))


WATCHED = (".yaml", ".yml", ".j2", ".css", ".otf", ".ttf", ".icc", ".jpg", ".jpeg", ".png")


def _relevant(change, path: str) -> bool:
    name = Path(path).name
    return name.endswith(WATCHED) and not name.startswith(".")
