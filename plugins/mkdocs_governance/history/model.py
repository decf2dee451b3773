"""The typed history: commits and per-file histories mined from one ``git log`` pass.

Text from Git (names, subjects, paths) is decoded with visible replacement
characters; it is data, never Markdown: the site escapes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from ..findings import Finding
from .tags import GitTag


class SignatureStatus(StrEnum):
    """Git's ``%G?`` letters, plus NOT_CHECKED when signatures were not asked for."""

    GOOD = "G"
    BAD = "B"
    UNKNOWN_VALIDITY = "U"
    EXPIRED = "X"
    EXPIRED_KEY = "Y"
    REVOKED_KEY = "R"
    CANNOT_CHECK = "E"
    UNSIGNED = "N"
    NOT_CHECKED = "-"


@dataclass(frozen=True, slots=True)
class Signature:
    """What git says about a commit's signature.

    ``key`` is ``%GK`` (key id), ``signer`` is ``%GS``, ``fingerprint`` is ``%GF``
    (for SSH signatures, the ``SHA256:…`` key fingerprint).
    """

    status: SignatureStatus
    key: str = ""
    signer: str = ""
    fingerprint: str = ""

    @property
    def is_good(self) -> bool:
        """True for a good signature by a key git trusts (``G``), or of unknown
        validity (``U``: good signature, key not ultimately trusted)."""
        return self.status in (SignatureStatus.GOOD, SignatureStatus.UNKNOWN_VALIDITY)


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit of the pass, with everything the audit trail and the gate need."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: datetime
    committer_name: str
    committer_email: str
    committer_date: datetime
    subject: str
    body: str
    trailers: tuple[tuple[str, str], ...] = ()
    signature: Signature | None = None
    # The author or committer date as git wrote it, when it lies beyond what a date
    # can hold (git accepts year 10000); the dates above are then clamped to the
    # last representable instant, and the gate judges the commit implausible.
    unrepresentable_date: str = ""

    @property
    def short_sha(self) -> str:
        """The first 10 hex digits."""
        return self.sha[:10]

    @property
    def is_merge(self) -> bool:
        """True for a commit with more than one parent."""
        return len(self.parents) > 1

    @property
    def committed_by_another(self) -> bool:
        """True when the committer is not the author (name or email differ).

        A cherry-pick, a rebase of someone else's commit or an applied patch does
        this; so does re-applying an old change under its original author.
        """
        return (
            self.committer_name != self.author_name
            or self.committer_email.lower() != self.author_email.lower()
        )

    @property
    def committed_apart(self) -> bool:
        """True when the commit date is more than a day from the author date (either way).

        Both dates are set freely by whoever commits; a gap is what a backdated,
        amended, rebased or re-applied commit shows, and what an auditor should see.
        """
        return abs(self.committer_date - self.author_date) > timedelta(days=1)


class ChangeKind(StrEnum):
    """How a commit changed a file."""

    ADDED = "A"
    MODIFIED = "M"
    DELETED = "D"
    RENAMED = "R"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One commit's change to one file; ``old_path`` is set for a rename."""

    sha: str
    kind: ChangeKind
    path: str
    old_path: str | None = None
    # True for a merge commit's change whose resulting content is exactly what one
    # of the merge's other parents had: the merge only carried a side branch's
    # change, so the person who merged did not write it. False for every other
    # change, including a merge that resolved a conflict with content of its own.
    merged_unchanged: bool = False


