"""Signed records: provenance that survives squash, rebase and cherry-pick (issue 9).

Real repositories, real ``ssh-keygen -Y`` and ``gpg`` keys in temporary homes, the real
``mkdocs-governance sign`` code path. A pull request carries Mira's production
approval; it is merged into ``main`` the four ways GitHub can (merge commit, squash,
rebase, fast-forward), and the gate judges ``main``.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mkdocs_governance.cli import main
from mkdocs_governance.findings import Code
from mkdocs_governance.signing_cli import sign_record_file
from tests.gitrepo import setup_gpg_signing, setup_ssh_signing, stop_gpg_agent
from tests.scenario import RECORDS, Scenario, identity, people_yaml, policy_yaml

GITHUB = ("GitHub", "noreply@github.com")
METHODS = ("merge", "squash", "rebase", "fast-forward")


def _env(person: tuple[str, str], day: str, committer: tuple[str, str] | None = None) -> dict:
    committer = committer or person
    when = f"{day}T16:00:00+00:00"
    return {
        "GIT_AUTHOR_NAME": person[0],
        "GIT_AUTHOR_EMAIL": person[1],
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": when,
    }


def merge_pull_request(scenario: Scenario, method: str, *, author: str = "bob") -> None:
    """Merge branch ``pr`` into ``main`` as GitHub's button does.

    ``author`` opened the pull request: GitHub makes them the author of a squash
    commit. Rebase re-creates each commit with GitHub as committer (authors kept,
    signatures dropped); merge commits are by the person who presses the button.
    """
    repo = scenario.repo
    repo.git("checkout", "-q", "main")
    if method == "merge":
        repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1", "pr",
                 env=_env(identity("alice"), "2026-01-25", GITHUB))  # fmt: skip
    elif method == "squash":
        repo.git("merge", "-q", "--squash", "pr")
        repo.git("commit", "-q", "-m", "Sign off credit-risk 2.1 (#1)",
                 env=_env(identity(author), "2026-01-25", GITHUB))  # fmt: skip
    elif method == "rebase":
        repo.git("checkout", "-q", "pr")
        repo.git("rebase", "-q", "--no-gpg-sign", "main", env=_env(GITHUB, "2026-01-25"))
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--ff-only", "pr")
    else:
        repo.git("merge", "-q", "--ff-only", "pr")


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    yield home
    stop_gpg_agent(home)


def _repository(path: Path, home: Path, *, method: str, **rules: str) -> tuple[Scenario, Path]:
    """A staging version promoted to production on ``main``, with every record but
    Mira's model-risk approval; mira's SSH key is registered. Main moves on after the
    branch ``pr`` forks (except for a fast-forward)."""
    scenario = Scenario.create(path, stage="staging", policy=policy_yaml(**rules))
    key_path, fingerprint = setup_ssh_signing(scenario.repo, home, email="mira@bank.example")
    people = people_yaml(keys={"mira": [fingerprint]})
    scenario.commit_as("alice", "Signing keys", {f"{RECORDS}/people.yaml": people}, "2026-01-06")
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    scenario.verification("fairness-audit", day="2026-01-15")
    scenario.signoff("pia", "product-owner", day="2026-01-19")
    scenario.edit_model(author="lena", day="2026-01-20", stage="production")
    scenario.repo.git("checkout", "-q", "-b", "pr")
    if method != "fast-forward":
        scenario.repo.git("checkout", "-q", "main")
        scenario.commit_as("alice", "Unrelated", {"NOTES.md": "main moves on\n"}, "2026-01-21")
        scenario.repo.git("checkout", "-q", "pr")
    return scenario, key_path


def _mira_approves(scenario: Scenario, key_path: Path | None, *, committed_by: str = "mira") -> str:
    """Mira's production approval on branch ``pr``, signed with ``key_path`` if given."""
    path = scenario.signoff("mira", "model-risk", day="2026-01-22", commit=False)
    if key_path is not None:
        sign_record_file(scenario.path / path, key=str(key_path), key_format="ssh")
    scenario.repo.commit(
        "Sign off credit-risk 2.1 for production",
        author=identity(committed_by),
        date="2026-01-22T12:00:00+00:00",
        paths=[path],
    )
    return path


def _errors(scenario: Scenario, **kwargs: object) -> list[str]:
    return sorted(f.code for f in scenario.run(**kwargs).report.findings if f.is_error)


