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

Under the Material theme the model lineage is a Mermaid diagram, which needs
``pymdownx.superfences`` with a ``mermaid`` fence (Material's documented set-up);
the plugin adds that fence when it is missing. Other themes do not draw Mermaid:
the lineage stays a readable code block, as fenced code renders everywhere.

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

SUPERFENCES = "pymdownx.superfences"


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


def ensure_markdown_extensions(
    extensions: list[Any], mdx_configs: dict[str, Any], theme_name: str | None
) -> list[str]:
    """Add to ``extensions`` (and ``mdx_configs``) what the wiki's pages need.

    Args:
        extensions: MkDocs' validated ``markdown_extensions`` list (edited in place).
        mdx_configs: MkDocs' per-extension options (edited in place).
        theme_name: the theme's name (``material``, ``mkdocs``, ``readthedocs``...).

    Returns:
        What was added, in words for the log (empty when the config had it all).
    """
    added: list[str] = []
    present = _configured(extensions)
    for name in REQUIRED_EXTENSIONS:
        if name not in present:
            extensions.append(name)
            added.append(name)
    if theme_name == "material":
        note = _ensure_mermaid_fence(extensions, mdx_configs, present)
        if note:
            added.append(note)
    return added


def _ensure_mermaid_fence(
    extensions: list[Any], mdx_configs: dict[str, Any], present: set[str]
) -> str | None:
    """Material draws ``pre.mermaid`` blocks, which superfences' custom fence emits."""
    try:
        from pymdownx.superfences import fence_code_format
    except ImportError:  # pymdown-extensions comes with Material; without it, plain code
        return None
    fence = {"name": "mermaid", "class": "mermaid", "format": fence_code_format}
    if SUPERFENCES not in present:
        extensions.append(SUPERFENCES)
        mdx_configs[SUPERFENCES] = {"custom_fences": [fence]}
        return f"{SUPERFENCES} (with a mermaid fence)"
    options = mdx_configs.setdefault(SUPERFENCES, {})
    fences = options.setdefault("custom_fences", [])
    if any(isinstance(f, dict) and f.get("name") == "mermaid" for f in fences):
        return None
    fences.append(fence)
    return f"a mermaid fence for {SUPERFENCES}"
