"""Deployment records and served traffic judged at their moments, on real repositories."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mkdocs_governance.core import GovernanceRun, run_governance
from mkdocs_governance.findings import Finding
from tests.deploy_scenario import (
    RECORDS,
    approved_production,
    commit_deployment,
    deploy_people,
    deploy_policy,
)
from tests.scenario import Scenario, identity

TODAY = date(2026, 3, 1)
LOG = "serving_logs/prod-eu/requests.jsonl"


def generated_log(path: Path, hours: list[tuple[str, str, int]], *, seed: int = 7) -> int:
    """Write a JSON-lines request log: for each (hour start, version, requests), that many
    requests of credit-risk@version at seeded random seconds within the hour, time-ordered.
    Returns the number of lines written."""
    rng = random.Random(seed)
    lines = []
    for start, version, count in hours:
        base = datetime.fromisoformat(start.replace("Z", "+00:00"))
        for _ in range(count):
            moment = base + timedelta(seconds=rng.randrange(60, 3540))
            lines.append(
                (
                    moment,
                    json.dumps(
                        {
                            "timestamp": moment.isoformat().replace("+00:00", "Z"),
                            "model": "credit-risk",
                            "version": version,
                            "latency_ms": round(rng.random() * 40, 2),
                        }
                    ),
                )
            )
    lines.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(text + "\n" for _, text in lines))
    return len(lines)


def run(scenario: Scenario) -> GovernanceRun:
    return run_governance(scenario.path / RECORDS, repo_root=scenario.path, as_of=TODAY)


def found(run_: GovernanceRun, code: str) -> list[Finding]:
    return [f for f in run_.report.findings if f.code == code]


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Production approved on 2026-02-12 (model-risk 02-11, product-owner 02-12).

    - prod-eu got 2.1 on 02-08 12:00, before its production approvals: unapproved;
      the pipeline redeployed it on 02-14 09:00, approved;
    - the log shows 2.1 serving prod-eu from 02-08 12:00 to 15:59 (unapproved), and
      on 02-14 09:00-11:59 (approved); and 2.0 on 02-14 11:00 with no deployment record.
    """
    scenario = approved_production(
        tmp_path_factory.mktemp("prod") / "repo",
        today=TODAY,
        serving_logs=f"[{{path: {LOG}}}]",
    )
    commit_deployment(scenario, "prod-eu/early", started="2026-02-08T12:00:00Z")
    commit_deployment(scenario, "prod-eu/redeploy", started="2026-02-14T09:00:00Z")
    generated_log(
        scenario.path / LOG,
        [
            ("2026-02-08T12:00:00Z", "2.1", 40),
            ("2026-02-08T13:00:00Z", "2.1", 35),
            ("2026-02-08T14:00:00Z", "2.1", 30),
            ("2026-02-08T15:00:00Z", "2.1", 25),
            ("2026-02-14T09:00:00Z", "2.1", 50),
            ("2026-02-14T10:00:00Z", "2.1", 50),
            ("2026-02-14T11:00:00Z", "2.1", 50),
            ("2026-02-14T11:00:00Z", "2.0", 7),
        ],
    )
    scenario.repo.commit("Serving log", author=identity("alice"), date="2026-02-15T08:00:00+00:00")
    return scenario


def test_unapproved_deployment_is_found_at_its_moment(incident):
    result = run(incident)
    (finding,) = found(result, "unapproved-deployment")
    assert finding.file == f"{RECORDS}/deployments/prod-eu/early.yaml"
    assert "at 2026-02-08 12:00 UTC" in finding.message
    assert "missing-signoff" in finding.message
    # Superseded by the approved redeploy: a past incident, shown but not failing.
    assert not finding.is_error
    facts = result.production
    assert facts is not None
    redeploy = next(f for f in facts.deployments if f.deployment.id.endswith("redeploy.yaml"))
    assert redeploy.current and redeploy.approval is not None and redeploy.approval.met


def test_traffic_window_of_the_unapproved_version_is_found_with_its_times(incident):
    result = run(incident)
    (finding,) = found(result, "unapproved-traffic")
    assert finding.subject == "credit-risk@2.1"
    assert "130 requests to prod-eu were served by credit-risk@2.1" in finding.message
    assert "from 2026-02-08 12:" in finding.message and "to 2026-02-08 15:" in finding.message
    assert not finding.is_error  # it ended before the end of the log
    facts = result.production
    assert facts is not None
    window = next(w for w in facts.windows if w.problem == "unapproved")
    assert window.start >= datetime(2026, 2, 8, 12, tzinfo=UTC)
    assert window.end < datetime(2026, 2, 8, 16, tzinfo=UTC)
    approved = [w for w in facts.windows if w.key == "credit-risk@2.1" and w.problem is None]
    assert [w.requests for w in approved] == [150]


def test_traffic_of_a_version_without_deployment_record_fails_while_it_lasts(incident):
    result = run(incident)
    (finding,) = found(result, "undeployed-traffic")
    assert finding.subject == "credit-risk@2.0"
    assert "7 requests" in finding.message and "2026-02-14 11:" in finding.message
    assert finding.is_error  # it reaches the end of the log


