"""The Markdown extensions the generated pages need, enabled by the plugin itself.

The wiki's pages use a few standard Python-Markdown extensions: ``admonition``
(banners, the "Superseded" box), ``md_in_html`` (the gate banner and the record
footer are ``<div markdown>`` blocks), ``attr_list`` (the plots' class) and
``tables``. A user's ``mkdocs.yml`` may list none of them (the bare config of the
getting-started guide, Material with no extensions, MkDocs' own ``mkdocs`` and
``readthedocs`` themes); the pages would then show raw ``**Gate: PASSED**`` and
``!!! warning`` text. So the plugin adds, in ``on_config``, those that are missing,
and nothing else: each is part of Python-Markdown, changes nothing in a page that
does not use its syntax, and an extension the user configured keeps the user's
options.

The model lineage is an SVG image drawn at build time (``site/lineage.py``), so no
theme needs a Mermaid fence for it, and the plugin adds none: a fence would only make
Material draw the user's own ``mermaid`` blocks with a script it loads from a CDN.

MkDocs-specific (it edits an ``MkDocsConfig``), hence beside ``plugin.py``, not in
the core.
"""

from __future__ import annotations

from typing import Any

from markdown.extensions import Extension

# The extensions the generated pages rely on, each with the names it is known by.
REQUIRED_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables")

# ``extra`` bundles attr_list, md_in_html, tables (and more): listing it is enough.
_BUNDLED_BY_EXTRA = frozenset({"attr_list", "md_in_html", "tables", "fenced_code"})


def _canonical(entry: str | Extension) -> str:
    """``markdown.extensions.admonition`` and ``admonition`` are the same extension."""
    name = type(entry).__module__ if isinstance(entry, Extension) else entry.split(":", 1)[0]
    if name.startswith("markdown.extensions."):
        name = name[len("markdown.extensions.") :]
    return name


def _configured(extensions: list[Any]) -> set[str]:
    names = {_canonical(entry) for entry in extensions}
    if "extra" in names:
        names |= _BUNDLED_BY_EXTRA
    return names


def ensure_markdown_extensions(extensions: list[Any]) -> list[str]:
    """Add to ``extensions`` what the wiki's pages need.

    Args:
        extensions: MkDocs' validated ``markdown_extensions`` list (edited in place);
            each added extension runs with its defaults, so ``mdx_configs`` (the
            user's options of the extensions they list) is left alone.

    Returns:
        What was added, for the log (empty when the config had it all).
    """
    added: list[str] = []
    present = _configured(extensions)
    for name in REQUIRED_EXTENSIONS:
        if name not in present:
            extensions.append(name)
            added.append(name)
    return added
