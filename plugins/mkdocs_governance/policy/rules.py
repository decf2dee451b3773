"""The gate's rules: one function per finding code, registered in [`RULES`][mkdocs_governance.policy.rules.RULES].

Each rule is ``(context) -> Iterable[Finding]`` and its docstring states its exact
semantics (the user guide's page for the code is written from it). Rules judging a
single sign-off share a predicate ``(context, signoff) -> str | None`` returning the
problem, so that slot filling (``missing-signoff``) and the per-record findings agree
on which sign-offs are valid.

Severity: a problem with a record that a version needs for a stage it sits in (or
has passed) is an error; the same problem in a stage the version has not been
promoted to yet is a warning (a pending promotion fails nothing, SPEC §4).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, timedelta
from typing import Any

from ..findings import Code, Finding, Severity, error, warning
from ..history.identity import normalise_email
from ..history.model import Commit, Signature, WorktreeState
from ..records.model import (
    CheckSpec,
    ModelVersion,
    Person,
    SignOff,
    SignoffRequirement,
    Verification,
)
from . import trust
from .artifacts import rule_unbound_artifact
from .backfill import is_backfilled
from .context import POLICY_MODEL, Context
from .documentation import DOCUMENTATION_FIELDS, describe_part, missing_parts, required_parts
from .gto import rule_unsigned_gto_assignment
from .model import ItemState

Rule = Callable[[Context], Iterable[Finding]]
SignoffPredicate = Callable[[Context, SignOff], "str | None"]


# -- helpers shared by the rules --------------------------------------------------------


def signoff_command(key: str, stage: str, role: str, decision: str = "approved") -> str:
    """The command a person holding ``role`` runs to record a sign-off."""
    return f"`mkdocs-governance signoff {key} --stage {stage} --role {role} --decision {decision}`"


def _who(ctx: Context, person_id: str) -> str:
    person = ctx.person(person_id)
    return f"{person.name} ({person_id})" if person else person_id


def _commit_text(commit: Commit) -> str:
    return f"commit {commit.short_sha} by {commit.author_name} <{commit.author_email}>"


def _severity(ctx: Context, version: ModelVersion | None, stage: str) -> Severity:
    if version is not None and ctx.is_required(version, stage):
        return Severity.ERROR
    return Severity.WARNING


def _signoff_finding(
    ctx: Context, code: str, signoff: SignOff, message: str, field: str
) -> Finding:
    version = ctx.registry.version(signoff.key)
    severity = _severity(ctx, version, signoff.stage)
    if signoff.model == POLICY_MODEL and version is None:
        severity = Severity.ERROR
    return Finding(
        code,
        severity,
        signoff.key,
        message,
        signoff.location.file,
        signoff.location.line_of(field),
    )


def _version_finding(code: str, severity: Severity, version: ModelVersion, message: str) -> Finding:
    return Finding(
        code, severity, version.key, message, version.location.file, version.location.line
    )


def _judged_signoffs(ctx: Context) -> list[tuple[SignOff, ModelVersion]]:
    """Standing sign-offs of existing versions for stages the policy knows."""
    judged = []
    for signoff in ctx.standing_signoffs:
        version = ctx.registry.version(signoff.key)
        if version is not None and ctx.stage_index(signoff.stage) >= 0:
            judged.append((signoff, version))
    return judged


def _per_signoff(
    ctx: Context, code: str, predicate: SignoffPredicate, field: str
) -> Iterable[Finding]:
    for signoff, _version in _judged_signoffs(ctx):
        problem = predicate(ctx, signoff)
        if problem:
            yield _signoff_finding(ctx, code, signoff, problem, field)


# -- per sign-off predicates ----------------------------------------------------------------


def role_problem(ctx: Context, signoff: SignOff) -> str | None:
    """Why the approver cannot sign for ``signoff.role``, if so."""
    person = ctx.person(signoff.approver)
    if person is None:
        if ctx.base is not None:
            return (
                f"Approver '{signoff.approver}' is not in people.yaml on the base branch, so "
                "this sign-off cannot count yet: people.yaml changes take effect once merged. "
                "Merge the people.yaml change first, then sign off."
            )
        # The records layer reports the unknown reference too; this keeps the sign-off
        # from filling a slot in the checklist.
        return (
            f"Approver '{signoff.approver}' is not in people.yaml, so holds no role and "
            "cannot sign off. Name a person listed there."
        )
    if signoff.role in person.roles:
        return None
    held = ", ".join(person.roles) or "no role"
    return (
        f"{_who(ctx, signoff.approver)} signed as '{signoff.role}' but holds {held}; a "
        "sign-off counts only for a role its approver holds in people.yaml. Have a holder "
        f"of '{signoff.role}' sign off, or correct the role."
    )


def _key_matches(declared: str, signature: Signature) -> bool:
    """True when a declared signing key names the key that made ``signature``.

    GPG ids are hex and compared case-insensitively, by suffix so that a short
    (8), long (16) or full (40) id matches. SSH fingerprints (``SHA256:…``) are
    base64, which is case-sensitive: compared exactly after the prefix.
    """
    wanted = declared.strip().replace(" ", "")
    observed = [signature.fingerprint.strip(), signature.key.strip()]
    if wanted.upper().startswith("SHA256:"):
        body = wanted[7:]
        return any(o.upper().startswith("SHA256:") and o[7:] == body for o in observed if o)
    wanted_hex = wanted.upper().removeprefix("0X")
    if len(wanted_hex) < 8:
        return False
    for item in observed:
        item_hex = item.upper().removeprefix("0X")
        if len(item_hex) >= 8 and (item_hex.endswith(wanted_hex) or wanted_hex.endswith(item_hex)):
            return True
    return False


def _signature_problem(ctx: Context, commit: Commit, person: Person) -> str | None:
    signature = commit.signature
    if signature is None or not signature.is_good:
        status = signature.status.name.lower().replace("_", " ") if signature else "unsigned"
        return (
            f"{_commit_text(commit)} carries no good signature ({status}), and the policy "
            "requires signed sign-off commits (require_signed_commits). Re-commit the "
            f"sign-off signed with a key of {person.name} (`git commit -S`)."
        )
    if not any(_key_matches(key, signature) for key in person.signing_keys):
        shown = signature.fingerprint or signature.key or "an unknown key"
        return (
            f"{_commit_text(commit)} is signed with {shown}, which is not among the "
            f"signing_keys of {person.name} in people.yaml; only the approver's own key binds "
            "a sign-off to them. Re-commit it signed with their key, or add the key to "
            "people.yaml (a reviewed change)."
        )
    return None


def _signoff_fix(ctx: Context, signoff: SignOff) -> str:
    """The legitimate ways to tie a sign-off to its approver (never ``--author``)."""
    return (
        f"Have {_who(ctx, signoff.approver)} commit the record themselves, from their own "
        "Git identity (one of their emails in people.yaml), or sign it: "
        f"`mkdocs-governance signoff {signoff.key} --stage {signoff.stage} --role "
        f"{signoff.role} --decision {signoff.decision} --sign`."
    )


def provenance_problem(ctx: Context, signoff: SignOff) -> str | None:
    """Why the record's Git provenance does not show the approver signed it, if so.

    The commits that count are those that wrote the record's current content (its
    blob, see ``policy.trust``), not those that touched its path: a merge that kept
    another side's content wrote nothing, and an approver's commit whose content a
    merge threw away vouches for nothing.
    """
    if not ctx.history.available:
        return None  # one history-unavailable error says so, instead of one per sign-off
    rules = ctx.policy.rules if ctx.policy else None
    path = signoff.location.file
    state = ctx.worktree_state(path)
    commit = ctx.adding_commit(path)
    if state != WorktreeState.CLEAN or commit is None:
        what = state.value if state != WorktreeState.CLEAN else "not committed"
        return (
            f"This sign-off is {what}: only a committed record shows who added it and when. "
            + _signoff_fix(ctx, signoff)
        )
    person = ctx.person(signoff.approver)
    if person is None or rules is None:
        return None
    signed, signature_problem = trust.record_signature_problem(ctx, path, person)
    if signature_problem:
        return signature_problem
    if signed:
        return None  # a good record signature by the approver, whoever committed it
    writers = trust.content_writers(ctx, path)
    if writers is not None:
        return _writers_problem(ctx, signoff, person, writers)
    emails = {normalise_email(e) for e in person.emails}
    if rules.signoff_author_must_match:
        if normalise_email(commit.author_email) not in emails:
            return (
                f"This sign-off was added in {_commit_text(commit)}, not by its approver "
                f"{_who(ctx, signoff.approver)}; a sign-off must be committed by the person "
                "who gives it (signoff_author_must_match). " + _signoff_fix(ctx, signoff)
            )
        for later in ctx.later_commits(path):
            if normalise_email(later.author_email) not in emails:
                return (
                    f"This sign-off was edited after its approver added it, in "
                    f"{_commit_text(later)}; an edit by someone else may change what was "
                    "approved. " + _signoff_fix(ctx, signoff)
                )
    if rules.require_signed_commits and ctx.history.signatures_checked:
        for each in [commit, *ctx.later_commits(path)]:
            problem = _signature_problem(ctx, each, person)
            if problem:
                return problem
    return None


def _writers_problem(
    ctx: Context, signoff: SignOff, person: Person, writers: list[trust.Writer]
) -> str | None:
    """The sign-off checks on the commits that wrote its current content."""
    assert ctx.policy is not None
    rules = ctx.policy.rules
    fix = _signoff_fix(ctx, signoff)
    if rules.signoff_author_must_match:
        problem = trust.authorship_problem(
            ctx, signoff.location.file, person, record="sign-off", fix=fix
        )
        if problem:
            return problem + " (signoff_author_must_match)"
    if rules.require_signed_commits and ctx.history.signatures_checked:
        if not writers:
            return (
                "No commit in this history wrote the content this sign-off has now, so no "
                f"signature ties it to {_who(ctx, signoff.approver)}. {fix}"
            )
        for writer in writers:
            if writer.commit is None:
                return (
                    f"The content of this sign-off was written in {writer.text}, whose "
                    "signature this run could not read; the policy requires signed "
                    f"sign-off commits (require_signed_commits). {fix}"
                )
            problem = _signature_problem(ctx, writer.commit, person)
            if problem:
                return problem
    return None


def separation_problem(ctx: Context, signoff: SignOff) -> str | None:
    """Why the approver may not approve this version, if so (approvals only).

    The approver must be neither the version's ``author`` nor the model's ``owner``,
    nor the Git author of the latest commit that changed the version's content (its
    entry minus ``stage``; matched by e-mail, see ``history.identity``).
    """
    if ctx.policy is None or not ctx.policy.rules.separation_of_duties:
        return None
    if signoff.decision != "approved":
        return None
    version = ctx.registry.version(signoff.key)
    if version is None:
        return None
    model = ctx.model_of(version)
    reasons = []
    if signoff.approver == version.author:
        reasons.append(f"authored {version.key}")
    if signoff.approver == model.owner:
        reasons.append(f"owns the model {model.id}")
    changed = ctx.last_content_commit(version)
    if changed is not None:
        person = ctx.person_for_email(changed.author_email)
        if person is not None and person.id == signoff.approver:
            reasons.append(
                f"made the latest change to the content of {version.key} "
                f"({_commit_text(changed)}: {changed.subject})"
            )
    if not reasons:
        return None
    return (
        f"{_who(ctx, signoff.approver)} {' and '.join(reasons)}, so cannot approve it: an "
        "independent reviewer must (separation_of_duties). Ask another holder of "
        f"'{signoff.role}' to sign off."
    )


def stale_problem(ctx: Context, signoff: SignOff) -> str | None:
    """Why the approval does not cover the version as it now is, if so (approvals only)."""
    if signoff.decision != "approved":
        return None
    digest = ctx.digests.get(signoff.key)
    if digest is None:
        return None
    # The command writes the current digest itself; the full digests are in the JSON
    # export, so the message names them short.
    fix = (
        f"{_who(ctx, signoff.approver)} reviews it again and runs "
        + signoff_command(signoff.key, signoff.stage, signoff.role)
        + "."
    )
    if not signoff.subject:
        return "This sign-off has no subject: nothing shows which content was approved. " + fix
    if signoff.subject != digest:
        return (
            f"Approved {short_digest(signoff.subject)}; {signoff.key} is now "
            f"{short_digest(digest)} (artifact, metrics, experiment or data changed). " + fix
        )
    lowered = trust.bar_lowered_after(ctx, signoff)
    if lowered is not None:
        commit = ctx.history.commit(lowered.sha)
        which = f" in {_commit_text(commit)}" if commit else ""
        what = "lowered" if lowered.field == "risk_tier" else "changed"
        decides = (
            "decides what the version needs"
            if lowered.field == "risk_tier"
            else "decides who may approve it"
        )
        return (
            f"The model's {lowered.field} was {what} from {lowered.before} to {lowered.after}"
            f"{which}, after this sign-off was given; the {lowered.field} {decides}, so "
            "an approval given before the change did not review it. " + fix
        )
    return None


def short_digest(digest: str) -> str:
    """A digest for a message: ``sha256:`` and its first 12 hex digits."""
    prefix, _, hexdigits = digest.rpartition(":")
    return f"{prefix + ':' if prefix else ''}{hexdigits[:12]}…" if len(hexdigits) > 12 else digest


def expiry_problem(ctx: Context, signoff: SignOff) -> str | None:
    """Why the approval is too old, if so (approvals only)."""
    if ctx.policy is None or signoff.decision != "approved":
        return None
    days = ctx.policy.rules.signoff_max_age_days
    limit = ctx.age_limit(days)
    if limit is None or signoff.date >= limit:
        return None
    return (
        f"This sign-off is dated {signoff.date.isoformat()}, more than {days} days before "
        f"{ctx.as_of.isoformat()} (signoff_max_age_days); an old approval no longer vouches "
        "for the version. Sign off again: "
        + signoff_command(signoff.key, signoff.stage, signoff.role)
    )


def _date_problem(
    ctx: Context, record_date: date, version: ModelVersion, what: str, path: str
) -> str | None:
    if record_date > ctx.as_of:
        return (
            f"This {what} is dated {record_date.isoformat()}, after {ctx.as_of.isoformat()}: a "
            "record from the future cannot have been made. Correct its date."
        )
    if record_date < version.created:
        return (
            f"This {what} is dated {record_date.isoformat()}, before {version.key} was created "
            f"({version.created.isoformat()}): it cannot concern this version. Correct its "
            "date, or record it against the right version."
        )
    created = ctx.created_at(version) if ctx.history.available else None
    if created is not None and record_date < created and not is_backfilled(ctx, record_date, path):
        provenance = ctx.provenance_of(version)
        commit = ctx.history.commit(provenance.created_sha) if provenance else None
        which = f" ({_commit_text(commit)})" if commit else ""
        return (
            f"This {what} is dated {record_date.isoformat()}, before the commit that added "
            f"{version.key} to {version.location.file}{which}, authored "
            f"{created.isoformat()}: it cannot concern this version. Correct its date, or "
            "record it against the right version."
        )
    # The commit that wrote the record as it now is (a later edit may change the date).
    written = ctx.last_commit(path) if ctx.history.available else None
    if written is not None and written.unrepresentable_date:
        return (
            f"This {what} was committed with the date {written.unrepresentable_date} "
            f"({_commit_text(written)}), beyond year 9999: a commit from the future cannot "
            "have been made. Re-commit the record with a true date."
        )
    # A day of slack: the record's date and the commit's date may be in other time zones.
    if written is not None and record_date > written.author_date.date() + timedelta(days=1):
        return (
            f"This {what} is dated {record_date.isoformat()}, but it was committed on "
            f"{written.author_date.date().isoformat()} ({_commit_text(written)}): a record "
            "cannot be committed before the day it was made. Correct its date."
        )
    return None


def date_problem(ctx: Context, signoff: SignOff) -> str | None:
    """Why the sign-off's date cannot be true, if so."""
    version = ctx.registry.version(signoff.key)
    if version is None:
        return None
    return _date_problem(ctx, signoff.date, version, "sign-off", signoff.location.file)


