"""A realistic pull request for the preview and CI-template tests, dated relative to today.

``upstream`` is the "remote": ``main`` holds a policy, people, a site config and
credit@1.0 in staging with Lee's ml-lead sign-off (each record committed by the person it
names). The branch ``promote`` is the pull request: it retrains the model (AUC 0.85 ->
0.87, which makes Lee's staging approval stale), promotes it to production and adds Mia's
model-risk sign-off for production, committed by Mia. Dates are days before today, so the
gate judges the same way whenever the suite runs (the templates judge today).
"""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

from tests.changes_scenario import (
    ADA,
    LEE,
    MIA,
    MODEL,
    PEOPLE,
    POLICY,
    PRODUCTION_SIGNOFF,
    RECORDS,
    STAGING_SIGNOFF,
    digest,
)
from tests.gitrepo import GitRepo

BRANCH = "promote"

MKDOCS_YML = """\
site_name: Credit models governance
repo_url: https://github.com/acme/credit-models
theme: mkdocs
markdown_extensions: [admonition, attr_list, md_in_html, tables]
plugins:
  - search
  - governance:
      records_dir: governance_records
      gate: !ENV [GOVERNANCE_GATE, fail]
      base_ref: !ENV [GOVERNANCE_BASE_REF, null]
"""


def day(days_ago: int) -> date:
    """The day ``days_ago`` days before today."""
    return date.today() - timedelta(days=days_ago)


def stamp(days_ago: int) -> str:
    """A commit date ``days_ago`` days before today, at 09:00 UTC."""
    return f"{day(days_ago).isoformat()}T09:00:00+00:00"


def model_yaml(stage: str, auc: float = 0.85) -> str:
    """The model record with version 1.0 in ``stage``."""
    return f"""\
id: credit
name: Credit scoring
owner: ada
description: Probability of default for personal loans.
risk_tier: medium
intended_use: Rank loan applications by default risk.
out_of_scope_use: Business lending.
limitations: Trained on five years of applications only.
ethical_considerations: No protected characteristics as inputs.
tags: [credit]
versions:
  - version: "1.0"
    created: {day(60).isoformat()}
    stage: {stage}
    author: ada
    metrics:
      auc: {auc}
    description: First version.
"""


def signoff_yaml(stage: str, approver: str, role: str, subject: str, days_ago: int) -> str:
    """An approval of credit@1.0 for ``stage``."""
    return f"""\
model: credit
version: "1.0"
stage: {stage}
approver: {approver}
role: {role}
decision: approved
date: {day(days_ago).isoformat()}
comment: Reviewed the validation report.
subject: {subject}
"""


def build_upstream(
    path: Path, *, with_production_signoff: bool = True, retrain: bool = True
) -> GitRepo:
    """The remote: ``main`` approved for staging, ``promote`` the pull request.

    ``retrain=False``: the pull request only promotes and signs off, so its gate passes.
    """
    repo = GitRepo(path)
    repo.commit(
        "Governance policy and people",
        files={f"{RECORDS}/policy.yaml": POLICY, f"{RECORDS}/people.yaml": PEOPLE},
        author=MIA,
        date=stamp(70),
    )
    repo.commit(
        "Site config",
        files={"mkdocs.yml": MKDOCS_YML, "docs/index.md": "# Credit models\n"},
        author=ADA,
        date=stamp(69),
    )
    repo.commit(
        "Add credit 1.0", files={MODEL: model_yaml("development")}, author=ADA, date=stamp(60)
    )
    repo.commit(
        "Promote credit 1.0 to staging",
        files={MODEL: model_yaml("staging")},
        author=ADA,
        date=stamp(50),
    )
    repo.commit(
        "Sign off credit 1.0 for staging",
        files={STAGING_SIGNOFF: signoff_yaml("staging", "lee", "ml-lead", digest(repo), 45)},
        author=LEE,
        date=stamp(45),
    )
    repo.git("checkout", "-q", "-b", BRANCH)
    repo.commit(
        "Retrain credit 1.0 and promote it to production"
        if retrain
        else "Promote credit 1.0 to production",
        files={MODEL: model_yaml("production", auc=0.87 if retrain else 0.85)},
        author=ADA,
        date=stamp(10),
    )
    if with_production_signoff:
        repo.commit(
            "Sign off credit 1.0 for production",
            files={
                PRODUCTION_SIGNOFF: signoff_yaml("production", "mia", "model-risk", digest(repo), 5)
            },
            author=MIA,
            date=stamp(5),
        )
    repo.git("checkout", "-q", "main")
    return repo


def clone_at(upstream: GitRepo, target: Path, ref: str = BRANCH) -> GitRepo:
    """What actions/checkout does with ``fetch-depth: 0``: every branch as origin/*, HEAD
    detached at the pull request's head commit."""
    work = GitRepo(target, init=False)
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", str(upstream.path), str(work.path)],
        env=work.env,
        check=True,
    )
    work.git("checkout", "-q", "--detach", upstream.git("rev-parse", ref).strip())
    return work
