"""The CD examples of docs/deployments.md, run for real: their shell against a real repository.

Each example's gate-and-deploy shell is taken from the page itself (GitHub Actions
steps, GitLab `script:`, the Argo CD PreSync Job's container args, the shell script) and
run with the real `mkdocs-governance` on PATH. The deployment command is the user's
own script; here ``deploy/deploy-model.sh`` only writes down that it ran. For an
approved version the job succeeds and deploys; for an unapproved one it stops before
deploying.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy_scenario import ARTIFACT_BYTES, approved_production, deploy_people, deploy_policy
from tests.gitrepo import isolated_git_env
from tests.scenario import Scenario

DOCS = Path(__file__).resolve().parent.parent / "docs" / "deployments.md"
KEY = "credit-risk@2.1"
DEPLOY_SCRIPT = '#!/bin/sh\necho "deployed $*" >> "$(dirname "$0")/../deployed.log"\n'


def example(name: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- cd-example: {name} -->\n```\w+\n(.*?)```", text, re.S)
    assert match, f"docs/deployments.md has no cd-example {name}"
    return match.group(1)


def prepare(scenario: Scenario) -> Path:
    """The checkout a CD job sees: the artifact, the user's deploy script, an origin."""
    path = scenario.path
    (path / "model.pkl").write_bytes(ARTIFACT_BYTES)
    script = path / "deploy" / "deploy-model.sh"
    script.parent.mkdir(exist_ok=True)
    script.write_text(DEPLOY_SCRIPT)
    script.chmod(0o755)
    origin = path.parent / "origin.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(path), str(origin)], check=True, env=scenario.repo.env
    )
    scenario.repo.git("remote", "add", "origin", str(origin))
    (path / ".git" / "info" / "exclude").write_text("model.pkl\ndeploy/\ndeployed.log\n")
    return path


def environment(scenario: Scenario, **extra: str) -> dict[str, str]:
    env = {**isolated_git_env(), **scenario.repo.env}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def deployed(path: Path) -> str:
    log = path / "deployed.log"
    return log.read_text() if log.exists() else ""


@pytest.fixture
def approved(tmp_path: Path) -> Scenario:
    scenario = approved_production(tmp_path / "repo")
    prepare(scenario)
    return scenario


@pytest.fixture
def unapproved(tmp_path: Path) -> Scenario:
    scenario = Scenario.create(
        tmp_path / "repo", stage="staging", policy=deploy_policy(), people=deploy_people()
    )
    prepare(scenario)
    return scenario


def run_github(scenario: Scenario) -> int:
    workflow = yaml.safe_load(example("github"))
    job = workflow["jobs"]["deploy"]
    assert job["environment"] == "prod-eu"
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    env = environment(
        scenario,
        MODEL_VERSION=KEY,
        GITHUB_SERVER_URL="https://github.example",
        GITHUB_REPOSITORY="larkspur/governance",
        GITHUB_RUN_ID="42",
    )
    for step in job["steps"]:
        if step.get("name") not in ("Deployment gate", "Deploy", "Record the deployment"):
            continue
        # GitHub's default shell for `run:` is `bash -e {0}`.
        result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=scenario.path, env=env)
        if result.returncode:
            return result.returncode
    return 0


def test_github_actions_example_deploys_an_approved_version_and_records_it(approved):
    assert run_github(approved) == 0
    assert f"deployed {KEY} prod-eu model.pkl" in deployed(approved.path)
    records = list((approved.path / "governance_records" / "deployments").rglob("*.yaml"))
    assert len(records) == 1 and 'by: "pipeline:deploy"' in records[0].read_text()
    pushed = approved.repo.git("log", "-1", "--format=%ae %s", "origin/main")
    assert pushed.strip() == f"ci-deploy@larkspur-lending.example Deploy {KEY} to prod-eu"


def test_github_actions_example_stops_before_deploying_an_unapproved_version(unapproved):
    assert run_github(unapproved) == 1
    assert deployed(unapproved.path) == ""


def run_gitlab(scenario: Scenario) -> int:
    job = yaml.safe_load(example("gitlab"))["deploy-prod-eu"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    env = environment(scenario, MODEL_VERSION=KEY, CI_ENVIRONMENT_NAME=job["environment"]["name"])
    for line in job["script"]:  # GitLab stops at the first failing line
        result = subprocess.run(["sh", "-c", line], cwd=scenario.path, env=env)
        if result.returncode:
            return result.returncode
    return 0


def test_gitlab_example_deploys_an_approved_version(approved):
    assert run_gitlab(approved) == 0
    assert f"deployed {KEY} prod-eu model.pkl" in deployed(approved.path)


def test_gitlab_example_stops_before_deploying_an_unapproved_version(unapproved):
    assert run_gitlab(unapproved) == 1
    assert deployed(unapproved.path) == ""


def run_argocd(scenario: Scenario, sha: str) -> int:
    job = yaml.safe_load(example("argocd"))
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
    container = job["spec"]["template"]["spec"]["containers"][0]
    env_values = {item["name"]: item["value"] for item in container["env"]}
    env_values.update(
        GOVERNANCE_REPO=f"file://{scenario.path.parent / 'origin.git'}",
        MODEL_VERSION=KEY,
        ARTIFACT_SHA256=sha,
    )
    env = environment(scenario, **env_values)
    command = [*container["command"], container["args"][0]]
    # mktemp -d in the hook: give it this test's own temporary folder.
    env["TMPDIR"] = str(scenario.path.parent)
    return subprocess.run(command, cwd=scenario.path.parent, env=env).returncode


def test_argocd_presync_hook_passes_for_the_approved_artifact(approved):
    from tests.deploy_scenario import ARTIFACT_SHA

    assert run_argocd(approved, ARTIFACT_SHA) == 0


def test_argocd_presync_hook_fails_the_sync_for_another_artifact(approved):
    assert run_argocd(approved, "0" * 64) == 1


def test_argocd_presync_hook_fails_for_an_unapproved_version(unapproved):
    assert run_argocd(unapproved, "ab" * 32) == 1


def run_shell(scenario: Scenario) -> int:
    script = scenario.path / "deploy.sh"
    script.write_text(example("shell"))
    scenario.repo.git("config", "user.email", "deploy@bank.example")
    env = environment(scenario)
    return subprocess.run(
        ["sh", str(script), KEY, "prod-eu", "model.pkl"], cwd=scenario.path, env=env
    ).returncode


def test_shell_script_example_deploys_and_records_an_approved_version(approved):
    assert run_shell(approved) == 0
    assert f"deployed {KEY} prod-eu model.pkl" in deployed(approved.path)
    (record,) = (approved.path / "governance_records" / "deployments").rglob("*.yaml")
    assert 'by: "pipeline:deploy"' in record.read_text()


def test_shell_script_example_stops_before_deploying_an_unapproved_version(unapproved):
    assert run_shell(unapproved) == 1
    assert deployed(unapproved.path) == ""
