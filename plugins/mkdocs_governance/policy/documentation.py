"""What a version's model document must contain, and what it lacks. Pure.

The ``automatic: documentation`` check of the policy judges this: the model card
fields a risk tier needs (the defaults below) or, when the check declares
``sections:`` per risk tier, exactly the parts listed there. A part is one of
`records.model.DOCUMENT_PARTS` or
``verification:<check-id>`` (a passed verification of that check, with evidence,
such as a validation report). The model document
([`mkdocs_governance.document`][mkdocs_governance.document]) shows the same verdict, so
the document and the gate cannot disagree about completeness.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..records.model import (
    VERIFICATION_PART,
    CheckSpec,
    Model,
    ModelVersion,
    Registry,
)

# Model-card fields the ``automatic: documentation`` check asks for by default, per
# risk tier; each tier adds to the one below. An unknown tier is judged as high.
DOCUMENTATION_FIELDS: Mapping[str, tuple[str, ...]] = {
    "low": ("description", "intended_use"),
    "medium": ("description", "intended_use", "limitations", "out_of_scope_use"),
    "high": (
        "description",
        "intended_use",
        "limitations",
        "out_of_scope_use",
        "ethical_considerations",
        "datasets",
    ),
}


_CARD_FIELDS = (
    "description",
    "intended_use",
    "out_of_scope_use",
    "limitations",
    "ethical_considerations",
)


def required_parts(spec: CheckSpec | None, risk_tier: str) -> tuple[str, ...]:
    """The parts the documentation check asks of a model of ``risk_tier``."""
    tier = risk_tier if risk_tier in DOCUMENTATION_FIELDS else "high"
    if spec is not None and spec.sections:
        declared = spec.sections.get(tier)
        if declared is not None:
            return declared
    return DOCUMENTATION_FIELDS[tier]


def missing_parts(
    registry: Registry,
    model: Model,
    version: ModelVersion,
    parts: tuple[str, ...],
    digest: str | None,
) -> list[str]:
    """Of ``parts``, those the records do not provide for ``version``, in order.

    ``digest`` is the version's current digest: a ``verification:<check>`` part counts
    only when its record reviewed this very content (``subject`` equals it), so a
    report about an earlier revision does not complete today's document.
    """
    return [part for part in parts if not _present(registry, model, version, part, digest)]


def describe_part(part: str) -> str:
    """How a message names ``part``: the field name, or ``a passed 'x' verification``."""
    if part.startswith(VERIFICATION_PART):
        check = part[len(VERIFICATION_PART) :]
        return f"a passed '{check}' verification with evidence of the current version"
    return part


def _present(
    registry: Registry, model: Model, version: ModelVersion, part: str, digest: str | None
) -> bool:
    if part in _CARD_FIELDS:
        return bool(str(getattr(model, part) or "").strip())
    if part == "datasets":
        return bool(model.datasets or version.datasets)
    if part == "experiments":
        return any(e.model == model.id for e in registry.experiments.values())
    if part == "decisions":
        return any(model.id in d.models for d in registry.decisions.values())
    if part == "artifact":
        return version.artifact is not None and bool(version.artifact.sha256)
    if part == "metrics":
        return bool(version.metrics)
    if part.startswith(VERIFICATION_PART):
        check = part[len(VERIFICATION_PART) :]
        return any(
            v.check == check
            and v.status == "passed"
            and v.evidence.strip()
            and digest is not None
            and (v.subject or "").strip().lower() == digest
            for v in registry.verifications_for(version.key)
        )
    return False
