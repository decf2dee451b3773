"""What a change (a pull request) does to governance: base vs head, as a typed ChangeSet.

Pure: two registries and their two gate reports in, a
[`ChangeSet`][mkdocs_governance.policy.changes.ChangeSet] out. No Git, no files; the core
loads the base registry from Git objects and evaluates both sides before calling
[`compare`][mkdocs_governance.policy.changes.compare].

How things are matched between base and head:

- models, datasets and experiments by ``id``; model versions by ``model@version``. The
  same id in another file is a **rename**, never "removed + added".
- decisions by ``id`` (the file stem); a removed and an added decision with the same
  number and title (or the same text) are a rename.
- sign-offs and verifications by file; a removed and an added file with the same content
  are a rename.
- findings by ``(code, subject, file, message)`` with the file mapped through renames and
  digests/commit hashes in the message masked, so a line shift or a new digest does not
  make an old finding look new. Line numbers are not part of the identity.

A sign-off (or verification) is **made stale by this change** when its ``subject``
equals the version's digest at the base but not at the head: someone reviewed the
version as it was, and this change alters what they reviewed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from ..findings import Code, Finding, sort_findings
from ..records.digest import version_digest
from ..records.model import Registry, SignOff, Verification
from .model import GateReport

# GitHub rejects issue comments longer than 65,536 characters; leave room for the marker
# and footer the workflow adds around the summary.
GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MARKDOWN_LIMIT = 60_000
# Per-section cap: a PR comment is for scanning, the preview site has everything.
SECTION_LIMIT = 40


class Change(StrEnum):
    """How a record differs between base and head."""

    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    RENAMED = "renamed"


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A model, model version, dataset, experiment or decision added/removed/changed.

    Attributes:
        kind: ``model``, ``version``, ``dataset``, ``experiment`` or ``decision``.
        id: the record id (``model@version`` for a version).
        change: added, removed, modified or renamed.
        file: the head file (None when removed).
        old_file: the base file (None when added).
        title: a human name (model name, experiment title, decision title).
        fields: for a modification, the fields that differ (sorted).
    """

    kind: str
    id: str
    change: Change
    file: str | None
    old_file: str | None
    title: str = ""
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StageChange:
    """A model version moved between stages (``staging → production``).

    Attributes:
        key: ``model@version``.
        before: the stage at the base.
        after: the stage at the head.
        direction: ``promotion`` (later stage), ``demotion`` (earlier) or ``moved``
            (a stage the policy does not order).
        file: the model file at the head.
        line: the version's line at the head.
        errors: the head's error findings about this version: what the promotion lacks.
    """

    key: str
    before: str
    after: str
    direction: str
    file: str
    line: int
    errors: tuple[Finding, ...] = ()

    @property
    def blocked(self) -> bool:
        """True when the version does not meet the requirements of its new stage."""
        return bool(self.errors)


@dataclass(frozen=True, slots=True)
class SignoffChange:
    """A sign-off record added, removed, changed or renamed.

    Attributes:
        change: added, removed, modified or renamed.
        file: the head file (None when removed).
        old_file: the base file (None when added).
        key: ``model@version`` signed off.
        stage: the stage approved (or rejected).
        approver: the approver's person id.
        approver_name: the approver's name from ``people.yaml`` (the id when unknown).
        role: the role signed for.
        decision: ``approved`` or ``rejected`` (at the head; at the base when removed).
        previous_decision: the base decision when modified.
        fields: for a modification, the fields that differ.
    """

    change: Change
    file: str | None
    old_file: str | None
    key: str
    stage: str
    approver: str
    approver_name: str
    role: str
    decision: str
    previous_decision: str | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VerificationChange:
    """A verification record added, removed, changed or renamed.

    Attributes:
        change: added, removed, modified or renamed.
        file: the head file (None when removed).
        old_file: the base file (None when added).
        key: ``model@version`` verified.
        check: the check id.
        status: ``passed``, ``failed`` or ``waived`` (at the head; base when removed).
        previous_status: the base status when modified.
        performed_by: person id or pipeline name.
        fields: for a modification, the fields that differ.
    """

    change: Change
    file: str | None
    old_file: str | None
    key: str
    check: str
    status: str
    performed_by: str
    previous_status: str | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StaleApproval:
    """A sign-off or verification that reviewed the base's version, not the head's.

    Attributes:
        kind: ``signoff`` or ``verification``.
        file: the record file (head path).
        key: ``model@version``.
        what: the stage (sign-off) or check id (verification).
        person: approver, or who performed the check.
        role: the role signed for (empty for a verification).
        base_digest: the version digest at the base (what was reviewed).
        head_digest: the version digest at the head.
        person_name: the person's name from ``people.yaml`` (``person`` when unknown,
            e.g. a pipeline).
    """

    kind: str
    file: str
    key: str
    what: str
    person: str
    role: str
    base_digest: str
    head_digest: str
    person_name: str = ""


