"""The one pipeline both adapters (MkDocs plugin, CLI) call.

records -> history -> policy, in that order; nothing here imports MkDocs. The site
layer renders a [`GovernanceRun`][mkdocs_governance.core.GovernanceRun]; the CLI
prints its report.

With a base ref (a pull request's target branch), the records are also loaded as they
were at the base, straight from Git objects (the working tree is not touched), both
sides are evaluated, the head is judged with the base's ``policy.yaml`` and
``people.yaml`` (``policy-changed``), and the difference is a
[`ChangeSet`][mkdocs_governance.policy.changes.ChangeSet].

**Which base.** The base is the *merge base* of the ref and HEAD (``git merge-base REF
HEAD``), as in GitHub's three-dot pull-request diff: the change shows what the branch
did since it forked, not the reverse of what landed on the target meanwhile.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .findings import Code, Finding, error, warning
from .history import HistoryError, read_history
from .history.blobs import read_blobs_at, read_tree_blobs
from .history.content import RecordContent, read_record_content
from .history.gitcmd import GitRunner
from .history.model import FileHistory, History, VersionProvenance, VersionRevision
from .history.provenance import (
    ModelRevisions,
    derive_provenance,
    derive_version_revisions,
    read_model_revisions,
)
from .history.record_signatures import RecordSignature, verify_record_signature
from .history.requirements import RequirementChange, derive_requirement_changes
from .policy import evaluate
from .policy.changes import ChangeSet, compare
from .policy.deployments import ProductionFacts
from .policy.model import GateReport
from .records import load_registry, load_registry_from_blobs
from .records.loader import parse_signoff_blob
from .records.model import Registry, SignOff, Verification, empty_registry
from .records.signed import record_payload


@dataclass(frozen=True, slots=True)
class GovernanceRun:
    """Everything one evaluation produced.

    Attributes:
        repo_root: the repository work tree (or the folder holding the records
            when there is no repository).
        registry: the loaded records.
        history: the git history of the records folder.
        report: the gate's findings and per-version checklists.
        changes: with a base ref, what this change does to governance compared with
            the base (None without a base ref, or when the base could not be read:
            the report then holds a ``history-unavailable`` finding saying why).
        base_report: with a base ref, the gate's report on the base.
        version_revisions: ``model@version`` -> the successive entries of the
            version (without ``stage``) and the commits that wrote them, newest
            first, from the model-file revisions read for provenance (empty when
            history is unavailable). The site matches a stale sign-off's
            ``subject`` with one of them to say what changed since the review.
    """

    repo_root: Path
    registry: Registry
    history: History
    report: GateReport
    changes: ChangeSet | None = None
    base_report: GateReport | None = None
    version_revisions: Mapping[str, tuple[VersionRevision, ...]] = field(default_factory=dict)
    # Deployments and served traffic judged at their moments (production.py), if any.
    production: ProductionFacts | None = None


@dataclass(frozen=True, slots=True)
class BaseSide:
    """The records as they were at the merge base, judged on their own.

    Attributes:
        ref: the ref the user named.
        commit: the merge base of ``ref`` and HEAD.
        registry: the records at ``commit``.
        history: the history pass restricted to commits reachable from ``commit``.
        findings: the records layer's findings at ``commit``.
        tip: the commit ``ref`` names (the base branch as it is now).
        rules: the records at ``tip``: their people and policy judge the change, since
            they are the rules in force once it is merged (a branch forked before a
            role was revoked is judged without that role).
    """

    ref: str
    commit: str
    registry: Registry
    history: History
    findings: tuple[Finding, ...]
    tip: str = ""
    rules: Registry | None = None


def run_governance(
    records_dir: Path,
    *,
    repo_root: Path | None = None,
    as_of: date | None = None,
    history: History | None = None,
    base_ref: str | None = None,
    config_findings: tuple[Finding, ...] = (),
) -> GovernanceRun:
    """Load the records, read their history and evaluate the policy.

    Args:
        records_dir: the records folder (absolute, or relative to the cwd).
        repo_root: the repository root; found from ``records_dir`` when omitted.
        as_of: the day date rules are judged on (default: today).
        history: a history already read (the plugin's serve cache), if any.
        base_ref: a pull request's base (``origin/main``): judge the change against
            the merge base of this ref and HEAD and put the difference on
            ``GovernanceRun.changes``. A ref that cannot be read gives a
            ``history-unavailable`` error finding instead, never an exception.
        config_findings: findings the adapter made about the configuration (a pull
            request that edits a verdict-shaping option of ``mkdocs.yml``).
    """
    # Not resolved: the loader (records/discovery.py) must see, and refuse with one
    # finding, a records folder that is a symbolic link, has one on the way to it, or
    # leads outside the repository; a resolved path would read the link's target.
    records_dir = Path(os.path.abspath(records_dir))
    root = (repo_root or _find_repo_root(records_dir)).resolve()
    loaded = load_registry(records_dir, repo_root=root)
    registry = loaded.registry
    if history is None:
        history = read_history(root, [registry.records_dir], signatures=_wants_signatures(registry))
    findings: list[Finding] = [*loaded.findings, *config_findings]
    judged_on = as_of or date.today()

    base: BaseSide | None = None
    if base_ref:
        try:
            base = load_base(root, registry.records_dir, base_ref, history)
            wants = _wants_signatures(base.registry) or bool(
                base.rules and _wants_signatures(base.rules)
            )
            if wants and not history.signatures_checked:
                # The base's rules judge the change: a pull request that switches
                # require_signed_commits off must still have its signatures checked.
                history = read_history(root, [registry.records_dir], signatures=True)
                base = load_base(root, registry.records_dir, base_ref, history)
        except HistoryError as problem:
            findings.append(_base_unavailable(base_ref, str(problem)))

    revisions = _model_revisions(root, registry, history, findings)
    content = _record_content(root, registry, history, "HEAD", findings)
    production = _production(root, registry, history, revisions, judged_on, findings)
    judging = (base.rules or base.registry) if base else registry
    if judging.policy is None:
        judging = registry
    report = evaluate(
        registry,
        history,
        as_of=judged_on,
        record_findings=findings,
        base=base.registry if base else None,
        provenance=_provenance(registry, history, revisions),
        rules_from=base.rules if base else None,
        content=content,
        former_signoffs=_former_signoffs(registry, content),
        requirement_changes=_requirement_changes(registry, history, revisions),
        record_signatures=_record_signatures(registry),
        production=production,
        roles_when_signed=_roles_when_signed(
            root, registry, judging, content, set(base.history.commits) if base else None
        ),
    )
    version_revisions = _version_revisions(registry, history, revisions)
    if base is None:
        return GovernanceRun(
            root,
            registry,
            history,
            report,
            version_revisions=version_revisions,
            production=production,
        )

    base_findings = list(base.findings)
    base_content = _record_content(root, base.registry, base.history, base.commit, base_findings)
    base_report = evaluate(
        base.registry,
        base.history,
        as_of=judged_on,
        record_findings=base_findings,
        provenance=_provenance(base.registry, base.history, revisions),
        content=base_content,
        former_signoffs=_former_signoffs(base.registry, base_content),
        requirement_changes=_requirement_changes(base.registry, base.history, revisions),
        record_signatures=_record_signatures(base.registry),
    )
    changes = compare(
        base.registry,
        registry,
        base_report=base_report,
        head_report=report,
        base_ref=base.ref,
        base_commit=base.commit,
        head_commit=history.head,
    )
    return GovernanceRun(
        root, registry, history, report, changes, base_report, version_revisions, production
    )


def _production(
    root: Path,
    registry: Registry,
    history: History,
    revisions: ModelRevisions | None,
    as_of: date,
    findings: list[Finding],
) -> ProductionFacts | None:
    """Deployments and served traffic, each judged at its moment (see ``production``)."""
    from .production import gather_production

    return gather_production(
        root,
        registry,
        history,
        revisions,
        as_of=as_of,
        provenance=_provenance(registry, history, revisions),
        record_findings=findings,
    )


def load_base(repo_root: Path, records_dir: str, base_ref: str, history: History) -> BaseSide:
    """Load the records at the merge base of ``base_ref`` and HEAD, from Git objects.

    Args:
        repo_root: the repository work tree.
        records_dir: repository-relative records folder.
        base_ref: the ref to compare with (branch, remote branch, tag or commit).
        history: the head's history pass (reused: the base's commits are a subset).

    Raises:
        HistoryError: no usable history, an unknown ref, or no common ancestor; the
            message says how to fix it.
    """
    if not history.available:
        reasons = " ".join(f.message for f in history.problems)
        raise HistoryError(f"the repository's history cannot be read. {reasons}".strip())
    git = GitRunner(repo_root)
    tip, commit = _merge_base(git, base_ref)
    reachable = _git_lines(git, ["rev-list", commit, "--"])
    registry, findings = _registry_at(repo_root, commit, records_dir)
    rules = registry if tip == commit else _registry_at(repo_root, tip, records_dir)[0]
    return BaseSide(
        ref=base_ref,
        commit=commit,
        registry=registry,
        history=history_at(history, commit, set(reachable)),
        findings=findings,
        tip=tip,
        rules=rules,
    )


def _registry_at(
    repo_root: Path, commit: str, records_dir: str
) -> tuple[Registry, tuple[Finding, ...]]:
    """The records as they are at ``commit``, read from Git objects."""
    blobs = read_tree_blobs(repo_root, commit, records_dir)
    if not blobs:
        # The change introduces the records: the base had no governance, which is not
        # a failing gate (the loader would report a missing policy.yaml and people.yaml).
        return empty_registry(records_dir), ()
    loaded = load_registry_from_blobs(blobs, records_dir)
    return loaded.registry, tuple(loaded.findings)


def history_at(history: History, commit: str, reachable: set[str]) -> History:
    """``history`` as it was at ``commit``: only the commits reachable from it.

    Per-file histories keep only those commits' changes and are keyed by the path
    the file had at ``commit``; there is no working tree at a commit, so no file is
    uncommitted. Used to judge the base of a pull request with the same history pass
    as the head (one ``git log``, not two).
    """
    files: dict[str, FileHistory] = {}
    for file_history in history.files.values():
        kept = tuple(c for c in file_history.changes if c.sha in reachable)
        if kept:
            files[kept[0].path] = FileHistory(kept[0].path, kept)
    return replace(
        history,
        head=commit,
        commits={sha: c for sha, c in history.commits.items() if sha in reachable},
        order=tuple(sha for sha in history.order if sha in reachable),
        files=files,
        worktree={},
        changes_by_commit={
            sha: changes for sha, changes in history.changes_by_commit.items() if sha in reachable
        },
    )


def _model_revisions(
    root: Path, registry: Registry, history: History, findings: list[Finding]
) -> ModelRevisions | None:
    """Every revision of the model files (one ``cat-file`` process), for provenance.

    A failure leaves the gate on its fallbacks (model file's first commit as the
    versions' creation, declared authors only) and says so in a warning.
    """
    if not history.available:
        return None
    try:
        return read_model_revisions(root, history, f"{registry.records_dir}/models")
    except HistoryError as problem:
        findings.append(
            warning(
                Code.HISTORY_UNAVAILABLE,
                f"{registry.records_dir}/models",
                f"The model files' earlier revisions could not be read ({problem}), so "
                "the commits that created and changed each version are unknown: "
                "implausible-date falls back on the model file's first commit and "
                "separation-of-duties compares only declared authors and owners.",
            )
        )
        return None


def _record_content(
    root: Path, registry: Registry, history: History, head: str, findings: list[Finding]
) -> RecordContent | None:
    """Which commits wrote each sign-off and verification file's current content.

    A failure leaves the gate on the commits that touched each path, and says so.
    """
    if not history.available or history.head is None:
        return None
    folders = [f"{registry.records_dir}/signoffs", f"{registry.records_dir}/verifications"]
    try:
        return read_record_content(root, folders, head=head)
    except HistoryError as problem:
        findings.append(
            warning(
                Code.HISTORY_UNAVAILABLE,
                registry.records_dir,
                f"Which commits wrote the records' current content could not be read "
                f"({problem}); the gate falls back on the commits that touched each file.",
            )
        )
        return None


def _former_signoffs(
    registry: Registry, content: RecordContent | None
) -> list[tuple[SignOff, tuple[str, ...]]]:
    """The sign-offs files held before (replaced or deleted), with who removed them."""
    if content is None:
        return []
    prefix = f"{registry.records_dir}/signoffs/"
    former = []
    for replaced in content.replaced:
        if not replaced.path.startswith(prefix):
            continue
        signoff = parse_signoff_blob(replaced.path, replaced.data)
        if signoff is not None:
            former.append((signoff, replaced.removed_by))
    return former


def _provenance(
    registry: Registry, history: History, revisions: ModelRevisions | None
) -> dict[str, VersionProvenance] | None:
    """Each version's creating and content-changing commits, keyed ``model@version``."""
    if revisions is None or not history.available:
        return None
    model_ids = {model.location.file: model.id for model in registry.models.values()}
    return derive_provenance(history, revisions, model_ids)


def _roles_when_signed(
    root: Path,
    registry: Registry,
    judging: Registry,
    content: RecordContent | None,
    trusted: set[str] | None,
) -> dict[str, tuple[str, ...]]:
    """For each sign-off whose approver no longer holds its role, the roles they held in
    people.yaml at the commit that wrote the sign-off (one ``cat-file`` for all).

    In pull-request mode only commits already on the base count (``trusted``): a role
    granted on the branch itself was never in force.
    """
    if content is None:
        return {}
    people_path = f"{registry.records_dir}/people.yaml"
    wanted: dict[str, str] = {}
    for signoff in registry.signoffs:
        person = judging.people.get(signoff.approver)
        writers = content.writers(signoff.location.file)
        lost = person is not None and signoff.role not in person.roles and bool(writers)
        if lost and (trusted is None or writers[-1] in trusted):
            wanted[signoff.location.file] = writers[-1]
    if not wanted:
        return {}
    try:
        blobs = read_blobs_at(root, {(sha, people_path) for sha in wanted.values()})
    except HistoryError:
        return {}
    held: dict[str, tuple[str, ...]] = {}
    for path, sha in wanted.items():
        data = blobs.get((sha, people_path))
        if data is None:
            continue
        then = load_registry_from_blobs({people_path: data}, registry.records_dir).registry
        approver = next(s.approver for s in registry.signoffs if s.location.file == path)
        person = then.people.get(approver)
        if person is not None:
            held[path] = person.roles
    return held


def _record_signatures(registry: Registry) -> dict[str, RecordSignature]:
    """Check the ``signature:`` of every signed sign-off and verification."""
    checked = {}
    records: list[SignOff | Verification] = [*registry.signoffs, *registry.verifications]
    for record in records:
        if record.signature:
            checked[record.location.file] = verify_record_signature(
                record_payload(record), record.signature
            )
    return checked


def _requirement_changes(
    registry: Registry, history: History, revisions: ModelRevisions | None
) -> dict[str, tuple[RequirementChange, ...]]:
    """Per model, the commits that lowered its risk tier or changed its owner."""
    if revisions is None or not history.available:
        return {}
    model_ids = {model.location.file: model.id for model in registry.models.values()}
    return derive_requirement_changes(history, revisions, model_ids)


def _version_revisions(
    registry: Registry, history: History, revisions: ModelRevisions | None
) -> dict[str, tuple[VersionRevision, ...]]:
    """Each version's successive entries, from the revisions already read."""
    if revisions is None or not history.available:
        return {}
    model_ids = {model.location.file: model.id for model in registry.models.values()}
    return derive_version_revisions(history, revisions, model_ids)


def _wants_signatures(registry: Registry) -> bool:
    return bool(registry.policy and registry.policy.rules.require_signed_commits)


def _merge_base(git: GitRunner, base_ref: str, *, merge: bool = True) -> tuple[str, str]:
    """``(tip, merge base)``: the commit ``base_ref`` names and its merge base with HEAD
    (the tip twice when ``merge`` is false)."""
    if base_ref.startswith("-"):
        # A ref is never an option: refuse before git reads it as one.
        raise HistoryError(f"`{base_ref}` is not a ref; name a branch, tag or commit.")
    _refuse_ambiguous(git, base_ref)
    resolved = git.run(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{base_ref}^{{commit}}"]
    )
    if resolved.status != 0:
        raise HistoryError(
            f"the base ref `{base_ref}` does not name a commit in this clone. Fetch it first, "
            f"e.g. `git fetch origin main:refs/remotes/origin/main` for `origin/main` "
            f"(GitHub Actions: actions/checkout with `fetch-depth: 0`; GitLab: `GIT_DEPTH: 0` "
            f"and a fetch of the target branch)."
        )
    (sha,) = resolved.stdout.decode().split()
    if not merge:
        return sha, sha
    base = git.run(["merge-base", sha, "HEAD"])
    if base.status != 0 or not base.stdout.strip():
        raise HistoryError(
            f"`{base_ref}` and HEAD have no common ancestor, so there is no pull-request "
            f"diff to show. Compare with the branch this one was created from, and make "
            f"sure the clone has full history (`git fetch --unshallow`)."
        )
    return sha, base.stdout.decode().split()[0]


# Where git looks for a short ref name, in its order (gitrevisions(7)).
_REF_RULES = ("refs/{}", "refs/tags/{}", "refs/heads/{}", "refs/remotes/{}", "refs/remotes/{}/HEAD")


def _refuse_ambiguous(git: GitRunner, base_ref: str) -> None:
    """Refuse a base name that more than one ref (or a ref and a commit id) answers to.

    ``git rev-parse origin/main`` prefers a tag ``refs/tags/origin/main`` over the
    remote branch, so whoever can push a tag would choose the base the change is
    judged against. A full name (``refs/remotes/origin/main``) is never ambiguous.
    """
    if base_ref.startswith("refs/") or base_ref in ("HEAD", "FETCH_HEAD", "ORIG_HEAD"):
        return
    listing = git.run(["for-each-ref", "--format=%(refname)"])
    if listing.status != 0:
        raise HistoryError(f"git for-each-ref failed: {listing.stderr.strip()}")
    refs = set(listing.stdout.decode("utf-8", "replace").split())
    name = base_ref.split("^", 1)[0].split("~", 1)[0]
    matches = [rule.format(name) for rule in _REF_RULES if rule.format(name) in refs]
    if re.fullmatch(r"[0-9a-fA-F]{4,64}", name) and matches:
        # `--disambiguate` lists the objects whose id starts so, never refs.
        objects = git.run(["rev-parse", f"--disambiguate={name.lower()}"])
        if objects.status == 0 and objects.stdout.strip():
            matches.append(f"the object id {name}")
    if len(matches) > 1:
        raise HistoryError(
            f"the base ref `{base_ref}` is ambiguous: it names {' and '.join(f'`{m}`' for m in matches)}, "
            "and git would silently pick one (a tag can shadow a remote branch). Pass the "
            "full ref name instead, e.g. `--base refs/remotes/origin/main`."
        )


def _git_lines(git: GitRunner, args: list[str]) -> list[str]:
    result = git.run(args)
    if result.status != 0:
        raise HistoryError(f"git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout.decode().split()


def _base_unavailable(base_ref: str, reason: str) -> Finding:
    return error(
        Code.HISTORY_UNAVAILABLE,
        base_ref,
        f"Cannot compare with the base ref `{base_ref}`: {reason} Without the base, a change "
        f"to policy.yaml or people.yaml cannot be judged with the trusted rules.",
    )


def resolve_base_tip(repo_root: Path, base_ref: str) -> str:
    """The commit ``base_ref`` names, refusing an ambiguous name (see ``_refuse_ambiguous``).

    Raises:
        HistoryError: the ref is ambiguous, an option, or names no commit.
    """
    return _merge_base(GitRunner(repo_root), base_ref, merge=False)[0]


def find_repo_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.git``; else ``start``'s parent."""
    return _find_repo_root(start)


def _find_repo_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.git``; else ``start``'s parent.

    A records folder that is itself a symbolic link is not a candidate: a ``.git``
    inside it is the link target's, and that repository is not the one the link was
    committed to (the loader refuses the link).
    """
    for candidate in (start, *start.parents):
        if candidate == start and start.is_symlink():
            continue
        if (candidate / ".git").exists():
            return candidate
    return start.parent
