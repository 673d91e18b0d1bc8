"""The orchestrator: :func:`build` runs every pipeline stage in order.

Reading :func:`build` tells the whole story: load and validate the content,
then, holding the lock of the output folder, render the deck's faces (each
fitted to its card), assemble and write `deck.pdf`. Outputs are replaced
atomically: a failed build leaves the previous ones untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .content import Content, load_content
from .errors import FitError
from .output import atomic_write, build_lock


@dataclass
class BuildOptions:
    """What to build, from where, to where."""

    content: Path = Path("content")
    out: Path = Path("out")
    verbose: bool = False
    marks: bool = False
    deck: bool = True


@dataclass
class BuildResult:
    """What a build did, as lines for the user."""

    lines: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    sizes: dict[str, float] = field(default_factory=dict)  # face label -> text size (pt)


def build(options: BuildOptions) -> BuildResult:
    """Validate the content and write every output into ``options.out``."""
    result = BuildResult()
    content = load_content(options.content)
    result.lines += [str(w) for w in content.warnings]
    result.lines.append(f"content: {content.summary()}, {len(content.warnings)} warnings")
    with build_lock(options.out):
        if options.deck:
            write_deck(content, options, result)
    return result


def write_deck(content: Content, options: BuildOptions, result: BuildResult) -> Path:
    """Render every face of the deck, fitted, and write `deck.pdf`."""
    from .deck import card_format, deck_faces, deck_stylesheet
    from .pdfout import assemble
    from .render import Renderer

    fmt = card_format(content)
    renderer = Renderer(deck_stylesheet(fmt), roots=[content.root])
    faces, failures = [], []
    for spec in deck_faces(content, fmt):
        try:
            faces.append(renderer.render(spec))
        except FitError as exc:
            failures.append(str(exc))
    if failures:
        raise FitError("\n".join(failures + [f"{len(failures)} face(s) do not fit: deck.pdf was not written"]))
    data = assemble([f.pdf for f in faces], title=content.nuancier.titre, marks=options.marks,
                    bleed_mm=fmt.bleed)
    path = atomic_write(options.out / "deck.pdf", data)
    result.written.append(path)
    result.sizes.update({f.label: f.size for f in faces})
    cards = len(faces) // 2
    smallest = min(faces, key=lambda f: f.size)
    result.lines.append(f"deck: {path} ({cards} cards, {len(faces)} pages, "
                        f"{fmt.width:g} × {fmt.height:g} mm + {fmt.bleed:g} mm bleed; "
                        f"smallest text {smallest.size:g} pt on {smallest.label})")
    if options.verbose:
        result.lines += [f"  {f.label}: {f.size:g} pt ({f.renders} render{'s' if f.renders > 1 else ''})"
                         for f in faces]
    return path