# The order is the order a checklist explains an invalid sign-off in.
SIGNOFF_PREDICATES: dict[str, SignoffPredicate] = {
    Code.ROLE_NOT_HELD: role_problem,
    Code.UNVERIFIED_SIGNOFF: provenance_problem,
    Code.SEPARATION_OF_DUTIES: separation_problem,
    Code.STALE_SIGNOFF: stale_problem,
    Code.EXPIRED_SIGNOFF: expiry_problem,
    Code.IMPLAUSIBLE_DATE: date_problem,
}


def signoff_problems(ctx: Context, signoff: SignOff) -> list[tuple[str, str]]:
    """Every ``(code, message)`` that keeps ``signoff`` from counting (computed once)."""
    memo_key = ("signoff", signoff.location.file, str(signoff.location.line))
    if memo_key in ctx.memo:
        return ctx.memo[memo_key]
    problems = []
    for code, predicate in SIGNOFF_PREDICATES.items():
        message = predicate(ctx, signoff)
        if message:
            problems.append((code, message))
    ctx.memo[memo_key] = problems
    return problems


# -- sign-off slots ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotFill:
    """How one sign-off requirement of one stage is filled."""

    requirement: SignoffRequirement
    approvals: tuple[SignOff, ...]  # valid approvals filling the slots
    invalid: tuple[tuple[SignOff, str, str], ...]  # (sign-off, code, message)
    rejections: tuple[SignOff, ...]  # standing rejections by holders of the role
    unused: tuple[SignOff, ...]  # valid approvals not counted (distinct approvers)

    @property
    def missing(self) -> int:
        """How many more approvals the requirement needs."""
        return max(0, self.requirement.count - len(self.approvals))