@pytest.mark.parametrize("method", METHODS)
def test_signed_approval_passes_every_merge_method(method: str, tmp_path: Path, keys: Path):
    scenario, key_path = _repository(tmp_path / "r", keys, method=method)
    _mira_approves(scenario, key_path)
    assert _errors(scenario, base_ref="main") == []
    merge_pull_request(scenario, method)
    assert _errors(scenario) == []


@pytest.mark.parametrize("method", ("merge", "rebase", "fast-forward"))
def test_unsigned_approval_committed_by_the_approver_passes(method: str, tmp_path: Path, keys):
    scenario, _ = _repository(tmp_path / "r", keys, method=method)
    _mira_approves(scenario, None)
    merge_pull_request(scenario, method)
    assert _errors(scenario) == []


def test_unsigned_approval_is_unverified_after_a_squash_merge(tmp_path: Path, keys: Path):
    scenario, _ = _repository(tmp_path / "r", keys, method="squash")
    path = _mira_approves(scenario, None)
    merge_pull_request(scenario, "squash")
    findings = [f for f in scenario.run().report.findings if f.code == Code.UNVERIFIED_SIGNOFF]
    assert [f.file for f in findings] == [path]
    assert "Bob Builder" in findings[0].message and "--sign" in findings[0].message
    assert "--author" not in findings[0].message


@pytest.mark.parametrize("method", ("squash", "rebase"))
def test_signed_approval_passes_when_signed_commits_are_required(method: str, tmp_path, keys):
    scenario, key_path = _repository(
        tmp_path / "r", keys, method=method, require_signed_commits="true"
    )
    _mira_approves(scenario, key_path)
    merge_pull_request(scenario, method)
    run = scenario.run(signatures=True)
    # The other sign-offs were committed unsigned: only Mira's signed record is clean.
    mira = [f for f in run.report.findings if f.file and f.file.endswith("model-risk-mira.yaml")]
    assert mira == []


def test_record_signed_by_someone_elses_key_is_unverified(tmp_path: Path, keys: Path):
    scenario, _ = _repository(tmp_path / "r", keys, method="merge")
    # Bob has a key of his own, not registered for mira.
    other = tmp_path / "bob-key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob", "-f", str(other)], check=True
    )
    path = _mira_approves(scenario, other, committed_by="bob")
    merge_pull_request(scenario, "merge")
    (finding,) = [f for f in scenario.run().report.findings if f.code == Code.UNVERIFIED_SIGNOFF]
    assert finding.file == path
    assert "not among the signing_keys of Mira Risk (mira)" in finding.message


def test_signed_record_edited_after_signing_is_a_bad_signature(tmp_path: Path, keys: Path):
    scenario, key_path = _repository(tmp_path / "r", keys, method="merge")
    path = _mira_approves(scenario, key_path)
    # Bob adds a comment to Mira's signed approval, keeping her signature.
    text = (
        (scenario.path / path)
        .read_text()
        .replace("decision: approved", "decision: approved\ncomment: LGTM")
    )
    scenario.commit_as("bob", "Tidy", {path: text}, "2026-01-23")
    merge_pull_request(scenario, "merge")
    (finding,) = [f for f in scenario.run().report.findings if f.code == Code.UNVERIFIED_SIGNOFF]
    assert "does not match the record" in finding.message


def test_missing_ssh_keygen_is_a_clear_finding_not_unsigned(
    tmp_path: Path, keys: Path, monkeypatch: pytest.MonkeyPatch
):
    scenario, key_path = _repository(tmp_path / "r", keys, method="merge")
    _mira_approves(scenario, key_path, committed_by="bob")
    merge_pull_request(scenario, "merge")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    monkeypatch.setenv("PATH", str(bin_dir))
    (finding,) = [f for f in scenario.run().report.findings if f.code == Code.UNVERIFIED_SIGNOFF]
    assert "ssh-keygen is not installed" in finding.message


def test_required_record_signatures_refuse_an_unsigned_record(tmp_path: Path, keys: Path):
    scenario, _ = _repository(tmp_path / "r", keys, method="merge", record_signatures="required")
    path = _mira_approves(scenario, None)
    merge_pull_request(scenario, "merge")
    findings = [f for f in scenario.run().report.findings if f.code == Code.UNVERIFIED_SIGNOFF]
    assert path in [f.file for f in findings]
    assert "record_signatures: required" in findings[0].message


