"""The bundled fonts: present, licensed, complete for French, and the only ones used."""

from __future__ import annotations

import shutil

import pytest

from nuancier_print import fonts
from nuancier_print.errors import BuildError

FRENCH = "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»’‘“”–—…•›°€"


def test_every_face_has_its_file_and_an_ofl_licence():
    for face in fonts.FACES:
        path = fonts.FONTS_DIR / face.file
        assert path.is_file(), face.file
        licence = (path.parent / "OFL.txt").read_text(encoding="utf-8")
        assert "SIL OPEN FONT LICENSE Version 1.1" in licence


@pytest.mark.parametrize("family", [fonts.TEXT_FAMILY])
def test_the_text_face_has_every_french_glyph_and_the_narrow_no_break_space(family):
    assert fonts.missing_glyphs(FRENCH + "\u00a0\u202f" + "azertyuiopqsdfghjklmwxcvbn0123456789", family) == []


def test_the_display_face_falls_back_to_the_text_face_for_what_it_lacks():
    missing = fonts.missing_glyphs(FRENCH + "\u202f", fonts.DISPLAY_FAMILY)
    assert "\u202f" in missing  # League Spartan has no U+202F...
    assert fonts.missing_glyphs("".join(missing), fonts.TEXT_FAMILY) == []  # ...Inter has it
    css = (fonts.FONTS_DIR.parent / "layouts" / "deck.css").read_text(encoding="utf-8")
    assert '"League Spartan", "Inter"' in css


def test_a_missing_font_file_stops_the_build_and_names_it(tmp_path):
    shutil.copytree(fonts.FONTS_DIR, tmp_path / "fonts")
    (tmp_path / "fonts" / "inter" / "Inter-Italic.otf").unlink()
    with pytest.raises(BuildError, match="fonts/inter/Inter-Italic.otf"):
        fonts.font_face_css(tmp_path / "fonts")


def test_font_face_rules_point_at_the_bundled_files():
    css = fonts.font_face_css()
    assert css.count("@font-face") == len(fonts.FACES)
    assert "file://" in css and str(fonts.FONTS_DIR) in css.replace("%20", " ")


def test_fontconfig_sees_only_the_bundled_fonts():
    import os

    from nuancier_print import engine  # noqa: F401 - isolates Fontconfig before WeasyPrint loads

    conf = open(os.environ["FONTCONFIG_FILE"], encoding="utf-8").read()
    assert f"<dir>{fonts.FONTS_DIR.resolve()}</dir>" in conf
    assert conf.count("<dir>") == 1
