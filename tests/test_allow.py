"""`mkdocs-governance allow`: the deployment gate, on real repositories, through the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mkdocs_governance.cli import main
from tests.deploy_scenario import ARTIFACT_SHA, RECORDS, ago, approved_production
from tests.gitrepo import isolated_git_env
from tests.scenario import Scenario

KEY = "credit-risk@2.1"


@pytest.fixture(scope="module")
def approved_repo(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return approved_production(tmp_path_factory.mktemp("allow") / "repo")


@pytest.fixture
def approved(approved_repo: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    scenario = approved_repo.copy(tmp_path / "repo")
    monkeypatch.chdir(scenario.path)
    return scenario


def allow(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["allow", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_approved_version_is_allowed_with_its_artifact(approved, capsys):
    code, out, _ = allow(capsys, KEY, "--stage", "production", "--artifact", "artifacts/model.pkl")
    assert code == 0, out
    assert out.startswith(f"ALLOWED: {KEY} may be deployed")
    assert "Approved by Mira Risk" in out and "Approved by Pia Product" in out


def test_environment_maps_to_its_stage(approved, capsys):
    code, out, _ = allow(capsys, KEY, "--environment", "prod-us", "--format", "json")
    verdict = json.loads(out)
    assert code == 0 and verdict["allowed"] is True
    assert verdict["stage"] == "production" and verdict["environment"] == "prod-us"


def test_unapproved_version_is_refused_with_the_missing_signoff(tmp_path, monkeypatch, capsys):
    scenario = Scenario.create(tmp_path / "repo", stage="staging")
    monkeypatch.chdir(scenario.path)
    scenario.verification("data-validation", day=ago(5))
    scenario.signoff("lena", "ml-lead", "staging", day=ago(4))
    assert allow(capsys, KEY, "--stage", "staging")[0] == 0
    code, out, _ = allow(capsys, KEY, "--stage", "production")
    assert code == 1
    assert out.startswith(f"REFUSED: {KEY} may not be deployed (stage production)")
    assert "missing-signoff" in out and "missing-check" in out
    assert "fairness-audit" in out


def test_stale_approvals_are_refused(approved, capsys):
    approved.commit_as(
        "bob",
        "Retrain: new metrics",
        {
            "governance_records/models/credit-risk.yaml": (
                approved.path / "governance_records/models/credit-risk.yaml"
            )
            .read_text()
            .replace("auc: 0.84", "auc: 0.86")
        },
        ago(2),
    )
    code, out, _ = allow(capsys, KEY, "--stage", "production")
    assert code == 1
    assert "stale-signoff" in out and "stale-check" in out


def test_wrong_artifact_is_refused_even_when_the_version_is_approved(approved, capsys):
    (approved.path / "other.pkl").write_bytes(b"something else\n")
    code, out, _ = allow(capsys, KEY, "--stage", "production", "--artifact", "other.pkl")
    assert code == 1
    assert "artifact-mismatch" in out and ARTIFACT_SHA in out
    code, out, _ = allow(capsys, KEY, "--stage", "production", "--artifact-sha256", "0" * 64)
    assert code == 1 and "artifact-mismatch" in out


def test_unreadable_artifact_fails_closed(approved, capsys):
    code, out, _ = allow(capsys, KEY, "--stage", "production", "--artifact", "missing.pkl")
    assert code == 1 and "cannot be read" in out


def test_shallow_clone_is_refused_with_the_fix(approved, tmp_path, monkeypatch, capsys):
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{approved.path}", str(clone)],
        check=True,
        env=isolated_git_env(),
    )
    monkeypatch.chdir(clone)
    code, out, _ = allow(capsys, KEY, "--stage", "production")
    assert code == 1
    assert "history-unavailable" in out and "shallow" in out
    assert "fetch-depth: 0" in out


def test_no_git_history_is_refused(approved, tmp_path, monkeypatch, capsys):
    plain = tmp_path / "plain"
    shutil.copytree(approved.path / RECORDS, plain / RECORDS)
    monkeypatch.chdir(plain)
    code, out, _ = allow(capsys, KEY, "--stage", "production")
    assert code == 1 and "history-unavailable" in out


def test_unreadable_policy_is_refused(approved, capsys):
    (approved.path / RECORDS / "policy.yaml").write_text("stages: [unclosed\n")
    code, out, _ = allow(capsys, KEY, "--stage", "production")
    assert code == 1
    assert "policy.yaml cannot be read" in out and "governance_records/policy.yaml:" in out


def test_unknown_version_and_environment_are_refused(approved, capsys):
    code, out, _ = allow(capsys, "credit-risk@9.9", "--stage", "production")
    assert code == 1 and "no model version `credit-risk@9.9`" in out
    code, out, _ = allow(capsys, KEY, "--environment", "prod-mars")
    assert code == 1 and "prod-mars" in out and "prod-eu" in out


def test_usage_problems_exit_2(approved, capsys):
    assert allow(capsys, "credit-risk", "--stage", "production")[0] == 2
    assert allow(capsys, KEY)[0] == 2  # neither --stage nor --environment
    assert allow(capsys, KEY, "--stage", "production", "--environment", "prod-eu")[0] == 2
    code, _, err = allow(capsys, KEY, "--stage", "production", "--artifact-sha256", "xyz")
    assert code == 2 and "64 hex digits" in err


def test_gate_off_in_mkdocs_yml_does_not_soften_allow(tmp_path, monkeypatch, capsys):
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    (scenario.path / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - governance:\n      gate: off\n      as_of: 2020-01-01\n"
    )
    monkeypatch.chdir(scenario.path)
    code, out, _ = allow(capsys, KEY, "--stage", "production")
    assert code == 1 and "missing-signoff" in out


def test_an_uncommitted_or_forged_signoff_does_not_open_the_gate(tmp_path, monkeypatch, capsys):
    """The person the gate judges writes the missing approvals themselves: refused."""
    scenario = Scenario.create(tmp_path / "repo", stage="staging")
    monkeypatch.chdir(scenario.path)
    scenario.verification("data-validation", day=ago(5))
    scenario.signoff("lena", "ml-lead", "staging", day=ago(4), committed_by="bob")
    code, out, _ = allow(capsys, KEY, "--stage", "staging")
    assert code == 1 and "unverified-signoff" in out
    scenario.signoff("lena", "ml-lead", "staging", day=ago(3), name="second", commit=False)
    code, out, _ = allow(capsys, KEY, "--stage", "staging")
    assert code == 1 and "unverified-signoff" in out
