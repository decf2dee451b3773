"""Real repositories for the deployment gate and the production rules.

Built on [`tests.scenario`][tests.scenario]: the SPEC's policy plus deployment
environments (``prod-eu`` and ``prod-us`` need production, ``staging-eu`` staging) and a
``release-manager`` role allowed to deploy by hand. ``approved_production`` builds a
credit-risk@2.1 that meets production with its sign-offs dated a few days before
*today*, because ``allow`` judges today (a fixed story date would expire).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

from tests.scenario import MODEL_FILE, RECORDS, Scenario, model_yaml, people_yaml, policy_yaml

ENVIRONMENTS = """\
environments:
  prod-eu: production
  prod-us:
    stage: production
  staging-eu: staging
"""
DEFAULT_SHA = "ab" * 32
ARTIFACT_BYTES = b"credit-risk 2.1 model weights\n"
ARTIFACT_SHA = hashlib.sha256(ARTIFACT_BYTES).hexdigest()


DEPLOY = ("Deploy pipeline", "deploy@bank.example")


def deploy_policy(serving_logs: str | None = None, **rules: object) -> str:
    """The scenario policy with environments and ``deploy_roles: [release-manager]``.

    ``serving_logs`` is the YAML list (one line, flow style) of prod-eu's logs.
    """
    text = policy_yaml(**rules) + "  deploy_roles: [release-manager]\n" + ENVIRONMENTS
    if serving_logs:
        text = text.replace(
            "  prod-eu: production\n",
            f"  prod-eu:\n    stage: production\n    serving_logs: {serving_logs}\n",
        )
    return text


def deploy_people() -> str:
    """The scenario people (Alice also holds release-manager) and a deploy pipeline."""
    text = people_yaml(roles={"alice": ("product-owner", "release-manager")})
    return text + f"  - id: deploy\n    name: {DEPLOY[0]}\n    emails: [{DEPLOY[1]}]\n"


def ago(days: int, today: date | None = None) -> str:
    """The ISO date ``days`` before today."""
    return ((today or date.today()) - timedelta(days=days)).isoformat()


def approved_production(
    path: Path, *, today: date | None = None, serving_logs: str | None = None
) -> Scenario:
    """credit-risk@2.1 in production with every requirement met as of ``today``.

    Its artifact is ``ARTIFACT_BYTES`` (sha256 ``ARTIFACT_SHA``), written to
    ``artifacts/model.pkl`` (untracked files outside the records do not matter).
    """
    scenario = Scenario.create(
        path, stage="staging", policy=deploy_policy(serving_logs), people=deploy_people()
    )
    scenario.commit_as(
        "bob",
        "Record the artifact hash of credit-risk 2.1",
        {MODEL_FILE: model_yaml("staging").replace(DEFAULT_SHA, ARTIFACT_SHA)},
        ago(30, today),
    )
    scenario.verification("data-validation", day=ago(25, today))
    scenario.signoff("lena", "ml-lead", "staging", day=ago(24, today))
    scenario.verification("fairness-audit", day=ago(20, today))
    scenario.signoff("mira", "model-risk", day=ago(18, today))
    scenario.signoff("pia", "product-owner", day=ago(17, today))
    scenario.commit_as(
        "lena",
        "Promote credit-risk 2.1 to production",
        {MODEL_FILE: model_yaml("production").replace(DEFAULT_SHA, ARTIFACT_SHA)},
        ago(16, today),
    )
    scenario.repo.write("artifacts/model.pkl", ARTIFACT_BYTES)
    return scenario


def deployment_yaml(
    version: str = "2.1",
    *,
    environment: str = "prod-eu",
    started: str,
    by: str = "pipeline:deploy",
    sha: str = ARTIFACT_SHA,
    status: str = "deployed",
    service: str = "credit-risk-api",
) -> str:
    """A deployment record of credit-risk@``version``."""
    return (
        f'environment: {environment}\nmodel: credit-risk\nversion: "{version}"\n'
        f"artifact_sha256: {sha}\nstarted: {started}\nby: {by}\nservice: {service}\n"
        f"status: {status}\n"
    )


def commit_deployment(
    scenario: Scenario, name: str, *, committer: tuple[str, str] = DEPLOY, **fields: str
) -> str:
    """Write ``deployments/<name>.yaml`` and commit it (as the deploy pipeline) just after
    its ``started`` moment. Returns the record's repository-relative path."""
    path = f"{RECORDS}/deployments/{name}.yaml"
    started = fields["started"]
    scenario.repo.commit(
        f"Deploy {name}",
        files={path: deployment_yaml(**fields)},  # type: ignore[arg-type]
        author=committer,
        date=started.replace("Z", "+00:00").replace(":00+", ":05+", 1),
        paths=[path],
    )
    return path


__all__ = [
    "ARTIFACT_BYTES",
    "ARTIFACT_SHA",
    "MODEL_FILE",
    "RECORDS",
    "ago",
    "approved_production",
    "commit_deployment",
    "deploy_people",
    "deploy_policy",
]
