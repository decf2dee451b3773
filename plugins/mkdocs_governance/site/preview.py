"""The banner every page of a pull-request preview carries.

A preview is the wiki as it would be after merging a change that nobody has approved
yet. Each of its pages says so at the top: which pull request, at which commit,
compared with which base, with a link to the changes page and to the published wiki,
so that nobody mistakes a preview for the record of what is approved.

The banner is plain HTML (no Markdown extension needed), built from a Jinja2
template with HTML autoescaping: ref names and URLs come from CI variables and the
change under review, so they are text, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from . import safety

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("mkdocs_governance.site", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True, slots=True)
class PreviewInfo:
    """What a preview page says about itself.

    Attributes:
        base_ref: the ref the change is compared with (``refs/remotes/origin/main``).
        base_commit: the merge base actually compared with, when it could be read.
        head_commit: the commit being built.
        pull_request: ``pull request #7`` / ``merge request !7``, when CI names one.
        pull_request_url: its web page.
        published_url: the published wiki (the record of what is approved).
        commit_url: a web link to ``head_commit``, when the repository URL is known.
        from_disk: the site is built to be opened as files (``use_directory_urls:
            false``): the banner says that search needs a web server.
        fork: the change comes from a fork.
    """

    base_ref: str
    base_commit: str | None = None
    head_commit: str | None = None
    pull_request: str | None = None
    pull_request_url: str | None = None
    published_url: str | None = None
    commit_url: str | None = None
    from_disk: bool = False
    fork: bool = False


def preview_banner_html(preview: PreviewInfo, changes_href: str | None) -> str:
    """The banner's HTML for one page; ``changes_href`` links to the changes page."""
    return _TEMPLATES.get_template("_preview_banner.html.j2").render(
        p=preview,
        short=lambda sha: (sha or "")[:10],
        url=lambda value: safety.safe_url(value or "") or "",
        changes_href=changes_href,
    )
