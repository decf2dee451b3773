"""What every rule needs to know, computed once per evaluation.

The [`Context`][mkdocs_governance.policy.context.Context] is built from the registry,
the history and the policy that judges them (the base side's when a base ref is given:
the trusted side). It holds derived facts the rules share: the current digest of every
version, the standing decision of each approver, the latest result of each check, and
the commit that added each record file. It performs no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from ..history.content import RecordContent
from ..history.identity import match_person
from ..history.model import Commit, History, VersionProvenance, WorktreeState
from ..history.record_signatures import RecordSignature
from ..history.requirements import RequirementChange
from ..records.model import (
    POLICY_MODEL,
    Model,
    ModelVersion,
    Person,
    Pipeline,
    Policy,
    Registry,
    SignOff,
    SignoffRequirement,
    Verification,
)

# Sign-offs of a policy change name the pseudo-model POLICY_MODEL instead of a real one
# (SPEC §6a): ``model: policy``, ``subject:`` the policy digest printed by the
# ``policy-changed`` finding. The records layer accepts it as a reference.


@dataclass(frozen=True, slots=True)
class EffectiveRequirements:
    """A stage's requirements after the model's risk-tier override is applied."""

    stage: str
    checks: tuple[str, ...]
    signoffs: tuple[SignoffRequirement, ...]


@dataclass
class Context:
    """The facts the rules read.

    Attributes:
        registry: the records under evaluation (the head side).
        history: the git history of the records folder.
        as_of: the day date rules are judged on.
        policy: the policy that judges (the base's when a base ref is given).
        people: the people who may approve (the base's when a base ref is given).
        digests: the current digest of each version, by ``model@version``.
        base: the base side's registry, when a pull request is judged.
        head_policy_digest: digest of the head side's policy + people (for
            ``policy-changed`` sign-offs).
        provenance: per ``model@version``, the commit that created it and the commits
            that changed its content (read from the model files' revisions); None
            when not read (then the model file's first commit stands in for the
            creating commit, and Git authors of the content are not known).
        pipelines: the declared pipelines (the judging side's, like ``people``).
        content: which commits wrote each sign-off and verification file's current
            content (``history.content``); None when not read (the rules then fall
            back on the commits that touched the path).
        former_signoffs: sign-offs a file held before (replaced or deleted), each with
            the commits that removed it, for ``withdrawn-signoff``.
        requirement_changes: per model id, the commits that lowered its ``risk_tier``
            or changed its ``owner`` (``history.requirements``).
        record_signatures: per record file, the check of its ``signature:``
            (``history.record_signatures``); files without one are absent.
        roles_when_signed: per sign-off file whose approver no longer holds its role,
            the roles they held in people.yaml at the commit that wrote it.
    """

    registry: Registry
    history: History
    as_of: date
    policy: Policy | None
    people: Mapping[str, Person]
    digests: Mapping[str, str]
    base: Registry | None = None
    head_policy_digest: str = ""
    provenance: Mapping[str, VersionProvenance] | None = None
    pipelines: Mapping[str, Pipeline] = field(default_factory=dict)
    content: RecordContent | None = None
    former_signoffs: tuple[tuple[SignOff, tuple[str, ...]], ...] = ()
    requirement_changes: Mapping[str, tuple[RequirementChange, ...]] = field(default_factory=dict)
    record_signatures: Mapping[str, RecordSignature] = field(default_factory=dict)
    # Deployments judged at their moments and served traffic (policy/deployments.py).
    production: Any = None
    roles_when_signed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Results several rules share (slot fills, check outcomes), computed once.
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)

    # -- versions -----------------------------------------------------------------

    def model_of(self, version: ModelVersion) -> Model:
        """The model ``version`` belongs to."""
        return self.registry.models[version.model_id]

    def versions(self) -> list[ModelVersion]:
        """Every version that sits in a stage the policy knows."""
        if self.policy is None:
            return []
        return [v for v in self.registry.versions() if v.stage in self.policy.stages]

    def stage_index(self, stage: str) -> int:
        """The position of ``stage`` in the policy's order (-1 when unknown)."""
        if self.policy is None or stage not in self.policy.stages:
            return -1
        return self.policy.stages.index(stage)

    def is_required(self, version: ModelVersion, stage: str) -> bool:
        """True when ``version`` sits in ``stage`` or past it: its requirements must hold.

        A later stage is pending (shown, never failing).
        """
        index = self.stage_index(stage)
        return 0 <= index <= self.stage_index(version.stage)

    def requirements(self, version: ModelVersion, stage: str) -> EffectiveRequirements:
        """The checks and sign-offs ``stage`` asks of ``version``, after the tier override.

        The override's checks are added; a sign-off role it lists replaces that role's
        count, and a new role is added.
        """
        assert self.policy is not None
        base = self.policy.requirements.get(stage)
        if base is None:
            return EffectiveRequirements(stage, (), ())
        checks = list(base.checks)
        signoffs = {req.role: req for req in base.signoffs}
        override = base.by_risk_tier.get(self.model_of(version).risk_tier)
        if override is not None:
            checks.extend(c for c in override.checks if c not in checks)
            for req in override.signoffs:
                signoffs[req.role] = req
        return EffectiveRequirements(stage, tuple(checks), tuple(signoffs.values()))

    def created_at(self, version: ModelVersion) -> date | None:
        """The author date of the commit that created ``version``.

        From the version's provenance (the commit whose model file first listed it);
        without provenance for it, the commit that added its model file, the earliest
        moment any of the file's versions existed.
        """
        provenance = self.provenance_of(version)
        if provenance is not None:
            return provenance.created_at.date()
        file_history = self.history.file(version.location.file)
        if file_history is None or file_history.created_by is None:
            return None
        commit = self.history.commit(file_history.created_by.sha)
        return commit.author_date.date() if commit else None

    def provenance_of(self, version: ModelVersion) -> VersionProvenance | None:
        """What Git says about where ``version`` came from, when it was read."""
        if self.provenance is None or not self.history.available:
            return None
        return self.provenance.get(version.key)

    def last_content_commit(self, version: ModelVersion) -> Commit | None:
        """The newest commit that changed ``version``'s content (its entry minus ``stage``)."""
        provenance = self.provenance_of(version)
        sha = provenance.last_content_commit if provenance else None
        return self.history.commit(sha) if sha else None

    # -- people -------------------------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        """The person ``person_id`` among the judging side's people."""
        return self.people.get(person_id)

    def person_for_email(self, email: str) -> Person | None:
        """The judging side's person owning ``email`` (see ``history.identity``), if any."""
        return match_person(self.people, "", email)

    # -- records and their commits -----------------------------------------------

    def commit_rank(self, path: str) -> int:
        """Order records by when their content was committed: higher is newer.

        The commit that last changed the file counts (it wrote the record as it is);
        an uncommitted record ranks newest (it is the latest thing written).
        """
        file_history = self.history.file(path)
        if file_history is None or file_history.last_changed_by is None:
            return len(self.history.order) + 1
        position = self._positions.get(file_history.last_changed_by.sha)
        if position is None:
            return 0
        return len(self.history.order) - position

    def position(self, sha: str) -> int | None:
        """Where ``sha`` sits in the history, newest first (0 is the newest), if there."""
        return self._positions.get(sha)

    @cached_property
    def _positions(self) -> dict[str, int]:
        # sha -> index in ``order`` (newest first), so ordering records stays linear.
        return {sha: index for index, sha in enumerate(self.history.order)}

    def adding_commit(self, path: str) -> Commit | None:
        """The commit that added ``path`` (following renames), if committed."""
        file_history = self.history.file(path)
        if file_history is None or file_history.created_by is None:
            return None
        return self.history.commit(file_history.created_by.sha)

    def last_commit(self, path: str) -> Commit | None:
        """The newest commit that changed ``path``, if committed."""
        file_history = self.history.file(path)
        if file_history is None or file_history.last_changed_by is None:
            return None
        return self.history.commit(file_history.last_changed_by.sha)

    def later_commits(self, path: str) -> list[Commit]:
        """The commits that changed ``path`` after it was added, oldest first.

        A merge that only carried a side branch's change (the file at the merge is
        what the merged side had) wrote nothing and is skipped; a merge whose content
        matches neither side (a conflict resolved by hand) is an edit by its author.
        """
        file_history = self.history.file(path)
        if file_history is None:
            return []
        commits = [
            self.history.commit(change.sha)
            for change in file_history.changes[:-1]
            if not change.merged_unchanged
        ]
        return [c for c in reversed(commits) if c is not None]

    def worktree_state(self, path: str) -> WorktreeState:
        """The working-tree state of the record file ``path``."""
        return self.history.state(path)

    # -- sign-offs ------------------------------------------------------------------

    @cached_property
    def standing_signoffs(self) -> list[SignOff]:
        """The decisions that stand: each approver's latest word on a version's stage.

        Records are ordered by ``date``, then by the commit that last changed them (an
        uncommitted record is newest), then by file path. Per version, stage and
        approver: when the newest record is a rejection, it alone stands (it withdraws
        that person's earlier approvals); otherwise the newest approval per role made
        after their last rejection stands (a person holding two roles may approve in
        both). Superseded records are judged no further.
        """
        by_approver: dict[tuple[str, str, str], list[SignOff]] = {}
        for signoff in self.registry.signoffs:
            if signoff.model == POLICY_MODEL and signoff.model not in self.registry.models:
                continue
            by_approver.setdefault((signoff.key, signoff.stage, signoff.approver), []).append(
                signoff
            )
        standing: list[SignOff] = []
        for records in by_approver.values():
            records.sort(key=self._order)
            if records[-1].decision == "rejected":
                standing.append(records[-1])
                continue
            latest: dict[str, SignOff] = {}
            for record in records:  # oldest first: a rejection clears what came before
                if record.decision == "rejected":
                    latest.clear()
                else:
                    latest[record.role] = record
            standing.extend(latest.values())
        return sorted(standing, key=lambda s: (s.location.file, s.location.line))

    def _order(self, record: SignOff | Verification) -> tuple[date, int, str]:
        return (record.date, self.commit_rank(record.location.file), record.location.file)

    def signoffs_for(self, key: str, stage: str) -> list[SignOff]:
        """The standing sign-offs of version ``key`` for ``stage``."""
        return self._standing_by_stage.get((key, stage), [])

    @cached_property
    def _standing_by_stage(self) -> dict[tuple[str, str], list[SignOff]]:
        grouped: dict[tuple[str, str], list[SignOff]] = {}
        for signoff in self.standing_signoffs:
            grouped.setdefault((signoff.key, signoff.stage), []).append(signoff)
        return grouped

    def policy_signoffs(self) -> list[SignOff]:
        """Sign-offs of a policy change (``model: policy``), latest per approver and role."""
        latest: dict[tuple[str, str], SignOff] = {}
        for signoff in self.registry.signoffs:
            if signoff.model != POLICY_MODEL or signoff.model in self.registry.models:
                continue
            slot = (signoff.approver, signoff.role)
            current = latest.get(slot)
            if current is None or self._order(signoff) > self._order(current):
                latest[slot] = signoff
        return list(latest.values())

    # -- verifications --------------------------------------------------------------

    def latest_verification(self, key: str, check: str) -> Verification | None:
        """The newest verification of ``check`` for version ``key``.

        Newest by ``date``, then by commit order (uncommitted newest), then by path.
        """
        return max(self._verifications.get((key, check), []), key=self._order, default=None)

    @cached_property
    def _verifications(self) -> dict[tuple[str, str], list[Verification]]:
        grouped: dict[tuple[str, str], list[Verification]] = {}
        for record in self.registry.verifications:
            grouped.setdefault((record.key, record.check), []).append(record)
        return grouped

    def age_limit(self, days: int | None) -> date | None:
        """The oldest date still within ``days`` of ``as_of`` (None: no limit)."""
        return None if days is None else self.as_of - timedelta(days=days)
