"""Render a governance run into the wiki's pages: Markdown, SVG plots and JSON.

[`render_site`][mkdocs_governance.site.render.render_site] is the layer's entry
point. It reads a [`GovernanceRun`][mkdocs_governance.core.GovernanceRun] and
returns [`GeneratedPage`][mkdocs_governance.site.render.GeneratedPage] objects with
paths relative to the docs root; it imports no MkDocs, so another engine (or a
test) can use the same pages.

Every page comes from a Jinja2 template under ``site/templates/``. In those
templates every ``{{ value }}`` is escaped as plain Markdown text unless it is
``Markup`` built here (links, sanitised record Markdown, images), so a forgotten filter fails safe.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from ..findings import Code, Finding, sort_findings
from ..history.model import Commit, History, WorktreeState
from ..policy.documentation import DOCUMENTATION_FIELDS
from ..policy.model import GateReport, ItemState, StageState, VersionAssessment
from ..records.digest import dataset_digest, version_content
from ..records.model import (
    Decision,
    Experiment,
    Model,
    ModelVersion,
    Registry,
    SignOff,
    Verification,
)
from . import attention, audit, badges, decision_text, lineage, safety
from .document_page import document_path, render_document_page
from .gto import assignment_rows
from .plots import PlotCache, PlotSpec, Series
from .production import production_line, render_production
from .standing import LEVEL_KINDS, Level, Standing, model_level, standing
from .version_diff import FieldChange, diff_entries, reviewed_revision

if TYPE_CHECKING:
    from ..core import GovernanceRun

GATE_MODES = ("fail", "warn", "off")
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("mkdocs_governance.site", "templates"),
    # Markdown is not HTML: instead of HTML autoescaping, ``finalize`` escapes
    # every plain value as Markdown text (see ``_finalize``).
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _finalize(value: object) -> object:
    """Escape every template value that is not already safe Markup."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    return safety.escape_text(value)


def _url_filter(value: object) -> Markup:
    """A link target built by this module (forge URL): passed through unescaped."""
    text = "" if value is None else str(value)
    return Markup(text) if safety.safe_url(text) == text else Markup("")


def _anchor_filter(value: object) -> Markup:
    """An id for an ``attr_list`` anchor or a CSS class: letters, digits, ``-``, ``_``."""
    return Markup(re.sub(r"[^A-Za-z0-9_-]", "-", str(value)))


def _day_filter(value: object) -> Markup:
    """A date (or the day of a datetime) as ISO text that does not wrap in a table."""
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else safety.escape_text(value)
    return Markup(f'<span class="gov-nowrap">{text}</span>')


def badge(word: object, kind: str) -> Markup:
    """A status pill: the word itself says the state, the colour only repeats it."""
    css = re.sub(r"[^a-z-]", "", kind.lower())
    return Markup(f'<span class="gov-badge gov-{css}">{safety.escape_text(word)}</span>')


def _message_filter(value: object) -> Markup:
    """A finding message or checklist detail: text escaped, `backticked` parts as code.

    Messages quote commands and field names in backticks; the quoted text is
    escaped like the rest, only wrapped in ``<code>``.
    """
    parts = str(value or "").split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as written
        return Markup(_short_digests(safety.escape_text(value)))
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(str(_code_filter(part)))
        else:
            out.append(_short_digests(safety.escape_text(part)))
    return Markup("".join(out))


_DIGEST_IN_TEXT = re.compile(r"\b(?:sha256:)?[0-9a-f]{64}\b")


def _short_digests(escaped: str) -> str:
    """Full digests in escaped message text shown short (the whole one on hover and copy)."""
    return _DIGEST_IN_TEXT.sub(lambda m: str(_code_filter(m.group(0))), escaped)


_LONG_DIGEST = re.compile(r"^(sha256:)?[0-9a-f]{40,}$")


def _code_filter(value: object) -> Markup:
    """Inline code for a value (a digest, a ref): HTML-escaped inside ``<code>``.

    Use it instead of Markdown backticks around ``{{ value }}``: the default
    Markdown escaping would show its backslashes inside a code span. A long hex
    digest is shown shortened by CSS (``gov-digest``): the whole digest stays in
    the text, so copying it gives all of it, and in the tooltip.
    """
    text = " ".join(str(value or "").split())
    escaped = html.escape(text, quote=True)
    if _LONG_DIGEST.match(text):
        return Markup(f'<code class="gov-digest" title="{escaped}">{escaped}</code>')
    return Markup(f"<code>{escaped}</code>")


def _commit_apart(commit: object) -> bool:
    """True when the audit trail marks the commit: committed by someone other than its
    author, or more than a day from its author date (see ``Commit.committed_apart``)."""
    return isinstance(commit, Commit) and (commit.committed_by_another or commit.committed_apart)


_TEMPLATES.finalize = _finalize
_TEMPLATES.tests["committed_apart"] = _commit_apart
_TEMPLATES.filters["code"] = _code_filter
_TEMPLATES.filters["code_title"] = decision_text.title_markdown
_TEMPLATES.filters["message"] = _message_filter
_TEMPLATES.filters["day"] = _day_filter
_TEMPLATES.globals["badge"] = badge
_TEMPLATES.globals["production_line"] = production_line
_TEMPLATES.filters["url"] = _url_filter
_TEMPLATES.filters["anchor"] = _anchor_filter


@dataclass(frozen=True, slots=True)
class SiteOptions:
    """How the wiki is laid out and linked.

    Attributes:
        prefix: the folder of the generated pages inside the docs root.
        repo_url: the repository's web URL (GitHub/GitLab style); enables commit,
            edit and evidence links.
        branch: the branch edit and file links point at.
        gate: ``fail``, ``warn`` or ``off``: how loudly errors are shown.
        plot_cache_dir: where drawn plots are cached by content hash (None: no cache).
        site_name: shown in the dashboard's heading.
        horizon_days: the dashboard lists what expires or falls due within this
            many days of the judging day.
    """

    prefix: str = "governance"
    repo_url: str | None = None
    branch: str = "main"
    gate: str = "fail"
    plot_cache_dir: Path | None = None
    site_name: str = ""
    horizon_days: int = 60
    # MkDocs' use_directory_urls: links inside rendered record text need final URLs.
    directory_urls: bool = True


