"""Shared fixtures: real git repositories in temp dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo

# Zero-config pull-request mode (pull_request.py) reads CI's variables: a suite run inside a
# CI pull request must not turn every test build into a preview. Tests that need them set
# them on the process they start.
for _name in [n for n in os.environ if n.startswith(("GITHUB_", "GITLAB_", "CI_MERGE_REQUEST_"))]:
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    """An empty real repository (branch main) with an isolated git config."""
    return GitRepo(tmp_path / "repo")
