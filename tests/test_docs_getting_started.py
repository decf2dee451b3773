"""``docs/getting-started.md`` is executed, in order, in a fresh repository, today.

The guide is read by ``tests/guide.py``: every command of its console blocks runs in
one shell session (``cd`` and ``. .venv/bin/activate`` carry over), every titled
file block is written, and where the guide shows a command's output the real output
must be exactly that. Nothing is frozen: the date is the day the test runs, the
install is a real ``pip install`` into the guide's own fresh virtual environment.
At the end a fresh ``git clone`` of the repository the guide built must get the same
verdict as the working tree, and every file of the guide's file tree must exist.

The one placeholder the guide has, ``/path/to/mkdocs-governance`` ("your clone of the
project"), is a copy of this checkout (pip builds in the source folder; the checkout
stays untouched). ``mkdocs serve`` gets a free port and is stopped once it
served the dashboard.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.guide import Command, FileBlock, Shell, Tree, fresh_environment, parse

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "getting-started.md"
PLACEHOLDER = "/path/to/mkdocs-governance"


def _not_source(folder: str, names: list[str]) -> set[str]:
    """What a fresh clone of the project would not hold (the top level's build output)."""
    top = {".venv", ".git", "site", "build"} if Path(folder) == ROOT else set()
    return {
        n for n in names if n in top or n.endswith(("cache", ".egg-info")) or n == "__pycache__"
    }


def test_the_guide_parses_into_every_command_and_file() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    guide = parse(text)
    dollar_lines = len(re.findall(r"^\s*\$ ", text, flags=re.M))
    followed = sum(1 for s in guide.steps if isinstance(s, Command))
    alternative = sum(1 for s in guide.alternatives if isinstance(s, Command))
    assert followed + alternative == dollar_lines  # no command is lost by the parser
    titled = len(re.findall(r'^\s*`{3,}\w*.*title="', text, flags=re.M))
    files = sum(1 for s in (*guide.steps, *guide.alternatives) if isinstance(s, FileBlock))
    assert files == titled
    assert any(isinstance(s, Tree) for s in guide.steps)


@pytest.mark.slow
def test_following_the_guide_gives_the_outputs_it_shows_and_ci_agrees(tmp_path: Path) -> None:
    guide = parse(GUIDE.read_text(encoding="utf-8"))
    shell = Shell(tmp_path / "work", fresh_environment(tmp_path / "home"), tmp_path / ".state")
    shell.cwd.mkdir()
    checkout = tmp_path / "mkdocs-governance"
    shutil.copytree(ROOT, checkout, ignore=_not_source)
    written: set[str] = set()
    repo: Path | None = None
    last_check: str | None = None
    for step in guide.steps:
        if isinstance(step, FileBlock):
            target = shell.cwd / step.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.content, encoding="utf-8")
            written.add(step.path)
            continue
        if isinstance(step, Tree):
            continue  # checked at the end, once every file exists
        command = step.text.replace(PLACEHOLDER, str(checkout))
        if command.split()[:2] == ["mkdocs", "serve"]:
            page = shell.serve(command)
            assert "Governance dashboard" in page and "Gate: PASSED" in page
            continue
        result = shell.run(command)
        shown = f"guide line {step.line}: `{step.text}`"
        if step.expected:
            actual = [line.rstrip() for line in result.stdout.rstrip("\n").splitlines()]
            assert actual == [line.rstrip() for line in step.expected], (
                f"{shown} printed:\n{result.stdout}"
            )
        else:
            assert result.returncode == 0, f"{shown} failed ({result.returncode}):\n{result.stdout}"
        if (shell.cwd / ".git").exists():
            repo = shell.cwd
        if step.text.startswith("mkdocs-governance check") and "--config-file" not in step.text:
            last_check = result.stdout

    assert repo is not None and last_check is not None
    # A fresh clone, as CI checks out, gets the verdict the working tree got last.
    clone = tmp_path / "ci-clone"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], env=shell.env, check=True)
    ci = Shell(clone, shell.env, tmp_path / ".state-ci").run("mkdocs-governance check")
    assert ci.returncode == 0
    assert ci.stdout == last_check
    build = Shell(clone, shell.env, tmp_path / ".state-ci").run("mkdocs build --quiet --strict")
    assert build.returncode == 0, build.stdout
    dashboard = (clone / "site" / "governance" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Gate: PASSED</strong>" in dashboard

    # The guide's file tree is the repository the guide built.
    for tree in (s for s in guide.steps if isinstance(s, Tree)):
        missing = [f for f in tree.files if not (repo / f).is_file()]
        assert not missing, f"guide line {tree.line}: listed but never created: {missing}"
