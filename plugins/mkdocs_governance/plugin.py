"""The MkDocs adapter: configuration in, generated pages out, the gate at the end.

Thin on purpose: every decision is made by the core
([`run_governance`][mkdocs_governance.core.run_governance]) and the site layer
([`render_site`][mkdocs_governance.site.render_site]); this module wires them into
MkDocs' events, translates errors, and keeps ``mkdocs serve`` alive while records
are broken.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .config import GovernanceConfig
from .core import GovernanceRun, run_governance
from .findings import Finding, error
from .history import read_history_cached
from .history.model import History
from .pull_request import (
    PullRequest,
    choose_base_ref,
    detect_pull_request,
    read_base_plugin_options,
)
from .reporting import format_text
from .site import GeneratedPage, SiteOptions, navigation, plain_title, render_site
from .site.preview import PreviewInfo, preview_banner_html
from .site.safety import sanitize_html

log = get_plugin_logger(__name__)

_ASSETS = ("governance.css", "tablesort.js")


class GovernancePlugin(BasePlugin[GovernanceConfig]):
    """``plugins: [governance]``: the governance wiki and the build gate."""

    def __init__(self) -> None:
        self.serving = False
        self.records_dir: Path | None = None
        self.repo_url: str | None = None
        self.run: GovernanceRun | None = None
        self.generated: dict[str, GeneratedPage] = {}
        self.problem: str | None = None
        self._signatures = False
        self._history_scope: tuple[Path, str] | None = None
        # Pull-request mode (pull_request.py): the base ref in effect, configured or
        # picked up from CI, and what the preview banner says.
        self.pull_request: PullRequest | None = None
        self.base_ref: str | None = None
        self.preview: PreviewInfo | None = None
        self._changes_url: str | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether we serve: a served site shows failures instead of dying."""
        if not self.config.enabled:
            return
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Resolve the records folder and the repository URL; register our assets."""
        if not self.config.enabled:
            return None
        base = Path(config.config_file_path or ".").resolve().parent
        records_dir = (base / self.config.records_dir).resolve()
        if not records_dir.is_dir():
            raise ConfigurationError(
                f"governance: records_dir: the folder {records_dir} does not exist. Create it "
                f"(see the getting-started guide) or point records_dir at your records, "
                f"relative to {base / 'mkdocs.yml'}."
            )
        self.records_dir = records_dir
        self.repo_url = self.config.repo_url or (config.repo_url or "").rstrip("/") or None
        self.pull_request = detect_pull_request(os.environ)
        config_file = Path(config.config_file_path or "mkdocs.yml")
        choice = choose_base_ref(
            configured=self.config.base_ref,
            detect=self.config.detect_pull_request,
            environ=os.environ,
            base_options=lambda ref: read_base_plugin_options(config_file, ref),
        )
        self.base_ref = choice.base_ref
        if choice.note:
            log.info("%s", choice.note)
        prefix = self.config.prefix
        for asset in _ASSETS:
            target = f"{prefix}/assets/{asset}"
            extra = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if target not in [str(item) for item in extra]:
                extra.append(target)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Run the pipeline and add every generated page, plot and export to the site."""
        if not self.config.enabled:
            return None
        assert self.records_dir is not None
        self.problem = None
        try:
            self.run = self._evaluate()
            self.preview = self._preview_info(config)
            pages = render_site(self.run, self._site_options(config), changes=self.run.changes)
        except Exception as problem:
            if not self.serving:
                raise PluginError(
                    f"governance: could not evaluate the records in {self.records_dir}: "
                    f"{type(problem).__name__}: {problem}"
                ) from problem
            log.error("could not evaluate the records: %s: %s", type(problem).__name__, problem)
            self.problem = f"{type(problem).__name__}: {problem}"
            self.run = None
            pages = [_failure_page(self.config.prefix, self.problem)]
        self.generated = {}
        self._changes_url = None
        for page in pages:
            if files.get_file_from_path(page.path) is not None:
                log.info(
                    "%s exists in docs_dir; keeping it instead of the generated page", page.path
                )
                continue
            generated_file = File.generated(config, page.path, content=page.content)
            files.append(generated_file)
            self.generated[page.path] = page
            if page.path == f"{self.config.prefix}/changes.md":
                self._changes_url = generated_file.url
        for asset in _ASSETS:
            path = f"{self.config.prefix}/assets/{asset}"
            content = (
                resources.files("mkdocs_governance.site").joinpath("assets", asset).read_bytes()
            )
            files.append(File.generated(config, path, content=content))
        self._extend_nav(config, pages)
        return files

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Point a generated page's edit button at its record file (or hide it)."""
        if not self.config.enabled:
            return None
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:
            page.edit_url = self._edit_url(generated.source)
        elif page.edit_url and self.preview is not None and self.preview.head_commit:
            # A docs page the pull request adds is not on the branch yet either.
            page.edit_url = _at_commit(page.edit_url, self.preview.head_commit)
        return None

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Clean the HTML of generated pages: record text must not become live markup."""
        if not self.config.enabled:
            return None
        generated = self.generated.get(page.file.src_uri)
        if generated is None:
            return self._with_preview_banner(html, page)
        # Themes print page.title as markup in some places (navigation) and through
        # ``striptags`` (which unescapes entities) in others (<title>): no escaping
        # is right for both, so a record's angle brackets become lookalikes.
        page.title = plain_title(page.title or generated.title)
        return self._with_preview_banner(sanitize_html(html), page)

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        """Rebuild when a record changes or a commit lands.

        The records folder is outside ``docs_dir``, so MkDocs does not watch it. A
        commit changes no record file yet changes the history (authors, audit
        trail), so the repository's HEAD and its reflog are watched too.
        """
        if not self.config.enabled:
            return None
        if self.records_dir is not None:
            server.watch(str(self.records_dir))
        repo_root = self.run.repo_root if self.run is not None else None
        git_dir = Path(repo_root) / ".git" if repo_root is not None else None
        if git_dir is not None and git_dir.is_dir():
            for marker in (git_dir / "HEAD", git_dir / "logs" / "HEAD"):
                if marker.exists():
                    server.watch(str(marker))
        return server

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """The gate: fail the build (``gate: fail``), log (``warn``) or stay quiet (``off``)."""
        if not self.config.enabled or self.run is None:
            return
        errors = self.run.report.errors
        warnings = [f for f in self.run.report.findings if not f.is_error]
        for finding in warnings:
            log.info("%s", finding.format_line())
        if not errors or self.config.gate == "off":
            return
        if self.config.gate == "fail" and not self.serving:
            raise PluginError(_gate_message(errors))
        # warn mode, or serving: show every error and keep going.
        for finding in errors:
            log.warning("%s", finding.format_line())
        log.warning(
            "governance gate: %d error(s)%s",
            len(errors),
            " (gate: fail; the build would fail)" if self.config.gate == "fail" else "",
        )

    # ------------------------------------------------------------ helpers

    def _evaluate(self) -> GovernanceRun:
        """Run the pipeline; while serving, reuse the history between rebuilds."""
        assert self.records_dir is not None
        history: History | None = None
        if self.serving and self._history_scope is not None:
            # The cache is keyed by HEAD and the working tree's status, so a commit
            # or an edited record reads the history afresh.
            repo_root, records = self._history_scope
            history = read_history_cached(repo_root, [records], signatures=self._signatures)
        run = self._run_governance(history)
        policy = run.registry.policy
        wanted = bool(policy and policy.rules.require_signed_commits)
        if history is not None and wanted != self._signatures:
            # The policy switched signature checking on or off: read history afresh.
            run = self._run_governance(None)
        self._signatures = wanted
        self._history_scope = (Path(run.repo_root), run.registry.records_dir)
        return run

    def _run_governance(self, history: History | None) -> GovernanceRun:
        assert self.records_dir is not None
        return run_governance(
            self.records_dir,
            as_of=self.config.as_of,
            history=history,
            base_ref=self.base_ref,
        )

    def _preview_info(self, config: MkDocsConfig) -> PreviewInfo | None:
        """What the preview banner says, or None when this build is no preview."""
        if self.run is None or self.base_ref is None:
            return None
        changes = self.run.changes
        head = (changes.head_commit if changes else None) or self.run.history.head
        pull_request = self.pull_request
        return PreviewInfo(
            base_ref=self.base_ref,
            base_commit=changes.base_commit if changes else None,
            head_commit=head,
            pull_request=pull_request.label if pull_request else None,
            pull_request_url=pull_request.url if pull_request else None,
            published_url=(pull_request.published_url if pull_request else None)
            or config.site_url
            or None,
            commit_url=_commit_url(self.repo_url, head),
            from_disk=not config.use_directory_urls,
            fork=bool(pull_request and pull_request.fork),
        )

    def _with_preview_banner(self, html: str, page: Page) -> str:
        """Put the preview banner on top of a page's content (every page of a preview)."""
        if self.preview is None:
            return html
        changes = get_relative_url(self._changes_url, page.url) if self._changes_url else None
        return preview_banner_html(self.preview, changes) + html

    def _links_ref(self) -> str:
        """The ref record and edit links point at: a preview's own commit, else the branch.

        A file the pull request adds does not exist on the branch yet, so in a preview
        ``blob/main/...`` would be a 404.
        """
        if self.preview is not None and self.preview.head_commit:
            return self.preview.head_commit
        return self.config.branch

    def _site_options(self, config: MkDocsConfig) -> SiteOptions:
        base = Path(config.config_file_path or ".").resolve().parent
        return SiteOptions(
            prefix=self.config.prefix,
            repo_url=self.repo_url,
            branch=self._links_ref(),
            gate=self.config.gate,
            plot_cache_dir=(base / self.config.cache_dir / "plots"),
            site_name=config.site_name,
        )

    def _edit_url(self, source: str | None) -> str | None:
        if not source or not self.repo_url:
            return None
        separator = "/-/" if "gitlab" in self.repo_url.lower() else "/"
        if self.preview is not None and self.preview.head_commit:
            # A commit cannot be edited: a preview links to the file at its commit.
            return f"{self.repo_url}{separator}blob/{self.preview.head_commit}/{source}"
        return f"{self.repo_url}{separator}edit/{self.config.branch}/{source}"

    def _extend_nav(self, config: MkDocsConfig, pages: list[GeneratedPage]) -> None:
        """Add the wiki to an explicit ``nav`` unless the user placed it themselves."""
        if config.nav is None:
            return  # MkDocs builds the nav from the files, generated ones included
        prefix = self.config.prefix + "/"
        if _mentions(config.nav, prefix):
            return
        config.nav.append({"Governance": navigation(pages, self.config.prefix)})


