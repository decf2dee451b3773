"""The CI files users copy: linted against the real schemas and checked for the
properties the docs promise (full history, fork safety, least privilege)."""

from __future__ import annotations

import re
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


def test_workflow_runs_on_pull_request_never_pull_request_target() -> None:
    workflow = _load(WORKFLOW)
    assert "pull_request" in workflow["on"]
    assert "pull_request_target" not in workflow["on"]
    assert "pull_request_target" not in WORKFLOW.read_text(encoding="utf-8").split("\nname:")[1]
    assert workflow["on"]["push"]["branches"] == ["main"]


def test_every_checkout_fetches_full_history() -> None:
    workflow = _load(WORKFLOW)
    checkouts = [
        step
        for job in workflow["jobs"]
        for step in _steps(workflow, job)
        if _uses(step) == "actions/checkout"
    ]
    assert len(checkouts) == 2
    assert all(step["with"]["fetch-depth"] == "0" for step in checkouts)


def test_pull_request_job_gates_diffs_previews_and_comments() -> None:
    workflow = _load(WORKFLOW)
    job = workflow["jobs"]["pull-request"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert job["env"]["GOVERNANCE_BASE_REF"] == "origin/${{ github.base_ref }}"
    runs = [step.get("run", "") for step in job["steps"]]
    assert any("mkdocs-governance check --format github" in run for run in runs)
    assert any(
        "mkdocs-governance diff --base" in run and "--format markdown" in run for run in runs
    )
    assert any(run.startswith("mkdocs build") for run in runs)
    python = next(s for s in job["steps"] if _uses(s) == "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"
    # setup-python's pip cache fails the job when its key file does not exist.
    assert (ROOT / python["with"]["cache-dependency-path"]).is_file()
    assert any(run == "pip install -e ." for run in runs)
    assert any(_uses(s) == "actions/upload-artifact" for s in job["steps"])
    comment = next(s for s in job["steps"] if _uses(s) == "actions/github-script")
    script = comment["with"]["script"]
    assert "<!-- mkdocs-governance-diff -->" in script
    assert "updateComment" in script and "createComment" in script
    # Forks get a read-only token: the comment step must not run (and fail) for them.
    assert "head.repo.full_name == github.repository" in comment["if"]


def test_push_to_main_deploys_pages_with_only_pages_permissions() -> None:
    workflow = _load(WORKFLOW)
    assert workflow["permissions"] == {"contents": "read"}
    build = workflow["jobs"]["build-site"]
    assert any(_uses(s) == "actions/upload-pages-artifact" for s in build["steps"])
    deploy = workflow["jobs"]["deploy-pages"]
    assert deploy["needs"] == "build-site"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [_uses(s) for s in deploy["steps"]] == ["actions/deploy-pages"]


# Expressions that are safe inside a shell script: not text an outside contributor controls.
_SAFE_EXPRESSIONS = {"github.base_ref", "github.event.pull_request.number"}


def test_no_untrusted_expression_is_spliced_into_a_shell_script() -> None:
    workflow = _load(WORKFLOW)
    for name in workflow["jobs"]:
        for step in _steps(workflow, name):
            for expression in re.findall(r"\$\{\{\s*([^}]+?)\s*\}\}", step.get("run", "")):
                assert expression in _SAFE_EXPRESSIONS, (name, step.get("name"), expression)
            # Branch names are attacker-chosen text in a fork PR.
            assert "head_ref" not in step.get("run", "")


def test_gitlab_example_keeps_full_history_and_reports_junit() -> None:
    gitlab = _load(GITLAB)
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    gate = gitlab["governance-gate"]
    script = "\n".join(gate["script"])
    assert "mkdocs-governance check --format junit" in script
    assert "> governance-junit.xml" in script
    assert gate["artifacts"]["reports"]["junit"] == "governance-junit.xml"
    assert gate["artifacts"]["when"] == "always"


def test_gitlab_example_has_a_review_app_against_the_target_branch() -> None:
    gitlab = _load(GITLAB)
    preview = gitlab["governance-preview"]
    flat = [line for item in preview["script"] for line in _flatten(item)]
    assert any(
        'GOVERNANCE_BASE_REF="origin/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}"' in x for x in flat
    )
    assert any("git fetch" in x and "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in x for x in flat)
    assert preview["environment"]["name"] == "review/$CI_COMMIT_REF_SLUG"
    assert preview["environment"]["url"].startswith("https://")
    assert preview["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
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
    # The workflow builds previews with GOVERNANCE_BASE_REF and GOVERNANCE_GATE set;
    # mkdocs.yml must read them, or the preview has no changes page and fails on errors.
    from mkdocs.utils.yaml import get_yaml_loader

    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.load(text, Loader=get_yaml_loader())
    (governance,) = [
        p["governance"] for p in config["plugins"] if isinstance(p, dict) and "governance" in p
    ]
    assert "gate: !ENV [GOVERNANCE_GATE, fail]" in text
    assert "base_ref: !ENV [GOVERNANCE_BASE_REF, null]" in text
    assert governance["gate"] in ("fail", "warn")
    workflow = _load(WORKFLOW)
    preview = next(
        s for s in _steps(workflow, "pull-request") if s.get("name") == "Build preview site"
    )
    assert preview["env"] == {"GOVERNANCE_GATE": "warn"}
    assert "GOVERNANCE_BASE_REF" in workflow["jobs"]["pull-request"]["env"]