@dataclass(frozen=True, slots=True)
class MetricChange:
    """One metric of a model version or an experiment, before and after.

    Attributes:
        kind: ``version`` or ``experiment``.
        subject: ``model@version`` or the experiment id.
        metric: the metric name.
        before: the base value (None when the metric is new).
        after: the head value (None when the metric was removed).
    """

    kind: str
    subject: str
    metric: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        """``after - before`` when both exist."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Everything a change does to governance, compared with its base.

    Attributes:
        base_ref: the ref the user named (``origin/main``).
        base_commit: the commit compared against (the merge base of ``base_ref`` and HEAD).
        head_commit: the HEAD commit (None without history).
        gate_before: whether the gate passed at the base.
        gate_after: whether the gate passes at the head.
        stage_changes: versions moved between stages.
        records: models, versions, datasets, experiments, decisions added/removed/changed.
        signoffs: sign-offs added/removed/changed/renamed.
        verifications: verifications added/removed/changed/renamed.
        stale: approvals this change made stale.
        findings_introduced: head findings with no counterpart at the base.
        findings_resolved: base findings with no counterpart at the head.
        metric_changes: metrics of versions and experiments that changed.
        policy_changes: ``policy.yaml``/``people.yaml`` files whose content changed.
        base_has_policy: whether the base had a policy to judge the change with (a
            change that introduces the records has none: its own rules apply).
    """

    base_ref: str
    base_commit: str | None
    head_commit: str | None
    gate_before: bool
    gate_after: bool
    stage_changes: tuple[StageChange, ...] = ()
    records: tuple[RecordChange, ...] = ()
    signoffs: tuple[SignoffChange, ...] = ()
    verifications: tuple[VerificationChange, ...] = ()
    stale: tuple[StaleApproval, ...] = ()
    findings_introduced: tuple[Finding, ...] = ()
    findings_resolved: tuple[Finding, ...] = ()
    metric_changes: tuple[MetricChange, ...] = ()
    policy_changes: tuple[str, ...] = ()
    base_has_policy: bool = True

    @property
    def count(self) -> int:
        """How many governance changes: stage moves, records, sign-offs, verifications
        and policy files (findings and stale approvals are consequences, not changes)."""
        return (
            len(self.stage_changes)
            + len(self.records)
            + len(self.signoffs)
            + len(self.verifications)
            + len(self.policy_changes)
        )

    @property
    def is_empty(self) -> bool:
        """True when the change does nothing to governance."""
        return self.count == 0 and not self.findings_introduced and not self.findings_resolved

    @property
    def errors_introduced(self) -> list[Finding]:
        """Introduced findings that fail the gate."""
        return [f for f in self.findings_introduced if f.is_error]

    @property
    def promotions(self) -> list[StageChange]:
        """Stage changes towards a later stage."""
        return [c for c in self.stage_changes if c.direction == "promotion"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, field by field (``mkdocs-governance diff --format json``)."""
        return {
            "base_ref": self.base_ref,
            "base_commit": self.base_commit,
            "head_commit": self.head_commit,
            "gate": {
                "before": _gate_word(self.gate_before),
                "after": _gate_word(self.gate_after),
            },
            "count": self.count,
            "stage_changes": [
                {
                    "key": c.key,
                    "before": c.before,
                    "after": c.after,
                    "direction": c.direction,
                    "file": c.file,
                    "line": c.line,
                    "blocked": c.blocked,
                    "errors": [f.to_dict() for f in c.errors],
                }
                for c in self.stage_changes
            ],
            "records": [_plain(c) for c in self.records],
            "signoffs": [_plain(c) for c in self.signoffs],
            "verifications": [_plain(c) for c in self.verifications],
            "stale": [_plain(c) for c in self.stale],
            "findings": {
                "introduced": [f.to_dict() for f in self.findings_introduced],
                "resolved": [f.to_dict() for f in self.findings_resolved],
            },
            "metric_changes": [{**_plain(c), "delta": c.delta} for c in self.metric_changes],
            "policy_changes": list(self.policy_changes),
            "base_has_policy": self.base_has_policy,
        }


def _gate_word(passed: bool) -> str:
    return "pass" if passed else "fail"


def _plain(value: Any) -> dict[str, Any]:
    """A flat dataclass as a JSON-ready dict (enums as their string, tuples as lists)."""
    out: dict[str, Any] = {}
    for spec in fields(value):
        item = getattr(value, spec.name)
        if isinstance(item, StrEnum):
            item = str(item)
        elif isinstance(item, tuple):
            item = list(item)
        out[spec.name] = item
    return out


def compare(
    base: Registry,
    head: Registry,
    *,
    base_report: GateReport,
    head_report: GateReport,
    base_ref: str = "",
    base_commit: str | None = None,
    head_commit: str | None = None,
    base_digests: Mapping[str, str] | None = None,
    head_digests: Mapping[str, str] | None = None,
) -> ChangeSet:
    """Compare the base and head registries and gate reports.

    Args:
        base: the registry at the base commit.
        head: the registry at HEAD (or the working tree).
        base_report: the gate's report on ``base``.
        head_report: the gate's report on ``head``.
        base_ref: the ref as the user named it, for display.
        base_commit: the commit the base was read from.
        head_commit: the HEAD commit.
        base_digests: version digests at the base by ``model@version``; defaults to the
            digests in ``base_report`` (computed for versions the report lacks).
        head_digests: the same for the head.
    """
    base_digest = _digests(base, base_report, base_digests)
    head_digest = _digests(head, head_report, head_digests)
    renames: dict[str, str] = {}

    records = [
        *_compare_models(base, head, renames),
        *_compare_versions(base, head),
        *_compare_simple("dataset", base.datasets, head.datasets, lambda d: d.name, renames),
        *_compare_simple(
            "experiment", base.experiments, head.experiments, lambda e: e.title, renames
        ),
        *_compare_decisions(base, head, renames),
    ]
    signoffs = _compare_signoffs(base, head, renames)
    verifications = _compare_verifications(base, head, renames)

    def base_identity(finding: Finding) -> tuple:
        return finding_identity(finding, renames)

    def head_identity(finding: Finding) -> tuple:
        return finding_identity(finding)

    return ChangeSet(
        base_ref=base_ref,
        base_commit=base_commit,
        head_commit=head_commit,
        gate_before=base_report.passed,
        gate_after=head_report.passed,
        stage_changes=tuple(_stage_changes(base, head, head_report)),
        records=tuple(records),
        signoffs=tuple(signoffs),
        verifications=tuple(verifications),
        stale=tuple(_stale(head, base_digest, head_digest)),
        findings_introduced=tuple(
            _unmatched(head_report.findings, head_identity, base_report.findings, base_identity)
        ),
        findings_resolved=tuple(
            _unmatched(base_report.findings, base_identity, head_report.findings, head_identity)
        ),
        metric_changes=tuple(_metric_changes(base, head)),
        policy_changes=tuple(_policy_changes(base, head)),
        base_has_policy=base.policy is not None,
    )


# --- digests -------------------------------------------------------------------------


def _digests(
    registry: Registry, report: GateReport, given: Mapping[str, str] | None
) -> dict[str, str]:
    if given is not None:
        return dict(given)
    digests = {key: assessment.digest for key, assessment in report.versions.items()}
    missing = [v for v in registry.versions() if not digests.get(v.key)]
    if missing:
        # A report on a registry without a usable policy assesses no version; the digest
        # does not depend on the policy, so compute it.
        for version in missing:
            digests[version.key] = version_digest(version, registry.datasets)
    return digests


# --- records ---------------------------------------------------------------------------


def _content(record: Any, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """A record's fields without where it was written (location, id-by-path)."""
    ignored = {"location", *skip}
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name not in ignored}


