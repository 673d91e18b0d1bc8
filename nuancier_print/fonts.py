"""The bundled fonts: their table, their ``@font-face`` CSS, and font isolation.

Output must never depend on the fonts installed on the machine. Two things
ensure it:

* every face the layouts use is declared in :data:`FACES` and loaded from
  ``fonts/`` with ``@font-face``; a missing file stops the build and names it;
* :func:`isolate` points Fontconfig at a configuration that knows only the
  ``fonts/`` folder, so WeasyPrint cannot fall back to a system font. It must
  run before WeasyPrint is imported (:mod:`nuancier_print.engine` does that).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import BuildError
from .i18n import _

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"

TEXT_FAMILY = "Inter"
DISPLAY_FAMILY = "League Spartan"


@dataclass(frozen=True)
class Face:
    """One font file and the CSS family, weight and style it provides."""

    family: str
    file: str  # relative to fonts/
    weight: int = 400
    style: str = "normal"


FACES = (
    Face(TEXT_FAMILY, "inter/Inter-Regular.otf", 400),
    Face(TEXT_FAMILY, "inter/Inter-Italic.otf", 400, "italic"),
    Face(TEXT_FAMILY, "inter/Inter-SemiBold.otf", 600),
    Face(TEXT_FAMILY, "inter/Inter-SemiBoldItalic.otf", 600, "italic"),
    Face(TEXT_FAMILY, "inter/Inter-Bold.otf", 700),
    Face(DISPLAY_FAMILY, "league-spartan/LeagueSpartan-SemiBold.otf", 600),
    Face(DISPLAY_FAMILY, "league-spartan/LeagueSpartan-Bold.otf", 700),
)


def check_fonts(fonts_dir: Path = FONTS_DIR) -> None:
    """Raise BuildError naming every declared font file that is missing."""
    missing = [face.file for face in FACES if not (fonts_dir / face.file).is_file()]
    if missing:
        names = ", ".join(f"fonts/{name}" for name in missing)
        raise BuildError(_("font file missing: {names}; the build needs every bundled font "
                           "(restore it from git: `git checkout -- fonts`)").format(names=names))


def font_face_css(fonts_dir: Path = FONTS_DIR) -> str:
    """Return the ``@font-face`` rules for every bundled face."""
    check_fonts(fonts_dir)
    rules = []
    for face in FACES:
        url = (fonts_dir / face.file).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{url}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}"
        )
    return "\n".join(rules)


def isolate(fonts_dir: Path = FONTS_DIR) -> None:
    """Make Fontconfig see only the bundled fonts (call before importing WeasyPrint)."""
    if os.environ.get("NUANCIER_FONTCONFIG_DONE") == str(fonts_dir):
        return
    # One configuration per fonts folder: two checkouts on one machine must not share it.
    tag = hashlib.sha256(str(fonts_dir.resolve()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"nuancier-fontconfig-{os.getuid()}-{tag}"
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n  <dir>{_xml(str(fonts_dir.resolve()))}</dir>\n"
        f"  <cachedir>{_xml(str(folder / 'cache'))}</cachedir>\n</fontconfig>\n"
    )
    if not conf.exists() or conf.read_text() != text:
        tmp = conf.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        tmp.replace(conf)
    os.environ["FONTCONFIG_FILE"] = str(conf)
    os.environ["NUANCIER_FONTCONFIG_DONE"] = str(fonts_dir)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@cache
def covered(family: str = TEXT_FAMILY, fonts_dir: Path = FONTS_DIR) -> frozenset[int]:
    """Return the code points that every face of ``family`` can draw (a missing file draws nothing)."""
    import uharfbuzz as hb

    sets = []
    for face in FACES:
        if face.family == family:
            path = fonts_dir / face.file
            sets.append(set(hb.Face(hb.Blob.from_file_path(str(path))).unicodes) if path.is_file() else set())
    return frozenset(set.intersection(*sets)) if sets else frozenset()


def missing_glyphs(text: str, family: str = TEXT_FAMILY) -> list[str]:
    """Return the characters of ``text`` that the bundled fonts cannot draw."""
    have = covered(family)
    invisible = {"\u200b", "\n", "\t", "\u00ad"}
    return sorted({c for c in text if ord(c) not in have and c not in invisible})
