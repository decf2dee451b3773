"""The gate: registry + history + policy -> findings and per-version checklists.

Pure: no I/O. [`evaluate`][mkdocs_governance.policy.evaluate] runs every rule of
[`RULES`][mkdocs_governance.policy.rules.RULES] (one per finding code) and builds the
requirements checklist of each model version that the site renders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..findings import Finding, sort_findings
from ..history.content import RecordContent
from ..history.model import History, VersionProvenance
from ..history.record_signatures import RecordSignature
from ..history.requirements import RequirementChange
from ..records.digest import version_digest
from ..records.model import ModelVersion, Registry, SignOff
from .artifacts import bound_artifact_item
from .context import Context
from .eligibility import eligible_approvers
from .model import (
    GateReport,
    ItemState,
    RequirementItem,
    StageAssessment,
    StageState,
    VersionAssessment,
)
from .rules import RULES, assess_check, policy_digest, signoff_command, stage_fills

__all__ = ["RULES", "build_context", "evaluate"]

_ITEM_PROBLEM_STATES = {
    "stale-signoff": ItemState.STALE,
}


def build_context(
    registry: Registry,
    history: History,
    *,
    as_of: date,
    base: Registry | None = None,
    provenance: Mapping[str, VersionProvenance] | None = None,
    rules_from: Registry | None = None,
    content: RecordContent | None = None,
    former_signoffs: Sequence[tuple[SignOff, tuple[str, ...]]] = (),
    requirement_changes: Mapping[str, tuple[RequirementChange, ...]] | None = None,
    record_signatures: Mapping[str, RecordSignature] | None = None,
    production: Any = None,
    roles_when_signed: Mapping[str, tuple[str, ...]] | None = None,
) -> Context:
    """The facts the rules share, judged with the base's policy and people when given.

    When a base registry is given it is the trusted side: a pull request that edits
    people.yaml or policy.yaml is judged with the base's (SPEC §6a). ``rules_from``
    is the registry whose people and policy judge, when it is not ``base`` (the base
    branch's tip: the rules in force after the merge, while ``base``, the merge base,
    is what the change is compared with). A side without a policy (the first policy)
    falls back on the head's.
    """
    trusted = rules_from if rules_from is not None else base
    judging = trusted if trusted is not None and trusted.policy is not None else registry
    digests = {v.key: version_digest(v, registry.datasets) for v in registry.versions()}
    return Context(
        registry=registry,
        history=history,
        as_of=as_of,
        policy=judging.policy,
        people=judging.people,
        digests=digests,
        base=base,
        head_policy_digest=policy_digest(registry.policy, registry.people),
        provenance=provenance,
        pipelines=judging.pipelines,
        content=content,
        former_signoffs=tuple(former_signoffs),
        requirement_changes=requirement_changes or {},
        record_signatures=record_signatures or {},
        production=production,
        roles_when_signed=roles_when_signed or {},
    )


def evaluate(
    registry: Registry,
    history: History,
    *,
    as_of: date,
    record_findings: Sequence[Finding] = (),
    base: Registry | None = None,
    provenance: Mapping[str, VersionProvenance] | None = None,
    rules_from: Registry | None = None,
    content: RecordContent | None = None,
    former_signoffs: Sequence[tuple[SignOff, tuple[str, ...]]] = (),
    requirement_changes: Mapping[str, tuple[RequirementChange, ...]] | None = None,
    record_signatures: Mapping[str, RecordSignature] | None = None,
    production: Any = None,
    roles_when_signed: Mapping[str, tuple[str, ...]] | None = None,
) -> GateReport:
    """Judge every model version against the policy; report every finding at once.

    Args:
        registry: the records (the head side of a pull request).
        history: the git history of the records folder.
        as_of: the day the date rules (expiry, review interval, future dates) use.
        record_findings: findings of the records layer, passed through.
        base: the base side's registry when a pull request is judged; its policy
            and people then judge the head (and a change to them is
            ``policy-changed``).
        provenance: per ``model@version``, the commit that created it and the
            commits that changed its content
            ([`read_model_revisions`][mkdocs_governance.history.provenance.read_model_revisions]
            and [`derive_provenance`][mkdocs_governance.history.provenance.derive_provenance]).
        production: deployments and served traffic judged at their moments
            ([`ProductionFacts`][mkdocs_governance.policy.deployments.ProductionFacts]),
            for the deployment and traffic rules; None skips them.
            Without it, ``implausible-date`` takes the model file's first commit as the
            version's creation and ``separation-of-duties`` compares only the
            declared author and owner.
        rules_from: the registry whose people and policy judge, when not ``base``
            (the base branch's tip; see ``build_context``).
        content: which commits wrote each sign-off and verification file's current
            content ([`read_record_content`][mkdocs_governance.history.content.read_record_content]).
        former_signoffs: sign-offs that files held before, with the commits that
            replaced or deleted them (``withdrawn-signoff``).
        requirement_changes: per model id, the commits that lowered its risk tier or
            changed its owner; approvals written before them are stale.
        record_signatures: per record file, the check of its ``signature:``.
        roles_when_signed: per sign-off file, the roles its approver held when it was
            written (for an approver who has since lost the role).

    Returns:
        A [`GateReport`][mkdocs_governance.policy.model.GateReport]: every finding,
        sorted errors first, and a checklist per version.
    """
    ctx = build_context(
        registry,
        history,
        as_of=as_of,
        base=base,
        provenance=provenance,
        rules_from=rules_from,
        content=content,
        former_signoffs=former_signoffs,
        requirement_changes=requirement_changes,
        record_signatures=record_signatures,
        production=production,
        roles_when_signed=roles_when_signed,
    )
    findings: list[Finding] = list(record_findings)
    for rule in RULES.values():
        findings.extend(rule(ctx))
    ordered = tuple(sort_findings(_unique(findings)))
    # One sort for the whole report, then one pass grouping by subject: each version's
    # findings keep the report's order (a sort per version would cost versions × findings).
    by_subject: dict[str, list[Finding]] = {}
    for finding in ordered:
        by_subject.setdefault(finding.subject, []).append(finding)
    versions = {
        v.key: _assess_version(ctx, v, tuple(by_subject.get(v.key, ())))
        for v in ctx.registry.versions()
    }
    return GateReport(ordered, versions, as_of.isoformat())


def _unique(findings: list[Finding]) -> list[Finding]:
    """Drop exact duplicates (e.g. a check required by two stages), keeping order."""
    seen: set[Finding] = set()
    unique = []
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            unique.append(finding)
    return unique


def _assess_version(
    ctx: Context, version: ModelVersion, mine: tuple[Finding, ...]
) -> VersionAssessment:
    """The checklist of one version; ``mine`` is its findings, already sorted."""
    stages = []
    if ctx.policy is not None and version.stage in ctx.policy.stages:
        for stage in ctx.policy.stages:
            items = _stage_items(ctx, version, stage)
            if not ctx.is_required(version, stage):
                state = StageState.PENDING
            elif all(i.state in (ItemState.MET, ItemState.WAIVED) for i in items):
                state = StageState.MET
            else:
                state = StageState.BLOCKED
            stages.append(StageAssessment(stage, state, tuple(items)))
    return VersionAssessment(
        version.key, version.stage, ctx.digests.get(version.key, ""), tuple(stages), mine
    )


def _stage_items(ctx: Context, version: ModelVersion, stage: str) -> list[RequirementItem]:
    """The checklist of one stage: each check, then each sign-off slot."""
    assert ctx.policy is not None
    items = []
    stage_requirements = ctx.policy.requirements.get(stage)
    if stage_requirements is not None and stage_requirements.bound_artifact:
        items.append(bound_artifact_item(version))  # policy/artifacts.py
    for check_id in ctx.requirements(version, stage).checks:
        spec = ctx.policy.checks.get(check_id)
        outcome = assess_check(ctx, version, check_id)
        items.append(
            RequirementItem(
                "check",
                check_id,
                spec.title if spec else check_id,
                outcome.state,
                outcome.detail,
                outcome.records,
            )
        )
    fills = stage_fills(ctx, version, stage)
    for fill in fills:
        req = fill.requirement
        eligible: tuple[str, ...] = ()
        title = f"{req.count} × {req.role}"
        records = tuple(s.location.file for s in fill.approvals)
        names = ", ".join(
            f"{_name(ctx, s.approver)} on {s.date.isoformat()}" for s in fill.approvals
        )
        if fill.rejections:
            rejection = fill.rejections[0]
            state = ItemState.REJECTED
            detail = (
                f"Rejected by {_name(ctx, rejection.approver)} on {rejection.date.isoformat()}."
            )
            records += tuple(s.location.file for s in fill.rejections)
        elif not fill.missing:
            state = ItemState.MET
            detail = f"Approved by {names}."
        elif fill.invalid:
            _signoff, code, message = fill.invalid[0]
            state = _ITEM_PROBLEM_STATES.get(code, ItemState.INVALID)
            detail = message
            records += tuple(s.location.file for s, _, _ in fill.invalid)
        else:
            state = ItemState.MISSING
            eligible = eligible_approvers(ctx, version, fill, fills)
            who = (
                f"Eligible: {', '.join(_name(ctx, p) for p in eligible)}; one runs "
                if eligible
                else f"Nobody eligible holds '{req.role}' (add one in people.yaml); then run "
            )
            detail = (
                f"{len(fill.approvals)} of {req.count} approvals"
                + (f" (approved by {names})" if names else "")
                + f". {who}"
                + signoff_command(version.key, stage, req.role)
                + "."
            )
        items.append(RequirementItem("signoff", req.role, title, state, detail, records, eligible))
    return items


def _name(ctx: Context, person_id: str) -> str:
    person = ctx.person(person_id)
    return person.name if person else person_id