def test_current_unapproved_deployment_is_an_error(tmp_path):
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    commit_deployment(
        scenario, "prod-us/now", environment="prod-us", started="2026-02-09T08:00:00Z"
    )
    (finding,) = found(run(scenario), "unapproved-deployment")
    assert finding.is_error and "still the version serving" in finding.message


def test_rollback_ends_the_deployment(tmp_path):
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    commit_deployment(
        scenario, "prod-us/now", environment="prod-us", started="2026-02-09T08:00:00Z"
    )
    commit_deployment(
        scenario,
        "prod-us/back",
        environment="prod-us",
        started="2026-02-09T09:00:00Z",
        status="rolled-back",
    )
    (finding,) = found(run(scenario), "unapproved-deployment")
    assert not finding.is_error and "no longer serves" in finding.message


def test_deployed_artifact_differing_from_the_approved_one(tmp_path):
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    commit_deployment(scenario, "prod-eu/x", started="2026-02-20T08:00:00Z", sha="0" * 64)
    result = run(scenario)
    (finding,) = found(result, "artifact-mismatch")
    assert finding.is_error and "0" * 64 in finding.message
    assert not found(result, "unapproved-deployment")


def test_deployment_by_someone_not_allowed_to_deploy(tmp_path):
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    commit_deployment(
        scenario,
        "prod-eu/bob",
        started="2026-02-20T08:00:00Z",
        by="bob",
        committer=identity("bob"),
    )
    (finding,) = found(run(scenario), "unauthorized-deployer")
    assert "holds none of the roles allowed to deploy (release-manager)" in finding.message
    assert finding.is_error


def test_release_manager_may_deploy_by_hand(tmp_path):
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    commit_deployment(
        scenario,
        "prod-eu/alice",
        started="2026-02-20T08:00:00Z",
        by="alice",
        committer=identity("alice"),
    )
    result = run(scenario)
    assert not [f for f in result.report.findings if f.is_error]


def test_record_naming_the_pipeline_but_committed_by_a_person_is_flagged(tmp_path):
    """Bob writes a deployment record that claims the pipeline deployed: caught by provenance."""
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    commit_deployment(
        scenario, "prod-eu/forged", started="2026-02-20T08:00:00Z", committer=identity("bob")
    )
    (finding,) = found(run(scenario), "unauthorized-deployer")
    assert "committed with the identity of who deployed" in finding.message


def test_malformed_log_lines_are_reported_with_line_numbers_and_counted(tmp_path):
    scenario = approved_production(
        tmp_path / "repo", today=TODAY, serving_logs=f"[{{path: {LOG}}}]"
    )
    commit_deployment(scenario, "prod-eu/d", started="2026-02-14T09:00:00Z")
    log = scenario.path / LOG
    generated_log(log, [("2026-02-14T09:00:00Z", "2.1", 20)])
    lines = log.read_text().splitlines()
    lines.insert(3, "not json at all")
    lines.insert(
        10, '{"timestamp": "2026-02-14T09:30:00", "model": "credit-risk", "version": "2.1"}'
    )
    lines.insert(15, '{"timestamp": "2026-02-14T09:31:00Z", "model": "credit-risk"}')
    log.write_text("\n".join(lines) + "\n")
    result = run(scenario)
    problems = found(result, "invalid-serving-log")
    by_line = {f.line: f.message for f in problems if f.line}
    assert "is not JSON" in by_line[4]
    assert "no UTC offset" in by_line[11]
    assert "no `version`" in by_line[16]
    (count,) = [f for f in problems if f.line is None]
    assert "3 of 23 lines" in count.message
    assert all(not f.is_error for f in problems)
    assert result.production is not None
    assert result.production.logs[0].requests == 20


def test_missing_log_fails_closed(tmp_path):
    scenario = approved_production(
        tmp_path / "repo", today=TODAY, serving_logs="[{path: serving_logs/none/*.jsonl}]"
    )
    (finding,) = found(run(scenario), "invalid-serving-log")
    assert finding.is_error and "no log file matches" in finding.message


def test_backdated_signoff_committed_after_the_deployment_does_not_approve_it(tmp_path):
    """The deployer adds the missing approval after deploying, with a commit dated before."""
    scenario = Scenario.create(
        tmp_path / "repo", stage="staging", policy=deploy_policy(), people=deploy_people()
    )
    scenario.verification("data-validation", day="2026-02-04")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-02-05")
    scenario.verification("fairness-audit", day="2026-02-09")
    scenario.signoff("mira", "model-risk", day="2026-02-11")
    commit_deployment(
        scenario, "prod-us/d", environment="prod-us", started="2026-02-13T10:00:00Z", sha="ab" * 32
    )
    scenario.signoff("pia", "product-owner", day="2026-02-12")  # committed 2026-02-12, after
    scenario.edit_model(author="lena", day="2026-02-14", stage="production")
    result = run(scenario)
    assert not [
        f for f in result.report.findings if f.is_error and f.code != "unapproved-deployment"
    ]
    (finding,) = found(result, "unapproved-deployment")
    assert "missing-signoff" in finding.message and finding.is_error
