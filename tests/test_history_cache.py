"""The serve cache: same HEAD and status → the same History object; a new commit
or a changed record file → read again."""

from __future__ import annotations

from pathlib import Path

from mkdocs_governance.history import HistoryCache
from tests.gitrepo import GitRepo

RECORDS = "governance_records"


def test_second_read_with_same_head_is_served_from_cache(git_repo: GitRepo) -> None:
    git_repo.commit("a", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    cache = HistoryCache()
    first = cache.read(git_repo.path, [RECORDS], env=git_repo.env)
    second = cache.read(git_repo.path, [RECORDS], env=git_repo.env)
    assert second is first
    assert (cache.hits, cache.misses) == (1, 1)


def test_new_commit_invalidates_the_cache(git_repo: GitRepo) -> None:
    git_repo.commit("a", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    cache = HistoryCache()
    first = cache.read(git_repo.path, [RECORDS], env=git_repo.env)
    sha = git_repo.commit("b", files={f"{RECORDS}/a.yaml": "a: 2\n"}, date="2026-01-16T10:00:00Z")
    second = cache.read(git_repo.path, [RECORDS], env=git_repo.env)
    assert second is not first and second.head == sha and sha in second.commits
    assert cache.misses == 2


def test_record_becoming_untracked_invalidates_the_cache(git_repo: GitRepo) -> None:
    git_repo.commit("a", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    cache = HistoryCache()
    first = cache.read(git_repo.path, [RECORDS], env=git_repo.env)
    git_repo.write(f"{RECORDS}/signoffs/new.yaml", "decision: approved\n")
    second = cache.read(git_repo.path, [RECORDS], env=git_repo.env)
    assert second is not first
    assert f"{RECORDS}/signoffs/new.yaml" in second.worktree


def test_cache_hit_runs_no_git_log(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.commit("a", files={f"{RECORDS}/a.yaml": "a: 1\n"})
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "git-logging"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec git "$@"\n')
    wrapper.chmod(0o755)
    cache = HistoryCache()
    cache.read(git_repo.path, [RECORDS], env=git_repo.env, git_executable=str(wrapper))
    log.write_text("")
    cache.read(git_repo.path, [RECORDS], env=git_repo.env, git_executable=str(wrapper))
    calls = [call for call in log.read_text().split("\n") if call]
    assert not any(" log " in f" {call} " for call in calls)
    # rev-parse (toplevel), rev-parse (HEAD), status, ls-files (edits hidden by index flags)
    assert len(calls) <= 4


def test_unavailable_history_is_not_cached(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    cache = HistoryCache()
    assert not cache.read(folder, [RECORDS]).available
    assert not cache.read(folder, [RECORDS]).available
    assert cache.hits == 0


def test_signature_flag_is_part_of_the_key(git_repo: GitRepo) -> None:
    git_repo.commit("a", files={f"{RECORDS}/signoffs/a.yaml": "decision: approved\n"})
    cache = HistoryCache()
    plain = cache.read(git_repo.path, [RECORDS], env=git_repo.env)
    signed = cache.read(git_repo.path, [RECORDS], env=git_repo.env, signatures=True)
    assert signed is not plain
    assert signed.signatures_checked and not plain.signatures_checked
