"""The orchestrator: `build()` runs every pipeline stage in order.

Reading :func:`build` tells the whole story: load and validate the content,
render the deck, write the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .content import load_content


@dataclass
class BuildOptions:
    """What to build, from where, to where."""

    content: Path = Path("content")
    out: Path = Path("out")
    verbose: bool = False


@dataclass
class BuildResult:
    """What a build did, as lines for the user."""

    lines: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def build(options: BuildOptions) -> BuildResult:
    """Validate the content and write every output into ``options.out``."""
    result = BuildResult()
    content = load_content(options.content)
    result.lines += [str(w) for w in content.warnings]
    result.lines.append(f"content: {content.summary()}, {len(content.warnings)} warnings")
    return result
