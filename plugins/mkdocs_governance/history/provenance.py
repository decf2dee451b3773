"""Version provenance: which commit created each model version and which changed it.

The history pass says which commits touched a model file, not which version each
commit changed. This module reads every revision of the model files (and of their
parents) from Git's object store, with one ``cat-file --batch`` process for all of
them ([`read_model_revisions`][mkdocs_governance.history.provenance.read_model_revisions]),
and compares the versions' entries between each commit and its parents
([`derive_provenance`][mkdocs_governance.history.provenance.derive_provenance], pure):

- a version is **created** by a commit whose model file lists it while none of the
  commit's parents did;
- a version's **content** is changed by a commit whose entry for it, without
  ``stage``, equals the entry in none of its parents (so a promotion, an edit of the
  model card or of another version, and a merge that takes one side's entry as it is
  change nothing).

Comparing with the real parents (``<sha>^1``, ``<sha>^2``...), not with the previous
commit of the file's log, keeps parallel branches apart: a commit on ``main`` does not
"undo" the change a feature branch made before it was merged.

A revision that does not parse is not judged: a commit whose parents all fail to parse
neither creates nor changes a version (the fix of a broken file is not taken for a new
version). Results are cached by repository, HEAD and the model files' histories, like
the [`HistoryCache`][mkdocs_governance.history.cache.HistoryCache].
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..records.revisions import model_version_contents
from .blobs import read_blobs_at
from .model import (
    ChangeKind,
    FileChange,
    FileHistory,
    History,
    VersionProvenance,
    VersionRevision,
)

# The versions of one revision of a model file: version -> entry without stage (as
# canonical JSON). Where a revision cannot be read, None stands for it (unknown); a
# revision without the file has no versions ({}).
_Versions = Mapping[str, bytes]


@dataclass(frozen=True, slots=True)
class ModelRevisions:
    """The model files' contents at the commits of their history and at their parents.

    Attributes:
        blobs: ``(revision, path)`` -> bytes; a revision is a sha or ``<sha>^<n>``.
            A pair that was asked for and is absent names no file (the file did not
            exist there).
        requested: every pair that was asked for.
    """

    blobs: Mapping[tuple[str, str], bytes]
    requested: frozenset[tuple[str, str]]


def model_file_histories(history: History, models_dir: str) -> list[FileHistory]:
    """The histories of the files that are (or were) under ``models_dir``."""
    prefix = models_dir.strip("/") + "/"
    return [
        file_history
        for path, file_history in sorted(history.files.items())
        if path.startswith(prefix) or any(c.path.startswith(prefix) for c in file_history.changes)
    ]


def revision_pairs(history: History, file_history: FileHistory) -> list[tuple[str, str]]:
    """The ``(revision, path)`` pairs the provenance of one model file needs.

    The file at each commit of its history (not at a deletion), and at each of that
    commit's parents; a non-merge commit that added the file needs no parent.
    """
    pairs: list[tuple[str, str]] = []
    for change in file_history.changes:
        if change.kind == ChangeKind.DELETED:
            continue
        pairs.append((change.sha, change.path))
        pairs.extend(pair for pairs_of in _parent_pairs(history, change) for pair in pairs_of)
    return pairs


def _parent_pairs(history: History, change: FileChange) -> list[list[tuple[str, str]]]:
    """Per parent of the change's commit, the pairs to try in order (first found wins)."""
    commit = history.commit(change.sha)
    count = len(commit.parents) if commit is not None else 1
    if count <= 1 and change.kind == ChangeKind.ADDED:
        return [[] for _ in range(count)]
    old_path = change.old_path or change.path
    parents = []
    for number in range(1, count + 1):
        # The first-parent diff names the path at the first parent; another parent of a
        # merge may have the file under either name.
        names = [old_path] if number == 1 else list(dict.fromkeys([change.path, old_path]))
        parents.append([(f"{change.sha}^{number}", name) for name in names])
    return parents


def read_model_revisions(
    repo_root: Path,
    history: History,
    models_dir: str,
    *,
    git_executable: str = "git",
) -> ModelRevisions:
    """Read every model file at every commit of its history, in one git process.

    Args:
        repo_root: the repository work tree.
        history: the history pass (its per-file histories say which commits to read).
        models_dir: repository-relative folder of the model files
            (``governance_records/models``).
        git_executable: the git binary.

    Raises:
        HistoryError: git cannot be run or ``cat-file`` fails.
    """
    requested = {
        pair
        for file_history in model_file_histories(history, models_dir)
        for pair in revision_pairs(history, file_history)
    }
    if not requested or not history.available:
        return ModelRevisions({}, frozenset(requested))
    key = (
        str(Path(repo_root).resolve()),
        history.head,
        git_executable,
        frozenset(requested),
    )
    cached = _CACHE.get(key)
    if cached is None:
        blobs = read_blobs_at(repo_root, requested, git_executable=git_executable)
        cached = ModelRevisions(blobs, frozenset(requested))
        _CACHE.put(key, cached)
    return cached


