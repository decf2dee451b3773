"""Malformed records, one small file each, against the valid fixture set.

Each case copies ``tests/record_cases/valid`` to ``<repo>/governance_records``,
drops one case file at a target path, loads, and asserts the exact findings: code,
line and the key words of the message. Nothing else may be reported (one broken
file, one set of findings; no cascade).
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest

from mkdocs_governance.findings import Severity
from mkdocs_governance.records import LoadResult, load_registry
from mkdocs_governance.records.yamlsafe import MAX_FILE_BYTES

CASES = Path(__file__).parent / "record_cases"
RECORDS = "governance_records"

# case file, target under the records folder, code, line, words in the message
MALFORMED = [
    ("missing_required_field.yaml", "signoffs/x.yaml", "invalid-record", 1,
     ["required field `approver` is missing", "add `approver:`"]),
    ("wrong_type_metric.yaml", "verifications/x.yaml", "invalid-record", 8,
     ["`metrics.auc` is `high`, not a number"]),
    ("wrong_type_list.yaml", "models/churn.yaml", "invalid-record", 5,
     ["`datasets` must be a list", "`- item`"]),
    ("unknown_field_hint.yaml", "signoffs/x.yaml", "invalid-record", 5,
     ["unknown field `aproval_role`", "under `extra:`"]),
    ("unknown_waiver_field.yaml", "verifications/x.yaml", "invalid-record", 8,
     ["unknown field `approvedby` in `waiver`", "did you mean `approved_by`?"]),
    ("bad_date.yaml", "signoffs/x.yaml", "invalid-record", 7,
     ["`date` is `2026-02-30`, not a valid date", "YYYY-MM-DD"]),
    ("bad_date_format.yaml", "signoffs/x.yaml", "invalid-record", 7,
     ["`date` is `12/01/2026`, not a valid date"]),
    ("bad_enum.yaml", "signoffs/x.yaml", "invalid-record", 6,
     ["`decision` is `approve`, not one of: approved, rejected", "did you mean `approved`?"]),
    ("bad_risk_tier.yaml", "models/churn.yaml", "invalid-record", 4,
     ["`risk_tier` is `critical`, not one of: low, medium, high"]),
    ("duplicate_key.yaml", "signoffs/x.yaml", "invalid-record", 9,
     ["duplicate key `date` (first on line 7)"]),
    ("duplicate_dataset_id.yaml", "datasets/apps-copy.yaml", "duplicate-id", 1,
     ["dataset id `applications-2024`",
      f"{RECORDS}/datasets/applications-2024.yaml:1",
      f"{RECORDS}/datasets/apps-copy.yaml:1"]),
    ("duplicate_person_id.yaml", "people.yaml", "duplicate-id", 14,
     ["person id `alice` is used twice", f"{RECORDS}/people.yaml:2", f"{RECORDS}/people.yaml:14"]),
    ("shared_email.yaml", "people.yaml", "duplicate-id", 14,
     ["email `Bob@Bank.example` belongs to both `bob`", f"{RECORDS}/people.yaml:8"]),
    ("bad_email.yaml", "people.yaml", "invalid-record", 4,
     ["`people[1].emails[1]` is `alice.bank.example`", "an email address"]),
    ("duplicate_version.yaml", "models/churn.yaml", "duplicate-id", 10,
     ["version `2.0` of `churn` is listed twice: lines 6 and 10"]),
    ("dangling_owner.yaml", "models/churn.yaml", "unknown-reference", 3,
     ["`owner` names `dana`", "did you mean `dan`?", "people.yaml"]),
    ("dangling_version_refs.yaml", "models/churn.yaml", "unknown-reference", 9,
     ["`author` names `alicia`", "did you mean `alice`?"]),
    ("dangling_experiment.yaml", "models/churn.yaml", "unknown-reference", 10,
     ["`experiment` names the experiment `exp-missing`"]),
    ("dangling_dataset.yaml", "models/churn.yaml", "unknown-reference", 10,
     ["`datasets` names the dataset `applications-2023`", "did you mean `applications-2024`?"]),
    ("dangling_stage.yaml", "models/churn.yaml", "unknown-reference", 8,
     ["`stage` is `prod`", "development, staging, production"]),
    ("dangling_model_version.yaml", "signoffs/x.yaml", "unknown-reference", 2,
     ["`credit-scoring@2.0`", "has no version `2.0`", "it has: 1.10, 1.9"]),
    ("dangling_model.yaml", "signoffs/x.yaml", "unknown-reference", 1,
     ["the model `credit-scorring`", "did you mean `credit-scoring`?"]),
    ("dangling_approver.yaml", "signoffs/x.yaml", "unknown-reference", 4,
     ["`approver` names `rob`", "did you mean `bob`?"]),
    ("dangling_role.yaml", "signoffs/x.yaml", "unknown-reference", 5,
     ["`role` is `ml-leader`", "did you mean `ml-lead`?"]),
    ("dangling_check.yaml", "verifications/x.yaml", "unknown-reference", 3,
     ["`check` is `fairness`", "check catalogue", "did you mean `fairness-audit`?"]),
    ("dangling_performed_by.yaml", "verifications/x.yaml", "unknown-reference", 6,
     ["`performed_by` is `nightly-eval`", "`pipeline:nightly-eval`"]),
    ("dangling_waiver_approver.yaml", "verifications/x.yaml", "unknown-reference", 7,
     ["`waiver.approved_by` names `caroline`", "did you mean `carol`?"]),
    ("dangling_experiment_model.yaml", "experiments/exp-other.yaml", "unknown-reference", 2,
     ["`model` names the model `fraud`"]),
    ("dangling_decision_model.md", "decisions/0002-retire-rules.md", "unknown-reference", 5,
     ["`models` names the model `fraud-detection`"]),
    ("dangling_supersedes.md", "decisions/0003-replace-seven.md", "unknown-reference", 4,
     ["`supersedes` names `7`"]),
    ("alias_bomb.yaml", "datasets/bomb.yaml", "invalid-record", 1,
     ["anchor `&a` is not allowed"]),
    ("non_utf8.yaml", "models/churn.yaml", "invalid-record", 2,
     ["byte 0xe9 is not valid UTF-8", "save the file as UTF-8"]),
    ("empty.yaml", "signoffs/x.yaml", "invalid-record", 1, ["file is empty"]),
    ("comments_only.yaml", "signoffs/x.yaml", "invalid-record", 1, ["file is empty"]),
    ("front_matter_not_closed.md", "decisions/0002-x.md", "invalid-record", 1,
     ["front matter opened with `---` on line 1 is never closed"]),
    ("front_matter_not_mapping.md", "models/churn.md", "invalid-record", 2,
     ["front matter is a list, not a mapping"]),
    ("tab_indented.yaml", "models/churn.yaml", "invalid-record", 7,
     ["tab used where YAML expects spaces", "replace the tab with spaces"]),
    ("personal_data_missing.yaml", "datasets/sample.yaml", "invalid-record", 1,
     ["required field `personal_data` is missing", "true or false"]),
    ("bool_yes.yaml", "datasets/sample.yaml", "invalid-record", 3,
     ["`personal_data` is `yes`; write true or false"]),
    ("bad_subject.yaml", "signoffs/x.yaml", "invalid-record", 8,
     ["`subject` is `sha1:abc`", "mkdocs-governance digest"]),
    ("waived_without_waiver.yaml", "verifications/x.yaml", "invalid-record", 4,
     ["`status` is waived but there is no `waiver:`"]),
    ("evidence_escapes_repo.yaml", "verifications/x.yaml", "invalid-record", 7,
     ["`evidence` `../../etc/passwd` points outside the repository"]),
    ("stray_top_level.yaml", "notes.yaml", "invalid-record", 1,
     ["`notes.yaml` is not a record file"]),
    ("stray_top_level.yaml", "signofs/x.yaml", "invalid-record", 1,
     ["`signofs/` is not a records folder", "did you mean `signoffs`?"]),
    ("stray_top_level.yaml", "models/old/churn.yaml", "invalid-record", 1,
     ["not read from sub-folders"]),
    ("stray_top_level.yaml", "decisions/0002-x.yaml", "invalid-record", 1,
     ["unexpected extension for `decisions/` (expected .md)"]),
    ("policy_unknown_rule.yaml", "policy.yaml", "invalid-record", 11,
     ["unknown field `separation_of_duty` in `rules`", "did you mean `separation_of_duties`?"]),
    ("policy_unknown_check.yaml", "policy.yaml", "invalid-record", 10,
     ["requirements of `production` name the check `fairness-audits`"]),
    ("policy_unknown_stage.yaml", "policy.yaml", "invalid-record", 7,
     ["requirements name the stage `stagging`", "did you mean `staging`?"]),
    ("two_documents.yaml", "models/churn.yaml", "invalid-record", 5,
     ["more than one YAML document"]),
    ("python_tag.yaml", "models/churn.yaml", "invalid-record", 2,
     ["tag `tag:yaml.org,2002:python/object/apply:os.system` is not allowed"]),
    ("nan_metric.yaml", "verifications/x.yaml", "invalid-record", 7,
     ["`metrics.auc` is `.nan`, not a number"]),
    # Issue 10: the real line and a fix, never the parser's internals.
    ("nul_byte.yaml", "signoffs/x.yaml", "invalid-record", 3,
     ["column 10 holds a NUL byte", "save the file as plain UTF-8"]),
    ("control_character.yaml", "datasets/sample.yaml", "invalid-record", 3,
     ["column 20 holds a control character U+0007"]),
    ("utf16_bom.yaml", "datasets/sample.yaml", "invalid-record", 1,
     ["UTF-16", "save the file as UTF-8"]),
    ("utf16le_no_bom.yaml", "datasets/sample.yaml", "invalid-record", 1,
     ["UTF-16", "save the file as UTF-8"]),
]  # fmt: skip


def _load_with(tmp_path: Path, case: str, target: str) -> LoadResult:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    destination = records / target
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CASES / case, destination)
    return load_registry(records)


def test_there_are_at_least_thirty_malformed_cases() -> None:
    assert len(MALFORMED) >= 30
    assert all((CASES / case).is_file() for case, *_ in MALFORMED)


@pytest.mark.parametrize(
    ("case", "target", "code", "line", "words"),
    MALFORMED,
    ids=[f"{case}->{target}" for case, target, *_ in MALFORMED],
)
def test_malformed_record_gives_exactly_one_precise_finding(
    tmp_path: Path, case: str, target: str, code: str, line: int, words: list[str]
) -> None:
    result = _load_with(tmp_path, case, target)
    assert len(result.findings) == 1, [f.format_line() for f in result.findings]
    (finding,) = result.findings
    assert finding.code == code
    assert finding.severity == Severity.ERROR
    assert finding.file == f"{RECORDS}/{target}"
    assert finding.line == line
    for word in words:
        assert word in finding.message
    # Every file is accounted for: loaded, or named by a finding.
    assert f"{RECORDS}/{target}" in result.registry.files


def test_a_broken_file_is_left_out_and_the_others_still_load(tmp_path: Path) -> None:
    result = _load_with(tmp_path, "bad_enum.yaml", "signoffs/x.yaml")
    assert [s.id for s in result.registry.signoffs] == [
        f"{RECORDS}/signoffs/credit-scoring/1.10-staging-bob.yaml"
    ]
    assert "credit-scoring" in result.registry.models


def test_references_to_a_broken_record_are_not_reported_again(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    model = records / "models" / "credit-scoring.md"
    model.write_text(model.read_text().replace("risk_tier: medium", "risk_tier: severe"))
    result = load_registry(records)
    assert [(f.code, f.file, f.line) for f in result.findings] == [
        ("invalid-record", f"{RECORDS}/models/credit-scoring.md", 6)
    ]


def test_version_1_10_unquoted_in_a_signoff_names_version_1_10(tmp_path: Path) -> None:
    result = _load_with(tmp_path, "version_1_10_unquoted.yaml", "signoffs/x.yaml")
    assert result.findings == ()
    signoff = next(s for s in result.registry.signoffs if s.id.endswith("/x.yaml"))
    assert signoff.version == "1.10"
    assert signoff.key == "credit-scoring@1.10"


def test_no_in_a_text_field_stays_the_word_no(tmp_path: Path) -> None:
    result = _load_with(tmp_path, "no_in_text_field.yaml", "datasets/sample.yaml")
    assert result.findings == ()
    assert result.registry.datasets["sample"].description == "no"
    assert result.registry.datasets["sample"].personal_data is False


def test_nygard_decision_with_superseded_status_keeps_the_link(tmp_path: Path) -> None:
    result = _load_with(tmp_path, "nygard_superseded.md", "decisions/0002-use-rules.md")
    assert result.findings == ()
    decision = result.registry.decisions["0002-use-rules"]
    assert decision.format == "nygard"
    assert decision.number == 2
    assert decision.title == "Use a rules engine for credit decisions"
    assert decision.status == "superseded"
    assert decision.superseded_by == "0001-use-gradient-boosting.md"
    assert str(decision.date) == "2024-03-01"
    assert decision.location.line_of("status") == 7


def test_template_decision_is_a_warning_not_a_decision(tmp_path: Path) -> None:
    result = _load_with(tmp_path, "template_decision.md", "decisions/0002-template.md")
    (finding,) = result.findings
    assert finding.severity == Severity.WARNING
    assert finding.code == "invalid-record"
    assert finding.message.startswith("not a decision: a template")
    assert "0002-template" not in result.registry.decisions


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    big = records / "datasets" / "big.yaml"
    big.write_bytes(b"id: big\nname: Big\ndescription: " + b"x" * MAX_FILE_BYTES + b"\n")
    result = load_registry(records)
    (finding,) = result.findings
    assert (finding.code, finding.file, finding.line) == (
        "invalid-record",
        f"{RECORDS}/datasets/big.yaml",
        1,
    )
    assert "over the 1,048,576-byte limit" in finding.message


def test_alias_bomb_is_refused_fast_and_small(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    shutil.copyfile(CASES / "alias_bomb.yaml", records / "datasets" / "bomb.yaml")
    tracemalloc.start()
    started = time.perf_counter()
    result = load_registry(records)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [f.code for f in result.findings] == ["invalid-record"]
    assert elapsed < 2.0
    assert peak < 20 * 1024 * 1024


def test_symlinked_record_is_refused(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    outside = tmp_path / "secret.yaml"
    outside.write_text("id: secret\nname: Secret\n")
    (records / "datasets" / "secret.yaml").symlink_to(outside)
    result = load_registry(records)
    (finding,) = result.findings
    assert finding.file == f"{RECORDS}/datasets/secret.yaml"
    assert "symbolic link" in finding.message
    assert "secret" not in result.registry.datasets


def test_missing_policy_and_people_are_reported(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "policy.yaml").unlink()
    (records / "people.yaml").unlink()
    result = load_registry(records)
    assert sorted((f.code, f.file) for f in result.findings) == [
        ("invalid-record", f"{RECORDS}/people.yaml"),
        ("invalid-record", f"{RECORDS}/policy.yaml"),
    ]
    assert result.registry.policy is None


def test_missing_records_folder_is_a_finding_not_an_exception(tmp_path: Path) -> None:
    result = load_registry(tmp_path / "nowhere")
    (finding,) = result.findings
    assert "does not exist" in finding.message
    assert result.registry.models == {}


def test_readme_at_the_top_is_skipped_but_other_stray_files_are_not(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "README.md").write_text("# Our governance records\n")
    (records / "models" / ".gitkeep").write_text("")
    (records / "models" / "notes.txt").write_text("todo\n")
    result = load_registry(records)
    assert [(f.file, f.line) for f in result.findings] == [(f"{RECORDS}/models/notes.txt", 1)]
    assert f"{RECORDS}/README.md" not in result.registry.files


def test_all_errors_of_one_file_are_reported_at_once(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "signoffs" / "many.yaml").write_text(
        "model: credit-scoring\nversion: '1.10'\nstage: staging\n"
        "approver: bob\nrole: ml-lead\ndecision: maybe\ndate: yesterday\ncolour: red\n"
    )
    result = load_registry(records)
    assert sorted(f.line for f in result.findings) == [6, 7, 8]


def test_two_decisions_with_one_number_give_a_warning(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    shutil.copyfile(CASES / "nygard_superseded.md", records / "decisions" / "0001-use-rules.md")
    result = load_registry(records)
    (finding,) = result.findings
    assert (finding.code, finding.severity) == ("duplicate-id", Severity.WARNING)
    assert finding.file == f"{RECORDS}/decisions/0001-use-rules.md"
    assert "decision number 1 is used by two files" in finding.message
    assert len(result.registry.decisions) == 2


def test_unparseable_people_file_does_not_cascade_into_unknown_references(
    tmp_path: Path,
) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "people.yaml").write_text("people:\n  - id: alice\n    name: [unclosed\n")
    result = load_registry(records)
    assert [(f.code, f.file) for f in result.findings] == [
        ("invalid-record", f"{RECORDS}/people.yaml")
    ]


def test_one_bad_person_entry_keeps_the_others_and_hides_references_to_it(
    tmp_path: Path,
) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    people = records / "people.yaml"
    people.write_text(people.read_text().replace("    roles: [ml-lead]", "    roles: ml-lead"))
    result = load_registry(records)
    assert [(f.code, f.line) for f in result.findings] == [("invalid-record", 9)]
    assert "`people[2].roles` must be a list" in result.findings[0].message
    assert sorted(result.registry.people) == ["alice", "carol", "dan"]


def test_broken_policy_does_not_cascade_into_stage_check_or_role_findings(
    tmp_path: Path,
) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "policy.yaml").write_text("stages: development\n")
    result = load_registry(records)
    assert [(f.code, f.file, f.line) for f in result.findings] == [
        ("invalid-record", f"{RECORDS}/policy.yaml", 1)
    ]
    assert result.registry.policy is None


@pytest.mark.parametrize("levels", [60, 5000])
def test_deeply_nested_yaml_is_refused_without_exhausting_the_stack(
    tmp_path: Path, levels: int
) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "datasets" / "deep.yaml").write_text("id: deep\nextra: " + "[" * levels + "\n")
    (finding,) = load_registry(records).findings
    assert (finding.line, finding.code) == (2, "invalid-record")
    # libyaml stops at its own limit (1000) with its own words; below it, ours applies.
    assert "nest" in finding.message
    if levels == 60:
        assert "nested more than 50 levels deep" in finding.message


def test_superseded_by_a_missing_decision_is_an_unknown_reference(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    text = (CASES / "nygard_superseded.md").read_text()
    (records / "decisions" / "0002-use-rules.md").write_text(
        text.replace("0001-use-gradient-boosting.md", "0009-missing.md")
    )
    (finding,) = load_registry(records).findings
    assert (finding.code, finding.line) == ("unknown-reference", 7)
    assert "superseded by `0009-missing.md`" in finding.message


def test_an_unreadable_policy_is_reported_once_not_also_as_missing(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    (records / "policy.yaml").write_bytes(b"stages: [a]\n" + b"#" * MAX_FILE_BYTES)
    (finding,) = load_registry(records).findings
    assert finding.file == f"{RECORDS}/policy.yaml"
    assert "byte limit" in finding.message


def test_policy_yaml_and_policy_yml_together_are_a_duplicate(tmp_path: Path) -> None:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(CASES / "valid", records)
    shutil.copyfile(records / "policy.yaml", records / "policy.yml")
    (finding,) = load_registry(records).findings
    assert (finding.code, finding.file) == ("duplicate-id", f"{RECORDS}/policy.yml")
    assert f"`{RECORDS}/policy.yaml` already holds the policy" in finding.message


def test_a_list_item_that_names_nothing_is_reported_on_its_own_line(tmp_path: Path) -> None:
    result = _load_with(tmp_path, "dangling_dataset_item.yaml", "models/churn.yaml")
    found = sorted((f.line, f.message.split(",")[0]) for f in result.findings)
    assert [(f.code, f.file) for f in result.findings] == [
        ("unknown-reference", f"{RECORDS}/models/churn.yaml")
    ] * 2
    assert [line for line, _ in found] == [7, 15]
    assert "`applications-2032`" in found[0][1] and "`applications-1999`" in found[1][1]