def _differing(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k)))


def _compare_simple(
    kind: str,
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    title: Callable[[Any], str],
    renames: dict[str, str],
    content: Callable[[Any], dict[str, Any]] = _content,
) -> list[RecordChange]:
    """Records keyed by id: added, removed, modified (by ``content``) or renamed."""
    changes: list[RecordChange] = []
    for record_id in sorted(base.keys() | head.keys()):
        old, new = base.get(record_id), head.get(record_id)
        if old is None and new is not None:
            changes.append(
                RecordChange(kind, record_id, Change.ADDED, new.location.file, None, title(new))
            )
        elif old is not None and new is None:
            changes.append(
                RecordChange(kind, record_id, Change.REMOVED, None, old.location.file, title(old))
            )
        elif old is not None and new is not None:
            changed = _differing(content(old), content(new))
            moved = old.location.file != new.location.file
            if moved:
                renames[old.location.file] = new.location.file
            if changed or moved:
                changes.append(
                    RecordChange(
                        kind,
                        record_id,
                        Change.MODIFIED if changed else Change.RENAMED,
                        new.location.file,
                        old.location.file,
                        title(new),
                        changed,
                    )
                )
    return changes


def _compare_models(base: Registry, head: Registry, renames: dict[str, str]) -> list[RecordChange]:
    # Versions are compared one by one (_compare_versions); a model changes by its card.
    return _compare_simple(
        "model",
        base.models,
        head.models,
        lambda m: m.name,
        renames,
        content=lambda m: _content(m, skip=("versions",)),
    )


