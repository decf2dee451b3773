"""The history pass: one ``git log`` over the records folder, parsed as it streams.

How the pass reads Git (the decisions a reviewer will ask about):

- **One process.** ``git log -z --name-status -M --diff-merges=first-parent``
  over the record paths gives every commit and every file it changed; a per-file
  index is built while the output streams (never one ``git log`` per file).
- **Renames** are detected by ``-M`` among the record paths only (cheap) and
  followed through chains (A → B → C, across folders): a file's history is keyed
  by its current path and includes the changes made under its older names.
- **A file deleted and re-added** starts a new life: its history is the commits
  since the latest (re-)addition, so ``created_by`` is the commit that added the
  content now present. Earlier lives stay visible in ``History.changes_by_commit``.
  A file deleted at HEAD keeps its history under its last path (newest change: D).
- **Merges.** Every commit reachable from HEAD that changed the records is listed,
  side branches included: a change made on a merged branch is attributed to the
  side commit and its author. A merge commit is listed when it differs from its
  *first* parent in the records (``--diff-merges=first-parent``), with that diff:
  what the merge brought into the line it was merged into, including conflict
  resolutions. Such merge changes never end a file's life, so ``created_by``
  stays the side commit that wrote the file; rules about who wrote a record
  should look past changes whose commit ``is_merge``.
- **Identity** is the raw author/committer of each commit (``.mailmap`` is not
  applied: it is a file anyone can edit).
- **Text** is decoded as UTF-8 (``--encoding=UTF-8`` re-encodes commits written
  in another ``i18n.commitEncoding``) with visible replacement characters (U+FFFD)
  for bytes that are not UTF-8, in paths as in names. A record file whose *name*
  is not UTF-8 therefore has a history key with U+FFFD in it, which no file on
  disk matches: such names should be reported by the records layer.
- **The stream is checked**, not trusted: records are framed by markers drawn
  at random for each run (so no commit message or path can contain them), and
  each record must have exactly the expected fields before its end marker; a
  record of any other shape makes the history unavailable, naming the commit,
  rather than being mis-parsed.
- **Signatures** (only when asked for) are checked with ``%G?`` for the commits
  that touched sign-off and verification files, in one second process; before
  that, the signature type of each of those commits is read from the commit
  object so that a missing gpg/ssh-keygen or allowed-signers file is reported as
  such, never read as "unsigned".
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from ..findings import Code, Finding, error
from .gitcmd import GitRunner, HistoryError, hidden_worktree_changes
from .model import (
    ChangeKind,
    Commit,
    FileChange,
    FileHistory,
    History,
    Signature,
    SignatureStatus,
    WorktreeState,
    unavailable,
)
from .tags import read_tags

NOT_CHECKED = Signature(SignatureStatus.NOT_CHECKED)

# Author, committer, subject, body: the fields of one commit record, in order.
_COMMIT_FIELDS = ("%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%s", "%b")
_SIGNATURE_FIELDS = ("%H", "%G?", "%GK", "%GS", "%GF")


@dataclass(frozen=True, slots=True)
class _Framing:
    """The record markers of one git run.

    Each run gets fresh random markers, so no commit message or path written
    before the run can contain them: a record boundary cannot be forged. The
    field count is checked as well.
    """

    nonce: str

    @classmethod
    def fresh(cls) -> _Framing:
        return cls(secrets.token_hex(8))

    @property
    def start(self) -> bytes:
        """The bytes that open a record."""
        return f"\x1eGOV-{self.nonce}".encode()

    @property
    def end(self) -> bytes:
        """The bytes that close a record's fields."""
        return f"\x1fEND-{self.nonce}".encode()

    def format(self, fields: Sequence[str]) -> str:
        """The ``--format`` that frames ``fields``: start, fields, end, NUL-separated
        (written with git's ``%x`` escapes, so the command line has no control bytes)."""
        return (
            f"--format=%x1eGOV-{self.nonce}%x00" + "%x00".join(fields) + f"%x00%x1fEND-{self.nonce}"
        )

    @property
    def separator(self) -> bytes:
        """What splits the stream into records."""
        return self.start + b"\0"


