"""The audit trail, split by period into pages of bounded size, with filters.

One page listing every commit grows without bound (megabytes of Markdown at
20,000 commits). Instead ``audit.md`` is an index of periods (calendar months,
newest first) and each period has its own page, ``audit/<YYYY-MM>.md``; a month
with more than [`PAGE_SIZE`][mkdocs_governance.site.audit.PAGE_SIZE] commits is
cut into several pages (``audit/<YYYY-MM>-2.md``...), so no page holds more than
that many entries whatever the history's length.

Every entry carries what a reviewer filters on: the models its records belong to,
the person (the author matched to ``people.yaml``, else the Git name), the kinds
of record it changed, and its date. ``tablesort.js`` turns those into filter
controls (model, person, kind, date range) on each page; the index lists, per
period, the models and people it touches, so a reviewer finds the right page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..history.model import Commit, History
from ..records.model import Registry

#: The most commits one audit page lists.
PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One commit of the trail, with the facts the filters use."""

    commit: Commit
    files: tuple[str, ...]
    records: tuple[str, ...]
    models: tuple[str, ...]
    person: str  # person id when the author's e-mail matches people.yaml, else ""
    kinds: tuple[str, ...]

    @property
    def css(self) -> str:
        """Filter classes for the row marker (letters, digits, ``-`` only)."""
        classes = [f"gov-m-{_token(m)}" for m in self.models]
        classes.append(f"gov-p-{_token(self.person or self.commit.author_name)}")
        classes += [f"gov-k-{_token(k)}" for k in self.kinds]
        return " ".join(classes)


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the trail: a period (``2026-11``) or a part of one (``2026-11-2``)."""

    slug: str
    period: str
    entries: tuple[AuditEntry, ...]

    @property
    def models(self) -> list[str]:
        """The models the page's commits touch, sorted."""
        return sorted({m for e in self.entries for m in e.models})

    @property
    def people(self) -> list[str]:
        """The people (ids or Git names) who made the page's commits, sorted."""
        return sorted({e.person or e.commit.author_name for e in self.entries})


def _token(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", value).strip("-").lower() or "x"


def model_of_files(registry: Registry) -> dict[str, str]:
    """The model id each record file belongs to (models, versions' records, experiments)."""
    owners: dict[str, str] = {}
    for model in registry.models.values():
        owners[model.location.file] = model.id
    for signoff in registry.signoffs:
        owners[signoff.location.file] = signoff.model
    for verification in registry.verifications:
        owners[verification.location.file] = verification.model
    for experiment in registry.experiments.values():
        owners[experiment.location.file] = experiment.model
    return owners


def build_entries(
    history: History,
    registry: Registry,
    files_by_commit: Mapping[str, Iterable[str]],
    records_by_file: Mapping[str, Iterable[str]],
) -> list[AuditEntry]:
    """Every commit of the trail, newest first, with its filter facts."""
    owners = model_of_files(registry)
    entries = []
    for sha in history.order:
        commit = history.commit(sha)
        if commit is None:
            continue
        files = tuple(sorted(files_by_commit.get(sha, [])))
        records = tuple(sorted({r for f in files for r in records_by_file.get(f, [])}))
        models = tuple(sorted({owners[f] for f in files if f in owners}))
        kinds = tuple(sorted({r.split(" ", 1)[0] for r in records})) or ("other",)
        person = registry.person_for_email(commit.author_email)
        entries.append(
            AuditEntry(commit, files, records, models, person.id if person else "", kinds)
        )
    return entries


def paginate(entries: Iterable[AuditEntry], page_size: int = PAGE_SIZE) -> list[AuditPage]:
    """Entries (newest first) cut into monthly pages of at most ``page_size``."""
    by_period: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_period.setdefault(entry.commit.author_date.strftime("%Y-%m"), []).append(entry)
    pages = []
    for period, items in sorted(by_period.items(), reverse=True):
        for part, start in enumerate(range(0, len(items), page_size), start=1):
            slug = period if part == 1 else f"{period}-{part}"
            pages.append(AuditPage(slug, period, tuple(items[start : start + page_size])))
    return pages
