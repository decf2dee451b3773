"""Rule ``unbound-artifact``: a stage that needs a bound artifact refuses one without a hash.

A stage says it needs a bound artifact in ``policy.yaml``:

    requirements:
      production:
        bound_artifact: true

Like checks and sign-offs, the requirement is cumulative along the stage order: a
version in ``production`` needs it when ``staging`` asks for it. A version bound to its
artifact has ``artifact: {uri, sha256}``; one imported from MLflow whose artifact
could not be read has only the URI, so the digest approvers sign does not cover what
will be deployed. Such a version cannot sit in (or pass) a stage that needs a bound
artifact; in a later stage the finding is a warning (a pending promotion fails
nothing). The policy is read from the judging side (the base's, for a pull request).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..findings import Code, Finding, Severity
from ..records.model import ModelVersion
from .context import Context
from .model import ItemState, RequirementItem


def bound_artifact_item(version: ModelVersion) -> RequirementItem:
    """The checklist line of a stage with ``bound_artifact: true``."""
    artifact = version.artifact
    if artifact is not None and artifact.sha256:
        return RequirementItem(
            "artifact",
            "bound_artifact",
            "Artifact bound (sha256)",
            ItemState.MET,
            f"{artifact.uri} has sha256 {artifact.sha256[:12]}….",
        )
    what = f"{artifact.uri} has no sha256" if artifact is not None else "no artifact is named"
    return RequirementItem(
        "artifact",
        "bound_artifact",
        "Artifact bound (sha256)",
        ItemState.MISSING,
        f"{what}: add `sha256:` under the version's `artifact:`.",
    )


def _bound_stage(ctx: Context, version: ModelVersion) -> tuple[str, bool] | None:
    """The first stage asking for a bound artifact, and whether it is required now."""
    assert ctx.policy is not None
    for stage in ctx.policy.stages:
        requirements = ctx.policy.requirements.get(stage)
        if requirements is not None and requirements.bound_artifact:
            return stage, ctx.is_required(version, stage)
    return None


def rule_unbound_artifact(ctx: Context) -> Iterable[Finding]:
    """``unbound-artifact``: a version without ``artifact.sha256`` in a stage that needs one.

    Error when the version sits in (or past) the first stage with
    ``bound_artifact: true``; warning when that stage is still ahead of it.
    """
    for version in ctx.versions():
        if version.artifact is not None and version.artifact.sha256:
            continue
        found = _bound_stage(ctx, version)
        if found is None:
            continue
        stage, required = found
        what = (
            f"its artifact {version.artifact.uri} has no sha256"
            if version.artifact is not None
            else "it names no artifact"
        )
        verdict = (
            f"it may not sit in {version.stage}"
            if required
            else f"it cannot be promoted to {stage}"
        )
        yield Finding(
            Code.UNBOUND_ARTIFACT,
            Severity.ERROR if required else Severity.WARNING,
            version.key,
            f"[{stage}] {version.key}: {what}, so the digest approvers sign does not bind "
            f"the content that gets deployed, and {stage} needs a bound artifact "
            f"(bound_artifact: true); {verdict} until it is. Hash the artifact "
            "(`sha256sum FILE`, or for a folder the sha256 of its sorted `sha256sum` "
            "manifest) and add `sha256:` under the version's `artifact:`.",
            version.location.file,
            version.location.line_of("artifact") if version.artifact else version.location.line,
        )