_SHA = re.compile(rb"^[0-9a-f]{40}([0-9a-f]{24})?$")
_PARENTS = re.compile(rb"^([0-9a-f]{40}([0-9a-f]{24})?( [0-9a-f]{40}([0-9a-f]{24})?)*)?$")
_STATUS = re.compile(rb"^[ACDMRTUXB][0-9]*$")
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*)$")

_KINDS = {
    ord("A"): ChangeKind.ADDED,
    ord("C"): ChangeKind.ADDED,  # a copy is a new file (only with -C, which we do not ask)
    ord("D"): ChangeKind.DELETED,
    ord("R"): ChangeKind.RENAMED,
}


def read_history(
    repo_root: Path,
    paths: Sequence[str],
    *,
    signatures: bool = False,
    signature_paths: Sequence[str] | None = None,
    git_executable: str = "git",
    env: Mapping[str, str] | None = None,
) -> History:
    """Read the Git history of ``paths`` (the records folder) in one pass.

    Never raises for a bad repository: when provenance cannot be read (no git, not
    a repository, a shallow clone, a repository git refuses, a signature tool
    missing while signatures are required), the result has ``available=False``
    and ``history-unavailable`` findings that say how to fix it.

    Args:
        repo_root: the repository work tree; ``paths`` are relative to it.
        paths: repository-relative POSIX paths to read the history of (usually
            the records folder).
        signatures: also verify commit signatures (``%G?``), for the commits
            that touched ``signature_paths``.
        signature_paths: where signed commits matter; default: the
            ``signoffs`` and ``verifications`` folders under each of ``paths``
            (the records layout of SPEC §3).
        git_executable: the git binary to run (a name on ``PATH`` or a path).
        env: extra environment variables for git (e.g. ``GNUPGHOME``).
    """
    probe = probe_repository(repo_root, paths, git_executable=git_executable, env=env)
    if isinstance(probe, History):
        return probe
    return read_probed_history(probe, signatures=signatures, signature_paths=signature_paths)


@dataclass(frozen=True)
class RepositoryProbe:
    """What a quick look at the repository found: enough to key a cache.

    Attributes:
        runner: runs git at the repository's top level.
        repo_root: the work tree the caller named.
        prefix: ``repo_root`` relative to git's top level ("" when equal).
        paths: the caller's paths (relative to ``repo_root``).
        head: the HEAD commit, None in a repository without commits.
        status: the raw ``git status --porcelain -z`` output for ``paths``.
    """

    runner: GitRunner
    repo_root: Path
    prefix: str
    paths: tuple[str, ...]
    head: str | None
    status: bytes

    @property
    def status_digest(self) -> str:
        """A digest of the working-tree status (part of the cache key)."""
        return hashlib.sha256(self.status).hexdigest()

    def pathspecs(self, paths: Iterable[str] | None = None) -> list[str]:
        """Top-level-relative pathspecs for ``paths`` (default: the probe's)."""
        chosen = self.paths if paths is None else tuple(paths)
        return [_join(self.prefix, path) for path in chosen] or [self.prefix or "."]

    def relative(self, raw_path: bytes) -> str:
        """A path from git's output, decoded visibly, relative to ``repo_root``."""
        path = raw_path.decode("utf-8", "replace")
        if self.prefix and path.startswith(self.prefix + "/"):
            return path[len(self.prefix) + 1 :]
        return path