def fill_slots(
    ctx: Context,
    requirements: Sequence[SignoffRequirement],
    signoffs: Sequence[SignOff],
) -> list[SlotFill]:
    """Match valid approvals to the slots of ``requirements``.

    With ``distinct_approvers`` one person fills at most one slot across all roles of
    the stage (a maximum bipartite matching, so the assignment never wastes a person
    who could fill a slot no one else can); without it, each role counts distinct
    people holding it.
    """
    distinct = ctx.policy.rules.distinct_approvers if ctx.policy else True
    valid: dict[str, list[SignOff]] = {}
    invalid: dict[str, list[tuple[SignOff, str, str]]] = {}
    rejections: dict[str, list[SignOff]] = {}
    for signoff in signoffs:
        problems = signoff_problems(ctx, signoff)
        if signoff.decision == "rejected":
            # A rejection stands unless it is forged or signed for a role not held.
            if not any(c in (Code.ROLE_NOT_HELD, Code.UNVERIFIED_SIGNOFF) for c, _ in problems):
                rejections.setdefault(signoff.role, []).append(signoff)
            continue
        if problems:
            code, message = problems[0]
            invalid.setdefault(signoff.role, []).append((signoff, code, message))
        else:
            valid.setdefault(signoff.role, []).append(signoff)

    slots = [(req, n) for req in requirements for n in range(req.count)]
    assigned: dict[int, SignOff] = {}
    if distinct:
        owner: dict[str, int] = {}  # approver -> slot index

        def augment(slot: int, seen: set[str]) -> bool:
            for candidate in valid.get(slots[slot][0].role, []):
                if candidate.approver in seen:
                    continue
                seen.add(candidate.approver)
                other = owner.get(candidate.approver)
                if other is None or augment(other, seen):
                    owner[candidate.approver] = slot
                    assigned[slot] = candidate
                    return True
            return False

        for index in range(len(slots)):
            augment(index, set())
        assigned = {slot: s for slot, s in assigned.items() if owner.get(s.approver) == slot}
    else:
        start = 0
        for req in requirements:
            people: dict[str, SignOff] = {}
            for signoff in valid.get(req.role, []):
                people.setdefault(signoff.approver, signoff)
            for offset, signoff in enumerate(list(people.values())[: req.count]):
                assigned[start + offset] = signoff
            start += req.count

    fills = []
    used = {id(s) for s in assigned.values()}
    for req in requirements:
        approvals = tuple(
            assigned[i] for i, (r, _) in enumerate(slots) if r is req and i in assigned
        )
        fills.append(
            SlotFill(
                req,
                approvals,
                tuple(invalid.get(req.role, [])),
                tuple(rejections.get(req.role, [])),
                tuple(s for s in valid.get(req.role, []) if id(s) not in used),
            )
        )
    return fills


