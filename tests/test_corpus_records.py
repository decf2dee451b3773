"""Real third-party material (``/work/shared/corpus``) through the records layer.

Every file either loads or yields a clear finding with a line; nothing raises.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from mkdocs_governance.findings import Finding, Severity
from mkdocs_governance.records import LoadResult, load_registry
from mkdocs_governance.records.yamlsafe import YamlError, read_yaml_bytes
from tests.conftest import CORPUS

VALID = Path(__file__).parent / "record_cases" / "valid"
YAML_SUITE = CORPUS / "yaml-test-suite"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


def _records_with(tmp_path: Path, folder: str, files: list[Path]) -> Path:
    """The valid fixture with ``folder`` replaced by copies of ``files``."""
    records = tmp_path / "repo" / "governance_records"
    shutil.copytree(VALID, records)
    shutil.rmtree(records / folder, ignore_errors=True)
    (records / folder).mkdir()
    for source in files:
        shutil.copy(source, records / folder / source.name)
    return records


def _findings_for(result: LoadResult, name: str) -> list[Finding]:
    return [f for f in result.findings if f.file and f.file.endswith("/" + name)]


def _load_decisions(tmp_path: Path, source: Path) -> LoadResult:
    return load_registry(_records_with(tmp_path, "decisions", sorted(source.glob("*.md"))))


# --- ADRs -------------------------------------------------------------------------


def test_every_madr_file_is_a_decision_or_reported_as_not_a_decision(tmp_path: Path) -> None:
    source = CORPUS / "adr-madr" / "decisions"
    result = _load_decisions(tmp_path, source)
    decisions = result.registry.decisions
    for path in sorted(source.glob("*.md")):
        reported = _findings_for(result, path.name)
        assert path.stem in decisions or any("not a decision" in f.message for f in reported), (
            path.name
        )
    assert len(decisions) == 19
    assert "index" not in decisions and "adr-template" not in decisions
    assert all(f.severity == Severity.WARNING for f in result.findings)


def test_madr_index_page_is_reported_with_its_reason(tmp_path: Path) -> None:
    result = _load_decisions(tmp_path, CORPUS / "adr-madr" / "decisions")
    (finding,) = _findings_for(result, "index.md")
    assert finding.code == "invalid-record"
    assert finding.line == 1
    assert finding.message.startswith("not a decision: `index.md` is an index page")


def test_madr_template_is_reported_with_the_placeholder(tmp_path: Path) -> None:
    result = _load_decisions(tmp_path, CORPUS / "adr-madr" / "decisions")
    (finding,) = _findings_for(result, "adr-template.md")
    assert "not a decision: a template" in finding.message
    assert "{short title" in finding.message


def test_madr_titles_numbers_and_missing_status(tmp_path: Path) -> None:
    decisions = _load_decisions(tmp_path, CORPUS / "adr-madr" / "decisions").registry.decisions
    first = decisions["0001-use-CC0-or-MIT-as-license"]
    assert first.title == "Dual License the Work"
    assert first.number == 1
    assert first.status == "proposed" and first.status_text == ""
    assert first.date is None
    assert first.extra["parent"] == "Decisions"
    assert decisions["0014-allow-neutral-arguments"].title == 'Allow "neutral" arguments'


def test_madr_on_hold_status_reads_as_proposed_with_a_warning(tmp_path: Path) -> None:
    result = _load_decisions(tmp_path, CORPUS / "adr-madr" / "decisions")
    decision = result.registry.decisions["0003-provide-own-madr-tools"]
    assert (decision.status, decision.status_text) == ("proposed", "on hold")
    (finding,) = _findings_for(result, "0003-provide-own-madr-tools.md")
    assert finding.severity == Severity.WARNING
    assert finding.line == 4
    assert "status `on hold`" in finding.message


def test_madr_templates_folder_every_file_accounted_for(tmp_path: Path) -> None:
    source = CORPUS / "adr-madr" / "templates"
    result = _load_decisions(tmp_path, source)
    assert list(result.registry.decisions) == ["0000-use-markdown-architectural-decision-records"]
    assert result.registry.decisions["0000-use-markdown-architectural-decision-records"].title == (
        "Use Markdown Architectural Decision Records"
    )
    for name in (
        "README.md",
        "adr-template.md",
        "adr-template-minimal.md",
        "adr-template-bare.md",
        "adr-template-bare-minimal.md",
    ):
        (finding,) = _findings_for(result, name)
        assert finding.message.startswith("not a decision: "), name


def test_easy_ui_madr3_decisions_load_with_dates_deciders_and_statuses(tmp_path: Path) -> None:
    result = _load_decisions(tmp_path, CORPUS / "adr-easy-ui" / "decisions")
    decisions = result.registry.decisions
    assert len(decisions) == 14
    first = decisions["000_workspaces_implementation"]
    assert first.title == "Use NPM as package manager"
    assert first.date == date(2023, 2, 2)
    assert first.status == "accepted" and first.status_text == "Accepted"
    assert first.decision_makers == ("stephenjwatkins", "OskiTheCoder", "kevinalexliu")
    assert first.number == 0
    theming = decisions["008_support_theming"]
    assert (theming.status, theming.status_text) == ("accepted", "Approved")
    assert theming.date == date(2023, 3, 13)
    assert decisions["012_page_layouts"].title == "Incorporate page layouts in Easy UI"


def test_easy_ui_decision_without_h1_title_warns_and_uses_the_file_name(tmp_path: Path) -> None:
    result = _load_decisions(tmp_path, CORPUS / "adr-easy-ui" / "decisions")
    decision = result.registry.decisions["013_docs_content_styleguide"]
    assert decision.title == "Docs content styleguide"
    (finding,) = _findings_for(result, "013_docs_content_styleguide.md")
    assert finding.severity == Severity.WARNING
    assert finding.line == 7
    assert "no `# Title` heading" in finding.message
    assert [f for f in result.findings if f.is_error] == []


# --- Hugging Face model cards placed as models ------------------------------------


def test_hf_model_cards_as_models_give_invalid_record_findings_not_crashes(
    tmp_path: Path,
) -> None:
    cards = sorted((CORPUS / "hf-model-cards").glob("*/*.md"))
    assert len(cards) >= 9
    result = load_registry(_records_with(tmp_path, "models", cards))
    assert "credit-scoring" not in result.registry.models
    for card in cards:
        findings = _findings_for(result, card.name)
        assert findings, card.name
        assert any(f.code == "invalid-record" for f in findings), card.name
        # A card's references (datasets it names) are reported with its schema errors.
        assert all(
            f.code in ("invalid-record", "unknown-reference") and f.line for f in findings
        ), card.name


def test_hf_card_with_list_front_matter_is_not_a_mapping(tmp_path: Path) -> None:
    card = CORPUS / "hf-model-cards" / "fixtures" / "sample_invalid_card_data.md"
    result = load_registry(_records_with(tmp_path, "models", [card]))
    (finding,) = _findings_for(result, card.name)
    assert finding.line == 2
    assert "front matter is a list, not a mapping" in finding.message


def test_hf_card_without_front_matter_asks_for_it(tmp_path: Path) -> None:
    card = CORPUS / "hf-model-cards" / "fixtures" / "sample_no_metadata.md"
    result = load_registry(_records_with(tmp_path, "models", [card]))
    (finding,) = _findings_for(result, card.name)
    assert finding.line == 1
    assert "needs YAML front matter" in finding.message


def test_hf_card_with_crlf_front_matter_is_read_and_checked_against_the_schema(
    tmp_path: Path,
) -> None:
    card = CORPUS / "hf-model-cards" / "fixtures" / "sample_windows_line_breaks.md"
    result = load_registry(_records_with(tmp_path, "models", [card]))
    messages = {(f.line, f.message.split(";")[0]) for f in _findings_for(result, card.name)}
    assert (2, "unknown field `license`") in messages
    assert (5, "unknown field `widget`") in messages
    assert any("required field `owner` is missing" in m for _, m in messages)


def test_hf_jinja_template_front_matter_is_invalid_yaml_with_a_line(tmp_path: Path) -> None:
    card = CORPUS / "hf-model-cards" / "fixtures" / "sample_template.md"
    result = load_registry(_records_with(tmp_path, "models", [card]))
    (finding,) = _findings_for(result, card.name)
    assert finding.line == 2
    assert "front matter is a mapping" not in finding.message


# --- yaml-test-suite --------------------------------------------------------------


def _suite_cases() -> list[tuple[str, str]]:
    if not YAML_SUITE.is_dir():
        return []
    with (YAML_SUITE / "cases.tsv").open(encoding="utf-8") as handle:
        return [(row["id"], row["expected"]) for row in csv.DictReader(handle, delimiter="\t")]


@pytest.mark.parametrize(("case", "expected"), _suite_cases())
def test_yaml_suite_case_loads_or_gives_a_finding_never_a_traceback(
    tmp_path: Path, case: str, expected: str
) -> None:
    data = (YAML_SUITE / "cases" / case / "in.yaml").read_bytes()
    if expected == "error":
        with pytest.raises(YamlError) as raised:
            read_yaml_bytes(data)
        assert raised.value.line is not None and raised.value.line >= 1
    else:
        try:
            read_yaml_bytes(data)
        except YamlError as exc:  # refused on purpose (anchor, tag, 2nd document...)
            assert exc.line is not None
    records = _records_with(tmp_path, "datasets", [])
    (records / "datasets" / f"{case}.yaml").write_bytes(data)
    result = load_registry(records)
    findings = _findings_for(result, f"{case}.yaml")
    if expected == "error":
        assert findings, case
        assert all(f.code == "invalid-record" and f.line for f in findings)
    else:
        # A valid YAML file that is no dataset record still gets findings, with lines.
        assert case.lower() not in result.registry.datasets or not findings
        assert all(f.line for f in findings)
