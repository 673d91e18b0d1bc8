"""The guides say what the tool does: each `nuancier` command they show exists with its options; images exist."""

from __future__ import annotations

import re
import shlex

import pytest

from nuancier_print.cli import main

from .conftest import ROOT

GUIDES = ("LISEZMOI.md", "README.md")


def _commands(text: str) -> list[str]:
    """Return the `nuancier ...` command lines of a guide's shell blocks and inline code."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        found += [line.split("#")[0].strip() for line in block.splitlines() if line.strip().startswith("nuancier ")]
    found += [m for m in re.findall(r"`(nuancier [^`]+)`", text) if "<" not in m and "…" not in m and "|" not in m]
    return [c for c in found if c]


def _options(command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


@pytest.mark.parametrize("guide", GUIDES)
def test_every_command_a_guide_shows_exists_with_its_options(guide):
    commands = _commands((ROOT / guide).read_text(encoding="utf-8"))
    assert len(commands) > 5, "the guide shows too few commands: has its format changed?"
    groups = _options(main) | {"--help", "-h", "--version"}
    for line in commands:
        words = [w for w in shlex.split(line.replace("&&", " "))[1:]]
        while words and words[0] in groups | {"fr", "en"}:  # `nuancier --lang fr kit ...`
            words.pop(0)
        if not words:  # `nuancier --help`
            continue
        name = words[0]
        assert name in main.commands, f"{guide}: `{line}`: there is no command `{name}`"
        known = _options(main.commands[name]) | groups | {"--help", "-h"}
        for word in words[1:]:
            option = word.split("=")[0]
            if option.startswith("-"):
                assert option in known, f"{guide}: `{line}`: `{name}` has no option `{option}`"


@pytest.mark.parametrize("guide", GUIDES)
def test_every_image_a_guide_shows_is_in_the_project(guide):
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / guide).read_text(encoding="utf-8"))
    assert images
    missing = [path for path in images if not (ROOT / path).is_file()]
    assert not missing, f"{guide} shows images that are not in the project: {missing}"


def test_the_french_guide_gives_the_readme_s_build_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    build = re.search(r"<!-- build-command -->\n```sh\n(.*?)\n```", readme, re.S)[1]
    assert f"```sh\n{build}\n```" in (ROOT / "LISEZMOI.md").read_text(encoding="utf-8")
