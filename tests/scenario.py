"""Real governance repositories for gate scenarios.

A [`Scenario`][tests.scenario.Scenario] is a real Git repository holding a small
governance record set: a policy (the SPEC's example), people, one dataset and one
model, ``credit-risk``, with version ``2.1`` authored by Bob and owned by Alice.
Sign-offs and verifications are committed as the people they name (or as whoever a
test says) at plausible dates, so the gate judges real history.

``passing_production()`` builds the complete record set of a production version that
passes the gate; tests copy it (``Scenario.copy``) and break one thing.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs_governance.core import GovernanceRun, run_governance
from mkdocs_governance.history import read_history
from mkdocs_governance.records import load_registry
from mkdocs_governance.records.digest import registry_digest
from tests.gitrepo import GitRepo, isolated_git_env

RECORDS = "governance_records"
MODEL_FILE = f"{RECORDS}/models/credit-risk.yaml"
KEY = "credit-risk@2.1"
AS_OF = date(2026, 2, 1)

# id -> (name, roles); everyone's email is <id>@bank.example.
PEOPLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "alice": ("Alice Owner", ("product-owner",)),
    "bob": ("Bob Builder", ("data-scientist",)),
    "lena": ("Lena Lead", ("ml-lead",)),
    "mira": ("Mira Risk", ("model-risk",)),
    "rafa": ("Rafa Risk", ("model-risk",)),
    "pia": ("Pia Product", ("product-owner",)),
    "duo": ("Duo Twohats", ("model-risk", "product-owner")),
}
CI = ("CI Pipeline", "ci@bank.example")

RULE_DEFAULTS: dict[str, Any] = {
    "separation_of_duties": True,
    "distinct_approvers": True,
    "signoff_author_must_match": True,
    "require_signed_commits": False,
    "signoff_max_age_days": 365,
    "review_interval_days": 365,
    "waiver_roles": ["model-risk"],
}


def email(person_id: str) -> str:
    """The email a test person commits with."""
    return f"{person_id}@bank.example"


def identity(person_id: str) -> tuple[str, str]:
    """``(name, email)`` of a test person, for ``GitRepo.commit(author=...)``."""
    return (PEOPLE[person_id][0] if person_id in PEOPLE else person_id, email(person_id))


def policy_yaml(**rules: Any) -> str:
    """The SPEC's example policy with ``rules`` overridden (values as YAML text)."""
    merged = {**RULE_DEFAULTS, **rules}
    lines = [
        "stages: [development, staging, production]",
        "checks:",
        "  data-validation: {title: Training data validated}",
        "  performance: {title: Holdout AUC >= 0.80, metric: auc, min: 0.80}",
        "  fairness-audit: {title: Fairness audit}",
        "  model-card: {title: Model card complete, automatic: documentation}",
        "requirements:",
        "  staging:",
        "    checks: [data-validation, performance]",
        "    signoffs: [{role: ml-lead, count: 1}]",
        "  production:",
        "    checks: [fairness-audit, model-card]",
        "    signoffs: [{role: model-risk, count: 1}, {role: product-owner, count: 1}]",
        "    by_risk_tier: {high: {signoffs: [{role: model-risk, count: 2}]}}",
        "rules:",
    ]
    for name, value in merged.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list):
            text = "[" + ", ".join(str(v) for v in value) + "]"
        elif value is None:
            text = "null"
        else:
            text = str(value)
        lines.append(f"  {name}: {text}")
    return "\n".join(lines) + "\n"


