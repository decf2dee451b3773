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
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .config import GovernanceConfig
from .core import GovernanceRun, find_repo_root, run_governance
from .findings import Finding, error
from .history import read_history_cached
from .history.model import History
from .markdown_setup import ensure_markdown_extensions
from .pull_request import (
    PullRequest,
    choose_base_ref,
    detect_pull_request,
    read_base_plugin_options,
)
from .reporting import format_text
from .site import (
    GeneratedPage,
    SiteOptions,
    is_section_page,
    navigation,
    plain_title,
    render_site,
)
from .site.preview import PreviewInfo, preview_banner_html
from .site.safety import sanitize_html

log = get_plugin_logger(__name__)

_ASSETS = ("governance.css", "document.css", "tablesort.js")


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
        # serve: what the last rebuild was made of, to reuse it when nothing changed.
        self._reuse_key: tuple[Any, ...] | None = None
        self._pages: list[GeneratedPage] = []

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
        # The base ref in effect (configured, or a pull request's picked up from CI)
        # decides whose verdict-shaping options judge the build.
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
        self._trust_base_config(config)
        # Not resolved: a symlinked records folder must stay visible to be refused.
        records_dir = Path(os.path.abspath(base / self.config.records_dir))
        if not records_dir.is_dir():
            raise ConfigurationError(
                f"governance: records_dir: the folder {records_dir} does not exist. Create it "
                f"(see the getting-started guide) or point records_dir at your records, "
                f"relative to {base / 'mkdocs.yml'}."
            )
        self.records_dir = records_dir
        self.repo_url = self.config.repo_url or (config.repo_url or "").rstrip("/") or None
        prefix = self.config.prefix
        for asset in _ASSETS:
            target = f"{prefix}/assets/{asset}"
            extra = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if target not in [str(item) for item in extra]:
                extra.append(target)
        # The pages need a few Markdown extensions whatever mkdocs.yml lists (docs: Getting started).
        added = ensure_markdown_extensions(config.markdown_extensions)
        if added:
            log.info("enabled for the wiki's pages: %s", ", ".join(added))
        return config

    def _trust_base_config(self, config: MkDocsConfig) -> None:
        """Pull-request mode: take the verdict-shaping options from the base's mkdocs.yml.

        ``as_of``, ``records_dir`` and ``gate`` as the base branch sets them judge the
        change; an edit of them in the change is a ``policy-changed`` error
        (``trusted_config``).
        """
        self.config_findings: tuple[Finding, ...] = ()
        if not self.base_ref or not config.config_file_path:
            return
        from .cli import UsageError, _plugin_options_from_bytes, read_plugin_options
        from .core import resolve_base_tip
        from .history.gitcmd import HistoryError
        from .trusted_config import read_trusted_options

        config_file = Path(config.config_file_path)
        try:
            head_options = read_plugin_options(config_file)
            trusted = read_trusted_options(
                config_file,
                head_options,
                self.base_ref,
                _plugin_options_from_bytes,
                resolve_base_tip,
            )
        except (HistoryError, ValueError, UsageError) as problem:
            log.warning("governance: the base's mkdocs.yml could not be read: %s", problem)
            return
        options = trusted.options
        self.config["records_dir"] = str(options["records_dir"])
        as_of = options["as_of"]
        if isinstance(as_of, str):
            as_of = date.fromisoformat(as_of.strip())
        self.config["as_of"] = as_of
        self.config["gate"] = "off" if options["gate"] is False else str(options["gate"])
        self.config_findings = tuple(trusted.findings())

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Run the pipeline and add every generated page, plot and export to the site."""
        if not self.config.enabled:
            return None
        assert self.records_dir is not None
        self.problem = None
        try:
            pages = self._rendered(config)
        except Exception as problem:
            if not self.serving:
                raise PluginError(
                    f"governance: could not evaluate the records in {self.records_dir}: "
                    f"{type(problem).__name__}: {problem}"
                ) from problem
            log.error("could not evaluate the records: %s: %s", type(problem).__name__, problem)
            self.problem = f"{type(problem).__name__}: {problem}"
            self.run = None
            self._reuse_key = None
            pages = [_failure_page(self.config.prefix, self.problem)]
        previous = self.generated
        self.generated = {}
        self._changes_url = None
        for page in pages:
            if files.get_file_from_path(page.path) is not None:
                log.info(
                    "%s exists in docs_dir; keeping it instead of the generated page", page.path
                )
                continue
            generated_file = self._file(config, page, previous.get(page.path))
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

    def _rendered(self, config: MkDocsConfig) -> list[GeneratedPage]:
        """The wiki's pages; while serving, the last rebuild's when nothing they are made
        of changed (a docs page was edited): same history, same record files, same day."""
        history = self._cached_history()
        key = None
        # With a base ref the base branch may move under a running server: no reuse.
        if self.serving and history is not None and not self.base_ref:
            key = (
                id(history),
                _records_signature(self.records_dir),
                self.config.as_of or date.today(),
            )
            if key == self._reuse_key and self.run is not None and self.run.history is history:
                return self._pages
        self.run = self._evaluate(history)
        self.preview = self._preview_info(config)
        pages = render_site(self.run, self._site_options(config), changes=self.run.changes)
        self._reuse_key = key if key is not None and self.run.history is history else None
        self._pages = pages
        return pages

    def _cached_history(self) -> History | None:
        """While serving, the history through the process-wide cache (also on the first
        build, so that the first rebuild finds it); None outside ``serve``."""
        assert self.records_dir is not None
        if not self.serving:
            return None
        if self._history_scope is None:
            root = find_repo_root(self.records_dir)
            try:
                records = self.records_dir.relative_to(root).as_posix()
            except ValueError:
                return None
            if not (root / ".git").exists():
                return None
            self._history_scope = (root, records)
        # The cache is keyed by HEAD and the working tree's status, so a commit
        # or an edited record reads the history afresh.
        repo_root, records = self._history_scope
        return read_history_cached(repo_root, [records], signatures=self._signatures)

    def _evaluate(self, history: History | None = None) -> GovernanceRun:
        """Run the pipeline; while serving, reuse the history between rebuilds."""
        assert self.records_dir is not None
        run = self._run_governance(history)
        policy = run.registry.policy
        wanted = bool(policy and policy.rules.require_signed_commits)
        if history is not None and wanted != self._signatures:
            # The policy switched signature checking on or off: read history afresh.
            repo_root, records = Path(run.repo_root), run.registry.records_dir
            run = self._run_governance(read_history_cached(repo_root, [records], signatures=wanted))
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
            config_findings=getattr(self, "config_findings", ()),
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
            horizon_days=self.config.horizon_days,
            directory_urls=config.use_directory_urls,
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
        full = self.config.navigation == "full"
        config.nav.append({"Governance": navigation(pages, self.config.prefix, full=full)})

    def _file(
        self, config: MkDocsConfig, page: GeneratedPage, previous: GeneratedPage | None
    ) -> File:
        """The MkDocs file of a generated page; record pages stay out of a short nav.

        While serving, the page is written under ``cache_dir/serve-pages`` and
        rewritten only when its content changed, so that ``mkdocs serve --dirty``
        (which compares the source's and the built page's times) re-renders only the
        pages an edit changed.
        """
        inclusion = InclusionLevel.UNDEFINED
        if (
            page.is_markdown
            and self.config.navigation == "sections"
            and not is_section_page(page.path, self.config.prefix)
        ):
            inclusion = InclusionLevel.NOT_IN_NAV
        if not self.serving:
            return File.generated(config, page.path, content=page.content, inclusion=inclusion)
        base = Path(config.config_file_path or ".").resolve().parent
        target = base / self.config.cache_dir / "serve-pages" / page.path
        if previous is None or previous.content != page.content or not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            data = page.content if isinstance(page.content, bytes) else page.content.encode()
            if not target.is_file() or target.read_bytes() != data:
                target.write_bytes(data)
        return File.generated(config, page.path, abs_src_path=str(target), inclusion=inclusion)


def _records_signature(records_dir: Path | None) -> tuple[tuple[str, int, int], ...]:
    """(path, modification time, size) of every file under the records folder."""
    if records_dir is None:
        return ()
    found = []
    for folder, _dirs, names in os.walk(records_dir):
        for name in names:
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path, follow_symlinks=False)
            except OSError:
                continue
            found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


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