def probe_repository(
    repo_root: Path,
    paths: Sequence[str],
    *,
    git_executable: str = "git",
    env: Mapping[str, str] | None = None,
) -> RepositoryProbe | History:
    """Check that history can be read at ``repo_root`` and read HEAD and status.

    Returns an unavailable [`History`][mkdocs_governance.history.model.History]
    (with the fix in its findings) when it cannot.
    """
    root = Path(repo_root).resolve()
    subject = str(root)
    runner = GitRunner(root, git_executable, dict(env or {}))
    if runner.resolve_executable() is None:
        return unavailable(
            _problem(
                subject,
                f"the git program ({git_executable!r}) is not installed or not on PATH, so "
                "the history of the records cannot be read; install git (e.g. "
                "`apt-get install git`, or `git` in your CI image) and run again",
            )
        )
    if not root.is_dir():
        return unavailable(
            _problem(subject, f"{root} is not a folder; point the tool at the repository work tree")
        )
    try:
        located = runner.run(["rev-parse", "--show-toplevel", "--is-shallow-repository"])
    except OSError as exc:  # git vanished or is not executable
        return unavailable(_problem(subject, f"git could not be started ({exc}); reinstall git"))
    if located.status != 0:
        return unavailable(_problem(subject, _explain_refusal(root, located.stderr)))
    lines = located.stdout.decode("utf-8", "replace").splitlines()
    if len(lines) < 2 or not lines[0]:
        return unavailable(
            _problem(
                subject,
                f"{root} is inside a Git directory but not in a work tree; run the tool "
                "from a checkout of the repository",
            )
        )
    toplevel = Path(lines[0]).resolve()
    if lines[1].strip() == "true":
        return unavailable(_problem(subject, _SHALLOW_MESSAGE))
    prefix = "" if toplevel == root else root.relative_to(toplevel).as_posix()
    runner = GitRunner(toplevel, git_executable, dict(env or {}))
    head_result = runner.run(["rev-parse", "-q", "--verify", "HEAD^{commit}"])
    head = (
        head_result.stdout.decode("ascii", "replace").strip() if head_result.status == 0 else None
    )
    probe = RepositoryProbe(runner, root, prefix, tuple(paths), head or None, b"")
    status = runner.run(
        [
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--ignored=no",
            "--",
            *probe.pathspecs(),
        ]
    )
    if status.status != 0:
        return unavailable(_problem(subject, _explain_refusal(root, status.stderr)))
    hidden = hidden_worktree_changes(runner, probe.pathspecs())
    return replace(probe, status=status.stdout + hidden)


def read_probed_history(
    probe: RepositoryProbe,
    *,
    signatures: bool = False,
    signature_paths: Sequence[str] | None = None,
) -> History:
    """The history pass proper, after [`probe_repository`][mkdocs_governance.history.reader.probe_repository]."""
    worktree = _parse_status(probe, probe.status)
    base = History(
        available=True,
        head=probe.head,
        worktree=worktree,
        signatures_checked=signatures,
        repo_root=str(probe.repo_root),
        tags=read_tags(probe.runner),  # one for-each-ref: GTO's registry lives in tags
    )
    if probe.head is None:  # a repository without commits: nothing to read, nothing wrong
        return base
    problems: list[Finding] = []
    commits, order, index = _pass(probe, problems)
    if problems:
        return replace(base, available=False, problems=tuple(problems))
    files = index.histories()
    unchanged = _merged_unchanged(probe, commits, files, problems)
    if problems:
        return replace(base, available=False, problems=tuple(problems))
    if unchanged:
        files = {
            path: FileHistory(
                path,
                tuple(
                    replace(change, merged_unchanged=True)
                    if (change.sha, change.path) in unchanged
                    else change
                    for change in file_history.changes
                ),
            )
            for path, file_history in files.items()
        }
    history = replace(
        base,
        commits=commits,
        order=tuple(order),
        files=files,
        changes_by_commit=index.by_commit(),
    )
    if not signatures:
        return history
    return _with_signatures(probe, history, signature_paths)


