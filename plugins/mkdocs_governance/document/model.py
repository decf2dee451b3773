"""One model version's document, as data: every section from one governance run. Pure.

[`build_document`][mkdocs_governance.document.model.build_document] reads a
[`GovernanceRun`][mkdocs_governance.core.GovernanceRun] (records, history, the gate's
report) and returns a [`ModelDocument`][mkdocs_governance.document.model.ModelDocument]
of plain text values. The renderers (HTML, DOCX, PDF, the wiki page) only lay it out,
so they cannot disagree, and a company template sees the same names (``identification``,
``experiments``, ``signoffs``...; see ``docs/documents.md``).

Values are text exactly as the records hold it (never markup): each renderer escapes
for its format. Nothing here reads the clock: the dates are the run's ``as_of`` and the
commit's, so the same commit gives the same document.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..findings import Finding, sort_findings
from ..policy.documentation import describe_part, missing_parts, required_parts
from ..policy.model import ItemState, StageState
from ..records.model import CheckSpec, Model, ModelVersion, Registry, Verification
from ..site.render import record_commit
from ..site.version_diff import diff_entries

if TYPE_CHECKING:
    from ..core import GovernanceRun


@dataclass(frozen=True, slots=True)
class MadeFrom:
    """What the document was made from, so that anyone can make it again.

    Attributes:
        commit: the repository commit (HEAD) the records were read at, if any.
        commit_date: that commit's committer date (the document's metadata dates).
        uncommitted: record files whose working-tree content differs from the commit:
            a document made with any is not reproducible from the commit alone.
        as_of: the day the gate's date rules were judged on.
        command: the command line that makes this document again.
    """

    commit: str | None
    commit_date: datetime | None
    uncommitted: tuple[str, ...]
    as_of: date
    command: str

    @property
    def reproducible(self) -> bool:
        """True when the commit alone (plus ``as_of``) determines the document."""
        return self.commit is not None and not self.uncommitted


@dataclass(frozen=True, slots=True)
class Row:
    """A labelled value (identification, a dataset's facts)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class CardText:
    """A model-card text section: Markdown as written, and whether the policy needs it."""

    key: str
    title: str
    text: str
    required: bool


@dataclass(frozen=True, slots=True)
class DatasetEntry:
    """One dataset the version (or its model) was built from."""

    id: str
    name: str
    source: str
    version: str
    sha256: str
    personal_data: str
    license: str
    owner: str
    known: bool = True


@dataclass(frozen=True, slots=True)
class ExperimentEntry:
    """One experiment of the model, adopted or not."""

    id: str
    title: str
    date: str
    author: str
    hypothesis: str
    outcome: str
    conclusion: str
    metrics: tuple[Row, ...]
    this_version: bool


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """One decision (ADR) that names the model."""

    id: str
    title: str
    status: str
    date: str
    decision_makers: str


@dataclass(frozen=True, slots=True)
class MetricEntry:
    """One metric of the version against the policy's bound, if the policy has one."""

    name: str
    value: float | None
    value_text: str
    bound: str
    check: str
    state: str  # "met", "missed", "not recorded", "no bound"
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class CheckEntry:
    """One required check of one stage: the gate's state and the record behind it."""

    stage: str
    check: str
    title: str
    state: str
    detail: str
    automatic: bool
    status: str = ""
    performed_by: str = ""
    date: str = ""
    evidence: str = ""
    summary: str = ""
    waiver_by: str = ""
    waiver_reason: str = ""
    waiver_expires: str = ""
    record: str = ""


@dataclass(frozen=True, slots=True)
class SignoffEntry:
    """One sign-off of the version and where it came from in Git."""

    approver: str
    approver_id: str
    role: str
    stage: str
    decision: str
    date: str
    comment: str
    conditions: tuple[str, ...]
    state: str
    commit: str
    commit_author: str
    commit_date: str
    signature: str
    record: str


@dataclass(frozen=True, slots=True)
class MissingEntry:
    """A requirement not met: for the version's own stage, or for its next one."""

    stage: str
    blocking: bool
    title: str
    detail: str


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One field of the version entry that differs from the previous version."""

    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class FindingEntry:
    """An open finding about the version or its records."""

    code: str
    severity: str
    message: str
    where: str


@dataclass(frozen=True, slots=True)
class DeploymentEntry:
    """One deployment event of the version (when deployment records exist)."""

    environment: str
    started: str
    status: str
    by: str
    artifact_sha256: str


@dataclass(frozen=True, slots=True)
class ModelDocument:
    """Everything the model document says about one version, section by section.

    The attribute names are the placeholders a company template uses.
    """

    title: str
    key: str
    model_id: str
    model_name: str
    version: str
    stage: str
    risk_tier: str
    owner: str
    digest: str
    gate_passed: bool
    verdict: str
    identification: tuple[Row, ...]
    description: str
    overview: str
    card: tuple[CardText, ...]
    datasets: tuple[DatasetEntry, ...]
    experiments: tuple[ExperimentEntry, ...]
    decisions: tuple[DecisionEntry, ...]
    metrics: tuple[MetricEntry, ...]
    checks: tuple[CheckEntry, ...]
    signoffs: tuple[SignoffEntry, ...]
    missing: tuple[MissingEntry, ...]
    previous_version: str
    changes: tuple[ChangeEntry, ...]
    findings: tuple[FindingEntry, ...]
    deployments: tuple[DeploymentEntry, ...]
    completeness_missing: tuple[str, ...]
    made_from: MadeFrom
    metric_history: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)

    def template_context(self) -> dict[str, Any]:
        """The names a template sees: every attribute, plus ``doc`` for the whole."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["doc"] = self
        return values


SECTION_TITLES: Mapping[str, str] = {
    "identification": "1. Identification",
    "use": "2. Intended use and limits",
    "data": "3. Data",
    "development": "4. Development: experiments and decisions",
    "performance": "5. Performance",
    "verification": "6. Verification",
    "oversight": "7. Human oversight: sign-offs",
    "changes": "8. Changes since the previous version, and open findings",
    "deployments": "9. Deployments",
    "reproduce": "10. How this document was made",
}

_CARD_SECTIONS = (
    ("intended_use", "Intended use"),
    ("out_of_scope_use", "Out-of-scope use"),
    ("limitations", "Limitations"),
    ("ethical_considerations", "Ethical considerations"),
)


def build_document(run: GovernanceRun, key: str, *, made_from: MadeFrom) -> ModelDocument:
    """The document of version ``key`` (``model@version``) in ``run``.

    Raises:
        KeyError: no such version in the run's records.
    """
    registry = run.registry
    version = registry.version(key)
    if version is None:
        raise KeyError(key)
    model = registry.models[version.model_id]
    assessment = run.report.versions.get(key)
    digest = assessment.digest if assessment else ""
    spec = _documentation_spec(registry)
    tier = model.risk_tier if model.risk_tier in ("low", "medium", "high") else "high"
    parts = required_parts(spec, tier)
    missing = missing_parts(registry, model, version, parts, digest or None)
    findings = _findings(run, version)
    errors = [f for f in findings if f.severity == "error"]
    verdict = (
        f"{key} meets every requirement of {version.stage} and the stages before it."
        if not errors
        else f"{key} does not meet the requirements of {version.stage}: "
        f"{len(errors)} open error finding{'s' if len(errors) != 1 else ''} (section 8)."
    )
    return ModelDocument(
        title=f"Model document: {model.name or model.id} {version.version}",
        key=key,
        model_id=model.id,
        model_name=model.name or model.id,
        version=version.version,
        stage=version.stage,
        risk_tier=model.risk_tier,
        owner=_person(registry, model.owner),
        digest=digest,
        gate_passed=not errors,
        verdict=verdict,
        identification=_identification(run, model, version, digest, made_from),
        description=(version.description or model.description or "").strip(),
        overview=model.body.strip(),
        card=tuple(
            CardText(name, title, str(getattr(model, name) or "").strip(), name in parts)
            for name, title in _CARD_SECTIONS
        ),
        datasets=_datasets(registry, model, version),
        experiments=_experiments(registry, model, version),
        decisions=_decisions(registry, model),
        metrics=_metrics(registry, version),
        checks=_checks(run, version),
        signoffs=_signoffs(run, version),
        missing=_missing(run, version),
        previous_version=getattr(_previous(model, version), "version", ""),
        changes=_changes(model, version),
        findings=tuple(
            FindingEntry(f.code, str(f.severity), f.message, _where(f)) for f in findings
        ),
        deployments=_deployments(registry, key),
        completeness_missing=tuple(describe_part(part) for part in missing),
        made_from=made_from,
        metric_history=_metric_history(registry, version),
    )


def regenerate_command(key: str, *, as_of: date, fmt: str, template: str | None) -> str:
    """The command that makes the same document again (quoted for a POSIX shell)."""
    words = ["mkdocs-governance", "document", key, "--format", fmt, "--as-of", as_of.isoformat()]
    if template:
        words += ["--template", template]
    return shlex.join(words)


# -- sections --------------------------------------------------------------------------------


def _identification(
    run: GovernanceRun, model: Model, version: ModelVersion, digest: str, made_from: MadeFrom
) -> tuple[Row, ...]:
    artifact = version.artifact
    rows = [
        Row("Model", f"{model.name or model.id} ({model.id})"),
        Row("Version", version.version),
        Row("Stage", version.stage),
        Row("Risk tier", model.risk_tier),
        Row("Owner", _person(run.registry, model.owner)),
        Row("Version author", _person(run.registry, version.author)),
        Row("Created", version.created.isoformat()),
        Row("Version digest", digest or "not computed"),
        Row("Artifact", artifact.uri if artifact else "none recorded"),
        Row("Artifact sha256", artifact.sha256 if artifact and artifact.sha256 else "none"),
        Row("Experiment", version.experiment or "none named"),
        Row("Repository commit", made_from.commit or "none (not a Git repository)"),
        Row("Judged as of", made_from.as_of.isoformat()),
        Row("Record file", model.location.file),
    ]
    return tuple(rows)


def _datasets(registry: Registry, model: Model, version: ModelVersion) -> tuple[DatasetEntry, ...]:
    entries = []
    for dataset_id in dict.fromkeys((*version.datasets, *model.datasets)):
        dataset = registry.datasets.get(dataset_id)
        if dataset is None:
            entries.append(DatasetEntry(dataset_id, "", "", "", "", "", "", "", known=False))
            continue
        entries.append(
            DatasetEntry(
                id=dataset.id,
                name=dataset.name,
                source=dataset.source,
                version=dataset.version,
                sha256=dataset.sha256,
                personal_data="yes" if dataset.personal_data else "no",
                license=dataset.license,
                owner=_person(registry, dataset.owner) if dataset.owner else "",
            )
        )
    return tuple(entries)


def _experiments(
    registry: Registry, model: Model, version: ModelVersion
) -> tuple[ExperimentEntry, ...]:
    experiments = sorted(
        (e for e in registry.experiments.values() if e.model == model.id),
        key=lambda e: (e.date, e.id),
    )
    return tuple(
        ExperimentEntry(
            id=e.id,
            title=e.title,
            date=e.date.isoformat(),
            author=_person(registry, e.author),
            hypothesis=e.hypothesis.strip(),
            outcome=e.outcome,
            conclusion=e.conclusion.strip(),
            metrics=tuple(Row(name, _number(value)) for name, value in sorted(e.metrics.items())),
            this_version=e.id == version.experiment,
        )
        for e in experiments
    )


def _decisions(registry: Registry, model: Model) -> tuple[DecisionEntry, ...]:
    decisions = sorted(
        (d for d in registry.decisions.values() if model.id in d.models),
        key=lambda d: (d.number if d.number is not None else 1 << 30, d.id),
    )
    return tuple(
        DecisionEntry(
            id=d.id,
            title=d.title,
            status=d.status_text or d.status,
            date=d.date.isoformat() if d.date else "",
            decision_makers=", ".join(_person(registry, p) for p in d.decision_makers),
        )
        for d in decisions
    )


def _metrics(registry: Registry, version: ModelVersion) -> tuple[MetricEntry, ...]:
    bounded: dict[str, CheckSpec] = {}
    if registry.policy is not None:
        for spec in registry.policy.checks.values():
            if spec.metric is not None:
                bounded.setdefault(spec.metric, spec)
    entries = []
    for name in sorted(set(version.metrics) | set(bounded)):
        value = version.metrics.get(name)
        check = bounded.get(name)
        bound = ""
        state = "no bound"
        if check is not None:
            parts = []
            if check.minimum is not None:
                parts.append(f"≥ {check.minimum:g}")
            if check.maximum is not None:
                parts.append(f"≤ {check.maximum:g}")
            bound = " and ".join(parts)
            if value is None:
                state = "not recorded"
            else:
                low_ok = check.minimum is None or value >= check.minimum
                high_ok = check.maximum is None or value <= check.maximum
                state = "met" if low_ok and high_ok else "missed"
        elif value is None:
            continue
        entries.append(
            MetricEntry(
                name=name,
                value=float(value) if value is not None else None,
                value_text=_number(value) if value is not None else "not recorded",
                bound=bound,
                check=check.id if check else "",
                state=state,
                minimum=check.minimum if check else None,
                maximum=check.maximum if check else None,
            )
        )
    return tuple(entries)


def _checks(run: GovernanceRun, version: ModelVersion) -> tuple[CheckEntry, ...]:
    assessment = run.report.versions.get(version.key)
    policy = run.registry.policy
    if assessment is None or policy is None:
        return ()
    entries = []
    for stage in assessment.stages:
        if stage.state == StageState.PENDING:
            continue
        for item in stage.items:
            if item.kind != "check":
                continue
            spec = policy.checks.get(item.name)
            record = _verification_of(run.registry, version.key, item.name, item.records)
            entry = CheckEntry(
                stage=stage.stage,
                check=item.name,
                title=item.title,
                state=str(item.state),
                detail=item.detail,
                automatic=bool(spec and spec.is_automatic),
            )
            if record is not None:
                waiver = record.waiver
                entry = CheckEntry(
                    **{f.name: getattr(entry, f.name) for f in fields(entry)}
                    | {
                        "status": record.status,
                        "performed_by": _performer(run.registry, record.performed_by),
                        "date": record.date.isoformat(),
                        "evidence": record.evidence,
                        "summary": record.summary.strip(),
                        "waiver_by": _person(run.registry, waiver.approved_by) if waiver else "",
                        "waiver_reason": waiver.reason.strip() if waiver else "",
                        "waiver_expires": waiver.expires.isoformat()
                        if waiver and waiver.expires
                        else "",
                        "record": record.location.file,
                    }
                )
            entries.append(entry)
    return tuple(entries)


def _signoffs(run: GovernanceRun, version: ModelVersion) -> tuple[SignoffEntry, ...]:
    history = run.history
    by_file: dict[str, list[Finding]] = {}
    for finding in run.report.findings:
        if finding.file:
            by_file.setdefault(finding.file, []).append(finding)
    entries = []
    for signoff in sorted(run.registry.signoffs_for(version.key), key=lambda s: (s.date, s.id)):
        commit, signature = record_commit(history, signoff.location.file)
        errors = sorted({f.code for f in by_file.get(signoff.location.file, []) if f.is_error})
        entries.append(
            SignoffEntry(
                approver=_person(run.registry, signoff.approver),
                approver_id=signoff.approver,
                role=signoff.role,
                stage=signoff.stage,
                decision=signoff.decision,
                date=signoff.date.isoformat(),
                comment=signoff.comment.strip(),
                conditions=tuple(signoff.conditions),
                state="invalid: " + ", ".join(errors) if errors else "valid",
                commit=commit.sha if commit else "",
                commit_author=f"{commit.author_name} <{commit.author_email}>" if commit else "",
                commit_date=commit.author_date.date().isoformat() if commit else "",
                signature=signature,
                record=signoff.location.file,
            )
        )
    return tuple(entries)


def _missing(run: GovernanceRun, version: ModelVersion) -> tuple[MissingEntry, ...]:
    assessment = run.report.versions.get(version.key)
    if assessment is None:
        return ()
    entries = []
    for stage in assessment.stages:
        pending = stage.state == StageState.PENDING
        if pending and stage.stage != assessment.pending_stage:
            continue  # only the next stage: what a promotion would need now
        for item in stage.items:
            if item.state in (ItemState.MET, ItemState.WAIVED):
                continue
            entries.append(MissingEntry(stage.stage, not pending, item.title, item.detail))
    return tuple(entries)


def _previous(model: Model, version: ModelVersion) -> ModelVersion | None:
    index = model.versions.index(version)
    return model.versions[index - 1] if index > 0 else None


def _changes(model: Model, version: ModelVersion) -> tuple[ChangeEntry, ...]:
    previous = _previous(model, version)
    if previous is None:
        return ()
    skip = {"version", "created", "stage"}
    entries = []
    for change in diff_entries(dict(previous.content), dict(version.content)):
        if change.field.split(".")[0] in skip:
            continue
        if change.added or change.removed:
            before = f"− {', '.join(change.removed)}" if change.removed else "—"
            after = f"+ {', '.join(change.added)}" if change.added else "—"
        else:
            before, after = change.before or "—", change.after or "—"
        entries.append(ChangeEntry(change.field, before, after))
    return tuple(entries)


def _findings(run: GovernanceRun, version: ModelVersion) -> list[Finding]:
    assessment = run.report.versions.get(version.key)
    chosen = list(assessment.findings) if assessment else []
    chosen += [f for f in run.report.findings if f.subject == version.key and f not in chosen]
    return sort_findings(chosen)


def _deployments(registry: Registry, key: str) -> tuple[DeploymentEntry, ...]:
    """The version's deployment events, oldest first (records under ``deployments/``)."""
    return tuple(
        DeploymentEntry(
            environment=record.environment,
            started=record.started.isoformat(),
            status=record.status,
            by=_performer(registry, record.by),
            artifact_sha256=record.artifact_sha256,
        )
        for record in sorted(registry.deployments, key=lambda d: (d.started, d.id))
        if record.key == key
    )


def _metric_history(
    registry: Registry, version: ModelVersion
) -> Mapping[str, tuple[tuple[float, float], ...]]:
    experiment = registry.experiments.get(version.experiment or "")
    return dict(experiment.metric_history) if experiment else {}


# -- small helpers ---------------------------------------------------------------------------


def _documentation_spec(registry: Registry) -> Any:
    if registry.policy is None:
        return None
    for check in registry.policy.checks.values():
        if check.automatic == "documentation":
            return check
    return None


def _verification_of(
    registry: Registry, key: str, check: str, files: Sequence[str]
) -> Verification | None:
    """The verification the gate judged for the slot (its record files), else the newest."""
    records = [v for v in registry.verifications_for(key) if v.check == check]
    for record in records:
        if record.location.file in files:
            return record
    return max(records, key=lambda v: (v.date, v.location.file), default=None)


def _person(registry: Registry, person_id: str) -> str:
    person = registry.people.get(person_id)
    return f"{person.name} ({person_id})" if person else person_id


def _performer(registry: Registry, performer: str) -> str:
    if performer.startswith("pipeline:"):
        return f"pipeline {performer.removeprefix('pipeline:')}"
    return _person(registry, performer)


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return json.dumps(value, default=str) if not isinstance(value, str) else value
    return f"{value:.6g}"


def _where(finding: Finding) -> str:
    if finding.file:
        return f"{finding.file}:{finding.line}" if finding.line else finding.file
    return finding.subject