def test_gpg_signed_record_passes_a_squash_and_an_unknown_key_is_named(
    tmp_path: Path, keys: Path, monkeypatch: pytest.MonkeyPatch
):
    scenario, _ = _repository(tmp_path / "r", keys, method="squash")
    gpg_home = tmp_path / "gpg"
    fingerprint = setup_gpg_signing(
        scenario.repo, gpg_home, name="Mira Risk", email="mira@bank.example"
    )
    try:
        scenario.repo.git("checkout", "-q", "main")
        people = people_yaml(keys={"mira": [fingerprint[-16:]]})
        scenario.commit_as(
            "alice", "Mira's GPG key", {f"{RECORDS}/people.yaml": people}, "2026-01-21"
        )
        scenario.repo.git("checkout", "-q", "pr")
        monkeypatch.setenv("GNUPGHOME", scenario.repo.env["GNUPGHOME"])
        path = scenario.signoff("mira", "model-risk", day="2026-01-22", commit=False)
        sign_record_file(scenario.path / path, key=fingerprint, key_format="openpgp")
        assert "-----BEGIN PGP SIGNATURE-----" in (scenario.path / path).read_text()
        scenario.repo.commit(
            "Sign off", author=identity("mira"), date="2026-01-22T12:00:00+00:00", paths=[path]
        )
        merge_pull_request(scenario, "squash")
        assert _errors(scenario) == []
        # Where the gate runs without Mira's public key, the signature cannot be checked.
        empty = tmp_path / "empty-gnupg"
        empty.mkdir(mode=0o700)
        monkeypatch.setenv("GNUPGHOME", str(empty))
        (finding,) = [
            f for f in scenario.run().report.findings if f.code == Code.UNVERIFIED_SIGNOFF
        ]
        assert "is not in the keyring" in finding.message
    finally:
        stop_gpg_agent(gpg_home)


def test_signoff_sign_writes_a_signed_record_through_the_cli(
    tmp_path: Path, keys: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    scenario, _key_path = _repository(tmp_path / "r", keys, method="squash")
    scenario.repo.git("config", "user.email", "mira@bank.example")
    monkeypatch.chdir(scenario.path)
    code = main(
        ["signoff", "credit-risk@2.1", "--stage", "production", "--role", "model-risk",
         "--decision", "approved", "--date", "2026-01-22", "--sign"]
    )  # fmt: skip
    _out, err = capsys.readouterr()
    assert code == 0, err
    (written,) = list((scenario.path / RECORDS / "signoffs").rglob("*mira*.yaml"))
    assert "-----BEGIN SSH SIGNATURE-----" in written.read_text()
    scenario.repo.commit("Sign off", author=identity("bob"), date="2026-01-22T12:00:00+00:00")
    merge_pull_request(scenario, "squash")
    assert _errors(scenario) == []


def test_signed_verification_and_waiver_count_whoever_commits_them(tmp_path: Path, keys: Path):
    """The CI pipeline signs its result, Mira signs her waiver; Bob commits both."""
    scenario = Scenario.create(tmp_path / "r", stage="staging")
    ci_key, ci_fingerprint = setup_ssh_signing(scenario.repo, keys, email="ci@bank.example")
    mira_key = tmp_path / "mira-key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mira", "-f", str(mira_key)],
        check=True,
    )
    mira_fingerprint = subprocess.run(
        ["ssh-keygen", "-l", "-f", f"{mira_key}.pub"], check=True, capture_output=True, text=True
    ).stdout.split()[1]
    people = people_yaml(keys={"pipeline:ci": [ci_fingerprint], "mira": [mira_fingerprint]})
    scenario.commit_as("alice", "Keys", {f"{RECORDS}/people.yaml": people}, "2026-01-06")
    check = scenario.verification("data-validation", day="2026-01-10", committed_by="bob")
    assert "unverified-check" in _errors(scenario)
    sign_record_file(scenario.path / check, key=str(ci_key), key_format="ssh")
    scenario.commit_as("bob", "Signed by CI", {}, "2026-01-11")
    assert "unverified-check" not in _errors(scenario)
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    waiver = scenario.verification(
        "fairness-audit",
        "waived",
        day="2026-01-15",
        waiver={"approved_by": "mira", "reason": "Audit booked.", "expires": "2026-06-30"},
        committed_by="bob",
    )
    scenario.signoff("mira", "model-risk", day="2026-01-18")
    scenario.signoff("pia", "product-owner", day="2026-01-19")
    scenario.edit_model(author="lena", day="2026-01-20", stage="production")
    assert _errors(scenario) == ["invalid-waiver"]
    sign_record_file(scenario.path / waiver, key=str(mira_key), key_format="ssh")
    scenario.commit_as("bob", "Signed by Mira", {}, "2026-01-21")
    assert _errors(scenario) == []
