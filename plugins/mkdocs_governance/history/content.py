"""Content provenance: which commits wrote the content a record file has now.

The history pass says which commits touched a file. Who *wrote the content judged* is
a question of blobs: a record's provenance is the set of commits that produced its
current blob, not the commits that happened to touch its path. The difference is
what an "evil merge" exploits: a branch reuses an approver's sign-off path with forged
content, merges the approver's line with ``git merge -X ours``, and the approver's own
(signed) commit then looks like the author of the file, while its content was thrown
away by the merge.

One ``git log --full-history --raw --diff-merges=combined`` pass over the sign-off and
verification folders lists, for every commit that changed them, each file's old and
new blob. In the combined format a merge lists a file only when its result differs
from *every* parent, so a merge that kept one side's content (``-X ours`` included)
writes nothing; a merge that resolved a conflict with content of its own is a writer.
From that:

- the **writers** of a file are the commits whose result blob at its path is the blob
  the file has at HEAD (normally one; identical content written twice gives two);
- the **replaced** blobs of a file are the blobs it had before and no longer has, each
  with the commits that replaced or removed it (a blob can also vanish without any
  commit listing its removal: a merge that took the side without it), so that the
  gate can ask whether a decision was withdrawn by the person who made it.

Everything is read from Git's object store; the working tree is not touched.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .blobs import _cat_file_batch
from .gitcmd import GitRunner, HistoryError


@dataclass(frozen=True, slots=True)
class BlobChange:
    """One commit's change to one file, as blobs.

    Attributes:
        sha: the commit.
        path: the file (relative to the work tree).
        old: the file's blob at each parent ("" where the parent had no such file).
        new: the blob the commit left ("" for a deletion).
    """

    sha: str
    path: str
    old: tuple[str, ...]
    new: str


@dataclass(frozen=True, slots=True)
class Author:
    """The Git author of a commit of the content pass."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class ReplacedBlob:
    """A blob a record file had and no longer has.

    Attributes:
        path: the file.
        blob: the blob id.
        data: its bytes (the record as it was).
        written_by: the commits that wrote it (result blob), newest first.
        removed_by: the commits that replaced it by other content or deleted the file,
            newest first; empty when no commit lists its removal.
    """

    path: str
    blob: str
    data: bytes
    written_by: tuple[str, ...]
    removed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordContent:
    """The content provenance of the record files under some folders.

    Attributes:
        head_blobs: path -> the blob the file has at HEAD.
        changes: path -> its blob changes, newest first (git log order).
        authors: commit sha -> its author, for every commit listed.
        replaced: every blob a file had and no longer has (see ``ReplacedBlob``).
    """

    head_blobs: Mapping[str, str] = field(default_factory=dict)
    changes: Mapping[str, tuple[BlobChange, ...]] = field(default_factory=dict)
    authors: Mapping[str, Author] = field(default_factory=dict)
    replaced: tuple[ReplacedBlob, ...] = ()

    def writers(self, path: str) -> tuple[str, ...]:
        """The commits that wrote the content ``path`` has at HEAD, newest first.

        Empty when the file is not at HEAD (or no listed commit wrote its blob).
        """
        blob = self.head_blobs.get(path)
        if not blob:
            return ()
        return tuple(c.sha for c in self.changes.get(path, ()) if c.new == blob)


def read_record_content(
    repo_root: Path,
    folders: Sequence[str],
    *,
    head: str = "HEAD",
    git_executable: str = "git",
    env: Mapping[str, str] | None = None,
) -> RecordContent:
    """Read the content provenance of every file under ``folders`` at ``head``.

    Two git processes (the log pass and ``ls-tree``), plus one ``cat-file --batch``
    for the replaced blobs' contents. Cached by repository, head commit and folders.

    Args:
        repo_root: the work tree (paths are relative to it).
        folders: work-tree-relative folders (``governance_records/signoffs``).
        head: the commit whose content is judged.
        git_executable: the git binary.
        env: extra environment for git.

    Raises:
        HistoryError: git fails or its output does not have the expected shape.
    """
    runner = GitRunner(Path(repo_root).resolve(), git_executable, dict(env or {}))
    resolved = runner.run(["rev-parse", "--verify", "--quiet", "--end-of-options", head])
    if resolved.status != 0:
        raise HistoryError(f"`{head}` names no commit; cannot read the records' content")
    head_sha = resolved.stdout.decode("ascii", "replace").strip()
    key = (str(runner.cwd), head_sha, git_executable, tuple(folders))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    changes, authors = _log_pass(runner, head_sha, folders)
    head_blobs = _tree_blobs(runner, head_sha, folders)
    content = RecordContent(head_blobs, changes, authors, _replaced(runner, changes, head_blobs))
    _CACHE.put(key, content)
    return content