def _merged_unchanged(
    probe: RepositoryProbe,
    commits: Mapping[str, Commit],
    files: Mapping[str, FileHistory],
    problems: list[Finding],
) -> set[tuple[str, str]]:
    """The (merge sha, path) changes whose content one of the merge's other parents had.

    A merge is listed with its first-parent diff, so merging a branch that added a
    sign-off shows the merge as adding it too. Whether the merge *wrote* the content
    is a question of blobs: the file at the merge equals the file at a non-first
    parent when the merge only carried that side's change. One ``git cat-file
    --batch-check`` process answers it for every merge change of the pass. A path
    that cannot be asked on one line (it holds a newline) is left unmarked, so it
    counts as the merger's edit: the conservative reading for the gate.
    """
    queries: list[tuple[str, str, list[str]]] = []
    for file_history in files.values():
        for change in file_history.changes:
            commit = commits.get(change.sha)
            if commit is None or not commit.is_merge or change.kind == ChangeKind.DELETED:
                continue
            if "\n" in change.path or "\ufffd" in change.path:
                continue
            queries.append((change.sha, change.path, list(commit.parents[1:])))
    if not queries:
        return set()
    lines: list[str] = []
    for sha, path, others in queries:
        top_level = _join(probe.prefix, path)
        lines.append(f"{sha}:{top_level}")
        lines.extend(f"{parent}:{top_level}" for parent in others)
    with tempfile.TemporaryFile() as stdin:
        stdin.write(("\n".join(lines) + "\n").encode("utf-8"))
        stdin.seek(0)
        result = probe.runner.run(["cat-file", "--batch-check=%(objectname)"], stdin=stdin)
    answers = result.stdout.decode("utf-8", "replace").splitlines()
    if result.status != 0 or len(answers) != len(lines):
        problems.append(
            _problem(
                str(probe.repo_root),
                "git cat-file could not compare merge results with their parents "
                f"({result.stderr.strip() or 'unexpected output'}); check that the "
                "repository is complete (`git fsck`) and not a partial clone.",
            )
        )
        return set()
    unchanged: set[tuple[str, str]] = set()
    position = 0
    for sha, path, others in queries:
        merged = answers[position]
        sides = answers[position + 1 : position + 1 + len(others)]
        position += 1 + len(others)
        if not merged.endswith("missing") and merged in sides:
            unchanged.add((sha, path))
    return unchanged


def log_arguments(framing: _Framing, head: str, pathspecs: Sequence[str]) -> list[str]:
    """The ``git log`` arguments of the pass (shared with the benchmark's floor).

    ``--topo-order`` because the rename index needs every child before its
    parents; git's default date order breaks that when commit dates are skewed
    (or tie across a merge), and a check on the shown commits cannot see it when
    the commits in between did not touch the records.
    """
    return [
        "log",
        "--encoding=UTF-8",
        "--no-mailmap",
        "--no-color",
        "-z",
        "--name-status",
        "-M",
        "--diff-merges=first-parent",
        "--topo-order",
        framing.format(_COMMIT_FIELDS),
        head,
        "--",
        *pathspecs,
    ]


def _pass(
    probe: RepositoryProbe, problems: list[Finding]
) -> tuple[dict[str, Commit], list[str], _FileIndex]:
    """One streamed ``git log`` over the records, parsed into commits and a file index."""
    index = _FileIndex()
    commits: dict[str, Commit] = {}
    order: list[str] = []
    framing = _Framing.fresh()
    args = log_arguments(framing, probe.head or "HEAD", probe.pathspecs())
    pieces = probe.runner.stream_split(args, framing.separator)
    try:
        for record in _records(pieces, len(_COMMIT_FIELDS), framing, problems):
            commit = _commit(record.fields, problems)
            if commit is None:
                continue
            commits[commit.sha] = commit
            order.append(commit.sha)
            index.add(
                commit.sha, _changes(probe, commit.sha, record.entries), merge=commit.is_merge
            )
    except HistoryError as exc:
        problems.append(_problem(str(probe.repo_root), _explain_refusal(probe.repo_root, str(exc))))
    finally:
        pieces.close()
    return commits, order, index


# --- parsing the stream ------------------------------------------------------------------


@dataclass(slots=True)
class _Record:
    """One commit record of the stream: its fields and its name-status entries."""

    fields: list[bytes]
    entries: list[tuple[bytes, list[bytes]]]


