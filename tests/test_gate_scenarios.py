"""The gate on real repositories: one scenario per finding code, each with a clean twin.

Each test copies a module-scoped repository in which credit-risk@2.1 sits in
production with everything it needs (tests/scenario.py), breaks one thing through
real commits, and asserts on the findings a user would see.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from mkdocs_governance.core import run_governance
from mkdocs_governance.findings import Code, Severity
from mkdocs_governance.policy.model import ItemState, StageState
from tests.gitrepo import GitRepo, setup_gpg_signing, setup_ssh_signing, stop_gpg_agent
from tests.scenario import (
    AS_OF,
    KEY,
    MODEL_FILE,
    RECORDS,
    Scenario,
    passing_production,
    people_yaml,
    policy_yaml,
)


@pytest.fixture(scope="module")
def production_repo(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return passing_production(tmp_path_factory.mktemp("base") / "repo")


@pytest.fixture
def scenario(production_repo: Scenario, tmp_path: Path) -> Scenario:
    return production_repo.copy(tmp_path / "repo")


def errors_of(scenario: Scenario, code: str, **kwargs):
    return [f for f in scenario.run(**kwargs).report.findings if f.code == code and f.is_error]


def test_complete_production_version_passes(scenario: Scenario):
    run = scenario.run()
    assert run.report.passed, [f.format_line() for f in run.report.findings]
    assessment = run.report.versions[KEY]
    assert [s.state for s in assessment.stages] == [StageState.MET] * 3


def test_missing_verification_is_missing_check(scenario: Scenario):
    scenario.remove(f"{RECORDS}/verifications/credit-risk/2.1/fairness-audit.yaml")
    assert scenario.codes() == ["missing-check"]
    (finding,) = errors_of(scenario, Code.MISSING_CHECK)
    assert (finding.file, finding.line) == (MODEL_FILE, 12)
    assert "fairness-audit" in finding.message


def test_later_failed_result_is_failed_check(scenario: Scenario):
    scenario.verification(
        "fairness-audit", "failed", day="2026-01-22", name="fairness-rerun", summary="Gap 9%"
    )
    assert scenario.codes() == ["failed-check"]
    (finding,) = errors_of(scenario, Code.FAILED_CHECK)
    assert finding.file.endswith("fairness-rerun.yaml") and "Gap 9%" in finding.message


def test_metric_below_its_bound_is_failed_check(production_repo: Scenario, tmp_path: Path):
    scenario = Scenario.create(tmp_path / "low", stage="development")
    scenario.edit_model(stage="staging", metrics={"auc": 0.7}, author="lena")
    assert "failed-check" in scenario.codes()
    twin = Scenario.create(tmp_path / "twin", stage="development")
    assert twin.codes() == []


def test_metric_change_makes_signoffs_and_checks_stale(scenario: Scenario):
    scenario.edit_model(stage="production", metrics={"auc": 0.86})
    codes = scenario.codes()
    assert {"stale-signoff", "stale-check"} <= set(codes)
    stale = errors_of(scenario, Code.STALE_SIGNOFF)
    assert len(stale) == 3  # ml-lead, model-risk, product-owner
    assert "sha256:" in stale[0].message and "--stage" in stale[0].message


def test_stage_change_keeps_signoffs_valid(scenario: Scenario):
    before = scenario.digest()
    scenario.edit_model(stage="staging", author="lena", day="2026-01-22")
    scenario.edit_model(stage="production", author="lena", day="2026-01-23")
    assert scenario.digest() == before
    assert scenario.run().report.passed


def test_expired_waiver_is_invalid_waiver(scenario: Scenario):
    scenario.verification(
        "fairness-audit",
        "waived",
        day="2026-01-21",
        name="fairness-waiver",
        waiver={"approved_by": "mira", "reason": "Audit booked for Q1.", "expires": "2026-01-31"},
    )
    assert scenario.codes() == ["invalid-waiver"]
    assert scenario.codes(as_of=date(2026, 1, 30)) == []


def test_waiver_committed_by_someone_else_than_its_approver_is_invalid(scenario: Scenario):
    path = scenario.verification(
        "fairness-audit",
        "waived",
        day="2026-01-21",
        name="fairness-waiver",
        waiver={"approved_by": "mira", "reason": "Audit booked for Q1.", "expires": "2026-06-30"},
        committed_by="bob",
    )
    (finding,) = errors_of(scenario, Code.INVALID_WAIVER)
    assert finding.file == path
    assert "not by its approver" in finding.message and "Bob Builder" in finding.message


def test_waiver_committed_by_its_approver_is_valid(scenario: Scenario):
    scenario.verification(
        "fairness-audit",
        "waived",
        day="2026-01-21",
        name="fairness-waiver",
        waiver={"approved_by": "mira", "reason": "Audit booked for Q1.", "expires": "2026-06-30"},
    )
    assert scenario.codes() == []


def test_missing_approval_is_missing_signoff(scenario: Scenario):
    scenario.remove(f"{RECORDS}/signoffs/credit-risk/2.1/production-product-owner-pia.yaml")
    (finding,) = errors_of(scenario, Code.MISSING_SIGNOFF)
    assert f"mkdocs-governance signoff {KEY} --stage production --role product-owner" in (
        finding.message
    )


def test_production_version_that_never_met_staging_fails(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="development")
    scenario.verification("fairness-audit")
    scenario.signoff("mira", "model-risk")
    scenario.signoff("pia", "product-owner")
    scenario.edit_model(stage="production", author="lena")
    findings = [f for f in scenario.run().report.findings if f.is_error]
    assert sorted(f.code for f in findings) == ["missing-check", "missing-signoff"]
    assert all(f.message.startswith("[staging]") for f in findings)


def test_staging_version_without_production_signoffs_is_pending(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="development")
    scenario.verification("data-validation")
    scenario.signoff("lena", "ml-lead", "staging")
    scenario.edit_model(stage="staging", author="lena")
    run = scenario.run()
    assert run.report.passed
    assert run.report.versions[KEY].pending_stage == "production"


def test_rejection_then_same_approver_approval_passes(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", decision="rejected", day="2026-01-21", name="r1")
    assert scenario.codes() == ["rejected"]
    scenario.signoff("rafa", "model-risk", day="2026-01-22", name="r2")
    assert scenario.codes() == []


def test_rejection_stands_against_another_approvers_approval(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", decision="rejected", day="2026-01-21")
    scenario.signoff("duo", "model-risk", day="2026-01-22")
    (finding,) = errors_of(scenario, Code.REJECTED)
    assert finding.file.endswith("production-model-risk-rafa.yaml")
    items = {i.name: i for i in scenario.run().report.versions[KEY].stages[2].items}
    assert items["model-risk"].state == ItemState.REJECTED


def test_approver_approving_their_own_model_violates_separation(scenario: Scenario):
    # Pia withdraws her approval herself (only an approver may withdraw a sign-off).
    scenario.remove(
        f"{RECORDS}/signoffs/credit-risk/2.1/production-product-owner-pia.yaml", by="pia"
    )
    scenario.signoff("alice", "product-owner", day="2026-01-27")  # alice owns the model
    assert scenario.codes() == ["missing-signoff", "separation-of-duties"]
    (finding,) = errors_of(scenario, Code.SEPARATION_OF_DUTIES)
    assert "owns the model" in finding.message


def test_one_person_cannot_fill_two_slots(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="staging")
    scenario.verification("data-validation")
    scenario.signoff("lena", "ml-lead", "staging")
    scenario.verification("fairness-audit")
    scenario.signoff("duo", "model-risk")
    scenario.signoff("duo", "product-owner")
    scenario.edit_model(stage="production", author="lena")
    (finding,) = errors_of(scenario, Code.MISSING_SIGNOFF)
    assert "distinct_approvers" in finding.message
    scenario.signoff("pia", "product-owner")
    assert scenario.codes() == []


def test_signoff_for_a_role_not_held(scenario: Scenario):
    scenario.signoff("lena", "model-risk", day="2026-01-21")
    assert scenario.codes() == ["role-not-held"]


def test_signoff_committed_by_someone_else_is_unverified(scenario: Scenario):
    scenario.remove(f"{RECORDS}/signoffs/credit-risk/2.1/production-product-owner-pia.yaml")
    scenario.signoff("pia", "product-owner", day="2026-01-27", committed_by="bob")
    assert scenario.codes() == ["missing-signoff", "unverified-signoff"]
    (finding,) = errors_of(scenario, Code.UNVERIFIED_SIGNOFF)
    assert "bob@bank.example" in finding.message


def test_signoff_edited_later_by_someone_else_is_unverified(scenario: Scenario):
    path = f"{RECORDS}/signoffs/credit-risk/2.1/production-model-risk-mira.yaml"
    text = (scenario.path / path).read_text() + "comment: tidied\n"
    scenario.commit_as("bob", "Tidy sign-off", {path: text}, "2026-01-25")
    (finding,) = errors_of(scenario, Code.UNVERIFIED_SIGNOFF)
    assert finding.file == path and "edited after" in finding.message


def test_uncommitted_signoff_never_counts(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", day="2026-01-21", commit=False)
    (finding,) = errors_of(scenario, Code.UNVERIFIED_SIGNOFF)
    assert "untracked" in finding.message


def test_old_approvals_expire_and_review_is_overdue(scenario: Scenario):
    codes = scenario.codes(as_of=date(2027, 2, 1))
    assert {"expired-signoff", "review-overdue"} <= set(codes)
    assert scenario.codes(as_of=date(2027, 1, 10)) == []


def test_future_dated_signoff_is_implausible(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", day="2026-03-01")
    (finding,) = errors_of(scenario, Code.IMPLAUSIBLE_DATE)
    assert "2026-03-01" in finding.message
    assert scenario.codes(as_of=date(2026, 3, 2)) == []


def test_signoff_committed_before_its_date_is_implausible(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", day="2026-01-25", commit_day="2026-01-21")
    (finding,) = errors_of(scenario, Code.IMPLAUSIBLE_DATE)
    assert "committed on 2026-01-21" in finding.message
    # The twin: backdating (recording on the 25th a review done on the 21st) is normal.
    scenario.signoff("duo", "model-risk", day="2026-01-21", commit_day="2026-01-25")
    assert scenario.codes() == ["implausible-date"]


def test_signoff_dated_before_the_version_existed_is_implausible(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", day="2026-01-03")
    assert scenario.codes() == ["implausible-date"]


def test_policy_change_is_judged_with_the_base_people(scenario: Scenario):
    scenario.repo.git("branch", "base")
    granted = people_yaml(roles={"lena": ["ml-lead", "model-risk"]})
    scenario.commit_as(
        "lena", "Grant myself model-risk", {f"{RECORDS}/people.yaml": granted}, "2026-01-28"
    )
    scenario.signoff("lena", "model-risk", day="2026-01-28")
    assert scenario.codes(base_ref="base") == ["policy-changed", "role-not-held"]
    # Without a base ref the new people.yaml is trusted as committed: the twin.
    assert scenario.codes() == []


def test_policy_change_with_the_required_signoff_passes(tmp_path: Path):
    rules = {"policy_change_signoffs": "[{role: model-risk, count: 1}]"}
    scenario = passing_production(tmp_path / "r", policy=policy_yaml(**rules))
    scenario.repo.git("branch", "base")
    relaxed = policy_yaml(**rules, signoff_max_age_days=400)
    scenario.commit_as("mira", "Allow 400 days", {f"{RECORDS}/policy.yaml": relaxed}, "2026-01-28")
    assert scenario.codes(base_ref="base") == ["policy-changed"]
    (finding,) = errors_of(scenario, Code.POLICY_CHANGED, base_ref="base")
    digest = finding.message.rsplit("subject: ", 1)[1].rstrip("`.")
    path = f"{RECORDS}/signoffs/policy/change-400-days.yaml"
    scenario.commit_as(
        "rafa",
        "Approve the policy change",
        {
            path: "model: policy\nversion: pr-1\nstage: policy\napprover: rafa\n"
            f"role: model-risk\ndecision: approved\ndate: 2026-01-29\nsubject: {digest}\n"
        },
        "2026-01-29",
    )
    run = scenario.run(base_ref="base")
    assert run.report.passed, [f.format_line() for f in run.report.findings]


def test_shallow_clone_is_history_unavailable(production_repo: Scenario, tmp_path: Path):
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{production_repo.path}", str(clone)],
        check=True,
        env=production_repo.repo.env,
    )
    shallow = Scenario(GitRepo(clone, init=False, env=production_repo.repo.env))
    run = shallow.run()
    errors = [f for f in run.report.findings if f.is_error]
    assert [f.code for f in errors] == ["history-unavailable"]
    assert "fetch-depth" in errors[0].message


def test_records_outside_git_are_history_unavailable(production_repo: Scenario, tmp_path: Path):
    plain = tmp_path / "plain"
    shutil.copytree(production_repo.path / RECORDS, plain / RECORDS)
    run = run_governance(plain / RECORDS, repo_root=plain, as_of=AS_OF)
    assert sorted({f.code for f in run.report.findings if f.is_error}) == ["history-unavailable"]


def test_pending_stage_problem_is_only_a_warning(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="development")
    scenario.verification("data-validation")
    scenario.signoff("lena", "ml-lead", "staging")
    scenario.signoff("pia", "product-owner", committed_by="bob")
    scenario.edit_model(stage="staging", author="lena")
    findings = scenario.run().report.findings
    unverified = [f for f in findings if f.code == Code.UNVERIFIED_SIGNOFF]
    assert [f.severity for f in unverified] == [Severity.WARNING]
    assert scenario.run().report.passed


@pytest.mark.slow
def test_signed_signoffs_gpg_and_ssh_accepted_unsigned_refused(tmp_path: Path):
    home = tmp_path / "home"
    scenario = Scenario.create(
        tmp_path / "r", stage="staging", policy=policy_yaml(require_signed_commits="true")
    )
    try:
        gpg_fingerprint = setup_gpg_signing(
            scenario.repo, home, name="Mira Risk", email="mira@bank.example"
        )
        key_path, ssh_fingerprint = setup_ssh_signing(scenario.repo, home, email="pia@bank.example")
        people = people_yaml(
            keys={"mira": [gpg_fingerprint[-16:].lower()], "pia": [ssh_fingerprint], "lena": []}
        )
        scenario.commit_as(
            "alice", "Signing keys", {f"{RECORDS}/people.yaml": people}, "2026-01-06"
        )
        scenario.verification("data-validation")
        scenario.verification("fairness-audit")
        scenario.repo.git("config", "gpg.format", "openpgp")
        scenario.signoff("mira", "model-risk", sign=gpg_fingerprint)
        scenario.repo.git("config", "gpg.format", "ssh")
        scenario.signoff("pia", "product-owner", sign=str(key_path))
        scenario.signoff("rafa", "model-risk", sign=str(key_path))  # pia's key, not rafa's
        scenario.signoff("lena", "ml-lead", "staging")  # unsigned
        scenario.edit_model(stage="production", author="lena")
        run = scenario.run(signatures=True)
        errors = [f for f in run.report.findings if f.is_error]
        assert sorted(f.code for f in errors) == [
            "missing-signoff",
            "unverified-signoff",
            "unverified-signoff",
        ]
        unverified = {f.file.rsplit("/", 1)[1]: f.message for f in errors if f.file}
        assert "no good signature" in unverified["staging-ml-lead-lena.yaml"]
        assert "not among the signing_keys" in unverified["production-model-risk-rafa.yaml"]
    finally:
        stop_gpg_agent(home)


OLD_DIGEST = "sha256:" + "0" * 64


def test_verification_of_another_digest_is_exactly_stale_check(scenario: Scenario):
    scenario.verification("fairness-audit", day="2026-01-22", name="rerun", subject=OLD_DIGEST)
    assert scenario.codes() == ["stale-check"]


def test_extra_approval_of_another_digest_is_exactly_stale_signoff(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", day="2026-01-22", subject=OLD_DIGEST)
    assert scenario.codes() == ["stale-signoff"]
    scenario.signoff("duo", "model-risk", day="2026-01-22", subject=None)
    (absent,) = [f for f in errors_of(scenario, Code.STALE_SIGNOFF) if "duo" in f.file]
    assert "has no subject" in absent.message


def test_extra_approval_by_the_owner_is_exactly_separation_of_duties(scenario: Scenario):
    scenario.signoff("alice", "product-owner", day="2026-01-22")
    assert scenario.codes() == ["separation-of-duties"]


def test_extra_uncommitted_approval_is_exactly_unverified(scenario: Scenario):
    scenario.signoff("rafa", "model-risk", day="2026-01-22", commit=False)
    assert scenario.codes() == ["unverified-signoff"]


def test_old_extra_approval_is_exactly_expired_signoff(tmp_path: Path):
    scenario = passing_production(tmp_path / "r", policy=policy_yaml(signoff_max_age_days=20))
    assert scenario.codes() == []
    scenario.signoff("rafa", "model-risk", day="2026-01-08")
    assert scenario.codes() == ["expired-signoff"]


def test_short_review_interval_is_exactly_review_overdue(tmp_path: Path):
    scenario = passing_production(tmp_path / "r", policy=policy_yaml(review_interval_days=10))
    assert scenario.codes() == ["review-overdue"]
    assert scenario.codes(as_of=date(2026, 1, 25)) == []


def test_verification_dated_in_the_future_is_exactly_implausible_date(scenario: Scenario):
    scenario.verification("fairness-audit", day="2026-03-01", name="rerun")
    assert scenario.codes() == ["implausible-date"]
    assert scenario.codes(as_of=date(2026, 3, 2)) == []


def test_high_risk_model_needs_two_model_risk_approvals(tmp_path: Path):
    scenario = passing_production(tmp_path / "r", risk_tier="high")
    (finding,) = errors_of(scenario, Code.MISSING_SIGNOFF)
    assert "1 of 2 valid approvals by 'model-risk'" in finding.message
    scenario.signoff("rafa", "model-risk", day="2026-01-22")
    assert scenario.codes() == []


def test_records_with_broken_references_are_reported_without_breaking_the_gate(
    scenario: Scenario,
):
    folder = f"{RECORDS}/signoffs/credit-risk/2.1"
    scenario.commit_as(
        "rafa",
        "Odd records",
        {
            f"{folder}/ghost-version.yaml": "model: credit-risk\nversion: '9.9'\nstage: production\n"
            "approver: rafa\nrole: model-risk\ndecision: approved\ndate: 2026-01-22\n",
            f"{folder}/ghost-stage.yaml": "model: credit-risk\nversion: '2.1'\nstage: canary\n"
            "approver: rafa\nrole: model-risk\ndecision: approved\ndate: 2026-01-22\n",
            f"{folder}/ghost-person.yaml": "model: credit-risk\nversion: '2.1'\nstage: production\n"
            "approver: nobody\nrole: model-risk\ndecision: approved\ndate: 2026-01-22\n",
        },
        "2026-01-22",
    )
    run = scenario.run()
    by_file = {f.file.rsplit("/", 1)[1]: f.code for f in run.report.findings if f.is_error}
    assert by_file["ghost-version.yaml"] == "unknown-reference"
    assert by_file["ghost-stage.yaml"] == "unknown-reference"
    assert by_file["ghost-person.yaml"] in ("unknown-reference", "role-not-held")
    # The version itself still passes: none of these records fills or blocks a slot.
    assert not [f for f in run.report.versions[KEY].findings if f.code == "missing-signoff"]
