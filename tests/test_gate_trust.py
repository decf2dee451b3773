"""The gate trusts only what the change under review cannot rewrite (issue 9).

Each test replays one red-team attack on a real repository, as a data scientist with
commit rights on a branch would run it, under the strict rules
(``separation_of_duties``, ``distinct_approvers``, ``signoff_author_must_match``).
Every one of them passed the gate before; each must now fail with a clear finding,
while the clean workflow next to it still passes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from mkdocs_governance.findings import Code
from tests.gitrepo import setup_gpg_signing, setup_ssh_signing, stop_gpg_agent
from tests.scenario import (
    KEY,
    RECORDS,
    Scenario,
    identity,
    passing_production,
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


# -- 5. replayed policy approvals ------------------------------------------------------

POLICY_RULES = {"policy_change_signoffs": "[{role: model-risk, count: 1}]"}


def _policy_subject(scenario: Scenario) -> str:
    """The subject a policy-change approval must carry, as the finding prints it."""
    finding = _finding(scenario, Code.POLICY_CHANGED, base_ref="main")
    return finding.message.rsplit("`subject: ", 1)[1].split("`", 1)[0]


def _approve_policy_change(scenario: Scenario, name: str, day: str, by: str = "mira") -> str:
    subject = _policy_subject(scenario)
    path = f"{RECORDS}/signoffs/policy/{name}.yaml"
    text = (
        f'model: policy\nversion: "{name}"\nstage: policy\napprover: {by}\nrole: model-risk\n'
        f"decision: approved\ndate: {day}\nsubject: {subject}\n"
    )
    scenario.commit_as(by, f"Approve {name}", {path: text}, day)
    return path


def _people_change(scenario: Scenario, branch: str, granted: bool, day: str) -> None:
    roles = {"bob": ["data-scientist", "product-owner"]} if granted else {}
    scenario.repo.git("checkout", "-q", "-b", branch, "main")
    scenario.commit_as(
        "alice", f"People ({branch})", {f"{RECORDS}/people.yaml": people_yaml(roles=roles)}, day
    )


def _merge_into_main(scenario: Scenario, branch: str, day: str) -> None:
    scenario.repo.git("checkout", "-q", "main")
    _git_as(scenario, "alice", day, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)


def test_replayed_policy_approval_does_not_count(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", policy=policy_yaml(**POLICY_RULES))
    # PR 1 grants bob product-owner, approved by mira; PR 2 takes it back, approved by rafa.
    _people_change(scenario, "pr1", True, "2026-01-06")
    _approve_policy_change(scenario, "pr1", "2026-01-07")
    assert _errors(scenario, base_ref="main") == []
    _merge_into_main(scenario, "pr1", "2026-01-08")
    _people_change(scenario, "pr2", False, "2026-01-09")
    _approve_policy_change(scenario, "pr2", "2026-01-10", by="rafa")
    _merge_into_main(scenario, "pr2", "2026-01-11")
    # PR 3 grants the role again and relies on PR 1's approval, still in the repository.
    _people_change(scenario, "pr3", True, "2026-01-12")
    finding = _finding(scenario, Code.POLICY_CHANGED, base_ref="main")
    assert "1 × model-risk" in finding.message
    # A fresh approval of this change passes.
    _approve_policy_change(scenario, "pr3", "2026-01-13")
    assert _errors(scenario, base_ref="main") == []


def test_expired_policy_approval_does_not_count(tmp_path: Path):
    rules = {**POLICY_RULES, "signoff_max_age_days": "5"}
    scenario = Scenario.create(tmp_path / "r", policy=policy_yaml(**rules))
    _people_change(scenario, "pr", True, "2026-01-06")
    _approve_policy_change(scenario, "pr", "2026-01-07")
    assert _errors(scenario, base_ref="main", as_of=date(2026, 1, 8)) == []
    assert "policy-changed" in _errors(scenario, base_ref="main", as_of=date(2026, 1, 20))


# -- 6. stale forks ----------------------------------------------------------------------


def test_stale_fork_is_judged_with_the_base_tips_people(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    fork = scenario.repo.head()
    # Main revokes rafa's model-risk role after the branch forked.
    revoked = people_yaml(roles={"rafa": ["data-scientist"]})
    scenario.commit_as("alice", "Revoke rafa", {f"{RECORDS}/people.yaml": revoked}, "2026-01-21")
    scenario.repo.git("checkout", "-q", "-b", "pr", fork)
    scenario.signoff("rafa", "model-risk", day="2026-01-22")
    assert _errors(scenario) == []  # judged on its own, the branch's people allow it
    errors = _errors(scenario, base_ref="main")
    assert "role-not-held" in errors and "missing-signoff" in errors
    assert "policy-changed" not in errors  # the branch did not edit people.yaml


# -- 7. ambiguous base refs -------------------------------------------------------------


def test_tag_shadowing_the_remote_base_branch_is_refused(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.repo.git("update-ref", "refs/remotes/origin/main", scenario.repo.head())
    scenario.repo.git("checkout", "-q", "-b", "pr")
    granted = people_yaml(roles={"bob": ["data-scientist", "model-risk"]})
    scenario.commit_as("bob", "Grant myself", {f"{RECORDS}/people.yaml": granted}, "2026-01-21")
    scenario.signoff("bob", "model-risk", day="2026-01-22")
    # A tag named like the remote branch, pointing at the change itself.
    scenario.repo.git("tag", "origin/main", "HEAD")
    finding = _finding(scenario, Code.HISTORY_UNAVAILABLE, base_ref="origin/main")
    assert "ambiguous" in finding.message
    assert (
        "refs/tags/origin/main" in finding.message and "refs/remotes/origin/main" in finding.message
    )
    full = _errors(scenario, base_ref="refs/remotes/origin/main")
    assert "policy-changed" in full and "role-not-held" in full


# -- 3. configuration in the change under review ---------------------------------------

MKDOCS_YML = "site_name: Governance\nplugins:\n  - governance\n"


@pytest.fixture
def expiring_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    """A production version whose approvals (January 2026) expired after 30 days, with
    a mkdocs.yml on main; the working directory is the repository."""
    scenario = passing_production(tmp_path / "repo", policy=policy_yaml(signoff_max_age_days="30"))
    scenario.commit_as("alice", "Site", {"mkdocs.yml": MKDOCS_YML}, "2026-01-21")
    scenario.repo.git("checkout", "-q", "-b", "pr")
    monkeypatch.chdir(scenario.path)
    return scenario


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from mkdocs_governance.cli import main

    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_as_of_set_in_the_pull_request_is_judged_from_the_base(expiring_repo, capsys):
    pinned = "site_name: Governance\nplugins:\n  - governance:\n      as_of: 2026-02-01\n"
    expiring_repo.commit_as("bob", "Pin the date", {"mkdocs.yml": pinned}, "2026-01-22")
    code, out, err = _check(capsys)
    assert code == 0 and "WARNING: the gate judges dates as of 2026-02-01" in err
    code, out, _ = _check(capsys, "--base", "main")
    assert code == 1
    assert "policy-changed: This change sets `as_of`" in out
    assert "expired-signoff" in out


def test_records_dir_pointed_elsewhere_in_the_pull_request_is_judged_from_the_base(
    expiring_repo: Scenario, capsys
):
    # A policy of the change's own: no requirements, no provenance rules.
    lax = (
        "stages: [development, staging, production]\nchecks: {}\nrequirements: {}\n"
        "rules: {signoff_author_must_match: false, separation_of_duties: false}\n"
    )
    # The model and its data, without a single sign-off, judged by the lax policy.
    files = {
        f"other/{name}": (expiring_repo.path / RECORDS / name).read_text()
        for name in ("people.yaml", "models/credit-risk.yaml", "datasets/loans.yaml")
    }
    files["other/policy.yaml"] = lax
    files["mkdocs.yml"] = (
        "site_name: Governance\nplugins:\n  - governance:\n      records_dir: other\n"
    )
    expiring_repo.commit_as("bob", "Records of my own", files, "2026-01-22")
    code, out, _ = _check(capsys, "--base", "main", "--as-of", "2026-06-01")
    assert code == 1
    assert "policy-changed: This change sets `records_dir`" in out
    assert f"{RECORDS}/signoffs/" in out and "expired-signoff" in out


def test_symlinked_records_folder_is_refused(expiring_repo: Scenario, capsys):
    shutil.copytree(expiring_repo.path / RECORDS, expiring_repo.path / "mine")
    (expiring_repo.path / "mine" / "policy.yaml").write_text(
        policy_yaml(signoff_max_age_days="3650")
    )
    expiring_repo.repo.git("rm", "-r", "-q", RECORDS)
    (expiring_repo.path / RECORDS).symlink_to("mine", target_is_directory=True)
    expiring_repo.commit_as("bob", "Link the records", {}, "2026-01-22")
    code, _, err = _check(capsys)
    assert code == 2
    assert f"`{RECORDS}` is a symbolic link" in err


# -- 2. model fields that shape requirements -------------------------------------------


def _high_risk_production(path: Path) -> Scenario:
    """A high-risk production version (two model-risk approvals) that only mira approved."""
    scenario = Scenario.create(path, stage="staging", risk_tier="high")
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    scenario.verification("fairness-audit", day="2026-01-15")
    scenario.signoff("mira", "model-risk", day="2026-01-18")
    scenario.signoff("pia", "product-owner", day="2026-01-19")
    scenario.edit_model(author="lena", day="2026-01-20", stage="production")
    return scenario


def test_lowering_the_risk_tier_makes_earlier_approvals_stale(tmp_path: Path):
    scenario = _high_risk_production(tmp_path / "r")
    assert _errors(scenario) == ["missing-signoff"]  # 1 of 2 model-risk approvals
    scenario.edit_model(author="bob", day="2026-01-21", risk_tier="medium")
    errors = _errors(scenario)
    assert "stale-signoff" in errors and "missing-signoff" in errors
    finding = _finding(scenario, Code.STALE_SIGNOFF)
    assert "risk_tier was lowered from high to medium" in finding.message
    # Fresh approvals by the roles that approve the version, given after the change, pass.
    scenario.signoff("mira", "model-risk", day="2026-01-22", name="risk-again")
    scenario.signoff("pia", "product-owner", day="2026-01-22", name="po-again")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-22", name="lead-again")
    assert _errors(scenario) == []


def test_raising_the_risk_tier_keeps_approvals(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    scenario.signoff("mira", "model-risk", day="2026-01-21")
    scenario.signoff("rafa", "model-risk", day="2026-01-21", name="second")
    scenario.edit_model(author="bob", day="2026-01-22", risk_tier="high")
    assert _errors(scenario) == []


def test_changing_the_owner_makes_earlier_approvals_stale(staging_repo: Scenario, tmp_path: Path):
    scenario = staging_repo.copy(tmp_path / "repo")
    model_file = f"{RECORDS}/models/credit-risk.yaml"
    scenario.signoff("mira", "model-risk", day="2026-01-21")
    assert _errors(scenario) == []
    # Bob moves ownership away from alice, so that she may approve as product owner.
    text = (scenario.path / model_file).read_text().replace("owner: alice", "owner: duo")
    scenario.commit_as("bob", "New owner", {model_file: text}, "2026-01-22")
    scenario.signoff("alice", "product-owner", day="2026-01-23")
    errors = _errors(scenario)
    assert "stale-signoff" in errors
    messages = [f.message for f in scenario.run().report.findings if f.code == "stale-signoff"]
    assert any("owner was changed from alice to duo" in m for m in messages)


# -- the approver who lost the role ------------------------------------------------------


def test_approval_by_someone_who_lost_the_role_stops_blocking_once_others_fill_the_slot(
    staging_repo: Scenario, tmp_path: Path
):
    scenario = staging_repo.copy(tmp_path / "repo")
    mira = scenario.signoff("mira", "model-risk", day="2026-01-21")
    assert _errors(scenario) == []
    # Mira moves to another team: model-risk is revoked.
    revoked = people_yaml(roles={"mira": ["data-scientist"]})
    scenario.commit_as("alice", "Mira moves", {f"{RECORDS}/people.yaml": revoked}, "2026-01-22")
    assert _errors(scenario) == ["missing-signoff", "role-not-held"]
    scenario.signoff("rafa", "model-risk", day="2026-01-23")
    run = scenario.run()
    assert run.report.passed
    (held,) = [f for f in run.report.findings if f.code == Code.ROLE_NOT_HELD]
    assert held.file == mira and not held.is_error
    assert "counts for nothing" in held.message


def test_gate_off_in_the_pull_request_does_not_silence_the_preview_build(
    staging_repo: Scenario, tmp_path: Path
):
    scenario = staging_repo.copy(tmp_path / "repo")  # lacks the model-risk approval
    site = (
        "site_name: Governance\ntheme: mkdocs\nplugins:\n  - governance:\n"
        "      base_ref: !ENV [GOVERNANCE_BASE_REF, null]\n"
    )
    scenario.commit_as(
        "alice", "Site", {"mkdocs.yml": site, "docs/index.md": "# Home\n"}, "2026-01-21"
    )
    scenario.repo.git("checkout", "-q", "-b", "pr")
    silenced = site + "      gate: off\n"
    scenario.commit_as("bob", "Quiet please", {"mkdocs.yml": silenced}, "2026-01-22")
    mkdocs = Path(sys.executable).parent / "mkdocs"

    def build(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(mkdocs), "build", "-q", "-d", str(tmp_path / "site")],
            cwd=scenario.path,
            env={**scenario.repo.env, **env, "NO_MKDOCS_2_WARNING": "1"},
            capture_output=True,
            text=True,
            check=False,
        )

    assert build().returncode == 0  # no base: the branch's own configuration
    preview = build(GOVERNANCE_BASE_REF="main")
    assert preview.returncode == 1
    assert "policy-changed" in preview.stderr and "`gate`" in preview.stderr
    assert "missing-signoff" in preview.stderr
