"""`record-deployment` (one record from a CD job) and `--import` of a JSON-lines export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mkdocs_governance.cli import main
from mkdocs_governance.core import run_governance
from tests.deploy_scenario import ARTIFACT_SHA, DEPLOY, RECORDS, approved_production
from tests.scenario import Scenario
from tests.test_production import TODAY


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    scenario = approved_production(tmp_path / "repo", today=TODAY)
    monkeypatch.chdir(scenario.path)
    return scenario


def test_record_deployment_writes_a_record_the_gate_accepts(repo, capsys):
    repo.repo.git("config", "user.email", DEPLOY[1])
    code = main(
        [
            "record-deployment",
            "credit-risk@2.1",
            "--environment",
            "prod-eu",
            "--service",
            "credit-risk-api",
            "--artifact",
            "artifacts/model.pkl",
            "--started",
            "2026-02-20T08:00:00Z",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    (record,) = (repo.path / RECORDS / "deployments" / "prod-eu").glob("*.yaml")
    text = record.read_text()
    assert 'by: "pipeline:deploy"' in text and f"artifact_sha256: {ARTIFACT_SHA}" in text
    assert "started: 2026-02-20T08:00:00Z" in text
    repo.repo.commit("Deploy", author=DEPLOY, date="2026-02-20T08:01:00+00:00")
    result = run_governance(repo.path / RECORDS, repo_root=repo.path, as_of=TODAY)
    assert result.report.passed, [f.format_line() for f in result.report.errors]
    assert result.registry.deployments[0].key == "credit-risk@2.1"


def test_record_deployment_refuses_an_unknown_environment_or_no_artifact(repo, capsys):
    args = ["record-deployment", "credit-risk@2.1", "--service", "api", "--by", "alice"]
    assert main([*args, "--environment", "prod-mars", "--artifact-sha256", "a" * 64]) == 2
    assert "prod-mars" in capsys.readouterr().err
    assert main([*args, "--environment", "prod-eu"]) == 2
    assert "--artifact" in capsys.readouterr().err


def test_import_maps_a_platform_export_and_reports_bad_lines_with_their_numbers(repo, capsys):
    events = repo.path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "env": "prod-eu",
                        "model_name": "credit-risk",
                        "model_version": "2.1",
                        "digest": f"sha256:{ARTIFACT_SHA}",
                        "timestamp": 1771574400000,
                        "deployed_by": "pipeline:deploy",
                        "endpoint_name": "credit-risk-api",
                        "action": "deploy",
                        "cluster": "eu-1",
                    }
                ),
                "{broken",
                json.dumps({"env": "prod-eu", "model_name": "credit-risk"}),
                "",
                json.dumps(
                    {
                        "environment": "prod-eu",
                        "model": "credit-risk",
                        "version": "2.1",
                        "sha256": ARTIFACT_SHA,
                        "time": "2026-02-21T10:00:00+01:00",
                        "by": "pipeline:deploy",
                        "service": "credit-risk-api",
                        "status": "rollback",
                    }
                ),
            ]
        )
        + "\n"
    )
    code = main(["record-deployment", "--import", str(events)])
    captured = capsys.readouterr()
    assert code == 1  # two lines could not be imported
    assert f"{events}:2: is not JSON" in captured.err
    assert (
        f"{events}:3: has no version" in captured.err and "has no artifact_sha256" in captured.err
    )
    assert "wrote 2 deployment record(s), skipped 2 line(s)" in captured.out
    written = sorted((repo.path / RECORDS / "deployments" / "prod-eu").glob("*.yaml"))
    assert len(written) == 2
    first, second = (p.read_text() for p in written)
    assert "started: 2026-02-20T08:00:00Z" in first and '"cluster": "eu-1"' in first
    assert "status: rolled-back" in second and "started: 2026-02-21T09:00:00Z" in second


def test_export_lists_deployments(repo, capsys):
    from tests.deploy_scenario import commit_deployment

    commit_deployment(repo, "prod-eu/d", started="2026-02-20T08:00:00Z")
    assert main(["export", "--output", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    (deployment,) = data["registry"]["deployments"]
    assert deployment["started"] == "2026-02-20T08:00:00+00:00"
    assert deployment["by"] == "pipeline:deploy" and deployment["environment"] == "prod-eu"
