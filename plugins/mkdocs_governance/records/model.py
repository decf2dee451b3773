"""The typed registry: what the records say, as a model-risk officer would name it.

Every record type carries a [`Location`][mkdocs_governance.records.model.Location]
(file, line, and the line of each field) so that any finding about it can point at
``file:line``. Paths are repository-relative POSIX strings.

These are plain frozen dataclasses; they hold no behaviour beyond small lookups,
and nothing here imports git or MkDocs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# A sign-off of a change to policy.yaml or people.yaml (SPEC §6a) names this pseudo-model
# and this stage (``model: policy``, ``stage: policy``) instead of a real version.
POLICY_MODEL = "policy"

RISK_TIERS = ("low", "medium", "high")
SIGNOFF_DECISIONS = ("approved", "rejected")
VERIFICATION_STATUSES = ("passed", "failed", "waived")
EXPERIMENT_OUTCOMES = ("adopted", "rejected", "inconclusive", "running")
DECISION_STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
DEPLOYMENT_STATUSES = ("deployed", "rolled-back")

# The parts a policy may ask a document to have, and what each means.
DOCUMENT_PARTS: Mapping[str, str] = {
    "description": "the model card's description",
    "intended_use": "the model card's intended use",
    "out_of_scope_use": "the model card's out-of-scope use",
    "limitations": "the model card's limitations",
    "ethical_considerations": "the model card's ethical considerations",
    "datasets": "at least one dataset (on the model or the version)",
    "experiments": "at least one experiment of the model",
    "decisions": "at least one decision (ADR) that names the model",
    "artifact": "the version's artifact with its sha256",
    "metrics": "the version's metrics",
}
VERIFICATION_PART = "verification:"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record (and each of its fields) was written.

    Attributes:
        file: repository-relative POSIX path of the record file.
        line: 1-based line where the record starts (1 for a whole-file record,
            the line of the list item for a model version or a person).
        field_lines: 1-based line of each field key of this record.
    """

    file: str
    line: int = 1
    field_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, field_name: str) -> int:
        """The line of ``field_name``, or of the record when the field is absent."""
        return self.field_lines.get(field_name, self.line)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who can author, own, approve or verify: an entry of ``people.yaml``."""

    id: str
    name: str
    emails: tuple[str, ...]
    roles: tuple[str, ...]
    signing_keys: tuple[str, ...]
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """An automated identity (a CI pipeline): an entry of ``people.yaml`` ``pipelines:``.

    Referenced as ``pipeline:<id>``. ``emails`` are the Git identities its commits
    use and ``signing_keys`` the keys it signs with, so that a verification it
    records can be checked like a person's sign-off.
    """

    id: str
    name: str
    emails: tuple[str, ...]
    signing_keys: tuple[str, ...]
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        """``pipeline:<id>``: how records name this pipeline."""
        return f"pipeline:{self.id}"


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One entry of the policy's check catalogue.

    A check with ``metric`` is automatic: the version's metric must lie within
    ``minimum``/``maximum``. ``automatic == "documentation"`` asks for the model-card
    fields the model's risk tier needs. Any other check needs a verification record.
    """

    id: str
    title: str
    description: str = ""
    metric: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    automatic: str | None = None
    location: Location | None = None
    # ``automatic: documentation`` only: the model-document parts each risk tier must
    # have (see ``policy.documentation``); a tier not listed keeps the defaults.
    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_automatic(self) -> bool:
        """True when the gate computes this check itself instead of reading a record."""
        return self.metric is not None or self.automatic is not None


@dataclass(frozen=True, slots=True)
class SignoffRequirement:
    """``count`` distinct approvals by people holding ``role``."""

    role: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class TierOverride:
    """Extra requirements for a risk tier: checks are added; a sign-off role listed
    here replaces that role's count (a new role is added)."""

    checks: tuple[str, ...] = ()
    signoffs: tuple[SignoffRequirement, ...] = ()


@dataclass(frozen=True, slots=True)
class StageRequirements:
    """What a version needs to sit in ``stage`` (on top of every earlier stage)."""

    stage: str
    checks: tuple[str, ...] = ()
    signoffs: tuple[SignoffRequirement, ...] = ()
    by_risk_tier: Mapping[str, TierOverride] = field(default_factory=dict)
    bound_artifact: bool = False


