"""The site layer: a governance run -> Markdown pages, SVG plots and JSON.

Imports no MkDocs: [`render_site`][mkdocs_governance.site.render.render_site]
returns [`GeneratedPage`][mkdocs_governance.site.render.GeneratedPage] objects that
any engine can write out. Templates live in ``site/templates/``.
"""

from __future__ import annotations

from .render import (
    GeneratedPage,
    SiteOptions,
    governance_json,
    is_section_page,
    navigation,
    plain_title,
    render_site,
)
from .safety import escape_text, render_markdown, sanitize_html

__all__ = [
    "GeneratedPage",
    "SiteOptions",
    "escape_text",
    "governance_json",
    "is_section_page",
    "navigation",
    "plain_title",
    "render_markdown",
    "render_site",
    "sanitize_html",
]
