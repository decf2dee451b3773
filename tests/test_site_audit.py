"""The audit trail split by period into bounded pages, with filters (issue 12, item 8)."""

from __future__ import annotations

from mkdocs_governance.site import audit
from tests import test_site_example
from tests.test_site_example import ExampleSite, _article

example_site = test_site_example.example_site


def _entries(site: ExampleSite) -> list[audit.AuditEntry]:
    run = site.run
    files_by_commit: dict[str, list[str]] = {}
    for path, file_history in run.history.files.items():
        for change in file_history.changes:
            files_by_commit.setdefault(change.sha, []).append(path)
    records_by_file: dict[str, list[str]] = {}
    for signoff in run.registry.signoffs:
        records_by_file.setdefault(signoff.location.file, []).append(f"sign-off {signoff.key}")
    return audit.build_entries(run.history, run.registry, files_by_commit, records_by_file)


def test_pages_are_bounded_and_keep_every_commit_in_order(example_site: ExampleSite) -> None:
    entries = _entries(example_site)
    assert len(entries) > 10
    pages = audit.paginate(entries, page_size=4)
    assert all(0 < len(page.entries) <= 4 for page in pages)
    # Every commit is on exactly one page, each page within one month.
    listed = [e.commit.sha for page in pages for e in page.entries]
    assert sorted(listed) == sorted(e.commit.sha for e in entries)
    for page in pages:
        assert {e.commit.author_date.strftime("%Y-%m") for e in page.entries} == {page.period}
    # Periods newest first; a month cut into parts is numbered.
    periods = [page.period for page in pages]
    assert periods == sorted(periods, reverse=True)
    assert len({page.slug for page in pages}) == len(pages)


def test_entries_carry_model_person_and_kind(example_site: ExampleSite) -> None:
    registry = example_site.run.registry
    history = example_site.run.history
    signoff = registry.signoffs[0]
    created = history.file(signoff.location.file)
    assert created is not None and created.created_by is not None
    entry = next(e for e in _entries(example_site) if e.commit.sha == created.created_by.sha)
    assert signoff.model in entry.models
    assert entry.person == signoff.approver
    assert "sign-off" in entry.kinds
    assert f"gov-m-{signoff.model}" in entry.css and "gov-k-sign-off" in entry.css


def test_audit_index_links_every_period_page(example_site: ExampleSite) -> None:
    history = example_site.run.history
    index = _article(example_site.html("governance/audit"))
    months = {c.author_date.strftime("%Y-%m") for c in history.commits.values()}
    for month in months:
        assert month in index
        page = example_site.html(f"governance/audit/{month}")
        assert "gov-audit-filters" in page
    # The one-page trail is gone: the index lists no commit rows itself.
    assert 'id="commit-' not in example_site.html("governance/audit")
