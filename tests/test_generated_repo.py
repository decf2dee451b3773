"""The benchmark generator writes a realistic repository: every record valid, real
provenance, and exactly its deliberate findings (scripts/generate_repo.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scripts.generate_repo import deliberate_findings, generate_repo

from mkdocs_governance.core import run_governance

pytestmark = pytest.mark.xdist_group("generated-repo")


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_repo(
        tmp_path_factory.mktemp("gen") / "repo", commits=900, files=200, authors=8, seed=11
    )


def _check(repo: Path) -> tuple[int, list[dict]]:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", "check", "--format", "json"],
        cwd=repo, capture_output=True, text=True, check=False,
    )  # fmt: skip
    data = json.loads(result.stdout)
    return result.returncode, data["findings"]


def test_a_small_generated_repo_has_exactly_its_deliberate_findings(small_repo: Path) -> None:
    status, findings = _check(small_repo)
    assert status == 1  # the deliberate findings are errors
    reported = sorted((f["code"], f["subject"]) for f in findings)
    expected = deliberate_findings(small_repo)
    assert reported == expected
    codes = {code for code, _ in expected}
    assert codes == {
        "failed-check", "unverified-signoff", "missing-signoff", "unknown-reference",
        "stale-signoff", "stale-check",
    }  # fmt: skip
    assert all(f["severity"] == "error" for f in findings)


def test_generated_records_are_all_loaded_with_versions_and_provenance(small_repo: Path) -> None:
    run = run_governance(small_repo / "governance_records")
    registry = run.registry
    record_files = [p for p in (small_repo / "governance_records").rglob("*.yaml")]
    invalid = [f for f in run.report.findings if f.code == "invalid-record"]
    assert not invalid
    # Every record file is in the registry (none dropped as invalid).
    loaded = {m.location.file for m in registry.models.values()}
    loaded |= {d.location.file for d in registry.datasets.values()}
    loaded |= {e.location.file for e in registry.experiments.values()}
    loaded |= {s.location.file for s in registry.signoffs}
    loaded |= {v.location.file for v in registry.verifications}
    assert len(loaded) == len(record_files) - 2  # people.yaml and policy.yaml
    assert len(registry.models) >= 4
    versions = registry.versions()
    assert len(versions) > len(registry.models)  # several versions per model
    assert {v.stage for v in versions} == {"development", "staging", "production"}
    assert all(v.metrics for v in versions)
    # Sign-offs are committed by their approvers (except the deliberate one).
    people = {p.id: p for p in registry.people.values()}
    by_approver = 0
    for signoff in registry.signoffs:
        created = run.history.files[signoff.location.file].created_by
        assert created is not None
        commit = run.history.commit(created.sha)
        assert commit is not None
        by_approver += commit.author_email in people[signoff.approver].emails
    assert by_approver == len(registry.signoffs) - 1
