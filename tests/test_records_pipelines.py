"""Declared pipelines: people.yaml's ``pipelines:`` list, and references to them."""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs_governance.records import load_registry
from mkdocs_governance.records.model import Pipeline

CASES = Path(__file__).parent / "record_cases"
RECORDS = "governance_records"

PEOPLE_HEAD = """\
people:
  - id: alice
    name: Alice Martin
    emails: [alice@bank.example]
    roles: [data-scientist]
  - id: bob
    name: Bob Nguyen
    emails: [bob@bank.example]
    roles: [ml-lead]
  - id: carol
    name: Carol Diaz
    emails: [carol@bank.example]
    roles: [model-risk]
  - id: dan
    name: Dan Okafor
    emails: [dan@bank.example]
    roles: [product-owner]
"""


def _records(tmp_path: Path, people: str) -> Path:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "people.yaml").write_text(people)
    return records


def test_declared_pipeline_loads_with_its_identity(tmp_path: Path) -> None:
    records = _records(
        tmp_path,
        PEOPLE_HEAD
        + "pipelines:\n"
        + "  - id: data-checks\n"
        + "    name: Data checks pipeline\n"
        + "    emails: [data-checks@ci.bank.example]\n"
        + '    signing_keys: ["SHA256:Zm9vYmFyYmF6cXV4"]\n'
        + "    extra: {runner: github-actions}\n",
    )
    loaded = load_registry(records)
    assert loaded.findings == ()
    pipeline = loaded.registry.pipelines["data-checks"]
    assert isinstance(pipeline, Pipeline)
    assert pipeline.reference == "pipeline:data-checks"
    assert pipeline.emails == ("data-checks@ci.bank.example",)
    assert pipeline.signing_keys == ("SHA256:Zm9vYmFyYmF6cXV4",)
    assert pipeline.extra == {"runner": "github-actions"}
    assert (pipeline.location.file, pipeline.location.line) == (f"{RECORDS}/people.yaml", 19)
    assert "data-checks" not in loaded.registry.people


def test_undeclared_pipeline_in_performed_by_is_an_unknown_reference(tmp_path: Path) -> None:
    records = _records(
        tmp_path,
        PEOPLE_HEAD + "pipelines:\n  - id: data-check\n    name: Data checks\n    emails: []\n",
    )
    loaded = load_registry(records)
    assert [(f.code, f.file, f.line) for f in loaded.findings] == [
        (
            "unknown-reference",
            f"{RECORDS}/verifications/credit-scoring/1.10-data-validation.yaml",
            6,
        )
    ]
    message = loaded.findings[0].message
    assert "`pipeline:data-checks`, a pipeline people.yaml does not declare" in message
    assert "did you mean `data-check`?" in message
    assert "pipelines:" in message


def test_pipeline_without_any_pipelines_list_is_an_unknown_reference(tmp_path: Path) -> None:
    loaded = load_registry(_records(tmp_path, PEOPLE_HEAD))
    assert [f.code for f in loaded.findings] == ["unknown-reference"]
    assert loaded.registry.pipelines == {}


def test_pipeline_sharing_a_persons_email_is_a_duplicate(tmp_path: Path) -> None:
    records = _records(
        tmp_path,
        PEOPLE_HEAD
        + "pipelines:\n  - id: data-checks\n    name: Data checks\n    emails: [Bob@bank.example]\n",
    )
    loaded = load_registry(records)
    assert [(f.code, f.line) for f in loaded.findings] == [("duplicate-id", 21)]
    assert "email `Bob@bank.example` belongs to both `bob`" in loaded.findings[0].message


def test_two_pipelines_with_one_id_and_a_bad_entry_are_all_reported(tmp_path: Path) -> None:
    records = _records(
        tmp_path,
        PEOPLE_HEAD
        + "pipelines:\n"
        + "  - id: data-checks\n    name: A\n    emails: [a@ci.bank.example]\n"
        + "  - id: data-checks\n    name: B\n    emails: [b@ci.bank.example]\n"
        + "  - id: nightly\n    emails: [n@ci.bank.example]\n"
        + "  - just text\n",
    )
    loaded = load_registry(records)
    found = sorted((f.code, f.line) for f in loaded.findings)
    assert found == [("duplicate-id", 22), ("invalid-record", 25), ("invalid-record", 27)]
    messages = " ".join(f.message for f in loaded.findings)
    assert "pipeline id `data-checks` is used twice" in messages
    assert "`pipelines[4]` must be a mapping" in messages
    # The first data-checks entry still counts: one bad entry hides no other.
    assert list(loaded.registry.pipelines) == ["data-checks"]


def test_pipelines_must_be_a_list(tmp_path: Path) -> None:
    loaded = load_registry(_records(tmp_path, PEOPLE_HEAD + "pipelines: data-checks\n"))
    assert ("invalid-record", 18) in [(f.code, f.line) for f in loaded.findings]
    assert "`pipelines` must be a list" in " ".join(f.message for f in loaded.findings)


def test_example_declares_the_data_validation_pipeline() -> None:
    root = Path(__file__).resolve().parent.parent
    loaded = load_registry(root / RECORDS, repo_root=root)
    assert loaded.findings == ()
    pipeline = loaded.registry.pipelines["data-validation"]
    assert pipeline.emails == ("ci-data-validation@larkspur-lending.example",)
