"""The JSON Schemas generated from the record definitions.

Validated with ``jsonschema`` (draft 2020-12, formats checked) on the data an editor
sees: the YAML read with YAML 1.2 core typing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mkdocs_governance.records import record_schemas, write_schemas
from mkdocs_governance.records.yamlsafe import read_front_matter_bytes, read_yaml_bytes, to_plain

CASES = Path(__file__).parent / "record_cases"
VALID = CASES / "valid"


def _plain(path: Path) -> Any:
    data = path.read_bytes()
    if path.suffix == ".md":
        return to_plain(read_front_matter_bytes(data).data)
    return to_plain(read_yaml_bytes(data))


def _errors(kind: str, instance: Any) -> list[str]:
    schema = record_schemas()[kind]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(instance)]


def test_every_record_kind_has_a_valid_draft_2020_12_schema() -> None:
    schemas = record_schemas()
    assert set(schemas) == {
        "policy",
        "people",
        "person",
        "model",
        "model-version",
        "dataset",
        "experiment",
        "decision",
        "signoff",
        "verification",
        "waiver",
        "deployment",
    }
    for kind, schema in schemas.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", kind
        Draft202012Validator.check_schema(schema)


def test_write_schemas_writes_one_file_per_kind(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "schemas")
    names = sorted(path.name for path in written)
    assert "model.schema.json" in names and "signoff.schema.json" in names
    assert len(names) == len(record_schemas())
    model = json.loads((tmp_path / "schemas" / "model.schema.json").read_text("utf-8"))
    assert model == record_schemas()["model"]


@pytest.mark.parametrize(
    ("kind", "relative"),
    [
        ("policy", "policy.yaml"),
        ("people", "people.yaml"),
        ("model", "models/credit-scoring.md"),
        ("dataset", "datasets/applications-2024.yaml"),
        ("experiment", "experiments/exp-gbm-depth.yaml"),
        ("decision", "decisions/0001-use-gradient-boosting.md"),
        ("signoff", "signoffs/credit-scoring/1.10-staging-bob.yaml"),
        ("verification", "verifications/credit-scoring/1.10-data-validation.yaml"),
        ("verification", "verifications/credit-scoring/1.10-fairness-waived.yaml"),
    ],
)
def test_valid_records_pass_their_schema(kind: str, relative: str) -> None:
    assert _errors(kind, _plain(VALID / relative)) == []


@pytest.mark.parametrize(
    ("kind", "case", "words"),
    [
        ("signoff", "missing_required_field.yaml", "'approver' is a required property"),
        ("signoff", "bad_enum.yaml", "'approve' is not one of ['approved', 'rejected']"),
        ("signoff", "unknown_field_hint.yaml", "'aproval_role' was unexpected"),
        ("signoff", "bad_date.yaml", "'2026-02-30' is not a 'date'"),
        ("signoff", "bad_date_format.yaml", "does not match"),
        ("signoff", "bad_subject.yaml", "'sha1:abc' does not match"),
        ("dataset", "bool_yes.yaml", "'yes' is not of type 'boolean'"),
        ("verification", "wrong_type_metric.yaml", "'high' is not of type 'number'"),
        ("verification", "unknown_waiver_field.yaml", "'approvedby' was unexpected"),
        ("model", "bad_risk_tier.yaml", "'critical' is not one of ['low', 'medium', 'high']"),
        ("model", "wrong_type_list.yaml", "'applications-2024' is not of type 'array'"),
        ("policy", "policy_unknown_rule.yaml", "'separation_of_duty' was unexpected"),
    ],
)
def test_malformed_records_are_rejected_by_their_schema(kind: str, case: str, words: str) -> None:
    errors = _errors(kind, _plain(CASES / case))
    assert any(words in message for message in errors), errors


def test_unquoted_version_is_accepted_by_the_schema_as_the_loader_does() -> None:
    assert _errors("signoff", _plain(CASES / "version_1_10_unquoted.yaml")) == []


def test_extra_holds_fields_of_your_own() -> None:
    record = _plain(VALID / "datasets" / "applications-2024.yaml")
    record["extra"] = {"steward": "finance", "rows": 120000}
    assert _errors("dataset", record) == []
    record["steward"] = "finance"
    assert _errors("dataset", record) == [
        "Additional properties are not allowed ('steward' was unexpected)"
    ]
