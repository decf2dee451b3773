"""The production half: the deployment gate, and what served what, when, judged then.

An imperative shell next to [`core`][mkdocs_governance.core]: it reads Git (which
commit was the branch's state at a moment) and the serving logs, and asks the pure
gate ([`evaluate`][mkdocs_governance.policy.evaluate]) the one question every
deployment and traffic rule needs: *did version V meet stage S (and every earlier
stage) at moment T?*

**The records at a moment.** The state of the branch at time T is its newest
first-parent commit (``git rev-list --first-parent HEAD``) committed at or before T:
what the main line said then, not a side branch merged later (a commit dated before
its parent counts from its parent's time: backdating cannot move a record earlier). Those records are read
from Git objects (the working tree is not touched), judged with the history as it
stood at that commit and with the date rules of T's day, the version taken to sit in
S. Commit dates are set by whoever commits (docs/trust.md): on a protected branch
they are the push times, near enough; a backdated commit shows in the audit trail.

**Now.** ``allow`` judges the working tree as it is, today, under the strict rules
(the policy's own rules; ``gate: warn`` or ``off`` in mkdocs.yml does not soften it),
with full history, and fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from .findings import Code, Finding, error
from .history.gitcmd import GitRunner, HistoryError
from .history.model import History, VersionProvenance
from .history.provenance import ModelRevisions, derive_provenance
from .policy import evaluate
from .policy.deployments import (
    DEPLOYMENT_RULES,
    Approval,
    DeploymentFact,
    LogSummary,
    ProductionFacts,
    TrafficWindow,
)
from .records import load_registry_from_blobs
from .records.model import Deployment, Registry
from .serving import HourBucket, TrafficLog, aggregate_paths, layout_for

_FAMILY = set(DEPLOYMENT_RULES)
_HOUR_US = 3_600_000_000


def with_stage(registry: Registry, key: str, stage: str) -> Registry:
    """``registry`` with version ``key`` moved to ``stage`` (a hypothetical promotion).

    The digest does not cover ``stage`` (SPEC §5), so approvals stay valid: the gate
    then asks exactly what the version needs to sit in ``stage``.
    """
    version = registry.version(key)
    if version is None:
        return registry
    model = registry.models[version.model_id]
    versions = tuple(replace(v, stage=stage) if v is version else v for v in model.versions)
    models = dict(registry.models)
    models[model.id] = replace(model, versions=versions)
    return replace(registry, models=models)


def judge_version(
    registry: Registry,
    history: History,
    key: str,
    stage: str,
    *,
    as_of: date,
    provenance: Mapping[str, VersionProvenance] | None,
    record_findings: Sequence[Finding] = (),
    moment: datetime | None = None,
    commit: str | None = None,
) -> Approval:
    """Whether ``key`` meets ``stage`` and every earlier stage in these records, as of a day.

    Blocking: the gate's errors about the version, every ``history-unavailable``
    error (provenance cannot be checked: fail closed), and a missing or broken
    policy. The deployment and traffic findings are not requirements of a stage and
    are left out.
    """
    version = registry.version(key)
    if registry.policy is None:
        policy_problems = tuple(
            f for f in record_findings if f.is_error and (f.file or "").endswith("policy.yaml")
        )
        return Approval(
            key, stage, moment, commit, False, policy_problems, known=version is not None
        )
    if version is None:
        return Approval(key, stage, moment, commit, False, known=False)
    if stage not in registry.policy.stages:
        return Approval(key, stage, moment, commit, False)
    report = evaluate(with_stage(registry, key, stage), history, as_of=as_of, provenance=provenance)
    reasons = tuple(
        f
        for f in report.findings
        if f.is_error
        and f.code not in _FAMILY
        and (f.subject == key or f.code == Code.HISTORY_UNAVAILABLE)
    )
    if not history.available and not any(f.code == Code.HISTORY_UNAVAILABLE for f in reasons):
        reasons += tuple(history.problems)
    assessment = report.versions.get(key)
    items = tuple(
        (s.stage, item)
        for s in (assessment.stages if assessment else ())
        if s.stage in registry.policy.stages_up_to(stage)
        for item in s.items
    )
    artifact = version.artifact.sha256.lower() if version.artifact else None
    return Approval(
        key,
        stage,
        moment,
        commit,
        not reasons and history.available,
        reasons,
        items,
        artifact,
    )


@dataclass
class PastGate:
    """The gate's verdict at past moments, from the first-parent line of HEAD.

    One ``git rev-list`` for the line; per distinct commit one tree read and one
    ``rev-list`` (cached); per distinct (commit, day, version, stage) one evaluation.
    """

    root: Path
    registry: Registry
    history: History
    revisions: ModelRevisions | None
    _line: list[tuple[int, str]] | None = None
    _trees: dict[
        str, tuple[Registry, History, dict[str, VersionProvenance] | None, tuple[Finding, ...]]
    ] = field(default_factory=dict)
    _verdicts: dict[tuple[str, date, str, str], Approval] = field(default_factory=dict)

    def commit_at(self, moment: datetime) -> str | None:
        """The newest first-parent commit of HEAD committed at or before ``moment``.

        A commit's time is the latest commit time of it and its first-parent
        ancestors (a backdated commit is taken at its parent's time).
        """
        if self._line is None:
            self._line = []
            if self.history.available and self.history.head:
                result = GitRunner(self.root).run(
                    ["rev-list", "--first-parent", "--timestamp", self.history.head]
                )
                if result.status == 0:
                    for line in result.stdout.decode().splitlines():
                        seconds, _, sha = line.partition(" ")
                        self._line.append((int(seconds), sha))
                # A commit cannot have existed before its parent: a backdated commit
                # counts from its parent's time, so backdating never makes a record
                # count earlier than the line shows it.
                newest = 0
                for index in range(len(self._line) - 1, -1, -1):
                    newest = max(newest, self._line[index][0])
                    self._line[index] = (newest, self._line[index][1])
        limit = moment.timestamp()
        for stamp, sha in self._line:
            if stamp <= limit:
                return sha
        return None

    def approval(self, key: str, stage: str, moment: datetime) -> Approval:
        """Whether ``key`` met ``stage`` at ``moment`` (see the module docstring)."""
        if not self.history.available:
            return Approval(key, stage, moment, None, False, tuple(self.history.problems))
        sha = self.commit_at(moment)
        if sha is None:
            return Approval(key, stage, moment, None, False, known=False)
        day = moment.astimezone(UTC).date()
        cache_key = (sha, day, key, stage)
        if cache_key not in self._verdicts:
            try:
                registry, history, provenance, findings = self._tree(sha)
            except HistoryError as problem:
                # Fails closed: what cannot be read cannot be shown to be approved.
                unreadable = error(
                    Code.HISTORY_UNAVAILABLE,
                    self.registry.records_dir,
                    f"The records at commit {sha[:10]} could not be read ({problem}).",
                )
                return Approval(key, stage, moment, sha, False, (unreadable,))
            self._verdicts[cache_key] = judge_version(
                registry,
                history,
                key,
                stage,
                as_of=day,
                provenance=provenance,
                record_findings=findings,
                moment=moment,
                commit=sha,
            )
        cached = self._verdicts[cache_key]
        return replace(cached, moment=moment)

    def _tree(
        self, sha: str
    ) -> tuple[Registry, History, dict[str, VersionProvenance] | None, tuple[Finding, ...]]:
        if sha not in self._trees:
            from .core import history_at
            from .history.blobs import read_tree_blobs

            blobs = read_tree_blobs(self.root, sha, self.registry.records_dir)
            loaded = load_registry_from_blobs(blobs, self.registry.records_dir)
            reachable = GitRunner(self.root).run(["rev-list", sha, "--"])
            history = history_at(self.history, sha, set(reachable.stdout.decode().split()))
            provenance = None
            if self.revisions is not None:
                model_ids = {m.location.file: m.id for m in loaded.registry.models.values()}
                provenance = derive_provenance(history, self.revisions, model_ids)
            self._trees[sha] = (loaded.registry, history, provenance, tuple(loaded.findings))
        return self._trees[sha]


def serving_state(
    deployments: Sequence[Deployment],
) -> tuple[dict[tuple[str, str, str], Deployment], set[str]]:
    """What serves each ``(environment, model, service)`` after the events, and which
    deployment records are that current state.

    Events in ``started`` order: ``deployed`` puts a version on top of its service's
    stack; ``rolled-back`` takes that version off (the one beneath serves again).
    """
    stacks: dict[tuple[str, str, str], list[Deployment]] = {}
    for event in sorted(deployments, key=lambda d: (d.started, d.id)):
        stack = stacks.setdefault((event.environment, event.model, event.service), [])
        if event.status == "deployed":
            stack[:] = [d for d in stack if d.version != event.version]
            stack.append(event)
        else:
            stack[:] = [d for d in stack if d.version != event.version]
    current = {slot: stack[-1] for slot, stack in stacks.items() if stack}
    return current, {d.id for d in current.values()}


def gather_production(
    root: Path,
    registry: Registry,
    history: History,
    revisions: ModelRevisions | None,
    *,
    as_of: date,
    provenance: Mapping[str, VersionProvenance] | None,
    record_findings: Sequence[Finding] = (),
    engine: str = "auto",
) -> ProductionFacts | None:
    """Judge every deployment at its moment and every hour of logged traffic; None
    when the records hold no deployment and the policy names no serving log."""
    policy = registry.policy
    environments = policy.environments if policy else {}
    has_logs = any(env.serving_logs for env in environments.values())
    if not registry.deployments and not has_logs:
        return None
    past = PastGate(root, registry, history, revisions)
    current_slots, current_ids = serving_state(registry.deployments)

    facts: list[DeploymentFact] = []
    for deployment in registry.deployments:
        environment = environments.get(deployment.environment)
        stage = environment.stage if environment else None
        approval = None
        if stage is not None and deployment.status == "deployed":
            approval = past.approval(deployment.key, stage, deployment.started)
        facts.append(DeploymentFact(deployment, stage, approval, deployment.id in current_ids))

    serving: dict[tuple[str, str, str], tuple[Deployment, Approval | None]] = {}
    for slot, deployment in sorted(current_slots.items()):
        environment = environments.get(deployment.environment)
        verdict = None
        if environment is not None:
            verdict = judge_version(
                registry,
                history,
                deployment.key,
                environment.stage,
                as_of=as_of,
                provenance=provenance,
                record_findings=record_findings,
            )
        serving[slot] = (deployment, verdict)

    windows: list[TrafficWindow] = []
    logs: list[LogSummary] = []
    for env_id, environment in sorted(environments.items()):
        if not environment.serving_logs:
            continue
        patterns = [
            (source.path, source.format, layout_for(source.preset, source.fields))
            for source in environment.serving_logs
        ]
        traffic = aggregate_paths(patterns, root, engine=engine)
        hourly: dict[str, list[tuple[datetime, int]]] = {}
        for (model, version, hour), bucket in sorted(traffic.buckets.items()):
            hourly.setdefault(f"{model}@{version}", []).append(
                (datetime.fromtimestamp(hour * 3600, UTC), bucket.requests)
            )
        logs.append(
            LogSummary(
                env_id,
                tuple(traffic.files),
                traffic.lines,
                traffic.requests,
                traffic.skipped,
                traffic.ignored,
                traffic.unreadable,
                tuple((p.file, p.line, p.message, p.fatal) for p in traffic.problems),
                {key: tuple(points) for key, points in hourly.items()},
            )
        )
        windows.extend(_windows(env_id, environment.stage, traffic, registry, past))
    return ProductionFacts(tuple(facts), tuple(windows), tuple(logs), serving)


def _windows(
    env_id: str, stage: str, traffic: TrafficLog, registry: Registry, past: PastGate
) -> list[TrafficWindow]:
    """Group each version's hours into windows of one state (approved, unapproved, undeployed)."""
    last_us = traffic.last_us
    first_deployed: dict[str, datetime] = {}
    for deployment in registry.deployments:
        if deployment.environment == env_id and deployment.status == "deployed":
            known = first_deployed.get(deployment.key)
            if known is None or deployment.started < known:
                first_deployed[deployment.key] = deployment.started
    per_version: dict[str, list[tuple[int, HourBucket]]] = {}
    for (model, version, hour), bucket in traffic.buckets.items():
        per_version.setdefault(f"{model}@{version}", []).append((hour, bucket))
    windows: list[TrafficWindow] = []
    for key in sorted(per_version):
        hours = sorted(per_version[key], key=lambda item: item[0])
        run: list[tuple[int, HourBucket, str | None, Approval | None]] = []
        for hour, bucket in hours:
            first, last = bucket.first, bucket.last
            deployed_at = first_deployed.get(key)
            if deployed_at is None or first < deployed_at:
                state: tuple[str | None, Approval | None] = ("undeployed", None)
            else:
                opening = past.approval(key, stage, first)
                closing = past.approval(key, stage, last)
                failing = opening if not opening.met else closing
                state = (None, opening) if failing.met else ("unapproved", failing)
            if run and (run[-1][2] != state[0] or hour != run[-1][0] + 1):
                windows.append(_window(env_id, key, run, last_us))
                run = []
            run.append((hour, bucket, state[0], state[1]))
        if run:
            windows.append(_window(env_id, key, run, last_us))
    return windows


def _window(
    env_id: str,
    key: str,
    run: list[tuple[int, HourBucket, str | None, Approval | None]],
    last_us: int | None,
) -> TrafficWindow:
    buckets = [item[1] for item in run]
    start = buckets[0].first
    end = buckets[-1].last
    requests = sum(b.requests for b in buckets)
    current = last_us is not None and buckets[-1].last_us // _HOUR_US == last_us // _HOUR_US
    approval = next((item[3] for item in run if item[3] is not None), None)
    return TrafficWindow(env_id, key, start, end, requests, run[0][2], approval, current)


def deployments_of(registry: Registry, key: str) -> list[Deployment]:
    """Every deployment event of version ``key`` (``model@version``), oldest first.

    For the model document (issue 17) and any page listing where a version ran.
    """
    return [d for d in registry.deployments if d.key == key]
