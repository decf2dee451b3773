"""Shared fixtures: real git repositories in temp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    """An empty real repository (branch main) with an isolated git config."""
    return GitRepo(tmp_path / "repo")
