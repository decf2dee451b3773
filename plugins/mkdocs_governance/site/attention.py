"""Who must act next: open sign-off slots per person, and what falls due soon.

Two views of the same facts, for the people page and the dashboard:

- [`pending_actions`][mkdocs_governance.site.attention.pending_actions]: per person,
  the open sign-off slots they are eligible to fill (the checklist's ``eligible``),
  for a stage the version sits in or the next one it waits for;
- [`upcoming`][mkdocs_governance.site.attention.upcoming]: sign-offs that expire
  (``signoff_max_age_days``), production reviews that fall due
  (``review_interval_days``) and waivers that expire, within a horizon of days from
  the day the gate judged (``as_of``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from ..policy.model import GateReport, ItemState, StageState
from ..records.model import Registry


@dataclass(frozen=True, slots=True)
class Action:
    """One open sign-off slot a person may fill."""

    key: str
    stage: str
    role: str
    blocking: bool  # True: the version already sits in the stage (the gate fails)


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something that expires or falls due within the horizon."""

    due: date
    kind: str  # "sign-off expires", "review due", "waiver expires"
    key: str
    who: str  # the person id concerned
    what: str  # the role, stage or check


def pending_actions(report: GateReport) -> dict[str, list[Action]]:
    """Per person id, the open slots they are eligible for, blocking ones first."""
    actions: dict[str, list[Action]] = defaultdict(list)
    for key, assessment in sorted(report.versions.items()):
        for stage in assessment.stages:
            blocking = stage.state == StageState.BLOCKED
            upcoming = stage.stage == assessment.pending_stage
            if not (blocking or upcoming):
                continue
            for item in stage.items:
                if item.kind != "signoff" or item.state != ItemState.MISSING:
                    continue
                for person in item.eligible:
                    actions[person].append(Action(key, stage.stage, item.name, blocking))
    for person in actions:
        actions[person].sort(key=lambda a: (not a.blocking, a.key, a.stage, a.role))
    return dict(actions)


def upcoming(registry: Registry, report: GateReport, horizon_days: int) -> list[DueItem]:
    """What expires or falls due between the judging day and ``horizon_days`` later."""
    policy = registry.policy
    if policy is None or not report.as_of:
        return []
    today = date.fromisoformat(report.as_of)
    end = today + timedelta(days=horizon_days)
    found: list[DueItem] = []
    rules = policy.rules
    for signoff in registry.signoffs:
        if signoff.decision != "approved":
            continue
        if rules.signoff_max_age_days is not None:
            expires = signoff.date + timedelta(days=rules.signoff_max_age_days)
            if today <= expires <= end:
                found.append(
                    DueItem(
                        expires,
                        "sign-off expires",
                        signoff.key,
                        signoff.approver,
                        f"{signoff.role} for {signoff.stage}",
                    )
                )
    last_stage = policy.stages[-1] if policy.stages else None
    if rules.review_interval_days is not None and last_stage:
        for version in registry.versions():
            if version.stage != last_stage:
                continue
            approvals = [
                s
                for s in registry.signoffs_for(version.key)
                if s.decision == "approved" and s.stage == last_stage
            ]
            if not approvals:
                continue
            latest = max(approvals, key=lambda s: s.date)
            due = latest.date + timedelta(days=rules.review_interval_days)
            if today <= due <= end:
                found.append(DueItem(due, "review due", version.key, "", last_stage))
    for verification in registry.verifications:
        waiver = verification.waiver
        waiver_expires = waiver.expires if waiver and verification.status == "waived" else None
        if waiver and waiver_expires and today <= waiver_expires <= end:
            found.append(
                DueItem(
                    waiver_expires,
                    "waiver expires",
                    verification.key,
                    waiver.approved_by,
                    verification.check,
                )
            )
    return sorted(found, key=lambda d: (d.due, d.key, d.kind))
