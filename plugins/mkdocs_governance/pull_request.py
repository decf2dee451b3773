"""Zero-config pull-request mode: what CI says about the change being built.

GitHub Actions and GitLab CI document the variables a pull/merge-request build gets;
[`detect_pull_request`][mkdocs_governance.pull_request.detect_pull_request] reads
them into a [`PullRequest`][mkdocs_governance.pull_request.PullRequest], and
[`pull_request_base_ref`][mkdocs_governance.pull_request.pull_request_base_ref]
decides the base ref both adapters (plugin and CLI) use when none is configured.
Nothing here imports MkDocs or runs git: it only reads an environment mapping (and,
on GitHub, the event file the runner writes).

The base is always the full ref name ``refs/remotes/origin/<target branch>``: a tag
or a branch named ``origin/main`` cannot then shadow the remote-tracking branch.

Variables read:

- GitHub (``GITHUB_ACTIONS=true``, ``GITHUB_EVENT_NAME`` ``pull_request`` or
  ``pull_request_target``): ``GITHUB_BASE_REF`` (target branch), ``GITHUB_EVENT_PATH``
  (``pull_request.number``, ``head.sha``, ``head.repo.full_name``, ``html_url``),
  ``GITHUB_REF`` (``refs/pull/<n>/merge``, when the event file is unreadable),
  ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``.
- GitLab (``GITLAB_CI=true`` and ``CI_MERGE_REQUEST_IID``):
  ``CI_MERGE_REQUEST_TARGET_BRANCH_NAME``, ``CI_MERGE_REQUEST_IID``,
  ``CI_MERGE_REQUEST_PROJECT_URL``, ``CI_MERGE_REQUEST_SOURCE_BRANCH_SHA`` (merged-results
  pipelines) or ``CI_COMMIT_SHA``, ``CI_MERGE_REQUEST_SOURCE_PROJECT_ID`` against
  ``CI_MERGE_REQUEST_PROJECT_ID`` (a fork).
- Both: ``GOVERNANCE_PUBLISHED_URL``, the published wiki the preview banner links to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_GITHUB_PR_EVENTS = ("pull_request", "pull_request_target")
_PR_REF = re.compile(r"^refs/pull/(\d+)/(?:merge|head)$")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")
# A branch name git accepts is broader than this, but nothing outside it belongs in a ref
# we build (no spaces, no "..", no control characters, no leading "-").
_BRANCH = re.compile(r"^(?!-)(?!.*\.\.)[A-Za-z0-9._/+-]+$")


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull request (GitHub) or merge request (GitLab) that CI is building.

    Attributes:
        platform: ``github`` or ``gitlab``.
        number: the pull request's number (GitHub) or the merge request's IID (GitLab).
        target_branch: the branch it would merge into (``main``).
        head_sha: the commit of the change itself (the PR head, not a synthetic merge
            commit), when CI names it.
        url: the pull/merge request's web page, when it can be built.
        fork: True when the change comes from another repository (a fork).
        published_url: the published wiki, from ``GOVERNANCE_PUBLISHED_URL``, if set.
    """

    platform: str
    number: str
    target_branch: str
    head_sha: str | None = None
    url: str | None = None
    fork: bool = False
    published_url: str | None = None

    @property
    def base_ref(self) -> str:
        """The full name of the remote-tracking branch to compare with."""
        return f"refs/remotes/origin/{self.target_branch}"

    @property
    def label(self) -> str:
        """``pull request #7`` or ``merge request !7``, as each platform says it."""
        if self.platform == "gitlab":
            return f"merge request !{self.number}"
        return f"pull request #{self.number}"


def detect_pull_request(environ: Mapping[str, str]) -> PullRequest | None:
    """The pull/merge request CI says it is building, or None outside one.

    ``environ`` is ``os.environ`` in the adapters and a plain dict in tests. A
    variable that is present but malformed (a branch name with spaces, a non-numeric
    number) makes the build not a pull request rather than a guess.
    """
    if environ.get("GITHUB_ACTIONS") == "true" and environ.get("GITHUB_EVENT_NAME") in (
        _GITHUB_PR_EVENTS
    ):
        return _github(environ)
    if environ.get("GITLAB_CI") == "true" and environ.get("CI_MERGE_REQUEST_IID"):
        return _gitlab(environ)
    return None


def pull_request_base_ref(
    configured: str | None, *, detect: bool, environ: Mapping[str, str]
) -> str | None:
    """The base ref to judge with: the configured one, else the detected pull request's.

    Args:
        configured: ``base_ref`` from ``mkdocs.yml`` or ``--base`` (wins when set).
        detect: the ``detect_pull_request`` option (False: never pick one up).
        environ: the process environment.
    """
    if configured:
        return configured
    if not detect:
        return None
    pull_request = detect_pull_request(environ)
    return pull_request.base_ref if pull_request is not None else None


def _github(environ: Mapping[str, str]) -> PullRequest | None:
    target = environ.get("GITHUB_BASE_REF", "")
    pr = _mapping(_github_event(environ.get("GITHUB_EVENT_PATH")).get("pull_request"))
    number = str(pr.get("number") or "")
    if not number.isdigit():
        match = _PR_REF.match(environ.get("GITHUB_REF", ""))
        number = match.group(1) if match else ""
    if not number.isdigit() or not _BRANCH.match(target):
        return None
    head = _mapping(pr.get("head"))
    head_sha = str(head.get("sha") or "")
    head_repo = _mapping(head.get("repo"))
    repository = environ.get("GITHUB_REPOSITORY", "")
    fork = bool(head_repo) and head_repo.get("full_name") != repository
    server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    url = f"{server}/{repository}/pull/{number}" if repository else None
    return PullRequest(
        platform="github",
        number=number,
        target_branch=target,
        head_sha=head_sha if _SHA.match(head_sha) else None,
        url=url,
        fork=fork,
        published_url=_published(environ),
    )


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _github_event(path: str | None) -> dict[str, Any]:
    """The webhook payload GitHub writes for the run ({} when unreadable)."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _gitlab(environ: Mapping[str, str]) -> PullRequest | None:
    number = environ.get("CI_MERGE_REQUEST_IID", "")
    target = environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "")
    if not number.isdigit() or not _BRANCH.match(target):
        return None
    # In a merged-results pipeline CI_COMMIT_SHA is GitLab's synthetic merge commit;
    # the change itself is the source branch's head.
    head_sha = environ.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA") or environ.get("CI_COMMIT_SHA", "")
    project_url = environ.get("CI_MERGE_REQUEST_PROJECT_URL") or environ.get("CI_PROJECT_URL")
    source = environ.get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID")
    project = environ.get("CI_MERGE_REQUEST_PROJECT_ID")
    return PullRequest(
        platform="gitlab",
        number=number,
        target_branch=target,
        head_sha=head_sha if _SHA.match(head_sha) else None,
        url=f"{project_url.rstrip('/')}/-/merge_requests/{number}" if project_url else None,
        fork=bool(source and project and source != project),
        published_url=_published(environ),
    )


def _published(environ: Mapping[str, str]) -> str | None:
    url = environ.get("GOVERNANCE_PUBLISHED_URL", "").strip()
    return url if re.match(r"^https?://[^\s/]+", url) else None
