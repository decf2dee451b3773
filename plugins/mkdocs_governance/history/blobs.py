"""Reading record files as they are at another commit (a pull request's base).

Everything comes from Git's object store (``ls-tree`` then one ``cat-file
--batch`` process): the working tree is never touched, so comparing against a
base ref is safe in a checkout with local edits.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .gitcmd import GitRunner, HistoryError


def read_tree_blobs(
    repo_root: Path, ref: str, prefix: str, *, git_executable: str = "git"
) -> dict[str, bytes]:
    """Every file under ``prefix`` at ``ref``, as bytes, keyed by repository path.

    Args:
        repo_root: the repository (work tree or its top level).
        ref: any commit-ish git understands (``origin/main``, a sha, a tag).
        prefix: a repository-relative folder (e.g. ``governance_records``); ""
            for the whole tree.

    Raises:
        HistoryError: git is missing, ``repo_root`` is not a repository, or
            ``ref`` names no commit; the message says which and what to do.
    """
    runner = GitRunner(Path(repo_root).resolve(), git_executable)
    if runner.resolve_executable() is None:
        raise HistoryError(
            f"the git program ({git_executable!r}) is not installed or not on PATH; "
            "install git to compare with a base ref"
        )
    commit = runner.run(["rev-parse", "-q", "--verify", f"{ref}^{{commit}}"])
    if commit.status != 0:
        raise HistoryError(
            f"the base ref {ref!r} names no commit in {repo_root}"
            + (f" ({commit.stderr.strip()})" if commit.stderr.strip() else "")
            + "; fetch it first (e.g. `git fetch origin main`, or `fetch-depth: 0` on "
            "actions/checkout) or pass an existing branch, tag or commit"
        )
    sha = commit.stdout.decode("ascii").strip()
    args = ["ls-tree", "-r", "-z", "--full-tree", sha]
    if prefix.strip("/"):
        args += ["--", prefix.strip("/")]
    listing = runner.run(args)
    if listing.status != 0:
        raise HistoryError(f"git ls-tree {ref} failed: {listing.stderr.strip()}")
    entries: list[tuple[str, str]] = []
    for line in listing.stdout.split(b"\0"):
        if not line:
            continue
        meta, _, raw_path = line.partition(b"\t")
        _mode, kind, raw_id = meta.split(b" ")
        if kind == b"blob":  # submodules (commit) have no content here
            entries.append((raw_path.decode("utf-8", "replace"), raw_id.decode("ascii")))
    if not entries:
        return {}
    with tempfile.TemporaryFile() as request:
        request.write(b"".join(object_id.encode("ascii") + b"\n" for _, object_id in entries))
        request.seek(0)
        batch = runner.run(["cat-file", "--batch"], stdin=request)
    if batch.status != 0:
        raise HistoryError(f"git cat-file failed: {batch.stderr.strip()}")
    blobs: dict[str, bytes] = {}
    data, offset = batch.stdout, 0
    for path, object_id in entries:
        header_end = data.index(b"\n", offset)
        header = data[offset:header_end].split(b" ")
        if len(header) != 3 or header[0].decode("ascii") != object_id:
            raise HistoryError(f"git cat-file answered {header!r} for {path}; expected {object_id}")
        size = int(header[2])
        blobs[path] = data[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
    return blobs
