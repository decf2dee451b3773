"""The history pass over real repositories: commits, per-file histories, renames,
merges, odd paths and names, working-tree states."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mkdocs_governance.history import parse_trailers, read_history
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


def test_commit_subject_equal_to_the_record_marker_is_read_as_text(git_repo: GitRepo) -> None:
    # The parser relies on field counts, not on the marker being absent from text.
    sha = git_repo.commit("\x1eGOVERNANCE-COMMIT", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    history = read(git_repo)
    assert history.available
    commit = history.commit(sha)
    assert commit is not None and commit.subject == "\x1eGOVERNANCE-COMMIT"


def test_merged_side_branch_changes_keep_their_authors_and_merge_shows_first_parent_diff(
    git_repo: GitRepo,
) -> None:
    base = git_repo.commit("base", files={f"{RECORDS}/models/churn.yaml": "id: churn\n"})
    git_repo.git("checkout", "-q", "-b", "side")
    signoff = git_repo.commit(
        "sign off", files={f"{RECORDS}/signoffs/s.yaml": "decision: approved\n"},
        author=ALICE, date="2026-01-16T10:00:00Z",
    )  # fmt: skip
    git_repo.git("checkout", "-q", "main")
    edit = git_repo.commit(
        "edit model", files={f"{RECORDS}/models/churn.yaml": "id: churn\nx: 1\n"},
        author=BOB, date="2026-01-17T10:00:00Z",
    )  # fmt: skip
    carol = {
        "GIT_AUTHOR_NAME": "Carol Merger", "GIT_AUTHOR_EMAIL": "carol@bank.example",
        "GIT_COMMITTER_NAME": "Carol Merger", "GIT_COMMITTER_EMAIL": "carol@bank.example",
        "GIT_AUTHOR_DATE": "2026-01-18T10:00:00Z", "GIT_COMMITTER_DATE": "2026-01-18T10:00:00Z",
    }  # fmt: skip
    git_repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side", env=carol)
    merge = git_repo.head()
    history = read(git_repo)
    assert history.order[0] == merge and set(history.order) == {merge, signoff, edit, base}
    merge_commit = history.commit(merge)
    assert merge_commit is not None and merge_commit.is_merge
    # What the merge brought into main: the side's new file, diffed against main.
    assert [(c.kind, c.path) for c in history.changes_by_commit[merge]] == [
        (ChangeKind.ADDED, f"{RECORDS}/signoffs/s.yaml")
    ]
    signoff_file = history.file(f"{RECORDS}/signoffs/s.yaml")
    assert signoff_file is not None
    assert [c.sha for c in signoff_file.changes] == [merge, signoff]
    # The file was written by Alice's side commit, not by the person who merged.
    assert signoff_file.created_by is not None and signoff_file.created_by.sha == signoff
    model_file = history.file(f"{RECORDS}/models/churn.yaml")
    assert model_file is not None and [c.sha for c in model_file.changes] == [edit, base]


def test_merge_of_a_side_branch_is_listed_as_what_landed_on_the_main_line(
    git_repo: GitRepo,
) -> None:
    git_repo.commit("base", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    git_repo.git("checkout", "-q", "-b", "side")
    side = git_repo.commit("side", files={f"{RECORDS}/b.yaml": "b: 1\n"}, author=ALICE)
    git_repo.git("checkout", "-q", "main")
    code = git_repo.commit("code", files={"src/x.py": "x = 1\n"}, date="2026-01-16T10:00:00Z")
    git_repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
    merge = git_repo.head()
    history = read(git_repo)
    # Main did not touch the records, yet the merge is listed: against its first
    # parent it added b.yaml. The side commit that wrote the file stays its creator.
    assert code not in history.commits
    file = history.file(f"{RECORDS}/b.yaml")
    assert file is not None and [c.sha for c in file.changes] == [merge, side]
    assert file.created_by is not None and file.created_by.sha == side
    assert history.commit(side).author_email == ALICE[1]  # type: ignore[union-attr]


def test_file_deleted_and_re_added_starts_a_new_life(git_repo: GitRepo) -> None:
    path = f"{RECORDS}/signoffs/s.yaml"
    first = git_repo.commit("add", files={path: "decision: approved\n"}, author=ALICE)
    git_repo.remove(path)
    deleted = git_repo.commit("remove", author=BOB, date="2026-01-16T10:00:00Z")
    readded = git_repo.commit(
        "re-add", files={path: "decision: approved\n"}, author=BOB, date="2026-01-17T10:00:00Z"
    )
    history = read(git_repo)
    file = history.file(path)
    assert file is not None and [c.sha for c in file.changes] == [readded]
    assert file.created_by is not None and file.created_by.sha == readded
    assert not file.is_deleted
    # The earlier life is still in the audit trail.
    assert [c.kind for c in history.changes_by_commit[deleted]] == [ChangeKind.DELETED]
    assert [c.kind for c in history.changes_by_commit[first]] == [ChangeKind.ADDED]


def test_file_deleted_at_head_keeps_its_history_marked_deleted(git_repo: GitRepo) -> None:
    path = f"{RECORDS}/verifications/v.yaml"
    added = git_repo.commit("add", files={path: "status: passed\n"})
    git_repo.remove(path)
    removed = git_repo.commit("remove", date="2026-01-16T10:00:00Z")
    file = read(git_repo).file(path)
    assert file is not None and file.is_deleted
    assert [c.sha for c in file.changes] == [removed, added]


def test_unicode_paths_and_names_and_paths_with_spaces_and_newlines(git_repo: GitRepo) -> None:
    paths = [
        f"{RECORDS}/models/modèle crédit.yaml",
        f"{RECORDS}/signoffs/line\nbreak.yaml",
        f"{RECORDS}/experiments/日本語.yaml",
    ]
    sha = git_repo.commit(
        "Añadir registros — ✓",
        files={path: "id: x\n" for path in paths},
        author=("Zoë Ångström", "zoe@bank.example"),
    )
    history = read(git_repo)
    assert sorted(history.files) == sorted(paths)
    commit = history.commit(sha)
    assert commit is not None
    assert commit.author_name == "Zoë Ångström" and commit.subject == "Añadir registros — ✓"


def test_non_utf8_path_is_decoded_with_visible_replacement(git_repo: GitRepo) -> None:
    # A file name with the Latin-1 byte 0xE9 (not UTF-8); Python writes it via
    # surrogateescape.
    git_repo.write(f"{RECORDS}/caf\udce9.yaml", "id: x\n")
    git_repo.commit("latin-1 name")
    history = read(git_repo)
    assert list(history.files) == [f"{RECORDS}/caf\ufffd.yaml"]


def test_latin1_encoded_commit_is_re_encoded_to_utf8(git_repo: GitRepo) -> None:
    git_repo.write(f"{RECORDS}/a.yaml", "id: a\n")
    git_repo.git("add", "--all")
    # Raw Latin-1 bytes in the author name and message (0xE9 = é), declared by
    # i18n.commitEncoding: git records "encoding ISO-8859-1" in the commit.
    latin1 = {"GIT_AUTHOR_NAME": "Jos\udce9 Garc\udceda", "GIT_AUTHOR_EMAIL": "jose@bank.example"}
    git_repo.git(
        "-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-m", "Caf\udce9", env=latin1
    )
    raw = subprocess.run(
        ["git", "cat-file", "-p", "HEAD"], cwd=git_repo.path, env=git_repo.env,
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert b"encoding ISO-8859-1" in raw and b"Jos\xe9" in raw
    commit = read(git_repo).commit(git_repo.head())
    assert commit is not None
    assert commit.author_name == "José García" and commit.subject == "Café"


def test_invalid_utf8_author_name_without_encoding_is_replaced_visibly(git_repo: GitRepo) -> None:
    # git itself repairs such bytes when committing, so write the commit object by
    # hand: an author name with the byte 0xFF and no encoding header.
    git_repo.commit("base", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    git_repo.write(f"{RECORDS}/a.yaml", "a: 2\n")
    git_repo.git("add", "--all")
    tree = git_repo.git("write-tree").strip()
    body = (
        f"tree {tree}\nparent {git_repo.head()}\n".encode()
        + b"author Bad \xff Byte <bad@example.com> 1768471200 +0000\n"
        + b"committer Bad \xff Byte <bad@example.com> 1768471200 +0000\n\nsubject \xff\n"
    )
    sha = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"], input=body,
        cwd=git_repo.path, env=git_repo.env, capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    git_repo.git("update-ref", "HEAD", sha)
    commit = read(git_repo).commit(sha)
    assert commit is not None
    assert commit.author_name == "Bad \ufffd Byte" and commit.subject == "subject \ufffd"


def test_detached_head_reads_history_up_to_the_checked_out_commit(git_repo: GitRepo) -> None:
    first = git_repo.commit("one", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    git_repo.commit("two", files={f"{RECORDS}/a.yaml": "a: 2\n"}, date="2026-01-16T10:00:00Z")
    git_repo.git("checkout", "-q", "--detach", first)
    history = read(git_repo)
    assert history.available and history.head == first and history.order == (first,)


def test_identical_timestamps_keep_gits_order_newest_first(git_repo: GitRepo) -> None:
    shas = [
        git_repo.commit(
            f"c{n}", files={f"{RECORDS}/a.yaml": f"a: {n}\n"}, date="2026-01-15T10:00:00Z"
        )
        for n in range(4)
    ]
    history = read(git_repo)
    assert history.order == tuple(reversed(shas))
    file = history.file(f"{RECORDS}/a.yaml")
    assert file is not None and [c.sha for c in file.changes] == list(reversed(shas))


def test_records_folder_in_a_subfolder_of_the_repository(git_repo: GitRepo) -> None:
    sha = git_repo.commit("a", files={f"docs/{RECORDS}/a.yaml": "a: 1\n"})
    git_repo.write(f"docs/{RECORDS}/b.yaml", "b: 1\n")
    history = read_history(git_repo.path / "docs", [RECORDS], env=git_repo.env)
    assert history.available and history.order == (sha,)
    assert list(history.files) == [f"{RECORDS}/a.yaml"]
    assert dict(history.worktree) == {f"{RECORDS}/b.yaml": WorktreeState.UNTRACKED}


def test_shallow_clone_is_unavailable_and_names_fetch_depth(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.commit("one", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    git_repo.commit("two", files={f"{RECORDS}/a.yaml": "a: 2\n"}, date="2026-01-16T10:00:00Z")
    clone = tmp_path / "shallow"
    git_repo.git("clone", "-q", "--depth", "1", f"file://{git_repo.path}", str(clone))
    history = read_history(clone, [RECORDS], env=git_repo.env)
    assert not history.available
    (problem,) = history.problems
    assert problem.code == "history-unavailable"
    assert "shallow clone" in problem.message
    for fix in ("fetch-depth: 0", "GIT_DEPTH: 0", "git fetch --unshallow"):
        assert fix in problem.message


def test_missing_git_executable_is_unavailable_with_install_hint(git_repo: GitRepo) -> None:
    git_repo.commit("one", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    history = read_history(git_repo.path, [RECORDS], git_executable="/nonexistent/bin/git")
    assert not history.available
    assert "not installed" in history.problems[0].message
    assert "install git" in history.problems[0].message


def test_git_not_on_path_gives_a_finding_not_an_import_error(git_repo: GitRepo) -> None:
    # A fresh interpreter with an empty PATH: importing the package (and GitPython)
    # must not fail, and the result must say git is missing.
    git_repo.commit("one", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    script = (
        "import os, sys\n"
        "os.environ['PATH'] = ''\n"
        "from pathlib import Path\n"
        "from mkdocs_governance.history import read_history\n"
        "h = read_history(Path(sys.argv[1]), ['governance_records'])\n"
        "print(h.available, h.problems[0].code, h.problems[0].message)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_PYTHON")}
    result = subprocess.run(
        [sys.executable, "-c", script, str(git_repo.path)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False history-unavailable")
    assert "install git" in result.stdout


def test_repository_owned_by_another_user_is_unavailable_with_safe_directory_fix(
    tmp_path: Path,
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to hand the repository to another uid")
    repo = GitRepo(tmp_path / "foreign")
    repo.commit("one", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    for path in [repo.path, *repo.path.rglob("*")]:
        os.lchown(path, 12345, 12345)
    # repo.env ignores global config, so no safe.directory exception applies.
    history = read_history(repo.path, [RECORDS], env=repo.env)
    assert not history.available
    message = history.problems[0].message
    assert "dubious ownership" in message
    assert f"git config --global --add safe.directory {repo.path.resolve()}" in message


def test_trailers_are_read_from_the_last_paragraph_only_when_it_is_all_trailers() -> None:
    assert parse_trailers("Why.\n\nSigned-off-by: A <a@x>\nReviewed-by: B\n  continued") == (
        ("Signed-off-by", "A <a@x>"),
        ("Reviewed-by", "B continued"),
    )
    assert parse_trailers("Why.\n\nSigned-off-by: A <a@x>\nnot a trailer line") == ()
    assert parse_trailers("Approved-by: C") == (("Approved-by", "C"),)
    assert parse_trailers("") == ()


def test_skewed_commit_dates_still_follow_renames_child_before_parent(git_repo: GitRepo) -> None:
    # A side commit dated before its parent: git's date order would show the parent
    # first, so the pass is read in topological order instead.
    old, new = f"{RECORDS}/signoffs/a.yaml", f"{RECORDS}/signoffs/b.yaml"
    parent = git_repo.commit(
        "add", files={old: "decision: approved\nbody: long enough\n"}, date="2026-01-10T10:00:00Z"
    )
    git_repo.git("checkout", "-q", "-b", "side")
    git_repo.move(old, new)
    skewed = git_repo.commit("rename (clock behind)", date="2026-01-01T10:00:00Z")
    git_repo.git("checkout", "-q", "main")
    main_edit = git_repo.commit(
        "other", files={f"{RECORDS}/c.yaml": "c: 1\n"}, date="2026-01-20T10:00:00Z"
    )
    when = {"GIT_AUTHOR_DATE": "2026-01-30T10:00:00Z", "GIT_COMMITTER_DATE": "2026-01-30T10:00:00Z"}
    git_repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side", env=when)
    history = read(git_repo)
    assert history.available
    order = list(history.order)
    assert order.index(skewed) < order.index(parent) and main_edit in order
    assert old not in history.files
    file = history.file(new)
    assert file is not None and file.created_by is not None
    assert file.created_by.sha == parent and file.created_by.path == old
    assert skewed in [c.sha for c in file.changes]


def test_mailmap_in_the_repository_does_not_rewrite_who_committed(git_repo: GitRepo) -> None:
    # A .mailmap is a file anyone can edit: it must not turn Mallory into Alice.
    git_repo.commit(
        "mailmap",
        files={".mailmap": "Alice Approver <alice@bank.example> <mallory@evil.example>\n"},
    )
    sha = git_repo.commit(
        "sign off",
        files={f"{RECORDS}/signoffs/s.yaml": "decision: approved\n"},
        author=("Mallory", "mallory@evil.example"),
        date="2026-01-16T10:00:00Z",
    )
    git_repo.git("config", "log.mailmap", "true")
    commit = read(git_repo).commit(sha)
    assert commit is not None
    assert (commit.author_name, commit.author_email) == ("Mallory", "mallory@evil.example")


def test_repository_config_that_changes_log_output_does_not_break_the_pass(
    git_repo: GitRepo,
) -> None:
    for key, value in (
        ("log.showSignature", "true"),
        ("color.ui", "always"),
        ("diff.renames", "false"),
        ("log.decorate", "full"),
        ("core.quotePath", "true"),
    ):
        git_repo.git("config", key, value)
    git_repo.commit("add", files={f"{RECORDS}/é a.yaml": "id: a\nbody: long enough text\n"})
    git_repo.move(f"{RECORDS}/é a.yaml", f"{RECORDS}/b.yaml")
    git_repo.commit("rename", date="2026-01-16T10:00:00Z")
    history = read(git_repo)
    assert history.available, history.problems
    file = history.file(f"{RECORDS}/b.yaml")
    assert file is not None
    assert [c.kind for c in file.changes] == [ChangeKind.RENAMED, ChangeKind.ADDED]
    assert file.changes[1].path == f"{RECORDS}/é a.yaml"