def _compare_versions(base: Registry, head: Registry) -> list[RecordChange]:
    before = {v.key: v for v in base.versions()}
    after = {v.key: v for v in head.versions()}
    changes: list[RecordChange] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            changes.append(RecordChange("version", key, Change.ADDED, new.location.file, None))
        elif old is not None and new is None:
            changes.append(RecordChange("version", key, Change.REMOVED, None, old.location.file))
        elif old is not None and new is not None:
            # The stage has its own list (stage_changes) and, as in the digest, does not
            # make a version "modified".
            changed = _differing(
                _content(old, skip=("stage", "content")), _content(new, skip=("stage", "content"))
            )
            if changed:
                changes.append(
                    RecordChange(
                        "version",
                        key,
                        Change.MODIFIED,
                        new.location.file,
                        old.location.file,
                        fields=changed,
                    )
                )
    return changes


def _compare_decisions(
    base: Registry, head: Registry, renames: dict[str, str]
) -> list[RecordChange]:
    changes = _compare_simple("decision", base.decisions, head.decisions, lambda d: d.title, {})
    removed = [c for c in changes if c.change == Change.REMOVED]
    added = [c for c in changes if c.change == Change.ADDED]
    for gone in removed:
        old = base.decisions[gone.id]
        for new_change in added:
            new = head.decisions[new_change.id]
            same_decision = (old.number, old.title) == (new.number, new.title) or (
                old.body.strip() and old.body == new.body
            )
            if same_decision:
                renames[old.location.file] = new.location.file
                changes.remove(gone)
                changes.remove(new_change)
                added.remove(new_change)
                differing = _differing(_content(old, skip=("id",)), _content(new, skip=("id",)))
                changes.append(
                    RecordChange(
                        "decision",
                        new.id,
                        Change.MODIFIED if differing else Change.RENAMED,
                        new.location.file,
                        old.location.file,
                        new.title,
                        differing,
                    )
                )
                break
    return sorted(changes, key=lambda c: c.id)


def _person_name(registry: Registry, person_id: str) -> str:
    person = registry.people.get(person_id)
    return person.name if person else person_id


