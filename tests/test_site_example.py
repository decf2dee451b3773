"""The governance wiki of the project's own example (``governance_records/``).

The example is built ONCE per test session with a real ``mkdocs build`` (the
``example_site`` fixture, shared with tests/test_browser.py) into a temp folder.
Facts are checked against the registry the pages come from, so the tests follow
the example as it evolves while still pinning what each page must say.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mkdocs_governance.core import GovernanceRun, run_governance

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "governance_records"
AS_OF = date(2026, 11, 26)  # the same frozen day as the project's mkdocs.yml
REPO_URL = "https://github.com/mkdocs-governance/mkdocs-governance"

EXAMPLE_YML = f"""\
site_name: Example governance wiki
theme:
  name: material
  font: false
  features: [navigation.sections]
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {{icon: material/brightness-7, name: Switch to dark mode}}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {{icon: material/brightness-4, name: Switch to light mode}}
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc: {{permalink: true}}
plugins:
  - search
  - governance:
      records_dir: {RECORDS}
      repo_url: {REPO_URL}
      gate: warn
      as_of: {AS_OF.isoformat()}
nav:
  - Home: index.md
"""


@dataclass(frozen=True)
class ExampleSite:
    """The built example: its output folder, the build log and the run behind it."""

    out: Path
    log: str
    run: GovernanceRun

    def html(self, url: str) -> str:
        """The HTML of the page at ``url`` (``governance/models/``)."""
        return (self.out / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> ExampleSite:
    """``mkdocs build`` of the example records, once per session."""
    if not (RECORDS / "models").is_dir():
        pytest.fail("the example governance_records/ is missing: the site is built from it")
    base = tmp_path_factory.mktemp("example")
    (base / "docs").mkdir()
    (base / "docs" / "index.md").write_text("# Example\n\nThe example's governance wiki.\n")
    (base / "mkdocs.yml").write_text(EXAMPLE_YML)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(base / "out")],
        cwd=base,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )
    run = run_governance(RECORDS, as_of=AS_OF)
    if result.returncode != 0 and run.report.passed:
        pytest.fail(f"mkdocs build of the example failed:\n{result.stderr}")
    return ExampleSite(base / "out", result.stderr, run)


def _text(html: str) -> str:
    """The visible text of an HTML page, whitespace collapsed."""

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("script", "style")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _article(html: str) -> str:
    return _text(html.split("<article", 1)[1].split("</article>", 1)[0])


def test_example_builds_strict_without_warnings(example_site: ExampleSite) -> None:
    assert "WARNING" not in example_site.log
    assert example_site.run.registry.models, "the example has models"


def test_every_wiki_page_exists_at_its_url(example_site: ExampleSite) -> None:
    registry = example_site.run.registry
    urls = ["governance", "governance/models", "governance/experiments", "governance/datasets",
            "governance/decisions", "governance/people", "governance/audit", "governance/findings"]  # fmt: skip
    for model in registry.models.values():
        urls.append(f"governance/models/{model.id}")
        urls += [f"governance/models/{model.id}/{v.version}" for v in model.versions]
    urls += [f"governance/experiments/{e}" for e in registry.experiments]
    urls += [f"governance/datasets/{d}" for d in registry.datasets]
    urls += [f"governance/decisions/{d}" for d in registry.decisions]
    for url in urls:
        assert (example_site.out / url / "index.html").is_file(), url
    data = json.loads((example_site.out / "governance" / "governance.json").read_text())
    assert data["passed"] == example_site.run.report.passed


def test_navigation_lists_the_wiki_sections(example_site: ExampleSite) -> None:
    home = example_site.html(".")
    for title in ("Governance dashboard", "Model inventory", "Experiments", "Datasets",
                  "Decision log", "People and roles", "Audit trail", "Findings"):  # fmt: skip
        assert f">{title}<" in home or f"{title}\n" in home or title in _text(home), title
    # Record pages are reached from the sections' index pages, not from the navigation.
    assert "governance/models/credit-default-pd/" not in home


def test_dashboard_names_each_production_version_and_its_approvers(
    example_site: ExampleSite,
) -> None:
    registry = example_site.run.registry
    dashboard = _article(example_site.html("governance"))
    production = dashboard.split("In production")[1].split("Models × stages")[0]
    in_production = [v for v in registry.versions() if v.stage == "production"]
    assert in_production, "the example has production versions"
    for version in in_production:
        assert registry.models[version.model_id].name in production
        for signoff in registry.signoffs_for(version.key):
            if signoff.decision == "approved":
                assert registry.people[signoff.approver].name in production
    verdict = "Gate: PASSED" if example_site.run.report.passed else "Gate: FAILED"
    assert verdict in dashboard


def test_inventory_lists_every_model_with_owner_and_risk_tier(example_site: ExampleSite) -> None:
    registry = example_site.run.registry
    inventory = _article(example_site.html("governance/models"))
    for model in registry.models.values():
        assert model.name in inventory
        assert registry.people[model.owner].name in inventory
    assert "Risk tier" in inventory


def test_version_page_shows_signoffs_with_dates_and_the_digest(example_site: ExampleSite) -> None:
    run = example_site.run
    version = next(v for v in run.registry.versions() if v.stage == "production")
    page = example_site.html(f"governance/models/{version.model_id}/{version.version}")
    text = _article(page)
    assert run.report.versions[version.key].digest in text
    for signoff in run.registry.signoffs_for(version.key):
        assert run.registry.people[signoff.approver].name in text
        assert signoff.date.isoformat() in text
    assert re.search(r'href="\.\./\.\./\.\./audit/\d{4}-\d\d/#commit-[0-9a-f]{10}"', page)


def test_model_card_has_lineage_diagram_and_metric_plot(example_site: ExampleSite) -> None:
    model = next(iter(example_site.run.registry.models.values()))
    page = example_site.html(f"governance/models/{model.id}")
    # Drawn at build time (an SVG beside the page), never Mermaid code for a CDN script.
    assert "mermaid" not in page and "flowchart LR" not in page
    lineage = re.search(r'src="(\.\./\.\./assets/lineage/[0-9a-f]+\.svg)"', page)
    assert lineage, "a lineage diagram"
    drawing = (example_site.out / "governance" / "models" / model.id / lineage.group(1)).resolve()
    svg_text = drawing.read_text(encoding="utf-8")
    for version in model.versions:
        assert f"{version.version} · {version.stage}" in svg_text
    assert "The lineage as text" in page
    plot = re.search(r'src="(\.\./\.\./assets/plots/[0-9a-f]+\.svg)"', page)
    assert plot, "a metric plot across versions"
    svg = (example_site.out / "governance" / "models" / model.id / plot.group(1)).resolve()
    assert svg.is_file() and b"<svg" in svg.read_bytes()


def test_audit_trail_lists_commits_newest_first(example_site: ExampleSite) -> None:
    history = example_site.run.history
    newest = history.commits[history.order[0]].author_date.strftime("%Y-%m")
    audit = example_site.html(f"governance/audit/{newest}")
    same_month = [
        sha for sha in history.order
        if history.commits[sha].author_date.strftime("%Y-%m") == newest
    ][:5]  # fmt: skip
    positions = [audit.find(f'id="commit-{sha[:10]}"') for sha in same_month]
    assert all(p > 0 for p in positions)
    assert positions == sorted(positions)
    first = history.commits[history.order[0]]
    assert f"{REPO_URL}/commit/{first.sha}" in audit


def test_findings_page_lists_every_finding(example_site: ExampleSite) -> None:
    findings = example_site.run.report.findings
    text = _article(example_site.html("governance/findings"))
    for finding in findings:
        assert finding.code in text
    if not findings:
        assert "No findings" in text


def test_decision_log_shows_status_of_every_decision(example_site: ExampleSite) -> None:
    text = _article(example_site.html("governance/decisions"))
    for decision in example_site.run.registry.decisions.values():
        assert decision.title in text
        assert (decision.status_text or decision.status) in text


@pytest.mark.slow
def test_project_site_builds_strict(tmp_path: Path) -> None:
    """``make site``: the project's own mkdocs.yml, user guide and wiki, no warning."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "governance" / "index.html").is_file()
    assert (tmp_path / "site" / "reference" / "api" / "index.html").is_file()