def _at_commit(edit_url: str, sha: str) -> str:
    """A GitHub/GitLab ``…/edit/<branch>/<path>`` URL as ``…/blob/<sha>/<path>``."""
    return re.sub(r"/(?:edit|blob)/[^/]+/", f"/blob/{sha}/", edit_url, count=1)


def _commit_url(repo_url: str | None, sha: str | None) -> str | None:
    if not repo_url or not sha:
        return None
    separator = "/-/" if "gitlab" in repo_url.lower() else "/"
    return f"{repo_url}{separator}commit/{sha}"


def _mentions(nav: Any, prefix: str) -> bool:
    """True when any nav entry points into ``prefix``."""
    if isinstance(nav, str):
        return nav.startswith(prefix)
    if isinstance(nav, dict):
        return any(_mentions(value, prefix) for value in nav.values())
    if isinstance(nav, list):
        return any(_mentions(item, prefix) for item in nav)
    return False


def _gate_message(errors: list[Finding]) -> str:
    """Every error finding, one line each (as the CLI prints them), the count, the way out."""
    return (
        format_text(errors)
        + "Fix the records above, or set `gate: warn` in mkdocs.yml to build anyway."
    )


def _failure_page(prefix: str, problem: str) -> GeneratedPage:
    """The page served when the records could not be evaluated at all."""
    finding = error("invalid-record", prefix, problem)
    text = (
        "# Governance dashboard\n\n"
        '!!! danger "The governance records could not be evaluated"\n'
        f"    {_escape(finding.message)}\n\n"
        "    Fix the problem and save: the site rebuilds.\n"
    )
    return GeneratedPage(f"{prefix}/index.md", text, title="Governance dashboard", affected=True)


def _escape(text: str) -> str:
    from .site.safety import escape_text

    return escape_text(text)
