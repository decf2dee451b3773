"""The valid fixture set loads completely, typed by the schema, with no findings."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from mkdocs_governance.records import (
    load_registry,
    load_registry_from_blobs,
    registry_digest,
    version_digest,
)

VALID = Path(__file__).parent / "record_cases" / "valid"


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A copy of the valid fixture as ``<repo>/governance_records``."""
    target = tmp_path / "repo" / "governance_records"
    shutil.copytree(VALID, target)
    return target


def test_valid_fixture_loads_without_findings(records: Path) -> None:
    result = load_registry(records)
    assert [f.format_line() for f in result.findings] == []
    registry = result.registry
    assert registry.records_dir == "governance_records"
    assert sorted(registry.people) == ["alice", "bob", "carol", "dan"]
    assert list(registry.models) == ["credit-scoring"]
    assert list(registry.datasets) == ["applications-2024"]
    assert list(registry.experiments) == ["exp-gbm-depth"]
    assert list(registry.decisions) == ["0001-use-gradient-boosting"]
    assert [s.id for s in registry.signoffs] == [
        "governance_records/signoffs/credit-scoring/1.10-staging-bob.yaml"
    ]
    assert len(registry.verifications) == 2
    assert len(registry.files) == 9


def test_every_record_file_is_listed_with_a_repo_relative_path(records: Path) -> None:
    registry = load_registry(records, repo_root=records.parent).registry
    assert "governance_records/models/credit-scoring.md" in registry.files
    assert "governance_records/policy.yaml" in registry.files
    assert all(not f.startswith("/") for f in registry.files)


def test_unquoted_version_1_10_stays_the_string_1_10(records: Path) -> None:
    registry = load_registry(records).registry
    model = registry.models["credit-scoring"]
    assert [v.version for v in model.versions] == ["1.10", "1.9"]
    assert model.version("1.10") is not None
    assert registry.version("credit-scoring@1.10").content["version"] == "1.10"


def test_no_stays_the_word_no_in_a_text_field(records: Path) -> None:
    registry = load_registry(records).registry
    assert registry.models["credit-scoring"].out_of_scope_use == "no"
    # Free-form params follow YAML 1.2: `no` is text there too.
    assert registry.experiments["exp-gbm-depth"].params["early_stopping"] == "no"


def test_fields_are_typed_by_the_schema(records: Path) -> None:
    registry = load_registry(records).registry
    version = registry.version("credit-scoring@1.10")
    assert version.created == date(2026, 1, 10)
    assert version.metrics == {"auc": 0.83, "ks": 0.41}
    assert version.artifact is not None and version.artifact.uri.startswith("s3://")
    assert version.location.line == 14
    assert version.location.line_of("metrics") == 23
    dataset = registry.datasets["applications-2024"]
    assert dataset.personal_data is True and dataset.version == "2024.12"
    experiment = registry.experiments["exp-gbm-depth"]
    assert experiment.metric_history == {"auc": ((1.0, 0.78), (2.0, 0.81), (3.0, 0.83))}
    policy = registry.policy
    assert policy is not None
    assert policy.stages == ("development", "staging", "production")
    assert policy.checks["performance"].minimum == 0.80
    assert policy.checks["performance"].metric == "auc"
    assert policy.checks["model-card"].automatic == "documentation"
    production = policy.requirements["production"]
    assert [(s.role, s.count) for s in production.by_risk_tier["high"].signoffs] == [
        ("model-risk", 2)
    ]
    assert policy.rules.waiver_roles == ("model-risk",)
    waived = next(v for v in registry.verifications if v.status == "waived")
    assert waived.waiver is not None and waived.waiver.expires == date(2026, 6, 30)
    model = registry.models["credit-scoring"]
    assert model.body.startswith("# Credit scoring")


def test_blobs_load_exactly_like_the_folder(records: Path) -> None:
    root = records.parent
    blobs = {
        p.relative_to(root).as_posix(): p.read_bytes() for p in records.rglob("*") if p.is_file()
    }
    blobs["other/ignored.yaml"] = b"not: [a record"
    from_disk = load_registry(records, repo_root=root)
    from_blobs = load_registry_from_blobs(blobs, "governance_records")
    assert from_blobs.findings == ()
    assert from_blobs.registry == from_disk.registry


def test_digest_ignores_stage_but_not_metrics(records: Path) -> None:
    before = registry_digest(load_registry(records).registry, "credit-scoring@1.10")
    model_file = records / "models" / "credit-scoring.md"
    text = model_file.read_text()
    model_file.write_text(text.replace("stage: staging", "stage: production", 1))
    promoted = registry_digest(load_registry(records).registry, "credit-scoring@1.10")
    model_file.write_text(text.replace("auc: 0.83, ks: 0.41", "auc: 0.84, ks: 0.41"))
    retrained = registry_digest(load_registry(records).registry, "credit-scoring@1.10")
    assert before is not None and before.startswith("sha256:") and len(before) == 71
    assert promoted == before
    assert retrained != before


def test_version_digest_is_the_documented_canonical_json_hash(records: Path) -> None:
    registry = load_registry(records).registry
    version = registry.version("credit-scoring@1.10")
    expected_payload = {
        "version": {
            "version": "1.10",
            "created": "2026-01-10",
            "author": "alice",
            "artifact": {
                "uri": "s3://models/credit-scoring/1.10/model.pkl",
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            },
            "experiment": "exp-gbm-depth",
            "datasets": ["applications-2024"],
            "metrics": {"auc": 0.83, "ks": 0.41},
            "description": "Gradient boosting, depth 6.",
        },
        "datasets": [
            {
                "id": "applications-2024",
                "digest": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
            }
        ],
    }
    canonical = json.dumps(
        expected_payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert version_digest(version, registry.datasets) == (
        "sha256:" + hashlib.sha256(canonical).hexdigest()
    )


def test_digest_of_a_version_naming_a_missing_dataset_uses_null(records: Path) -> None:
    registry = load_registry(records).registry
    version = registry.version("credit-scoring@1.10")
    with_dataset = version_digest(version, registry.datasets)
    without = version_digest(version, {})
    assert without != with_dataset and without.startswith("sha256:")


def test_example_records_load_without_findings() -> None:
    """The project's own example (governance_records/) is a valid record set."""
    root = Path(__file__).resolve().parent.parent
    result = load_registry(root / "governance_records", repo_root=root)
    assert [f.format_line() for f in result.findings] == []
    registry = result.registry
    assert registry.policy is not None
    assert registry.models and registry.signoffs and registry.verifications
    assert len(registry.files) >= 10
