"""Who may fill a sign-off slot that is still open: the people a checklist names.

"A holder of 'model-risk' runs ..." leaves the reader to work out who that is. The
eligible people are the role's holders (on the judging side's ``people.yaml``),
minus those separation of duties bars (the version's author, the model's owner,
the Git author of the latest change to the version's content) and, with
``distinct_approvers``, minus those whose approval already fills another slot of
the same stage. Pure: it reads the rule context only.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records.model import ModelVersion
from .context import Context
from .rules import SlotFill


def barred_people(ctx: Context, version: ModelVersion) -> set[str]:
    """The people separation of duties keeps from approving ``version``."""
    if ctx.policy is None or not ctx.policy.rules.separation_of_duties:
        return set()
    barred = {version.author, ctx.model_of(version).owner}
    changed = ctx.last_content_commit(version)
    if changed is not None:
        person = ctx.person_for_email(changed.author_email)
        if person is not None:
            barred.add(person.id)
    return barred


def eligible_approvers(
    ctx: Context, version: ModelVersion, fill: SlotFill, fills: Sequence[SlotFill]
) -> tuple[str, ...]:
    """Person ids who could give one of ``fill``'s missing approvals, by name order."""
    role = fill.requirement.role
    barred = barred_people(ctx, version)
    taken = {s.approver for s in fill.approvals}
    if ctx.policy is None or ctx.policy.rules.distinct_approvers:
        taken |= {s.approver for other in fills for s in other.approvals}
    candidates = [
        person
        for person in ctx.people.values()
        if role in person.roles and person.id not in barred and person.id not in taken
    ]
    return tuple(p.id for p in sorted(candidates, key=lambda p: (p.name.lower(), p.id)))
