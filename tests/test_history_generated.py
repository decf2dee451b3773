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
from mkdocs_governance.history.reader import _Framing, _records

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
    # Records as the stream splits them: the first lacks its body and end marker.
    framing = _Framing.fresh()
    date = b"2026-01-01T00:00:00+00:00"
    broken = b"\0".join([b"a" * 40, b"", b"A", b"a@x", date, b"A", b"a@x", date, b"subject", b""])
    good = b"\0".join(
        [b"b" * 40, b"", b"B", b"b@x", date, b"B", b"b@x", date, b"s", b"", framing.end,
         b"\nM", b"governance_records/a.yaml", b""]
    )  # fmt: skip
    problems: list = []
    records = list(_records([b"", broken, good], 10, framing, problems))
    assert len(problems) == 1 and problems[0].code == Code.HISTORY_UNAVAILABLE
    assert "a" * 40 in problems[0].message and "could not be read safely" in problems[0].message
    # The well-formed record is still read, with its change.
    assert [r.fields[0] for r in records] == [b"b" * 40]
    assert records[0].entries == [(b"M", [b"governance_records/a.yaml"])]


def test_a_change_entry_with_an_unknown_status_is_reported() -> None:
    framing = _Framing.fresh()
    date = b"2026-01-01T00:00:00+00:00"
    piece = b"\0".join(
        [b"c" * 40, b"", b"C", b"c@x", date, b"C", b"c@x", date, b"s", b"", framing.end,
         b"\nQ", b"governance_records/a.yaml", b""]
    )  # fmt: skip
    problems: list = []
    assert list(_records([piece], 10, framing, problems)) == []
    assert len(problems) == 1 and "change entry" in problems[0].message


def test_markers_differ_between_runs() -> None:
    assert _Framing.fresh().start != _Framing.fresh().start