class WorktreeState(StrEnum):
    """The state of a record file in the working tree against HEAD."""

    CLEAN = "clean"
    MODIFIED = "modified"  # changed, not staged
    STAGED = "staged"  # changed and staged (possibly also modified after staging)
    UNTRACKED = "untracked"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class FileHistory:
    """Every commit that touched a file, newest first, following renames.

    ``path`` is the file's current path; changes made under older names carry
    those names in [`FileChange.path`][mkdocs_governance.history.model.FileChange].
    """

    path: str
    changes: tuple[FileChange, ...]

    @property
    def created_by(self) -> FileChange | None:
        """The change that first added the file (oldest), if committed."""
        return self.changes[-1] if self.changes else None

    @property
    def last_changed_by(self) -> FileChange | None:
        """The newest change, if committed."""
        return self.changes[0] if self.changes else None

    @property
    def is_deleted(self) -> bool:
        """True when the newest change deleted the file (it is gone at HEAD)."""
        return bool(self.changes) and self.changes[0].kind == ChangeKind.DELETED


@dataclass(frozen=True, slots=True)
class History:
    """The result of the history pass.

    Attributes:
        available: False when provenance cannot be checked (not a repository,
            no git, shallow clone, refused repository); ``problems`` says why.
        problems: ``history-unavailable`` findings, each with the fix.
        head: the HEAD commit sha (None for an empty repository or no history).
        commits: every commit of the pass, by sha.
        order: shas newest first (the order of ``git log``).
        files: per-file histories, keyed by the file's current path.
        worktree: the state of each record file that is not clean.
        signatures_checked: whether ``%G?`` was asked for in this pass.
        repo_root: absolute path of the repository work tree, if any.
        changes_by_commit: every file change of the pass, by commit sha (the
            audit trail; includes earlier lives of deleted and re-added files).
    """

    available: bool
    problems: tuple[Finding, ...] = ()
    head: str | None = None
    commits: Mapping[str, Commit] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    files: Mapping[str, FileHistory] = field(default_factory=dict)
    worktree: Mapping[str, WorktreeState] = field(default_factory=dict)
    signatures_checked: bool = False
    repo_root: str | None = None
    changes_by_commit: Mapping[str, tuple[FileChange, ...]] = field(default_factory=dict)
    # Every tag of the repository (GTO registrations and stage assignments), history/tags.py.
    tags: tuple[GitTag, ...] = ()

    def file(self, path: str) -> FileHistory | None:
        """The history of the file now at ``path`` (repository-relative), if any."""
        return self.files.get(path)

    def commit(self, sha: str) -> Commit | None:
        """The commit ``sha`` (full hash), if it was part of the pass."""
        return self.commits.get(sha)

    def state(self, path: str) -> WorktreeState:
        """The working-tree state of ``path``; CLEAN when not listed."""
        return self.worktree.get(path, WorktreeState.CLEAN)


@dataclass(frozen=True, slots=True)
class VersionProvenance:
    """Where one model version came from in Git, read from its model file's revisions.

    Attributes:
        key: ``model@version`` (the model id as the current records name it).
        created_sha: the commit that created the version: the newest commit whose
            model file lists the version while none of its parents' did (a version
            removed and added again was created by the re-adding commit).
        created_at: that commit's author date.
        content_commits: the commits that changed the version's content, newest
            first: its entry minus ``stage`` differs from the entry in every parent
            (creation included). A promotion that changes only ``stage:``, an edit of
            the model card or of another version, and a merge that takes one side's
            entry unchanged are not content changes.
    """

    key: str
    created_sha: str
    created_at: datetime
    content_commits: tuple[str, ...] = ()

    @property
    def last_content_commit(self) -> str | None:
        """The newest commit that changed the version's content, if any."""
        return self.content_commits[0] if self.content_commits else None


@dataclass(frozen=True, slots=True)
class VersionRevision:
    """One content of a model version's entry, and the commit that wrote it.

    Attributes:
        sha: the commit whose model file first had this entry (oldest first along
            the file's history; a promotion, which changes only ``stage``, makes none).
        content: the entry without ``stage``, as canonical JSON (what
            [`version_content`][mkdocs_governance.records.digest.version_content] gives).
    """

    sha: str
    content: bytes


def unavailable(*problems: Finding) -> History:
    """A History that says provenance cannot be checked, and why."""
    return History(available=False, problems=tuple(problems))
