"""Engines other than MkDocs 1.6: ProperDocs with the plugin, and any engine through
``mkdocs-governance generate --output DIR``.

Real builds only: ``properdocs build`` of the example with the plugin (the gate must
fail the build there too), and the folder written by ``generate`` built by Zensical
(which runs no MkDocs plugin) and by plain MkDocs without the plugin. Each built wiki
must show no raw Markdown marker (the check of tests/test_render_configs.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_governance.cli import main
from tests.test_render_configs import RAW_MARKERS, _VisibleText

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "governance_records"
BIN = Path(sys.executable).parent
AS_OF = "2026-11-26"  # the example's frozen day: its gate passes
LATE = "2028-12-01"  # its approvals have expired: its gate fails

# What the guide tells a Zensical user to put in the engine's configuration.
ENGINE_YML = """\
site_name: Wiki without the plugin
extra_css: [governance/assets/governance.css]
extra_javascript: [governance/assets/tablesort.js]
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
"""


def _env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _raw_markdown(site: Path) -> list[str]:
    problems = []
    for page in sorted((site / "governance").rglob("*.html")):
        parser = _VisibleText()
        parser.feed(page.read_text(encoding="utf-8"))
        text = " ".join(parser.parts)
        for what, pattern in RAW_MARKERS.items():
            if pattern.search(text):
                problems.append(f"{page.relative_to(site)}: raw {what}")
        problems += [
            f"{page.relative_to(site)}: <{t} markdown>" for t in parser.markdown_attributes
        ]
    return problems


def _generate(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(
        ["generate", "--output", str(project / "docs" / "governance"), "--records-dir",
         str(RECORDS), *extra]
    )  # fmt: skip
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n[The wiki](governance/index.md)\n")
    (tmp_path / "mkdocs.yml").write_text(ENGINE_YML)
    return tmp_path


@pytest.mark.slow
def test_zensical_builds_the_generated_wiki(project, capsys):
    zensical = BIN / "zensical"
    assert zensical.exists(), "zensical is part of the test extra: pip install -e '.[test]'"
    code, said = _generate(project, capsys, "--as-of", AS_OF, "-f", str(project / "mkdocs.yml"))
    assert code == 0, said
    assert "the gate passes" in said
    result = subprocess.run(
        [str(zensical), "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "site"
    dashboard = (site / "governance" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Gate: PASSED</strong>" in dashboard
    assert "governance/assets/governance.css" in dashboard or "assets/governance.css" in dashboard
    model = (site / "governance" / "models" / "credit-default-pd" / "index.html").read_text(
        encoding="utf-8"
    )
    # The lineage is drawn when the pages are generated (issue 12: an SVG, no Mermaid).
    lineage = re.search(r'<img [^>]*src="(\.\./\.\./assets/lineage/[0-9a-f]+\.svg)"', model)
    assert lineage, "the lineage image"
    assert (site / "governance" / "models" / "credit-default-pd" / lineage.group(1)).is_file()
    assert (site / "governance" / "governance.json").is_file()
    assert not _raw_markdown(site)


@pytest.mark.slow
def test_plain_mkdocs_without_the_plugin_builds_the_generated_wiki(project, capsys):
    code, said = _generate(project, capsys, "--as-of", LATE)
    assert code == 0, said  # generate is not the gate ...
    assert "the gate fails with" in said
    assert main(["check", "--records-dir", str(RECORDS), "--as-of", LATE]) == 1  # ... check is
    capsys.readouterr()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "governance" not in (project / "mkdocs.yml").read_text().split("extra_css")[0]
    site = project / "site"
    dashboard = (site / "governance" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Gate: FAILED</strong>" in dashboard
    assert 'class="admonition danger"' in dashboard
    assert not _raw_markdown(site)


def test_generate_removes_pages_of_records_that_are_gone(project, capsys):
    output = project / "docs" / "governance"
    assert _generate(project, capsys, "--as-of", AS_OF)[0] == 0
    leftover = output / "models" / "retired-model" / "index.md"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("# A page an earlier run wrote\n")
    manifest = output / ".mkdocs-governance"
    manifest.write_text(manifest.read_text() + "models/retired-model/index.md\n")
    assert _generate(project, capsys, "--as-of", AS_OF)[0] == 0
    assert not leftover.exists()
    assert (output / "index.md").is_file()


def test_generate_never_overwrites_a_folder_it_did_not_write(project, capsys):
    mine = project / "docs" / "governance" / "notes.md"
    mine.parent.mkdir()
    mine.write_text("# My own notes\n")
    code, said = _generate(project, capsys)
    assert code == 2
    assert "already holds files that `generate` did not write" in said
    assert mine.read_text() == "# My own notes\n"


@pytest.mark.slow
def test_properdocs_runs_the_plugin_and_its_gate(tmp_path):
    properdocs = BIN / "properdocs"
    assert properdocs.exists(), "properdocs is part of the test extra: pip install -e '.[test]'"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    config = tmp_path / "properdocs.yml"
    template = (
        "site_name: ProperDocs\ntheme: material\nplugins:\n  - search\n  - governance:\n"
        f"      records_dir: {RECORDS}\n      as_of: {{day}}\n"
    )
    config.write_text(template.format(day=AS_OF))
    build = [str(properdocs), "build", "-f", str(config), "-d", str(tmp_path / "site")]
    passed = subprocess.run(
        build, cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=600, check=False
    )
    assert passed.returncode == 0, passed.stderr
    assert (
        "<strong>Gate: PASSED</strong>"
        in (tmp_path / "site" / "governance" / "index.html").read_text()
    )
    assert not _raw_markdown(tmp_path / "site")
    shutil.rmtree(tmp_path / "site")
    config.write_text(template.format(day=LATE))
    failed = subprocess.run(
        build, cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=600, check=False
    )
    assert failed.returncode == 1
    assert "Governance gate failed:" in failed.stderr
    assert "Traceback" not in failed.stderr
