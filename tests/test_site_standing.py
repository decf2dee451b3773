"""No page shows a status greener than its version's findings (issue 12, item 1).

Every headline, models × stages cell, versions-table row and inventory row shows
the version's standing as a badge whose title names the version. The tests read
every generated page of the example's real build and hold each badge against the
findings and the checklist the gate produced, computed here independently.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs_governance.policy.model import ItemState, StageState
from mkdocs_governance.site.standing import Level
from tests import test_site_example
from tests.test_site_example import ExampleSite, _article

example_site = test_site_example.example_site

_BADGE = re.compile(
    r'<span class="gov-badge gov-[a-z]+ gov-standing(?P<model>-model)? gov-level-(?P<level>\d)" '
    r'title="(?P<title>[^"]*)">(?P<word>[^<]*)</span>'
)


def _greenest_allowed(site: ExampleSite) -> dict[str, Level]:
    """Per version, the greenest level its findings and checklist allow."""
    report = site.run.report
    allowed: dict[str, Level] = {}
    for key, assessment in report.versions.items():
        findings = [f for f in report.findings if f.subject == key]
        required = [s for s in assessment.stages if s.state != StageState.PENDING]
        if any(f.is_error for f in findings) or any(
            s.state == StageState.BLOCKED for s in required
        ):
            allowed[key] = Level.BLOCKED
        elif findings:
            allowed[key] = Level.WARNING
        elif any(i.state == ItemState.WAIVED for s in required for i in s.items):
            allowed[key] = Level.WAIVED
        else:
            allowed[key] = Level.MET
    return allowed


def _pages(site: ExampleSite) -> list[Path]:
    return sorted((site.out / "governance").rglob("index.html"))


def test_no_page_shows_a_status_greener_than_the_versions_findings(
    example_site: ExampleSite,
) -> None:
    allowed = _greenest_allowed(example_site)
    by_model: dict[str, Level] = {}
    for key, level in allowed.items():
        model = key.partition("@")[0]
        by_model[model] = min(by_model.get(model, Level.MET), level)
    seen: set[str] = set()
    too_green = []
    for page in _pages(example_site):
        html = page.read_text(encoding="utf-8")
        for badge in _BADGE.finditer(html):
            title = badge.group("title")
            level = Level(int(badge.group("level")))
            if badge.group("model"):
                model = title.removeprefix("model ").split(":", 1)[0]
                limit = by_model[model]
            else:
                key = title.split(":", 1)[0]
                seen.add(key)
                limit = allowed[key]
            if level > limit:
                too_green.append(f"{page}: {badge.group(0)} (allowed: {limit.name})")
    assert too_green == []
    # Every version's standing is shown somewhere (so the check above covered it).
    assert seen == set(allowed)


def test_failed_check_for_the_next_stage_is_not_shown_as_approved(
    example_site: ExampleSite,
) -> None:
    # credit-default-pd@2.2 sits in development; its data validation for staging failed.
    key = "credit-default-pd@2.2"
    assert key in example_site.run.report.versions
    page = example_site.html("governance/models/credit-default-pd/2.2")
    headline = _article(page).split("Model:", 1)[0]
    assert "Approved" not in headline and "approved" not in headline
    assert "warning" in headline and "failed-check" in headline
    # What blocks the next stage is named in the headline.
    assert "Next: staging" in headline and "Training data validated failed" in headline
    for url in ("governance", "governance/models", "governance/models/credit-default-pd"):
        text = example_site.html(url)
        badges = [
            b
            for b in _BADGE.finditer(text)
            if key in b.group("title")
            or (b.group("model") and "credit-default-pd" in b.group("title"))
        ]
        assert badges, url
        assert all(int(b.group("level")) <= Level.WARNING for b in badges), url


def test_waived_check_is_named_with_its_approver_and_expiry(example_site: ExampleSite) -> None:
    registry = example_site.run.registry
    key = "fraud-card-txn@1.10"
    waived = next(v for v in registry.verifications_for(key) if v.status == "waived")
    assert waived.waiver is not None and waived.waiver.expires is not None
    page = example_site.html("governance/models/fraud-card-txn/1.10")
    headline = _article(page).split("Model:", 1)[0]
    assert "Approved for production" not in headline
    assert f"{waived.check} until {waived.waiver.expires.isoformat()}" in headline
    assert registry.people[waived.waiver.approved_by].name in headline
    badge = next(b for b in _BADGE.finditer(page) if b.group("title").startswith(key))
    assert badge.group("word") == "waived"


def test_a_stage_without_requirements_is_not_called_approved(example_site: ExampleSite) -> None:
    # Nobody approves development: a clean development version says where it is.
    report = example_site.run.report
    for key, assessment in report.versions.items():
        if assessment.stage != "development":
            continue
        model, _, version = key.partition("@")
        page = example_site.html(f"governance/models/{model}/{version}")
        headline = _article(page).split("Model:", 1)[0]
        assert "Approved" not in headline, key


def test_badges_show_the_gate_and_each_models_least_green_standing(
    example_site: ExampleSite,
) -> None:
    run = example_site.run
    gate = (example_site.out / "governance" / "badges" / "gate.svg").read_text(encoding="utf-8")
    assert gate.startswith("<svg") and "governance" in gate
    assert ("passing" if run.report.passed else "failing") in gate
    allowed = _greenest_allowed(example_site)
    words = {Level.MET: "ok", Level.WAIVED: "waived", Level.WARNING: "warning",
             Level.BLOCKED: "blocked"}  # fmt: skip
    for model_id in run.registry.models:
        svg = (example_site.out / "governance" / "badges" / f"{model_id}.svg").read_text(
            encoding="utf-8"
        )
        worst = min(level for key, level in allowed.items() if key.startswith(model_id + "@"))
        assert f"<title>{model_id}: {words[worst]}</title>" in svg
    # credit-default-pd's development version has a warning: its badge is not "ok".
    credit = (example_site.out / "governance" / "badges" / "credit-default-pd.svg").read_text()
    assert ": warning</title>" in credit
