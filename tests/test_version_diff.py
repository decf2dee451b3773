"""The pure diff behind "what changed since the review" on a version page."""

from __future__ import annotations

import json
from datetime import date

from mkdocs_governance.records.digest import content_digest, version_content, version_digest
from mkdocs_governance.records.model import Dataset, Location, ModelVersion
from mkdocs_governance.site.version_diff import (
    FieldChange,
    diff_entries,
    reviewed_revision,
    short_value,
)

REVIEWED = {
    "version": "2.1",
    "created": "2026-01-05",
    "author": "bob",
    "artifact": {"uri": "s3://models/2.1.pkl", "sha256": "3f2a" + "0" * 60},
    "datasets": ["loan-book-2019-2024"],
    "metrics": {"auc": 0.812, "ks": 0.41},
}


def _now(**changes: object) -> dict[str, object]:
    return {**json.loads(json.dumps(REVIEWED)), **changes}


def test_metric_change_reads_old_value_arrow_new_value() -> None:
    now = _now(metrics={"auc": 0.815, "ks": 0.41})
    (change,) = diff_entries(REVIEWED, now)
    assert change == FieldChange("metrics.auc", "0.812", "0.815")
    assert change.text == "metrics.auc: 0.812 → 0.815"


def test_artifact_hash_change_is_shown_shortened() -> None:
    now = _now(artifact={"uri": "s3://models/2.1.pkl", "sha256": "9c1b" + "1" * 60})
    (change,) = diff_entries(REVIEWED, now)
    assert change.text == "artifact.sha256: 3f2a0000… → 9c1b1111…"


def test_hashes_with_one_prefix_are_shown_in_full() -> None:
    now = _now(artifact={"uri": "s3://models/2.1.pkl", "sha256": "3f2a" + "0" * 59 + "1"})
    (change,) = diff_entries(REVIEWED, now)
    assert change.before == "3f2a" + "0" * 60
    assert change.after == "3f2a" + "0" * 59 + "1"


def test_dataset_added_and_removed_are_listed_as_items() -> None:
    now = _now(datasets=["uk-macro-indicators", "loan-book-2020-2025"])
    (change,) = diff_entries(REVIEWED, now)
    assert (
        change.text
        == "datasets: + uk-macro-indicators, + loan-book-2020-2025, − loan-book-2019-2024"
    )


def test_added_and_removed_fields_say_so() -> None:
    now = _now(experiment="exp-42")
    del now["metrics"]
    texts = [c.text for c in diff_entries(REVIEWED, now)]
    assert texts == [
        "experiment: added (exp-42)",
        "metrics.auc: removed (was 0.812)",
        "metrics.ks: removed (was 0.41)",
    ]


def test_stage_is_not_a_change_of_what_was_reviewed() -> None:
    assert diff_entries({**REVIEWED, "stage": "staging"}, _now(stage="production")) == ()


def test_long_text_is_cut_and_values_are_plain_text() -> None:
    assert short_value("x" * 200).endswith("…")
    assert len(short_value("x" * 200)) == 60
    assert short_value(True) == "yes"
    assert short_value({"b": 1}) == '{"b": 1}'


def _version(content: dict[str, object]) -> ModelVersion:
    return ModelVersion(
        model_id="credit-risk",
        version="2.1",
        created=date(2026, 1, 5),
        stage="staging",
        author="bob",
        artifact=None,
        experiment=None,
        datasets=("loan-book-2019-2024",),
        metrics={},
        description="",
        content={**content, "stage": "staging"},
        location=Location("governance_records/models/credit-risk.yaml"),
    )


def test_content_digest_of_a_revision_equals_the_version_digest() -> None:
    dataset = Dataset(
        id="loan-book-2019-2024",
        name="Loans",
        description="",
        owner="alice",
        source="",
        version="1",
        sha256="a1" * 32,
        personal_data=False,
        license="internal",
        location=Location("governance_records/datasets/loans.yaml"),
    )
    version = _version(REVIEWED)
    revision = json.loads(version_content(version))
    assert content_digest(revision, {"loan-book-2019-2024": "a1" * 32}) == version_digest(
        version, {"loan-book-2019-2024": dataset}
    )


def test_reviewed_revision_is_the_one_whose_digest_is_the_subject() -> None:
    digests = {"loan-book-2019-2024": "a1" * 32}
    older, newer = REVIEWED, _now(metrics={"auc": 0.815, "ks": 0.41})
    subject = content_digest(older, digests)
    assert reviewed_revision(subject, [newer, older], digests) == 1
    assert reviewed_revision(subject.upper().replace("SHA256", "sha256"), [older], digests) == 0


def test_no_revision_matches_a_hand_edited_or_missing_subject() -> None:
    digests = {"loan-book-2019-2024": "a1" * 32}
    assert reviewed_revision("sha256:" + "0" * 64, [REVIEWED], digests) is None
    assert reviewed_revision(None, [REVIEWED], digests) is None
    # The dataset changed since the review: the entry alone cannot match.
    subject = content_digest(REVIEWED, digests)
    assert reviewed_revision(subject, [REVIEWED], {"loan-book-2019-2024": "b2" * 32}) is None
