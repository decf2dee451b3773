"""Sign-offs that arrive through a merge commit keep their approver's provenance.

Pull requests are usually merged with a merge commit (``--no-ff``): the merge's
first-parent diff "adds" every record the branch added, authored by whoever merged.
The gate must credit the side commit's author, and still catch a merge that changed
a record's content on its own (an "evil merge").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.findings import Code
from mkdocs_governance.history import read_history
from tests.scenario import RECORDS, Scenario, identity, passing_production


@pytest.fixture(scope="module")
def production_repo(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return passing_production(tmp_path_factory.mktemp("merges") / "base")


def _merge_as(scenario: Scenario, person: str, branch: str, day: str, *, edit: dict | None = None):
    """Merge ``branch`` into main with a merge commit authored and committed by ``person``."""
    name, mail = identity(person)
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": mail,
        "GIT_AUTHOR_DATE": f"{day}T15:00:00+00:00",
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": mail,
        "GIT_COMMITTER_DATE": f"{day}T15:00:00+00:00",
    }
    scenario.repo.git("checkout", "-q", "main")
    if edit is None:
        scenario.repo.git("merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch, env=env)
        return
    scenario.repo.git("merge", "-q", "--no-ff", "--no-commit", branch, env=env)
    for path, text in edit.items():
        scenario.repo.write(path, text)
        scenario.repo.git("add", path)
    scenario.repo.git("commit", "-q", "-m", f"Merge {branch}", env=env)


def _branch_with_signoff(scenario: Scenario) -> str:
    """On a branch ``pr``: rafa adds a production sign-off; main moves on meanwhile."""
    scenario.repo.git("checkout", "-q", "-b", "pr")
    path = scenario.signoff("rafa", "model-risk", day="2026-01-22")
    scenario.repo.git("checkout", "-q", "main")
    scenario.commit_as("alice", "Unrelated note", {"NOTES.md": "main moves on\n"}, "2026-01-23")
    return path


def test_signoff_merged_by_someone_else_keeps_its_approver(
    production_repo: Scenario, tmp_path: Path
):
    scenario = production_repo.copy(tmp_path / "repo")
    path = _branch_with_signoff(scenario)
    _merge_as(scenario, "lena", "pr", "2026-01-24")

    history = read_history(scenario.path, [RECORDS])
    merge_change = history.file(path).changes[0]
    assert history.commit(merge_change.sha).is_merge
    assert merge_change.merged_unchanged

    run = scenario.run()
    assert [f for f in run.report.findings if f.is_error] == []


def test_merge_that_rewrites_a_signoff_is_an_edit_by_the_merger(
    production_repo: Scenario, tmp_path: Path
):
    scenario = production_repo.copy(tmp_path / "repo")
    path = _branch_with_signoff(scenario)
    rewritten = scenario.repo.git("show", f"pr:{path}") + "comment: looks fine to me\n"
    _merge_as(scenario, "lena", "pr", "2026-01-24", edit={path: rewritten})

    history = read_history(scenario.path, [RECORDS])
    assert not history.file(path).changes[0].merged_unchanged

    unverified = [f for f in scenario.run().report.findings if f.code == Code.UNVERIFIED_SIGNOFF]
    assert [f.file for f in unverified] == [path]
    assert "Lena Lead" in unverified[0].message or "lena" in unverified[0].message
