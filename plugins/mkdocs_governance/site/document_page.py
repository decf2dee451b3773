"""The wiki's document page of each model version: the model document, in the site.

The page embeds the very HTML body that ``mkdocs-governance document --format html``
writes (one [`ModelDocument`][mkdocs_governance.document.model.ModelDocument], one
template), so what a reader prints from the wiki is what an auditor is filed. The
site's ``document.css`` carries the print styles: no navigation, a page break before
each section, external links printed as text.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .safety import escape_text

if TYPE_CHECKING:
    from ..core import GovernanceRun
    from ..document.model import ModelDocument


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """One generated document page."""

    path: str
    content: str
    title: str
    # (docs-relative path, SVG bytes) of the figures the page shows.
    assets: tuple[tuple[str, bytes], ...] = field(default=())


def document_path(version_page: str) -> str:
    """``governance/models/m/2.0.md`` -> ``governance/models/m/2.0-document.md``."""
    stem, _ = posixpath.splitext(version_page)
    return f"{stem}-document.md"


def render_document_page(
    run: GovernanceRun, key: str, path: str, assets_dir: str, cache_dir: Path | None = None
) -> DocumentPage:
    """The Markdown page at ``path`` holding the document of version ``key``.

    The sections are HTML blocks; the figures are SVG files under ``assets_dir``
    (docs-relative, named by content hash) shown as Markdown images, so that the
    engine links them right for any URL layout. ``cache_dir`` is the site's plot cache:
    an unchanged figure is not redrawn.
    """
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
    assets: list[tuple[str, bytes]] = []
    images = []
    for figure_svg, caption in _figures(doc, cache_dir):
        target = f"{assets_dir}/doc-{hashlib.sha256(figure_svg).hexdigest()[:20]}.svg"
        assets.append((target, figure_svg))
        relative = posixpath.relpath(target, posixpath.dirname(path))
        images.append(f"![{escape_text(caption)}]({relative})")
    before, _, after = render_body(doc, embedded=_FIGURES).partition(_FIGURES)
    intro = (
        '<p class="gov-doc-intro">This page is the model document of the version, as '
        "<code>mkdocs-governance document</code> writes it: print it from the browser, or "
        "make the Word or PDF file with the command in section 10.</p>"
    )
    content = "\n\n".join(
        [f"# {escape_text(doc.title)}", intro, *_blocks(before), *images, *_blocks(after)]
    )
    # The wiki's page marker (as site/render.py adds to every generated page): the
    # wiki's styles apply, among them the phone layout that keeps tables from
    # scrolling sideways at 390 px.
    content += '\n\n<span class="gov-page"></span>'
    return DocumentPage(path, content + "\n", doc.title, tuple(assets))


_FIGURES = "<!-- governance: figures -->"
_BLOCK_START = re.compile(r'^(?=<div class="gov-doc-(?:header|section)")', re.MULTILINE)


def _blocks(html: str) -> list[str]:
    """Top-level HTML blocks, each without blank lines (a blank line would end it)."""
    blocks = []
    for block in _BLOCK_START.split(html):
        compact = "\n".join(line for line in block.splitlines() if line.strip())
        if compact:
            blocks.append(compact)
    return blocks


def _figures(doc: ModelDocument, cache_dir: Path | None) -> list[tuple[bytes, str]]:
    from ..document.html import document_figures

    return [(figure.svg, figure.caption) for figure in document_figures(doc, cache_dir)]
