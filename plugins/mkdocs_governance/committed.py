"""What CI on a clean clone will say, judged from a working tree.

``check`` reads the working tree, but CI judges a fresh clone of the last commit: a
verification written and never ``git add``-ed, a promotion not committed yet, a record
hidden by ``.gitignore``, each makes the two verdicts differ. This module finds the
record files whose working-tree content is not the committed content, and when there
are any, judges the committed state the way CI does: in a real clean clone of HEAD
(``git clone --shared``, records folder checked out, nothing copied from the working
tree), with the same as-of day and base. The CLI then names each differing file and
the findings that differ, so the local verdict is never silently CI's opposite.

Core-level (no MkDocs); runs git, so it is called by the adapters, not by the policy.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .core import GovernanceRun, run_governance
from .findings import Finding
from .history import HistoryError
from .history.blobs import read_tree_blobs
from .history.gitcmd import GitRunner
from .history.model import WorktreeState
from .policy.model import GateReport

RECORD_SUFFIXES = (".yaml", ".yml", ".md")


@dataclass(frozen=True, slots=True)
class UncommittedFile:
    """A record file whose working-tree content is not what HEAD holds.

    Attributes:
        path: repository-relative POSIX path.
        state: in words: ``untracked``, ``staged, not committed``, ``modified, not
            committed``, ``deleted, not committed`` or ``ignored by .gitignore``.
    """

    path: str
    state: str


@dataclass(frozen=True, slots=True)
class CommittedVerdict:
    """The committed state's verdict beside the working tree's.

    Attributes:
        head: the commit a clean clone checks out.
        files: the record files that differ from it (empty: the verdicts are one).
        report: the gate's report on a clean clone of ``head`` (None when no file
            differs, or the clone could not be judged: see ``problem``).
        appear: findings a clean clone gets that the working tree does not.
        disappear: findings of the working tree that a clean clone does not get.
        problem: why the committed state could not be judged, if it could not.
    """

    head: str
    files: tuple[UncommittedFile, ...]
    report: GateReport | None = None
    appear: tuple[Finding, ...] = ()
    disappear: tuple[Finding, ...] = ()
    problem: str | None = None

    @property
    def differs(self) -> bool:
        """True when a clean clone gets other errors than the working tree (or none at all)."""
        if self.problem is not None:
            return bool(self.files)
        return any(f.is_error for f in (*self.appear, *self.disappear))


def _key(finding: Finding) -> tuple[str, str, str, str | None]:
    # Lines shift when a file is edited; the code, subject and file say what it is about.
    return (finding.code, finding.severity, finding.subject, finding.file)


def uncommitted_record_files(run: GovernanceRun) -> tuple[UncommittedFile, ...]:
    """The record files whose working-tree content differs from HEAD's.

    Compares bytes (disk against the tree of HEAD), so a file that ``git status``
    does not show, one ignored by ``.gitignore``, is found too.

    Raises:
        HistoryError: HEAD's tree cannot be read.
    """
    history = run.history
    if not history.available or history.head is None:
        return ()
    records_dir = run.registry.records_dir
    committed = read_tree_blobs(run.repo_root, history.head, records_dir)
    on_disk: dict[str, Path] = {}
    folder = run.repo_root / records_dir
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if (path.is_file() or path.is_symlink()) and path.suffix.lower() in RECORD_SUFFIXES:
                on_disk[path.relative_to(run.repo_root).as_posix()] = path
    files: list[UncommittedFile] = []
    for relative in sorted(set(on_disk) | {p for p in committed if p.endswith(RECORD_SUFFIXES)}):
        state = history.worktree.get(relative, WorktreeState.CLEAN)
        if relative not in committed:
            if state is WorktreeState.STAGED:
                files.append(UncommittedFile(relative, "staged, not committed"))
            elif state is WorktreeState.UNTRACKED:
                files.append(UncommittedFile(relative, "untracked (never git add-ed)"))
            else:
                files.append(UncommittedFile(relative, "ignored by .gitignore, never committed"))
        elif relative not in on_disk:
            files.append(UncommittedFile(relative, "deleted, not committed"))
        elif not _same_content(on_disk[relative], committed[relative]):
            what = "staged, not committed" if state is WorktreeState.STAGED else "modified"
            files.append(UncommittedFile(relative, f"{what}, not committed"))
    return tuple(files)


def _same_content(path: Path, blob: bytes) -> bool:
    """Whether ``path`` holds ``blob``, as Git would store it (a symlink as its target).

    The size is compared first, so a huge or special file is never read whole.
    """
    try:
        if path.is_symlink():
            return os.fsencode(os.readlink(path)) == blob
        if path.stat().st_size != len(blob):
            return False
        return path.read_bytes() == blob
    except OSError:
        return False


def judge_committed(
    run: GovernanceRun, *, as_of: date, base_ref: str | None = None
) -> CommittedVerdict | None:
    """The verdict of a clean clone of HEAD, when the working tree differs from it.

    Returns None when there is no history (no commit, not a repository: the
    working tree is all there is, and the report says so already).
    """
    history = run.history
    if not history.available or history.head is None:
        return None
    try:
        files = uncommitted_record_files(run)
    except HistoryError as problem:
        return CommittedVerdict(history.head, (), problem=str(problem))
    if not files:
        return CommittedVerdict(history.head, ())
    if not any(f.state.startswith(("modified", "deleted")) for f in files) and not _has_records(
        run
    ):
        return CommittedVerdict(
            history.head,
            files,
            problem=f"HEAD has no {run.registry.records_dir}/ at all: on a clean clone "
            "`mkdocs-governance check` stops because the records folder does not exist",
        )
    try:
        report = _judge_clean_clone(run, history.head, as_of=as_of, base_ref=base_ref)
    except HistoryError as problem:
        return CommittedVerdict(history.head, files, problem=str(problem))
    here = {_key(f) for f in run.report.findings}
    there = {_key(f) for f in report.findings}
    return CommittedVerdict(
        history.head,
        files,
        report,
        appear=tuple(f for f in report.findings if _key(f) not in here),
        disappear=tuple(f for f in run.report.findings if _key(f) not in there),
    )


def _has_records(run: GovernanceRun) -> bool:
    """Whether HEAD holds anything under the records folder."""
    listing = GitRunner(run.repo_root).run(
        ["ls-tree", "--name-only", str(run.history.head), "--", run.registry.records_dir]
    )
    return listing.status == 0 and bool(listing.stdout.strip())


def _judge_clean_clone(
    run: GovernanceRun, head: str, *, as_of: date, base_ref: str | None
) -> GateReport:
    """Clone the repository (sharing its objects), check out the records at ``head``, judge."""
    git = GitRunner(run.repo_root)
    common = git.run(["rev-parse", "--path-format=absolute", "--git-common-dir"])
    if common.status != 0:
        raise HistoryError(f"git rev-parse failed: {common.stderr.strip()}")
    source = common.stdout.decode("utf-8", "replace").strip()
    base_sha = None
    if base_ref:
        # The clone has no remote-tracking refs of its own: name the base by its commit.
        resolved = git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", base_ref])
        base_sha = resolved.stdout.decode().strip() if resolved.status == 0 else base_ref
    records_dir = run.registry.records_dir
    with tempfile.TemporaryDirectory(prefix="governance-clean-clone-") as scratch:
        clone = Path(scratch) / "clone"
        steps = (
            (git, ["clone", "--quiet", "--shared", "--no-checkout", source, str(clone)]),
            (GitRunner(clone), ["update-ref", "--no-deref", "HEAD", head]),
            (GitRunner(clone), ["checkout", "--quiet", head, "--", records_dir]),
        )
        for runner, args in steps:
            result = runner.run(args)
            if result.status != 0:
                raise HistoryError(f"git {args[0]} failed: {result.stderr.strip()}")
        clean = run_governance(clone / records_dir, repo_root=clone, as_of=as_of, base_ref=base_sha)
    return clean.report


def describe(verdict: CommittedVerdict, *, shown: str = "check") -> str:
    """The text ``check`` prints after its report: loud when a clean clone differs."""
    if not verdict.files:
        return ""
    listing = "".join(f"  {f.path}: {f.state}\n" for f in verdict.files)
    count = len(verdict.files)
    files = f"{count} record file{'s' if count != 1 else ''}"
    paths = " ".join(f.path for f in verdict.files if not f.state.startswith("deleted"))
    how = f"Commit them (`git add {paths} && git commit`) " if paths else "Commit the deletions "
    if not verdict.differs:
        return (
            f"note: {files} in this working tree differ{'s' if count == 1 else ''} from the "
            f"last commit; a clean clone of it (what CI checks out) gets the same "
            f"errors:\n{listing}"
        )
    lines = [
        f"WARNING: this verdict is not CI's. {files} in this working tree "
        f"differ{'s' if count == 1 else ''} from the last commit, and a clean clone "
        f"of it (what CI checks out) is judged differently:",
        listing.rstrip("\n"),
    ]
    if verdict.problem is not None or verdict.report is None:
        lines.append(f"On a clean clone: {verdict.problem}.")
    else:
        errors = verdict.report.errors
        warnings = len(verdict.report.findings) - len(errors)
        state = "failed" if errors else "passed"
        lines.append(
            f"On a clean clone the gate {state}: {len(errors)} error"
            f"{'s' if len(errors) != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}."
        )
        appear = [f for f in verdict.appear if f.is_error]
        if appear:
            lines.append("Errors only a clean clone gets:")
            lines.extend(f"  {f.format_line()}" for f in appear)
        gone = [f for f in verdict.disappear if f.is_error]
        if gone and errors:  # when the clone passes, the report above lists them all
            lines.append("Errors of this working tree that a clean clone does not get:")
            lines.extend(f"  {f.format_line()}" for f in gone)
    if any(f.state.startswith("ignored") for f in verdict.files):
        how += "(`git add -f` for an ignored file, or fix .gitignore) "
    lines.append(f"{how}so that CI judges what you judge here.")
    return "\n".join(lines) + "\n"
