"""Benchmark: a cold deck build of this checkout against earlier commits, side by side.

    python bench/compare.py 9762c0b cca363d            # two rounds each (about 5 minutes)
    python bench/compare.py --rounds 3 HEAD~5

Each commit is checked out in a temporary git worktree (removed afterwards).
For each commit, and for this checkout, with HarfBuzz's subsetting library
visible to WeasyPrint and hidden from it (as in bench/run.py), a new process
builds the shipped deck once (imports loaded, libraries warm), then times a
cold build of the deck alone (no sheets, no booklet; ``--jobs 1`` where the
commit still has that option) into an empty folder. It prints the medians
and the size of deck.pdf. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r'''
import dataclasses, shutil, sys, tempfile, time
from pathlib import Path
root, hidden = sys.argv[1], sys.argv[2] == "1"
if hidden:
    import cffi
    real = cffi.FFI.dlopen
    def dlopen(self, name, *args, **kwargs):
        if name and "harfbuzz-subset" in str(name):
            raise OSError("hidden by bench/compare.py")
        return real(self, name, *args, **kwargs)
    cffi.FFI.dlopen = dlopen
sys.path.insert(0, root)
from nuancier_print.build import BuildOptions, build
jobs = {"jobs": 1} if "jobs" in {f.name for f in dataclasses.fields(BuildOptions)} else {}
tmp = Path(tempfile.mkdtemp(prefix="nuancier-compare-"))
seconds = []
for name in ("warm-up", "cold"):
    shutil.copytree(Path(root) / "content", tmp / name / "content", ignore=shutil.ignore_patterns("sessions"))
    start = time.perf_counter()
    build(BuildOptions(content=tmp / name / "content", out=tmp / name / "out", sheets=False, booklets=False, **jobs))
    seconds.append(time.perf_counter() - start)
print(f"{seconds[1]:.3f} {(tmp / 'cold' / 'out' / 'deck.pdf').stat().st_size}")
shutil.rmtree(tmp)
'''


def one(root: Path, hidden: bool) -> tuple[float, int]:
    """Return (seconds, deck.pdf bytes) of one cold deck build of the checkout at ``root``."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(root), "1" if hidden else "0"], capture_output=True,
                            text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1764201600"}, check=False)
    if result.returncode:
        raise RuntimeError(f"{root}: {result.stderr[-2000:]}")
    seconds, size = result.stdout.split()[-2:]
    return float(seconds), int(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs="+", help="git revisions to compare with this checkout")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nuancier-worktrees-") as tmp:
        roots = {}
        for revision in args.revisions:
            folder = Path(tmp) / revision.replace("/", "-").replace("~", "-")
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(folder), revision],
                           check=True)
            roots[revision] = folder
        roots["this checkout"] = ROOT
        try:
            figures: dict[tuple[str, bool], list[tuple[float, int]]] = {}
            for _round in range(args.rounds):  # interleaved, so that a drift of the machine hits every one alike
                for label, root in roots.items():
                    for hidden in (False, True):
                        figures.setdefault((label, hidden), []).append(one(root, hidden))
        finally:
            for root in roots.values():
                if root != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(root)], check=False)
    for (label, hidden), runs in figures.items():
        times = [seconds for seconds, _ in runs]
        print(f"{label:24s} library {'hidden ' if hidden else 'visible'}  median {statistics.median(times):6.2f} s "
              f"({', '.join(f'{t:.2f}' for t in times)}), deck.pdf {runs[-1][1] / 1024:5.0f} KB")


if __name__ == "__main__":
    main()
