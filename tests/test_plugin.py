"""The MkDocs plugin end to end: real ``mkdocs build`` runs on real repositories.

Each test writes an ``mkdocs.yml`` into a scenario repository (``tests/scenario.py``),
runs ``mkdocs build`` in a subprocess, as a user or CI would, and checks the exit
code, the log and the built HTML.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.scenario import MODEL_FILE, Scenario, passing_production

MKDOCS_YML = """\
site_name: Governance test
theme: {{name: material}}
markdown_extensions: [admonition, attr_list, md_in_html, tables]
plugins:
  - search
  - governance:
      as_of: 2026-02-01
{options}
{extra}
"""


def _configure(repo: Path, options: str = "", extra: str = "") -> None:
    indented = "\n".join(f"      {line}" for line in options.splitlines())
    (repo / "mkdocs.yml").write_text(MKDOCS_YML.format(options=indented, extra=extra))
    (repo / "docs").mkdir(exist_ok=True)
    (repo / "docs" / "index.md").write_text("# Home\n\nThe model wiki.\n")


def _build(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", "out", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_gate_fail_fails_the_build_and_prints_every_error(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    _configure(scenario.path)
    errors = scenario.run().report.errors
    assert len(errors) >= 3
    result = _build(scenario.path)
    assert result.returncode != 0
    for finding in errors:
        assert finding.format_line() in result.stderr
    assert f"Governance gate failed: {len(errors)} errors" in result.stderr


def test_gate_warn_builds_and_puts_a_red_banner_on_the_dashboard(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    _configure(scenario.path, "gate: warn")
    result = _build(scenario.path)
    assert result.returncode == 0, result.stderr
    assert "missing-signoff" in result.stderr  # logged as warnings
    dashboard = (scenario.path / "out" / "governance" / "index.html").read_text()
    assert 'class="admonition danger"' in dashboard
    assert "Gate: FAILED" in dashboard
    version = scenario.path / "out" / "governance" / "models" / "credit-risk" / "2.1" / "index.html"
    assert 'class="admonition danger"' in version.read_text()


def test_gate_off_builds_quietly(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    _configure(scenario.path, "gate: off")
    result = _build(scenario.path)
    assert result.returncode == 0, result.stderr
    assert "missing-signoff" not in result.stderr


def test_passing_records_build_strict_without_any_warning(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path, "repo_url: https://github.com/bank/models")
    result = _build(scenario.path, "--strict")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    out = scenario.path / "out" / "governance"
    for page in (
        "index.html",
        "models/index.html",
        "models/credit-risk/index.html",
        "models/credit-risk/2.1/index.html",
        "people/index.html",
        "audit/index.html",
        "findings/index.html",
        "governance.json",
        "assets/governance.css",
    ):
        assert (out / page).is_file(), page


def test_generated_page_edit_button_opens_the_record_file(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path, "repo_url: https://github.com/bank/models")
    assert _build(scenario.path).returncode == 0
    html = (
        scenario.path / "out" / "governance" / "models" / "credit-risk" / "index.html"
    ).read_text()
    assert f'href="https://github.com/bank/models/edit/main/{MODEL_FILE}"' in html


def test_repo_url_defaults_to_the_mkdocs_repo_url(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path, extra="repo_url: https://gitlab.example/bank/models")
    assert _build(scenario.path).returncode == 0
    html = (
        scenario.path / "out" / "governance" / "models" / "credit-risk" / "index.html"
    ).read_text()
    assert f"https://gitlab.example/bank/models/-/edit/main/{MODEL_FILE}" in html


def test_explicit_nav_gets_a_governance_section_appended(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path, extra="nav:\n  - Home: index.md\n")
    result = _build(scenario.path, "--strict")
    assert result.returncode == 0, result.stderr
    home = (scenario.path / "out" / "index.html").read_text()
    assert "Governance dashboard" in home and "Model inventory" in home
    # The short navigation lists section index pages; record pages are linked from them.
    assert "Credit risk scorecard" not in home
    assert "governance/models/credit-risk/2.1/" not in home
    assert (
        scenario.path / "out" / "governance" / "models" / "credit-risk" / "2.1" / "index.html"
    ).is_file()
    inventory = (scenario.path / "out" / "governance" / "models" / "index.html").read_text()
    assert "Credit risk scorecard" in inventory


def test_full_navigation_lists_every_record_page(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path, options="navigation: full", extra="nav:\n  - Home: index.md\n")
    result = _build(scenario.path, "--strict")
    assert result.returncode == 0, result.stderr
    home = (scenario.path / "out" / "index.html").read_text()
    assert "Credit risk scorecard" in home and "Version 2.1" in home
    assert "governance/models/credit-risk/2.1/" in home


def test_automatic_nav_keeps_record_pages_out_unless_full(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path)
    result = _build(scenario.path, "--strict")
    assert result.returncode == 0, result.stderr
    home = (scenario.path / "out" / "index.html").read_text()
    version_link = "governance/models/credit-risk/2.1/"
    assert "Model inventory" in home and version_link not in home
    _configure(scenario.path, options="navigation: full")
    result = _build(scenario.path, "--strict")
    assert result.returncode == 0, result.stderr
    assert version_link in (scenario.path / "out" / "index.html").read_text()


def test_user_nav_placing_the_wiki_is_respected(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(
        scenario.path,
        extra="nav:\n  - Home: index.md\n  - Model risk: governance/index.md\n",
    )
    result = _build(scenario.path)
    assert result.returncode == 0, result.stderr
    home = (scenario.path / "out" / "index.html").read_text()
    assert "Model risk" in home
    assert "Governance dashboard" not in home


def test_invalid_as_of_is_a_configuration_error_naming_the_key(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path)
    text = (scenario.path / "mkdocs.yml").read_text().replace("as_of: 2026-02-01", "as_of: soon")
    (scenario.path / "mkdocs.yml").write_text(text)
    result = _build(scenario.path)
    assert result.returncode != 0
    assert "as_of" in result.stderr and "ISO 8601" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_gate_mode_is_a_configuration_error_naming_the_key(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path, "gate: maybe")
    result = _build(scenario.path)
    assert result.returncode != 0
    assert "gate" in result.stderr and "maybe" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_records_dir_names_the_option_and_the_folder(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    _configure(scenario.path, "records_dir: no_such_records")
    result = _build(scenario.path)
    assert result.returncode != 0
    assert "records_dir" in result.stderr and "no_such_records" in result.stderr
    assert "Traceback" not in result.stderr


def test_disabled_plugin_generates_nothing_and_gates_nothing(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    _configure(scenario.path, "enabled: false")
    result = _build(scenario.path)
    assert result.returncode == 0, result.stderr
    assert not (scenario.path / "out" / "governance").exists()


def test_broken_record_fails_the_build_with_file_and_line(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    scenario.repo.write("governance_records/datasets/broken.yaml", "id: broken\nname: [unclosed\n")
    _configure(scenario.path)
    result = _build(scenario.path)
    assert result.returncode != 0
    assert "governance_records/datasets/broken.yaml:" in result.stderr
    assert "invalid-record" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_rebuilds_reuse_the_history_until_head_moves(tmp_path: Path) -> None:
    from mkdocs_governance.history import HISTORY_CACHE
    from mkdocs_governance.plugin import GovernancePlugin

    scenario = passing_production(tmp_path / "repo")
    plugin = GovernancePlugin()
    errors, _warnings = plugin.load_config({"as_of": "2026-02-01"})
    assert errors == []
    plugin.on_startup(command="serve", dirty=False)
    plugin.records_dir = scenario.path / "governance_records"
    first = plugin._evaluate(plugin._cached_history())  # the first build fills the cache
    hits = HISTORY_CACHE.hits
    second = plugin._evaluate(plugin._cached_history())  # first rebuild: from the cache
    third = plugin._evaluate(plugin._cached_history())
    assert HISTORY_CACHE.hits == hits + 2
    assert first.history is second.history is third.history
    assert first.report.passed and third.report.passed
    scenario.signoff("rafa", "model-risk", day="2026-01-21")
    fourth = plugin._evaluate(plugin._cached_history())
    assert fourth.history.head != third.history.head