@dataclass(frozen=True, slots=True)
class GeneratedPage:
    """One generated file.

    Attributes:
        path: POSIX path relative to the docs root (``governance/models/index.md``).
        content: Markdown/JSON text, or bytes for an image.
        source: the repository-relative record file the page comes from, if any.
        title: the page title (for the navigation).
        affected: True when errors concern this page (it carries the red banner).
        nav_title: a shorter title for the navigation, when the page has one.
    """

    path: str
    content: str | bytes
    source: str | None = None
    title: str = ""
    affected: bool = False
    nav_title: str = ""

    @property
    def is_markdown(self) -> bool:
        """True for a page MkDocs renders (as opposed to an asset)."""
        return self.path.endswith(".md")


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A navigation item for the generated section: a page or a titled group."""

    title: str
    path: str | None = None
    children: tuple[NavEntry, ...] = ()


@dataclass(slots=True)
class _Context:
    """Everything the renderers share: the run, options, lookups and the page list."""

    run: GovernanceRun
    registry: Registry
    history: History
    report: GateReport
    repo_root: Path
    options: SiteOptions
    plots: PlotCache
    pages: list[GeneratedPage] = field(default_factory=list)
    findings_by_file: dict[str, list[Finding]] = field(default_factory=dict)
    findings_by_subject: dict[str, list[Finding]] = field(default_factory=dict)
    model_slugs: dict[str, str] = field(default_factory=dict)
    version_slugs: dict[str, str] = field(default_factory=dict)
    experiment_slugs: dict[str, str] = field(default_factory=dict)
    dataset_slugs: dict[str, str] = field(default_factory=dict)
    decision_slugs: dict[str, str] = field(default_factory=dict)
    files_by_commit: dict[str, list[str]] = field(default_factory=dict)
    records_by_file: dict[str, list[str]] = field(default_factory=dict)
    nav: list[NavEntry] = field(default_factory=list)
    audit_pages: list[audit.AuditPage] = field(default_factory=list)
    audit_page_of: dict[str, str] = field(default_factory=dict)


def render_site(
    run: GovernanceRun, options: SiteOptions | None = None, *, changes: Any = None
) -> list[GeneratedPage]:
    """Render every page of the governance wiki for ``run``.

    Args:
        run: the evaluated records, history and gate report.
        options: layout and links (defaults: prefix ``governance``, no repo URL).
        changes: the pull-request diff against a base ref, if one was computed; it
            is handed to the ``changes.md.j2`` template as ``changes``.

    Returns:
        The pages and assets, paths relative to the docs root. The dashboard comes
        first.
    """
    options = options or SiteOptions()
    if options.gate not in GATE_MODES:
        raise ValueError(f"gate must be one of {', '.join(GATE_MODES)}, not {options.gate!r}")
    context = _Context(
        run=run,
        registry=run.registry,
        history=run.history,
        report=run.report,
        repo_root=Path(run.repo_root),
        options=options,
        plots=PlotCache(options.plot_cache_dir),
    )
    _index(context)
    _render_dashboard(context)
    _render_models(context)
    _render_experiments(context)
    _render_datasets(context)
    _render_decisions(context)
    _render_people(context)
    _render_audit(context)
    render_production(context)
    _render_findings(context)
    changes = changes if changes is not None else getattr(run, "changes", None)
    if changes is not None:
        _render_changes(context, changes)
    _render_json(context)
    _render_badges(context)
    return context.pages


def _render_badges(context: _Context) -> None:
    """SVG badges for READMEs: ``badges/gate.svg`` and one per model."""
    context.pages.append(
        GeneratedPage(
            _page_path(context, "badges", "gate.svg"), badges.gate_badge(context.report.passed)
        )
    )
    for model_id, slug in sorted(context.model_slugs.items()):
        statuses = [_status(context, v) for v in context.registry.models[model_id].versions]
        level = model_level([s.standing for s in statuses])
        context.pages.append(
            GeneratedPage(
                _page_path(context, "badges", f"{slug}.svg"), badges.model_badge(model_id, level)
            )
        )


def is_section_page(path: str, prefix: str = "governance") -> bool:
    """True for a page the short navigation lists: a top page of the wiki
    (``findings.md``) or a section's index (``models/index.md``).

    Record pages (model cards, versions, experiments, datasets, decisions) are
    reached from their section's index page instead: the theme renders the whole
    navigation into every page, so listing every record costs pages × records.
    """
    relative = path[len(prefix) + 1 :] if prefix else path
    parts = relative.split("/")
    return path.endswith(".md") and (
        len(parts) == 1 or (len(parts) == 2 and parts[1] == "index.md")
    )


def navigation(
    pages: Sequence[GeneratedPage], prefix: str = "governance", *, full: bool = True
) -> list[Any]:
    """The generated section as an MkDocs ``nav`` value (titles → paths).

    With ``full``: the dashboard first, then one group per kind (models get a
    sub-group each: the model card and its versions), then people, audit trail and
    findings. Without: the dashboard, each section's index page, then people, audit
    trail and findings ([`is_section_page`][mkdocs_governance.site.render.is_section_page]).
    Assets and JSON are not listed. Titles pass through
    [`plain_title`][mkdocs_governance.site.render.plain_title]: themes print nav
    titles as markup, and a title comes from record text (a model's name).
    """
    if not full:
        short = [p for p in pages if p.is_markdown and is_section_page(p.path, prefix)]
        # Top pages keep their order, with the sections' index pages after the dashboard.
        tops = [p for p in short if "/" not in p.path[len(prefix) + 1 :]]
        indexes = [p for p in short if p not in tops]
        ordered = tops[:1] + indexes + tops[1:]
        return [{plain_title(p.title or p.path): p.path} for p in ordered]
    top: list[Any] = []
    groups: dict[str, list[Any]] = {}
    model_groups: dict[str, list[Any]] = {}
    group_titles = {
        "models": "Models",
        "experiments": "Experiments",
        "datasets": "Datasets",
        "decisions": "Decisions",
    }
    for page in pages:
        if not page.is_markdown:
            continue
        relative = page.path[len(prefix) + 1 :] if prefix else page.path
        parts = relative.split("/")
        if len(parts) == 2 and parts[0] == "audit":
            continue  # the audit trail's period pages are reached from its index
        title = plain_title(page.title or relative)
        entry = {title: page.path}
        if len(parts) == 3 and parts[0] == "models":
            if parts[2] == "index.md":
                model_groups[parts[1]] = [{"Model card": page.path}]
                groups.setdefault("models", []).append({title: model_groups[parts[1]]})
            elif parts[1] in model_groups:
                nav_title = plain_title(page.nav_title) if page.nav_title else title
                model_groups[parts[1]].append({nav_title: page.path})
        elif len(parts) > 1 and parts[0] in group_titles:
            # A decision's nav_title is already inert (decision_text.title_nav).
            groups.setdefault(parts[0], []).append({page.nav_title or title: page.path})
        else:
            top.append(entry)
    nav: list[Any] = top[:1]
    for folder, title in group_titles.items():
        if folder in groups:
            nav.append({title: groups[folder]})
    nav.extend(top[1:])
    return nav


def plain_title(title: str) -> str:
    """A page or nav title that is inert in any theme context.

    Themes print titles raw (navigation, MkDocs' own themes' ``<title>``), inside
    double-quoted attributes (readthedocs' prev/next ``title="..."``) or through
    ``striptags``, which unescapes entities (Material's ``<title>``). No escaping is
    right for all of them, so the title is made plain text that every one of these
    leaves unchanged: entities are decoded until nothing changes (a record's
    ``&amp;lt;`` would otherwise become ``<`` in the theme's second decoding), then
    angle brackets become the lookalikes ‹ ›, quotes become ＂ and ’, and an ``&``
    that could still start an entity becomes ＆.
    """
    text = title
    for _ in range(_TITLE_DECODINGS):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    for character, lookalike in _TITLE_LOOKALIKES.items():
        text = text.replace(character, lookalike)
    if html.unescape(text) != text:
        text = text.replace("&", "＆")
    return " ".join(text.split())


_TITLE_DECODINGS = 8
_TITLE_LOOKALIKES = {"<": "‹", ">": "›", '"': "＂", "'": "’"}


# ---------------------------------------------------------------- lookups


def _slug(value: str, taken: set[str]) -> str:
    """A file-name-safe, unique slug for an id or a version."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip(".-") or "record"
    slug, counter = base, 2
    while slug.lower() in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    taken.add(slug.lower())
    return slug


def _index(context: _Context) -> None:
    """Build the slugs and reverse lookups every renderer uses."""
    registry = context.registry
    taken: set[str] = {"index", "compare"}
    for model_id in sorted(registry.models):
        context.model_slugs[model_id] = _slug(model_id, taken)
        version_taken: set[str] = {"index"}
        for version in registry.models[model_id].versions:
            context.version_slugs[version.key] = _slug(version.version, version_taken)
    for mapping, slugs in (
        (registry.experiments, context.experiment_slugs),
        (registry.datasets, context.dataset_slugs),
        (registry.decisions, context.decision_slugs),
    ):
        taken = {"index", "compare"}
        for record_id in sorted(mapping):
            slugs[record_id] = _slug(record_id, taken)
    for finding in context.report.findings:
        if finding.file:
            context.findings_by_file.setdefault(finding.file, []).append(finding)
        context.findings_by_subject.setdefault(finding.subject, []).append(finding)
    for path, file_history in context.history.files.items():
        for change in file_history.changes:
            context.files_by_commit.setdefault(change.sha, []).append(path)
    for record_id, file in _record_files(registry):
        context.records_by_file.setdefault(file, []).append(record_id)
    entries = audit.build_entries(
        context.history, registry, context.files_by_commit, context.records_by_file
    )
    context.audit_pages = audit.paginate(entries)
    for page in context.audit_pages:
        for entry in page.entries:
            context.audit_page_of[entry.commit.sha] = _page_path(
                context, "audit", f"{page.slug}.md"
            )


def _record_files(registry: Registry) -> Iterable[tuple[str, str]]:
    """(label, file) for every record, for the audit trail's "records touched"."""
    if registry.policy:
        yield "policy", registry.policy.location.file
    for person in registry.people.values():
        yield f"person {person.id}", person.location.file
    for model in registry.models.values():
        yield f"model {model.id}", model.location.file
    for dataset in registry.datasets.values():
        yield f"dataset {dataset.id}", dataset.location.file
    for experiment in registry.experiments.values():
        yield f"experiment {experiment.id}", experiment.location.file
    for decision in registry.decisions.values():
        yield f"decision {decision.id}", decision.location.file
    for signoff in registry.signoffs:
        yield f"sign-off {signoff.key} {signoff.stage}", signoff.location.file
    for verification in registry.verifications:
        yield f"verification {verification.key} {verification.check}", verification.location.file
    for deployment in registry.deployments:
        yield (
            f"deployment {deployment.key} {deployment.status} {deployment.environment}",
            deployment.location.file,
        )


# ---------------------------------------------------------------- paths and links


def _page_path(context: _Context, *parts: str) -> str:
    prefix = context.options.prefix.strip("/")
    return "/".join(p for p in (prefix, *parts) if p)


def _model_page(context: _Context, model_id: str) -> str | None:
    slug = context.model_slugs.get(model_id)
    return _page_path(context, "models", slug, "index.md") if slug else None


def _version_page(context: _Context, key: str) -> str | None:
    model_id = key.partition("@")[0]
    model_slug = context.model_slugs.get(model_id)
    version_slug = context.version_slugs.get(key)
    if not model_slug or not version_slug:
        return None
    return _page_path(context, "models", model_slug, f"{version_slug}.md")


def _record_page(context: _Context, kind: str, record_id: str) -> str | None:
    slugs = {
        "experiments": context.experiment_slugs,
        "datasets": context.dataset_slugs,
        "decisions": context.decision_slugs,
    }[kind]
    slug = slugs.get(record_id)
    return _page_path(context, kind, f"{slug}.md") if slug else None


class _Linker:
    """Link helpers bound to the page being rendered (links are relative to it)."""

    def __init__(self, context: _Context, current: str):
        self.context = context
        self.current = current

    def rel(self, target: str) -> str:
        """``target`` (docs-relative) relative to the current page, URL-quoted."""
        relative = posixpath.relpath(target, posixpath.dirname(self.current) or ".")
        return quote(relative, safe="/#.-_~")

    def page(self, target: str | None, text: object, anchor: str = "") -> Markup:
        """A link to a generated page, or the escaped text when there is none."""
        label = str(text) if isinstance(text, Markup) else safety.escape_text(text)
        if not target:
            return Markup(label)
        return Markup(f"[{label}]({self.rel(target)}{anchor})")

    def model(self, model_id: str, text: object = None) -> Markup:
        """A link to a model's card (the plain id when the model is unknown)."""
        model = self.context.registry.models.get(model_id)
        label = text if text is not None else (model.name if model else model_id)
        return self.page(_model_page(self.context, model_id), label)

    def version(self, key: str, text: object = None) -> Markup:
        """A link to a version page."""
        return self.page(_version_page(self.context, key), text if text is not None else key)

    def experiment(self, experiment_id: str | None) -> Markup:
        """A link to an experiment page."""
        if not experiment_id:
            return Markup("—")
        return self.page(_record_page(self.context, "experiments", experiment_id), experiment_id)

    def dataset(self, dataset_id: str) -> Markup:
        """A link to a dataset page."""
        return self.page(_record_page(self.context, "datasets", dataset_id), dataset_id)

    def decision(self, decision_id: str, text: object = None) -> Markup:
        """A link to a decision page."""
        return self.page(
            _record_page(self.context, "decisions", decision_id),
            text if text is not None else decision_id,
        )

    def person(self, person_id: str) -> Markup:
        """A person's name linked to their entry on the people page."""
        person = self.context.registry.people.get(person_id)
        name = person.name if person else person_id
        anchor = "#person-" + re.sub(r"[^A-Za-z0-9_-]", "-", person_id) if person else ""
        return self.page(_page_path(self.context, "people.md") if person else None, name, anchor)

    def people(self, person_ids: Iterable[str]) -> Markup:
        """Several people, comma-separated (an em dash for none)."""
        links = [self.person(p) for p in person_ids]
        return Markup(", ".join(links)) if links else Markup("—")

    def audit(self, sha: str | None) -> Markup:
        """The short sha linked to the commit's entry in the audit trail."""
        if not sha:
            return Markup("—")
        target = self.context.audit_page_of.get(sha) or _page_path(self.context, "audit.md")
        link = self.page(target, sha[:8], anchor=f"#commit-{sha[:10]}")
        return Markup(f'<span class="gov-nowrap">{link}</span>')

    def commit_url(self, sha: str) -> Markup:
        """The commit's page on the forge, when ``repo_url`` is set."""
        url = _forge_url(self.context.options, "commit", sha)
        return Markup(f'[↗]({url} "Open the commit on the forge")') if url else Markup("")

    def findings_page(self) -> str:
        """The findings page (docs-relative)."""
        return _page_path(self.context, "findings.md")

    def evidence(self, value: str) -> Markup:
        """An evidence reference as a safe link: http(s) URL or a file in the repo.

        Anything else (``javascript:``, paths escaping the repository, missing
        files) is shown as escaped text, never as a link.
        """
        if not value:
            return Markup("—")
        url = safety.safe_url(value)
        if url:
            return Markup(f"[{safety.escape_text(value)}]({url})")
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value.strip()):
            # Another scheme (s3://, javascript:...): shown as text, never a link.
            return Markup(f"<code>{safety.escape_text(value)}</code>")
        path = safety.repo_path(value, self.context.repo_root)
        if path is None:
            return Markup(f"{safety.escape_text(value)} (no such file in the repository)")
        blob = _forge_url(self.context.options, "blob", path)
        if blob:
            return Markup(f"[{safety.escape_text(path)}]({blob})")
        return Markup(safety.escape_text(path))

    def record(self, file: str) -> Markup:
        """A record file: linked to its page on the forge when ``repo_url`` is set."""
        url = _forge_url(self.context.options, "blob", file)
        label = safety.escape_text(file)
        return Markup(f"[{label}]({url})" if url else label)

    def plot(self, spec: PlotSpec, alt: str) -> Markup:
        """Draw (or reuse) a plot, add it as an asset and return its image."""
        data = self.context.plots.svg(spec)
        target = _page_path(self.context, "assets", "plots", f"{spec.digest()}.svg")
        if not any(p.path == target for p in self.context.pages):
            self.context.pages.append(GeneratedPage(target, data))
        described = f"{alt}: {plot_numbers(spec)}"
        return Markup(
            f"![{safety.escape_text(described)}]({self.rel(target)}){{ .governance-plot }}"
        )


def plot_numbers(spec: PlotSpec, limit: int = 24) -> str:
    """A plot's numbers as text (its text alternative): every point, or for a long
    series its first, last, lowest and highest."""
    parts = []
    for series in spec.series:
        points = series.points
        if len(points) <= limit:
            values = ", ".join(f"{_format_value(x)} {_format_value(y)}" for x, y in points)
        else:
            low = min(points, key=lambda p: p[1])
            high = max(points, key=lambda p: p[1])
            values = (
                f"{len(points)} points, first {_format_value(points[0][1])} at "
                f"{_format_value(points[0][0])}, last {_format_value(points[-1][1])} at "
                f"{_format_value(points[-1][0])}, lowest {_format_value(low[1])} at "
                f"{_format_value(low[0])}, highest {_format_value(high[1])} at "
                f"{_format_value(high[0])}"
            )
        parts.append(f"{series.label} by {spec.x_label}: {values}")
    return "; ".join(parts)


def _forge_url(options: SiteOptions, kind: str, path: str) -> str | None:
    """A GitHub/GitLab URL for a commit (``kind="commit"``), a file or its edit page."""
    if not options.repo_url:
        return None
    base = options.repo_url.rstrip("/")
    if safety.safe_url(base) is None:
        return None
    separator = "/-/" if "gitlab" in base.lower() else "/"
    if kind == "commit":
        return f"{base}{separator}commit/{quote(path)}"
    return f"{base}{separator}{kind}/{quote(options.branch)}/{quote(path)}"


# ---------------------------------------------------------------- shared page parts


@dataclass(frozen=True, slots=True)
class _Provenance:
    """The "source" and "last changed" lines of a page about one record file."""

    file: str
    edit_url: str | None
    state: str
    last_commit: Commit | None
    commits: tuple[Commit, ...]


def _provenance(context: _Context, file: str | None) -> _Provenance | None:
    if not file:
        return None
    history = context.history
    state = history.state(file)
    file_history = history.file(file)
    commits = tuple(
        c
        for c in (
            history.commit(change.sha) for change in (file_history.changes if file_history else ())
        )
        if c is not None
    )
    if not history.available:
        label = "history unavailable"
    elif state == WorktreeState.UNTRACKED or (not commits and state == WorktreeState.CLEAN):
        label = "untracked: not committed yet"
    elif state != WorktreeState.CLEAN:
        label = f"uncommitted changes ({state})"
    else:
        label = "committed"
    return _Provenance(
        file=file,
        edit_url=_forge_url(context.options, "edit", file),
        state=label,
        last_commit=commits[0] if commits else None,
        commits=commits,
    )


def _emit(
    context: _Context,
    path: str,
    template: str,
    *,
    title: str,
    source: str | None = None,
    affected: bool = False,
    nav_title: str = "",
    **values: Any,
) -> None:
    """Render ``template`` to ``path`` with the shared page parts."""
    link = _Linker(context, path)
    provenance = _provenance(context, source)
    text = _TEMPLATES.get_template(template).render(
        title=title,
        link=link,
        ctx=context,
        registry=context.registry,
        report=context.report,
        provenance=provenance,
        banner=Markup(_banner_for(context, path, affected)),
        footer=Markup(
            _TEMPLATES.get_template("_provenance.md.j2").render(p=provenance, link=link)
            if provenance
            else ""
        ),
        state_badge=_state_badge,
        standing_badge=standing_badge,
        model_badge=model_badge,
        md=lambda text, offset=2: Markup(safety.render_markdown(text or "", heading_offset=offset)),
        fmt=_format_value,
        **values,
    )
    # The marker lets governance.css style the wiki's pages only (not the user's own).
    text += '\n<span class="gov-page"></span>\n'
    context.pages.append(GeneratedPage(path, text, source, title, affected, nav_title))


def _banner_for(context: _Context, path: str, affected: bool) -> str:
    if not affected or not context.report.errors:
        return ""
    return _TEMPLATES.get_template("_banner.md.j2").render(
        gate=context.options.gate,
        errors=len(context.report.errors),
        findings_link=Markup(_Linker(context, path).rel(_page_path(context, "findings.md"))),
    )


_BADGE_KINDS = {
    ItemState.MET: "met",
    ItemState.WAIVED: "waived",
    ItemState.MISSING: "missing",
    ItemState.STALE: "stale",
    ItemState.FAILED: "failed",
    ItemState.REJECTED: "rejected",
    ItemState.INVALID: "invalid",
    StageState.MET: "met",
    StageState.BLOCKED: "blocked",
    StageState.PENDING: "pending",
}


def _state_badge(state: object) -> Markup:
    """The badge of a requirement or stage state (its word, never colour alone)."""
    return badge(str(state), _BADGE_KINDS.get(state, "unknown"))  # type: ignore[call-overload]


def _format_value(value: object) -> str:
    """Numbers short and readable; everything else as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, default=str, ensure_ascii=False)
    return "" if value is None else str(value)


# ---------------------------------------------------------------- version status


@dataclass(frozen=True, slots=True)
class _VersionStatus:
    """A version's one-line standing, as shown in the matrix and the inventory."""

    version: ModelVersion
    assessment: VersionAssessment | None
    standing: Standing
    pending: str | None
    approvers: tuple[SignOff, ...]

    @property
    def blocked(self) -> bool:
        return self.standing.blocked

    @property
    def codes(self) -> tuple[str, ...]:
        return self.standing.errors

    @property
    def word(self) -> str:
        return self.standing.word


def _status(context: _Context, version: ModelVersion) -> _VersionStatus:
    assessment = context.report.versions.get(version.key)
    findings = list(assessment.findings) if assessment else []
    findings += [f for f in context.findings_by_subject.get(version.key, []) if f not in findings]
    approvals = tuple(
        s
        for s in context.registry.signoffs_for(version.key)
        if s.decision == "approved" and s.stage in _stages_up_to(context, version.stage)
    )
    return _VersionStatus(
        version=version,
        assessment=assessment,
        standing=standing(version, assessment, findings, context.registry),
        pending=assessment.pending_stage if assessment else None,
        approvers=approvals,
    )


def standing_badge(status: object) -> Markup:
    """The badge of a version's standing; its title names the version and the reason."""
    value = status.standing if isinstance(status, _VersionStatus) else status
    if not isinstance(value, Standing):
        return Markup("")
    css = f"{value.kind} gov-standing gov-level-{int(value.level)}"
    title = html.escape(f"{value.key}: {value.headline}", quote=True)
    word = safety.escape_text(value.word)
    return Markup(f'<span class="gov-badge gov-{css}" title="{title}">{word}</span>')


def model_badge(model_id: str, statuses: Sequence[_VersionStatus]) -> Markup:
    """A model's status in the inventory: its least green version's standing."""
    level = model_level([s.standing for s in statuses])
    if level is None:
        return Markup("no versions")
    worst = [s for s in statuses if s.standing.level == level]
    word = {
        Level.BLOCKED: "blocked",
        Level.WARNING: "warning",
        Level.WAIVED: "waived",
        Level.MET: "ok",
    }[level]
    versions = ", ".join(s.version.version for s in worst)
    title = html.escape(f"model {model_id}: {word} ({versions})", quote=True)
    kind = LEVEL_KINDS[level]
    return Markup(
        f'<span class="gov-badge gov-{kind} gov-standing-model gov-level-{int(level)}" '
        f'title="{title}">{word}</span>'
    )


def _stages_up_to(context: _Context, stage: str) -> tuple[str, ...]:
    policy = context.registry.policy
    return policy.stages_up_to(stage) if policy else (stage,)


def _stages(context: _Context) -> tuple[str, ...]:
    policy = context.registry.policy
    if policy:
        return policy.stages
    seen: list[str] = []
    for version in context.registry.versions():
        if version.stage not in seen:
            seen.append(version.stage)
    return tuple(seen)


def _last_stage(context: _Context) -> str | None:
    stages = _stages(context)
    return stages[-1] if stages else None


# ---------------------------------------------------------------- pages


def _render_dashboard(context: _Context) -> None:
    registry, report = context.registry, context.report
    stages = _stages(context)
    last = _last_stage(context)
    matrix = []
    production = []
    pending = []
    for model_id in sorted(registry.models):
        model = registry.models[model_id]
        statuses = [_status(context, v) for v in model.versions]
        cells = {stage: [s for s in statuses if s.version.stage == stage] for stage in stages}
        pending_cells: dict[str, list[_VersionStatus]] = defaultdict(list)
        for status in statuses:
            if status.pending and not status.blocked:
                pending_cells[status.pending].append(status)
                pending.append(status)
        matrix.append((model, cells, pending_cells))
        production += [s for s in statuses if s.version.stage == last]
    counts = {
        "models": len(registry.models),
        "versions": len(registry.versions()),
        "experiments": len(registry.experiments),
        "datasets": len(registry.datasets),
        "decisions": len(registry.decisions),
        "sign-offs": len(registry.signoffs),
        "verifications": len(registry.verifications),
    }
    by_code = Counter((f.code, str(f.severity)) for f in report.findings)
    recent = [context.history.commit(sha) for sha in context.history.order[:10]]
    _emit(
        context,
        _page_path(context, "index.md"),
        "dashboard.md.j2",
        title="Governance dashboard",
        affected=True,
        stages=stages,
        matrix=matrix,
        production=production,
        pending=pending,
        counts=counts,
        by_code=sorted(by_code.items()),
        recent=[c for c in recent if c is not None],
        files_by_commit=context.files_by_commit,
        evidence=lambda key: context.registry.verifications_for(key),
        last_stage=last,
        horizon=context.options.horizon_days,
        due=attention.upcoming(registry, report, context.options.horizon_days),
    )
    context.nav.append(NavEntry("Dashboard", _page_path(context, "index.md")))


def _render_models(context: _Context) -> None:
    registry = context.registry
    rows = []
    for model_id in sorted(registry.models):
        model = registry.models[model_id]
        statuses = [_status(context, v) for v in model.versions]
        in_production = [s for s in statuses if s.version.stage == _last_stage(context)]
        provenance = _provenance(context, model.location.file)
        rows.append((model, statuses, in_production, provenance))
    _emit(
        context,
        _page_path(context, "models", "index.md"),
        "models.md.j2",
        title="Model inventory",
        rows=rows,
        last_stage=_last_stage(context),
    )
    for model_id in sorted(registry.models):
        _render_model(context, registry.models[model_id])


def _model_affected(context: _Context, model: Model) -> bool:
    if any(f.is_error for f in context.findings_by_file.get(model.location.file, [])):
        return True
    return any(_status(context, v).blocked for v in model.versions)


def _render_model(context: _Context, model: Model) -> None:
    registry = context.registry
    path = _model_page(context, model.id)
    assert path is not None
    link = _Linker(context, path)
    statuses = [_status(context, v) for v in model.versions]
    experiments = sorted(
        (e for e in registry.experiments.values() if e.model == model.id),
        key=lambda e: (e.date, e.id),
    )
    decisions = sorted(
        (d for d in registry.decisions.values() if model.id in d.models), key=lambda d: d.id
    )
    graph = _lineage(context, model, experiments, decisions)
    plots = []
    metric_names = sorted({name for v in model.versions for name in v.metrics})
    for name in metric_names:
        points = tuple(
            (v.version, float(v.metrics[name])) for v in model.versions if name in v.metrics
        )
        if points:
            spec = PlotSpec("line", f"{name} by version", "version", name, (Series(name, points),))
            plots.append(link.plot(spec, f"{name} across versions of {model.name}"))
    # What the documentation check asks of this model's risk tier (an unknown
    # tier is judged as high, as the policy does).
    required = DOCUMENTATION_FIELDS.get(model.risk_tier, DOCUMENTATION_FIELDS["high"])
    card_fields = [
        (label, getattr(model, name), name in required)
        for label, name in (
            ("Description", "description"),
            ("Intended use", "intended_use"),
            ("Out-of-scope use", "out_of_scope_use"),
            ("Limitations", "limitations"),
            ("Ethical considerations", "ethical_considerations"),
        )
    ]
    _emit(
        context,
        path,
        "model.md.j2",
        title=model.name or model.id,
        source=model.location.file,
        affected=_model_affected(context, model),
        model=model,
        statuses=statuses,
        experiments=experiments,
        decisions=decisions,
        plots=plots,
        card_fields=card_fields,
        lineage=_lineage_image(context, path, model, graph),
        lineage_lines=graph.lines(),
        owner_findings=context.findings_by_file.get(model.location.file, []),
        comparison=_page_path(
            context, "experiments", "compare", f"{context.model_slugs[model.id]}.md"
        )
        if experiments
        else None,
    )
    for version in model.versions:
        _render_version(context, model, version)


def _lineage(
    context: _Context,
    model: Model,
    experiments: Sequence[Experiment],
    decisions: Sequence[Decision],
) -> lineage.Graph:
    """The lineage graph: datasets → experiments → versions → decisions."""
    graph = lineage.Graph()
    experiment_ids = {e.id for e in experiments}

    def dataset(dataset_id: str) -> str:
        return graph.node("dataset", dataset_id, f"dataset {dataset_id}")

    def experiment(experiment_id: str) -> str:
        return graph.node("experiment", experiment_id, f"experiment {experiment_id}")

    for one in experiments:
        target = experiment(one.id)
        for dataset_id in one.datasets:
            graph.edge(dataset(dataset_id), target)
    for version in model.versions:
        target = graph.node(
            "version",
            version.version,
            f"{model.id} {version.version} ({version.stage})",
            f"{version.version} · {version.stage}",
        )
        if version.experiment:
            graph.edge(experiment(version.experiment), target)
        for dataset_id in version.datasets:
            source_experiment = context.registry.experiments.get(version.experiment or "")
            if (
                version.experiment in experiment_ids
                and source_experiment is not None
                and dataset_id in source_experiment.datasets
            ):
                continue  # already drawn through the experiment
            graph.edge(dataset(dataset_id), target)
    if not model.versions:
        for dataset_id in model.datasets:
            dataset(dataset_id)
    for decision in decisions:
        target = graph.node("decision", decision.id, f"{decision.id} ({decision.status})")
        # A decision hangs off the newest version that existed on its date.
        anchor = None
        for version in model.versions:
            if decision.date is None or version.created <= decision.date:
                anchor = version
        anchor = anchor or (model.versions[0] if model.versions else None)
        if anchor:
            graph.edge(f"version:{anchor.version}", target, dashed=True)
    return graph


def _lineage_image(context: _Context, path: str, model: Model, graph: lineage.Graph) -> Markup:
    """Write the lineage SVG as an asset and return its image (drawn at build time)."""
    target = _page_path(context, "assets", "lineage", f"{graph.digest()}.svg")
    if not any(p.path == target for p in context.pages):
        title = f"Lineage of {model.name or model.id}"
        context.pages.append(GeneratedPage(target, lineage.draw_svg(graph, title)))
    counts = Counter(node.kind for node in graph.nodes.values())
    alt = f"Lineage of {model.name or model.id}: " + ", ".join(
        f"{counts[kind]} {kind}{'s' if counts[kind] != 1 else ''}"
        for kind in lineage.KINDS
        if counts[kind]
    )
    rel = _Linker(context, path).rel(target)
    return Markup(f"![{safety.escape_text(alt)}]({rel}){{ .governance-lineage }}")


def _render_version(context: _Context, model: Model, version: ModelVersion) -> None:
    registry = context.registry
    path = _version_page(context, version.key)
    assert path is not None
    status = _status(context, version)
    assessment = status.assessment
    digest = assessment.digest if assessment else ""
    signoffs = []
    for signoff in registry.signoffs_for(version.key):
        signoffs.append(_signoff_view(context, signoff, digest, version))
    verifications = []
    for verification in registry.verifications_for(version.key):
        verifications.append(_verification_view(context, verification, digest, version))
    signoffs, more_signoffs = _newest(signoffs, lambda view: view.signoff.date)
    verifications, more_verifications = _newest(verifications, lambda view: view.verification.date)
    findings = list(assessment.findings) if assessment else []
    findings += [f for f in context.findings_by_subject.get(version.key, []) if f not in findings]
    document = render_document_page(
        context.run,
        version.key,
        document_path(path),
        _page_path(context, "assets", "plots"),
        context.options.plot_cache_dir,
    )
    _emit(
        context,
        path,
        "version.md.j2",
        document_link=Markup(_Linker(context, path).rel(document.path)),
        title=f"{model.name or model.id} {version.version}",
        nav_title=f"Version {version.version}",
        source=model.location.file,
        affected=status.blocked,
        model=model,
        version=version,
        status=status,
        assessment=assessment,
        signoffs=signoffs,
        verifications=verifications,
        more_signoffs=more_signoffs,
        more_verifications=more_verifications,
        records_limit=MAX_RECORDS_PER_PAGE,
        findings=sort_findings(findings),
        check_titles={c.id: c.title for c in registry.policy.checks.values()}
        if registry.policy
        else {},
    )
    # The model document follows its version in the navigation (site/document_page.py).
    context.pages.append(
        GeneratedPage(
            document.path,
            document.content,
            model.location.file,
            plain_title(document.title),
            status.blocked,
            f"Document {version.version}",
        )
    )
    context.pages.extend(GeneratedPage(asset, svg) for asset, svg in document.assets)


# A version page lists at most this many sign-offs and verifications (the newest):
# thousands of records of one version made a page of megabytes that took minutes to
# render and index. The gate judges every record; the page says how many are not shown.
MAX_RECORDS_PER_PAGE = 100


def _newest(views: list[Any], when: Any) -> tuple[list[Any], int]:
    """``views`` cut to the newest ``MAX_RECORDS_PER_PAGE`` (order kept), and how many not."""
    if len(views) <= MAX_RECORDS_PER_PAGE:
        return views, 0
    keep = set(
        sorted(range(len(views)), key=lambda i: when(views[i]), reverse=True)[:MAX_RECORDS_PER_PAGE]
    )
    return [view for index, view in enumerate(views) if index in keep], len(views) - len(keep)


def record_commit(history: History, file: str) -> tuple[Commit | None, str]:
    """The commit that added a record file, and its signature state in a reader's words.

    Shared by the version page and the model document, so both say the same.
    """
    file_history = history.file(file)
    created = file_history.created_by if file_history else None
    commit = history.commit(created.sha) if created else None
    if commit is None:
        return None, "not committed" if history.available else "history unavailable"
    if not history.signatures_checked:
        return commit, "not required"
    if commit.signature is None:
        return commit, "not checked"
    if commit.signature.is_good:
        return commit, f"good ({commit.signature.signer or commit.signature.key})"
    return commit, commit.signature.status.name.lower().replace("_", " ")


@dataclass(frozen=True, slots=True)
class _SignoffView:
    signoff: SignOff
    commit: Commit | None
    signature: str
    stale: bool
    findings: tuple[Finding, ...]
    state: str
    what_changed: _StaleChange | None = None


def _signoff_view(
    context: _Context, signoff: SignOff, digest: str, version: ModelVersion
) -> _SignoffView:
    history = context.history
    commit, signature = record_commit(history, signoff.location.file)
    stale = bool(digest) and signoff.subject != digest
    findings = tuple(context.findings_by_file.get(signoff.location.file, []))
    errors = [f for f in findings if f.is_error]
    state = "invalid: " + ", ".join(sorted({f.code for f in errors})) if errors else "valid"
    what_changed = _what_changed(context, version, signoff.subject, commit) if stale else None
    return _SignoffView(signoff, commit, signature, stale, findings, state, what_changed)


@dataclass(frozen=True, slots=True)
class _VerificationView:
    verification: Verification
    commit: Commit | None
    stale: bool
    findings: tuple[Finding, ...]
    what_changed: _StaleChange | None = None


def _verification_view(
    context: _Context, verification: Verification, digest: str, version: ModelVersion
) -> _VerificationView:
    history = context.history
    file_history = history.file(verification.location.file)
    created = file_history.created_by if file_history else None
    commit = history.commit(created.sha) if created else None
    stale = bool(digest) and verification.subject != digest
    findings = tuple(context.findings_by_file.get(verification.location.file, []))
    what_changed = _what_changed(context, version, verification.subject, commit) if stale else None
    return _VerificationView(verification, commit, stale, findings, what_changed)


@dataclass(frozen=True, slots=True)
class _StaleChange:
    """What changed in a version since a stale sign-off or verification reviewed it.

    ``outcome`` says how sure the page can be:

    - ``matched``: a revision of the entry has the reviewed digest; ``changes`` and
      ``commits`` are what changed since it (``reviewed`` wrote that revision).
    - ``datasets``: no revision has the reviewed digest with today's dataset
      records, and the entry is as it was when the record was committed: a
      dataset's digest differs from the reviewed one (``datasets``: the dataset
      records that changed since, with their commits).
    - ``unmatched``: no revision has the reviewed digest (hand-edited, or the
      entry and a dataset both changed); ``changes`` and ``commits`` compare with
      the entry as it was when the record was committed, when known (none: the
      entry and its datasets are as they were then).
    - ``no-history``: the version's earlier entries are unknown (no history).
    """

    outcome: str
    reviewed: Commit | None = None
    changes: tuple[FieldChange, ...] = ()
    commits: tuple[Commit, ...] = ()
    datasets: tuple[tuple[str, str | None, tuple[Commit, ...]], ...] = ()


def _what_changed(
    context: _Context, version: ModelVersion, subject: str | None, record_commit: Commit | None
) -> _StaleChange:
    history = context.history
    revisions = getattr(context.run, "version_revisions", {}).get(version.key, ())
    if not revisions or not history.available:
        return _StaleChange("no-history")
    current = json.loads(version_content(version))
    contents = [json.loads(revision.content) for revision in revisions]
    digests = {
        dataset_id: dataset_digest(dataset) if dataset is not None else None
        for dataset_id in version.datasets
        for dataset in [context.registry.datasets.get(dataset_id)]
    }

    def commits(shas: Iterable[str]) -> tuple[Commit, ...]:
        return tuple(c for c in (history.commit(sha) for sha in shas) if c is not None)

    index = reviewed_revision(subject, contents, digests)
    if index is not None:
        return _StaleChange(
            "matched",
            history.commit(revisions[index].sha),
            diff_entries(contents[index], current),
            commits(r.sha for r in revisions[:index]),
        )
    position = {sha: number for number, sha in enumerate(history.order)}
    record_position = position.get(record_commit.sha) if record_commit else None
    if record_position is None:
        return _StaleChange("unmatched")
    # The entry as it was when the record was committed: the newest revision no
    # newer than the record's commit (history.order is newest first).
    at_record = next(
        (
            number
            for number, revision in enumerate(revisions)
            if position.get(revision.sha, -1) >= record_position
        ),
        None,
    )
    if at_record is None:
        return _StaleChange("unmatched")
    changes = diff_entries(contents[at_record], current)
    newer = commits(r.sha for r in revisions[:at_record])
    if changes:
        return _StaleChange("unmatched", history.commit(revisions[at_record].sha), changes, newer)
    changed_datasets = []
    for dataset_id in version.datasets:
        dataset = context.registry.datasets.get(dataset_id)
        file_history = history.file(dataset.location.file) if dataset else None
        since = commits(
            change.sha
            for change in (file_history.changes if file_history else ())
            if change.sha in position and position[change.sha] < record_position
        )
        if since:
            changed_datasets.append((dataset_id, digests.get(dataset_id), since))
    if not changed_datasets:
        # Nothing changed since the record was committed, yet its subject matches no
        # revision: the digest was written by hand (or for another version).
        return _StaleChange("unmatched", history.commit(revisions[at_record].sha))
    return _StaleChange(
        "datasets", history.commit(revisions[at_record].sha), datasets=tuple(changed_datasets)
    )


def _render_experiments(context: _Context) -> None:
    registry = context.registry
    experiments = sorted(registry.experiments.values(), key=lambda e: (e.model, e.date, e.id))
    by_model: dict[str, list[Experiment]] = defaultdict(list)
    for experiment in experiments:
        by_model[experiment.model].append(experiment)
    _emit(
        context,
        _page_path(context, "experiments", "index.md"),
        "experiments.md.j2",
        title="Experiments",
        by_model=sorted(by_model.items()),
        comparison=lambda model_id: (
            _page_path(context, "experiments", "compare", f"{context.model_slugs[model_id]}.md")
            if model_id in context.model_slugs
            else None
        ),
    )
    for experiment in experiments:
        path = _record_page(context, "experiments", experiment.id)
        assert path is not None
        link = _Linker(context, path)
        # One panel per metric: an AUC near 0.8 and a calibration error near 0.004
        # on one linear axis would both look flat.
        panels = []
        for name, points in sorted(experiment.metric_history.items()):
            if points:
                series = Series(name, tuple((float(step), float(value)) for step, value in points))
                spec = PlotSpec("line", f"{name} by step", "step", name, (series,))
                panels.append(link.plot(spec, f"{name} history of {experiment.id}"))
        plot = Markup("\n".join(panels)) if panels else None
        _emit(
            context,
            path,
            "experiment.md.j2",
            title=experiment.title or experiment.id,
            source=experiment.location.file,
            affected=_file_has_errors(context, experiment.location.file),
            experiment=experiment,
            plot=plot,
            versions=[v for v in registry.versions() if v.experiment == experiment.id],
        )
    for model_id, model_experiments in sorted(by_model.items()):
        if model_id in context.model_slugs:
            _render_comparison(context, model_id, model_experiments)


def _comparison_metric(context: _Context, experiments: Sequence[Experiment]) -> str | None:
    """The metric to plot: the policy's automatic metric if the experiments have it,
    else the metric most experiments report."""
    names = Counter(name for e in experiments for name in e.metrics)
    policy = context.registry.policy
    if policy:
        for check in policy.checks.values():
            if check.metric and check.metric in names:
                return check.metric
    return names.most_common(1)[0][0] if names else None


def _render_comparison(context: _Context, model_id: str, experiments: Sequence[Experiment]) -> None:
    import pandas as pd

    path = _page_path(context, "experiments", "compare", f"{context.model_slugs[model_id]}.md")
    link = _Linker(context, path)
    frame = pd.DataFrame(
        [
            {
                ("", "experiment"): e.id,
                ("", "date"): e.date.isoformat(),
                ("", "outcome"): e.outcome,
                **{("param", k): _format_value(v) for k, v in e.params.items()},
                **{("metric", k): v for k, v in e.metrics.items()},
            }
            for e in experiments
        ]
    )
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    metric = _comparison_metric(context, experiments)
    if metric is not None and ("metric", metric) in frame.columns:
        frame = frame.sort_values(("metric", metric), ascending=False, na_position="last")
    # One panel per metric the experiments share (reported by two or more), the
    # policy's metric first.
    reported = Counter(name for e in experiments for name in e.metrics)
    shared = sorted(
        (n for n, count in reported.items() if count >= 2), key=lambda n: (n != metric, n)
    )
    panels = []
    for name in shared:
        values = frame[[("", "experiment"), ("metric", name)]].dropna()
        points = tuple((str(row[0]), float(row[1])) for row in values.itertuples(index=False))
        spec = PlotSpec("dot", f"{name} by experiment", "experiment", name, (Series(name, points),))
        panels.append(link.plot(spec, f"{name} across experiments of {model_id}"))
    plot = Markup("\n".join(panels)) if panels else None
    # Transposed like MLflow's compare view: one column per experiment, one row per
    # field (metrics first, then parameters), so many parameters stay readable.
    experiment_ids = [str(value) for value in frame[("", "experiment")]]
    fields = [c for c in frame.columns if c[0] == "" and c[1] != "experiment"]
    fields += sorted(c for c in frame.columns if c[0] == "metric")
    fields += sorted(c for c in frame.columns if c[0] == "param")
    rows = [
        (
            f"{kind} {name}".strip(),
            [_format_value(None if pd.isna(value) else value) for value in frame[(kind, name)]],
        )
        for kind, name in fields
    ]
    model = context.registry.models[model_id]
    _emit(
        context,
        path,
        "comparison.md.j2",
        title=f"Experiments compared: {model.name or model_id}",
        model=model,
        metric=metric,
        plot=plot,
        experiment_ids=experiment_ids,
        rows=rows,
    )


def _file_has_errors(context: _Context, file: str) -> bool:
    return any(f.is_error for f in context.findings_by_file.get(file, []))


def _render_datasets(context: _Context) -> None:
    registry = context.registry
    datasets = sorted(registry.datasets.values(), key=lambda d: d.id)
    _emit(
        context,
        _page_path(context, "datasets", "index.md"),
        "datasets.md.j2",
        title="Datasets",
        datasets=datasets,
    )
    for dataset in datasets:
        path = _record_page(context, "datasets", dataset.id)
        assert path is not None
        _emit(
            context,
            path,
            "dataset.md.j2",
            title=dataset.name or dataset.id,
            source=dataset.location.file,
            affected=_file_has_errors(context, dataset.location.file),
            dataset=dataset,
            models=[
                m
                for m in registry.models.values()
                if dataset.id in m.datasets or any(dataset.id in v.datasets for v in m.versions)
            ],
            experiments=[e for e in registry.experiments.values() if dataset.id in e.datasets],
        )


def _supersede_chain(registry: Registry, decision: Decision) -> list[str]:
    """The ids this decision replaced, transitively, newest first."""
    chain: list[str] = []
    todo = list(decision.supersedes)
    while todo:
        current = todo.pop(0)
        if current in chain or current == decision.id:
            continue
        chain.append(current)
        older = registry.decisions.get(current)
        if older:
            todo.extend(older.supersedes)
    return chain


def _superseded_by(registry: Registry, decision: Decision) -> list[str]:
    found = [d.id for d in registry.decisions.values() if decision.id in d.supersedes]
    written = decision.superseded_by
    if written and written not in found:
        # "superseded by ADR-0006" names a decision already found by its number.
        number = re.search(r"\d+", written)
        numbers = {registry.decisions[d].number for d in found}
        if not (number and int(number.group()) in numbers):
            found.append(written)
    return found


def _render_decisions(context: _Context) -> None:
    registry = context.registry
    decisions = sorted(registry.decisions.values(), key=lambda d: (d.number or 0, d.id))
    _emit(
        context,
        _page_path(context, "decisions", "index.md"),
        "decisions.md.j2",
        title="Decision log",
        decisions=decisions,
        superseded_by=lambda d: _superseded_by(registry, d),
    )
    pages = {d.location.file: _record_page(context, "decisions", d.id) or "" for d in decisions}
    assets = _publish_decision_assets(context)
    for decision in decisions:
        path = pages[decision.location.file]
        resolve = decision_text.decision_resolver(
            decision.location.file, path, pages, assets, context.options.directory_urls
        )
        _emit(
            context,
            path,
            "decision.md.j2",
            title=decision.title or decision.id,
            source=decision.location.file,
            affected=_file_has_errors(context, decision.location.file),
            nav_title=decision_text.title_nav(decision.title or decision.id),
            decision=decision,
            chain=_supersede_chain(registry, decision),
            superseded_by=_superseded_by(registry, decision),
            body=decision_text.rewrite_links(_strip_title(decision.body, decision.title), resolve),
        )


def _publish_decision_assets(context: _Context) -> dict[str, str]:
    """Copy the images beside the decisions into the wiki; record file -> published path."""
    published: dict[str, str] = {}
    folder = f"{context.registry.records_dir}/decisions/"
    for file, data in sorted(context.registry.assets.items()):
        if not file.startswith(folder):
            continue
        target = _page_path(context, "decisions", file[len(folder) :])
        context.pages.append(GeneratedPage(target, data, file))
        published[file] = target
    return published


def _strip_title(body: str, title: str) -> str:
    """The decision body without its first ``#`` heading (the page title shows it)."""
    lines = body.splitlines()
    for index, line in enumerate(lines):
        if line.strip():
            if line.lstrip().startswith("# "):
                return "\n".join(lines[index + 1 :])
            break
    return body


def _render_people(context: _Context) -> None:
    registry = context.registry
    people = sorted(registry.people.values(), key=lambda p: (p.name.lower(), p.id))
    rows = []
    for person in people:
        rows.append(
            (
                person,
                re.sub(r"[^A-Za-z0-9_-]", "-", person.id),
                [s for s in registry.signoffs if s.approver == person.id],
                [v for v in registry.verifications if v.performed_by == person.id],
                [m for m in registry.models.values() if m.owner == person.id],
                [v for v in registry.versions() if v.author == person.id],
            )
        )
    source = next(iter(registry.people.values())).location.file if registry.people else None
    _emit(
        context,
        _page_path(context, "people.md"),
        "people.md.j2",
        title="People and roles",
        source=source,
        affected=bool(source) and _file_has_errors(context, source or ""),
        rows=rows,
        actions=attention.pending_actions(context.report),
    )


def _render_audit(context: _Context) -> None:
    """The audit trail: an index of periods (``audit.md``) and a page per period."""
    history = context.history
    pending = sorted(
        (path, state) for path, state in history.worktree.items() if state != WorktreeState.CLEAN
    )
    index = _page_path(context, "audit.md")
    pages = [
        (page, _page_path(context, "audit", f"{page.slug}.md")) for page in context.audit_pages
    ]
    names = {p.id: p.name for p in context.registry.people.values()}
    _emit(
        context,
        index,
        "audit.md.j2",
        title="Audit trail",
        pages=pages,
        pending=pending,
        history=history,
        gto_assignments=assignment_rows(history),  # site/gto.py
        names=names,
        page_size=audit.PAGE_SIZE,
    )
    for number, (page, path) in enumerate(pages):
        newer = pages[number - 1][1] if number > 0 else None
        older = pages[number + 1][1] if number + 1 < len(pages) else None
        _emit(
            context,
            path,
            "audit_period.md.j2",
            title=f"Audit trail: {page.slug}",
            nav_title=page.slug,
            page=page,
            history=history,
            index=index,
            newer=newer,
            older=older,
        )


def _render_findings(context: _Context) -> None:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in sort_findings(context.report.findings):
        grouped[finding.code].append(finding)
    order = [code.value for code in Code] + sorted(set(grouped) - {c.value for c in Code})
    groups = [(code, grouped[code]) for code in order if code in grouped]

    def page_for(finding: Finding) -> str | None:
        if "@" in finding.subject and _version_page(context, finding.subject):
            return _version_page(context, finding.subject)
        if finding.subject in context.registry.models:
            return _model_page(context, finding.subject)
        return None

    _emit(
        context,
        _page_path(context, "findings.md"),
        "findings.md.j2",
        title="Findings",
        affected=True,
        groups=groups,
        page_for=page_for,
        edit_url=lambda f: _forge_url(context.options, "edit", f) if f else None,
    )


def _render_changes(context: _Context, changes: Any) -> None:
    _emit(
        context,
        _page_path(context, "changes.md"),
        "changes.md.j2",
        title="Changes against the base",
        affected=True,
        changes=changes,
    )


def _render_json(context: _Context) -> None:
    data = governance_json(context.run, context.options.gate)
    context.pages.append(
        GeneratedPage(
            _page_path(context, "governance.json"),
            json.dumps(
                data, indent=2, sort_keys=True, ensure_ascii=False, default=str, allow_nan=False
            )
            + "\n",
        )
    )


def governance_json(run: GovernanceRun, gate: str) -> dict[str, Any]:
    """The machine-readable export: registry, findings and the gate's verdict.

    Uses the reporting layer's ``to_jsonable`` so that the CLI's ``export`` and the
    site's ``governance.json`` agree, and adds the gate mode the site was built with.
    """
    try:
        from ..reporting import to_jsonable
    except ImportError:  # reporting not installed: a plain dump of the same facts
        data: dict[str, Any] = {
            "registry": _jsonable(run.registry),
            "findings": [f.to_dict() for f in run.report.findings],
            "versions": _jsonable(run.report.versions),
        }
    else:
        data = to_jsonable(run)
    data["gate_mode"] = gate
    data.setdefault("passed", run.report.passed)
    return data


def _jsonable(value: Any) -> Any:
    """Dataclasses, mappings and tuples into JSON-ready values (locations kept)."""
    from dataclasses import fields, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    return value
