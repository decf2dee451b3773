"""Commit signatures: checked only when asked, only for sign-off and verification
commits, and a missing tool is an error naming it, never "unsigned"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mkdocs_governance.history import read_history
from mkdocs_governance.history.model import SignatureStatus
from tests.gitrepo import GitRepo, setup_gpg_signing, setup_ssh_signing, stop_gpg_agent

ALICE = ("Alice Approver", "alice@bank.example")
RECORDS = "governance_records"
SIGNOFF = f"{RECORDS}/signoffs/churn-1.2-production.yaml"


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A throwaway HOME for keys; its gpg-agent is stopped afterwards."""
    folder = tmp_path / "home"
    folder.mkdir()
    yield folder
    stop_gpg_agent(folder)


def logging_git(tmp_path: Path) -> tuple[str, Path]:
    """A git wrapper that records each invocation's arguments, one per line."""
    log = tmp_path / "git-calls.log"
    wrapper = tmp_path / "git-logging"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec git "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper), log


def test_gpg_signed_signoff_commit_reads_good_with_key_and_fingerprint(
    git_repo: GitRepo, home: Path
) -> None:
    fingerprint = setup_gpg_signing(git_repo, home, name=ALICE[0], email=ALICE[1])
    sha = git_repo.commit(
        "sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE, sign=fingerprint
    )
    history = read_history(git_repo.path, [RECORDS], signatures=True, env=git_repo.env)
    assert history.available, history.problems
    signature = history.commits[sha].signature
    assert signature is not None and signature.status == SignatureStatus.GOOD and signature.is_good
    assert signature.fingerprint == fingerprint
    assert signature.key == fingerprint[-16:]
    assert ALICE[1] in signature.signer
    assert history.signatures_checked


def test_ssh_signed_signoff_commit_reads_good_with_fingerprint(
    git_repo: GitRepo, home: Path
) -> None:
    key_path, fingerprint = setup_ssh_signing(git_repo, home, email=ALICE[1])
    sha = git_repo.commit(
        "sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE, sign=str(key_path)
    )
    history = read_history(git_repo.path, [RECORDS], signatures=True, env=git_repo.env)
    assert history.available, history.problems
    signature = history.commits[sha].signature
    assert signature is not None and signature.status == SignatureStatus.GOOD
    assert signature.fingerprint == fingerprint and fingerprint.startswith("SHA256:")
    assert signature.signer == ALICE[1]


def test_ssh_signatures_without_allowed_signers_file_are_unavailable_not_unsigned(
    git_repo: GitRepo, home: Path
) -> None:
    key_path, _ = setup_ssh_signing(git_repo, home, email=ALICE[1], allowed_signers=False)
    git_repo.commit(
        "sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE, sign=str(key_path)
    )
    history = read_history(git_repo.path, [RECORDS], signatures=True, env=git_repo.env)
    assert not history.available
    (problem,) = history.problems
    assert problem.code == "history-unavailable"
    assert "allowedSignersFile" in problem.message and "SSH" in problem.message


def test_gpg_signatures_with_gpg_missing_are_unavailable_naming_gpg(
    git_repo: GitRepo, home: Path
) -> None:
    fingerprint = setup_gpg_signing(git_repo, home, name=ALICE[0], email=ALICE[1])
    git_repo.commit(
        "sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE, sign=fingerprint
    )
    git_repo.git("config", "gpg.program", "/nonexistent/gpg")
    history = read_history(git_repo.path, [RECORDS], signatures=True, env=git_repo.env)
    assert not history.available
    assert "gpg" in history.problems[0].message and "not installed" in history.problems[0].message


def test_ssh_signatures_with_ssh_keygen_missing_are_unavailable_naming_it(
    git_repo: GitRepo, home: Path
) -> None:
    key_path, _ = setup_ssh_signing(git_repo, home, email=ALICE[1])
    git_repo.commit(
        "sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE, sign=str(key_path)
    )
    git_repo.git("config", "gpg.ssh.program", "/nonexistent/ssh-keygen")
    history = read_history(git_repo.path, [RECORDS], signatures=True, env=git_repo.env)
    assert not history.available
    assert "/nonexistent/ssh-keygen" in history.problems[0].message


def test_unsigned_signoff_commit_reads_unsigned(git_repo: GitRepo) -> None:
    sha = git_repo.commit("sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE)
    history = read_history(git_repo.path, [RECORDS], signatures=True, env=git_repo.env)
    assert history.available
    signature = history.commits[sha].signature
    assert signature is not None and signature.status == SignatureStatus.UNSIGNED


def test_only_commits_touching_signoffs_and_verifications_are_verified(
    git_repo: GitRepo, home: Path, tmp_path: Path
) -> None:
    fingerprint = setup_gpg_signing(git_repo, home, name=ALICE[0], email=ALICE[1])
    model = git_repo.commit(
        "model", files={f"{RECORDS}/models/churn.yaml": "id: churn\n"}, sign=fingerprint
    )
    signoff = git_repo.commit(
        "sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE, sign=fingerprint,
        date="2026-01-16T10:00:00Z",
    )  # fmt: skip
    git_executable, log = logging_git(tmp_path)
    history = read_history(
        git_repo.path, [RECORDS], signatures=True, env=git_repo.env, git_executable=git_executable
    )
    assert history.commits[signoff].signature.status == SignatureStatus.GOOD  # type: ignore[union-attr]
    assert history.commits[model].signature.status == SignatureStatus.NOT_CHECKED  # type: ignore[union-attr]
    verify_calls = [line for line in log.read_text().split("\n") if "%G?" in line]
    # One process for all verified commits, fed by stdin (no per-commit gpg pass).
    assert len(verify_calls) == 1 and "--stdin" in verify_calls[0]


def test_without_signatures_git_is_never_asked_for_signature_status(
    git_repo: GitRepo, home: Path, tmp_path: Path
) -> None:
    fingerprint = setup_gpg_signing(git_repo, home, name=ALICE[0], email=ALICE[1])
    sha = git_repo.commit("sign off", files={SIGNOFF: "decision: approved\n"}, sign=fingerprint)
    git_executable, log = logging_git(tmp_path)
    history = read_history(
        git_repo.path, [RECORDS], env=git_repo.env, git_executable=git_executable
    )
    assert history.available and not history.signatures_checked
    assert history.commits[sha].signature.status == SignatureStatus.NOT_CHECKED  # type: ignore[union-attr]
    calls = log.read_text()
    assert "%G" not in calls and "cat-file" not in calls


def test_gpg_signature_by_a_key_not_in_the_keyring_cannot_be_checked(
    git_repo: GitRepo, home: Path, tmp_path: Path
) -> None:
    fingerprint = setup_gpg_signing(git_repo, home, name=ALICE[0], email=ALICE[1])
    sha = git_repo.commit(
        "sign off", files={SIGNOFF: "decision: approved\n"}, author=ALICE, sign=fingerprint
    )
    empty = tmp_path / "empty-gnupg"
    empty.mkdir(mode=0o700)
    history = read_history(
        git_repo.path, [RECORDS], signatures=True, env={**git_repo.env, "GNUPGHOME": str(empty)}
    )
    assert history.available
    signature = history.commits[sha].signature
    # Signed, but the public key is missing: "cannot check", never "unsigned" or good.
    assert signature is not None and signature.status == SignatureStatus.CANNOT_CHECK
    assert not signature.is_good
