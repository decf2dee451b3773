"""Zero-config pull-request mode: CI's documented variables pick the base ref, in the
CLI (`check`, `diff`) and in `mkdocs build`; the preview banner and links at the commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_governance.pull_request import choose_base_ref, detect_pull_request
from tests.changes_scenario import ADA, PEOPLE, RECORDS
from tests.gitrepo import GitRepo
from tests.preview_scenario import BRANCH, MKDOCS_YML, build_upstream, clone_at, stamp

SHA = "0123456789abcdef0123456789abcdef01234567"


def _github_env(tmp_path: Path, *, fork: bool = False, base: str = "main") -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 7,
                    "head": {
                        "sha": SHA,
                        "repo": {
                            "full_name": "someone/credit-models" if fork else "acme/credit-models"
                        },
                    },
                }
            }
        ),
        encoding="utf-8",
    )
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_BASE_REF": base,
        "GITHUB_HEAD_REF": "promote",
        "GITHUB_REF": "refs/pull/7/merge",
        "GITHUB_REPOSITORY": "acme/credit-models",
        "GITHUB_SERVER_URL": "https://github.com",
    }


def _gitlab_env(**extra: str) -> dict[str, str]:
    # A merge request in a subgroup (group/sub/project), from the project itself.
    return {
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_IID": "12",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_PROJECT_ID": "4242",
        "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "4242",
        "CI_MERGE_REQUEST_PROJECT_URL": "https://gitlab.com/acme/risk/credit-models",
        "CI_PROJECT_URL": "https://gitlab.com/acme/risk/credit-models",
        "CI_COMMIT_SHA": SHA,
        **extra,
    }


def test_github_pull_request_from_a_branch_is_detected_with_a_full_base_ref(
    tmp_path: Path,
) -> None:
    pull_request = detect_pull_request(_github_env(tmp_path))
    assert pull_request is not None
    assert pull_request.base_ref == "refs/remotes/origin/main"
    assert pull_request.label == "pull request #7"
    assert pull_request.head_sha == SHA
    assert pull_request.url == "https://github.com/acme/credit-models/pull/7"
    assert pull_request.fork is False


def test_github_pull_request_from_a_fork_is_marked_as_such(tmp_path: Path) -> None:
    pull_request = detect_pull_request(_github_env(tmp_path, fork=True))
    assert pull_request is not None and pull_request.fork is True


def test_github_number_falls_back_on_the_merge_ref_without_an_event_file(tmp_path: Path) -> None:
    env = _github_env(tmp_path)
    env["GITHUB_EVENT_PATH"] = str(tmp_path / "missing.json")
    pull_request = detect_pull_request(env)
    assert pull_request is not None and pull_request.number == "7"
    assert pull_request.head_sha is None


def test_gitlab_merge_request_in_a_subgroup_is_detected(tmp_path: Path) -> None:
    pull_request = detect_pull_request(_gitlab_env())
    assert pull_request is not None
    assert pull_request.base_ref == "refs/remotes/origin/main"
    assert pull_request.label == "merge request !12"
    assert pull_request.url == "https://gitlab.com/acme/risk/credit-models/-/merge_requests/12"
    assert pull_request.fork is False


def test_gitlab_merged_results_pipeline_names_the_source_head_not_the_merge_commit() -> None:
    source = "fedcba9876543210fedcba9876543210fedcba98"
    pull_request = detect_pull_request(_gitlab_env(CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=source))
    assert pull_request is not None and pull_request.head_sha == source


def test_gitlab_merge_request_from_a_fork_is_marked_as_such() -> None:
    pull_request = detect_pull_request(_gitlab_env(CI_MERGE_REQUEST_SOURCE_PROJECT_ID="99"))
    assert pull_request is not None and pull_request.fork is True


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_BASE_REF": ""},
        {"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"},
    ],
    ids=["no-ci", "github-push", "gitlab-branch-pipeline"],
)
def test_builds_that_are_not_pull_requests_get_no_base(env: dict[str, str]) -> None:
    assert detect_pull_request(env) is None
    choice = choose_base_ref(configured=None, detect=True, environ=env, base_options=_no_base)
    assert choice.base_ref is None


def _no_base(ref: str) -> None:
    return None


@pytest.mark.parametrize("target", ["main with space", "-x", "a..b", "$(touch pwned)"])
def test_a_malformed_target_branch_is_not_turned_into_a_ref(target: str) -> None:
    assert detect_pull_request(_gitlab_env(CI_MERGE_REQUEST_TARGET_BRANCH_NAME=target)) is None


def test_outside_a_pull_request_the_configured_base_is_used_as_it_is() -> None:
    choice = choose_base_ref(
        configured="origin/release", detect=False, environ={}, base_options=_no_base
    )
    assert choice.base_ref == "origin/release"


def test_in_a_pull_request_base_options_count_only_when_the_base_says_them(
    tmp_path: Path,
) -> None:
    env = _github_env(tmp_path)
    target = "refs/remotes/origin/main"

    def choose(configured: str | None, detect: bool, base: dict[str, object] | None) -> str | None:
        choice = choose_base_ref(
            configured=configured, detect=detect, environ=env, base_options=lambda ref: base
        )
        return choice.base_ref

    assert choose(None, True, None) == target
    # The change's own mkdocs.yml cannot opt out or pick its base...
    assert choose(None, False, {}) == target
    assert choose(None, False, None) == target
    assert choose("HEAD", True, {"base_ref": None}) == target
    # ...the base branch's can.
    assert choose(None, False, {"detect_pull_request": False}) is None
    assert choose(
        "refs/remotes/origin/develop", True, {"base_ref": "refs/remotes/origin/develop"}
    ) == ("refs/remotes/origin/develop")


# --- the adapters, in a real clone -------------------------------------------------------


def _ci_env(work: GitRepo, extra: dict[str, str]) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in work.env.items() if not k.startswith(("GITHUB_", "CI_", "GITLAB"))}
    env.pop("GOVERNANCE_BASE_REF", None)
    return {**env, "PATH": venv_bin + os.pathsep + os.environ["PATH"], **extra}


def _cli(work: GitRepo, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", *args],
        cwd=work.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def pull_request_clone(tmp_path: Path) -> GitRepo:
    upstream = build_upstream(tmp_path / "upstream")
    return clone_at(upstream, tmp_path / "work")


def test_check_in_a_github_pull_request_judges_against_the_base_by_itself(
    tmp_path: Path, pull_request_clone: GitRepo
) -> None:
    work = pull_request_clone
    env = _ci_env(work, _github_env(tmp_path))
    result = _cli(work, env, "check", "--format", "json")
    assert "pull request #7 detected: comparing with refs/remotes/origin/main" in result.stderr
    report = json.loads(result.stdout)
    codes = {f["code"] for f in report["findings"]}
    # The retrain made Lee's staging approval stale.
    assert "stale-signoff" in codes
    assert result.returncode == 1

    diff = _cli(work, env, "diff")
    assert diff.returncode == 0, diff.stderr
    assert "staging → production" in diff.stdout
    assert "refs/remotes/origin/main" in diff.stdout


def test_check_in_a_gitlab_merge_request_judges_against_the_target(
    pull_request_clone: GitRepo,
) -> None:
    work = pull_request_clone
    result = _cli(work, _ci_env(work, _gitlab_env()), "diff", "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    assert changes["base_ref"] == "refs/remotes/origin/main"
    assert [s["key"] for s in changes["stage_changes"]] == ["credit@1.0"]


def test_opting_out_on_the_base_branch_turns_zero_config_mode_off(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    upstream.commit(
        "No automatic base in pull requests",
        files={"mkdocs.yml": MKDOCS_YML + "      detect_pull_request: false\n"},
        author=ADA,
        date=stamp(8),
    )
    upstream.git("checkout", "-q", BRANCH)
    upstream.git("merge", "-q", "--no-edit", "main")
    upstream.git("checkout", "-q", "main")
    work = clone_at(upstream, tmp_path / "work")
    result = _cli(work, _ci_env(work, _github_env(tmp_path)), "diff")
    assert result.returncode == 2
    assert "no base ref" in result.stderr
    assert "detected" not in result.stderr


def test_a_pull_request_cannot_opt_itself_out_of_being_judged_by_the_base(
    tmp_path: Path,
) -> None:
    # The change grants its author the model-risk role and, in the same change, switches
    # zero-config mode off (or points base_ref at itself), hoping to be judged by its own
    # people.yaml.
    upstream = build_upstream(tmp_path / "upstream", with_production_signoff=False)
    upstream.git("checkout", "-q", BRANCH)
    upstream.commit(
        "Ada reviews risk too",
        files={
            f"{RECORDS}/people.yaml": PEOPLE.replace(
                "roles: [data-scientist]", "roles: [data-scientist, model-risk]"
            ),
            "mkdocs.yml": MKDOCS_YML + "      detect_pull_request: false\n      base_ref: HEAD\n",
        },
        author=ADA,
        date=stamp(4),
    )
    upstream.git("checkout", "-q", "main")
    work = clone_at(upstream, tmp_path / "work")
    result = _cli(work, _ci_env(work, _github_env(tmp_path)), "check", "--format", "json")
    assert result.returncode == 1
    assert "only in this change's; comparing with refs/remotes/origin/main" in result.stderr
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "policy-changed" in codes

    build = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "--site-dir", "out"],
        cwd=work.path,
        env=_ci_env(work, _github_env(tmp_path)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 1
    assert "policy-changed" in build.stderr


def test_mkdocs_build_in_a_pull_request_gets_the_changes_page_banner_and_links_at_the_commit(
    tmp_path: Path, pull_request_clone: GitRepo
) -> None:
    work = pull_request_clone
    head = work.head()
    env = _ci_env(
        work,
        {
            **_github_env(tmp_path),
            "GOVERNANCE_GATE": "warn",
            "GOVERNANCE_PUBLISHED_URL": "https://acme.github.io/credit-models/",
        },
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "--site-dir", "out"],
        cwd=work.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = work.path / "out"
    changes = (out / "governance" / "changes" / "index.html").read_text(encoding="utf-8")
    assert "Changes against the base" in changes
    for page in [
        out / "index.html",
        out / "governance" / "models" / "credit" / "1.0" / "index.html",
    ]:
        html = page.read_text(encoding="utf-8")
        assert f'data-governance-preview="{head}"' in html, page
        assert "https://github.com/acme/credit-models/pull/7" in html
        assert "https://acme.github.io/credit-models/" in html
        assert "refs/remotes/origin/main" in html
    version = (out / "governance" / "models" / "credit" / "1.0" / "index.html").read_text("utf-8")
    # The sign-off the pull request adds exists only at its commit, not on main.
    added = "governance_records/signoffs/credit/1.0/production-model-risk-mia.yaml"
    assert f"https://github.com/acme/credit-models/blob/{head}/{added}" in version
    assert f"blob/main/{added}" not in version
    assert "/edit/main/" not in version
    # The project's own pages too (MkDocs' edit_uri).
    home = (out / "index.html").read_text(encoding="utf-8")
    assert f"https://github.com/acme/credit-models/blob/{head}/docs/index.md" in home
    assert "/edit/master/" not in home


def test_a_build_outside_a_pull_request_has_no_banner(tmp_path: Path) -> None:
    upstream = build_upstream(tmp_path / "upstream")
    work = clone_at(upstream, tmp_path / "work", ref="main")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "--site-dir", "out"],
        cwd=work.path,
        env=_ci_env(work, {}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    html = (work.path / "out" / "governance" / "index.html").read_text(encoding="utf-8")
    assert "governance-preview-banner" not in html
    assert not (work.path / "out" / "governance" / "changes").exists()


def test_preview_banner_shows_hostile_values_as_text() -> None:
    from mkdocs_governance.site.preview import PreviewInfo, preview_banner_html

    hostile = '"><script>alert(1)</script>'
    html = preview_banner_html(
        PreviewInfo(
            base_ref=f"refs/remotes/origin/{hostile}",
            head_commit=SHA,
            pull_request=f"pull request #{hostile}",
            pull_request_url=f"javascript:alert(1)//{hostile}",
            published_url=f"https://wiki.example.com/{hostile}",
            commit_url=None,
        ),
        changes_href="changes.html",
    )
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Not built for opening from disk: the banner carries no script of its own either.
    assert html.count("<script") == 0
