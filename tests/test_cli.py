"""The ``mkdocs-governance`` command line on real repositories: exit codes and formats."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from mkdocs_governance.cli import main
from tests.scenario import KEY, RECORDS, Scenario, passing_production

GITHUB_ANNOTATION = re.compile(r"^::(error|warning) (file=[^,:]+,(line=\d+,)?)?title=[^:]+::.+$")


@pytest.fixture(scope="module")
def production_repo(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return passing_production(tmp_path_factory.mktemp("cli") / "repo")


@pytest.fixture
def passing(production_repo: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    scenario = production_repo.copy(tmp_path / "repo")
    monkeypatch.chdir(scenario.path)
    return scenario


@pytest.fixture
def failing(passing: Scenario) -> Scenario:
    """Missing the product-owner approval, and one sign-off committed by someone else."""
    passing.remove(f"{RECORDS}/signoffs/credit-risk/2.1/production-product-owner-pia.yaml")
    passing.signoff("rafa", "model-risk", day="2026-01-27", committed_by="bob")
    return passing


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_exits_0_when_the_gate_passes(passing, capsys):
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 0
    assert out.strip() == "Governance gate passed: 0 errors, 0 warnings."


def test_check_exits_1_and_lists_every_error_as_file_line_code_message(failing, capsys):
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[-1] == "Governance gate failed: 2 errors, 0 warnings."
    assert lines[0].startswith(f"{RECORDS}/models/credit-risk.yaml:12: missing-signoff: ")
    assert lines[1].startswith(
        f"{RECORDS}/signoffs/credit-risk/2.1/production-model-risk-rafa.yaml:4: unverified-signoff: "
    )


def test_check_exits_2_when_the_records_folder_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "check")
    assert code == 2 and out == ""
    assert "governance_records" in err and "does not exist" in err
    assert "Traceback" not in err


def test_check_exits_2_on_a_bad_date_or_missing_config(passing, capsys):
    code, _, err = run_cli(capsys, "check", "--as-of", "next week")
    assert code == 2 and "not a date" in err
    code, _, err = run_cli(capsys, "check", "--config-file", "nope.yml")
    assert code == 2 and "nope.yml does not exist" in err


def test_check_exits_2_on_an_unknown_option(passing, capsys):
    code, _, err = run_cli(capsys, "check", "--formt", "json")
    assert code == 2 and "unrecognized arguments" in err


def test_check_exits_2_when_the_policy_cannot_be_loaded(passing, capsys):
    (passing.path / RECORDS / "policy.yaml").write_text("stages: [a, b\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 2
    assert "policy.yaml" in err and "no usable policy.yaml" in err


def test_check_reads_records_dir_and_as_of_from_mkdocs_yml(passing, capsys, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_AS_OF", "2027-06-01")
    (passing.path / "site").mkdir()
    (passing.path / "site" / "mkdocs.yml").write_text(
        "site_name: t\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n"
        "  - search\n"
        "  - governance:\n"
        f"      records_dir: ../{RECORDS}\n"
        "      as_of: !ENV [GOVERNANCE_AS_OF, null]\n",
        encoding="utf-8",
    )
    # records_dir is relative to mkdocs.yml; as of mid-2027 the approvals have expired.
    code, out, _ = run_cli(capsys, "check", "-f", "site/mkdocs.yml")
    assert code == 1 and "expired-signoff" in out
    code, out, _ = run_cli(capsys, "check", "-f", "site/mkdocs.yml", "--as-of", "2026-02-01")
    assert code == 0, out
    code, _, err = run_cli(capsys, "check", "-f", "site/mkdocs.yml", "--records-dir", "nowhere")
    assert code == 2 and "nowhere" in err


def test_json_format_parses_and_lists_every_finding(failing, capsys):
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["passed"] is False
    assert sorted(f["code"] for f in data["findings"]) == ["missing-signoff", "unverified-signoff"]
    assert data["counts"]["errors"] == 2
    assert data["versions"][KEY]["stages"][2]["state"] == "blocked"


def test_junit_format_is_valid_xml_with_failures(failing, capsys):
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01", "--format", "junit")
    suite = ElementTree.fromstring(out.split("\n", 1)[1])
    assert code == 1 and suite.tag == "testsuite"
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert "production: signoff product-owner" in failed
    assert int(suite.get("failures")) == len(failed)


def test_github_format_lines_are_annotations(failing, capsys):
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01", "--format", "github")
    lines = out.strip().splitlines()
    assert code == 1 and len(lines) == 2
    assert all(GITHUB_ANNOTATION.match(line) for line in lines), lines


def test_markdown_format_has_status_and_error_table(failing, capsys):
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01", "--format", "markdown")
    assert code == 1
    assert out.startswith("### :x: Governance gate failed: 2 errors")
    assert "| Where | Code | What is wrong |" in out
    assert "| `missing-signoff` | 1 | 0 |" in out
    assert f"Blocked: `{KEY}` (production)." in out


def test_digest_prints_the_version_digest(passing, capsys):
    code, out, _ = run_cli(capsys, "digest", KEY)
    assert code == 0 and out.strip() == passing.digest()
    code, _, err = run_cli(capsys, "digest", "credit-risk@9.9")
    assert code == 2 and "known versions: credit-risk@2.1" in err


def test_signoff_writes_a_record_that_then_passes(failing, capsys):
    failing.remove(f"{RECORDS}/signoffs/credit-risk/2.1/production-model-risk-rafa.yaml")
    failing.repo.git("config", "user.email", "pia@bank.example")
    code, out, _ = run_cli(
        capsys,
        "signoff",
        KEY,
        "--stage",
        "production",
        "--role",
        "product-owner",
        "--decision",
        "approved",
        "--comment",
        "Fits: the product's appetite",
        "--date",
        "2026-01-28",
    )
    assert code == 0
    path = f"{RECORDS}/signoffs/credit-risk/2.1/production-product-owner-pia.yaml"
    assert f"Wrote {path}" in out
    code, out, _ = run_cli(capsys, *product_owner_signoff_args())
    assert code == 0 and f"Wrote {path[:-5]}-2.yaml" in out  # never overwrites a record
    (failing.path / f"{path[:-5]}-2.yaml").unlink()
    failing.commit_as("pia", "Sign off", {}, "2026-01-28")
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 0, out


def product_owner_signoff_args() -> list[str]:
    return [
        "signoff", KEY, "--stage", "production", "--role", "product-owner",
        "--decision", "approved", "--date", "2026-01-28",
    ]  # fmt: skip


def test_signoff_refuses_unknown_email_and_role_not_held(passing, capsys):
    passing.repo.git("config", "user.email", "stranger@example.com")
    args = ["signoff", KEY, "--stage", "production", "--role", "model-risk"]
    code, _, err = run_cli(capsys, *args, "--decision", "approved")
    assert code == 2 and "stranger@example.com" in err and "people.yaml" in err
    passing.repo.git("config", "user.email", "pia@bank.example")
    code, _, err = run_cli(capsys, *args, "--decision", "approved")
    assert code == 2 and "does not hold the role `model-risk`" in err
    passing.repo.git("config", "user.email", "alice@bank.example")
    code, _, err = run_cli(
        capsys, "signoff", KEY, "--stage", "production", "--role", "product-owner",
        "--decision", "approved",
    )  # fmt: skip
    assert code == 2 and "separation of duties" in err
    assert not list((passing.path / RECORDS / "signoffs").rglob("*alice*"))


def test_export_writes_registry_findings_and_gate_status(failing, capsys):
    code, out, _ = run_cli(capsys, "export", "--as-of", "2026-02-01", "--output", "gov.json")
    assert code == 0 and "gov.json" in out
    data = json.loads(Path("gov.json").read_text(encoding="utf-8"))
    assert data["gate"]["passed"] is False
    assert len(data["gate"]["findings"]) == 2
    assert data["registry"]["models"]["credit-risk"]["versions"][0]["version"] == "2.1"


def test_schema_writes_one_schema_per_record_kind(passing, capsys, tmp_path):
    code, _out, _ = run_cli(capsys, "schema", "--output-dir", str(tmp_path / "schemas"))
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert code == 0 and "signoff.schema.json" in " ".join(written)
    assert all(json.loads((tmp_path / "schemas" / n).read_text()) for n in written)


def test_python_dash_m_runs_the_same_command_line(passing):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", "check", "--as-of", "2026-02-01"],
        cwd=passing.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Governance gate passed" in result.stdout


def test_check_with_base_reports_a_people_change_and_exits_1(passing, capsys):
    passing.repo.git("branch", "base")
    people = (passing.path / RECORDS / "people.yaml").read_text(encoding="utf-8")
    granted = people.replace("roles: [ml-lead]", "roles: [ml-lead, model-risk]")
    passing.commit_as("lena", "More roles", {f"{RECORDS}/people.yaml": granted}, "2026-01-28")
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01", "--base", "base")
    assert code == 1 and "policy-changed" in out
    code, _, _ = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 0


def test_check_exits_2_on_a_bad_gate_option(passing, capsys):
    (passing.path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - governance:\n      gate: maybe\n", encoding="utf-8"
    )
    code, _, err = run_cli(capsys, "check")
    assert code == 2 and "`gate` is `maybe`" in err


def test_export_to_an_unwritable_place_is_a_usage_error(passing, capsys):
    (passing.path / "taken").mkdir()
    code, _, err = run_cli(capsys, "export", "--output", "taken")
    assert code == 2 and "cannot write taken" in err and "Traceback" not in err


def test_signoff_refuses_a_future_date_and_notes_a_role_the_stage_does_not_ask(passing, capsys):
    passing.repo.git("config", "user.email", "pia@bank.example")
    args = ["signoff", KEY, "--role", "product-owner", "--decision", "approved"]
    code, _, err = run_cli(capsys, *args, "--stage", "production", "--date", "2999-01-01")
    assert code == 2 and "in the future" in err
    code, _, err = run_cli(capsys, *args, "--stage", "staging", "--date", "2026-01-28")
    assert code == 0 and "staging does not require a `product-owner` sign-off" in err
