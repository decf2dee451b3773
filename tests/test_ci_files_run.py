"""The CI files' shell steps, run for real on a clone set up the way each CI system does.

The GitHub workflow's ``run:`` steps and the GitLab example's ``script:`` lines are read
from the files themselves (not copied into the test), given the variables the CI system
would set, and run with bash against a pull request on a local "remote". Installation
steps are skipped: the package under test is already installed in this interpreter's
environment, which is put first on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.changes_scenario import (
    ADA,
    MIA,
    MODEL,
    PRODUCTION_SIGNOFF,
    build_base,
    digest,
    model_yaml,
    signoff_yaml,
)
from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "governance.yml"
GITLAB = ROOT / "docs" / "examples" / "gitlab-ci.yml"

pytestmark = pytest.mark.slow

MKDOCS_YML = """\
site_name: CI test
theme: mkdocs
plugins:
  - governance:
      records_dir: governance_records
      gate: !ENV [GOVERNANCE_GATE, fail]
      base_ref: !ENV [GOVERNANCE_BASE_REF, null]
      as_of: 2026-03-01
"""


def _upstream(tmp_path: Path, *, complete: bool) -> GitRepo:
    """A remote with ``main`` and a branch ``promote`` promoting credit@1.0.

    ``complete``: the branch carries the model-risk sign-off production needs.
    """
    upstream = build_base(tmp_path / "upstream")
    upstream.git("checkout", "-q", "main")
    upstream.commit(
        "Site config",
        files={"mkdocs.yml": MKDOCS_YML, "docs/index.md": "# Home\n"},
        author=ADA,
        date="2026-01-06T09:00:00+00:00",
    )
    upstream.git("checkout", "-q", "-b", "promote")
    upstream.commit(
        "Promote credit 1.0 to production",
        files={MODEL: model_yaml(stage="production")},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    if complete:
        upstream.commit(
            "Sign off credit 1.0 for production",
            files={
                PRODUCTION_SIGNOFF: signoff_yaml(
                    "production", "mia", "model-risk", digest(upstream)
                )
            },
            author=MIA,
            date="2026-02-11T09:00:00+00:00",
        )
    upstream.git("checkout", "-q", "main")
    return upstream


def _env(repo: GitRepo, **extra: str) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    return {**repo.env, "PATH": venv_bin + os.pathsep + os.environ["PATH"], **extra}


def _bash(script: str, repo: GitRepo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # GitHub's default shell for run steps: bash --noprofile --norc -eo pipefail.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


# --- GitHub Actions ---------------------------------------------------------------------


def _github_checkout(tmp_path: Path, upstream: GitRepo) -> GitRepo:
    """What actions/checkout does with fetch-depth 0 and ref: the PR head sha."""
    work = GitRepo(tmp_path / "checkout", init=False)
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", str(upstream.path), str(work.path)],
        env=work.env,
        check=True,
    )
    head = upstream.git("rev-parse", "promote").strip()
    work.git("checkout", "-q", "--detach", head)
    return work


def _github_steps(job: str) -> dict[str, dict[str, Any]]:
    workflow = _load(WORKFLOW)
    return {step.get("name", ""): step for step in workflow["jobs"][job]["steps"]}


def _run_github_step(step: dict[str, Any], work: GitRepo, env: dict[str, str]):
    return _bash(step["run"], work, {**env, **step.get("env", {})})


@pytest.mark.parametrize("complete", [True, False], ids=["signed-off", "missing-signoff"])
def test_github_pull_request_steps_gate_diff_and_build_a_preview(
    tmp_path: Path, complete: bool
) -> None:
    upstream = _upstream(tmp_path, complete=complete)
    work = _github_checkout(tmp_path, upstream)
    summary = tmp_path / "summary.md"
    job_env = {k: v.replace("${{ github.base_ref }}", "main") for k, v in
               _load(WORKFLOW)["jobs"]["pull-request"]["env"].items()}  # fmt: skip
    env = _env(work, GITHUB_STEP_SUMMARY=str(summary), **job_env)
    steps = _github_steps("pull-request")

    fetched = _run_github_step(steps["Make the base branch available as origin/<base>"], work, env)
    assert fetched.returncode == 0, fetched.stderr

    gate = _run_github_step(steps["Governance gate"], work, env)
    if complete:
        assert gate.returncode == 0, gate.stdout + gate.stderr
    else:
        assert gate.returncode == 1
        assert "::error file=governance_records/models/credit.yaml" in gate.stdout
        assert "missing-signoff" in gate.stdout

    diffed = _run_github_step(steps["Governance diff against the base"], work, env)
    assert diffed.returncode == 0, diffed.stderr
    comment = (work.path / "governance-diff.md").read_text(encoding="utf-8")
    assert comment == summary.read_text(encoding="utf-8")
    expected = "**Gate: ✅ pass** (was ✅ pass)" if complete else "**Gate: ❌ fail** (was ✅ pass)"
    assert expected in comment
    assert "staging → production" in comment

    built = _run_github_step(steps["Build preview site"], work, env)
    assert built.returncode == 0, built.stderr
    changes = work.path / "preview-site" / "governance" / "changes" / "index.html"
    assert "Changes against the base" in changes.read_text(encoding="utf-8")


def test_github_push_build_fails_on_a_gate_error(tmp_path: Path) -> None:
    upstream = _upstream(tmp_path, complete=False)
    # Merged without the sign-off: main now holds a blocked production version.
    upstream.git("merge", "-q", "--ff-only", "promote")
    work = GitRepo(tmp_path / "checkout", init=False)
    subprocess.run(
        ["git", "clone", "-q", str(upstream.path), str(work.path)], env=work.env, check=True
    )
    steps = _github_steps("build-site")
    result = _run_github_step(steps["Build site (fails on a governance error)"], work, _env(work))
    assert result.returncode == 1
    assert "missing-signoff" in result.stderr


# --- GitLab CI --------------------------------------------------------------------------


def _gitlab_script(job: str) -> str:
    def flatten(item: Any) -> list[str]:
        return [x for sub in item for x in flatten(sub)] if isinstance(item, list) else [item]

    # GitLab runs the lines in one shell and stops at the first failing one.
    return "\n".join(flatten(_load(GITLAB)[job]["script"]))


def _gitlab_mr_clone(tmp_path: Path, upstream: GitRepo) -> GitRepo:
    """A merge-request pipeline's clone: only the MR's branch is fetched, HEAD detached."""
    work = GitRepo(tmp_path / "mr", init=False)
    work.git("init", "-q")
    work.git("remote", "add", "origin", str(upstream.path))
    work.git("fetch", "-q", "origin", "+refs/heads/promote:refs/remotes/origin/promote")
    work.git("checkout", "-q", "--detach", "origin/promote")
    return work


def test_gitlab_gate_writes_a_junit_report_against_the_target_branch(tmp_path: Path) -> None:
    upstream = _upstream(tmp_path, complete=False)
    work = _gitlab_mr_clone(tmp_path, upstream)
    assert work.git("branch", "-r").strip() == "origin/promote"
    env = _env(work, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")
    result = _bash(_gitlab_script("governance-gate"), work, env)
    assert result.returncode == 1  # the gate fails: production lacks its sign-off
    report = ET.parse(work.path / "governance-junit.xml").getroot()
    failures = [f.get("message", "") + (f.text or "") for f in report.iter("failure")]
    assert any("missing-signoff" in text for text in failures)
    assert "origin/main" in work.git("branch", "-r")


def test_gitlab_preview_builds_a_review_app_with_the_diff(tmp_path: Path) -> None:
    upstream = _upstream(tmp_path, complete=True)
    work = _gitlab_mr_clone(tmp_path, upstream)
    env = _env(work, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main")
    result = _bash(_gitlab_script("governance-preview"), work, env)
    assert result.returncode == 0, result.stdout + result.stderr
    diff = (work.path / "governance-diff.md").read_text(encoding="utf-8")
    assert "**Gate: ✅ pass** (was ✅ pass)" in diff
    assert "model-risk: Mia Risk (mia) approved" in diff
    page = work.path / "public" / "governance" / "changes" / "index.html"
    assert "staging" in page.read_text(encoding="utf-8")


def test_gitlab_pages_job_publishes_the_default_branch(tmp_path: Path) -> None:
    upstream = _upstream(tmp_path, complete=True)
    work = GitRepo(tmp_path / "main", init=False)
    subprocess.run(
        ["git", "clone", "-q", str(upstream.path), str(work.path)], env=work.env, check=True
    )
    result = _bash(_gitlab_script("pages"), work, _env(work))
    assert result.returncode == 0, result.stderr
    assert (work.path / "public" / "governance" / "index.html").is_file()
    assert not (work.path / "public" / "governance" / "changes").exists()


# --- the PR comment step (actions/github-script) -----------------------------------------

_GITHUB_SCRIPT_HARNESS = r"""
// Runs the workflow's github-script body as actions/github-script does (an async
// function of github, context, require), against an in-memory issue-comments API.
const fs = require('fs');
const [scriptFile, stateFile] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const calls = [];
const github = {
  paginate: async (method, params) => method(params),
  rest: { issues: {
    listComments: (params) => { calls.push(['list', params]); return state.comments; },
    updateComment: async (params) => { calls.push(['update', params]); },
    createComment: async (params) => { calls.push(['create', params]); },
  } },
};
const context = {
  serverUrl: 'https://github.com', runId: 42,
  repo: { owner: 'acme', repo: 'credit-models' }, issue: { number: 7 },
};
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const body = fs.readFileSync(scriptFile, 'utf8');
new AsyncFunction('github', 'context', 'require', body)(github, context, require)
  .then(() => console.log(JSON.stringify(calls)))
  .catch((e) => { console.error(e); process.exit(1); });
