"""``mkdocs-governance diff`` run as users run it: the console script, in a real clone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.changes_scenario import (
    ADA,
    MIA,
    MODEL,
    PRODUCTION_SIGNOFF,
    STAGING_SIGNOFF,
    build_base,
    digest,
    model_yaml,
    signoff_yaml,
)
from tests.gitrepo import GitRepo

CLI = Path(sys.executable).parent / "mkdocs-governance"


MKDOCS_YML = (
    "site_name: t\nplugins:\n  - governance:\n      records_dir: governance_records\n"
    "      as_of: 2026-03-01\n"
)


def cli(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args], cwd=repo.path, env=repo.env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def clone(tmp_path: Path) -> GitRepo:
    """A CI-like clone: the base lives on the remote as ``origin/main``; HEAD is the PR."""
    upstream = build_base(tmp_path / "upstream")
    upstream.git("checkout", "-q", "main")
    # The site's configuration is the base's: a pull request that pins `as_of` or moves
    # `records_dir` is a policy change (tests/test_gate_trust.py).
    upstream.commit("Site configuration", files={"mkdocs.yml": MKDOCS_YML}, author=ADA)
    work = GitRepo(tmp_path / "work", init=False)
    subprocess.run(
        ["git", "clone", "-q", str(upstream.path), str(work.path)], env=work.env, check=True
    )
    work.git("checkout", "-q", "-b", "promote-credit")
    work.commit(
        "Promote credit 1.0 to production, retrained",
        files={MODEL: model_yaml(stage="production", auc=0.87)},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    work.commit(
        "Sign off credit 1.0 for production",
        files={PRODUCTION_SIGNOFF: signoff_yaml("production", "mia", "model-risk", digest(work))},
        author=MIA,
        date="2026-02-11T09:00:00+00:00",
    )
    return work


def test_diff_markdown_is_a_pr_comment_with_gate_promotion_and_stale_signoff(
    clone: GitRepo,
) -> None:
    result = cli(clone, "diff", "--base", "origin/main")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "## Governance changes"
    assert lines[2] == "**Gate: ❌ fail** (was ✅ pass)"
    assert "Compared with `origin/main`" in lines[4]
    # The retrained version's staging approval no longer counts: stale, so missing too.
    assert (
        "| `credit@1.0` | staging → production | ❌ blocked: missing-signoff, stale-signoff |"
        in lines
    )
    assert "- ➕ added: `credit@1.0` production — model-risk: Mia Risk (mia) approved" in lines
    assert any(
        line.startswith("- ⚠️ sign-off `credit@1.0` staging by Lee Lead (ml-lead)") for line in lines
    )
    assert "| `credit@1.0` | auc | 0.85 | 0.87 | +0.02 |" in lines


def test_diff_json_reports_every_field(clone: GitRepo) -> None:
    result = cli(clone, "diff", "--base", "origin/main", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["base_ref"] == "origin/main"
    assert data["base_commit"] == clone.git("rev-parse", "origin/main").strip()
    assert data["head_commit"] == clone.head()
    assert data["gate"] == {"before": "pass", "after": "fail"}
    assert data["count"] == 3
    (stage,) = data["stage_changes"]
    assert {k: stage[k] for k in ("key", "before", "after", "direction", "file", "blocked")} == {
        "key": "credit@1.0",
        "before": "staging",
        "after": "production",
        "direction": "promotion",
        "file": MODEL,
        "blocked": True,
    }
    assert sorted(e["code"] for e in stage["errors"]) == ["missing-signoff", "stale-signoff"]
    (signoff,) = data["signoffs"]
    assert signoff == {
        "change": "added",
        "file": PRODUCTION_SIGNOFF,
        "old_file": None,
        "key": "credit@1.0",
        "stage": "production",
        "approver": "mia",
        "approver_name": "Mia Risk",
        "role": "model-risk",
        "decision": "approved",
        "previous_decision": None,
        "fields": [],
    }
    (stale,) = data["stale"]
    assert (stale["kind"], stale["file"], stale["person"], stale["role"]) == (
        "signoff",
        STAGING_SIGNOFF,
        "lee",
        "ml-lead",
    )
    assert stale["base_digest"].startswith("sha256:") and stale["head_digest"].startswith("sha256:")
    assert stale["base_digest"] != stale["head_digest"]
    (metric,) = data["metric_changes"]
    assert (metric["subject"], metric["metric"], metric["before"], metric["after"]) == (
        "credit@1.0",
        "auc",
        0.85,
        0.87,
    )
    assert metric["delta"] == pytest.approx(0.02)
    assert [r["kind"] + ":" + r["change"] for r in data["records"]] == ["version:modified"]
    introduced = data["findings"]["introduced"]
    assert sorted((f["code"], f["file"]) for f in introduced) == [
        ("missing-signoff", MODEL),
        ("stale-signoff", STAGING_SIGNOFF),
    ]
    assert data["findings"]["resolved"] == []
    assert data["policy_changes"] == []
    assert data["base_has_policy"] is True


def test_diff_without_a_base_is_a_usage_error(clone: GitRepo) -> None:
    result = cli(clone, "diff")
    assert result.returncode == 2
    assert "--base" in result.stderr and "Traceback" not in result.stderr


def test_diff_against_an_unfetched_branch_says_how_to_fetch_it(clone: GitRepo) -> None:
    result = cli(clone, "diff", "--base", "origin/release")
    assert result.returncode == 2
    assert "origin/release" in result.stderr and "git fetch" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_with_base_fails_a_self_granted_role(clone: GitRepo) -> None:
    people = (clone.path / "governance_records/people.yaml").read_text(encoding="utf-8")
    clone.commit(
        "Ada joins model risk",
        files={
            "governance_records/people.yaml": people.replace(
                "roles: [data-scientist]", "roles: [data-scientist, model-risk]"
            )
        },
        author=ADA,
        date="2026-02-12T09:00:00+00:00",
    )
    result = cli(clone, "check", "--base", "origin/main")
    assert result.returncode == 1
    assert "policy-changed" in result.stdout