def _match_files(
    before: Mapping[str, Any], after: Mapping[str, Any], renames: dict[str, str]
) -> list[tuple[Change, Any, Any, tuple[str, ...]]]:
    """Pair sign-off/verification records by file, then renamed files by content."""
    pairs: list[tuple[Change, Any, Any, tuple[str, ...]]] = []
    removed = [before[f] for f in sorted(before.keys() - after.keys())]
    added = [after[f] for f in sorted(after.keys() - before.keys())]
    for old in list(removed):
        for new in added:
            if _content(old, skip=("id",)) == _content(new, skip=("id",)):
                renames[old.location.file] = new.location.file
                pairs.append((Change.RENAMED, old, new, ()))
                removed.remove(old)
                added.remove(new)
                break
    for file in sorted(before.keys() & after.keys()):
        changed = _differing(_content(before[file]), _content(after[file]))
        if changed:
            pairs.append((Change.MODIFIED, before[file], after[file], changed))
    pairs.extend((Change.REMOVED, old, None, ()) for old in removed)
    pairs.extend((Change.ADDED, None, new, ()) for new in added)
    return pairs


def _compare_signoffs(
    base: Registry, head: Registry, renames: dict[str, str]
) -> list[SignoffChange]:
    changes: list[SignoffChange] = []
    for change, old, new, changed in _match_files(
        {s.location.file: s for s in base.signoffs},
        {s.location.file: s for s in head.signoffs},
        renames,
    ):
        current: SignOff = new or old
        registry = head if new is not None else base
        changes.append(
            SignoffChange(
                change=change,
                file=new.location.file if new else None,
                old_file=old.location.file if old else None,
                key=current.key,
                stage=current.stage,
                approver=current.approver,
                approver_name=_person_name(registry, current.approver),
                role=current.role,
                decision=current.decision,
                previous_decision=old.decision if change == Change.MODIFIED else None,
                fields=tuple(f for f in changed if f != "id"),
            )
        )
    return sorted(changes, key=lambda c: (c.key, c.stage, c.role, c.approver, str(c.change)))


def _compare_verifications(
    base: Registry, head: Registry, renames: dict[str, str]
) -> list[VerificationChange]:
    changes: list[VerificationChange] = []
    for change, old, new, changed in _match_files(
        {v.location.file: v for v in base.verifications},
        {v.location.file: v for v in head.verifications},
        renames,
    ):
        current: Verification = new or old
        changes.append(
            VerificationChange(
                change=change,
                file=new.location.file if new else None,
                old_file=old.location.file if old else None,
                key=current.key,
                check=current.check,
                status=current.status,
                performed_by=current.performed_by,
                previous_status=old.status if change == Change.MODIFIED else None,
                fields=tuple(f for f in changed if f != "id"),
            )
        )
    return sorted(changes, key=lambda c: (c.key, c.check, str(c.change)))


# --- stages, staleness, metrics, policy ----------------------------------------------


def _stage_changes(base: Registry, head: Registry, head_report: GateReport) -> list[StageChange]:
    before = {v.key: v for v in base.versions()}
    stages = head.policy.stages if head.policy else (base.policy.stages if base.policy else ())
    changes: list[StageChange] = []
    for version in head.versions():
        old = before.get(version.key)
        if old is None or old.stage == version.stage:
            continue
        if old.stage in stages and version.stage in stages:
            later = stages.index(version.stage) > stages.index(old.stage)
            direction = "promotion" if later else "demotion"
        else:
            direction = "moved"
        errors = tuple(f for f in head_report.findings if f.is_error and f.subject == version.key)
        changes.append(
            StageChange(
                key=version.key,
                before=old.stage,
                after=version.stage,
                direction=direction,
                file=version.location.file,
                line=version.location.line_of("stage"),
                errors=errors,
            )
        )
    return changes


def _stale(
    head: Registry, base_digest: Mapping[str, str], head_digest: Mapping[str, str]
) -> list[StaleApproval]:
    stale: list[StaleApproval] = []
    records: list[tuple[str, SignOff | Verification]] = [
        *(("signoff", s) for s in head.signoffs),
        *(("verification", v) for v in head.verifications),
    ]
    for kind, record in records:
        before = base_digest.get(record.key)
        after = head_digest.get(record.key)
        if before and after and before != after and record.subject == before:
            if isinstance(record, SignOff):
                what, person, role = record.stage, record.approver, record.role
            else:
                what, person, role = record.check, record.performed_by, ""
            stale.append(
                StaleApproval(
                    kind,
                    record.location.file,
                    record.key,
                    what,
                    person,
                    role,
                    before,
                    after,
                    _person_name(head, person),
                )
            )
    return stale


