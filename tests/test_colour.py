"""Colour for print: the palette's plates and lightness, and black that overprints.

The palette is checked on every colour the shipped content uses; the
overprint rewrite on small hand-written content streams, then on a file
WeasyPrint wrote.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nuancier_print import contentops, pdf, schema
from nuancier_print.content import load_content
from nuancier_print.deck import (
    BLACK,
    INK_LIGHTNESS,
    lightness,
    palette,
    plates,
    teinte_colour,
    two_plates,
)

from .conftest import ROOT


def cmyk(css: str) -> schema.Cmyk:
    """Return the colour of a ``device-cmyk(c m y k)`` string, in percent."""
    return schema.Cmyk(tuple(round(float(v) * 100, 1) for v in css[len("device-cmyk("):-1].split()))


def used(colour: schema.Cmyk) -> set[int]:
    """Return the plates (0 to 3: C, M, Y, K) a colour prints on."""
    return {i for i, v in enumerate(colour) if v > 0}


def shipped_colours() -> list[schema.Cmyk]:
    """Return every swatch of the shipped content: familles, teintes, and black."""
    content = load_content(ROOT / "content", with_sessions=False)
    return [BLACK, *(f.couleur for f in content.familles), *(teinte_colour(content, t) for t in content.teintes)]


COLOURS = shipped_colours()


def test_black_is_the_k_plate_alone():
    assert tuple(BLACK) == (0, 0, 0, 100)
    assert cmyk(palette(BLACK).ink) == (0, 0, 0, 100)


@pytest.mark.parametrize("colour", COLOURS, ids=str)
def test_small_text_colours_use_two_plates_at_most(colour):
    colours = palette(colour)
    ink, tint, panel = cmyk(colours.ink), cmyk(colours.tint), cmyk(colours.panel)
    assert plates(ink) <= 2
    assert lightness(ink) <= INK_LIGHTNESS + 0.01  # dark enough to read on paper
    assert used(tint) <= used(ink)  # a heading in ink knocks out no other plate of its box
    if cmyk(colours.on_band) == (0, 0, 0, 0):  # white text on it: reversed out of two plates at most
        assert plates(panel) <= 2
    assert cmyk(colours.band) == colour  # the swatch itself is printed as given


def test_the_palette_keeps_each_colour_recognisable():
    # famille 1's deep blue on two plates, famille 5's yellow as a readable mustard, famille 2's orange
    assert two_plates(schema.Cmyk((100, 70, 0, 10))) == (100, 70, 0, 0)
    assert cmyk(palette(schema.Cmyk((0, 15, 100, 0))).ink) == (0, 0, 100, 50)
    assert cmyk(palette(schema.Cmyk((0, 60, 100, 0))).ink) == (0, 70, 100, 0)
    assert lightness(schema.Cmyk((0, 0, 0, 0))) > 90 > 20 > lightness(BLACK)


# --- black overprints ------------------------------------------------------------------------------

TEXT = b"BT /F1 8 Tf 10 10 Td [<0012>] TJ ET"


def test_black_text_overprints_and_coloured_text_knocks_out():
    data = b"/DeviceCMYK cs 0 0 0 1 scn " + TEXT + b" 0.5 0.3 0 0 k " + TEXT + b" 0 0 0 0 k " + TEXT
    out = contentops.overprint_black(data)
    assert out.startswith(contentops.MARK)
    ops = [(op.operator, op.operands) for op in contentops.operations(out)]
    states = [operands[-1] for operator, operands in ops if operator == b"gs"]
    assert states == [b"/NPop1", b"/NPop0"]  # on for black, off for colour; white stays off
    shows = [i for i, (operator, _) in enumerate(ops) if operator == b"TJ"]
    assert ops[shows[0] - 1] == (b"gs", (b"/NPop1",)) and ops[shows[1] - 1] == (b"gs", (b"/NPop0",))


def test_overprint_follows_q_and_q_and_forms_knock_out():
    data = b"0 0 0 1 k q 1 0 0 k 0 0 5 5 re f Q 0 0 5 5 re f /Fx Do"
    ops = [(op.operator, op.operands) for op in contentops.operations(contentops.overprint_black(data))]
    states = [operands[-1] for operator, operands in ops if operator == b"gs"]
    # cyan inside q...Q knocks out; after Q black again; a form is drawn knocking out
    assert states == [b"/NPop0", b"/NPop1", b"/NPop0"]


def test_overprint_is_written_once_and_leaves_what_it_cannot_read():
    data = b"0 0 0 1 k " + TEXT
    once = contentops.overprint_black(data)
    assert contentops.overprint_black(once) is None  # already rewritten: left as it is
    assert contentops.overprint_black(b"0 0 0 1 k BI /W 1 /H 1 ID x EI " + TEXT) is None
    assert contentops.overprint_black(b"0.5 0 0 0 k 0 0 1 1 re S") is None  # strokes are not touched
    # gray 0 is black ink too; a separation tint is not
    assert b"/NPop1" in contentops.overprint_black(b"0 g " + TEXT)
    assert b"/NPop1" not in contentops.overprint_black(b"/CS0 cs 1 scn " + TEXT)


def test_literal_strings_and_neutral_states_are_read_as_such():
    data = b"0 0 0 1 k BT /F1 8 Tf (a \\) k 0 0 0 1 (k) ) Tj ET /a1 gs (b) Tj"
    ops = contentops.operations(data)
    assert [op.operator for op in ops] == [b"k", b"BT", b"Tf", b"Tj", b"ET", b"gs", b"Tj"]
    out = contentops.overprint_black(data, frozenset({"/a1"}))
    assert out.count(b"/NPop1 gs") == 1  # /a1 does not touch overprint: no second switch


def test_finished_files_declare_the_overprint_states(tmp_path):
    from weasyprint import HTML

    data = HTML(string="<p style='color: device-cmyk(0 0 0 1)'>Noir</p>"
                       "<p style='color: device-cmyk(1 0 0 0)'>Cyan</p>").write_pdf()
    info = pdf.DocInfo("Essai", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "essai")
    page = pdf.read(pdf.finish(data, info)).pages[0]
    states = page["/Resources"]["/ExtGState"]
    assert states["/NPop1"]["/op"].value is True and states["/NPop1"]["/OPM"] == 1
    assert states["/NPop0"]["/op"].value is False
    assert page.get_contents().get_data().startswith(contentops.MARK)
