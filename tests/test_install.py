"""What ``make site`` and ``make test`` install.

``make site`` builds the documentation: it installs the package and the ``docs`` extra,
never the test tools (playwright, mypy, ruff, pytest). ``make test`` installs the
``test`` extra, which holds every package the tests need, the site's included. Checked
on what make would run (``make -n``) and on what pip would really install
(``pip install --dry-run --report``), not on the text of the Makefile.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"playwright", "mypy", "ruff", "pytest", "pytest-xdist"}


def _pip_installs(make_target: str, venv: Path) -> list[str]:
    """The ``pip install`` lines ``make -n TARGET`` would run for a missing venv."""
    if shutil.which("make") is None:
        pytest.fail("make is needed: the README's two commands are make targets")
    result = subprocess.run(
        ["make", "-n", make_target, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def _extra(line: str) -> str:
    match = re.search(r"-e '\.\[(\w+)\]'", line)
    assert match, f"no editable install with an extra in: {line}"
    return match.group(1)


def test_make_site_installs_the_docs_extra_and_make_test_the_test_extra(tmp_path):
    site = [_extra(line) for line in _pip_installs("site", tmp_path / "v") if "-e" in line]
    test = [_extra(line) for line in _pip_installs("test", tmp_path / "v") if "-e" in line]
    assert site == ["docs"]
    assert test == ["test"]


def test_the_test_extra_holds_the_docs_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert set(extras["docs"]) <= set(extras["test"])
    names = {re.split(r"[<>=\[ ;]", requirement)[0].lower() for requirement in extras["test"]}
    assert {"properdocs", "zensical"} <= names  # tests/test_engines.py builds with both
    runtime = {re.split(r"[<>=\[ ;]", r)[0].lower() for r in project["dependencies"]}
    assert not runtime & TEST_TOOLS


@pytest.mark.slow
def test_what_make_site_installs_has_no_test_tools(tmp_path):
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
         "--report", str(report), "-e", ".[docs]"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=900,
    )  # fmt: skip
    installed = {
        item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]
    }
    assert {"mkdocs", "mkdocs-material", "mkdocstrings", "mkdocs-governance"} <= installed
    assert not installed & TEST_TOOLS, installed & TEST_TOOLS