def _records(
    pieces: Iterable[bytes], field_count: int, framing: _Framing, problems: list[Finding]
) -> Iterator[_Record]:
    """Parse the stream's records (the text between start markers), checking their shape.

    A record is ``field_count`` fields, the end marker, then name-status entries
    (a status token, then one path, or two for a rename/copy), all NUL-separated.
    A record of any other shape is reported and left out.
    """
    for number, piece in enumerate(pieces):
        if number == 0 and not piece:
            continue  # the stream starts with a marker
        tokens = piece.split(b"\0")
        fields = tokens[:field_count]
        if len(tokens) <= field_count or tokens[field_count] != framing.end:
            problems.append(_malformed(fields[0] if fields else b"?", "the commit fields"))
            continue
        entries: list[tuple[bytes, list[bytes]]] = []
        position, count = field_count + 1, len(tokens)
        while position < count:
            # git puts a newline between the format output and the first status.
            status = tokens[position].lstrip(b"\n")
            position += 1
            if not status:
                continue
            width = 2 if status[:1] in (b"R", b"C") else 1
            paths = tokens[position : position + width]
            position += width
            if not _STATUS.match(status) or len(paths) != width or not all(paths):
                problems.append(_malformed(fields[0], f"a change entry ({status[:20]!r})"))
                break
            entries.append((status, paths))
        else:
            yield _Record(fields, entries)


def _malformed(sha: bytes, part: str) -> Finding:
    name = sha.decode("ascii", "replace")[:40]
    return _problem(
        name,
        f"the git log output for commit {name} could not be read safely ({part} do not have "
        "the expected shape), so provenance cannot be trusted; inspect the commit with "
        f"`git cat-file -p {name}` (a commit object with unusual bytes may have been crafted) "
        "and report it",
    )


def _commit(fields: list[bytes], problems: list[Finding]) -> Commit | None:
    """A [`Commit`][mkdocs_governance.history.model.Commit] from one record's fields."""
    sha, parents, an, ae, ad, cn, ce, cd, subject, body = fields
    if not _SHA.match(sha) or not _PARENTS.match(parents):
        problems.append(_malformed(sha, "the commit hashes"))
        return None
    try:
        author_date, author_raw = _commit_date(ad)
        committer_date, committer_raw = _commit_date(cd)
    except (UnicodeDecodeError, ValueError):
        problems.append(_malformed(sha, "the commit dates"))
        return None
    body_text = body.decode("utf-8", "replace").strip("\n")
    return Commit(
        sha=sha.decode("ascii"),
        parents=tuple(parents.decode("ascii").split()),
        author_name=_text(an),
        author_email=_text(ae),
        author_date=author_date,
        committer_name=_text(cn),
        committer_email=_text(ce),
        committer_date=committer_date,
        subject=_text(subject),
        body=body_text,
        trailers=parse_trailers(body_text),
        signature=NOT_CHECKED,
        unrepresentable_date=author_raw or committer_raw,
    )


# Git accepts timestamps up to 253402300799 (9999-12-31T23:59:59Z); shown in a
# positive time zone that instant is in year 10000, which datetime cannot hold.
_FAR_FUTURE = re.compile(
    r"[0-9]{5,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[+-][0-9]{2}:[0-9]{2}|Z)"
)
_LAST_INSTANT = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def _commit_date(raw: bytes) -> tuple[datetime, str]:
    """A commit date, and its text when it is beyond year 9999 (then clamped)."""
    text = raw.decode("ascii")
    try:
        return datetime.fromisoformat(text), ""
    except ValueError:
        if _FAR_FUTURE.fullmatch(text):
            return _LAST_INSTANT, text
        raise


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def parse_trailers(body: str) -> tuple[tuple[str, str], ...]:
    """The ``Key: value`` trailers of a commit body's last paragraph.

    The last paragraph counts only when every line in it is a trailer (or an
    indented continuation of one), as ``git interpret-trailers`` reads them.
    Trailers are unauthenticated text: shown, never trusted for provenance.
    """
    if ":" not in body:
        return ()
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    if not paragraphs:
        return ()
    trailers: list[list[str]] = []
    for line in paragraphs[-1].splitlines():
        if line[:1] in (" ", "\t") and trailers:
            trailers[-1][1] = f"{trailers[-1][1]} {line.strip()}".strip()
            continue
        match = _TRAILER.match(line)
        if match is None:
            return ()
        trailers.append([match.group(1), match.group(2).strip()])
    return tuple((key, value) for key, value in trailers)