def stage_fills(ctx: Context, version: ModelVersion, stage: str) -> list[SlotFill]:
    """The sign-off slots of ``stage`` for ``version``, filled (computed once per run)."""
    memo_key = ("fills", version.key, stage)
    if memo_key not in ctx.memo:
        requirements = ctx.requirements(version, stage).signoffs
        ctx.memo[memo_key] = fill_slots(ctx, requirements, ctx.signoffs_for(version.key, stage))
    return ctx.memo[memo_key]


# -- checks ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """The state of one required check for one version, and the finding it yields."""

    state: ItemState
    detail: str
    code: str | None = None
    records: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None


def _documentation_outcome(ctx: Context, version: ModelVersion, spec: CheckSpec) -> CheckOutcome:
    model = ctx.model_of(version)
    tier = model.risk_tier if model.risk_tier in DOCUMENTATION_FIELDS else "high"
    parts = required_parts(spec, tier)
    missing = missing_parts(ctx.registry, model, version, parts, ctx.digests.get(version.key))
    if not missing:
        return CheckOutcome(
            ItemState.MET, f"The model document has every part a {tier}-risk model needs."
        )
    return CheckOutcome(
        ItemState.FAILED,
        f"'{spec.title}' fails: the model document of {version.key} ({tier} risk) lacks "
        f"{', '.join(describe_part(part) for part in missing)}; a {tier}-risk model must "
        f"document them before it is used. Fill them in {model.location.file} (or add the "
        "records named).",
        Code.FAILED_CHECK,
        file=model.location.file,
        line=model.location.line,
    )


def _metric_outcome(version: ModelVersion, spec: Any) -> CheckOutcome:
    value = version.metrics.get(spec.metric)
    bounds = []
    if spec.minimum is not None:
        bounds.append(f">= {spec.minimum:g}")
    if spec.maximum is not None:
        bounds.append(f"<= {spec.maximum:g}")
    bound_text = " and ".join(bounds) or "(no bound)"
    file, line = version.location.file, version.location.line_of("metrics")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return CheckOutcome(
            ItemState.FAILED,
            f"'{spec.title}' fails: {version.key} records no '{spec.metric}' metric, so the "
            f"bound {spec.metric} {bound_text} cannot be shown to hold. Add "
            f"'{spec.metric}' under the version's metrics.",
            Code.FAILED_CHECK,
            file=file,
            line=line,
        )
    low_ok = spec.minimum is None or value >= spec.minimum
    high_ok = spec.maximum is None or value <= spec.maximum
    if low_ok and high_ok:
        return CheckOutcome(ItemState.MET, f"{spec.metric} = {value:g} ({bound_text}).")
    return CheckOutcome(
        ItemState.FAILED,
        f"'{spec.title}' fails: {spec.metric} = {value:g}, the policy asks {bound_text}. "
        "The version may not sit in this stage with this performance; train a better "
        "version or demote this one.",
        Code.FAILED_CHECK,
        file=file,
        line=line,
    )


def _waiver_problem(ctx: Context, record: Verification) -> str | None:
    waiver = record.waiver
    roles = ctx.policy.rules.waiver_roles if ctx.policy else ()
    if waiver is None:
        return (
            "This check is waived but the record has no waiver (approved_by, reason, "
            "expires); an undocumented waiver cannot be audited. Add the waiver block."
        )
    person = ctx.person(waiver.approved_by)
    if person is None or not set(person.roles) & set(roles):
        allowed = ", ".join(roles) or "(nobody: waiver_roles is empty)"
        return (
            f"The waiver is approved by '{waiver.approved_by}', who holds none of the "
            f"waiver_roles ({allowed}); only they may accept a missing check. Have one "
            "of them approve the waiver."
        )
    if not waiver.reason.strip():
        return (
            "The waiver gives no reason; an auditor must be able to see why the check was "
            "skipped. Write the reason."
        )
    if waiver.expires is None:
        return (
            "The waiver has no expiry date; a waiver is temporary by design. Add "
            "`expires:` with the date the check must be done by."
        )
    if waiver.expires < ctx.as_of:
        return (
            f"The waiver expired on {waiver.expires.isoformat()} (judged as of "
            f"{ctx.as_of.isoformat()}); the check is required again. Perform the check, or "
            "have the waiver renewed with a new expiry date."
        )
    return _waiver_provenance_problem(ctx, record, person)


def _waiver_provenance_problem(ctx: Context, record: Verification, person: Person) -> str | None:
    """Why the waiver cannot be shown to come from its approver, if so.

    Under ``signoff_author_must_match`` a waiver is held to the sign-off standard: it
    accepts a missing check on someone's authority, so the commit that last wrote the
    record must be authored by ``approved_by`` (by one of their e-mails). A merge that
    only carried the record from a branch is looked past.
    """
    if ctx.policy is None or not ctx.policy.rules.signoff_author_must_match:
        return None
    if not ctx.history.available:
        return None  # one history-unavailable error says so
    path = record.location.file
    state = ctx.worktree_state(path)
    file_history = ctx.history.file(path)
    writers = [c for c in file_history.changes if not c.merged_unchanged] if file_history else []
    who = _who(ctx, person.id)
    if state != WorktreeState.CLEAN or not writers:
        what = state.value if state != WorktreeState.CLEAN else "not committed"
        return (
            f"The waiver is {what}: only a committed record shows who granted it. "
            f"Have {who} commit it."
        )
    signed, signature_problem = trust.record_signature_problem(ctx, path, person)
    if signature_problem:
        return signature_problem
    if signed:
        return None
    content_problem = trust.authorship_problem(
        ctx,
        path,
        person,
        record="waiver",
        fix=f"Have {who} commit the record themselves, or sign it (`--sign`).",
    )
    if trust.content_writers(ctx, path) is not None:
        return content_problem
    writer = ctx.history.commit(writers[0].sha)
    emails = {normalise_email(e) for e in person.emails}
    if writer is not None and normalise_email(writer.author_email) not in emails:
        return (
            f"The waiver was last written in {_commit_text(writer)}, not by its approver "
            f"{who}; a waiver accepts a missing check on the approver's authority, so "
            "like a sign-off it must be committed by them (signoff_author_must_match). "
            f"Have {who} commit the record."
        )
    return None


def assess_check(ctx: Context, version: ModelVersion, check_id: str) -> CheckOutcome:
    """The state of the check ``check_id`` for ``version``, with the finding code it yields.

    Automatic checks are computed from the version and model card; the others read the
    latest verification record (by date, then commit order). Computed once per run.
    """
    memo_key = ("check", version.key, check_id)
    if memo_key not in ctx.memo:
        ctx.memo[memo_key] = _assess_check(ctx, version, check_id)
    return ctx.memo[memo_key]


