"""What the gate concludes: findings plus, per model version, a requirements checklist.

The site renders the checklist; the CLI and the plugin read ``findings`` and
``passed``. Everything here is produced by pure functions of the registry, the
history and the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..findings import Finding


class ItemState(StrEnum):
    """The state of one requirement slot (a check or a sign-off role)."""

    MET = "met"
    WAIVED = "waived"
    MISSING = "missing"
    STALE = "stale"
    FAILED = "failed"
    REJECTED = "rejected"
    INVALID = "invalid"  # present but not valid (unverified, expired, wrong role...)


class StageState(StrEnum):
    """Where a version stands against one stage's requirements."""

    MET = "met"  # every requirement of this stage holds
    BLOCKED = "blocked"  # the version sits in (or past) this stage and something fails
    PENDING = "pending"  # a later stage the version has not been promoted to yet


@dataclass(frozen=True, slots=True)
class RequirementItem:
    """One slot of a stage's checklist.

    Attributes:
        kind: ``check`` or ``signoff``.
        name: the check id, or the role for a sign-off slot.
        title: human title (the check's title, or "2 × model-risk").
        state: met, missing, stale, failed...
        detail: one sentence for the page: who approved, the metric value, or the
            finding message that explains the state.
        records: repository-relative files of the records that fill the slot.
        eligible: for an open sign-off slot, the ids of the people who may fill it
            (role holders not barred by separation of duties nor already used).
    """

    kind: str
    name: str
    title: str
    state: ItemState
    detail: str = ""
    records: tuple[str, ...] = ()
    eligible: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StageAssessment:
    """One stage of one version's checklist."""

    stage: str
    state: StageState
    items: tuple[RequirementItem, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionAssessment:
    """The gate's view of one model version.

    Attributes:
        key: ``model@version``.
        stage: the stage the version sits in.
        digest: the version's current digest (``sha256:…``).
        stages: one assessment per policy stage, in order (later stages pending).
        findings: the findings about this version.
    """

    key: str
    stage: str
    digest: str
    stages: tuple[StageAssessment, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def blocked(self) -> bool:
        """True when any error finding concerns this version."""
        return any(f.is_error for f in self.findings)

    @property
    def pending_stage(self) -> str | None:
        """The next stage, when the version is not in the last stage."""
        for assessment in self.stages:
            if assessment.state == StageState.PENDING:
                return assessment.stage
        return None


@dataclass(frozen=True, slots=True)
class GateReport:
    """The gate's whole output.

    Attributes:
        findings: every finding (records, history, policy), sorted errors first.
        versions: the assessment of each model version, by ``model@version``.
        as_of: ISO date the date rules were judged on.
    """

    findings: tuple[Finding, ...]
    versions: dict[str, VersionAssessment] = field(default_factory=dict)
    as_of: str = ""

    @property
    def errors(self) -> list[Finding]:
        """The findings that fail the gate."""
        return [f for f in self.findings if f.is_error]

    @property
    def passed(self) -> bool:
        """True when no finding is an error."""
        return not self.errors