"""


def _run_comment_script(tmp_path: Path, comments: list[dict[str, Any]]) -> list[Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run the github-script step")
    script = _github_steps("pull-request")["Post or update the PR comment"]["with"]["script"]
    (tmp_path / "script.js").write_text(script, encoding="utf-8")
    (tmp_path / "harness.js").write_text(_GITHUB_SCRIPT_HARNESS, encoding="utf-8")
    (tmp_path / "state.json").write_text(json.dumps({"comments": comments}), encoding="utf-8")
    (tmp_path / "governance-diff.md").write_text("## Governance changes\n", encoding="utf-8")
    result = subprocess.run(
        [node, "harness.js", "script.js", "state.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_comment_step_creates_one_marked_comment(tmp_path: Path) -> None:
    calls = _run_comment_script(tmp_path, comments=[])
    assert [c[0] for c in calls] == ["list", "create"]
    created = calls[1][1]
    assert (created["owner"], created["repo"], created["issue_number"]) == (
        "acme",
        "credit-models",
        7,
    )
    assert created["body"].startswith("<!-- mkdocs-governance-diff -->\n## Governance changes")
    assert "https://github.com/acme/credit-models/actions/runs/42" in created["body"]


def test_comment_step_updates_its_own_comment_not_a_human_quoting_it(tmp_path: Path) -> None:
    marker = "<!-- mkdocs-governance-diff -->"
    comments = [
        {"id": 1, "user": {"type": "User"}, "body": f"> {marker} quoted by a reviewer"},
        {"id": 2, "user": {"type": "Bot"}, "body": f"{marker}\nold diff"},
    ]
    calls = _run_comment_script(tmp_path, comments=comments)
    assert [c[0] for c in calls] == ["list", "update"]
    assert calls[1][1]["comment_id"] == 2
