"""Zero-config pull-request mode: what CI says about the change being built.

GitHub Actions and GitLab CI document the variables a pull/merge-request build gets;
[`detect_pull_request`][mkdocs_governance.pull_request.detect_pull_request] reads
them into a [`PullRequest`][mkdocs_governance.pull_request.PullRequest], and
[`choose_base_ref`][mkdocs_governance.pull_request.choose_base_ref]
decides the base ref both adapters (plugin and CLI) use. Nothing here imports MkDocs:
detection reads an environment mapping (and, on GitHub, the event file the runner
writes); [`read_base_plugin_options`][mkdocs_governance.pull_request.read_base_plugin_options]
reads the plugin's options from the base branch's ``mkdocs.yml`` with one ``git cat-file``,
because in a pull request the change's own ``mkdocs.yml`` may not choose its base.

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
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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


@dataclass(frozen=True, slots=True)
class BaseChoice:
    """The base ref a run judges with, and what to tell the user about the choice.

    Attributes:
        base_ref: the ref to compare with (None: no comparison).
        note: one line for the log or standard error, when there is something to say.
    """

    base_ref: str | None
    note: str | None = None


def choose_base_ref(
    *,
    configured: str | None,
    detect: bool,
    environ: Mapping[str, str],
    base_options: Callable[[str], Mapping[str, Any] | None],
) -> BaseChoice:
    """The base ref to judge with: in a pull request, trusted only from the trusted side.

    Outside a pull request the configured ``base_ref`` is used as it is. In a pull
    request, ``mkdocs.yml`` is part of the change under review: a ``base_ref`` or a
    ``detect_pull_request: false`` that only the change's own ``mkdocs.yml`` says would
    let it choose what it is compared with (or escape the comparison, and with it
    ``policy-changed``). They count only when the base branch's ``mkdocs.yml`` says the
    same; otherwise the pull request's target branch is the base and the note says why.

    Args:
        configured: ``base_ref`` from the ``mkdocs.yml`` being built or checked.
        detect: its ``detect_pull_request`` option.
        environ: the process environment.
        base_options: reads the plugin's options from ``mkdocs.yml`` as the given ref
            has it (None when unreadable: then nothing in the change is trusted).
    """
    pull_request = detect_pull_request(environ)
    if pull_request is None:
        return BaseChoice(configured or None)
    target = pull_request.base_ref
    trusted = base_options(target) if (configured or not detect) else None
    if not detect:
        if trusted is not None and trusted.get("detect_pull_request") is False:
            return BaseChoice(configured or None)
        return BaseChoice(
            target,
            f"{pull_request.label}: `detect_pull_request: false` is not in {target}'s "
            f"mkdocs.yml, only in this change's; comparing with {target} until it is merged",
        )
    if configured and configured != target:
        if trusted is not None and trusted.get("base_ref") == configured:
            return BaseChoice(configured, f"{pull_request.label}: comparing with {configured}")
        return BaseChoice(
            target,
            f"{pull_request.label}: `base_ref: {configured}` is not in {target}'s mkdocs.yml, "
            f"only in this change's; comparing with {target}",
        )
    return BaseChoice(
        target,
        f"{pull_request.label} detected: comparing with {target} "
        "(set detect_pull_request: false in mkdocs.yml to opt out)",
    )


def read_base_plugin_options(config_file: Path, ref: str) -> dict[str, Any] | None:
    """The governance plugin's options in ``config_file`` as ``ref`` has it.

    ``config_file`` is the ``mkdocs.yml`` of the work tree; a file that only
    ``INHERIT``s another (the templates' preview config) is followed to its parent.
    Returns None when the file is not in ``ref`` or cannot be read: nothing is trusted
    then. Only the plugin's own options are read (``!ENV`` is resolved as MkDocs does;
    other tags load as None and import nothing).
    """
    from .history import HistoryError
    from .history.blobs import read_blobs_at
    from .history.gitcmd import GitRunner

    config_file = _inherited(config_file.resolve())
    top = GitRunner(config_file.parent).run(["rev-parse", "--show-toplevel"])
    if top.status != 0:
        return None
    root = Path(top.stdout.decode("utf-8", "replace").strip())
    try:
        relative = config_file.relative_to(root.resolve()).as_posix()
        blobs = read_blobs_at(root, [(ref, relative)])
    except (ValueError, HistoryError):
        return None
    blob = blobs.get((ref, relative))
    return plugin_options(blob.decode("utf-8", "replace")) if blob is not None else None


def plugin_options(text: str) -> dict[str, Any] | None:
    """The governance plugin's options in the text of a ``mkdocs.yml`` (None: unreadable)."""
    try:
        data = yaml.load(text, Loader=_ConfigLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        return None
    plugins = data.get("plugins") if isinstance(data, dict) else None
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    for entry in plugins if isinstance(plugins, list) else []:
        if isinstance(entry, str) and entry in PLUGIN_NAMES:
            return {}
        if isinstance(entry, dict):
            for name, options in entry.items():
                if name in PLUGIN_NAMES:
                    return options if isinstance(options, dict) else {}
    return None


PLUGIN_NAMES = ("governance", "mkdocs-governance", "mkdocs_governance")


def _inherited(config_file: Path) -> Path:
    """The parent of a config that ``INHERIT``s one (one level, as the templates write)."""
    try:
        options = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except (OSError, ValueError, yaml.YAMLError):
        return config_file
    parent = options.get("INHERIT") if isinstance(options, dict) else None
    if isinstance(parent, str) and parent.strip():
        return (config_file.parent / parent.strip()).resolve()
    return config_file


def _env_tag(loader: Any, node: Any) -> Any:
    """``!ENV NAME`` or ``!ENV [NAME, ..., default]``, resolved as MkDocs resolves it."""
    if isinstance(node, yaml.ScalarNode):
        names: list[Any] = [loader.construct_scalar(node)]
        default = None
    else:
        items = loader.construct_sequence(node)
        names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    for name in names:
        if isinstance(name, str) and name in os.environ:
            value = os.environ[name]
            return yaml.load(value, Loader=yaml.SafeLoader) if value else value
    return default


def _make_loader() -> type:
    class Loader(yaml.SafeLoader):
        """mkdocs.yml as data: ``!ENV`` resolved, every other tag None, nothing imported."""

    Loader.add_constructor("!ENV", _env_tag)
    Loader.add_multi_constructor("!", lambda _loader, _suffix, _node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda _l, _s, _n: None)
    return Loader


_ConfigLoader = _make_loader()


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
