"""Real ADR logs drop in (issue 15, item 5) and valid data is not refused (item 6).

Records-layer tests load folders with the real loader; the site test runs a real
``mkdocs build`` on a real repository with the MADR project's own decisions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_governance.findings import Severity
from mkdocs_governance.records import load_registry
from tests.conftest import CORPUS
from tests.gitrepo import GitRepo

VALID = Path(__file__).parent / "record_cases" / "valid"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
NYGARD_1 = """\
# 1. Record architecture decisions

Date: 2016-02-12

## Status

Superseded by [2. Use MADR](0002-use-madr.md)

## Context

We need to record decisions.
"""
NYGARD_2 = """\
# 2. Use MADR

Date: 2016-03-01

## Status

Accepted

Supersedes [1. Record architecture decisions](0001-record-architecture-decisions.md)

## Context

MADR has more structure.
"""
MADR2 = """\
# Use `pnpm` for workspaces

* Status: accepted
* Deciders: Alice Doe, Bob Roe
* Date: 2020-02-02

## Context and Problem Statement

See [the first decision](0001-record-architecture-decisions.md) and ![flow](assets/flow.png).
"""
SEMICOLON = """\
---
status: accepted; supersedes ADR-0002
date: 2024-05-01
---
# Switch to `uv`
"""
NO_STATUS = "# Keep a changelog\n\nWe keep one.\n"


def _records(tmp_path: Path, decisions: dict[str, str | bytes]) -> Path:
    records = tmp_path / "repo" / "governance_records"
    shutil.copytree(VALID, records)
    shutil.rmtree(records / "decisions", ignore_errors=True)
    for name, content in decisions.items():
        target = records / "decisions" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return records


ADR_FOLDER = {
    "0001-record-architecture-decisions.md": NYGARD_1,
    "0002-use-madr.md": NYGARD_2,
    "0003-use-pnpm.md": MADR2,
    "0004-switch-to-uv.md": SEMICOLON,
    "0005-keep-a-changelog.md": NO_STATUS,
    "assets/flow.png": PNG,
}


def test_a_status_with_supersedes_reads_as_status_plus_supersedes(tmp_path):
    result = load_registry(_records(tmp_path, ADR_FOLDER))
    decision = result.registry.decisions["0004-switch-to-uv"]
    assert (decision.status, decision.status_text) == ("accepted", "accepted")
    assert decision.supersedes == ("ADR-0002",)
    assert not [f for f in result.findings if f.code == "unknown-reference"]


def test_adr_tools_supersedes_line_in_the_status_section_is_read(tmp_path):
    decisions = load_registry(_records(tmp_path, ADR_FOLDER)).registry.decisions
    assert decisions["0002-use-madr"].supersedes == ("0001-record-architecture-decisions.md",)
    assert decisions["0002-use-madr"].status == "accepted"
    assert decisions["0001-record-architecture-decisions"].status == "superseded"


def test_madr2_body_metadata_is_read(tmp_path):
    decision = load_registry(_records(tmp_path, ADR_FOLDER)).registry.decisions["0003-use-pnpm"]
    assert decision.status == "accepted"
    assert decision.decision_makers == ("Alice Doe", "Bob Roe")
    assert str(decision.date) == "2020-02-02"
    assert decision.location.line_of("status") == 3


def test_a_decision_without_status_is_reported_once_plainly(tmp_path):
    result = load_registry(_records(tmp_path, ADR_FOLDER))
    about = [f for f in result.findings if f.file and f.file.endswith("0005-keep-a-changelog.md")]
    assert len(about) == 1
    assert about[0].severity == Severity.WARNING
    assert about[0].message.startswith("decision has no status; it is shown as proposed")
    assert result.registry.decisions["0005-keep-a-changelog"].status == "proposed"


def test_images_beside_decisions_are_kept_for_the_wiki_not_errors(tmp_path):
    result = load_registry(_records(tmp_path, ADR_FOLDER))
    assert not [f for f in result.findings if f.file and f.file.endswith(".png")]
    assert list(result.registry.assets.values()) == [PNG]


def test_experiment_tags_are_accepted(tmp_path):
    records = _records(tmp_path, {})
    (records / "experiments" / "tagged.yaml").write_text(
        "model: credit-scoring\ntitle: Tagged\nauthor: alice\ndate: 2026-09-15\n"
        "tags: {team: growth, mlflow.source.type: LOCAL}\n"
    )
    result = load_registry(records)
    assert result.registry.experiments["tagged"].tags == {
        "team": "growth",
        "mlflow.source.type": "LOCAL",
    }
    assert not [f for f in result.findings if f.file and f.file.endswith("tagged.yaml")]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_an_mlflow_store_in_the_records_folder_is_one_finding_naming_the_importer(tmp_path):
    records = _records(tmp_path, {})
    shutil.copytree(CORPUS / "mlflow" / "mlruns-mlflow-3.17.2", records / "experiments" / "mlruns")
    result = load_registry(records)
    about = [f for f in result.findings if "/mlruns/" in (f.file or "")]
    assert len(about) == 1
    assert "holds an MLflow tracking store" in about[0].message
    assert "mkdocs-governance import mlflow" in about[0].message
    assert "(and 195 more files there)" in about[0].message
    assert "move `" not in about[0].message


def test_a_model_called_meta_is_still_a_model(tmp_path):
    records = _records(tmp_path, {})
    (records / "models" / "meta.yaml").write_text(
        "name: Meta model\nowner: alice\nrisk_tier: low\n"
    )
    result = load_registry(records)
    assert "meta" in result.registry.models


# -- the wiki -------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_the_wiki_publishes_images_links_decisions_and_shows_backtick_titles_as_code(tmp_path):
    repo = GitRepo(tmp_path / "site")
    records = repo.path / "governance_records"
    shutil.copytree(VALID, records)
    shutil.rmtree(records / "decisions")
    shutil.copytree(CORPUS / "adr-madr" / "decisions", records / "decisions")
    for name, content in ADR_FOLDER.items():
        target = records / "decisions" / name.replace("000", "010")  # 0101-..., no clash
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content.replace("(000", "(010"))
    repo.write(
        "mkdocs.yml",
        "site_name: ADRs\ntheme: {name: material}\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables]\n"
        "plugins:\n  - governance:\n      gate: warn\n      as_of: 2026-12-01\n",
    )
    repo.write("docs/index.md", "# Home\n")
    repo.commit("ADR log")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", "out"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    site = repo.path / "out" / "governance" / "decisions"
    assert (site / "assets" / "flow.png").read_bytes() == PNG

    # A link between MADR's own decisions points at the generated page. (0009's link sits
    # in a fenced example, which is code since the plugin enables fenced_code, issue 11.)
    page = (site / "0013-use-yaml-front-matter-for-meta-data" / "index.html").read_text()
    assert 'href="../0008-add-status-field/"' in page
    assert 'href="0008-add-status-field.md"' not in page
    pnpm = (site / "0103-use-pnpm" / "index.html").read_text()
    assert 'href="../0101-record-architecture-decisions/"' in pnpm
    assert 'src="../assets/flow.png"' in pnpm

    # Backticks are code in the heading, the log's table and the navigation.
    assert "<h1" in pnpm and "Use <code>pnpm</code> for workspaces</h1>" in pnpm
    assert "`pnpm`" not in pnpm.replace("<code>", "")
    log = (site / "index.html").read_text()
    assert "Use <code>pnpm</code> for workspaces</a>" in log
    nav = pnpm[pnpm.index('class="md-nav') :]
    assert "Use <code>pnpm</code> for workspaces" in nav
    for text in ("Use `pnpm`", "Use \\`pnpm\\`"):
        assert text not in nav and text not in log
