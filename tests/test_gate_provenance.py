"""Version provenance from Git: who changed a version's content, and when it was created.

The gate reads every revision of the model files (one ``cat-file --batch``) to tell
which commit created each version and which commits changed its content (its entry
minus ``stage``). ``separation-of-duties`` then flags an approver who made the latest
content change, and ``implausible-date`` judges dates against the commit that created
the version, not the one that created its model file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.findings import Code
from mkdocs_governance.history import read_history
from mkdocs_governance.history.provenance import derive_provenance, read_model_revisions
from mkdocs_governance.policy import evaluate
from mkdocs_governance.records import load_registry
from mkdocs_governance.records.digest import registry_digest
from tests.gitrepo import GitRepo
from tests.scenario import (
    AS_OF,
    KEY,
    MODEL_FILE,
    RECORDS,
    Scenario,
    identity,
    model_yaml,
    passing_production,
)

NEW_KEY = "credit-risk@2.2"


def findings_of(scenario: Scenario, code: str):
    return [f for f in scenario.run().report.findings if f.code == code]


def provenance_of(path: Path):
    registry = load_registry(path / RECORDS, repo_root=path).registry
    history = read_history(path, [RECORDS])
    revisions = read_model_revisions(path, history, f"{RECORDS}/models")
    model_ids = {m.location.file: m.id for m in registry.models.values()}
    return history, derive_provenance(history, revisions, model_ids)


def version_entry(version: str, *, stage: str, author: str, created: str, auc: float) -> str:
    """A second version entry, appended to the credit-risk model file."""
    return (
        f'  - version: "{version}"\n'
        f"    created: {created}\n"
        f"    stage: {stage}\n"
        f"    author: {author}\n"
        "    artifact:\n"
        f"      uri: s3://models/credit-risk/{version}/model.pkl\n"
        "      sha256: " + "cd" * 32 + "\n"
        "    datasets: [loans]\n"
        "    metrics:\n"
        f"      auc: {auc}\n"
    )


def signoff_of(
    scenario: Scenario, key: str, approver: str, role: str, stage: str, day: str, commit_day: str
) -> str:
    """Write a sign-off of ``key`` dated ``day``; commit it as the approver on ``commit_day``."""
    model, version = key.split("@")
    registry = load_registry(scenario.path / RECORDS, repo_root=scenario.path).registry
    path = f"{RECORDS}/signoffs/{model}/{version}/{stage}-{role}-{approver}.yaml"
    text = (
        f'model: {model}\nversion: "{version}"\nstage: {stage}\napprover: {approver}\n'
        f"role: {role}\ndecision: approved\ndate: {day}\n"
        f"subject: {registry_digest(registry, key)}\n"
    )
    scenario.commit_as(approver, f"Sign off {key}", {path: text}, commit_day)
    return path


# -- separation of duties: the Git author of the version's content ------------------------


def test_approver_who_committed_a_metric_change_violates_separation(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="staging")
    # Lena is neither the declared author (bob) nor the owner (alice), but she wrote
    # the metrics the version now has.
    changed = scenario.edit_model(author="lena", day="2026-01-08", metrics={"auc": 0.86})
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    assert scenario.codes() == ["missing-signoff", "separation-of-duties"]
    (finding,) = findings_of(scenario, Code.SEPARATION_OF_DUTIES)
    assert finding.file.endswith("staging-ml-lead-lena.yaml")
    assert "latest change to the content of credit-risk@2.1" in finding.message
    assert changed[:10] in finding.message and "lena@bank.example" in finding.message


def test_metric_change_by_someone_else_leaves_the_approval_valid(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="staging")
    scenario.edit_model(author="bob", day="2026-01-08", metrics={"auc": 0.86})
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    assert scenario.codes() == []


def test_only_the_latest_content_change_counts(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="staging")
    scenario.edit_model(author="lena", day="2026-01-07", metrics={"auc": 0.86})
    # Bob reworks the metrics after Lena: the content is his now.
    scenario.edit_model(author="bob", day="2026-01-08", metrics={"auc": 0.87})
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    assert scenario.codes() == []


def test_approver_who_only_promoted_the_version_passes(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="development")
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    # A commit that changes only `stage:` is a promotion, not a change of content.
    scenario.edit_model(author="lena", day="2026-01-13", stage="staging")
    assert scenario.codes() == []


def test_approver_who_edited_the_model_card_elsewhere_passes(tmp_path: Path):
    scenario = passing_production(tmp_path / "r")
    text = (scenario.path / MODEL_FILE).read_text()
    edited = text.replace("Corporate lending.", "Corporate and SME lending.")
    assert edited != text
    edited += version_entry(
        "2.2", stage="development", author="mira", created="2026-01-21", auc=0.9
    )
    # Mira (model-risk approver of 2.1) edits the card and adds another version.
    scenario.commit_as("mira", "Card wording, add 2.2", {MODEL_FILE: edited}, "2026-01-21")
    run = scenario.run()
    assert run.report.passed, [f.format_line() for f in run.report.findings]


def test_provenance_follows_the_real_parents_across_a_merge(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="development")
    repo = scenario.repo
    repo.git("checkout", "-q", "-b", "feature")
    feature = scenario.edit_model(author="bob", day="2026-01-08", metrics={"auc": 0.86})
    repo.git("checkout", "-q", "main")
    # Meanwhile on main: Lena promotes (stage only), on the older metrics.
    scenario.model_options["metrics"] = {"auc": 0.84}
    scenario.edit_model(author="lena", day="2026-01-09", stage="staging")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature",
        "feature",
        env={
            "GIT_AUTHOR_NAME": identity("alice")[0],
            "GIT_AUTHOR_EMAIL": identity("alice")[1],
            "GIT_AUTHOR_DATE": "2026-01-10T10:00:00+00:00",
            "GIT_COMMITTER_NAME": identity("alice")[0],
            "GIT_COMMITTER_EMAIL": identity("alice")[1],
            "GIT_COMMITTER_DATE": "2026-01-10T10:00:00+00:00",
        },
    )
    text = (scenario.path / MODEL_FILE).read_text()
    assert "stage: staging" in text and "auc: 0.86" in text
    history, provenance = provenance_of(scenario.path)
    created = history.file(MODEL_FILE).created_by.sha
    # Neither Lena's promotion (compared with its own parent) nor Alice's merge (which
    # takes the feature's entry as it is) changed the content: Bob's commit did.
    assert provenance[KEY].content_commits == (feature, created)
    assert provenance[KEY].created_sha == created


# -- implausible dates: the commit that created the version -----------------------------------


def added_version_scenario(
    path: Path, signoff_day: str, verification_day: str = "2026-01-21"
) -> tuple[Scenario, str]:
    """credit-risk@2.2 is added on 2026-01-20 to the model file first committed on
    2026-01-05; CI verifies it (dated ``verification_day``) and Lena signs its staging
    off (dated ``signoff_day``), both committed on 2026-01-21."""
    scenario = Scenario.create(path, stage="development")
    text = (scenario.path / MODEL_FILE).read_text()
    entry = version_entry("2.2", stage="staging", author="bob", created="2026-01-04", auc=0.9)
    scenario.commit_as("bob", "Add credit-risk 2.2", {MODEL_FILE: text + entry}, "2026-01-20")
    verification = f"{RECORDS}/verifications/credit-risk/2.2/data-validation.yaml"
    registry = load_registry(scenario.path / RECORDS, repo_root=scenario.path).registry
    scenario.repo.commit(
        "Verify 2.2",
        files={
            verification: 'model: credit-risk\nversion: "2.2"\ncheck: data-validation\n'
            f"status: passed\ndate: {verification_day}\nperformed_by: pipeline:ci\n"
            f"subject: {registry_digest(registry, NEW_KEY)}\n"
        },
        author=("CI Pipeline", "ci@bank.example"),
        date="2026-01-21T09:00:00+00:00",
    )
    signoff = signoff_of(scenario, NEW_KEY, "lena", "ml-lead", "staging", signoff_day, "2026-01-21")
    return scenario, signoff


def test_signoff_dated_before_the_commit_that_added_the_version_is_implausible(tmp_path: Path):
    scenario, signoff = added_version_scenario(tmp_path / "r", "2026-01-10")
    assert scenario.codes() == ["implausible-date", "missing-signoff"]
    (finding,) = findings_of(scenario, Code.IMPLAUSIBLE_DATE)
    assert finding.file == signoff and finding.subject == NEW_KEY
    assert "before the commit that added credit-risk@2.2" in finding.message
    assert "2026-01-20" in finding.message and "bob@bank.example" in finding.message


def test_signoff_dated_after_the_commit_that_added_the_version_passes(tmp_path: Path):
    scenario, _ = added_version_scenario(tmp_path / "r", "2026-01-21")
    assert scenario.codes() == []


def test_verification_dated_before_the_commit_that_added_the_version_is_implausible(
    tmp_path: Path,
):
    scenario, _ = added_version_scenario(tmp_path / "r", "2026-01-21", "2026-01-12")
    (finding,) = findings_of(scenario, Code.IMPLAUSIBLE_DATE)
    assert finding.file.endswith("2.2/data-validation.yaml") and finding.is_error
    assert "This verification is dated 2026-01-12" in finding.message


def test_version_creation_survives_a_rename_of_the_model_file(tmp_path: Path):
    scenario, _ = added_version_scenario(tmp_path / "r", "2026-01-21")
    renamed = f"{RECORDS}/models/credit-risk-scorecard.yaml"
    scenario.repo.move(MODEL_FILE, renamed)
    text = (scenario.path / renamed).read_text()
    scenario.commit_as("alice", "Rename the model file", {renamed: text}, "2026-01-22")
    _history, provenance = provenance_of(scenario.path)
    # The model id stays `credit-risk` (written in the file); 2.2 was still created on the 20th.
    assert provenance[NEW_KEY].created_at.date().isoformat() == "2026-01-20"
    assert provenance[KEY].created_at.date().isoformat() == "2026-01-05"
    assert len(provenance[NEW_KEY].content_commits) == 1


def test_broken_revision_is_not_taken_for_a_new_version(tmp_path: Path):
    scenario = Scenario.create(tmp_path / "r", stage="development")
    scenario.commit_as("lena", "Break it", {MODEL_FILE: "id: [unclosed\n"}, "2026-01-06")
    scenario.commit_as("lena", "Fix it", {MODEL_FILE: model_yaml("development")}, "2026-01-07")
    _history, provenance = provenance_of(scenario.path)
    # The fix restores the entry Bob wrote: no new creation, no content change by Lena.
    assert provenance[KEY].created_at.date().isoformat() == "2026-01-05"
    assert len(provenance[KEY].content_commits) == 1


@pytest.mark.parametrize("with_provenance", [True, False])
def test_git_authors_are_compared_only_with_provenance(tmp_path: Path, with_provenance: bool):
    scenario = Scenario.create(tmp_path / "r", stage="staging")
    scenario.edit_model(author="lena", day="2026-01-08", metrics={"auc": 0.86})
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    registry = load_registry(scenario.path / RECORDS, repo_root=scenario.path).registry
    history, provenance = provenance_of(scenario.path)
    report = evaluate(
        registry,
        history,
        as_of=AS_OF,
        provenance=provenance if with_provenance else None,
    )
    codes = {f.code for f in report.findings}
    assert (Code.SEPARATION_OF_DUTIES in codes) is with_provenance


def test_model_revisions_are_read_by_one_git_process(tmp_path: Path, monkeypatch):
    from mkdocs_governance.history import gitcmd, provenance

    scenario = passing_production(tmp_path / "r")
    history = read_history(scenario.path, [RECORDS])
    calls: list[list[str]] = []
    original = gitcmd.GitRunner.run

    def spy(self, args, **kwargs):
        calls.append(list(args))
        return original(self, args, **kwargs)

    monkeypatch.setattr(gitcmd.GitRunner, "run", spy)
    provenance._CACHE._entries.clear()
    revisions = read_model_revisions(scenario.path, history, f"{RECORDS}/models")
    assert [c[0] for c in calls] == ["cat-file"]
    assert revisions.blobs  # every revision of the model file, and its parents
    read_model_revisions(scenario.path, history, f"{RECORDS}/models")
    assert len(calls) == 1  # the same HEAD: answered from the cache


def test_blobs_at_revisions_and_parents_are_read_by_name(git_repo: GitRepo):
    # Absent pairs (no parent, no such file, a folder) are left out.
    from mkdocs_governance.history.blobs import read_blobs_at

    first = git_repo.commit("one", files={"a b.yaml": "x: 1\n"})
    second = git_repo.commit("two", files={"a b.yaml": "x: 2\n"}, date="2026-01-16T10:00:00Z")
    blobs = read_blobs_at(
        git_repo.path,
        [(first, "a b.yaml"), (second, "a b.yaml"), (f"{second}^1", "a b.yaml"),
         (f"{first}^1", "a b.yaml"), (second, "missing.yaml"), (second, "")],
    )  # fmt: skip
    assert blobs == {
        (first, "a b.yaml"): b"x: 1\n",
        (second, "a b.yaml"): b"x: 2\n",
        (f"{second}^1", "a b.yaml"): b"x: 1\n",
    }
