"""A version's standing: the one status every headline, grid cell, inventory row and
badge shows, derived from the gate's per-stage assessment and the version's findings.

The page a reader looks at first must never be greener than the findings below it,
so the standing is computed once, here, and every page shows it:

- ``blocked``: an error concerns the version (it fails the gate where it stands);
- ``warning``: no error, but a warning does (a failed check for the next stage,
  a sign-off about to expire...);
- ``waived``: every requirement up to the stage holds, at least one only through a
  waiver (its approver and expiry are named);
- ``met``: every requirement up to the stage holds and nothing is wrong; a stage
  with no requirements says so (``in development``) instead of "approved".

The standing also says what blocks the next stage, so "pending staging" comes with
the reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from ..findings import Finding
from ..policy.model import ItemState, RequirementItem, StageState, VersionAssessment
from ..records.model import ModelVersion, Registry


class Level(IntEnum):
    """How green a status is: a higher level is greener."""

    BLOCKED = 0
    WARNING = 1
    WAIVED = 2
    MET = 3


#: The badge kind (CSS class) of each level.
LEVEL_KINDS = {
    Level.BLOCKED: "blocked",
    Level.WARNING: "stale",
    Level.WAIVED: "waived",
    Level.MET: "met",
}


@dataclass(frozen=True, slots=True)
class Waiver:
    """A required check that holds only through a waiver."""

    check: str
    approved_by: str
    expires: str


@dataclass(frozen=True, slots=True)
class Standing:
    """One version's status, with the reasons a reader needs at a glance.

    Attributes:
        key: ``model@version``.
        stage: the stage the version sits in.
        level: how green the status may be (see [`Level`][mkdocs_governance.site.standing.Level]).
        word: the badge text (``blocked``, ``warning``, ``waived``, ``meets staging``...).
        errors: the codes of the error findings about the version.
        warnings: the codes of the warning findings about the version.
        waivers: the waived checks of the stages the version must meet.
        next_stage: the stage it could be promoted to next, if any.
        next_blockers: the requirements of ``next_stage`` that do not hold yet.
        has_requirements: False when no stage up to ``stage`` requires anything.
    """

    key: str
    stage: str
    level: Level
    word: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    next_stage: str | None = None
    next_blockers: tuple[RequirementItem, ...] = ()
    has_requirements: bool = True

    @property
    def kind(self) -> str:
        """The badge kind (CSS class suffix) of the standing."""
        if self.level == Level.MET and not self.has_requirements:
            return "none"
        return LEVEL_KINDS[self.level]

    @property
    def blocked(self) -> bool:
        """True when an error concerns the version."""
        return self.level == Level.BLOCKED

    @property
    def headline(self) -> str:
        """The page's first sentence about the version (plain text)."""
        if self.level == Level.BLOCKED:
            return f"Blocked in {self.stage}: {', '.join(self.errors)}"
        if self.level == Level.WARNING:
            return f"In {self.stage}, with warnings: {', '.join(self.warnings)}"
        if self.level == Level.WAIVED:
            waived = ", ".join(f"{w.check} until {w.expires or 'no expiry'}" for w in self.waivers)
            return f"Meets {self.stage} with a waiver: {waived}"
        if not self.has_requirements:
            return f"In {self.stage}: nothing is required yet"
        return f"Meets every requirement up to {self.stage}"

    @property
    def next_summary(self) -> str:
        """What the next stage still needs, in a few words (empty when nothing)."""
        if not self.next_stage:
            return ""
        if not self.next_blockers:
            return f"ready for {self.next_stage}"
        needs = ", ".join(f"{item.name} {item.state}" for item in self.next_blockers)
        return f"{self.next_stage} needs: {needs}"


def standing(
    version: ModelVersion,
    assessment: VersionAssessment | None,
    findings: Iterable[Finding] = (),
    registry: Registry | None = None,
) -> Standing:
    """The standing of ``version`` from its assessment and every finding about it.

    ``findings`` may repeat the assessment's own; both are read, so a finding the
    assessment does not carry (a record finding on the version) still counts.
    ``registry`` supplies each waiver's approver and expiry.
    """
    everything = list(assessment.findings if assessment else ()) + list(findings)
    errors = tuple(sorted({f.code for f in everything if f.is_error}))
    warnings = tuple(sorted({f.code for f in everything if not f.is_error}))
    stages = assessment.stages if assessment else ()
    required = [s for s in stages if s.state != StageState.PENDING]
    blocked_items = any(s.state == StageState.BLOCKED for s in required)
    waivers = tuple(
        _waiver(registry, version.key, item)
        for s in required
        for item in s.items
        if item.state == ItemState.WAIVED
    )
    has_requirements = any(s.items for s in required)
    upcoming = next((s for s in stages if s.state == StageState.PENDING), None)
    next_blockers = tuple(
        item
        for item in (upcoming.items if upcoming else ())
        if item.state not in (ItemState.MET, ItemState.WAIVED)
    )
    if errors or blocked_items:
        level, word = Level.BLOCKED, "blocked"
        if not errors:
            errors = ("requirements not met",)
    elif warnings:
        level, word = Level.WARNING, "warning"
    elif waivers:
        level, word = Level.WAIVED, "waived"
    else:
        level = Level.MET
        word = f"meets {version.stage}" if has_requirements else f"in {version.stage}"
    return Standing(
        key=version.key,
        stage=version.stage,
        level=level,
        word=word,
        errors=errors,
        warnings=warnings,
        waivers=waivers,
        next_stage=upcoming.stage if upcoming else None,
        next_blockers=next_blockers,
        has_requirements=has_requirements,
    )


def _waiver(registry: Registry | None, key: str, item: RequirementItem) -> Waiver:
    """The waiver behind a waived checklist item: its approver (a name) and expiry."""
    if registry is not None:
        for verification in registry.verifications_for(key):
            waiver = verification.waiver
            if verification.check == item.name and verification.status == "waived" and waiver:
                person = registry.people.get(waiver.approved_by)
                return Waiver(
                    item.name,
                    person.name if person else waiver.approved_by,
                    waiver.expires.isoformat() if waiver.expires else "",
                )
    return Waiver(item.name, "", "")


def model_level(standings: Sequence[Standing]) -> Level | None:
    """The least green standing among a model's versions (None: no versions)."""
    return min((s.level for s in standings), default=None)
