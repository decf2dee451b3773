"""The history pass over real repositories: commits, per-file histories, renames,
merges, odd paths and names, working-tree states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from mkdocs_governance.history import read_history
from mkdocs_governance.history.model import ChangeKind, SignatureStatus, WorktreeState
from tests.gitrepo import GitRepo

ALICE = ("Alice Approver", "alice@bank.example")
BOB = ("Bob Builder", "bob@bank.example")
RECORDS = "governance_records"


def read(repo: GitRepo, *paths: str, **kwargs):
    return read_history(repo.path, list(paths) or [RECORDS], env=repo.env, **kwargs)


def test_commit_facts_are_read_with_timezone_aware_dates_and_trailers(git_repo: GitRepo) -> None:
    sha = git_repo.commit(
        "Approve churn 1.2 for production\n\nReviewed the holdout.\n\n"
        "Signed-off-by: Alice Approver <alice@bank.example>\nApproved-by: Model Risk",
        files={f"{RECORDS}/signoffs/churn-1.2.yaml": "decision: approved\n"},
        author=ALICE,
        committer=BOB,
        date="2026-03-01T09:30:00+02:00",
    )
    history = read(git_repo)
    commit = history.commit(sha)
    assert history.available and history.head == sha and history.order == (sha,)
    assert commit is not None
    assert (commit.author_name, commit.author_email) == ALICE
    assert (commit.committer_name, commit.committer_email) == BOB
    assert commit.author_date == datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert commit.author_date.tzinfo is not None
    assert commit.subject == "Approve churn 1.2 for production"
    assert commit.body.startswith("Reviewed the holdout.")
    assert commit.trailers == (
        ("Signed-off-by", "Alice Approver <alice@bank.example>"),
        ("Approved-by", "Model Risk"),
    )
    assert commit.signature is not None
    assert commit.signature.status == SignatureStatus.NOT_CHECKED


def test_commits_outside_the_records_paths_are_not_part_of_the_pass(git_repo: GitRepo) -> None:
    first = git_repo.commit("records", files={f"{RECORDS}/people.yaml": "people: []\n"})
    git_repo.commit("code only", files={"src/app.py": "print()\n"}, date="2026-01-16T10:00:00Z")
    history = read(git_repo)
    assert history.order == (first,)
    assert list(history.files) == [f"{RECORDS}/people.yaml"]


def test_rename_chain_across_folders_is_one_history_keyed_by_current_path(
    git_repo: GitRepo,
) -> None:
    added = git_repo.commit("add", files={f"{RECORDS}/a.yaml": "id: a\nbody: long enough\n"})
    git_repo.move(f"{RECORDS}/a.yaml", f"{RECORDS}/models/b.yaml")
    first_move = git_repo.commit("move to models", date="2026-01-16T10:00:00Z")
    edited = git_repo.commit(
        "edit", files={f"{RECORDS}/models/b.yaml": "id: a\nbody: long enough\nx: 1\n"},
        date="2026-01-17T10:00:00Z",
    )  # fmt: skip
    git_repo.move(f"{RECORDS}/models/b.yaml", f"{RECORDS}/signoffs/c.yaml")
    second_move = git_repo.commit("move to signoffs", date="2026-01-18T10:00:00Z")
    history = read(git_repo)
    assert list(history.files) == [f"{RECORDS}/signoffs/c.yaml"]
    file = history.file(f"{RECORDS}/signoffs/c.yaml")
    assert file is not None
    assert [(c.sha, c.kind, c.path, c.old_path) for c in file.changes] == [
        (second_move, ChangeKind.RENAMED, f"{RECORDS}/signoffs/c.yaml", f"{RECORDS}/models/b.yaml"),
        (edited, ChangeKind.MODIFIED, f"{RECORDS}/models/b.yaml", None),
        (first_move, ChangeKind.RENAMED, f"{RECORDS}/models/b.yaml", f"{RECORDS}/a.yaml"),
        (added, ChangeKind.ADDED, f"{RECORDS}/a.yaml", None),
    ]
    assert file.created_by is not None and file.created_by.sha == added


def test_empty_repository_has_available_empty_history(git_repo: GitRepo) -> None:
    history = read(git_repo)
    assert history.available and history.problems == ()
    assert history.head is None and history.commits == {} and history.files == {}


def test_worktree_states_of_uncommitted_records(git_repo: GitRepo) -> None:
    git_repo.commit(
        "base",
        files={
            f"{RECORDS}/{name}.yaml": f"{name}: 1\n" for name in ("mod", "staged", "gone", "ok")
        },
    )
    git_repo.write(f"{RECORDS}/mod.yaml", "mod: 2\n")
    git_repo.write(f"{RECORDS}/staged.yaml", "staged: 2\n")
    git_repo.git("add", f"{RECORDS}/staged.yaml")
    (git_repo.path / RECORDS / "gone.yaml").unlink()
    git_repo.write(f"{RECORDS}/signoffs/new.yaml", "decision: approved\n")
    git_repo.write(f"{RECORDS}/signoffs/added.yaml", "decision: approved\n")
    git_repo.git("add", f"{RECORDS}/signoffs/added.yaml")
    history = read(git_repo)
    assert dict(history.worktree) == {
        f"{RECORDS}/mod.yaml": WorktreeState.MODIFIED,
        f"{RECORDS}/staged.yaml": WorktreeState.STAGED,
        f"{RECORDS}/gone.yaml": WorktreeState.DELETED,
        f"{RECORDS}/signoffs/new.yaml": WorktreeState.UNTRACKED,
        f"{RECORDS}/signoffs/added.yaml": WorktreeState.STAGED,
    }
    assert history.state(f"{RECORDS}/ok.yaml") == WorktreeState.CLEAN


def test_not_a_repository_is_unavailable_with_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / RECORDS).mkdir(parents=True)
    history = read_history(folder, [RECORDS])
    assert not history.available
    (problem,) = history.problems
    assert problem.code == "history-unavailable" and problem.is_error
    assert "not inside a Git repository" in problem.message
    assert "clone" in problem.message


def test_dates_are_utc_aware_when_committed_in_utc(git_repo: GitRepo) -> None:
    sha = git_repo.commit("a", files={f"{RECORDS}/a.yaml": "a: 1\n"}, date="2026-01-15T10:00:00Z")
    commit = read(git_repo).commit(sha)
    assert commit is not None and commit.committer_date == datetime(2026, 1, 15, 10, tzinfo=UTC)
