"""Check the fitter's overflow proof on random synthetic versos (a script, not a pytest test).

    python tests/fit_soundness.py [--seed N] [--faces N]

:func:`nuancier_print.render.certain_overflow` spares the layout one step up
when the fitting layout proves that step overflows. A wrong proof would make
a card's text smaller than it needs to be, and nothing else would notice. The
test suite checks it on the shipped versos and a few fixed synthetic ones
(`tests/test_fit.py`); this script tries many random ones: for each verso
that fits, at its fitted size and the two steps below, every claim is checked
against the layout one step up. It prints how many claims it checked and
exits 1 on the first wrong one. Run it after changing the proof or the deck's
stylesheet (about a minute for 60 versos).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nuancier_print.errors import FitError  # noqa: E402
from nuancier_print.render import STEP, certain_overflow, overflow_mm  # noqa: E402
from tests.test_fit import _card, _content  # noqa: E402

WORDS = ("public innovation agents usagers terrain prototype design enquête atelier formation collective "
         "méthode projet expérimentation coopération territoire numérique participation "
         "https://www.la27eregion.fr/cas-pratiques").split()


def random_verso(rng: random.Random) -> str:
    """Return a teinte 2.1 file with a random number and length of items in each verso section."""
    def sentence(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize()

    def items(indent: str, lowest: int, most: int, shortest: int, longest: int) -> str:
        return "\n".join(f'{indent}- "{sentence(rng.randint(shortest, longest))}"'
                         for _ in range(rng.randint(lowest, most)))

    lexique = ", ".join(rng.choice(WORDS[:-1]) for _ in range(rng.randint(3, 12)))
    return (f"numero: 2.1\ntitre: {sentence(rng.randint(2, 9))}\nchamp_lexical: [{lexique}]\n"
            f"finalites:\n{items('  ', 1, 5, 3, 20)}\ncompetences:\n{items('  ', 1, 4, 3, 20)}\n"
            f"savoir_etre:\n{items('  ', 1, 3, 2, 15)}\nexemples_de_contenus:\n{items('  ', 1, 4, 5, 30)}\n"
            f"module:\n  titre: {sentence(rng.randint(2, 8))}\n  modalites:\n{items('    ', 1, 3, 3, 15)}\n"
            f"  deroule:\n{items('    ', 1, 4, 4, 25)}\n  publics:\n{items('    ', 1, 2, 3, 15)}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faces", type=int, default=60, help="random versos to try (default 60)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fitted_faces = checked = claims = 0
    for _ in range(args.faces):
        text = random_verso(rng)
        folder = Path(tempfile.mkdtemp(prefix="nuancier-fit-"))
        try:
            renderer, card = _card(_content(folder, text), "teinte-2-1")
            _, fitted, _ = renderer.fit(card.verso)
        except FitError:
            continue  # too long for the card even at the floor: nothing to prove
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        fitted_faces += 1
        for size in (fitted, fitted - STEP, fitted - 2 * STEP):
            if size + STEP > card.verso.base_size or size < card.verso.floor:
                continue
            document = renderer.layout(card.verso, size)
            if overflow_mm(document):
                continue  # the proof is only asked of a size that fits
            checked += 1
            if certain_overflow(document, size, size + STEP):
                claims += 1
                if not overflow_mm(renderer.layout(card.verso, size + STEP)):
                    print(f"WRONG: claimed that {size + STEP} pt overflows, but it fits:\n{text}")
                    return 1
    print(f"seed {args.seed}: {fitted_faces} versos fitted, {checked} sizes checked, "
          f"{claims} claims of overflow, all right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
