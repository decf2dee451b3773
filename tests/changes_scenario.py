"""A small real governance repository for pull-request (base vs head) scenarios.

``main`` holds a policy, people, a model whose version 1.0 is in staging with its
ml-lead sign-off, each committed by the person it names; a branch ``pr`` is checked out
from it, ready for the change under test. Used by tests/test_changes_repo.py and
tests/test_serve.py.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_governance.records import load_registry, version_digest
from tests.gitrepo import GitRepo

RECORDS = "governance_records"
MODEL = f"{RECORDS}/models/credit.yaml"
STAGING_SIGNOFF = f"{RECORDS}/signoffs/credit/1.0/staging-ml-lead-lee.yaml"
PRODUCTION_SIGNOFF = f"{RECORDS}/signoffs/credit/1.0/production-model-risk-mia.yaml"

ADA = ("Ada Author", "ada@bank.test")
LEE = ("Lee Lead", "lee@bank.test")
MIA = ("Mia Risk", "mia@bank.test")
PAT = ("Pat Product", "pat@bank.test")

POLICY = """\
stages: [development, staging, production]
checks:
  performance: {title: Holdout AUC >= 0.80, metric: auc, min: 0.80}
requirements:
  staging:
    checks: [performance]
    signoffs: [{role: ml-lead, count: 1}]
  production:
    signoffs: [{role: model-risk, count: 1}]
rules:
  separation_of_duties: true
  distinct_approvers: true
  signoff_author_must_match: true
  signoff_max_age_days: 365
  review_interval_days: 365
  waiver_roles: [model-risk]
"""

PEOPLE = """\
people:
  - id: ada
    name: Ada Author
    emails: [ada@bank.test]
    roles: [data-scientist]
  - id: lee
    name: Lee Lead
    emails: [lee@bank.test]
    roles: [ml-lead]
  - id: mia
    name: Mia Risk
    emails: [mia@bank.test]
    roles: [model-risk]
  - id: pat
    name: Pat Product
    emails: [pat@bank.test]
    roles: [product-owner]
"""


def model_yaml(stage: str = "staging", auc: float = 0.85, name: str = "Credit scoring") -> str:
    """The model record with version 1.0 in ``stage`` and holdout ``auc``."""
    return f"""\
id: credit
name: {name}
owner: ada
description: Probability of default for personal loans.
risk_tier: medium
intended_use: Rank loan applications by default risk.
out_of_scope_use: Business lending.
limitations: Trained on 2019-2024 applications only.
ethical_considerations: No protected characteristics as inputs.
tags: [credit]
versions:
  - version: "1.0"
    created: 2026-01-10
    stage: {stage}
    author: ada
    metrics:
      auc: {auc}
    description: First version.
"""


def signoff_yaml(
    stage: str, approver: str, role: str, subject: str, decision: str = "approved"
) -> str:
    """A sign-off record of credit@1.0."""
    return f"""\
model: credit
version: "1.0"
stage: {stage}
approver: {approver}
role: {role}
decision: {decision}
date: 2026-02-01
comment: Reviewed the validation report.
subject: {subject}
"""


def digest(repo: GitRepo, key: str = "credit@1.0") -> str:
    """The current digest of ``key`` as the records on disk define it."""
    registry = load_registry(repo.path / RECORDS, repo_root=repo.path).registry
    version = registry.version(key)
    assert version is not None, key
    return version_digest(version, registry.datasets)


def commit_records_start(repo: GitRepo) -> None:
    """Commit the policy and people (by Mia), then credit 1.0 in development (by Ada)."""
    repo.commit(
        "Governance policy and people",
        files={f"{RECORDS}/policy.yaml": POLICY, f"{RECORDS}/people.yaml": PEOPLE},
        author=MIA,
        date="2026-01-05T09:00:00+00:00",
    )
    repo.commit(
        "Add credit 1.0",
        files={MODEL: model_yaml(stage="development")},
        author=ADA,
        date="2026-01-10T09:00:00+00:00",
    )


def build_base(path: Path) -> GitRepo:
    """``main`` with credit@1.0 fully approved for staging; ``pr`` checked out."""
    repo = GitRepo(path)
    commit_records_start(repo)
    repo.commit(
        "Promote credit 1.0 to staging",
        files={MODEL: model_yaml(stage="staging")},
        author=ADA,
        date="2026-01-20T09:00:00+00:00",
    )
    repo.commit(
        "Sign off credit 1.0 for staging",
        files={STAGING_SIGNOFF: signoff_yaml("staging", "lee", "ml-lead", digest(repo))},
        author=LEE,
        date="2026-02-01T09:00:00+00:00",
    )
    repo.git("checkout", "-q", "-b", "pr")
    return repo
