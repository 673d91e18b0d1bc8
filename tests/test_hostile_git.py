"""A content folder from someone else, with a `.git` of theirs, runs none of its commands.

`build` and `deck` date each card with git, and `reprint` reads old revisions
with it. git obeys the repository's own configuration, and a content folder
received as a zip may carry one that runs commands: ``core.fsmonitor``, hooks,
a pager, an external diff, a textconv or a filter driver named in
``.gitattributes``, credential helpers, a signature program... The test arms
every one of them with a trap that leaves a marker file, checks that ordinary
git commands do spring them (so the traps are real), then runs `nuancier
build` and `nuancier reprint` and finds no marker.
"""

from __future__ import annotations

import os
import pty
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from nuancier_print.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="these tests need git")

HOOKS = ("applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
         "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge",
         "pre-push", "pre-receive", "update", "proc-receive", "post-receive", "post-update",
         "reference-transaction", "push-to-checkout", "pre-auto-gc", "post-rewrite", "sendemail-validate",
         "fsmonitor-watchman", "p4-changelist", "p4-prepare-changelist", "p4-post-changelist",
         "p4-pre-submit", "post-index-change")


def _plain_git(folder: Path, *args: str, check: bool = True, terminal: bool = False):
    """Run git as a user would in ``folder``: their repository's configuration applies.

    With ``terminal``, its output goes to a pseudo-terminal, as when a user types it.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    if terminal:
        main, secondary = pty.openpty()
        try:
            return subprocess.run(["git", "-C", str(folder), *args], stdout=secondary, stderr=secondary,
                                  env=env, check=check, stdin=subprocess.DEVNULL, timeout=30)
        finally:
            os.close(secondary)
            os.close(main)
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, env=env, check=check,
                          stdin=subprocess.DEVNULL, timeout=30)


def _arm(content: Path, traps: Path) -> Path:
    """Write a trap script and a repository configuration that runs it in every way we know of."""
    traps.mkdir()
    trap = traps / "trap.sh"
    # Leaves a marker named after the setting that ran it; passes its input through, like a filter.
    trap.write_text(f'#!/bin/sh\ntouch "{traps}/ran-$1"\ncat >/dev/null 2>&1 </dev/null\nexit 0\n')
    trap.chmod(trap.stat().st_mode | stat.S_IXUSR)
    filter_trap = traps / "filter.sh"
    filter_trap.write_text(f'#!/bin/sh\ntouch "{traps}/ran-$1"\ncat\n')
    filter_trap.chmod(filter_trap.stat().st_mode | stat.S_IXUSR)
    hooks = traps / "hooks"
    hooks.mkdir()
    for hook in HOOKS:
        path = hooks / hook
        path.write_text(f'#!/bin/sh\ntouch "{traps}/ran-hook-{hook}"\nexit 0\n')
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        shutil.copy(path, content / ".git" / "hooks" / hook)
    run = f"{trap} "
    settings = {
        "core.fsmonitor": run + "fsmonitor",
        "core.hooksPath": str(hooks),
        "core.pager": run + "core-pager",
        "pager.log": run + "pager-log",
        "pager.ls-tree": run + "pager-ls-tree",
        "pager.cat-file": run + "pager-cat-file",
        "pager.rev-parse": run + "pager-rev-parse",
        "diff.external": run + "diff-external",
        "diff.hostile.command": run + "diff-command",
        "diff.hostile.textconv": run + "textconv",
        "filter.hostile.clean": f"{filter_trap} filter-clean",
        "filter.hostile.smudge": f"{filter_trap} filter-smudge",
        "filter.hostile.required": "true",
        "credential.helper": "!" + run + "credential-helper",
        "core.sshCommand": run + "ssh-command",
        "core.askPass": run + "askpass",
        "core.editor": run + "editor",
        "sequence.editor": run + "sequence-editor",
        "core.alternateRefsCommand": run + "alternate-refs",
        "log.showSignature": "true",
        "gpg.program": run + "gpg",
        "gpg.ssh.program": run + "gpg-ssh",
        "gpg.x509.program": run + "gpg-x509",
        "uploadpack.packObjectsHook": run + "pack-objects-hook",
        "alias.log": "!" + run + "alias-log",
        "gc.auto": "1",
    }
    for key, value in settings.items():
        _plain_git(content, "config", key, value)
    (content / ".gitattributes").write_text("* diff=hostile filter=hostile\n", encoding="utf-8")
    return traps


def _ran(traps: Path) -> list[str]:
    return sorted(p.name for p in traps.glob("ran-*"))


@pytest.fixture
def hostile(mini):
    """The mini content as a git repository of its own, committed twice, then armed with traps."""
    _plain_git(mini, "init", "-q")
    _plain_git(mini, "add", ".")
    _plain_git(mini, "commit", "-qm", "first print run")
    teinte = mini / "teintes" / "2-1-troisieme.yaml"
    teinte.write_text(teinte.read_text(encoding="utf-8").replace("Une finalité", "Une finalité revue"),
                      encoding="utf-8")
    _plain_git(mini, "commit", "-qam", "edit 2.1")
    traps = _arm(mini, mini.parent / "traps")
    teinte.touch()  # a file that looks changed: git status would hash it through the filter
    return mini, traps


def test_the_traps_are_real(hostile):
    """Ordinary git commands spring the traps: the tests below prove something."""
    content, traps = hostile
    _plain_git(content, "status", check=False)
    _plain_git(content, "log", "-p", "-1", check=False)
    _plain_git(content, "commit", "--allow-empty", "-qm", "hook", check=False)
    _plain_git(content, "log", "-1", check=False, terminal=True)  # git pages only to a terminal
    ran = _ran(traps)
    for expected in ("ran-fsmonitor", "ran-textconv", "ran-filter-clean", "ran-hook-pre-commit", "ran-pager-log"):
        assert expected in ran, ran


def test_build_runs_no_command_of_the_content_s_repository(hostile, runner):
    content, traps = hostile
    result = runner.invoke(main, ["build", "--no-cache"])
    assert result.exit_code == 0, result.output + result.stderr
    assert (content.parent / "out" / "deck.pdf").is_file()
    assert _ran(traps) == []


def test_deck_runs_no_command_of_the_content_s_repository(hostile, runner):
    _, traps = hostile
    result = runner.invoke(main, ["deck"])
    assert result.exit_code == 0, result.output + result.stderr
    assert _ran(traps) == []


def test_reprint_runs_no_command_of_the_content_s_repository(hostile, runner):
    content, traps = hostile
    result = runner.invoke(main, ["reprint", "--since", "HEAD~1"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "1 card(s) changed since HEAD~1: teinte 2.1" in result.output
    assert _ran(traps) == []


def test_the_cards_are_still_dated_by_git(hostile):
    """Neutralising the configuration keeps the dates: a committed, unchanged file has its commit's date."""
    from nuancier_print.edition import committed_dates

    content, _ = hostile
    dates = committed_dates(content / "teintes")
    assert set(dates) == {"1-1-premiere.yaml", "1-2-deuxieme.yaml", "2-1-troisieme.yaml"}


def test_a_bare_repository_disguised_as_a_content_folder_is_not_used(mini, tmp_path):
    """A content folder laid out as a bare repository (HEAD, config, objects, refs) is not taken as one.

    git would find it by itself (an "embedded bare repository") and read its
    configuration; its made-up history would also date the cards.
    """
    from nuancier_print.edition import committed_dates

    teintes = mini / "teintes"
    work = tmp_path / "forged"
    shutil.copytree(teintes, work)
    _plain_git(work, "init", "-q")
    _plain_git(work, "add", ".")
    forged_date = {"GIT_COMMITTER_DATE": "2001-01-01T00:00:00Z"}
    subprocess.run(["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "commit", "-qm", "forged"], check=True, env={**os.environ, **forged_date})
    bare = tmp_path / "forged.git"
    _plain_git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    for name in ("HEAD", "config", "objects", "refs", "packed-refs"):
        source = bare / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, teintes / name)
    assert _plain_git(teintes, "log", "--format=%cs").stdout.strip() == b"2001-01-01"  # plain git uses it
    assert committed_dates(teintes) == {}
