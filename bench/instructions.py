"""Count the instructions of a cold --jobs 1 build and of the engine's floor (needs valgrind).

    python bench/instructions.py

Wall-clock times on a shared 2-core machine drift by 20 to 40 % within
minutes; instruction counts do not. Each measure runs in a new Python
process under ``valgrind --tool=cachegrind --cache-sim=no`` (about 50 times
slower than normal: the whole run takes about 10 minutes on 2 cores), in the
same state as ``bench/run.py``'s: the process first builds the deck once,
then forgets what our modules keep between builds.
A measure's count is its process's count minus that of a process that only
did the warm-up (and, for the floor, prepared its HTML).

Instructions are not time (a cache miss costs more than an add), but the
ratio of two counts says which side does more work, and it does not move
between runs. Nothing here asserts anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

STEPS = {
    "warm-up": "the warm-up alone",
    "cold": "warm-up, then a cold --jobs 1 build",
    "floor-html": "warm-up, then the floor's HTML",
    "floor": "warm-up, the floor's HTML, then the floor (one render, one PDF)",
    "known": "warm-up, then a --jobs 1 build with every size known",
}


def child(step: str) -> None:
    """Do one step's work in this process (run under valgrind by :func:`count`)."""
    import run

    folder = Path(tempfile.mkdtemp(prefix="nuancier-ir-"))
    try:
        warm = run.project(folder, "warm")
        run.deck_build(warm, jobs=1)
        run.forget_what_builds_keep()  # as bench/run.py does before a measure
        if step == "cold":
            run.deck_build(run.project(folder, "cold"), jobs=1)
        elif step in ("floor-html", "floor"):
            once = run.engine_floor(warm)
            if step == "floor":
                once()
        elif step == "known":
            run.sizes_known_build(warm, jobs=1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def count(step: str) -> int:
    """Return the instructions a new process doing ``step`` executes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cachegrind.out"
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}",
                   sys.executable, str(Path(__file__).resolve()), "--child", step]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode or not out.exists():
            raise RuntimeError(f"{step}: valgrind failed\n{result.stderr[-2000:]}")
        return int(re.search(r"^summary: (\d+)", out.read_text(), re.M)[1])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
        return
    if shutil.which("valgrind") is None:
        sys.exit("bench/instructions.py needs valgrind (apt-get install valgrind)")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764201600")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(STEPS, pool.map(count, STEPS)))
    for step, label in STEPS.items():
        print(f"{label:66s} {counts[step] / 1e9:7.2f} G instructions")
    cold = counts["cold"] - counts["warm-up"]
    known = counts["known"] - counts["warm-up"]
    floor = counts["floor"] - counts["floor-html"]
    print(f"{'cold --jobs 1 build':66s} {cold / 1e9:7.2f} G")
    print(f"{'--jobs 1 build, every size known':66s} {known / 1e9:7.2f} G")
    print(f"{'engine floor':66s} {floor / 1e9:7.2f} G")
    print(f"{'ratios':66s} cold / floor = {cold / floor:.2f}; sizes known / floor = {known / floor:.2f}")


if __name__ == "__main__":
    main()