@dataclass(frozen=True, slots=True)
class Rules:
    """The integrity rules of ``policy.yaml`` (SPEC §3), with their defaults."""

    separation_of_duties: bool = True
    distinct_approvers: bool = True
    signoff_author_must_match: bool = True
    require_signed_commits: bool = False
    signoff_max_age_days: int | None = 365
    review_interval_days: int | None = 365
    waiver_roles: tuple[str, ...] = ()
    # Sign-offs a pull request must carry to change people.yaml or policy.yaml.
    policy_change_signoffs: tuple[SignoffRequirement, ...] = ()
    # Record signatures (``signature:`` in a sign-off or verification): "accepted" in
    # place of commit authorship, "required" of every such record, or "ignored".
    record_signatures: str = "accepted"
    # The backfill cut-over (policy/backfill.py): records dated and committed on or
    # before it are judged by their recorded dates, not by the commit that added the version.
    backfill_until: date | None = None
    # Roles of people who may deploy by hand (a declared pipeline always may).
    deploy_roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServingLogSource:
    """Where an environment's request logs are, and how to read them.

    Attributes:
        path: a repository-relative path or glob (``serving_logs/prod-eu/*.jsonl``).
        format: ``jsonl`` or ``csv`` (default: by the file's extension).
        preset: a known layout (``mlflow``, ``kserve``) or None for the fields below.
        fields: field name per role: ``timestamp``, ``model``, ``version``.
    """

    path: str
    format: str | None = None
    preset: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Environment:
    """A deployment environment of ``policy.yaml`` ``environments:`` and the stage it needs."""

    id: str
    stage: str
    serving_logs: tuple[ServingLogSource, ...] = ()
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """``policy.yaml``: ordered stages, the check catalogue, requirements and rules."""

    stages: tuple[str, ...]
    checks: Mapping[str, CheckSpec]
    requirements: Mapping[str, StageRequirements]
    rules: Rules
    location: Location
    gto_stages: Mapping[str, str] = field(default_factory=dict)
    environments: Mapping[str, Environment] = field(default_factory=dict)

    def stages_up_to(self, stage: str) -> tuple[str, ...]:
        """``stage`` and every stage before it, in order (empty if unknown)."""
        if stage not in self.stages:
            return ()
        return self.stages[: self.stages.index(stage) + 1]

    def next_stage(self, stage: str) -> str | None:
        """The stage after ``stage``, or None for the last (or an unknown) stage."""
        if stage not in self.stages:
            return None
        index = self.stages.index(stage)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None


@dataclass(frozen=True, slots=True)
class Artifact:
    """Where a version's trained artifact lives and its content hash."""

    uri: str
    sha256: str = ""  # empty: not hashed (unbound), see StageRequirements.bound_artifact


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One version of a model, as listed under the model's ``versions:``.

    ``content`` is the version entry as written (JSON-ready: dates as ISO strings,
    numbers as numbers), used for the version digest (SPEC §5).
    """

    model_id: str
    version: str
    created: date
    stage: str
    author: str
    artifact: Artifact | None
    experiment: str | None
    datasets: tuple[str, ...]
    metrics: Mapping[str, float]
    description: str
    content: Mapping[str, Any]
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``model@version``: how findings and pages name this version."""
        return f"{self.model_id}@{self.version}"


