"""Reusing a history pass across ``mkdocs serve`` rebuilds.

A rebuild after editing a Markdown page must not read the Git history again. The
cache key is everything the result depends on: the repository, its HEAD commit,
the working-tree status of the record paths (a digest of ``git status``), the
paths, and whether signatures were checked. Computing the key costs two quick git
calls (``rev-parse``, ``status``); a new commit, a checkout, or a record file
becoming modified/staged/untracked changes it and the history is read again.

The cache lives in the process (a build or a ``serve`` session), holds a few
entries, and is never written to disk: a stale history on disk could hide who
signed what. A change to git's signature settings (``gpg.ssh.allowedSignersFile``,
imported keys) is not in the key: restart ``serve`` after changing them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path

from .model import History
from .reader import probe_repository, read_probed_history


class HistoryCache:
    """An in-process, least-recently-used cache of [`History`][mkdocs_governance.history.model.History] results.

    Use one per process (the plugin keeps one across ``serve`` rebuilds):

        history = cache.read(repo_root, ["governance_records"], signatures=False)

    Attributes:
        max_entries: how many distinct keys to keep.
        hits: reads answered from the cache (for tests and logs).
        misses: reads that ran the history pass.
    """

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, History] = OrderedDict()

    def read(
        self,
        repo_root: Path,
        paths: Sequence[str],
        *,
        signatures: bool = False,
        signature_paths: Sequence[str] | None = None,
        git_executable: str = "git",
        env: Mapping[str, str] | None = None,
    ) -> History:
        """Like [`read_history`][mkdocs_governance.history.reader.read_history], reusing
        the previous result while the key is unchanged.

        Unavailable histories (no git, shallow clone, ...) are not cached: the user
        is expected to fix the cause and rebuild.
        """
        probe = probe_repository(repo_root, paths, git_executable=git_executable, env=env)
        if isinstance(probe, History):
            return probe
        key = (
            str(probe.runner.cwd),
            probe.prefix,
            probe.head,
            probe.status_digest,
            tuple(paths),
            signatures,
            tuple(signature_paths) if signature_paths is not None else None,
            git_executable,
            tuple(sorted((env or {}).items())),
        )
        cached = self._entries.get(key)
        if cached is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return cached
        self.misses += 1
        history = read_probed_history(probe, signatures=signatures, signature_paths=signature_paths)
        if history.available:
            self._entries[key] = history
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return history

    def clear(self) -> None:
        """Forget every entry (e.g. on ``mkdocs serve`` startup)."""
        self._entries.clear()


#: The process-wide cache the MkDocs plugin and the CLI share.
HISTORY_CACHE = HistoryCache()


def read_history_cached(
    repo_root: Path,
    paths: Sequence[str],
    *,
    signatures: bool = False,
    signature_paths: Sequence[str] | None = None,
) -> History:
    """[`read_history`][mkdocs_governance.history.reader.read_history] through the
    process-wide [`HISTORY_CACHE`][mkdocs_governance.history.cache.HISTORY_CACHE]."""
    return HISTORY_CACHE.read(
        repo_root, paths, signatures=signatures, signature_paths=signature_paths
    )
