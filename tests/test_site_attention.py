"""Who must act next: the people page's pending actions and the dashboard's horizon."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import markdown

from mkdocs_governance.site import SiteOptions, render_site
from tests.scenario import Scenario, passing_production


def _html(scenario: Scenario, path: str, *, as_of: date, **options: object) -> str:
    run = scenario.run(as_of=as_of)
    pages = {p.path: p for p in render_site(run, SiteOptions(**options))}  # type: ignore[arg-type]
    content = pages[path].content
    assert isinstance(content, str)
    return markdown.markdown(content, extensions=["tables", "admonition", "md_in_html"])


def test_people_page_lists_each_persons_pending_signoffs(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    html = _html(scenario, "governance/people.md", as_of=date(2026, 2, 1))
    pia = html.split('id="person-pia"', 1)[1].split('id="person-', 1)[0]
    assert "Pending actions:" in pia
    assert "for production as product-owner" in pia and "blocking" in pia
    # alice owns the model: separation of duties keeps her from approving it.
    alice = html.split('id="person-alice"', 1)[1].split('id="person-', 1)[0]
    assert "Pending actions:</strong> none" in alice


def test_dashboard_lists_signoffs_and_reviews_due_within_the_horizon(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    # Sign-offs of 2026-01-12..19 expire after 365 days: 2027-01-12..19; the last
    # production sign-off (2026-01-19) makes the review due on 2027-01-19.
    html = _html(scenario, "governance/index.md", as_of=date(2026, 12, 20), horizon_days=30)
    due = html.split("Due in the next 30 days", 1)[1].split("Recent governance activity", 1)[0]
    assert "sign-off expires" in due and "2027-01-12" in due and "Lena Lead" in due
    assert "review due" in due and "2027-01-19" in due
    # A shorter horizon leaves them out.
    html = _html(scenario, "governance/index.md", as_of=date(2026, 12, 20), horizon_days=10)
    due = html.split("Due in the next 10 days", 1)[1].split("Recent governance activity", 1)[0]
    assert "sign-off expires" not in due and "Nothing expires" in due
