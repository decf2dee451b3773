"""The audit trail's GTO section: every stage (un)assignment tag, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..history.model import History
from ..history.tags import gto_events, registered_version


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """One GTO stage event as the audit trail shows it (all of it Git text, escaped)."""

    date: datetime | None
    tag: str
    action: str
    artifact: str
    version: str
    stage: str
    tagger_name: str
    tagger_email: str
    message: str
    commit: str


def assignment_rows(history: History) -> list[AssignmentRow]:
    """Every GTO assignment and unassignment tag of the repository, newest first."""
    events = gto_events(history.tags)
    rows = [
        AssignmentRow(
            date=event.tag.date,
            tag=event.tag.name,
            action="unassigned" if event.action == "unassign" else "assigned",
            artifact=event.artifact,
            version=registered_version(events, event.artifact, event.tag.commit) or "?",
            stage=event.stage or "",
            tagger_name=event.tag.tagger_name,
            tagger_email=event.tag.tagger_email,
            message=event.tag.message.splitlines()[0] if event.tag.message else "",
            commit=event.tag.commit,
        )
        for event in events
        if event.action in ("assign", "unassign")
    ]
    return sorted(rows, key=lambda r: (r.date.timestamp() if r.date else 0.0, r.tag), reverse=True)
