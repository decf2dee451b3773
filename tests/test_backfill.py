"""Backfilling existing governance history: ``rules.backfill_until`` in policy.yaml.

A team commits months of existing records in one go. Without a cut-over every
sign-off and verification predates the commit that added its version
(``implausible-date``); with one, records dated and committed on or before it are
judged by their recorded dates. Each hole a backdater would try is a test here:
a new record after the cut-over, a forged author date, a pull request declaring
the cut-over for itself, a date before the version's own ``created``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mkdocs_governance.core import run_governance
from mkdocs_governance.records import load_registry
from mkdocs_governance.records.digest import registry_digest
from tests.gitrepo import GitRepo
from tests.scenario import (
    CI,
    DATASET_YAML,
    KEY,
    MODEL_FILE,
    RECORDS,
    identity,
    model_yaml,
    people_yaml,
    policy_yaml,
)

BACKFILL_DAY = "2026-03-02"
VERIFICATION = f"{RECORDS}/verifications/credit-risk/2.1/data-validation.yaml"
SIGNOFF = f"{RECORDS}/signoffs/credit-risk/2.1/staging-ml-lead-lena.yaml"


def _digest(repo: GitRepo) -> str:
    registry = load_registry(repo.path / RECORDS, repo_root=repo.path).registry
    digest = registry_digest(registry, KEY)
    assert digest is not None
    return digest


def _verification(digest: str, day: str) -> str:
    return (
        'model: credit-risk\nversion: "2.1"\ncheck: data-validation\nstatus: passed\n'
        f"date: {day}\nperformed_by: pipeline:ci\nsubject: {digest}\n"
    )


def _signoff(digest: str, day: str) -> str:
    return (
        'model: credit-risk\nversion: "2.1"\nstage: staging\napprover: lena\nrole: ml-lead\n'
        f"decision: approved\ndate: {day}\nsubject: {digest}\n"
    )


def backfilled_repo(path: Path, **rules: str) -> GitRepo:
    """Months of history committed on one day: the records, then the CI pipeline's own
    check result and Lena's own sign-off (provenance is never backfilled: since issue 9 a
    verification counts only when committed by its performer, a declared pipeline)."""
    repo = GitRepo(path)
    repo.write_many(
        {
            f"{RECORDS}/policy.yaml": policy_yaml(**rules),
            f"{RECORDS}/people.yaml": people_yaml(),
            f"{RECORDS}/datasets/loans.yaml": DATASET_YAML,
            MODEL_FILE: model_yaml("staging", created="2026-01-05"),
        }
    )
    digest = _digest(repo)
    repo.commit(
        "Backfill the governance records",
        author=identity("alice"),
        date=f"{BACKFILL_DAY}T09:00:00+00:00",
    )
    repo.commit(
        "Backfill the check results",
        files={VERIFICATION: _verification(digest, "2026-01-10")},
        author=CI,
        date=f"{BACKFILL_DAY}T09:30:00+00:00",
    )
    repo.commit(
        "Backfill my sign-off",
        files={SIGNOFF: _signoff(digest, "2026-01-12")},
        author=identity("lena"),
        date=f"{BACKFILL_DAY}T10:00:00+00:00",
    )
    return repo


def _implausible(repo: GitRepo, as_of: str, base_ref: str | None = None) -> list[str]:
    run = run_governance(repo.path / RECORDS, as_of=date.fromisoformat(as_of), base_ref=base_ref)
    return sorted(f.file or "" for f in run.report.findings if f.code == "implausible-date")


def test_a_one_commit_backfill_without_a_cut_over_is_implausible(tmp_path):
    repo = backfilled_repo(tmp_path / "repo")
    assert _implausible(repo, "2026-03-05") == [SIGNOFF, VERIFICATION]


def test_the_cut_over_takes_backfilled_dates_as_recorded(tmp_path):
    repo = backfilled_repo(tmp_path / "repo", backfill_until=BACKFILL_DAY)
    run = run_governance(repo.path / RECORDS, as_of=date(2026, 3, 5))
    assert run.report.passed, [f.format_line() for f in run.report.findings]
    # Still so long after the cut-over, on the branch and in a pull request against it.
    assert _implausible(repo, "2027-01-05") == []
    repo.git("branch", "main-copy")
    assert _implausible(repo, "2027-01-05", base_ref="main-copy") == []


def test_a_date_before_the_versions_created_date_is_still_implausible(tmp_path):
    repo = backfilled_repo(tmp_path / "repo", backfill_until=BACKFILL_DAY)
    repo.commit(
        "Fix the date",
        files={VERIFICATION: _verification(_digest(repo), "2026-01-02")},
        author=identity("alice"),
        date=f"{BACKFILL_DAY}T11:00:00+00:00",
    )
    assert _implausible(repo, "2026-03-05") == [VERIFICATION]


def test_a_record_committed_after_the_cut_over_is_judged_in_full(tmp_path):
    repo = backfilled_repo(tmp_path / "repo", backfill_until=BACKFILL_DAY)
    late = f"{RECORDS}/signoffs/credit-risk/2.1/staging-ml-lead-lena-2.yaml"
    repo.commit(
        "Another old sign-off",
        files={late: _signoff(_digest(repo), "2026-01-20")},
        author=identity("lena"),
        date="2026-03-10T10:00:00+00:00",
    )
    assert _implausible(repo, "2026-03-12") == [late]


def test_a_forged_author_date_in_a_pull_request_gains_nothing(tmp_path):
    # After the cut-over a branch backdates both its commit and its record: the base
    # does not hold the record, so it is judged in full.
    repo = backfilled_repo(tmp_path / "repo", backfill_until=BACKFILL_DAY)
    repo.git("checkout", "-q", "-b", "feature")
    forged = f"{RECORDS}/signoffs/credit-risk/2.1/staging-ml-lead-lena-forged.yaml"
    repo.commit(
        "Old sign-off found in a drawer",
        files={forged: _signoff(_digest(repo), "2026-01-20")},
        author=identity("lena"),
        date="2026-02-20T10:00:00+00:00",
    )
    assert _implausible(repo, "2026-06-01", base_ref="main") == [forged]


def test_a_pull_request_cannot_declare_a_cut_over_for_itself(tmp_path):
    repo = backfilled_repo(tmp_path / "repo")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(
        "Declare a backfill",
        files={f"{RECORDS}/policy.yaml": policy_yaml(backfill_until=BACKFILL_DAY)},
        author=identity("alice"),
        date="2026-03-05T10:00:00+00:00",
    )
    run = run_governance(repo.path / RECORDS, as_of=date(2026, 3, 6), base_ref="main")
    codes = {f.code for f in run.report.errors}
    assert {"implausible-date", "policy-changed"} <= codes  # judged by the base's rules


@pytest.mark.parametrize("value", ["soon", "2026-13-01"])
def test_a_cut_over_that_is_not_a_date_is_an_invalid_record(tmp_path, value):
    repo = backfilled_repo(tmp_path / "repo", backfill_until=value)
    run = run_governance(repo.path / RECORDS, as_of=date(2026, 3, 5))
    (finding,) = [f for f in run.report.findings if f.code == "invalid-record"]
    assert finding.file == f"{RECORDS}/policy.yaml"
    assert "backfill_until" in finding.message and "YYYY-MM-DD" in finding.message