def _metric_changes(base: Registry, head: Registry) -> list[MetricChange]:
    changes: list[MetricChange] = []
    before_versions = {v.key: v for v in base.versions()}
    for version in head.versions():
        old = before_versions.get(version.key)
        if old is not None:
            changes.extend(_metric_diff("version", version.key, old.metrics, version.metrics))
    for experiment_id in sorted(base.experiments.keys() & head.experiments.keys()):
        changes.extend(
            _metric_diff(
                "experiment",
                experiment_id,
                base.experiments[experiment_id].metrics,
                head.experiments[experiment_id].metrics,
            )
        )
    return changes


def _metric_diff(
    kind: str, subject: str, before: Mapping[str, float], after: Mapping[str, float]
) -> list[MetricChange]:
    changes = []
    for metric in sorted(before.keys() | after.keys()):
        old, new = before.get(metric), after.get(metric)
        if _same_number(old, new):
            continue
        changes.append(MetricChange(kind, subject, metric, old, new))
    return changes


def _same_number(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is new
    # NaN metrics (MLflow writes them) are equal to themselves for our purpose.
    both_nan = isinstance(old, float) and isinstance(new, float) and math.isnan(old)
    return old == new or (both_nan and math.isnan(new))


def _policy_changes(base: Registry, head: Registry) -> list[str]:
    changed: list[str] = []
    base_policy = _content(base.policy) if base.policy else None
    head_policy = _content(head.policy) if head.policy else None
    if base_policy != head_policy:
        location = (head.policy or base.policy).location  # type: ignore[union-attr]
        changed.append(location.file)
    base_people = {k: _content(p) for k, p in base.people.items()}
    head_people = {k: _content(p) for k, p in head.people.items()}
    if base_people != head_people:
        any_person = next(iter({**base.people, **head.people}.values()))
        changed.append(any_person.location.file)
    return changed


# --- findings --------------------------------------------------------------------------

_DIGEST = re.compile(r"sha256:[0-9a-f]{8,64}")
_COMMIT = re.compile(r"\b[0-9a-f]{40}\b|\b[0-9a-f]{10}\b")
_LINE_REF = re.compile(r"(\.(?:ya?ml|md)):\d+")


def finding_identity(finding: Finding, renames: Mapping[str, str] | None = None) -> tuple:
    """What makes two findings "the same" across base and head.

    ``(code, subject, file, message)`` with the base file mapped through ``renames`` and
    digests, commit hashes and ``file:line`` references in the message masked, so that a
    digest change or a line shift does not make an old finding look new.
    """
    renames = renames or {}
    file = renames.get(finding.file, finding.file) if finding.file else None
    subject = renames.get(finding.subject, finding.subject)
    message = finding.message
    for old, new in renames.items():
        message = message.replace(old, new)
    message = _DIGEST.sub("sha256:…", message)
    message = _COMMIT.sub("<commit>", message)
    message = _LINE_REF.sub(r"\1:…", message)
    return (finding.code, subject, file, message)


def _unmatched(
    findings: Iterable[Finding],
    key: Callable[[Finding], tuple],
    others: Iterable[Finding],
    others_key: Callable[[Finding], tuple],
) -> list[Finding]:
    """``findings`` without a counterpart in ``others``, counted as multisets."""
    remaining: dict[tuple, int] = {}
    for other in others:
        identity = others_key(other)
        remaining[identity] = remaining.get(identity, 0) + 1
    unmatched = []
    for finding in findings:
        identity = key(finding)
        if remaining.get(identity, 0) > 0:
            remaining[identity] -= 1
        else:
            unmatched.append(finding)
    return sort_findings(unmatched)


# --- the PR comment --------------------------------------------------------------------

_ICON = {Change.ADDED: "➕", Change.REMOVED: "➖", Change.MODIFIED: "✏️", Change.RENAMED: "🔀"}


def _gate_badge(passed: bool) -> str:
    return "✅ pass" if passed else "❌ fail"


def _cell(text: object) -> str:
    """Text for a Markdown table cell or list item: no table breaks, no raw HTML."""
    value = str(text).replace("\r", " ").replace("\n", " ")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("|", "\\|")


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.6g}"