def _changes(
    probe: RepositoryProbe, sha: str, entries: list[tuple[bytes, list[bytes]]]
) -> list[FileChange]:
    """The typed changes of one commit's name-status entries."""
    changes = []
    relative = probe.relative
    for status, raw_paths in entries:
        kind = _KINDS.get(status[0], ChangeKind.MODIFIED)
        if len(raw_paths) == 2:
            changes.append(FileChange(sha, kind, relative(raw_paths[1]), relative(raw_paths[0])))
        else:
            changes.append(FileChange(sha, kind, relative(raw_paths[0])))
    return changes


class _FileIndex:
    """Per-file histories built while commits arrive newest first.

    ``_owner`` maps a path as older commits name it to the current path whose
    history it belongs to; ``_ENDED`` marks a path whose older changes belong to
    an earlier life (the file was added, or renamed away, after them).
    """

    _ENDED = "\0ended"

    def __init__(self) -> None:
        self._owner: dict[str, str] = {}
        self._files: dict[str, list[FileChange]] = {}
        self._by_commit: dict[str, list[FileChange]] = {}

    def add(self, sha: str, changes: list[FileChange], *, merge: bool) -> None:
        """Record one commit's ``changes`` (the commit is older than any added so far)."""
        self._by_commit[sha] = changes
        owner, files, ended = self._owner, self._files, self._ENDED
        for change in changes:
            path, kind = change.path, change.kind
            key = owner.get(path, path)
            if key != ended:
                files.setdefault(key, []).append(change)
            if merge:
                # A merge's first-parent diff repeats what a side commit did: it must
                # neither end the file's life nor detach the side commit's change.
                if kind == ChangeKind.RENAMED and change.old_path and key != ended:
                    owner.setdefault(change.old_path, key)
            elif kind == ChangeKind.ADDED:
                owner[path] = ended
            elif kind == ChangeKind.RENAMED and change.old_path:
                owner[path] = ended
                owner[change.old_path] = key

    def histories(self) -> dict[str, FileHistory]:
        """Every file's history, keyed by its current (or, if deleted, last) path."""
        return {path: FileHistory(path, tuple(changes)) for path, changes in self._files.items()}

    def by_commit(self) -> dict[str, tuple[FileChange, ...]]:
        """Every change of the pass, by commit sha."""
        return {sha: tuple(changes) for sha, changes in self._by_commit.items()}


def _parse_status(probe: RepositoryProbe, raw: bytes) -> dict[str, WorktreeState]:
    """``git status --porcelain=v1 -z --no-renames`` → state per file that is not clean."""
    states: dict[str, WorktreeState] = {}
    for entry in raw.split(b"\0"):
        if len(entry) < 4:
            continue
        x, y, path = entry[:1], entry[1:2], probe.relative(entry[3:])
        if x == b"?":
            states[path] = WorktreeState.UNTRACKED
        elif b"D" in (x, y):
            states[path] = WorktreeState.DELETED
        elif x in b"MATRC" and x != b" ":
            states[path] = WorktreeState.STAGED
        else:  # worktree-only change, or an unresolved merge conflict
            states[path] = WorktreeState.MODIFIED
    return states


# --- signatures --------------------------------------------------------------------------


def _with_signatures(
    probe: RepositoryProbe, history: History, signature_paths: Sequence[str] | None
) -> History:
    """``history`` with the signature of each commit that touched ``signature_paths``."""
    roots = (
        list(signature_paths)
        if signature_paths is not None
        else [
            _join(path, folder) for path in probe.paths for folder in ("signoffs", "verifications")
        ]
    )
    targets = [
        sha
        for sha in history.order
        if any(
            _under(path, roots)
            for change in history.changes_by_commit.get(sha, ())
            for path in (change.path, change.old_path)
            if path
        )
    ]
    if not targets:
        return history
    try:
        kinds = _signature_kinds(probe.runner, targets)
        problems = _missing_signature_tools(probe, set(kinds.values()) - {None})
        if problems:
            return replace(history, available=False, problems=tuple(problems))
        signed = [sha for sha in targets if kinds.get(sha)]
        verified = _verify(probe.runner, signed) if signed else {}
    except HistoryError as exc:
        return replace(
            history,
            available=False,
            problems=(
                _problem(str(probe.repo_root), f"commit signatures could not be read: {exc}"),
            ),
        )
    commits = dict(history.commits)
    for sha in targets:
        if not kinds.get(sha):
            signature = Signature(SignatureStatus.UNSIGNED)
        else:
            signature = verified.get(sha, Signature(SignatureStatus.CANNOT_CHECK))
            if signature.status == SignatureStatus.UNSIGNED:
                # The object carries a signature git did not see: never call it unsigned.
                signature = replace(signature, status=SignatureStatus.CANNOT_CHECK)
        commits[sha] = replace(commits[sha], signature=signature)
    return replace(history, commits=commits)


