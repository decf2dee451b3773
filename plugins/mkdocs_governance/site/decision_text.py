"""What real ADR folders need on their pages: code in titles, links between decisions, images.

- **Titles with backticks** (``Use `pnpm` for workspaces``): the backticked parts are
  code, the rest plain text. [`title_markdown`][mkdocs_governance.site.decision_text.title_markdown]
  gives Markdown for headings and tables (each part escaped), and
  [`title_nav`][mkdocs_governance.site.decision_text.title_nav] gives the navigation
  title: the text inert as in ``plain_title`` (no ``<`` ``>``), the code parts in the
  only tags it adds, ``<code>``.
- **Links between decisions** (``[ADR-0008](0008-add-status-field.md)``, ``./0008-…md#x``)
  and **images beside them** (``![](assets/flow.png)``) are rewritten, in the Markdown
  source before it is rendered, to the URLs of the generated decision pages and of the
  published copies of the images, relative to the page's own URL. Other links are left
  as written.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable, Mapping
from urllib.parse import quote

from markupsafe import Markup

from . import safety


def _parts(title: str) -> list[tuple[bool, str]]:
    """``(is_code, text)`` runs of a title: backtick pairs delimit code."""
    pieces = title.split("`")
    if len(pieces) % 2 == 0:  # an unpaired backtick: all of it is text
        return [(False, title)]
    return [(index % 2 == 1, piece) for index, piece in enumerate(pieces) if piece]


def title_markdown(title: str) -> Markup:
    """The title as inline Markdown: text escaped, backticked parts as code spans."""
    out = []
    for is_code, text in _parts(" ".join(title.split())):
        out.append(f"`{text}`" if is_code else safety.escape_text(text))
    return Markup("".join(out))


def title_nav(title: str) -> str:
    """The navigation title: inert text (``‹`` ``›`` for angle brackets), code in ``<code>``."""
    out = []
    for is_code, text in _parts(" ".join(html.unescape(title).split())):
        inert = text.replace("<", "‹").replace(">", "›")
        out.append(f"<code>{inert}</code>" if is_code else inert)
    return "".join(out)


def page_url(page: str, directory_urls: bool) -> str:
    """The URL path (docs-relative) MkDocs serves the Markdown page ``page`` at."""
    if not directory_urls:
        return page[:-3] + ".html" if page.endswith(".md") else page
    if page.endswith("/index.md") or page == "index.md":
        return page[: -len("index.md")]
    return page[:-3] + "/" if page.endswith(".md") else page


def relative_url(from_page: str, target: str, directory_urls: bool) -> str:
    """``target`` (a docs-relative page or file) relative to the URL of ``from_page``."""
    base = page_url(from_page, directory_urls)
    base_dir = base if base.endswith("/") else posixpath.dirname(base) + "/"
    destination = page_url(target, directory_urls) if target.endswith(".md") else target
    relative = posixpath.relpath(destination, base_dir.rstrip("/") or ".")
    if destination.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return quote(relative, safe="/#.-_~")


def rewrite_links(body: str, resolve: Callable[[str], str | None]) -> str:
    """Replace the targets of Markdown links/images ``](target)`` that ``resolve`` knows.

    ``resolve`` gets the target without its ``#fragment`` and returns the new URL or
    None to leave it. A linear scan: no regular expression.
    """
    out: list[str] = []
    index = 0
    while True:
        start = body.find("](", index)
        if start < 0:
            out.append(body[index:])
            return "".join(out)
        end = body.find(")", start + 2)
        if end < 0:
            out.append(body[index:])
            return "".join(out)
        target = body[start + 2 : end]
        out.append(body[index : start + 2])
        if target and " " not in target and "\n" not in target:
            path, hashed, fragment = target.partition("#")
            replaced = resolve(path) if path else None
            out.append(f"{replaced}{hashed}{fragment}" if replaced is not None else target)
        else:
            out.append(target)
        index = end


def decision_resolver(
    decision_file: str,
    page: str,
    decision_pages: Mapping[str, str],
    assets: Mapping[str, str],
    directory_urls: bool,
) -> Callable[[str], str | None]:
    """A ``resolve`` for one decision's body.

    Args:
        decision_file: the decision's record file (repository-relative).
        page: the generated page of the decision (docs-relative).
        decision_pages: record file -> generated page, for every decision.
        assets: record file -> published copy (docs-relative), for every image.
        directory_urls: MkDocs' ``use_directory_urls``.
    """
    folder = posixpath.dirname(decision_file)

    def resolve(target: str) -> str | None:
        if "://" in target or target.startswith(("/", "mailto:")):
            return None
        written = posixpath.normpath(posixpath.join(folder, target))
        found = decision_pages.get(written) or assets.get(written)
        if found is None:
            return None
        return relative_url(page, found, directory_urls)

    return resolve
