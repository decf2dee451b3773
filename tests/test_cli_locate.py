"""The command line where users stand: ``mkdocs.yml`` found upward, typos named.

Real repositories (``tests/scenario.py``), the real CLI entry point, run from the
folder a user would be in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.cli import main
from tests.scenario import MODEL_FILE, RECORDS, Scenario, model_yaml


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(tmp_path: Path) -> Scenario:
    return Scenario.create(tmp_path / "repo", stage="production")


def _config(repo: Scenario, body: str) -> None:
    (repo.path / "mkdocs.yml").write_text(f"site_name: Test\n{body}")


def test_check_from_inside_the_records_finds_mkdocs_yml_upward(repo, capsys, monkeypatch):
    # The options only mkdocs.yml carries (the as-of day) must reach the gate.
    _config(repo, "plugins:\n  - governance:\n      as_of: 2026-02-01\n")
    monkeypatch.chdir(repo.path)
    expected = run_cli(capsys, "check")
    assert expected[0] == 1 and "missing-signoff" in expected[1]
    monkeypatch.chdir(repo.path / RECORDS / "models")
    assert run_cli(capsys, "check") == expected


def test_check_follows_records_dir_of_the_mkdocs_yml_found_upward(repo, capsys, monkeypatch):
    (repo.path / RECORDS).rename(repo.path / "records")
    _config(repo, "plugins:\n  - governance:\n      records_dir: records\n")
    (repo.path / "docs").mkdir()
    monkeypatch.chdir(repo.path / "docs")
    code, out, err = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 1, err
    assert "missing-signoff" in out


def test_check_without_mkdocs_yml_finds_the_records_folder_upward(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.path)
    expected = run_cli(capsys, "check", "--as-of", "2026-02-01")
    monkeypatch.chdir(repo.path / RECORDS / "models")
    assert run_cli(capsys, "check", "--as-of", "2026-02-01") == expected
    assert expected[0] == 1


def test_a_mkdocs_yml_above_the_repository_is_not_used(tmp_path, capsys, monkeypatch):
    repo = Scenario.create(tmp_path / "outer" / "repo", stage="production")
    (tmp_path / "outer" / "mkdocs.yml").write_text(
        "site_name: Other\nplugins:\n  - governance:\n      records_dir: elsewhere\n"
    )
    monkeypatch.chdir(repo.path / RECORDS)
    code, out, err = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 1 and "missing-signoff" in out, err


def test_a_misspelled_plugin_entry_stops_with_did_you_mean(repo, capsys, monkeypatch):
    _config(repo, "plugins:\n  - search\n  - governence:\n      gate: warn\n")
    monkeypatch.chdir(repo.path / RECORDS)
    code, out, err = run_cli(capsys, "check")
    assert code == 2 and out == ""
    config = (repo.path / "mkdocs.yml").resolve()
    assert f"{config}:4: mkdocs.yml has no governance plugin" in err
    assert "`governence` is not a plugin name (did you mean `governance`?)" in err


def test_a_mkdocs_yml_without_the_plugin_is_said_aloud(repo, capsys, monkeypatch):
    _config(repo, "plugins:\n  - search\n")
    monkeypatch.chdir(repo.path)
    code, _, err = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 1  # judged with the defaults, which find the records
    assert "has no governance plugin under `plugins:`" in err
    assert "add `- governance`" in err


def test_stage_prod_is_answered_with_did_you_mean_production(repo, capsys, monkeypatch):
    repo.repo.write(MODEL_FILE, model_yaml("prod"))
    monkeypatch.chdir(repo.path)
    code, out, _ = run_cli(capsys, "check", "--as-of", "2026-02-01")
    assert code == 1
    line = next(line for line in out.splitlines() if "`stage` is `prod`" in line)
    assert line.startswith(f"{MODEL_FILE}:14: unknown-reference: ")
    assert "`stage` is `prod`" in line and "(did you mean `production`?)" in line


def test_signoff_for_stage_prod_suggests_production(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo.path)
    repo.repo.git("config", "user.email", "mira@bank.example")
    code, _, err = run_cli(
        capsys, "signoff", "credit-risk@2.1", "--stage", "prod", "--role", "model-risk",
        "--decision", "approved",
    )  # fmt: skip
    assert code == 2
    assert "`prod` is not a stage of the policy (did you mean `production`?)" in err