def _assess_check(ctx: Context, version: ModelVersion, check_id: str) -> CheckOutcome:
    assert ctx.policy is not None
    spec = ctx.policy.checks.get(check_id)
    if spec is None:
        return CheckOutcome(
            ItemState.MISSING,
            f"The policy requires the check '{check_id}', which its check catalogue does "
            "not define, so it can never be met. Add it under `checks:` in policy.yaml.",
            Code.MISSING_CHECK,
            file=ctx.policy.location.file,
            line=ctx.policy.location.line_of("requirements"),
        )
    if spec.metric is not None:
        return _metric_outcome(version, spec)
    if spec.automatic == "documentation":
        return _documentation_outcome(ctx, version, spec)
    record = ctx.latest_verification(version.key, check_id)
    if record is None:
        return CheckOutcome(
            ItemState.MISSING,
            f"{version.key} has no verification of '{spec.title}' ({check_id}); the stage "
            "requires it before the version may sit there. Perform the check and add a "
            f"record under verifications/ with `check: {check_id}` and the version's "
            f"digest as subject ({ctx.digests.get(version.key, '')}).",
            Code.MISSING_CHECK,
            file=version.location.file,
            line=version.location.line,
        )
    files = (record.location.file,)
    if record.status == "failed":
        return CheckOutcome(
            ItemState.FAILED,
            f"The latest result of '{spec.title}' ({record.date.isoformat()}) is failed"
            + (f": {record.summary.strip().rstrip('.')}" if record.summary.strip() else "")
            + ". Fix the version and record a passing check.",
            Code.FAILED_CHECK,
            line=record.location.line_of("status"),
            records=files,
            file=record.location.file,
        )
    digest = ctx.digests.get(version.key, "")
    if record.subject != digest:
        what = (
            f"checked {short_digest(record.subject)}; {version.key} has changed since"
            if record.subject
            else "has no subject: nothing shows what was checked"
        )
        return CheckOutcome(
            ItemState.STALE,
            f"This verification of '{spec.title}' {what}. Re-run the check and record it "
            f"with subject: {digest}.",
            Code.STALE_CHECK,
            line=record.location.line_of("subject"),
            records=files,
            file=record.location.file,
        )
    date_issue = _date_problem(ctx, record.date, version, "verification", record.location.file)
    if date_issue:
        return CheckOutcome(
            ItemState.INVALID,
            date_issue,
            Code.IMPLAUSIBLE_DATE,
            line=record.location.line_of("date"),
            records=files,
            file=record.location.file,
        )
    if record.status == "waived":
        problem = _waiver_problem(ctx, record)
        if problem:
            return CheckOutcome(
                ItemState.INVALID,
                problem,
                Code.INVALID_WAIVER,
                line=record.location.line_of("waiver"),
                records=files,
                file=record.location.file,
            )
        assert record.waiver is not None
        return CheckOutcome(
            ItemState.WAIVED,
            f"Waived by {_who(ctx, record.waiver.approved_by)} until "
            f"{record.waiver.expires.isoformat() if record.waiver.expires else '?'}: "
            f"{record.waiver.reason.strip()}",
            records=files,
        )
    performer = _performer_problem(ctx, record)
    if performer:
        return CheckOutcome(
            ItemState.INVALID,
            performer,
            Code.UNVERIFIED_CHECK,
            line=record.location.line_of("performed_by"),
            records=files,
            file=record.location.file,
        )
    return CheckOutcome(
        ItemState.MET,
        f"Passed on {record.date.isoformat()}, performed by {record.performed_by}.",
        records=files,
    )


def _performer_problem(ctx: Context, record: Verification) -> str | None:
    """Why the verification cannot be shown to come from its ``performed_by``, if so.

    Under ``signoff_author_must_match`` a check result is held to the sign-off
    standard: the commits that wrote the record's current content must be authored by
    the person or declared pipeline in ``performed_by`` (by one of its emails), and
    with ``require_signed_commits`` carry a good signature by one of its keys.
    """
    if ctx.policy is None or not ctx.policy.rules.signoff_author_must_match:
        return None
    if not ctx.history.available:
        return None  # one history-unavailable error says so
    path = record.location.file
    who = trust.identity(ctx, record.performed_by)
    fix_who = (
        f"Have {trust.identity_text(who)} commit the result itself"
        if who is not None
        else f"Declare `{record.performed_by}` in people.yaml and have it commit the result"
    )
    fix = (
        f"{fix_who}, from its own Git identity, or sign the record (`--sign`); a result "
        "recorded by anyone else cannot show the check was run."
    )
    state = ctx.worktree_state(path)
    if state != WorktreeState.CLEAN or ctx.adding_commit(path) is None:
        what = state.value if state != WorktreeState.CLEAN else "not committed"
        return f"This verification is {what}: only a committed record shows who recorded it. {fix}"
    if who is None:
        return (
            f"`performed_by` is `{record.performed_by}`, which the trusted people.yaml does "
            f"not declare, so no commit can be shown to come from it. {fix}"
        )
    signed, signature_problem = trust.record_signature_problem(ctx, path, who)
    if signature_problem:
        return signature_problem
    if signed:
        return None
    writers = trust.content_writers(ctx, path)
    if writers is None:
        # Without content provenance (a past tree judged for a deployment), the newest
        # commit that wrote the file: a merge that only carried it from a branch is
        # looked past, as for waivers.
        file_history = ctx.history.file(path)
        written = (
            [c for c in file_history.changes if not c.merged_unchanged] if file_history else []
        )
        last = ctx.history.commit(written[0].sha) if written else None
        if last is not None and not trust.authored_by(
            trust.Writer(last.sha, last.author_name, last.author_email, last), who
        ):
            return (
                f"This verification was last written in {_commit_text(last)}, not by "
                f"{trust.identity_text(who)} (signoff_author_must_match). {fix}"
            )
        return None
    problem = trust.authorship_problem(
        ctx, path, who, record="verification", fix=fix, role="performer"
    )
    if problem:
        return problem + " (signoff_author_must_match)"
    # A performer that declares signing keys signs what it records; one without keys
    # is held to authorship only (require_signed_commits names sign-offs).
    if (
        ctx.policy.rules.require_signed_commits
        and ctx.history.signatures_checked
        and who.signing_keys
    ):
        for writer in writers:
            if writer.commit is None or not _signed_by(writer.commit, who):
                return (
                    f"The content of this verification was written in {writer.text}, which "
                    f"carries no good signature by a key of {trust.identity_text(who)} "
                    f"(require_signed_commits). {fix}"
                )
    return None


def _signed_by(commit: Commit, who: Any) -> bool:
    signature = commit.signature
    return (
        signature is not None
        and signature.is_good
        and any(_key_matches(key, signature) for key in who.signing_keys)
    )


def _check_findings(ctx: Context, code: str) -> Iterable[Finding]:
    for version in ctx.versions():
        for stage in ctx.policy.stages if ctx.policy else ():
            for check_id in ctx.requirements(version, stage).checks:
                outcome = assess_check(ctx, version, check_id)
                if code == Code.MISSING_CHECK and not ctx.is_required(version, stage):
                    continue  # pending promotion: shown in the checklist, fails nothing
                if outcome.code == code:
                    yield Finding(
                        code,
                        _severity(ctx, version, stage),
                        version.key,
                        f"[{stage}] {outcome.detail}",
                        outcome.file,
                        outcome.line,
                    )


# -- the rules, one per finding code ---------------------------------------------------------


