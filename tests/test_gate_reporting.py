"""The report formats as pure functions of findings and a gate report."""

from __future__ import annotations

import json
from datetime import date
from xml.etree import ElementTree

from mkdocs_governance.findings import Code, error, warning
from mkdocs_governance.policy import evaluate
from mkdocs_governance.policy.model import GateReport
from mkdocs_governance.reporting import (
    format_github,
    format_json,
    format_junit,
    format_markdown,
    format_text,
    plain,
)
from tests.policy_builders import full_production, history_for, model, registry, version

TRICKY = error(
    Code.INVALID_RECORD,
    "x",
    "100% broken:\nline two, really\r",
    "governance_records/odd,name:1.yaml",
    7,
)


def staging_report() -> GateReport:
    signoffs, verifications = full_production()
    reg = registry(model(version("staging")), tuple(signoffs[:1]), tuple(verifications[:1]))
    return evaluate(reg, history_for(reg), as_of=date(2026, 2, 1), record_findings=[TRICKY])


def test_text_has_one_line_per_finding_and_a_count_line():
    text = format_text([warning(Code.REVIEW_OVERDUE, "m@1", "old", "f.yaml", 3), TRICKY])
    lines = text.splitlines()
    assert lines[0].startswith("governance_records/odd,name:1.yaml:7: invalid-record: 100% broken")
    assert "f.yaml:3: warning: review-overdue: old" in text
    assert lines[-1] == "Governance gate failed: 1 error, 1 warning."
    assert format_text([]) == "Governance gate passed: 0 errors, 0 warnings.\n"


def test_github_escapes_data_and_properties():
    line = format_github([TRICKY]).strip()
    assert line == (
        "::error file=governance_records/odd%2Cname%3A1.yaml,line=7,title=invalid-record (x)"
        "::100%25 broken:%0Aline two, really%0D"
    )
    assert format_github([warning("review-overdue", "m@1", "m")]).startswith("::warning title=")


def test_json_round_trips_findings_and_checklists():
    data = json.loads(format_json(staging_report()))
    assert data["findings"][0]["file"] == TRICKY.file
    assert data["versions"]["credit-risk@2.1"]["stages"][2]["state"] == "pending"
    assert data["counts"]["by_code"] == {"invalid-record": 1}


def test_junit_skips_pending_stages_and_fails_record_files():
    suite = ElementTree.fromstring(format_junit(staging_report()).split("\n", 1)[1])
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    pending = cases[("credit-risk@2.1", "production: signoff model-risk")]
    assert pending.find("skipped") is not None
    record = cases[("records", TRICKY.file)]
    assert "100% broken" in record.find("failure").get("message")
    assert suite.get("failures") == "1"


def test_markdown_escapes_table_cells_and_lists_pending_promotions():
    pipe = error(Code.MISSING_CHECK, "m@1", "a | b\nc", "f.yaml", 2)
    report = GateReport((pipe,), {}, "2026-02-01")
    text = format_markdown(report)
    assert "| `f.yaml:2` | `missing-check` | a \\| b c |" in text
    passing = staging_report()
    passing = GateReport((), passing.versions, passing.as_of)
    assert "Pending promotions: `credit-risk@2.1` → production." in format_markdown(passing)


def test_plain_turns_domain_objects_into_json_data():
    data = plain({"when": date(2026, 1, 2), "nan": float("nan"), "items": ({"a"},)})
    assert json.dumps(data) == '{"when": "2026-01-02", "nan": null, "items": [["a"]]}'
