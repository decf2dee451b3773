"""A pull request's preview as a reviewer opens it, in headless Chromium.

The preview of a realistic branch (a promotion, a new sign-off and an approval made
stale) is built by the shipped templates' own build steps, read from the files, with the
variables CI sets: once served on 127.0.0.1 (as on gh-pages or GitLab Pages), once
opened from disk through ``file://`` URLs (the artifact). From the changes page (where
the comment's link lands) and the version pages, every link inside the preview must open
a page (no 404, no directory listing) that carries the preview banner.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
import yaml

from tests.gitrepo import GitRepo
from tests.preview_scenario import build_upstream, clone_at
from tests.test_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "governance.yml"
GITLAB = ROOT / "docs" / "examples" / "gitlab-ci.yml"
PUBLISHED = "https://acme.github.io/credit-models/"


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def _bash(script: str, cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _env(work: GitRepo, extra: dict[str, str]) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in work.env.items() if not k.startswith(("GITHUB_", "CI_", "GITLAB"))}
    env.pop("GOVERNANCE_BASE_REF", None)
    return {**env, "PATH": venv_bin + os.pathsep + os.environ["PATH"], **extra}


def _github_preview(tmp_path: Path) -> tuple[Path, str]:
    """The `preview` job's steps after install, as GitHub runs them for PR #7."""
    upstream = build_upstream(tmp_path / "upstream")
    work = clone_at(upstream, tmp_path / "gh")
    event = tmp_path / "event.json"
    head = work.head()
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 7,
                    "head": {"sha": head, "repo": {"full_name": "acme/credit-models"}},
                }
            }
        ),
        encoding="utf-8",
    )
    workflow = _load(WORKFLOW)
    env = _env(
        work,
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_BASE_REF": "main",
            "GITHUB_REF": "refs/pull/7/merge",
            "GITHUB_REPOSITORY": "acme/credit-models",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "MKDOCS_CONFIG": workflow["env"]["MKDOCS_CONFIG"],
            "GOVERNANCE_PUBLISHED_URL": PUBLISHED,
            "BASE_BRANCH": "main",
            "PR_NUMBER": "7",
        },
    )
    for step in workflow["jobs"]["preview"]["steps"]:
        if "run" in step and step.get("name") != "Install":
            _bash(step["run"], work.path, {**env, **step.get("env", {})})
    return work.path / "preview" / "site", head


def _gitlab_artifact(tmp_path: Path) -> tuple[Path, str]:
    """The `governance-preview-artifact` job (a fork's merge request) in a GitLab clone."""
    upstream = build_upstream(tmp_path / "upstream")
    work = GitRepo(tmp_path / "gl", init=False)
    work.git("init", "-q")
    work.git("remote", "add", "origin", str(upstream.path))
    work.git("fetch", "-q", "origin", "+refs/heads/promote:refs/remotes/origin/promote")
    work.git("checkout", "-q", "--detach", "origin/promote")
    gitlab = _load(GITLAB)

    def flatten(item: Any) -> list[str]:
        return [x for sub in item for x in flatten(sub)] if isinstance(item, list) else [item]

    script = "\n".join(flatten(gitlab["governance-preview-artifact"]["script"]))
    env = _env(
        work,
        {
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_MERGE_REQUEST_IID": "12",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_MERGE_REQUEST_PROJECT_ID": "4242",
            "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "99",
            "CI_MERGE_REQUEST_PROJECT_URL": "https://gitlab.com/acme/risk/credit-models",
            "CI_COMMIT_SHA": work.head(),
            "MKDOCS_CONFIG": gitlab["variables"]["MKDOCS_CONFIG"],
        },
    )
    _bash(script, work.path, env)
    return work.path / "public", work.head()


def page_text(html: str) -> str:
    """The visible words of an HTML page (tags dropped, entities decoded)."""
    import html as html_module
    import re

    return html_module.unescape(re.sub(r"<[^>]+>", " ", html))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("BROWSER TESTS SKIPPED: no chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _crawl(page: Any, start: list[str], inside: str) -> tuple[dict[str, str], list[str]]:
    """Open ``start`` pages, then every link on them that stays inside the preview.

    Returns the banner text of each page opened and the problems found.
    """
    banners: dict[str, str] = {}
    problems: list[str] = []
    todo = [(url, "start") for url in start]
    seen: set[str] = set()
    while todo:
        url, source = todo.pop(0)
        target, _fragment = urldefrag(url)
        if target in seen:
            continue
        seen.add(target)
        if target.startswith("file://") and not Path(urlsplit(target).path).is_file():
            problems.append(f"{source} -> {target}: no such file")
            continue
        response = page.goto(target)
        if response is not None and response.status != 200:
            problems.append(f"{source} -> {target}: HTTP {response.status}")
            continue
        if not target.endswith(".html"):
            continue  # plots, JSON: they opened; they carry no banner
        if "Index of " in page.title() or "Directory listing" in page.title():
            problems.append(f"{source} -> {target}: a directory listing")
        banner = page.query_selector(".governance-preview-banner")
        if banner is None:
            problems.append(f"{target}: no preview banner")
        else:
            banners[target] = banner.inner_text()
        if source == "start":
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                if href.startswith(inside):
                    todo.append((href, target))
    return banners, problems


def test_served_preview_links_all_open_pages_with_the_banner(browser: Any, tmp_path: Path) -> None:
    site, head = _github_preview(tmp_path)
    # Laid out as the workflow_run side deploys it on gh-pages: <repo>/pr-preview/pr-7/.
    pages = tmp_path / "gh-pages"
    shutil.copytree(site, pages / "credit-models" / "pr-preview" / "pr-7")
    handler = functools.partial(_QuietHandler, directory=str(pages))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        origin = f"http://127.0.0.1:{server.server_port}/credit-models/pr-preview/pr-7/"
        page = browser.new_page()
        banners, problems = _crawl(
            page,
            [origin + "governance/changes.html", origin + "governance/models/credit/1.0.html"],
            origin,
        )
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    assert problems == []
    assert len(banners) >= 10
    for text in banners.values():
        assert "pull request #7" in text
        assert head[:10] in text
        assert "refs/remotes/origin/main" in text
        assert "published wiki" in text
        # Served over http, search works: the from-disk note is not shown.
        assert "search does not work" not in text
    changes = site / "governance" / "changes.html"
    html = changes.read_text(encoding="utf-8")
    assert f'href="{PUBLISHED}"' in html
    assert "https://github.com/acme/credit-models/pull/7" in html
    # The three things the branch does, on the page the comment links to.
    text = " ".join(page_text(html).split())
    assert "credit@1.0 staging production blocked missing-signoff, stale-signoff" in text
    assert "added credit@1.0 production model-risk Mia Risk approved" in text
    assert "credit@1.0 stale sign-off staging Lee Lead (ml-lead)" in text


def test_artifact_preview_opens_from_disk_without_directory_listings(
    browser: Any, tmp_path: Path
) -> None:
    site, head = _gitlab_artifact(tmp_path)
    root = site.resolve().as_uri() + "/"
    page = browser.new_page()
    banners, problems = _crawl(
        page,
        [root + "governance/changes.html", root + "governance/models/credit/1.0.html"],
        root,
    )
    page.close()
    assert problems == []
    assert len(banners) >= 10
    for text in banners.values():
        assert "merge request !12 (from a fork)" in text
        assert head[:10] in text
        # Search cannot work from file:// and the banner says so.
        assert "search does not work from disk" in text