def people_yaml(
    roles: Mapping[str, Sequence[str]] | None = None,
    keys: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """people.yaml of the test people; ``roles``/``keys`` override per person id."""
    roles = roles or {}
    keys = keys or {}
    lines = ["people:"]
    for pid, (name, default_roles) in PEOPLE.items():
        held = roles.get(pid, default_roles)
        lines += [
            f"  - id: {pid}",
            f"    name: {name}",
            f"    emails: [{email(pid)}]",
            f"    roles: [{', '.join(held)}]",
        ]
        if keys.get(pid):
            lines.append("    signing_keys: [" + ", ".join(f'"{k}"' for k in keys[pid]) + "]")
    # The CI pipeline that records check results, committing as CI (see ``verification``).
    lines += ["pipelines:", "  - id: ci", f"    name: {CI[0]}", f"    emails: [{CI[1]}]"]
    if keys.get("pipeline:ci"):
        lines.append("    signing_keys: [" + ", ".join(f'"{k}"' for k in keys["pipeline:ci"]) + "]")
    return "\n".join(lines) + "\n"


DATASET_YAML = """\
id: loans
name: Loan book 2020-2024
description: Every retail loan application with its 12-month outcome.
owner: alice
source: s3://data/loans/2024-12-31/
version: "2024-12-31"
sha256: 1111111111111111111111111111111111111111111111111111111111111111
personal_data: true
license: internal
"""


def model_yaml(
    stage: str = "development",
    *,
    metrics: Mapping[str, float] | None = None,
    risk_tier: str = "medium",
    author: str = "bob",
    created: str = "2026-01-05",
) -> str:
    """The credit-risk model card with its one version 2.1 in ``stage``."""
    metrics = {"auc": 0.84} if metrics is None else metrics
    metric_lines = [f"      {name}: {value}" for name, value in metrics.items()]
    lines = [
        "id: credit-risk",
        "name: Credit risk scorecard",
        "owner: alice",
        "description: Scores retail loan applications by probability of default.",
        f"risk_tier: {risk_tier}",
        "intended_use: Retail credit decisions up to 50k.",
        "out_of_scope_use: Corporate lending.",
        "limitations: Trained on 2020-2024 applications only.",
        "ethical_considerations: No protected characteristic is an input.",
        "datasets: [loans]",
        "versions:",
        '  - version: "2.1"',
        f"    created: {created}",
        f"    stage: {stage}",
        f"    author: {author}",
        "    artifact:",
        "      uri: s3://models/credit-risk/2.1/model.pkl",
        "      sha256: " + "ab" * 32,
        "    datasets: [loans]",
    ]
    if metric_lines:
        lines += ["    metrics:", *metric_lines]
    return "\n".join(lines) + "\n"


class Scenario:
    """A governance repository under test (see the module docstring)."""

    def __init__(self, repo: GitRepo):
        self.repo = repo
        self.path = repo.path
        self._clock = 0
        # The model file's current model_yaml() arguments: edits change only what they name.
        self.model_options: dict[str, Any] = {}

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        stage: str = "development",
        policy: str | None = None,
        people: str | None = None,
        risk_tier: str = "medium",
    ) -> Scenario:
        """A new repository: policy and people by alice, dataset and model by bob."""
        scenario = cls(GitRepo(path))
        scenario.model_options = {"stage": stage, "risk_tier": risk_tier}
        scenario.repo.commit(
            "Governance policy and people",
            files={
                f"{RECORDS}/policy.yaml": policy or policy_yaml(),
                f"{RECORDS}/people.yaml": people or people_yaml(),
            },
            author=identity("alice"),
            date="2026-01-02T09:00:00+00:00",
        )
        scenario.repo.commit(
            "Add credit-risk 2.1",
            files={
                f"{RECORDS}/datasets/loans.yaml": DATASET_YAML,
                MODEL_FILE: model_yaml(stage, risk_tier=risk_tier),
            },
            author=identity("bob"),
            date="2026-01-05T09:00:00+00:00",
        )
        return scenario

    def copy(self, path: Path) -> Scenario:
        """An independent copy of this repository (history and all) at ``path``."""
        shutil.copytree(self.path, path, symlinks=True)
        copy = Scenario(GitRepo(path, init=False, env=isolated_git_env()))
        copy.model_options = dict(self.model_options)
        copy._clock = self._clock
        return copy

    def digest(self) -> str:
        """The current digest of credit-risk@2.1, as the working tree has it."""
        registry = load_registry(self.path / RECORDS, repo_root=self.path).registry
        digest = registry_digest(registry, KEY)
        assert digest is not None, "credit-risk@2.1 did not load"
        return digest

    def _time(self, day: str) -> str:
        # Commits on one day get increasing times so that their order is the write order.
        self._clock += 1
        return f"{day}T{10 + self._clock // 60:02d}:{self._clock % 60:02d}:00+00:00"

    def signoff(
        self,
        approver: str,
        role: str,
        stage: str = "production",
        *,
        decision: str = "approved",
        day: str = "2026-01-20",
        subject: str | None = "current",
        committed_by: str | None = None,
        name: str | None = None,
        commit: bool = True,
        sign: str | None = None,
        comment: str = "",
        commit_day: str | None = None,
    ) -> str:
        """Write a sign-off of credit-risk@2.1 and commit it as the approver.

        ``subject="current"`` writes the current digest, None leaves it out.
        ``committed_by`` commits it as someone else; ``commit=False`` leaves it
        untracked; ``commit_day`` commits it on another day than its date.
        Returns the record's repository-relative path.
        """
        path = f"{RECORDS}/signoffs/credit-risk/2.1/{name or f'{stage}-{role}-{approver}'}.yaml"
        lines = [
            "model: credit-risk",
            'version: "2.1"',
            f"stage: {stage}",
            f"approver: {approver}",
            f"role: {role}",
            f"decision: {decision}",
            f"date: {day}",
        ]
        if comment:
            lines.append(f"comment: {comment}")
        if subject is not None:
            lines.append(f"subject: {self.digest() if subject == 'current' else subject}")
        self.repo.write(path, "\n".join(lines) + "\n")
        if commit:
            self.repo.commit(
                f"Sign off {KEY} for {stage} as {role}",
                author=identity(committed_by or approver),
                date=self._time(commit_day or day),
                paths=[path],
                sign=sign,
            )
        return path

    def verification(
        self,
        check: str,
        status: str = "passed",
        *,
        day: str = "2026-01-15",
        subject: str | None = "current",
        waiver: Mapping[str, str] | None = None,
        name: str | None = None,
        summary: str = "",
        committed_by: str | None = None,
    ) -> str:
        """Write a verification of credit-risk@2.1 and commit it as the CI pipeline.

        A waived check is committed by its waiver's approver, as the gate requires,
        unless ``committed_by`` names someone else.
        """
        path = f"{RECORDS}/verifications/credit-risk/2.1/{name or check}.yaml"
        lines = [
            "model: credit-risk",
            'version: "2.1"',
            f"check: {check}",
            f"status: {status}",
            f"date: {day}",
            "performed_by: pipeline:ci",
        ]
        if summary:
            lines.append(f"summary: {summary}")
        if subject is not None:
            lines.append(f"subject: {self.digest() if subject == 'current' else subject}")
        if waiver:
            lines.append("waiver:")
            lines += [f"  {k}: {v}" for k, v in waiver.items()]
        self.repo.write(path, "\n".join(lines) + "\n")
        committer = committed_by or (waiver or {}).get("approved_by")
        self.repo.commit(
            f"Verify {check} of {KEY}",
            author=identity(committer) if committer else CI,
            date=self._time(day),
            paths=[path],
        )
        return path

    def edit_model(self, author: str = "bob", day: str = "2026-01-25", **changes: Any) -> str:
        """Rewrite the model file with ``changes`` to its ``model_yaml`` arguments and
        commit it as ``author``."""
        self.model_options = {**self.model_options, **changes}
        return self.repo.commit(
            f"Edit {KEY}",
            files={MODEL_FILE: model_yaml(**self.model_options)},
            author=identity(author),
            date=self._time(day),
        )

    def commit_as(self, person_id: str, message: str, files: Mapping[str, str], day: str) -> str:
        """Commit ``files`` as ``person_id``."""
        return self.repo.commit(
            message, files=files, author=identity(person_id), date=self._time(day)
        )

    def remove(self, path: str, *, by: str = "alice", day: str = "2026-01-26") -> None:
        """Delete a record in a commit."""
        self.repo.remove(path)
        self.repo.commit(f"Remove {path}", author=identity(by), date=self._time(day))

    # -- judging ----------------------------------------------------------------------------------

    def run(
        self, *, as_of: date = AS_OF, base_ref: str | None = None, signatures: bool = False
    ) -> GovernanceRun:
        """Run the pipeline on the repository, as the CLI and the plugin do.

        ``signatures`` reads the history with signature checking in the repository's
        environment (its ``GNUPGHOME``), as CI would with the keys installed.
        """
        history = None
        if signatures:
            history = read_history(self.path, [RECORDS], signatures=True, env=self.repo.env)
        return run_governance(
            self.path / RECORDS,
            repo_root=self.path,
            as_of=as_of,
            history=history,
            base_ref=base_ref,
        )

    def codes(self, **kwargs: Any) -> list[str]:
        """The error codes of a run, sorted (duplicates kept)."""
        return sorted(f.code for f in self.run(**kwargs).report.findings if f.is_error)


def passing_production(path: Path, **create: Any) -> Scenario:
    """A production version with everything it needs: the gate passes on it."""
    scenario = Scenario.create(path, stage="staging", **create)
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    scenario.verification("fairness-audit", day="2026-01-15")
    scenario.signoff("mira", "model-risk", day="2026-01-18")
    scenario.signoff("pia", "product-owner", day="2026-01-19")
    scenario.edit_model(author="lena", day="2026-01-20", stage="production")
    return scenario