def rule_history_unavailable(ctx: Context) -> Iterable[Finding]:
    """``history-unavailable``: provenance cannot be checked.

    Passes on the history layer's problems (not a repository, no ``git``, a shallow
    clone...). While history is unavailable the per-sign-off provenance rules
    (``unverified-signoff``, the commit-date part of ``implausible-date``) are not
    evaluated: this one error says why, instead of one per sign-off. Also an error when
    the policy requires signed commits but signatures were not read in this run.
    """
    yield from ctx.history.problems
    if not ctx.history.available and not ctx.history.problems:
        yield error(
            Code.HISTORY_UNAVAILABLE,
            ctx.registry.records_dir,
            "The Git history of the records could not be read, so who added each sign-off "
            "cannot be checked. Run the gate in a full clone of the repository.",
        )
    requires = bool(ctx.policy and ctx.policy.rules.require_signed_commits)
    if requires and ctx.history.available and not ctx.history.signatures_checked:
        yield error(
            Code.HISTORY_UNAVAILABLE,
            ctx.registry.records_dir,
            "The policy requires signed sign-off commits, but commit signatures were not "
            "read in this run, so no sign-off can be shown to be signed. Run the gate with "
            "signature checking (the default when require_signed_commits is true).",
        )


def rule_role_not_held(ctx: Context) -> Iterable[Finding]:
    """``role-not-held``: the approver does not hold the role signed for.

    Judged against people.yaml of the judging side (the base's when a base ref is
    given, so a pull request cannot grant itself a role). Applies to approvals and
    rejections; such a sign-off fills no slot and blocks nothing.

    An approver who has since lost the role (they held it in people.yaml at the commit
    that wrote the sign-off: their approval was valid when given) must not keep a
    version red forever: once other approvals fill every slot of that role for the
    stage, the finding is a warning (the record is history, it
    counts for nothing); while a slot is still empty it is an error, next to the
    ``missing-signoff`` that says what is needed.
    """
    for finding in _per_signoff(ctx, Code.ROLE_NOT_HELD, role_problem, "role"):
        yield _role_finding_severity(ctx, finding)


def _role_finding_severity(ctx: Context, finding: Finding) -> Finding:
    signoff = next(
        (
            s
            for s, _ in _judged_signoffs(ctx)
            if s.location.file == finding.file and s.key == finding.subject
        ),
        None,
    )
    version = ctx.registry.version(signoff.key) if signoff else None
    if signoff is None or version is None or not finding.is_error:
        return finding
    if signoff.role not in ctx.roles_when_signed.get(signoff.location.file, ()):
        return finding  # never held the role: not history, a sign-off that cannot count
    fills = stage_fills(ctx, version, signoff.stage)
    if any(fill.requirement.role == signoff.role and fill.missing for fill in fills):
        return finding
    if not any(fill.requirement.role == signoff.role for fill in fills):
        return finding
    return Finding(
        finding.code,
        Severity.WARNING,
        finding.subject,
        finding.message
        + f" It counts for nothing: the '{signoff.role}' approvals of {signoff.stage} are "
        "complete without it, so it blocks nothing (an approval given while the role was "
        "held stays in the history).",
        finding.file,
        finding.line,
    )


def rule_unverified_signoff(ctx: Context) -> Iterable[Finding]:
    """``unverified-signoff``: the record's Git provenance does not show the approver gave it.

    Flagged when the sign-off file is untracked, staged or modified (not committed as
    it is); when ``signoff_author_must_match`` and the commit that added it is not
    authored by one of the approver's emails, or a later commit changed it authored by
    anyone else; when ``require_signed_commits`` and the adding commit (or a later
    edit) lacks a good signature by one of the approver's ``signing_keys`` (GPG ids
    match by case-insensitive suffix, SSH ``SHA256:`` fingerprints exactly). Not
    evaluated while history is unavailable (see ``history-unavailable``).
    """
    return _per_signoff(ctx, Code.UNVERIFIED_SIGNOFF, provenance_problem, "approver")


def rule_separation_of_duties(ctx: Context) -> Iterable[Finding]:
    """``separation-of-duties``: an approval by someone who made or owns what is approved.

    Only with ``separation_of_duties: true``. Rejections are not affected. Flagged when
    the approver is the version's declared ``author``, the model's ``owner``, or the
    Git author (matched by e-mail to a person of people.yaml) of the latest commit
    that changed the version's content. Content is the version's entry in the model
    file without ``stage``: a promotion, an edit of the model card or of another
    version, and a merge that takes a branch's entry as it is are not content
    changes. Only the latest content change counts (whoever wrote the content as it
    is now); an earlier author is replaced by a later one. A commit by an e-mail
    nobody in people.yaml lists matches no one.
    """
    return _per_signoff(ctx, Code.SEPARATION_OF_DUTIES, separation_problem, "approver")


def rule_stale_signoff(ctx: Context) -> Iterable[Finding]:
    """``stale-signoff``: an approval's ``subject`` is absent or differs from the version's digest.

    The digest covers the version entry without ``stage`` plus the content digests of
    its datasets (SPEC §5), so a promotion keeps approvals valid and a change of
    artifact, metrics, experiment or data invalidates them.
    """
    return _per_signoff(ctx, Code.STALE_SIGNOFF, stale_problem, "subject")


def rule_expired_signoff(ctx: Context) -> Iterable[Finding]:
    """``expired-signoff``: an approval dated more than ``signoff_max_age_days`` before as-of."""
    return _per_signoff(ctx, Code.EXPIRED_SIGNOFF, expiry_problem, "date")


def rule_implausible_date(ctx: Context) -> Iterable[Finding]:
    """``implausible-date``: a sign-off or verification dated after as-of, or before its version.

    "Before its version" means before the version's ``created`` date, or before the
    author date of the commit that created the version: the newest commit whose
    model file lists the version while its parents' did not (read from the model
    file's revisions; a version added to an existing model file later is created by
    that later commit). Without a committed revision listing the version (it is
    only in the working tree) the model file's first commit stands in.
    Also implausible: a record dated more than a day after the commit that last
    changed it (it was committed before it was made; the day of slack absorbs time
    zones).
    Verifications are judged when they are the latest result of a required check.
    Such a record does not count.
    """
    yield from _per_signoff(ctx, Code.IMPLAUSIBLE_DATE, date_problem, "date")
    yield from _check_findings(ctx, Code.IMPLAUSIBLE_DATE)


def rule_missing_check(ctx: Context) -> Iterable[Finding]:
    """``missing-check``: a required check has no verification record.

    Requirements are cumulative along the stage order: a production version needs
    staging's checks too. Risk-tier overrides add checks.
    """
    return _check_findings(ctx, Code.MISSING_CHECK)


def rule_failed_check(ctx: Context) -> Iterable[Finding]:
    """``failed-check``: the latest result is failed, or an automatic check fails.

    The latest result is the newest by date, then by commit order. A ``metric`` check
    fails when the version lacks the metric or it lies outside ``min``/``max``
    (inclusive). ``automatic: documentation`` asks the model card for: every tier
    ``description`` and ``intended_use``; medium adds ``limitations`` and
    ``out_of_scope_use``; high adds ``ethical_considerations`` and at least one dataset
    (on the model or the version). An unknown tier is judged as high.
    """
    return _check_findings(ctx, Code.FAILED_CHECK)


