"""Rule ``unsigned-gto-assignment``: a GTO stage tag on a version without that stage's sign-offs.

In a GTO repository the tag ``name#prod#3`` is what deploys: CD pipelines watch for it
and ship the version registered at the tagged commit. So the gate judges the tags as
well as the records' ``stage:`` fields. For every current assignment (the latest
``name#stage#N`` per artifact and stage that no ``name#stage!#M`` undid, on an
artifact that is not deprecated), the GTO stage is mapped to a policy stage
(``gto_stages:`` in ``policy.yaml``, else the same name); if that is a policy stage,
the version (``vX.Y.Z``, or ``X.Y.Z`` in the records) needs the valid sign-offs of
that stage and every earlier one, exactly as if its ``stage:`` said so. A stage GTO
assigns that the policy does not know is not judged (no requirement names it).

Tags are read from the repository (they are not part of a pull request's diff); the
mapping comes from the judging side's policy.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..findings import Code, Finding, Severity
from ..history.tags import StageAssignment, current_assignments, gto_events
from ..records.model import ModelVersion
from .context import Context


def _version(ctx: Context, assignment: StageAssignment) -> ModelVersion | None:
    model = ctx.registry.models.get(assignment.artifact)
    if model is None or assignment.version is None:
        return None
    return model.version(assignment.version) or model.version(assignment.version.removeprefix("v"))


def _tag_words(assignment: StageAssignment) -> str:
    tag = assignment.event.tag
    by = f" by {tag.tagger_name} <{tag.tagger_email}>" if tag.tagger_email else ""
    when = f" on {tag.date.date().isoformat()}" if tag.date else ""
    return f"the GTO tag `{tag.name}`{by}{when}"


def rule_unsigned_gto_assignment(ctx: Context) -> Iterable[Finding]:
    """``unsigned-gto-assignment``: a current GTO assignment lacks the stage's sign-offs.

    Error for each assigned version that is not in the records, or that lacks a valid
    approval some required role of the mapped stage (or an earlier stage) asks for.
    """
    if ctx.policy is None or not ctx.history.tags:
        return
    from .rules import signoff_command, stage_fills  # rules registers this rule

    for assignment in current_assignments(gto_events(ctx.history.tags)):
        stage = ctx.policy.gto_stages.get(assignment.stage, assignment.stage)
        if stage not in ctx.policy.stages:
            continue
        words = _tag_words(assignment)
        version = _version(ctx, assignment)
        if version is None:
            yield Finding(
                Code.UNSIGNED_GTO_ASSIGNMENT,
                Severity.ERROR,
                f"{assignment.artifact}@{assignment.version or '?'}",
                f"[{stage}] {words} assigns {assignment.artifact} "
                f"{assignment.version or '(no version registered at that commit)'} to "
                f"{assignment.stage}, but the records have no such model version, so nobody "
                "signed it off; run `mkdocs-governance import gto` and add the sign-offs, or "
                f"remove the tag (`gto unassign {assignment.artifact} {assignment.stage}`).",
            )
            continue
        for required_stage in ctx.policy.stages_up_to(stage):
            for fill in stage_fills(ctx, version, required_stage):
                if not fill.missing:
                    continue
                role = fill.requirement.role
                yield Finding(
                    Code.UNSIGNED_GTO_ASSIGNMENT,
                    Severity.ERROR,
                    version.key,
                    f"[{required_stage}] {words} puts {version.key} in {assignment.stage} "
                    f"(policy stage {stage}), and the tag is what deploys, but it has "
                    f"{len(fill.approvals)} of {fill.requirement.count} valid approvals by "
                    f"'{role}'. A holder of the role runs "
                    f"{signoff_command(version.key, required_stage, role)}, or remove the "
                    f"tag (`gto unassign {assignment.artifact} {assignment.stage}`).",
                    version.location.file,
                    version.location.line,
                )
