"""Reading record files as they are at other commits.

Two uses: the record files at a pull request's base
([`read_tree_blobs`][mkdocs_governance.history.blobs.read_tree_blobs]), and model
files at every commit of their history, for version provenance
([`read_blobs_at`][mkdocs_governance.history.blobs.read_blobs_at]). Everything comes
from Git's object store through one ``cat-file --batch`` process per call: the
working tree is never touched, so this is safe in a checkout with local edits.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
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
    answers = _cat_file_batch(runner, [object_id for _, object_id in entries])
    blobs: dict[str, bytes] = {}
    for (path, object_id), answer in zip(entries, answers, strict=True):
        if answer is None or answer[0] != object_id:
            shown = answer[0] if answer else "missing"
            raise HistoryError(f"git cat-file answered {shown!r} for {path}; expected {object_id}")
        blobs[path] = answer[2]
    return blobs


def read_blobs_at(
    repo_root: Path, pairs: Iterable[tuple[str, str]], *, git_executable: str = "git"
) -> dict[tuple[str, str], bytes]:
    """The content of each ``(revision, path)`` pair, read by one ``cat-file --batch``.

    Used to read a file as it was at every commit of its history (and at those
    commits' parents: a revision may be ``<sha>^2``). Pairs that name nothing (the
    file did not exist at that revision, a root commit has no parent) or that name
    a folder are left out of the result; so are paths ``cat-file`` cannot be asked
    for (holding a newline).

    Args:
        repo_root: the repository (work tree or its top level).
        pairs: ``(revision, repository-relative POSIX path)``; duplicates are read once.
        git_executable: the git binary to run.

    Raises:
        HistoryError: git is missing or ``cat-file`` fails as a whole.
    """
    wanted = sorted({(rev, path) for rev, path in pairs if "\n" not in rev + path})
    if not wanted:
        return {}
    runner = GitRunner(Path(repo_root).resolve(), git_executable)
    if runner.resolve_executable() is None:
        raise HistoryError(
            f"the git program ({git_executable!r}) is not installed or not on PATH; "
            "install git to read the history of model files"
        )
    answers = _cat_file_batch(runner, [f"{rev}:{path}" for rev, path in wanted])
    return {
        pair: answer[2]
        for pair, answer in zip(wanted, answers, strict=True)
        if answer is not None and answer[1] == "blob"
    }


def _cat_file_batch(
    runner: GitRunner, requests: Sequence[str]
) -> list[tuple[str, str, bytes] | None]:
    """Ask one ``git cat-file --batch`` for every request (an object name per line).

    Returns, per request in order, ``(object id, type, content)``, or None when git
    answers ``missing`` or ``ambiguous``.
    """
    with tempfile.TemporaryFile() as request:
        request.write(b"".join(name.encode("utf-8") + b"\n" for name in requests))
        request.seek(0)
        batch = runner.run(["cat-file", "--batch"], stdin=request)
    if batch.status != 0:
        raise HistoryError(f"git cat-file failed: {batch.stderr.strip()}")
    answers: list[tuple[str, str, bytes] | None] = []
    data, offset = batch.stdout, 0
    for name in requests:
        header_end = data.find(b"\n", offset)
        if header_end < 0:
            raise HistoryError(f"git cat-file stopped before answering {name!r}")
        header = data[offset:header_end].split(b" ")
        offset = header_end + 1
        if header[-1] in (b"missing", b"ambiguous"):
            answers.append(None)
            continue
        if len(header) != 3 or not header[2].isdigit():
            raise HistoryError(f"git cat-file answered {header!r} for {name!r}")
        size = int(header[2])
        answers.append(
            (header[0].decode("ascii"), header[1].decode("ascii"), data[offset : offset + size])
        )
        offset += size + 1
    return answers
