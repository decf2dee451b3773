"""The gate trusts only what the change under review cannot rewrite (issue 9).

Each test replays one red-team attack on a real repository, as a data scientist with
commit rights on a branch would run it, under the strict rules
(``separation_of_duties``, ``distinct_approvers``, ``signoff_author_must_match``).
Every one of them passed the gate before; each must now fail with a clear finding,
while the clean workflow next to it still passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.findings import Code
from tests.gitrepo import setup_gpg_signing, setup_ssh_signing, stop_gpg_agent
from tests.scenario import (
    KEY,
    RECORDS,
    Scenario,
    identity,
    people_yaml,
    policy_yaml,
)

SIGNOFFS = f"{RECORDS}/signoffs/credit-risk/2.1"


def _git_as(scenario: Scenario, person: str, day: str, *args: str) -> str:
    """Run git as ``person`` (author and committer) on ``day``."""
    name, mail = identity(person)
    when = f"{day}T16:00:00+00:00"
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": mail,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": mail,
        "GIT_COMMITTER_DATE": when,
    }
    return scenario.repo.git(*args, env=env)


def _errors(scenario: Scenario, **kwargs: object) -> list[str]:
    return sorted(f.code for f in scenario.run(**kwargs).report.findings if f.is_error)


def _finding(scenario: Scenario, code: str, **kwargs: object):
    found = [f for f in scenario.run(**kwargs).report.findings if f.code == code and f.is_error]
    assert found, f"no {code} error"
    return found[0]


# -- 1. provenance follows content, not paths ------------------------------------------


def _evil_merge(scenario: Scenario, *, sign: str | None = None) -> str:
    """Mira rejects production on main; bob's branch forges her approval at the same
    path and merges main with ``-X ours``, so her own commit touched the file last."""
    path = f"{SIGNOFFS}/production-model-risk-mira.yaml"
    fork = scenario.repo.head()
    scenario.signoff("mira", "model-risk", decision="rejected", day="2026-01-21", sign=sign)
    scenario.repo.git("checkout", "-q", "-b", "attack", fork)
    scenario.signoff("mira", "model-risk", day="2026-01-22", committed_by="bob")
    _git_as(scenario, "bob", "2026-01-23", "merge", "-q", "-X", "ours", "-m", "Merge main", "main")
    return path


@pytest.fixture(scope="module")
def staging_repo(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """credit-risk 2.1 in production with everything but a model-risk approval."""
    scenario = Scenario.create(tmp_path_factory.mktemp("trust") / "base", stage="staging")
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    scenario.verification("fairness-audit", day="2026-01-15")
    scenario.signoff("pia", "product-owner", day="2026-01-19")
    scenario.edit_model(author="lena", day="2026-01-20", stage="production")
    return scenario


def test_evil_merge_keeping_a_forged_signoff_is_unverified(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    path = _evil_merge(scenario)
    # The file's content is bob's forgery; mira's own commit touched the path.
    assert "decision: approved" in (scenario.path / path).read_text()
    finding = _finding(scenario, Code.UNVERIFIED_SIGNOFF)
    assert finding.file == path
    assert "Bob Builder" in finding.message and "not by its approver" in finding.message
    assert "missing-signoff" in _errors(scenario)


def test_clean_merge_of_an_approvers_branch_still_passes(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    fork = scenario.repo.head()
    scenario.repo.git("checkout", "-q", "-b", "review", fork)
    scenario.signoff("mira", "model-risk", day="2026-01-22")
    scenario.repo.git("checkout", "-q", "main")
    scenario.commit_as("alice", "Unrelated", {"NOTES.md": "main moves on\n"}, "2026-01-23")
    _git_as(scenario, "alice", "2026-01-24", "merge", "-q", "--no-ff", "-m", "Merge", "review")
    assert _errors(scenario) == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["gpg", "ssh"])
def test_evil_merge_is_unverified_with_signed_commits(kind: str, tmp_path: Path):
    home = tmp_path / "home"
    scenario = Scenario.create(
        tmp_path / "r", stage="staging", policy=policy_yaml(require_signed_commits="true")
    )
    try:
        if kind == "gpg":
            key = setup_gpg_signing(
                scenario.repo, home, name="Mira Risk", email="mira@bank.example"
            )
            declared = key[-16:].lower()
            scenario.repo.git("config", "gpg.format", "openpgp")
        else:
            key_path, declared = setup_ssh_signing(scenario.repo, home, email="mira@bank.example")
            key = str(key_path)
        keys = {"mira": [declared], "lena": [declared], "pia": [declared]}
        scenario.commit_as(
            "alice",
            "Signing keys",
            {f"{RECORDS}/people.yaml": people_yaml(keys=keys)},
            "2026-01-06",
        )
        scenario.verification("data-validation", day="2026-01-10")
        scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12", sign=key)
        scenario.verification("fairness-audit", day="2026-01-15")
        scenario.signoff("pia", "product-owner", day="2026-01-19", sign=key)
        scenario.edit_model(author="lena", day="2026-01-20", stage="production")
        path = _evil_merge(scenario, sign=key)
        run = scenario.run(signatures=True)
        errors = [f for f in run.report.findings if f.is_error]
        unverified = [f for f in errors if f.code == Code.UNVERIFIED_SIGNOFF]
        assert [f.file for f in unverified] == [path]
        assert "missing-signoff" in {f.code for f in errors}
    finally:
        stop_gpg_agent(home)


# -- 4. withdrawing someone else's decision --------------------------------------------


def test_deleting_another_persons_rejection_is_an_error(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.signoff("mira", "model-risk", day="2026-01-21", name="approve")
    rejection = scenario.signoff("mira", "model-risk", decision="rejected", day="2026-01-22")
    assert _errors(scenario) == ["missing-signoff", "rejected"]
    scenario.remove(rejection, by="bob", day="2026-01-23")
    finding = _finding(scenario, Code.WITHDRAWN_SIGNOFF)
    assert finding.subject == KEY and finding.file == rejection
    assert "rejection by Mira Risk (mira)" in finding.message
    assert "Bob Builder" in finding.message and "not by its approver" in finding.message
    assert _errors(scenario) == ["withdrawn-signoff"]


def test_overwriting_another_persons_rejection_is_an_error(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.signoff("mira", "model-risk", day="2026-01-21", name="approve")
    rejection = scenario.signoff("mira", "model-risk", decision="rejected", day="2026-01-22")
    # Bob turns the rejection into a policy sign-off, which nothing judges on main.
    text = (
        'model: policy\nversion: "1"\nstage: policy\napprover: mira\nrole: model-risk\n'
        "decision: approved\ndate: 2026-01-23\n"
    )
    scenario.commit_as("bob", "Tidy", {rejection: text}, "2026-01-23")
    assert _errors(scenario) == ["withdrawn-signoff"]


def test_approver_withdrawing_their_own_rejection_passes(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.signoff("mira", "model-risk", day="2026-01-21", name="approve")
    rejection = scenario.signoff("mira", "model-risk", decision="rejected", day="2026-01-22")
    scenario.remove(rejection, by="mira", day="2026-01-23")
    assert _errors(scenario) == []


def test_withdrawal_by_someone_else_is_cleared_by_the_approvers_new_decision(
    staging_repo: Scenario, tmp_path: Path
):
    scenario = staging_repo.copy(tmp_path / "repo")
    rejection = scenario.signoff("mira", "model-risk", decision="rejected", day="2026-01-21")
    scenario.remove(rejection, by="bob", day="2026-01-22")
    assert "withdrawn-signoff" in _errors(scenario)
    scenario.signoff("mira", "model-risk", day="2026-01-23", name="approve-again")
    assert _errors(scenario) == []


def test_rejection_deleted_in_a_pull_request_is_an_error(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.signoff("mira", "model-risk", day="2026-01-21", name="approve")
    rejection = scenario.signoff("mira", "model-risk", decision="rejected", day="2026-01-22")
    scenario.repo.git("checkout", "-q", "-b", "pr")
    scenario.remove(rejection, by="bob", day="2026-01-23")
    assert "withdrawn-signoff" in _errors(scenario, base_ref="main")


# -- 8. verifications recorded by nobody in particular ---------------------------------


def test_verification_claiming_a_pipeline_committed_by_a_person_is_unverified(
    staging_repo: Scenario, tmp_path: Path
):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.signoff("mira", "model-risk", day="2026-01-21")
    assert _errors(scenario) == []
    # Bob re-records the fairness audit as the CI pipeline, from his own identity.
    path = scenario.verification("fairness-audit", day="2026-01-22", committed_by="bob")
    finding = _finding(scenario, Code.UNVERIFIED_CHECK)
    assert finding.subject == KEY and finding.file == path
    assert "CI Pipeline (pipeline:ci)" in finding.message and "Bob Builder" in finding.message


def test_verification_by_an_undeclared_pipeline_is_unknown_and_unverified(
    staging_repo: Scenario, tmp_path: Path
):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.signoff("mira", "model-risk", day="2026-01-21")
    path = f"{RECORDS}/verifications/credit-risk/2.1/fairness-audit.yaml"
    text = (scenario.path / path).read_text().replace("pipeline:ci", "pipeline:trusted-ci")
    scenario.repo.commit(
        "Re-record",
        files={path: text},
        author=("Trusted CI", "x@ci.example"),
        date="2026-01-22T09:00:00+00:00",
    )
    assert {"unknown-reference", "unverified-check"} <= set(_errors(scenario))
