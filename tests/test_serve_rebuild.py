"""``mkdocs serve`` rebuilds: the first rebuild finds the history cached, a docs edit
reuses the wiki as rendered, and a record edit rewrites only the pages it changes, so
``mkdocs serve --dirty`` re-renders only those.

Real MkDocs builds, run in-process the way ``mkdocs serve`` runs them (one plugin
instance across rebuilds, the config reloaded each time), on a real git repository.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from mkdocs_governance.history.cache import HISTORY_CACHE
from tests.scenario import RECORDS, passing_production

pytestmark = pytest.mark.xdist_group("serve-rebuild")

MKDOCS_YML = """\
site_name: Serve rebuild test
theme: mkdocs
markdown_extensions: [admonition, attr_list, md_in_html, tables]
plugins:
  - governance:
      as_of: 2026-02-01
"""


def _build(repo: Path, *, dirty: bool = False, first: bool = False) -> Any:
    """One (re)build as ``mkdocs serve`` runs it; returns the plugin's run."""
    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(repo / "site"))
    if first:
        config.plugins.on_startup(command="serve", dirty=dirty)
    build(config, serve_url="http://127.0.0.1:8000/", dirty=dirty)
    return config.plugins["governance"].run


def _times(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    scenario = passing_production(tmp_path / "repo")
    (scenario.path / "mkdocs.yml").write_text(MKDOCS_YML)
    (scenario.path / "docs").mkdir(exist_ok=True)
    (scenario.path / "docs" / "index.md").write_text("# Home\n")
    return scenario.path


def test_first_rebuild_hits_the_history_cache_and_a_docs_edit_reuses_the_pages(repo: Path) -> None:
    run = _build(repo, first=True)
    pages = repo / ".governance-cache" / "serve-pages"
    before = _times(pages)
    assert "governance/people.md" in before
    misses, hits = HISTORY_CACHE.misses, HISTORY_CACHE.hits
    time.sleep(0.05)
    (repo / "docs" / "index.md").write_text("# Home\n\nEdited.\n")
    assert _build(repo) is run  # the records were not evaluated again
    assert HISTORY_CACHE.misses == misses and HISTORY_CACHE.hits == hits + 1
    assert _times(pages) == before  # nothing of the wiki was rewritten
    assert "Edited." in (repo / "site" / "index.html").read_text()


def test_a_record_edit_rewrites_only_the_pages_it_changes(repo: Path) -> None:
    _build(repo, dirty=True, first=True)
    pages = repo / ".governance-cache" / "serve-pages"
    site = repo / "site" / "governance"
    before, built = _times(pages), _times(site)
    time.sleep(0.05)
    dataset = repo / RECORDS / "datasets" / "loans.yaml"
    dataset.write_text(dataset.read_text().replace("name: ", "name: Renamed ", 1))
    _build(repo, dirty=True)
    after, rebuilt = _times(pages), _times(site)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "governance/datasets/loans.md" in changed
    assert "governance/people.md" not in changed
    assert len(changed) < len(after) / 2
    # --dirty re-renders the changed pages only.
    assert rebuilt["datasets/loans/index.html"] != built["datasets/loans/index.html"]
    assert "Renamed" in (site / "datasets" / "loans" / "index.html").read_text()
    assert rebuilt["people/index.html"] == built["people/index.html"]
