"""The production pages: what serves where, deployments judged at their moments, traffic.

``governance/production/index.md``: per environment, what is serving now (with today's
verdict) and a timeline of deployments with the approval state at each moment (who
approved, which requirements then held); per model, requests per version over time as
a plot (from the serving logs' hourly aggregates); the serving logs read and their
problems. [`production_line`][mkdocs_governance.site.production.production_line] is the
dashboard's first line: whether production serves only approved versions.

Everything comes from [`ProductionFacts`][mkdocs_governance.policy.deployments.ProductionFacts]
on the run; nothing here reads Git or the logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..findings import Code
from ..policy.deployments import Approval, ProductionFacts
from . import safety
from .plots import PlotSpec, Series

if TYPE_CHECKING:
    from .render import _Context

PRODUCTION_PAGE = ("production", "index.md")
_CURRENT_ERRORS = {
    Code.UNAPPROVED_DEPLOYMENT,
    Code.ARTIFACT_MISMATCH,
    Code.UNAUTHORIZED_DEPLOYER,
    Code.UNAPPROVED_TRAFFIC,
    Code.UNDEPLOYED_TRAFFIC,
}


@dataclass(frozen=True, slots=True)
class ServingVerdict:
    """Whether the last-stage environments serve only approved versions, and why not."""

    known: bool  # False: no environment needs the last stage, or nothing is deployed there
    approved: bool
    services: int
    environments: tuple[str, ...]
    problems: tuple[str, ...]


def serving_verdict(run: Any) -> ServingVerdict:
    """Judge what serves the environments that require the policy's last stage, now."""
    facts: ProductionFacts | None = getattr(run, "production", None)
    policy = run.registry.policy
    if policy is None or not policy.stages:
        return ServingVerdict(False, False, 0, (), ())
    last = policy.stages[-1]
    envs = tuple(sorted(e for e, env in policy.environments.items() if env.stage == last))
    if facts is None or not envs:
        return ServingVerdict(False, False, 0, envs, ())
    problems: list[str] = []
    services = 0
    for (env_id, _model, service), (deployment, verdict) in sorted(facts.serving.items()):
        if env_id not in envs:
            continue
        services += 1
        where = f"{deployment.key} in {env_id} ({service})"
        if verdict is None or not verdict.met:
            problems.append(f"{where}: {verdict.summary() if verdict else 'not judged'}")
        elif verdict.artifact_sha256 != deployment.artifact_sha256:
            problems.append(f"{where}: runs an artifact other than the approved one")
    for finding in run.report.findings:
        if finding.is_error and finding.code in _CURRENT_ERRORS:
            text = f"{finding.subject}: {finding.code}"
            if text not in problems and not any(p.startswith(finding.subject) for p in problems):
                problems.append(text)
    known = services > 0 or bool(problems)
    return ServingVerdict(known, not problems, services, envs, tuple(problems))


def production_line(ctx: _Context, link: Any) -> Markup:
    """The dashboard's first line: does production serve only approved versions?"""
    verdict = serving_verdict(ctx.run)
    page = link.page("/".join((ctx.options.prefix.strip("/"), *PRODUCTION_PAGE)), "Production")
    if not verdict.environments:
        return Markup("")
    where = ", ".join(verdict.environments)
    if not verdict.known:
        return Markup(
            f"**Production:** no deployment is recorded in {safety.escape_text(where)}. {page}.\n"
        )
    if verdict.approved:
        return Markup(
            f"**✅ Production serves only approved versions**: {verdict.services} service"
            f"{'s' if verdict.services != 1 else ''} in {safety.escape_text(where)}, each "
            f"serving a version that meets its stage today. {page}.\n"
        )
    first = safety.escape_text(verdict.problems[0])
    more = f" (and {len(verdict.problems) - 1} more)" if len(verdict.problems) > 1 else ""
    return Markup(f"**❌ Production serves unapproved versions**: {first}{more}. {page}.\n")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _approvals(approval: Approval | None) -> list[tuple[str, Any]]:
    return list(approval.items) if approval else []


def render_production(context: _Context) -> None:
    """Emit the production page (only when there are deployments or serving logs)."""
    from .render import NavEntry, _emit, _Linker, _page_path

    facts: ProductionFacts | None = getattr(context.run, "production", None)
    policy = context.registry.policy
    if facts is None or policy is None:
        return
    path = _page_path(context, *PRODUCTION_PAGE)
    link = _Linker(context, path)
    environments = []
    for env_id in sorted(policy.environments):
        environment = policy.environments[env_id]
        serving = [
            (slot, deployment, verdict)
            for slot, (deployment, verdict) in sorted(facts.serving.items())
            if slot[0] == env_id
        ]
        timeline = sorted(
            (f for f in facts.deployments if f.deployment.environment == env_id),
            key=lambda f: (f.deployment.started, f.deployment.id),
            reverse=True,
        )
        windows = [w for w in facts.windows if w.environment == env_id and w.problem]
        logs = [s for s in facts.logs if s.environment == env_id]
        environments.append((env_id, environment, serving, timeline, windows, logs))
    models = []
    for model_id in sorted(context.registry.models):
        series = []
        start: datetime | None = None
        points_by_key: dict[str, list[tuple[datetime, int]]] = {}
        for summary in facts.logs:
            for key, points in summary.hourly.items():
                if key.partition("@")[0] == model_id:
                    points_by_key.setdefault(key, []).extend(points)
        if not points_by_key:
            continue
        start = min(moment for pts in points_by_key.values() for moment, _ in pts)
        for key in sorted(points_by_key):
            hourly: dict[float, int] = {}
            for moment, count in points_by_key[key]:
                offset = (moment - start).total_seconds() / 3600
                hourly[offset] = hourly.get(offset, 0) + count
            series.append(
                Series(
                    key.partition("@")[2], tuple(sorted((x, float(y)) for x, y in hourly.items()))
                )
            )
        spec = PlotSpec(
            "line",
            f"Requests per hour by version: {model_id}",
            f"hours since {_when(start)}",
            "requests",
            tuple(series),
        )
        totals = {key: sum(c for _, c in pts) for key, pts in sorted(points_by_key.items())}
        models.append(
            (model_id, link.plot(spec, f"requests per hour of each version of {model_id}"), totals)
        )
    _emit(
        context,
        path,
        "production.md.j2",
        title="Production",
        affected=any(
            f.is_error and f.code in _CURRENT_ERRORS | {Code.INVALID_SERVING_LOG}
            for f in context.report.findings
        ),
        environments=environments,
        models=models,
        verdict=serving_verdict(context.run),
        when=_when,
        approvals=_approvals,
    )
    context.nav.append(NavEntry("Production", path))