def _signature_kinds(runner: GitRunner, shas: Sequence[str]) -> dict[str, str | None]:
    """The signature type (``openpgp``, ``ssh``, ``x509``) in each commit object, or None.

    Read from the objects (``cat-file --batch``, one process), because ``%G?``
    says ``N`` (unsigned) when the tool needed to check a signature is missing.
    """
    with tempfile.TemporaryFile() as request:
        request.write(b"".join(sha.encode("ascii") + b"\n" for sha in shas))
        request.seek(0)
        result = runner.run(["cat-file", "--batch"], stdin=request)
    if result.status != 0:
        raise HistoryError(f"git cat-file failed: {result.stderr.strip()}")
    kinds: dict[str, str | None] = {}
    data = result.stdout
    offset = 0
    while offset < len(data):
        header_end = data.index(b"\n", offset)
        sha, _type, size = data[offset:header_end].split(b" ")
        body = data[header_end + 1 : header_end + 1 + int(size)]
        offset = header_end + 1 + int(size) + 1
        headers = body.split(b"\n\n", 1)[0]
        kind: str | None = None
        for marker, name in (
            (b"-----BEGIN PGP SIGNATURE-----", "openpgp"),
            (b"-----BEGIN SSH SIGNATURE-----", "ssh"),
            (b"-----BEGIN SIGNED MESSAGE-----", "x509"),
        ):
            if re.search(rb"^gpgsig(-sha256)? " + re.escape(marker), headers, re.MULTILINE):
                kind = name
        kinds[sha.decode("ascii")] = kind
    return kinds


def _missing_signature_tools(probe: RepositoryProbe, kinds: set[str | None]) -> list[Finding]:
    """``history-unavailable`` findings for each tool git needs to check ``kinds``."""
    config = _git_config(probe.runner)
    subject = str(probe.repo_root)
    problems: list[Finding] = []
    if "openpgp" in kinds:
        program = config.get("gpg.openpgp.program") or config.get("gpg.program") or "gpg"
        if probe.runner.which(program) is None:
            problems.append(
                _problem(
                    subject,
                    f"sign-off commits are GPG-signed but gpg ({program!r}) is not installed, so "
                    "their signatures cannot be checked (git would report them as unsigned); "
                    "install gnupg (e.g. `apt-get install gnupg`) and import the approvers' "
                    "public keys",
                )
            )
    if "x509" in kinds:
        program = config.get("gpg.x509.program") or "gpgsm"
        if probe.runner.which(program) is None:
            problems.append(
                _problem(
                    subject,
                    f"sign-off commits are X.509-signed but {program!r} is not installed; "
                    "install gpgsm to check them",
                )
            )
    if "ssh" in kinds:
        program = config.get("gpg.ssh.program") or "ssh-keygen"
        if probe.runner.which(program) is None:
            problems.append(
                _problem(
                    subject,
                    f"sign-off commits are SSH-signed but {program!r} is not installed, so "
                    "their signatures cannot be checked; install OpenSSH's client tools "
                    "(e.g. `apt-get install openssh-client`)",
                )
            )
        signers = config.get("gpg.ssh.allowedsignersfile")
        if not signers:
            problems.append(
                _problem(
                    subject,
                    "sign-off commits are SSH-signed but git has no allowed-signers file, so "
                    "it cannot check SSH signatures (it would report them as unsigned); "
                    "create one and set `git config gpg.ssh.allowedSignersFile <file>`. The "
                    "gate matches each signature's key fingerprint against `signing_keys` in "
                    "people.yaml, so the file may list the approvers' keys (one line each: "
                    '`<email> namespaces="git" <public key>`) or be empty',
                )
            )
        elif not (probe.runner.cwd / Path(signers).expanduser()).is_file():
            problems.append(
                _problem(
                    subject,
                    f"gpg.ssh.allowedSignersFile is set to {signers!r}, which does not exist, so "
                    "SSH signatures cannot be checked; create it or fix the setting",
                )
            )
    return problems


