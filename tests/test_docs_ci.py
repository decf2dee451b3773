"""The snippets of docs/ci.md are tested: the YAML excerpts are verbatim parts of the
shipped templates, the `mkdocs.yml` snippet builds a working preview, the install line is
the templates' pin, and the "any other CI system" steps run in a scratch clone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.preview_scenario import build_upstream, clone_at

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"
TEMPLATES = [
    ROOT / ".github" / "workflows" / "governance.yml",
    ROOT / ".github" / "workflows" / "governance-preview.yml",
    ROOT / "docs" / "examples" / "gitlab-ci.yml",
]

pytestmark = pytest.mark.slow


def _blocks(language: str) -> list[str]:
    text = CI_DOC.read_text(encoding="utf-8")
    return [
        textwrap.dedent(body)
        for lang, body in re.findall(r"^```(\w+)\n(.*?)^```$", text, flags=re.S | re.M)
        if lang == language
    ]


def _is_excerpt(block: str, source: str) -> bool:
    """``block`` is a run of consecutive lines of ``source`` (same relative indentation)."""
    wanted = block.rstrip("\n").split("\n")
    lines = source.split("\n")
    for start in range(len(lines) - len(wanted) + 1):
        indent = len(lines[start]) - len(lines[start].lstrip())
        if all(
            lines[start + k] == (" " * indent + line if line else "")
            or (not line and not lines[start + k].strip())
            for k, line in enumerate(wanted)
        ):
            return True
    return False


def _yaml_excerpts() -> list[str]:
    return [b for b in _blocks("yaml") if not b.startswith(("plugins:", "repos:"))]


def test_ci_doc_has_the_snippets_this_test_checks() -> None:
    assert len(_yaml_excerpts()) >= 5
    assert any(b.startswith("plugins:") for b in _blocks("yaml"))
    assert len(_blocks("sh")) == 2


@pytest.mark.parametrize("block", _yaml_excerpts(), ids=lambda b: b.split("\n")[0][:40])
def test_yaml_snippet_is_a_verbatim_excerpt_of_a_shipped_template(block: str) -> None:
    sources = [path.read_text(encoding="utf-8") for path in TEMPLATES]
    assert any(_is_excerpt(block, source) for source in sources), block


def test_excerpt_check_rejects_an_edited_snippet() -> None:
    block = _yaml_excerpts()[0]
    edited = block.replace("--format", "--formats", 1)
    assert edited != block
    sources = [path.read_text(encoding="utf-8") for path in TEMPLATES]
    assert not any(_is_excerpt(edited, source) for source in sources)


def test_install_line_is_the_templates_pin() -> None:
    (install,) = [b for b in _blocks("sh") if "pip install" in b]
    package = yaml.safe_load(TEMPLATES[0].read_text(encoding="utf-8"))["env"]["GOVERNANCE_PACKAGE"]
    assert install.strip() == f'pip install "{package}"'


def test_pre_commit_snippet_names_the_shipped_hook_and_this_release() -> None:
    (block,) = [b for b in _blocks("yaml") if b.startswith("repos:")]
    (repo,) = yaml.safe_load(block)["repos"]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in repo["hooks"]] == [h["id"] for h in hooks]
    version = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version is not None and repo["rev"] == f"v{version.group(1)}"


def _env(work_env: dict[str, str]) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in work_env.items() if not k.startswith(("GITHUB_", "CI_", "GITLAB"))}
    env.pop("GOVERNANCE_BASE_REF", None)
    return {**env, "PATH": venv_bin + os.pathsep + os.environ["PATH"]}


def test_any_other_ci_steps_run_in_a_scratch_clone(tmp_path: Path) -> None:
    (steps,) = [b for b in _blocks("sh") if "pip install" not in b]
    upstream = build_upstream(tmp_path / "upstream", retrain=False)
    work = clone_at(upstream, tmp_path / "work")
    # A CI system that fetched only the pull request's branch.
    work.git("update-ref", "-d", "refs/remotes/origin/main")
    result = subprocess.run(
        ["bash", "-e", "-c", steps],
        cwd=work.path,
        env=_env(work.env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    junit = (work.path / "governance-junit.xml").read_text(encoding="utf-8")
    assert "<testsuite" in junit and "<failure" not in junit
    diff = (work.path / "governance-diff.md").read_text(encoding="utf-8")
    assert "staging → production" in diff
    changes = work.path / "preview" / "governance" / "changes" / "index.html"
    assert "governance-preview-banner" in changes.read_text(encoding="utf-8")


def test_mkdocs_yml_snippet_builds_a_preview_in_a_pull_request(tmp_path: Path) -> None:
    (snippet,) = [b for b in _blocks("yaml") if b.startswith("plugins:")]
    upstream = build_upstream(tmp_path / "upstream")
    work = clone_at(upstream, tmp_path / "work")
    (work.path / "mkdocs.yml").write_text(
        "site_name: Snippet\ntheme: mkdocs\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables]\n" + snippet,
        encoding="utf-8",
    )
    env = {
        **_env(work.env),
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": "main",
        "GITHUB_REF": "refs/pull/3/merge",
        "GITHUB_REPOSITORY": "acme/credit-models",
    }
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    failing = subprocess.run(
        [mkdocs, "build", "-q", "--site-dir", "a"],
        cwd=work.path,
        env=env,
        capture_output=True,
        text=True,
    )
    # gate: fail by default: the stale approval fails the build...
    assert failing.returncode == 1
    assert "stale-signoff" in failing.stderr
    # ...and GOVERNANCE_GATE=warn builds the preview, compared with the base by itself.
    preview = subprocess.run(
        [mkdocs, "build", "-q", "--site-dir", "b"],
        cwd=work.path,
        env={**env, "GOVERNANCE_GATE": "warn"},
        capture_output=True,
        text=True,
    )
    assert preview.returncode == 0, preview.stderr
    page = (work.path / "b" / "governance" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "pull request #3" in page


def test_previews_doc_opt_out_line_is_the_option_the_plugin_reads() -> None:
    from mkdocs_governance.config import GovernanceConfig
    from mkdocs_governance.pull_request import plugin_options

    text = (ROOT / "docs" / "previews.md").read_text(encoding="utf-8")
    snippets = [
        body
        for lang, body in re.findall(r"^```(\w+)\n(.*?)^```$", text, flags=re.S | re.M)
        if lang == "yaml" and "detect_pull_request" in body
    ]
    (snippet,) = snippets
    options = plugin_options(snippet)
    assert options == {"detect_pull_request": False}
    config = GovernanceConfig()
    config.load_dict(options)
    assert config.validate() == ([], [])
    assert config.detect_pull_request is False
