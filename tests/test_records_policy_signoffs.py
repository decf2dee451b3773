"""Sign-offs of a policy change (``model: policy``, ``stage: policy``) are valid records.

The records layer accepts the convention (SPEC §6a) itself: such a sign-off names no
model version and no policy stage, and is judged by the gate's ``policy-changed`` rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs_governance.findings import Code
from mkdocs_governance.records import load_registry
from mkdocs_governance.records.loader import parse_model_blob
from tests.scenario import model_yaml

VALID = Path(__file__).parent / "record_cases" / "valid"

POLICY_SIGNOFF = """\
model: policy
version: pr-42
stage: {stage}
approver: bob
role: ml-lead
decision: approved
date: 2026-01-12
subject: sha256:{digest}
"""


def records_with(tmp_path: Path, files: dict[str, str]) -> Path:
    target = tmp_path / "repo" / "governance_records"
    shutil.copytree(VALID, target)
    for relative, text in files.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    return target


def test_policy_change_signoff_is_no_unknown_reference(tmp_path: Path) -> None:
    records = records_with(
        tmp_path,
        {"signoffs/policy/pr-42.yaml": POLICY_SIGNOFF.format(stage="policy", digest="a" * 64)},
    )
    result = load_registry(records)
    assert [f.format_line() for f in result.findings] == []
    (signoff,) = [s for s in result.registry.signoffs if s.model == "policy"]
    assert (signoff.version, signoff.stage) == ("pr-42", "policy")


def test_policy_change_signoff_with_an_unknown_stage_is_reported(tmp_path: Path) -> None:
    records = records_with(
        tmp_path,
        {"signoffs/policy/pr-42.yaml": POLICY_SIGNOFF.format(stage="polcy", digest="a" * 64)},
    )
    findings = load_registry(records).findings
    assert [(f.code, f.file.rsplit("/", 1)[-1], f.line) for f in findings] == [
        (Code.UNKNOWN_REFERENCE, "pr-42.yaml", 3)
    ]


def test_a_model_named_policy_makes_policy_an_ordinary_reference(tmp_path: Path) -> None:
    model = (VALID / "models" / "credit-scoring.md").read_text(encoding="utf-8")
    records = records_with(
        tmp_path,
        {
            "models/policy.md": model.replace("id: credit-scoring", "id: policy"),
            "signoffs/policy/pr-42.yaml": POLICY_SIGNOFF.format(stage="policy", digest="a" * 64),
        },
    )
    findings = load_registry(records).findings
    assert {(f.code, f.line) for f in findings if f.file.endswith("pr-42.yaml")} == {
        (Code.UNKNOWN_REFERENCE, 2),  # version pr-42 of the model `policy`
        (Code.UNKNOWN_REFERENCE, 3),  # stage `policy`
    }


def test_model_blob_parses_alone_without_reference_checks() -> None:
    data = (VALID / "models" / "credit-scoring.md").read_bytes()
    model = parse_model_blob("governance_records/models/credit-scoring.md", data)
    assert model is not None and model.id == "credit-scoring"
    assert [v.version for v in model.versions] == ["1.10", "1.9"]
    # Its owner and authors name people who are not loaded: no reference is checked.
    scenario_model = model_yaml(author="nobody-known").encode()
    parsed = parse_model_blob("governance_records/models/credit-risk.yaml", scenario_model)
    assert parsed is not None and parsed.versions[0].author == "nobody-known"
    assert parse_model_blob("governance_records/models/x.yaml", b"id: [unclosed\n") is None
    assert parse_model_blob("governance_records/models/x.yaml", b"id: x\n") is None  # schema
