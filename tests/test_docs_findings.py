"""Every finding code has its page in the user guide, in the ruff-style layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.findings import Code

DOCS = Path(__file__).resolve().parent.parent / "docs" / "findings"


@pytest.mark.parametrize("code", [c.value for c in Code])
def test_every_finding_code_has_a_page_with_what_why_example_and_fix(code: str) -> None:
    page = DOCS / f"{code}.md"
    assert page.exists(), f"docs/findings/{code}.md is missing"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {code}\n")
    for heading in ("## What it does", "## Why is this bad", "## Example", "## How to fix"):
        assert heading in text, f"{page.name} lacks {heading!r}"


@pytest.mark.parametrize("code", [c.value for c in Code])
def test_findings_index_links_every_code(code: str) -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert f"({code}.md)" in index