def rule_stale_check(ctx: Context) -> Iterable[Finding]:
    """``stale-check``: the latest verification's ``subject`` is absent or differs from the digest."""
    return _check_findings(ctx, Code.STALE_CHECK)


def rule_invalid_waiver(ctx: Context) -> Iterable[Finding]:
    """``invalid-waiver``: a waived check whose waiver does not hold.

    Valid only when ``approved_by`` holds one of ``rules.waiver_roles``, ``reason`` is
    not empty, ``expires`` is given and not before the as-of date, and, under
    ``signoff_author_must_match``, the commit that last wrote the record is authored
    by ``approved_by`` (an uncommitted waiver never counts).
    """
    return _check_findings(ctx, Code.INVALID_WAIVER)


def rule_unverified_check(ctx: Context) -> Iterable[Finding]:
    """``unverified-check``: a passing verification not shown to come from its performer.

    Only with ``signoff_author_must_match``. The latest passing result of a required
    check counts only when the commits that wrote its current content are authored
    by the person or declared pipeline in ``performed_by`` (one of its ``emails`` in
    the trusted people.yaml), and, with ``require_signed_commits`` and a performer
    that declares ``signing_keys``, carry a good signature by one of them. A waived check is judged by its waiver
    (``invalid-waiver``); a failed one fails whoever recorded it.
    """
    return _check_findings(ctx, Code.UNVERIFIED_CHECK)


def rule_withdrawn_signoff(ctx: Context) -> Iterable[Finding]:
    """``withdrawn-signoff``: a sign-off replaced or deleted by someone other than its approver.

    Only with ``signoff_author_must_match``. The history keeps every sign-off a file
    ever held: when its content was replaced or the file deleted, one of the commits
    that did it must be authored by the approver (a sign-off, above all a rejection,
    is withdrawn only by the person who gave it). Otherwise it is an error on the
    version, until the approver records a newer decision for the same version and
    stage that they committed themselves. A sign-off of a version that no longer
    exists is not judged. Holds on ``main`` as in pull-request mode: the history
    has the deleted record.
    """
    if ctx.policy is None or not ctx.policy.rules.signoff_author_must_match:
        return
    if not ctx.history.available:
        return
    for withdrawal in trust.withdrawals(ctx, ctx.former_signoffs):
        signoff = withdrawal.signoff
        what = "rejection" if signoff.decision == "rejected" else "approval"
        by = (
            " and ".join(w.text for w in withdrawal.removed_by)
            if withdrawal.removed_by
            else "a merge that took the side without it"
        )
        yield error(
            Code.WITHDRAWN_SIGNOFF,
            signoff.key,
            f"The {signoff.stage} {what} by {_who(ctx, signoff.approver)} dated "
            f"{signoff.date.isoformat()} in {withdrawal.path} was replaced or deleted by "
            f"{by}, not by its approver; only the person who gave a decision may withdraw "
            f"it. Have {_who(ctx, signoff.approver)} restore the record or commit a new "
            "decision: "
            + signoff_command(signoff.key, signoff.stage, signoff.role, signoff.decision),
            withdrawal.path,
            1,
        )


def rule_missing_signoff(ctx: Context) -> Iterable[Finding]:
    """``missing-signoff``: fewer valid approvals than a required role needs.

    An approval counts when it is standing (the approver's latest word on the stage,
    see ``Context.standing_signoffs``), and no
    sign-off rule (role, provenance, separation, digest, age, date) rejects it. With
    ``distinct_approvers`` one person fills one slot even when holding two roles.
    Risk-tier overrides replace a role's count.
    """
    for version in ctx.versions():
        for stage in ctx.policy.stages if ctx.policy else ():
            if not ctx.is_required(version, stage):
                continue  # pending promotion: shown in the checklist, fails nothing
            for fill in stage_fills(ctx, version, stage):
                if fill.missing:
                    yield _version_finding(
                        Code.MISSING_SIGNOFF,
                        Severity.ERROR,
                        version,
                        _missing_signoff_message(ctx, version, stage, fill),
                    )


def _missing_signoff_message(
    ctx: Context, version: ModelVersion, stage: str, fill: SlotFill
) -> str:
    req = fill.requirement
    have = len(fill.approvals)
    parts = [
        f"[{stage}] {version.key} has {have} of {req.count} valid approval"
        f"{'s' if req.count != 1 else ''} by '{req.role}'; it may not sit in {version.stage} "
        "without them."
    ]
    if fill.invalid:
        names = ", ".join(f"{s.approver} ({code})" for s, code, _ in fill.invalid)
        parts.append(f"Not counted: {names}.")
    if fill.unused:
        names = ", ".join(s.approver for s in fill.unused)
        parts.append(
            f"{names} already fill{'s' if len(fill.unused) == 1 else ''} another slot of this "
            "stage (distinct_approvers: one person, one slot)."
        )
    parts.append("A holder of the role runs " + signoff_command(version.key, stage, req.role) + ".")
    return " ".join(parts)


def rule_rejected(ctx: Context) -> Iterable[Finding]:
    """``rejected``: a standing rejection by a person holding a required role.

    The approver's latest decision for the version and stage (whatever the role) is
    ``rejected``, signed for a role the stage requires and held by them; approvals by
    others do not lift it, only the same approver's later approval does. A rejection
    blocks whatever its digest (it is withdrawn, not outdated). A forged rejection
    (``unverified-signoff``) or one for a role not held blocks nothing.
    """
    for version in ctx.versions():
        for stage in ctx.policy.stages if ctx.policy else ():
            if not ctx.is_required(version, stage):
                continue
            for fill in stage_fills(ctx, version, stage):
                for rejection in fill.rejections:
                    reason = f": {rejection.comment.strip()}" if rejection.comment.strip() else ""
                    yield _signoff_finding(
                        ctx,
                        Code.REJECTED,
                        rejection,
                        f"[{stage}] {_who(ctx, rejection.approver)} rejected {version.key} as "
                        f"'{rejection.role}' on {rejection.date.isoformat()}{reason}. A standing "
                        "rejection blocks the stage whatever others approved. Address it, then "
                        "the same person records an approval: "
                        + signoff_command(version.key, stage, rejection.role)
                        + ".",
                        "decision",
                    )


