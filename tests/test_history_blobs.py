"""Reading record files at another ref from Git's objects (PR base comparisons)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.history import HistoryError, read_tree_blobs
from tests.gitrepo import GitRepo

RECORDS = "governance_records"


def test_files_under_prefix_at_ref_are_read_without_touching_the_worktree(
    git_repo: GitRepo,
) -> None:
    base = git_repo.commit(
        "base",
        files={
            f"{RECORDS}/policy.yaml": "stages: [dev]\n",
            f"{RECORDS}/signoffs/a b.yaml": b"decision: approved\n\x00binary-safe",
            "README.md": "outside\n",
        },
    )
    git_repo.commit(
        "change",
        files={f"{RECORDS}/policy.yaml": "stages: [dev, prod]\n"},
        date="2026-01-16T10:00:00Z",
    )
    git_repo.write(f"{RECORDS}/policy.yaml", "local edit\n")
    blobs = read_tree_blobs(git_repo.path, base, RECORDS)
    assert blobs == {
        f"{RECORDS}/policy.yaml": b"stages: [dev]\n",
        f"{RECORDS}/signoffs/a b.yaml": b"decision: approved\n\x00binary-safe",
    }
    assert (git_repo.path / RECORDS / "policy.yaml").read_text() == "local edit\n"
    assert read_tree_blobs(git_repo.path, "HEAD", RECORDS)[f"{RECORDS}/policy.yaml"] == (
        b"stages: [dev, prod]\n"
    )


def test_missing_prefix_at_ref_gives_no_files(git_repo: GitRepo) -> None:
    git_repo.commit("base", files={"README.md": "x\n"})
    assert read_tree_blobs(git_repo.path, "HEAD", RECORDS) == {}


def test_unknown_ref_raises_history_error_with_fetch_hint(git_repo: GitRepo) -> None:
    git_repo.commit("base", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    with pytest.raises(HistoryError, match=r"origin/main.*names no commit.*git fetch"):
        read_tree_blobs(git_repo.path, "origin/main", RECORDS)


def test_not_a_repository_raises_history_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="names no commit"):
        read_tree_blobs(tmp_path, "HEAD", RECORDS)
