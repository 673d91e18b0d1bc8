"""Benchmark: one booklet versus 30 personal copies of it.

Copies `content/` to a temporary folder, gives the example session 30
participants, then times, after one warm-up build:

* the booklet alone (`write_booklets(...)`): layout, PDF, imposition;
* the booklet with its 30 personal copies (`per_participant=True`);
* the booklet again after one quote of the lecture critique was edited;

and prints the figures, with what 30 full renders would have cost at the
measured layout + PDF time of one booklet. Run from the repository root::

    python bench/booklets.py
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nuancier_print.booklet import write_booklets  # noqa: E402
from nuancier_print.content import load_content  # noqa: E402

SLUG = "faire-ensemble-autrement"
FIRST = ["Camille", "Karim", "Sophie", "Thomas", "Aïcha", "Julien", "Élodie", "Mathieu", "Nadia", "Pierre-Yves"]
LAST = ["Martin", "Benali", "Lefèvre"]
PARTICIPANTS = 30


def thirty_participants() -> str:
    """Return the YAML list of 30 distinct participants."""
    people = [f"{first} {last}" for last in LAST for first in FIRST][:PARTICIPANTS]
    return "participants:\n" + "".join(f"  - nom: {name}\n    service: Service {i + 1}\n"
                                       for i, name in enumerate(people))


def synthetic_content(folder: Path) -> Path:
    """Copy the content and give the example session 30 participants; return the copy."""
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    session = content / "sessions" / f"{SLUG}.yaml"
    text = session.read_text(encoding="utf-8")
    text = re.sub(r"^participants:\n(?:  .*\n)+", thirty_participants(), text, flags=re.MULTILINE)
    session.write_text(text, encoding="utf-8")
    return content


def timed(function):
    """Return (seconds, result) of calling ``function``."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    """Build, time and print."""
    with tempfile.TemporaryDirectory() as tmp:
        content = load_content(synthetic_content(Path(tmp)))
        assert len(content.sessions[SLUG][1].participants) == PARTICIPANTS
        out = Path(tmp) / "out"
        write_booklets(content, out)  # warm-up: fonts, photo copies
        one, [single] = timed(lambda: write_booklets(content, out))
        many, [personal] = timed(lambda: write_booklets(content, out, per_participant=True))
        session = content.root / "sessions" / f"{SLUG}.yaml"
        session.write_text(session.read_text(encoding="utf-8").replace(
            "J'aurais aimé avoir plus de temps", "J'aurais aimé avoir un peu plus de temps"), encoding="utf-8")
        edited = load_content(content.root)
        again, [rebuilt] = timed(lambda: write_booklets(edited, out))
        full = single.timings["layout"] + single.timings["write"]
        print(f"booklet: {single.pages} pages, {len(personal.per_participant)} personal copies")
        print(f"1 booklet (layout + PDF + imposition):       {one:6.2f} s  {single.timings}")
        print(f"1 booklet + {PARTICIPANTS} personal copies:             {many:6.2f} s  {personal.timings}")
        print(f"  the {PARTICIPANTS} copies alone:                      {personal.timings['personal']:6.2f} s "
              f"({personal.timings['personal'] / PARTICIPANTS * 1000:.0f} ms per copy)")
        print(f"  {PARTICIPANTS} full renders would take about:          {PARTICIPANTS * full:6.2f} s "
              f"({PARTICIPANTS} x {full:.2f} s of layout + PDF)")
        print(f"1 booklet after editing one quote:            {again:6.2f} s  {rebuilt.timings}")
        print(f"{PARTICIPANTS} personal booklets / 1 booklet:              {many / one:6.2f}")


if __name__ == "__main__":
    main()