def _delta(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.4g}"


def _capped(lines: list[str], total: int, noun: str) -> list[str]:
    if total > SECTION_LIMIT:
        return [*lines[:SECTION_LIMIT], f"- … and {total - SECTION_LIMIT} more {noun}"]
    return lines


def format_markdown(changes: ChangeSet, *, max_chars: int = DEFAULT_MARKDOWN_LIMIT) -> str:
    """The PR-comment summary: short and scannable, under GitHub's comment limit.

    Headline with the gate before and after, then (only the sections that have
    content): promotions and what they lack, errors introduced, findings resolved,
    sign-offs added/changed/removed, approvals made stale, metric changes, records and
    policy changes. Lists are capped per section; if the whole still exceeds
    ``max_chars`` it is cut at a line and ends with a truncation note.
    """
    base = f"`{_cell(changes.base_ref)}`" if changes.base_ref else "the base"
    commit = f" (merge base `{changes.base_commit[:10]}`)" if changes.base_commit else ""
    lines = [
        "## Governance changes",
        "",
        f"**Gate: {_gate_badge(changes.gate_after)}** (was {_gate_badge(changes.gate_before)})",
        "",
        f"Compared with {base}{commit}: {changes.count} governance "
        f"change{'s' if changes.count != 1 else ''}, "
        f"{len(changes.errors_introduced)} error{'s' if len(changes.errors_introduced) != 1 else ''}"
        f" introduced, {len(changes.findings_resolved)} finding"
        f"{'s' if len(changes.findings_resolved) != 1 else ''} resolved.",
    ]
    if changes.is_empty:
        lines += ["", "No governance records changed."]

    if changes.stage_changes:
        lines += [
            "",
            "### Stage changes",
            "",
            "| Version | Stage | Status |",
            "| --- | --- | --- |",
        ]
        for stage in changes.stage_changes[:SECTION_LIMIT]:
            if stage.blocked:
                codes = sorted({f.code for f in stage.errors})
                status = f"❌ blocked: {', '.join(codes)}"
            else:
                status = "✅ requirements met"
            arrow = f"{stage.before} → {stage.after}"
            if stage.direction == "demotion":
                arrow += " (demotion)"
            lines.append(f"| `{_cell(stage.key)}` | {_cell(arrow)} | {_cell(status)} |")
        if len(changes.stage_changes) > SECTION_LIMIT:
            lines.append(f"\n… and {len(changes.stage_changes) - SECTION_LIMIT} more")

    # A stale approval is told once, under "Made stale by this change": its finding
    # is only counted here, not repeated with its long message.
    stale_files = {st.file for st in changes.stale}

    def told_below(finding: Finding) -> bool:
        return finding.code in (Code.STALE_SIGNOFF, Code.STALE_CHECK) and finding.file in (
            stale_files
        )

    errors = changes.errors_introduced
    if errors:
        lines += ["", f"### Errors introduced ({len(errors)})", ""]
        shown = [f for f in errors if not told_below(f)]
        lines += _capped(
            [f"- `{_cell(f.location)}` **{f.code}**: {_cell(f.message)}" for f in shown],
            len(shown),
            "errors",
        )
        if len(shown) < len(errors):
            lines.append(f"- {len(errors) - len(shown)} stale: see *Made stale by this change*.")
    warnings = [f for f in changes.findings_introduced if not f.is_error]
    if warnings:
        lines += ["", f"### Warnings introduced ({len(warnings)})", ""]
        shown = [f for f in warnings if not told_below(f)]
        lines += _capped(
            [f"- `{_cell(f.location)}` {f.code}: {_cell(f.message)}" for f in shown],
            len(shown),
            "warnings",
        )
        if len(shown) < len(warnings):
            lines.append(f"- {len(warnings) - len(shown)} stale: see *Made stale by this change*.")
    if changes.findings_resolved:
        resolved = changes.findings_resolved
        lines += ["", f"### Resolved ({len(resolved)})", ""]
        lines += _capped(
            [f"- ~~{f.code}~~ `{_cell(f.subject)}`" for f in resolved], len(resolved), "findings"
        )

    if changes.signoffs:
        lines += ["", "### Sign-offs", ""]
        items = []
        for s in changes.signoffs:
            what = f"{s.decision}"
            if s.change == Change.MODIFIED and s.previous_decision not in (None, s.decision):
                what = f"{s.previous_decision} → {s.decision}"
            elif s.change == Change.MODIFIED:
                what = f"{s.decision} (changed: {', '.join(s.fields)})"
            items.append(
                f"- {_ICON[s.change]} {s.change}: `{_cell(s.key)}` {_cell(s.stage)} — "
                f"{_cell(s.role)}: {_cell(s.approver_name)} ({_cell(s.approver)}) {_cell(what)}"
            )
        lines += _capped(items, len(items), "sign-offs")

    if changes.stale:
        lines += [
            "",
            "### Made stale by this change",
            "",
            "These reviewed the version as it was at the base; the version has changed since.",
            "",
        ]
        items = []
        for st in changes.stale:
            name = st.person_name or st.person
            who = f"{name} ({st.role})" if st.role else name
            label = "sign-off" if st.kind == "signoff" else "check"
            items.append(
                f"- ⚠️ {label} `{_cell(st.key)}` {_cell(st.what)} by {_cell(who)} "
                f"(`{_cell(st.file)}`)"
            )
        lines += _capped(items, len(items), "approvals")

    if changes.verifications:
        lines += ["", "### Verifications", ""]
        items = []
        for v in changes.verifications:
            status = v.status
            if v.previous_status and v.previous_status != v.status:
                status = f"{v.previous_status} → {v.status}"
            items.append(
                f"- {_ICON[v.change]} {v.change}: `{_cell(v.key)}` {_cell(v.check)} "
                f"{_cell(status)} ({_cell(v.performed_by)})"
            )
        lines += _capped(items, len(items), "verifications")

    if changes.metric_changes:
        lines += ["", "### Metric changes", "", "| Subject | Metric | Before | After | Δ |"]
        lines.append("| --- | --- | ---: | ---: | ---: |")
        for m in changes.metric_changes[:SECTION_LIMIT]:
            lines.append(
                f"| `{_cell(m.subject)}` | {_cell(m.metric)} | {_number(m.before)} | "
                f"{_number(m.after)} | {_delta(m.delta)} |"
            )
        if len(changes.metric_changes) > SECTION_LIMIT:
            lines.append(f"\n… and {len(changes.metric_changes) - SECTION_LIMIT} more")

    if changes.records:
        lines += ["", "### Records", ""]
        items = []
        for r in changes.records:
            detail = ""
            if r.change == Change.RENAMED:
                detail = f" (`{_cell(r.old_file)}` → `{_cell(r.file)}`)"
            elif r.change == Change.MODIFIED and r.fields:
                detail = f" ({_cell(', '.join(r.fields))})"
            title = f" {_cell(r.title)}" if r.title and r.title != r.id else ""
            items.append(f"- {_ICON[r.change]} {r.kind} `{_cell(r.id)}`{title}: {r.change}{detail}")
        lines += _capped(items, len(items), "records")

    if changes.policy_changes:
        if changes.base_has_policy:
            why = "judged with the base's rules; the new ones apply once merged"
        else:
            why = "the base has no policy, so this change is judged with its own: review it"
        lines += ["", "### Policy and people", ""]
        lines += [f"- ✏️ `{_cell(path)}` changed: {why}" for path in changes.policy_changes]

    return _truncate("\n".join(lines) + "\n", max_chars, changes.base_ref)


def _truncate(text: str, max_chars: int, base_ref: str) -> str:
    if len(text) <= max_chars:
        return text
    ref = base_ref or "REF"
    note = (
        f"\n\n> ⚠️ Truncated to fit a comment ({len(text):,} characters). The full diff: "
        f"`mkdocs-governance diff --base {_cell(ref)} --format json`, or the preview site.\n"
    )
    cut = text[: max(0, max_chars - len(note))]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    return cut + note