def _git_config(runner: GitRunner) -> dict[str, str]:
    """The ``gpg.*`` settings git would use (keys lower-cased, as git prints them)."""
    result = runner.run(["config", "-z", "--type=path", "--get-regexp", r"^gpg\."])
    settings: dict[str, str] = {}
    for entry in result.stdout.split(b"\0"):
        if entry:
            key, _, value = entry.decode("utf-8", "replace").partition("\n")
            settings[key.lower()] = value
    return settings


def _verify(runner: GitRunner, shas: Sequence[str]) -> dict[str, Signature]:
    """``%G?``, key, signer and fingerprint for ``shas``, in one ``git log --no-walk``."""
    problems: list[Finding] = []
    verified: dict[str, Signature] = {}
    with tempfile.TemporaryFile() as request:
        request.write(b"".join(sha.encode("ascii") + b"\n" for sha in shas))
        request.seek(0)
        framing = _Framing.fresh()
        pieces = runner.stream_split(
            [
                "log",
                "--no-walk=unsorted",
                "--stdin",
                "-z",
                "--no-color",
                framing.format(_SIGNATURE_FIELDS),
            ],
            framing.separator,
            stdin=request,
        )
        for record in _records(pieces, len(_SIGNATURE_FIELDS), framing, problems):
            sha, status, key, signer, fingerprint = (_text(f) for f in record.fields)
            try:
                state = SignatureStatus(status)
            except ValueError:
                state = SignatureStatus.CANNOT_CHECK
            verified[sha] = Signature(state, key, signer, fingerprint)
    if problems:
        raise HistoryError(problems[0].message)
    return verified


# --- messages ----------------------------------------------------------------------------

_SHALLOW_MESSAGE = (
    "this is a shallow clone, so the history of the records is incomplete and who "
    "approved what cannot be checked; fetch the full history: with GitHub Actions set "
    "`fetch-depth: 0` on actions/checkout, with GitLab CI set the variable `GIT_DEPTH: 0`, "
    "or run `git fetch --unshallow`"
)


def _explain_refusal(root: Path, stderr: str) -> str:
    """A message with the fix for git's refusal to read the repository at ``root``."""
    text = stderr.strip()
    lowered = text.lower()
    if "dubious ownership" in lowered or "safe.directory" in lowered:
        return (
            f"git refuses to read {root} because the folder belongs to another user "
            '("dubious ownership"), so the history cannot be read; if you trust it, run '
            f"`git config --global --add safe.directory {root}` (in CI: run as the "
            "checkout's owner, or add that line before the build)"
        )
    if "not a git repository" in lowered:
        return (
            f"{root} is not inside a Git repository, so who changed the records (and "
            "who approved what) cannot be checked; build from a clone of the repository "
            "(with its .git folder), not from an exported copy"
        )
    if "shallow" in lowered:
        return _SHALLOW_MESSAGE
    if "unrecognized argument" in lowered or "unknown option" in lowered:
        return (
            f"the installed git is too old to read the history of {root} ({text}); "
            "install git 2.31 or newer"
        )
    return f"git could not read the history of {root}: {text or 'no reason given'}"


def _problem(subject: str, message: str) -> Finding:
    return error(Code.HISTORY_UNAVAILABLE, subject, message)


def _join(prefix: str, path: str) -> str:
    if not prefix or prefix == ".":
        return path
    if not path or path == ".":
        return prefix
    return f"{prefix}/{path}"


def _under(path: str, roots: Sequence[str]) -> bool:
    pure = PurePosixPath(path)
    return any(root in (".", "") or pure.is_relative_to(root) for root in roots)