def derive_provenance(
    history: History,
    revisions: ModelRevisions,
    model_ids: Mapping[str, str],
) -> dict[str, VersionProvenance]:
    """Each version's creating commit and content-changing commits. Pure.

    Args:
        history: the history pass (or the part of it reachable from a base commit).
        revisions: the model files' contents from
            [`read_model_revisions`][mkdocs_governance.history.provenance.read_model_revisions].
        model_ids: the current model files (repository-relative path) and the id the
            registry gives each; the provenance is keyed ``<id>@<version>``.

    Returns:
        ``model@version`` -> [`VersionProvenance`][mkdocs_governance.history.model.VersionProvenance],
        for every version some committed revision of its model file lists. A version
        only in the working tree has none.
    """
    parsed = _PARSED
    if len(parsed) > _PARSED_MAX:
        parsed.clear()
    result: dict[str, VersionProvenance] = {}
    for path, model_id in sorted(model_ids.items()):
        file_history = history.file(path)
        if file_history is None:
            continue
        for version, (created, content) in _file_provenance(
            history, file_history, revisions, parsed
        ).items():
            commit = history.commit(created)
            if commit is None:
                continue
            key = f"{model_id}@{version}"
            result[key] = VersionProvenance(key, created, commit.author_date, content)
    return result


def derive_version_revisions(
    history: History,
    revisions: ModelRevisions,
    model_ids: Mapping[str, str],
) -> dict[str, tuple[VersionRevision, ...]]:
    """Each version's successive entries (without ``stage``), newest first. Pure.

    Read from the same model-file revisions as
    [`derive_provenance`][mkdocs_governance.history.provenance.derive_provenance]
    (no further git process): along each model file's history, oldest first, a
    revision is recorded whenever a version's entry differs from the one recorded
    before it. The site matches a stale sign-off's ``subject`` with one of these to
    say what changed since the review.

    Args:
        history: the history pass.
        revisions: the model files' contents from
            [`read_model_revisions`][mkdocs_governance.history.provenance.read_model_revisions].
        model_ids: the current model files (repository-relative path) -> model id.

    Returns:
        ``model@version`` -> its revisions, newest first.
    """
    parsed = _PARSED
    result: dict[str, tuple[VersionRevision, ...]] = {}
    for path, model_id in sorted(model_ids.items()):
        file_history = history.file(path)
        if file_history is None:
            continue
        seen: dict[str, list[VersionRevision]] = {}
        for change in reversed(file_history.changes):
            if change.kind == ChangeKind.DELETED:
                continue
            data = revisions.blobs.get((change.sha, change.path))
            if data is None:
                continue
            key = (change.path.lower().endswith(".md"), data)
            if key not in parsed:
                parsed[key] = model_version_contents(change.path, data)
            current = parsed[key]
            for version, content in (current or {}).items():
                recorded = seen.setdefault(version, [])
                if not recorded or recorded[-1].content != content:
                    recorded.append(VersionRevision(change.sha, content))
        for version, recorded in seen.items():
            result[f"{model_id}@{version}"] = tuple(reversed(recorded))
    return result


def _file_provenance(
    history: History,
    file_history: FileHistory,
    revisions: ModelRevisions,
    parsed: dict[tuple[bool, bytes], _Versions | None],
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """version -> (creating sha, content-changing shas newest first) for one file."""

    def versions_at(pair: tuple[str, str]) -> _Versions | None:
        data = revisions.blobs.get(pair)
        if data is None:
            # Asked for and absent: no file there. Never asked for: unknown.
            return {} if pair in revisions.requested else None
        # The same bytes parse alike, unless one file is Markdown (front matter).
        key = (pair[1].lower().endswith(".md"), data)
        if key not in parsed:
            parsed[key] = model_version_contents(pair[1], data)
        return parsed[key]

    created: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    changed: dict[str, list[str]] = {}
    # Oldest first, so the newest creation of a re-added version wins.
    for change in reversed(file_history.changes):
        if change.kind == ChangeKind.DELETED:
            continue
        current = versions_at((change.sha, change.path))
        if current is None:
            continue
        parents = [
            _at_parent(revisions, versions_at, tries) for tries in _parent_pairs(history, change)
        ]
        known = [p for p in parents if p is not None]
        for version, content in current.items():
            first_seen.setdefault(version, change.sha)
            if parents and not known:
                continue  # every parent is unreadable: cannot tell what this commit did
            if not any(version in parent for parent in known):
                created[version] = change.sha
            if not any(parent.get(version) == content for parent in known):
                changed.setdefault(version, []).append(change.sha)
    return {
        version: (
            created.get(version, first),
            tuple(reversed(changed.get(version, []))),
        )
        for version, first in first_seen.items()
    }


def _at_parent(
    revisions: ModelRevisions,
    versions_at: Callable[[tuple[str, str]], _Versions | None],
    tries: Iterable[tuple[str, str]],
) -> _Versions | None:
    """The versions at a parent: at the first of ``tries`` holding the file, else none."""
    for pair in tries:
        if pair in revisions.blobs:
            return versions_at(pair)
    return {}


class _ProvenanceCache:
    """A few results, least recently used first out (the plugin reruns on each rebuild)."""

    def __init__(self, max_entries: int = 4) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, ModelRevisions] = OrderedDict()

    def get(self, key: Hashable) -> ModelRevisions | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: ModelRevisions) -> None:
        self._entries[key] = value
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


_CACHE = _ProvenanceCache()

# Parsed revisions by content: a blob parses alike in every run (serve rebuilds, the
# base side of a pull request), and parsing is most of the provenance's cost.
_PARSED: dict[tuple[bool, bytes], _Versions | None] = {}
_PARSED_MAX = 50_000
