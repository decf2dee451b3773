"""Deployment and traffic rules: was what ran in production what was approved, when it ran?

The facts these rules judge ([`ProductionFacts`][mkdocs_governance.policy.deployments.ProductionFacts])
are gathered by the shell ([`production`][mkdocs_governance.production]): for each
deployment event, the gate's verdict on the version *as the records stood at that
moment* (the repository's first-parent commit at that time, judged with the date rules
of that day), and for each hour of served traffic the same verdict at the first and last
request of the hour. The rules here are pure: they turn those verdicts into findings.

Severity: what still holds now is an error (the deployment is the one serving its
service; the traffic reaches the end of the log), a past incident is a warning (shown
in the wiki and the audit trail, failing nothing: it cannot be undone, and the gate's
job is what serves now).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..findings import Code, Finding, Severity
from ..history.identity import normalise_email
from ..history.model import WorktreeState
from ..policy.model import RequirementItem
from ..records.model import Deployment
from .context import Context

PIPELINE_PREFIX = "pipeline:"


@dataclass(frozen=True, slots=True)
class Approval:
    """The gate's verdict on one version for one stage at one moment.

    Attributes:
        key: ``model@version``.
        stage: the stage judged (with every earlier one).
        moment: when (None: now, the working tree).
        commit: the commit whose records were judged (None: the working tree, or no
            commit existed yet).
        met: True when every requirement of ``stage`` and the earlier stages held.
        reasons: the gate's error findings that kept it from holding.
        items: ``(stage, requirement)`` of the checklist up to ``stage``: who
            approved, which checks passed, as they stood at ``moment``.
        artifact_sha256: the version's artifact hash in those records (None when
            the version names no artifact or did not exist).
        known: False when the version was not in the records at that moment.
    """

    key: str
    stage: str
    moment: datetime | None
    commit: str | None
    met: bool
    reasons: tuple[Finding, ...] = ()
    items: tuple[tuple[str, RequirementItem], ...] = ()
    artifact_sha256: str | None = None
    known: bool = True

    def summary(self) -> str:
        """One sentence: approved, or the first reason it was not."""
        if self.met:
            return f"{self.key} met every requirement of {self.stage}"
        if not self.known:
            return f"{self.key} was not in the records"
        if not self.reasons:
            return f"{self.key} did not meet {self.stage}"
        codes = ", ".join(dict.fromkeys(str(f.code) for f in self.reasons))
        return f"{codes}. First: {self.reasons[0].message}"


@dataclass(frozen=True, slots=True)
class DeploymentFact:
    """A deployment event, with the verdict at its moment and whether it still serves."""

    deployment: Deployment
    stage: str | None  # the stage its environment requires (None: unknown environment)
    approval: Approval | None  # None for a rollback or an unknown environment
    current: bool


@dataclass(frozen=True, slots=True)
class TrafficWindow:
    """Consecutive hours in which one version served an environment in one state.

    ``problem`` is ``unapproved`` (not approved for the environment's stage at that
    time), ``undeployed`` (before any deployment record of the version there) or None.
    """

    environment: str
    key: str
    start: datetime
    end: datetime
    requests: int
    problem: str | None
    approval: Approval | None
    current: bool


@dataclass(frozen=True, slots=True)
class LogSummary:
    """What reading an environment's logs gave: counts, and the problems to report."""

    environment: str
    files: tuple[str, ...]
    lines: int
    requests: int
    skipped: int
    ignored: int
    unreadable: int
    problems: tuple[tuple[str, int | None, str, bool], ...]  # (file, line, message, fatal)
    hourly: Mapping[str, tuple[tuple[datetime, int], ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProductionFacts:
    """Everything the deployment and traffic rules judge, and the pages show."""

    deployments: tuple[DeploymentFact, ...] = ()
    windows: tuple[TrafficWindow, ...] = ()
    logs: tuple[LogSummary, ...] = ()
    # (environment, model, service) -> the version serving it now and its verdict today.
    serving: Mapping[tuple[str, str, str], tuple[Deployment, Approval | None]] = field(
        default_factory=dict
    )


# -- findings -----------------------------------------------------------------------------


def _severity(current: bool) -> Severity:
    return Severity.ERROR if current else Severity.WARNING


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _still(current: bool) -> str:
    return (
        "It is still the version serving there: fix it now (roll back, or complete the approvals)."
        if current
        else "It no longer serves (superseded or rolled back): kept as a past incident."
    )


def rule_unapproved_deployment(ctx: Context) -> Iterable[Finding]:
    """``unapproved-deployment``: a version deployed while it did not meet its environment's stage.

    Judged at the deployment's ``started`` moment: the records as they stood in the
    newest first-parent commit of HEAD committed by then, evaluated with the date rules
    of that day, and the version taken to sit in the environment's stage. An error
    while the deployment is what serves its service now; a warning once superseded or
    rolled back.
    """
    facts = ctx.production
    if facts is None:
        return
    for fact in facts.deployments:
        approval = fact.approval
        if approval is None or approval.met:
            continue
        deployment = fact.deployment
        yield Finding(
            Code.UNAPPROVED_DEPLOYMENT,
            _severity(fact.current),
            deployment.key,
            f"{deployment.key} was deployed to {deployment.environment} ({deployment.service}) "
            f"at {_when(deployment.started)}, when it did not meet {fact.stage}: "
            f"{approval.summary()} {_still(fact.current)} Deploy only through "
            f"`mkdocs-governance allow {deployment.key} --environment {deployment.environment}`.",
            deployment.location.file,
            deployment.location.line_of("started"),
        )


def rule_artifact_mismatch(ctx: Context) -> Iterable[Finding]:
    """``artifact-mismatch``: the deployed artifact's sha256 is not the version's approved one.

    The version's ``artifact.sha256`` (which its digest, and so every approval, covers)
    as the records stood at the deployment's moment is compared with the deployment's
    ``artifact_sha256``. Same severity rule as ``unapproved-deployment``.
    """
    facts = ctx.production
    if facts is None:
        return
    for fact in facts.deployments:
        approval = fact.approval
        if approval is None or not approval.known:
            continue
        deployment = fact.deployment
        expected = approval.artifact_sha256
        if expected is not None and expected.lower() == deployment.artifact_sha256:
            continue
        what = (
            f"the approved artifact is sha256 {expected}"
            if expected
            else "the version names no artifact sha256, so nothing binds what ran to what "
            "was approved"
        )
        yield Finding(
            Code.ARTIFACT_MISMATCH,
            _severity(fact.current),
            deployment.key,
            f"{deployment.environment} ({deployment.service}) ran sha256 "
            f"{deployment.artifact_sha256} as {deployment.key} from "
            f"{_when(deployment.started)}, but {what}. {_still(fact.current)} Deploy the "
            "reviewed artifact (`allow ... --artifact PATH` checks it before deploying).",
            deployment.location.file,
            deployment.location.line_of("artifact_sha256"),
        )


def deployer_problem(ctx: Context, deployment: Deployment) -> str | None:
    """Why ``deployment.by`` may not deploy, or the record does not show it did, if so."""
    by = deployment.by
    emails: set[str]
    if by.startswith(PIPELINE_PREFIX):
        # The judging side's pipelines: a pull request cannot declare itself a deployer.
        judging = ctx.base if ctx.base is not None and ctx.base.policy is not None else ctx.registry
        pipeline_id = by[len(PIPELINE_PREFIX) :]
        pipeline = judging.pipelines.get(pipeline_id)
        if pipeline is None:
            return (
                f"`by: {by}` names no pipeline declared in people.yaml, so nothing says this "
                "automation may deploy. Declare it under `pipelines:` (a reviewed change)."
            )
        emails = {normalise_email(e) for e in pipeline.emails}
        who = f"the pipeline {pipeline_id}"
    else:
        person = ctx.person(by)
        roles = ctx.policy.rules.deploy_roles if ctx.policy else ()
        if person is None:
            return f"`by: {by}` is no one in people.yaml and no declared pipeline."
        if not set(person.roles) & set(roles):
            allowed = ", ".join(roles) or "none: rules.deploy_roles is empty"
            return (
                f"{person.name} ({by}) deployed by hand but holds none of the roles allowed "
                f"to deploy ({allowed}). Deploy through a declared pipeline, or give the role "
                "in people.yaml (a reviewed change)."
            )
        emails = {normalise_email(e) for e in person.emails}
        who = person.name
    return _record_provenance_problem(ctx, deployment, emails, who)


def _record_provenance_problem(
    ctx: Context, deployment: Deployment, emails: set[str], who: str
) -> str | None:
    """Under ``signoff_author_must_match``: the record must be committed by who it names."""
    if ctx.policy is None or not ctx.policy.rules.signoff_author_must_match:
        return None
    if not ctx.history.available:
        return None  # one history-unavailable error says so
    path = deployment.location.file
    state = ctx.worktree_state(path)
    commit = ctx.adding_commit(path)
    if state != WorktreeState.CLEAN or commit is None:
        what = state.value if state != WorktreeState.CLEAN else "not committed"
        return (
            f"The deployment record is {what}: only a committed record shows who wrote it. "
            f"The CD job commits it as {who} (`mkdocs-governance record-deployment` then "
            "`git commit`)."
        )
    if not emails:
        return None  # a pipeline declared without e-mails: nothing to compare with
    for each in [commit, *ctx.later_commits(path)]:
        if normalise_email(each.author_email) not in emails:
            return (
                f"The record says {who} deployed, but it was written in commit "
                f"{each.short_sha} by {each.author_name} <{each.author_email}>; a deployment "
                f"record must be committed with the identity of who deployed. Have {who} "
                "commit it."
            )
    return None


def rule_unauthorized_deployer(ctx: Context) -> Iterable[Finding]:
    """``unauthorized-deployer``: a deployment by someone neither a declared pipeline nor allowed to deploy.

    ``by`` must be ``pipeline:<id>`` of a pipeline declared in people.yaml, or a person
    holding one of ``rules.deploy_roles``; and, under ``signoff_author_must_match``,
    the commit that added the record (and any later edit) must be authored by an
    e-mail of that pipeline or person. Judged with the judging side's people and
    policy. Same severity rule as ``unapproved-deployment``.
    """
    facts = ctx.production
    current = {f.deployment.id for f in facts.deployments if f.current} if facts else set()
    for deployment in ctx.registry.deployments:
        problem = deployer_problem(ctx, deployment)
        if problem:
            is_current = deployment.id in current
            yield Finding(
                Code.UNAUTHORIZED_DEPLOYER,
                _severity(is_current),
                deployment.key,
                f"{deployment.key} deployed to {deployment.environment} at "
                f"{_when(deployment.started)}: {problem}",
                deployment.location.file,
                deployment.location.line_of("by"),
            )


def _window_text(window: TrafficWindow) -> str:
    return (
        f"{window.requests} requests to {window.environment} were served by {window.key} "
        f"from {_when(window.start)} to {_when(window.end)}"
    )


def rule_unapproved_traffic(ctx: Context) -> Iterable[Finding]:
    """``unapproved-traffic``: requests served by a version not approved for the environment's stage then.

    From the environment's ``serving_logs``: each hour with requests of a version is
    judged at its first and last request (the gate's verdict on the records as they
    stood then); consecutive failing hours form one finding. An error when the window
    reaches the end of the log (it may still be serving), a warning before.
    """
    facts = ctx.production
    if facts is None:
        return
    for window in facts.windows:
        if window.problem != "unapproved":
            continue
        reason = window.approval.summary() if window.approval else "not approved"
        yield Finding(
            Code.UNAPPROVED_TRAFFIC,
            _severity(window.current),
            window.key,
            f"{_window_text(window)}, when it was not approved for "
            f"{window.approval.stage if window.approval else 'that stage'}: {reason}"
            + (
                " The window reaches the end of the log: it may still be serving."
                if window.current
                else " A past incident: it ended before the end of the log."
            ),
        )


def rule_undeployed_traffic(ctx: Context) -> Iterable[Finding]:
    """``undeployed-traffic``: requests served by a version with no deployment record there.

    Traffic of a version in an environment before any ``deployed`` record of that
    version in that environment (or with none at all): something served it outside
    the recorded, gated deployments. Same severity rule as ``unapproved-traffic``.
    """
    facts = ctx.production
    if facts is None:
        return
    for window in facts.windows:
        if window.problem != "undeployed":
            continue
        yield Finding(
            Code.UNDEPLOYED_TRAFFIC,
            _severity(window.current),
            window.key,
            f"{_window_text(window)}, but no deployment record shows {window.key} deployed "
            f"to {window.environment} before then. Record every deployment "
            "(`mkdocs-governance record-deployment` in the CD job), or find what served it.",
        )


def rule_serving_log(ctx: Context) -> Iterable[Finding]:
    """``invalid-serving-log``: a configured log is missing, or has malformed lines.

    A log that matches no file or cannot be read is an error (the traffic it should show
    cannot be judged: the check fails closed). Malformed lines are a warning giving the
    count of skipped lines and the first ones with their line numbers.
    """
    facts = ctx.production
    if facts is None:
        return
    for summary in facts.logs:
        for file, line, message, fatal in summary.problems:
            severity = Severity.ERROR if fatal else Severity.WARNING
            if line is not None and not fatal:
                message = f"line {line} {message}"
            yield Finding(
                Code.INVALID_SERVING_LOG,
                severity,
                summary.environment,
                f"{message} (serving log of {summary.environment})",
                file,
                line,
            )
        if summary.skipped:
            yield Finding(
                Code.INVALID_SERVING_LOG,
                Severity.WARNING,
                summary.environment,
                f"{summary.skipped} of {summary.lines} lines of the {summary.environment} "
                f"serving logs were malformed and not counted (the first ones are listed "
                "with their line numbers); their requests are not judged.",
                summary.files[0] if summary.files else None,
            )


DEPLOYMENT_RULES: dict[str, Callable[[Context], Iterable[Finding]]] = {
    Code.UNAPPROVED_DEPLOYMENT: rule_unapproved_deployment,
    Code.ARTIFACT_MISMATCH: rule_artifact_mismatch,
    Code.UNAUTHORIZED_DEPLOYER: rule_unauthorized_deployer,
    Code.UNAPPROVED_TRAFFIC: rule_unapproved_traffic,
    Code.UNDEPLOYED_TRAFFIC: rule_undeployed_traffic,
    Code.INVALID_SERVING_LOG: rule_serving_log,
}
"""The rules of this family, by finding code (joined to ``RULES`` in ``rules.py``)."""