def _log_pass(
    runner: GitRunner, head: str, folders: Sequence[str]
) -> tuple[dict[str, tuple[BlobChange, ...]], dict[str, Author]]:
    nonce = secrets.token_hex(8)
    start, end = f"\x1eGOV-{nonce}".encode(), f"\x1fEND-{nonce}".encode()
    args = [
        "log",
        "--relative",
        "--full-history",
        "--no-renames",
        "--no-mailmap",
        "--raw",
        "--no-abbrev",
        "--diff-merges=combined",
        "--root",
        "-z",
        "--encoding=UTF-8",
        f"--format=%x1eGOV-{nonce}%x00%H%x00%P%x00%an%x00%ae%x00%x1fEND-{nonce}",
        head,
        "--",
        *(folders or ["."]),
    ]
    changes: dict[str, list[BlobChange]] = {}
    authors: dict[str, Author] = {}
    for piece in runner.stream_split(args, start + b"\0"):
        if not piece:
            continue
        tokens = piece.split(b"\0")
        if len(tokens) < 5 or tokens[4] != end:
            raise HistoryError("git log printed a record of unexpected shape (content pass)")
        sha = tokens[0].decode("ascii", "replace")
        parents = tokens[1].decode("ascii", "replace").split()
        authors[sha] = Author(
            tokens[2].decode("utf-8", "replace"), tokens[3].decode("utf-8", "replace")
        )
        position = 5
        while position < len(tokens):
            meta = tokens[position].lstrip(b"\n")
            position += 1
            if not meta:
                continue
            if not meta.startswith(b":") or position >= len(tokens):
                raise HistoryError(f"git log printed an unexpected change entry for {sha}")
            path = tokens[position].decode("utf-8", "replace")
            position += 1
            change = _blob_change(sha, path, meta, max(1, len(parents)))
            changes.setdefault(path, []).append(change)
    return {path: tuple(items) for path, items in changes.items()}, authors


def _blob_change(sha: str, path: str, meta: bytes, parent_count: int) -> BlobChange:
    """Parse ``:mode mode old new S`` or, for a merge, ``::m1 m2 mR b1 b2 bR SS``."""
    colons = len(meta) - len(meta.lstrip(b":"))
    parts = meta[colons:].decode("ascii", "replace").split()
    # colons parents' modes + result mode, then as many blobs, then the status.
    if len(parts) != 2 * (colons + 1) + 1:
        raise HistoryError(f"git log printed an unexpected change entry for {sha}: {parts}")
    blobs = parts[colons + 1 : 2 * (colons + 1)]
    old, new = blobs[:-1], blobs[-1]
    return BlobChange(sha, path, tuple(_blob(b) for b in old), _blob(new))


def _blob(object_id: str) -> str:
    return "" if set(object_id) == {"0"} else object_id


def _tree_blobs(runner: GitRunner, head: str, folders: Sequence[str]) -> dict[str, str]:
    listing = runner.run(["ls-tree", "-r", "-z", head, "--", *(folders or ["."])])
    if listing.status != 0:
        raise HistoryError(f"git ls-tree failed: {listing.stderr.strip()}")
    blobs: dict[str, str] = {}
    for line in listing.stdout.split(b"\0"):
        if not line:
            continue
        meta, _, raw_path = line.partition(b"\t")
        parts = meta.split(b" ")
        if len(parts) == 3 and parts[1] == b"blob":
            blobs[raw_path.decode("utf-8", "replace")] = parts[2].decode("ascii")
    return blobs


def _replaced(
    runner: GitRunner,
    changes: Mapping[str, tuple[BlobChange, ...]],
    head_blobs: Mapping[str, str],
) -> tuple[ReplacedBlob, ...]:
    """Every blob a file had and no longer has, with who wrote and who removed it."""
    found: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for path, items in changes.items():
        current = head_blobs.get(path, "")
        for change in items:
            if change.new and change.new != current:
                found.setdefault((path, change.new), ([], []))[0].append(change.sha)
        for change in items:
            for old in set(change.old):
                if (path, old) in found and old != change.new:
                    found[(path, old)][1].append(change.sha)
    if not found:
        return ()
    keys = sorted(found)
    answers = _cat_file_batch(runner, [blob for _, blob in keys])
    replaced = []
    for (path, blob), answer in zip(keys, answers, strict=True):
        if answer is None:
            continue
        written, removed = found[(path, blob)]
        replaced.append(ReplacedBlob(path, blob, answer[2], tuple(written), tuple(removed)))
    return tuple(replaced)


class _ContentCache:
    """A few results, least recently used first out (serve rebuilds, the base side)."""

    def __init__(self, max_entries: int = 4) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, RecordContent] = OrderedDict()

    def get(self, key: Hashable) -> RecordContent | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: RecordContent) -> None:
        self._entries[key] = value
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


_CACHE = _ContentCache()


def writer_authors(content: RecordContent, shas: Iterable[str]) -> list[Author]:
    """The authors of ``shas`` as the content pass read them (unknown ones left out)."""
    return [content.authors[sha] for sha in shas if sha in content.authors]
