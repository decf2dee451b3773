"""An open sign-off slot names the people who may fill it (issue 12, item 3)."""

from __future__ import annotations

from pathlib import Path

from mkdocs_governance.policy.model import ItemState, RequirementItem
from tests.scenario import KEY, Scenario


def _slot(scenario: Scenario, stage: str, role: str) -> RequirementItem:
    assessment = scenario.run().report.versions[KEY]
    items = next(s for s in assessment.stages if s.stage == stage).items
    return next(i for i in items if i.kind == "signoff" and i.name == role)


def test_open_slot_names_role_holders_but_not_the_owner(tmp_path: Path) -> None:
    # alice owns the model and holds product-owner: separation of duties bars her.
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    item = _slot(scenario, "production", "product-owner")
    assert item.state == ItemState.MISSING
    assert item.eligible == ("duo", "pia")
    assert "Eligible: Duo Twohats, Pia Product" in item.detail
    assert "Alice" not in item.detail


def test_person_used_for_another_slot_is_not_named_again(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    scenario.signoff("duo", "model-risk", "production", day="2026-01-20")
    item = _slot(scenario, "production", "product-owner")
    # duo's approval fills the model-risk slot; with distinct_approvers one person
    # fills one slot, so only pia may give the product-owner approval.
    assert item.eligible == ("pia",)
    assert "Duo" not in item.detail


def test_version_author_is_not_eligible(tmp_path: Path) -> None:
    # bob authored 2.1; give him the ml-lead role: he still may not approve it.
    from tests.scenario import people_yaml

    people = people_yaml({"bob": ["data-scientist", "ml-lead"]})
    scenario = Scenario.create(tmp_path / "repo", stage="staging", people=people)
    item = _slot(scenario, "staging", "ml-lead")
    assert item.eligible == ("lena",)


def test_no_eligible_holder_says_so(tmp_path: Path) -> None:
    from tests.scenario import people_yaml

    people = people_yaml({"lena": ["data-scientist"]})
    scenario = Scenario.create(tmp_path / "repo", stage="staging", people=people)
    item = _slot(scenario, "staging", "ml-lead")
    assert item.eligible == ()
    assert "Nobody eligible holds 'ml-lead'" in item.detail
