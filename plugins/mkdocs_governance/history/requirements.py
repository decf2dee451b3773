"""Changes to the model fields that shape what a version needs and who may approve it.

Two fields of a model card are not part of the version digest but decide the bar a
version must clear:

- ``risk_tier`` picks the policy's ``by_risk_tier`` override (a high-risk model needs
  two model-risk approvals; lowering it to medium drops one);
- ``owner`` decides who may not approve (``separation_of_duties``); changing it lets
  the former owner approve.

A version's approvals were given for the model as it then was. This module finds, from
the model files' revisions already read for version provenance (no further git
process), every commit that **lowered** ``risk_tier`` or **changed** ``owner``
compared with each parent that had the file; the gate then treats approvals written
before such a commit as stale. Raising the tier lowers no bar and is not listed. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..records.loader import parse_model_blob
from ..records.model import RISK_TIERS, Model
from .model import ChangeKind, History
from .provenance import ModelRevisions, _parent_pairs


@dataclass(frozen=True, slots=True)
class RequirementChange:
    """A commit that lowered the bar of a model's versions.

    Attributes:
        sha: the commit.
        field: ``risk_tier`` or ``owner``.
        before: the value at the parent.
        after: the value the commit left.
    """

    sha: str
    field: str
    before: str
    after: str


def derive_requirement_changes(
    history: History, revisions: ModelRevisions, model_ids: Mapping[str, str]
) -> dict[str, tuple[RequirementChange, ...]]:
    """Per model id, the commits that lowered its ``risk_tier`` or changed its ``owner``.

    Args:
        history: the history pass.
        revisions: the model files' revisions (``history.provenance``).
        model_ids: current model file path -> model id.

    Returns:
        model id -> its requirement changes, newest first.
    """
    parsed: dict[tuple[str, bytes], Model | None] = {}

    def model_at(pair: tuple[str, str]) -> Model | None:
        data = revisions.blobs.get(pair)
        if data is None:
            return None
        key = (pair[1], data)
        if key not in parsed:
            parsed[key] = parse_model_blob(pair[1], data)
        return parsed[key]

    result: dict[str, tuple[RequirementChange, ...]] = {}
    for path, model_id in sorted(model_ids.items()):
        file_history = history.file(path)
        if file_history is None:
            continue
        changes: list[RequirementChange] = []
        for change in file_history.changes:
            if change.kind == ChangeKind.DELETED:
                continue
            current = model_at((change.sha, change.path))
            if current is None:
                continue
            parents = []
            for tries in _parent_pairs(history, change):
                found = next((p for p in tries if p in revisions.blobs), None)
                parent = model_at(found) if found else None
                if parent is not None:
                    parents.append(parent)
            if not parents:
                continue
            if all(_lower(current.risk_tier, p.risk_tier) for p in parents):
                changes.append(
                    RequirementChange(
                        change.sha, "risk_tier", parents[0].risk_tier, current.risk_tier
                    )
                )
            if all(current.owner != p.owner for p in parents):
                changes.append(
                    RequirementChange(change.sha, "owner", parents[0].owner, current.owner)
                )
        if changes:
            result[model_id] = tuple(changes)
    return result


def _lower(tier: str, before: str) -> bool:
    if tier not in RISK_TIERS or before not in RISK_TIERS:
        return tier != before
    return RISK_TIERS.index(tier) < RISK_TIERS.index(before)
