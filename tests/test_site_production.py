"""The production pages and the dashboard's first line, rendered from a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.site import render_site
from tests.deploy_scenario import approved_production, commit_deployment
from tests.scenario import Scenario
from tests.test_production import LOG, TODAY, generated_log, run


def pages(scenario: Scenario) -> dict[str, str | bytes]:
    return {p.path: p.content for p in render_site(run(scenario))}


def first_line(dashboard: str) -> str:
    lines = [line for line in dashboard.splitlines() if line.strip()]
    return lines[1]  # after the heading


@pytest.fixture
def serving(tmp_path: Path) -> Scenario:
    scenario = approved_production(
        tmp_path / "repo", today=TODAY, serving_logs=f"[{{path: {LOG}}}]"
    )
    commit_deployment(scenario, "prod-eu/early", started="2026-02-08T12:00:00Z")
    commit_deployment(scenario, "prod-eu/redeploy", started="2026-02-14T09:00:00Z")
    generated_log(
        scenario.path / LOG,
        [
            ("2026-02-08T12:00:00Z", "2.1", 40),
            ("2026-02-14T09:00:00Z", "2.1", 50),
            ("2026-02-14T10:00:00Z", "2.1", 45),
        ],
    )
    return scenario


def test_dashboard_first_line_says_production_serves_only_approved_versions(serving):
    site = pages(serving)
    line = first_line(str(site["governance/index.md"]))
    assert line.startswith("**✅ Production serves only approved versions**")
    assert "1 service in prod\\-eu, prod\\-us" in line


def test_dashboard_first_line_names_an_unapproved_version_serving_now(tmp_path):
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    commit_deployment(
        scenario, "prod-us/now", environment="prod-us", started="2026-02-09T08:00:00Z"
    )
    line = first_line(str(pages(scenario)["governance/index.md"]))
    assert line.startswith("**❌ Production serves unapproved versions**")
    # Approved today, but deployed before it was: the deployment that serves was never gated.
    assert "credit\\-risk@2\\.1: unapproved\\-deployment" in line


def test_production_page_shows_serving_now_and_the_approval_state_at_each_deployment(serving):
    page = str(pages(serving)["governance/production/index.md"])
    now = page.split("### Serving now", 1)[1].split("### Deployment timeline", 1)[0]
    assert "credit\\-risk\\-api" in now and 'gov-met">approved' in now
    timeline = page.split("### Deployment timeline", 1)[1].split("###", 1)[0]
    rows = [r for r in timeline.splitlines() if r.startswith("| 2026")]
    assert rows[0].startswith("| 2026\\-02\\-14 09:00 UTC") and "deployed (serving)" in rows[0]
    assert "Approved by Mira Risk on 2026\\-02\\-11" in rows[0]
    assert rows[1].startswith("| 2026\\-02\\-08 12:00 UTC") and "not approved" in rows[1]
    assert "no valid approval" in rows[1] or "Mira" not in rows[1]
    assert "| 2026\\-02\\-08 12:" in page.split("### Traffic outside approval", 1)[1]


def test_requests_per_version_are_plotted_per_model(serving):
    site = pages(serving)
    page = str(site["governance/production/index.md"])
    section = page.split("## Requests per version", 1)[1]
    assert "credit\\-risk@2\\.1: 135 requests" in section
    (plot,) = [
        p
        for p in site
        if p.startswith("governance/assets/plots/")
        and p[-4:] == ".svg"
        and p.split("/")[-1][:-4] in section
    ]
    assert b"<svg" in bytes(site[plot])


def test_audit_trail_lists_deployments(serving):
    # audit.md is an index of months (issue 12): the deployments' commits are on 2026-02's page.
    site = pages(serving)
    assert "audit/2026-02.md" in str(site["governance/audit.md"])
    audit = str(site["governance/audit/2026-02.md"])
    assert "deployment credit\\-risk@2\\.1 deployed prod\\-eu" in audit


def test_the_example_serves_only_approved_versions_in_production():
    """The project's own example: four deployments by the pipeline, a 72-hour log."""
    from datetime import date

    from mkdocs_governance.core import run_governance

    root = Path(__file__).resolve().parent.parent
    result = run_governance(root / "governance_records", repo_root=root, as_of=date(2026, 11, 26))
    facts = result.production
    assert facts is not None and len(facts.deployments) == 4
    assert all(f.approval is not None and f.approval.met for f in facts.deployments)
    assert all(f.deployment.by == "pipeline:deploy" for f in facts.deployments)
    assert not [w for w in facts.windows if w.problem]
    (log,) = facts.logs
    assert log.requests > 1000 and log.skipped == 0
    site = {p.path: p.content for p in render_site(result)}
    assert first_line(str(site["governance/index.md"])).startswith(
        "**✅ Production serves only approved versions**: 3 services in prod\\-eu"
    )
