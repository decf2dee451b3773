"""The wiki renders under whatever ``mkdocs.yml`` a user has.

The generated pages use admonitions, ``<div markdown>`` blocks, attribute lists and
tables; the plugin enables those extensions itself (``markdown_setup.py``). Each
config below is one a user really has: the getting-started guide's bare config,
Material with no extensions, MkDocs' own ``mkdocs`` and ``readthedocs`` themes, and a
config that already lists the extensions with its own options. Each is built with a
real ``mkdocs build`` of the project's example records, judged on a day when its
sign-offs have expired (so every page carries the gate's banner), and no generated
page's HTML may show a raw Markdown marker.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.guide import FileBlock, parse

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "governance_records"
# Two years after the example's story: its approvals have expired, the gate fails,
# and every affected page shows the danger banner (an admonition).
LATE = "2028-12-01"

PLUGIN = f"""\
plugins:
  - search
  - governance:
      records_dir: {RECORDS}
      gate: warn
      as_of: {LATE}
"""


def _guide_config() -> str:
    """The getting-started guide's ``mkdocs.yml``, up to its ``plugins:`` (added below)."""
    guide = parse((ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8"))
    (config,) = [s for s in guide.steps if isinstance(s, FileBlock) and s.path == "mkdocs.yml"]
    head, plugins, tail = config.content.partition("plugins:\n")
    assert plugins and "governance" in tail, "the guide's mkdocs.yml lists the plugin last"
    return head


CONFIGS = {
    "guide-bare": _guide_config(),
    "material-no-extensions": "site_name: Material\ntheme: material\nmarkdown_extensions: []\n",
    "mkdocs-theme": "site_name: MkDocs theme\ntheme: mkdocs\n",
    "readthedocs-theme": "site_name: RTD theme\ntheme: readthedocs\n",
    "own-extension-options": (
        "site_name: Own options\ntheme: material\nmarkdown_extensions:\n"
        "  - markdown.extensions.admonition\n  - toc: {permalink: true}\n"
        "  - pymdownx.superfences\n"
    ),
}

# What Markdown looks like when it was not converted.
RAW_MARKERS = {
    "bold": re.compile(r"\*\*\S"),
    "admonition": re.compile(r"!!! ?\w"),
    "escaped punctuation": re.compile(r"\\[-.*_#|!\[\]()`]"),
    "link": re.compile(r"\]\((?:[^)\s]*)\)"),
    "attribute list": re.compile(r"\{\s*[:.#][^}]*\}"),
    "table rule": re.compile(r"\|\s*-{3,}\s*\|"),
}


class _VisibleText(HTMLParser):
    """The text a reader sees outside code blocks, and any leftover ``markdown`` attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.markdown_attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "pre", "code"):
            self.skip += 1
        # `markdown="0"` wraps HTML that is already rendered (record text): inert.
        if any(name == "markdown" and value != "0" for name, value in attrs):
            self.markdown_attributes.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "pre", "code"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.skip <= 0:
            self.parts.append(data)


def _build(folder: Path, config: str) -> subprocess.CompletedProcess[str]:
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Home\n\nOur models.\n")
    (folder / "mkdocs.yml").write_text(config + PLUGIN)
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", "out"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_generated_pages_show_no_raw_markdown(tmp_path: Path, name: str) -> None:
    result = _build(tmp_path, CONFIGS[name])
    assert result.returncode == 0, result.stderr
    pages = sorted((tmp_path / "out" / "governance").rglob("*.html"))
    assert len(pages) > 20, "the wiki was not generated"
    problems = []
    for page in pages:
        parser = _VisibleText()
        parser.feed(page.read_text(encoding="utf-8"))
        text = " ".join(parser.parts)
        relative = page.relative_to(tmp_path / "out").as_posix()
        for what, pattern in RAW_MARKERS.items():
            match = pattern.search(text)
            if match:
                start = max(match.start() - 40, 0)
                problems.append(f"{relative}: raw {what}: …{text[start : match.end() + 40]}…")
        for tag in parser.markdown_attributes:
            problems.append(f"{relative}: a <{tag} markdown> block was not converted")
    assert not problems, "\n".join(problems[:20])

    # And what the markers were meant to become is there.
    dashboard = (tmp_path / "out" / "governance" / "index.html").read_text(encoding="utf-8")
    assert "<strong>Gate: FAILED</strong>" in dashboard
    assert 'class="admonition danger"' in dashboard
    superseded = next((tmp_path / "out" / "governance" / "decisions").glob("0003-*/index.html"))
    assert 'class="admonition warning"' in superseded.read_text(encoding="utf-8")
    assert "<strong>Record file:</strong>" in superseded.read_text(encoding="utf-8")
    model = tmp_path / "out" / "governance" / "models" / "credit-default-pd" / "index.html"
    model_html = model.read_text(encoding="utf-8")
    assert 'class="governance-plot"' in model_html  # attr_list on the plots
    # The lineage is an SVG drawn at build time (issue 12: no Mermaid, in every theme):
    # its image keeps its attribute list, its text alternative is a converted block.
    assert re.search(r'<img [^>]*class="governance-lineage"', model_html)
    assert re.search(
        r'<details class="gov-lineage-text">\s*<summary>The lineage as text', model_html
    )


def test_the_plugin_keeps_the_users_extension_options(tmp_path: Path) -> None:
    config = (
        "site_name: Own options\ntheme: material\nmarkdown_extensions:\n  - toc: {permalink: '#'}\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n## Section\n\n!!! note\n    Hi.\n")
    (tmp_path / "mkdocs.yml").write_text(config + PLUGIN)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'class="headerlink"' in home and ">#</a>" in home  # the user's toc options
    assert 'class="admonition note"' in home  # admonition now works on the user's pages too
    assert "enabled for the wiki's pages: admonition, attr_list, md_in_html" in result.stderr
