"""The one-pass history agrees with per-file ``git log`` on a generated repository
(renames, deletions, pull-request merges), and the generator is deterministic."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from scripts.generate_repo import generate_repo

from mkdocs_governance.findings import Code
from mkdocs_governance.history import read_history
from mkdocs_governance.history.model import ChangeKind
from mkdocs_governance.history.reader import _records

RECORDS = "governance_records"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_repo(
        tmp_path_factory.mktemp("gen") / "repo", commits=600, files=150, authors=6, seed=3
    )


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def test_generator_is_deterministic(generated: Path, tmp_path: Path) -> None:
    again = generate_repo(tmp_path / "again", commits=600, files=150, authors=6, seed=3)
    assert git(again, "rev-parse", "HEAD") == git(generated, "rev-parse", "HEAD")
    assert int(git(generated, "rev-list", "--count", "HEAD")) == 600
    assert int(git(generated, "rev-list", "--count", "--merges", "HEAD")) > 0


def test_every_tracked_record_has_a_history_starting_with_its_addition(generated: Path) -> None:
    history = read_history(generated, [RECORDS])
    assert history.available, history.problems
    tracked = git(generated, "ls-files", "-z", RECORDS).split("\0")[:-1]
    assert tracked and set(tracked) <= set(history.files)
    for path in tracked:
        file = history.files[path]
        assert not file.is_deleted
        assert file.created_by is not None and file.created_by.kind == ChangeKind.ADDED, path


def test_histories_equal_per_file_git_log_for_files_never_renamed_or_re_added(
    generated: Path,
) -> None:
    history = read_history(generated, [RECORDS])
    compared = 0
    for path, file in sorted(history.files.items()):
        kinds = [c.kind for c in file.changes]
        if file.is_deleted or ChangeKind.RENAMED in kinds:
            continue
        per_file = git(
            generated,
            "log",
            "--format=%H",
            "--topo-order",
            "--diff-merges=first-parent",
            "--",
            path,
        ).split()
        if per_file.count(file.created_by.sha) != 1 or len(per_file) != len(set(per_file)):  # type: ignore[union-attr]
            continue
        if any(  # an earlier life of this path (deleted, re-added) is not part of the history
            c.path == path and c.kind == ChangeKind.DELETED
            for sha in per_file
            for c in history.changes_by_commit.get(sha, ())
        ):
            continue
        assert [c.sha for c in file.changes] == per_file, path
        compared += 1
    assert compared > 50


def test_renamed_file_history_follows_back_to_the_original_name(generated: Path) -> None:
    history = read_history(generated, [RECORDS])
    renamed = [
        f for f in history.files.values() if any(c.kind == ChangeKind.RENAMED for c in f.changes)
    ]
    assert renamed
    for file in renamed:
        rename = next(c for c in file.changes if c.kind == ChangeKind.RENAMED)
        assert rename.old_path and rename.old_path != rename.path
        # git itself agrees that the file was added under the oldest name.
        oldest = file.changes[-1]
        assert oldest.kind == ChangeKind.ADDED
        added = git(generated, "log", "--format=%H", "--diff-filter=A", "--", oldest.path).split()
        assert oldest.sha in added


def test_a_record_without_its_end_marker_is_reported_not_misparsed() -> None:
    # The stream of a crafted or truncated commit: too few fields before the next record.
    sha = b"a" * 40
    tokens = iter([
        b"\x1eGOVERNANCE-COMMIT", sha, b"", b"A", b"a@x", b"2026-01-01T00:00:00+00:00",
        b"A", b"a@x", b"2026-01-01T00:00:00+00:00", b"subject",  # body and end marker missing
        b"\x1eGOVERNANCE-COMMIT", b"b" * 40, b"", b"B", b"b@x", b"2026-01-01T00:00:00+00:00",
        b"B", b"b@x", b"2026-01-01T00:00:00+00:00", b"s", b"", b"\x1fGOVERNANCE-END",
        b"\nM", b"governance_records/a.yaml",
    ])  # fmt: skip
    problems: list = []
    records = list(_records(tokens, 10, problems))
    assert problems and problems[0].code == Code.HISTORY_UNAVAILABLE
    assert "could not be read safely" in problems[0].message
    # Nothing of the broken record is taken as a change of another commit.
    assert all(record.fields[0] != sha for record in records)


def test_a_change_entry_with_an_unknown_status_is_reported() -> None:
    tokens = iter([
        b"\x1eGOVERNANCE-COMMIT", b"c" * 40, b"", b"C", b"c@x", b"2026-01-01T00:00:00+00:00",
        b"C", b"c@x", b"2026-01-01T00:00:00+00:00", b"s", b"", b"\x1fGOVERNANCE-END",
        b"\nQ", b"governance_records/a.yaml",
    ])  # fmt: skip
    problems: list = []
    list(_records(tokens, 10, problems))
    assert len(problems) == 1 and "change entry" in problems[0].message