def rule_review_overdue(ctx: Context) -> Iterable[Finding]:
    """``review-overdue``: a version in the last stage without a recent approval.

    When a version in the policy's last stage has approvals for that stage that are
    valid apart from their age, but the newest is older than ``review_interval_days``
    before as-of. (A version with no approval at all gets ``missing-signoff``.)
    """
    if ctx.policy is None or not ctx.policy.stages:
        return
    days = ctx.policy.rules.review_interval_days
    limit = ctx.age_limit(days)
    if limit is None:
        return
    last = ctx.policy.stages[-1]
    for version in ctx.versions():
        if version.stage != last:
            continue
        dated = [
            s.date
            for s in ctx.signoffs_for(version.key, last)
            if s.decision == "approved"
            and all(code == Code.EXPIRED_SIGNOFF for code, _ in signoff_problems(ctx, s))
        ]
        if dated and max(dated) < limit:
            yield _version_finding(
                Code.REVIEW_OVERDUE,
                Severity.ERROR,
                version,
                f"{version.key} is in {last}, but its newest {last} approval is from "
                f"{max(dated).isoformat()}, more than {days} days before "
                f"{ctx.as_of.isoformat()} (review_interval_days); a model in use must be "
                "reviewed periodically. Review it and sign off again.",
            )


def _canonical(value: Any) -> Any:
    """A JSON-ready form of a record, without locations (moving lines changes nothing)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _canonical(getattr(value, f.name))
            for f in fields(value)
            if f.name != "location"
        }
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def policy_digest(policy: Any, people: Mapping[str, Person]) -> str:
    """``sha256:`` digest of a policy and its people: what a policy-change sign-off approves."""
    canonical = {"policy": _canonical(policy), "people": _canonical(dict(people))}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def rule_policy_changed(ctx: Context) -> Iterable[Finding]:
    """``policy-changed``: with a base ref, people.yaml or policy.yaml differ from the base.

    The whole evaluation then uses the base's policy and people (the trusted side);
    the new ones apply once merged. The change is an error unless it carries the
    sign-offs the base's ``rules.policy_change_signoffs`` asks for. Such a sign-off is
    an ordinary sign-off record with ``model: policy``, ``stage: policy``, ``version``
    free text (e.g. the PR number) and ``subject`` the digest of the changed
    policy + people printed in this finding; it must be valid like any sign-off
    (role held on the base side, committed by the approver, distinct approvers). When
    the base asks for no such sign-offs the change is an error all the same: a policy
    change must be approved by someone. A base without a policy (the first policy)
    yields a warning, and the new policy is used.
    """
    base = ctx.base
    if base is None:
        return
    head = ctx.registry
    changed = []
    if _canonical(base.policy) != _canonical(head.policy):
        changed.append(head.policy.location.file if head.policy else "policy.yaml")
    if _canonical(dict(base.people)) != _canonical(dict(head.people)):
        files = sorted({p.location.file for p in head.people.values()}) or [
            f"{head.records_dir}/people.yaml"
        ]
        changed.extend(files)
    if not changed:
        return
    where = changed[0]
    what = " and ".join(changed)
    if base.policy is None:
        yield warning(
            Code.POLICY_CHANGED,
            what,
            f"This change introduces {what}; there is no policy on the base to judge it "
            "with, so the new one is used. Have it reviewed with care.",
            where,
            1,
        )
        return
    # The rules in force after the merge decide who must approve (the base tip's).
    required = (ctx.policy or base.policy).rules.policy_change_signoffs
    digest = policy_change_digest(base, ctx.head_policy_digest)
    intro = (
        f"This change edits {what}: it could grant a role or relax a rule, so it is judged "
        "with the base's people and policy, and the new ones apply once merged."
    )
    if not required:
        yield error(
            Code.POLICY_CHANGED,
            what,
            f"{intro} The base policy names no approvers of policy changes "
            "(rules.policy_change_signoffs), so this change cannot pass the gate; have it "
            "reviewed and merged by the repository's administrators.",
            where,
            1,
        )
        return
    signoffs = [
        s
        for s in ctx.policy_signoffs()
        if s.subject == digest and s.decision == "approved" and _added_by_change(base, s)
    ]
    fills = fill_slots(ctx, required, _valid_policy_signoffs(ctx, signoffs))
    missing = [f for f in fills if f.missing]
    if missing:
        needs = ", ".join(f"{f.missing} × {f.requirement.role}" for f in missing)
        yield error(
            Code.POLICY_CHANGED,
            what,
            f"{intro} It lacks the approvals a policy change needs: {needs}. Each approver "
            "commits a sign-off with `model: policy`, `stage: policy`, `decision: approved`, "
            f"`subject: {digest}`.",
            where,
            1,
        )


def policy_change_digest(base: Any, head_digest: str) -> str:
    """What a policy-change approval approves: this change, from the base's policy and
    people to the head's (``sha256:`` of both digests), so that an approval of an
    earlier change that happened to produce the same files cannot be replayed."""
    canonical = {"base": policy_digest(base.policy, base.people), "head": head_digest}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _added_by_change(base: Any, signoff: SignOff) -> bool:
    """True when the change itself added (or rewrote) the approval: one already on the
    base, identical, approved something before this change."""
    for existing in base.signoffs:
        if existing.location.file == signoff.location.file:
            return _canonical(existing) != _canonical(signoff)
    return True


def _valid_policy_signoffs(ctx: Context, signoffs: list[SignOff]) -> list[SignOff]:
    """Approvals of a policy change that hold: role held on the trusted side, committed
    by the approver, not older than ``signoff_max_age_days`` and not from the future."""
    return [
        s
        for s in signoffs
        if not role_problem(ctx, s)
        and not provenance_problem(ctx, s)
        and not expiry_problem(ctx, s)
        and s.date <= ctx.as_of
    ]


# The one table: finding code -> rule. Records codes (invalid-record, unknown-reference,
# duplicate-id) come from the records layer and pass through evaluate().
RULES: dict[str, Rule] = {
    Code.HISTORY_UNAVAILABLE: rule_history_unavailable,
    Code.POLICY_CHANGED: rule_policy_changed,
    Code.MISSING_CHECK: rule_missing_check,
    Code.FAILED_CHECK: rule_failed_check,
    Code.STALE_CHECK: rule_stale_check,
    Code.INVALID_WAIVER: rule_invalid_waiver,
    Code.MISSING_SIGNOFF: rule_missing_signoff,
    Code.REJECTED: rule_rejected,
    Code.STALE_SIGNOFF: rule_stale_signoff,
    Code.SEPARATION_OF_DUTIES: rule_separation_of_duties,
    Code.ROLE_NOT_HELD: rule_role_not_held,
    Code.UNVERIFIED_SIGNOFF: rule_unverified_signoff,
    Code.EXPIRED_SIGNOFF: rule_expired_signoff,
    Code.REVIEW_OVERDUE: rule_review_overdue,
    Code.IMPLAUSIBLE_DATE: rule_implausible_date,
    Code.UNVERIFIED_CHECK: rule_unverified_check,
    Code.WITHDRAWN_SIGNOFF: rule_withdrawn_signoff,
    Code.UNBOUND_ARTIFACT: rule_unbound_artifact,
    Code.UNSIGNED_GTO_ASSIGNMENT: rule_unsigned_gto_assignment,
}

# The deployment and traffic rules (one module of their own) join the same table.
from .deployments import DEPLOYMENT_RULES  # noqa: E402

RULES.update(DEPLOYMENT_RULES)
