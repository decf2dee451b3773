"""``check`` in a working tree says what CI on a clean clone will say.

Each test leaves a real repository (``tests/scenario.py``) with record files that
differ from the last commit, runs the real CLI there, then makes a real fresh clone
(``git clone``, as CI does) and runs the CLI in it: the working tree's report must
name every differing file and the clone's verdict, and that verdict must be the one
the fresh clone really gets.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from mkdocs_governance.cli import main
from tests.gitrepo import isolated_git_env
from tests.scenario import MODEL_FILE, RECORDS, Scenario, model_yaml, passing_production

AS_OF = "2026-02-01"
FAIRNESS = f"{RECORDS}/verifications/credit-risk/2.1/fairness-audit.yaml"


@pytest.fixture(scope="module")
def production_repo(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return passing_production(tmp_path_factory.mktemp("committed") / "repo")


@pytest.fixture
def repo(production_repo: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    scenario = production_repo.copy(tmp_path / "repo")
    monkeypatch.chdir(scenario.path)
    return scenario


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _fresh_clone_check(
    repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> tuple[int, str, str]:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", str(repo.path), str(clone)],
        check=True,
        env=isolated_git_env(),
        capture_output=True,
    )
    monkeypatch.chdir(clone)
    return run_cli(capsys, "check", "--as-of", AS_OF)


def _uncommit(repo: Scenario, path: str) -> None:
    """Remove ``path`` from the last commit's tree but keep it on disk (untracked)."""
    repo.repo.git("rm", "--cached", "-q", path)
    repo.repo.git("commit", "-q", "-m", "Forget the fairness audit")


def test_an_untracked_verification_is_named_with_the_clean_clone_verdict(
    repo, tmp_path, capsys, monkeypatch
):
    _uncommit(repo, FAIRNESS)
    code, out, _ = run_cli(capsys, "check", "--as-of", AS_OF)
    assert code == 1, out  # CI would fail: so does check
    assert "WARNING: this verdict is not CI's." in out
    assert f"  {FAIRNESS}: untracked (never git add-ed)" in out
    assert "On a clean clone the gate failed: 1 error" in out
    assert f"git add {FAIRNESS} && git commit" in out

    clone_code, clone_out, _ = _fresh_clone_check(repo, tmp_path, capsys, monkeypatch)
    assert clone_code == 1
    (clone_error,) = [line for line in clone_out.splitlines() if ": missing-check: " in line]
    assert f"  {clone_error}" in out.splitlines()  # the very line CI prints


def test_a_record_hidden_by_gitignore_is_named(repo, tmp_path, capsys, monkeypatch):
    repo.repo.write(".gitignore", "fairness-audit.yaml\n")
    _uncommit(repo, FAIRNESS)
    code, out, _ = run_cli(capsys, "check", "--as-of", AS_OF)
    assert code == 1
    assert f"  {FAIRNESS}: ignored by .gitignore, never committed" in out
    assert _fresh_clone_check(repo, tmp_path, capsys, monkeypatch)[0] == 1


def test_an_uncommitted_demotion_passes_here_and_fails_on_a_clean_clone(
    repo, tmp_path, capsys, monkeypatch
):
    # Committed: production without the product owner's sign-off (fails). Working
    # tree: the version moved back to staging (passes). CI sees the commit.
    # Pia withdraws her own sign-off (only the approver may, since issue 9).
    repo.remove(f"{RECORDS}/signoffs/credit-risk/2.1/production-product-owner-pia.yaml")
    repo.repo.write(MODEL_FILE, model_yaml("staging"))
    code, out, _ = run_cli(capsys, "check", "--as-of", AS_OF)
    assert code == 1
    assert out.startswith("Governance gate passed: 0 errors")
    assert f"  {MODEL_FILE}: modified, not committed" in out
    assert "On a clean clone the gate failed" in out
    assert ": missing-signoff: [production] credit-risk@2.1 has 0 of 1" in out
    assert _fresh_clone_check(repo, tmp_path, capsys, monkeypatch)[0] == 1


def test_an_uncommitted_promotion_says_the_clean_clone_passes(repo, capsys):
    repo.repo.write(MODEL_FILE, model_yaml("staging"))
    repo.repo.commit("Back to staging", paths=[MODEL_FILE], date="2026-01-21T10:00:00+00:00")
    repo.remove(f"{RECORDS}/signoffs/credit-risk/2.1/production-product-owner-pia.yaml")
    repo.repo.write(MODEL_FILE, model_yaml("production"))  # try the promotion first
    code, out, _ = run_cli(capsys, "check", "--as-of", AS_OF)
    assert code == 1  # the promotion lacks a sign-off
    assert "On a clean clone the gate passed: 0 errors" in out
    assert f"  {MODEL_FILE}: modified, not committed" in out


def test_a_clean_working_tree_prints_only_the_report(repo, capsys):
    code, out, err = run_cli(capsys, "check", "--as-of", AS_OF)
    assert code == 0
    assert out == "Governance gate passed: 0 errors, 0 warnings.\n"
    # stderr carries only the pinned-date warning (issue 9: a past --as-of is loud).
    pinned = "WARNING: the gate judges dates as of 2026-02-01, "
    assert [line for line in err.splitlines() if not line.startswith(pinned)] == []


def test_an_edit_that_changes_no_verdict_gets_a_short_note(repo, capsys):
    path = f"{RECORDS}/people.yaml"
    repo.repo.write(path, (repo.path / path).read_text() + "# reviewed\n")
    code, out, _ = run_cli(capsys, "check", "--as-of", AS_OF)
    assert code == 0
    assert "note: 1 record file in this working tree differs from the last commit" in out
    assert f"  {path}: modified, not committed" in out
    assert "WARNING" not in out


def test_machine_formats_keep_stdout_clean_and_warn_on_stderr(repo, capsys):
    _uncommit(repo, FAIRNESS)
    code, out, err = run_cli(capsys, "check", "--as-of", AS_OF, "--format", "json")
    assert code == 1
    json.loads(out)
    assert "WARNING: this verdict is not CI's." in err and FAIRNESS in err


def test_records_never_committed_say_the_clean_clone_has_none(tmp_path, capsys, monkeypatch):
    repo = Scenario.create(tmp_path / "repo")
    repo.repo.git("rm", "-r", "-q", "--cached", RECORDS)
    repo.repo.write("README.md", "hello\n")
    repo.repo.commit("Only a readme", paths=["README.md"], date="2026-01-06T10:00:00+00:00")
    monkeypatch.chdir(repo.path)
    code, out, _ = run_cli(capsys, "check", "--as-of", AS_OF)
    assert code == 1
    assert f"HEAD has no {RECORDS}/ at all" in out
