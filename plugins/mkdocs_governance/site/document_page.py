"""The wiki's document page of each model version: the model document, in the site.

The page embeds the very HTML body that ``mkdocs-governance document --format html``
writes (one [`ModelDocument`][mkdocs_governance.document.model.ModelDocument], one
template), so what a reader prints from the wiki is what an auditor is filed. The
site's ``document.css`` carries the print styles: no navigation, a page break before
each section, external links printed as text.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .safety import escape_text

if TYPE_CHECKING:
    from ..core import GovernanceRun


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """One generated document page."""

    path: str
    content: str
    title: str


def document_path(version_page: str) -> str:
    """``governance/models/m/2.0.md`` -> ``governance/models/m/2.0-document.md``."""
    stem, _ = posixpath.splitext(version_page)
    return f"{stem}-document.md"


def render_document_page(run: GovernanceRun, key: str, path: str) -> DocumentPage:
    """The Markdown page at ``path`` holding the document of version ``key``."""
    # Imported here: the document layer reads the site's helpers (a cycle at import time).
    from ..document.html import render_body
    from ..document.model import MadeFrom, build_document, regenerate_command

    as_of = date.fromisoformat(run.report.as_of) if run.report.as_of else date.today()
    commit = run.history.head if run.history.available else None
    made_from = MadeFrom(
        commit=commit,
        commit_date=None,
        uncommitted=tuple(sorted(run.history.worktree)) if commit else (),
        as_of=as_of,
        command=regenerate_command(key, as_of=as_of, fmt="docx", template=None),
    )
    doc = build_document(run, key, made_from=made_from)
    body = "\n".join(line for line in render_body(doc, embedded=True).splitlines() if line.strip())
    intro = (
        "This page is the model document of the version, as `mkdocs-governance document` "
        "writes it; print it from the browser, or make the Word or PDF file with the command "
        "in section 10."
    )
    content = (
        f"# {escape_text(doc.title)}\n\n{intro}\n\n"
        f'<div class="gov-document-page" markdown="0">\n{body}\n</div>\n'
    )
    return DocumentPage(path, content, doc.title)