@dataclass(frozen=True, slots=True)
class Model:
    """A model card and its versions (``models/<id>.yaml`` or ``.md``).

    For a Markdown record, ``body`` holds the text after the front matter (the
    overview); ``description`` is the short front-matter description.
    """

    id: str
    name: str
    owner: str
    description: str
    risk_tier: str
    intended_use: str
    out_of_scope_use: str
    limitations: str
    ethical_considerations: str
    datasets: tuple[str, ...]
    tags: tuple[str, ...]
    versions: tuple[ModelVersion, ...]
    body: str
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)

    def version(self, version: str) -> ModelVersion | None:
        """The version named ``version``, if any."""
        for candidate in self.versions:
            if candidate.version == version:
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset record (``datasets/<id>.yaml``)."""

    id: str
    name: str
    description: str
    owner: str
    source: str
    version: str
    sha256: str
    personal_data: bool
    license: str
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Experiment:
    """An experiment (``experiments/<id>.yaml``), laid out like an MLflow run."""

    id: str
    model: str
    title: str
    hypothesis: str
    author: str
    date: date
    datasets: tuple[str, ...]
    code_commit: str
    params: Mapping[str, Any]
    metrics: Mapping[str, float]
    metric_history: Mapping[str, tuple[tuple[float, float], ...]]
    outcome: str
    conclusion: str
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """An architecture/governance decision record (MADR 4, MADR 2/3 or Nygard).

    ``status`` is normalised to one of ``DECISION_STATUSES``; ``status_text`` keeps
    what was written. ``superseded_by`` holds the link or id of a "superseded by …"
    status. ``id`` is the file stem (``0003-use-gbm``); ``number`` its leading number.
    """

    id: str
    number: int | None
    title: str
    status: str
    status_text: str
    date: date | None
    decision_makers: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    models: tuple[str, ...]
    supersedes: tuple[str, ...]
    superseded_by: str | None
    body: str
    format: str
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Waiver:
    """Why a required check was waived, by whom, until when."""

    approved_by: str
    reason: str
    expires: date | None


@dataclass(frozen=True, slots=True)
class SignOff:
    """One human decision about one model version for one stage."""

    id: str
    model: str
    version: str
    stage: str
    approver: str
    role: str
    decision: str
    date: date
    comment: str
    conditions: tuple[str, ...]
    subject: str | None
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)
    # A record signature (armored SSH or GPG) over the record's canonical content
    # without the signature (``records.signed.record_payload``).
    signature: str | None = None

    @property
    def key(self) -> str:
        """``model@version`` of the version signed off."""
        return f"{self.model}@{self.version}"


@dataclass(frozen=True, slots=True)
class Verification:
    """One check result for one model version."""

    id: str
    model: str
    version: str
    check: str
    status: str
    date: date
    performed_by: str
    evidence: str
    metrics: Mapping[str, float]
    summary: str
    subject: str | None
    waiver: Waiver | None
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)
    signature: str | None = None

    @property
    def key(self) -> str:
        """``model@version`` of the version verified."""
        return f"{self.model}@{self.version}"


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployment event (``deployments/**.yaml``): a version went live or was rolled back.

    ``started`` is timezone-aware (UTC). ``by`` is a person id or ``pipeline:<id>``.
    ``status: rolled-back`` records that the version was taken out of service at
    ``started``; the service then serves the version deployed before it.
    """

    id: str
    environment: str
    model: str
    version: str
    artifact_sha256: str
    started: datetime
    by: str
    service: str
    status: str
    comment: str
    run_url: str
    location: Location
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``model@version`` of the version deployed."""
        return f"{self.model}@{self.version}"


@dataclass(frozen=True, slots=True)
class Registry:
    """Everything the records say, keyed by id.

    Attributes:
        records_dir: repository-relative POSIX path of the records folder.
        files: every record file seen (loaded or not), repository-relative.
    """

    records_dir: str
    people: Mapping[str, Person]
    policy: Policy | None
    models: Mapping[str, Model]
    datasets: Mapping[str, Dataset]
    experiments: Mapping[str, Experiment]
    decisions: Mapping[str, Decision]
    signoffs: tuple[SignOff, ...]
    verifications: tuple[Verification, ...]
    files: tuple[str, ...]
    # Declared pipelines (people.yaml ``pipelines:``), by id; empty when none.
    pipelines: Mapping[str, Pipeline] = field(default_factory=dict)
    # Images beside the decisions (decisions/assets/*.png): file -> bytes, published
    # with the decision pages.
    assets: Mapping[str, bytes] = field(default_factory=dict)
    deployments: tuple[Deployment, ...] = ()

    def version(self, key: str) -> ModelVersion | None:
        """The version named ``model@version``, if any."""
        model_id, _, version = key.partition("@")
        model = self.models.get(model_id)
        return model.version(version) if model else None

    def versions(self) -> list[ModelVersion]:
        """Every model version, models in id order, versions in file order."""
        return [v for model_id in sorted(self.models) for v in self.models[model_id].versions]

    def person_for_email(self, email: str) -> Person | None:
        """The person whose ``emails`` contain ``email`` (case-insensitive)."""
        wanted = email.strip().lower()
        for person in self.people.values():
            if any(known.lower() == wanted for known in person.emails):
                return person
        return None

    def signoffs_for(self, key: str) -> list[SignOff]:
        """Sign-offs of the version ``model@version``, in file order."""
        return [s for s in self.signoffs if s.key == key]

    def verifications_for(self, key: str) -> list[Verification]:
        """Verifications of the version ``model@version``, in file order."""
        return [v for v in self.verifications if v.key == key]


def empty_registry(records_dir: str = "governance_records") -> Registry:
    """A registry with nothing in it (used when the records folder is missing)."""
    return Registry(records_dir, {}, None, {}, {}, {}, {}, (), (), ())
