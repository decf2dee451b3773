"""Safe rendering of record text and Git text into Markdown pages.

Record fields come in two kinds. Plain text (names, titles, ids, commit subjects,
author names) is escaped so that Markdown and HTML syntax in it is shown as
written, never interpreted. Long Markdown fields (a model's overview, a decision's
body) are rendered to HTML here and cleaned with an explicit nh3 allow-list, so the
page is safe even when rendered by an engine that does not run our plugin; the
plugin cleans the final page HTML a second time.

Links from records (evidence) are only ever http(s) URLs or paths inside the
repository: nothing else becomes a link.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import markdown
import nh3

# An explicit allow-list: nh3's defaults strip ``id`` and ``class``, which would
# break heading anchors, admonitions, Mermaid blocks and our own status badges.
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup",
        "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "details": {"open"},
    "ol": {"start"},
    "col": {"span"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Exactly Python-Markdown's backslash-escapable characters (plus "|" from the
# tables extension): escaping any other character would leave a visible "\".
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")
_MERMAID_UNSAFE = re.compile(r"[^0-9A-Za-z _.,@/+\-]")


def sanitize_html(fragment: str) -> str:
    """Clean an HTML fragment with the project's explicit allow-list.

    Script and style elements are dropped with their content; event-handler
    attributes, ``style`` and any URL scheme other than http(s)/mailto are removed.
    """
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def escape_text(value: object) -> str:
    """Escape plain text for inline Markdown: shown exactly as written.

    HTML-special characters become entities and every Markdown punctuation
    character is backslash-escaped; line breaks become spaces so a value cannot
    start a new block (a heading, a list, a table row).
    """
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", " ", text)
    text = html.escape(text, quote=True)
    # html.escape produced "&lt;" etc.; escape Markdown punctuation but keep the
    # entities' "&" and ";" intact (neither is special in inline Markdown).
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def escape_cell(value: object) -> str:
    """Escape plain text for a Markdown table cell (also never empty)."""
    escaped = escape_text(value)
    return escaped if escaped else "—"


def render_markdown(text: str, *, heading_offset: int = 2) -> str:
    """Render record Markdown to sanitised HTML wrapped in a block ``div``.

    Headings are pushed down ``heading_offset`` levels so a record's ``#`` does not
    compete with the page title. The result is an HTML block that Markdown passes
    through as is.
    """
    if not text or not text.strip():
        return ""
    text, note, as_text = bound_text(text)
    if as_text:
        paragraphs = (html.escape(part.strip()) for part in re.split(r"\n\s*\n", text))
        shown = "\n".join(f"<p>{part}</p>" for part in paragraphs if part)
        return f'<div class="governance-text" markdown="0">\n{shown}{note}\n</div>'
    rendered = markdown.markdown(
        text, extensions=["tables", "fenced_code", "sane_lists", "def_list"], output_format="html"
    )

    def demote(match: re.Match[str]) -> str:
        level = min(int(match.group(2)) + heading_offset, 6)
        return f"<{match.group(1)}h{level}"

    rendered = re.sub(r"<(/?)h([1-6])", demote, rendered)
    cleaned = sanitize_html(rendered)
    # A blank line inside the block would end the HTML block in some Markdown
    # engines; the cleaned HTML needs no blank lines.
    cleaned = "\n".join(line for line in cleaned.splitlines() if line.strip())
    return f'<div class="governance-text" markdown="0">\n{cleaned}{note}\n</div>'


# What one record text may cost to render. Python-Markdown takes about 0.2 ms per
# inline link and the sanitiser's HTML parser grows with the square of the nesting
# depth, so a 500 KB field could take minutes (and the theme's search indexer more):
# longer text is cut (with a visible note), deeper raw HTML is shown as text.
MAX_RENDERED_CHARACTERS = 50_000
MAX_HTML_DEPTH = 64
MAX_UNCLOSED_TAGS = 200
# A "<" that does not open a complete tag: Python-Markdown rescans the rest of the
# text for each one (quadratic).
_UNCLOSED = re.compile(r"<(?![A-Za-z/!?][^<>]{0,1000}>)")
# Blockquote markers or list indentation 64 levels deep (Markdown recurses per level).
_DEEP_NESTING = re.compile(r"^(?:[ \t]*>){64}|^(?:[ \t]*[-*+][ \t]+){64}|^[ \t]{256}", re.M)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip


def bound_text(text: str) -> tuple[str, str, bool]:
    """``text`` cut to what a page may spend on it, the note saying so, and whether
    it must be shown as plain text instead of Markdown.

    Text over ``MAX_RENDERED_CHARACTERS``
    is cut at the last line break before the limit. Text whose structure makes
    Markdown or the sanitiser super-linear (raw HTML nested deeper than
    ``MAX_HTML_DEPTH``, hundreds of
    unclosed ``<``, blockquotes or lists nested that deep) is shown as plain text,
    exactly as written. The record file keeps the whole text; the note says so.
    """
    notes: list[str] = []
    if len(text) > MAX_RENDERED_CHARACTERS:
        cut = text.rfind("\n", 0, MAX_RENDERED_CHARACTERS)
        text = text[: cut if cut > 0 else MAX_RENDERED_CHARACTERS]
        notes.append(
            f"only the first {MAX_RENDERED_CHARACTERS:,} characters are shown; the whole text "
            "is in the record file"
        )
    as_text = (
        html_depth(text) > MAX_HTML_DEPTH
        or len(_UNCLOSED.findall(text)) > MAX_UNCLOSED_TAGS
        or _DEEP_NESTING.search(text) is not None
        or _tangled_links(text)
    )
    if as_text:
        notes.append("its structure is too deeply nested to be rendered, so it is shown as text")
    if not notes:
        return text, "", False
    note = '\n<p class="governance-note"><em>Note: ' + "; ".join(notes) + ".</em></p>"
    return text, note, as_text


def _tangled_links(text: str) -> bool:
    """Brackets that make Python-Markdown's link parser super-linear.

    Each unclosed ``[`` (or ``](`` without its ``)``) makes it rescan the rest of the
    text, and nested brackets multiply that: 8,000 ``[`` take minutes.
    """
    unclosed = text.count("[") - text.count("]")
    targets = text.count("](") - text.count(")")
    if unclosed > MAX_UNCLOSED_TAGS or targets > MAX_UNCLOSED_TAGS:
        return True
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match.group() == "[" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest > MAX_HTML_DEPTH


_BRACKET = re.compile(r"[\[\]]")


def html_depth(text: str) -> int:
    """The deepest nesting of raw HTML elements in ``text`` (one linear scan)."""
    depth = deepest = 0
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if name.lower() in _VOID or self_closing:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def mermaid_label(value: object, limit: int = 60) -> str:
    """A Mermaid node label: quoted, with only harmless characters kept.

    Mermaid parses quotes, brackets and HTML in labels; keeping a small character
    set is simpler and safer than escaping each of its syntaxes.
    """
    text = _MERMAID_UNSAFE.sub(" ", str(value))
    text = " ".join(text.split())[:limit] or "?"
    return f'"{text}"'


def mermaid_id(prefix: str, value: object) -> str:
    """A Mermaid node id derived from ``value`` (letters, digits and ``_`` only)."""
    return prefix + "_" + re.sub(r"[^0-9A-Za-z]", "_", str(value))


def safe_url(value: str) -> str | None:
    """``value`` as a link target if it is an absolute http(s) URL, else None.

    Characters that could end a Markdown link or break out of an attribute are
    percent-encoded.
    """
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(value, safe=":/?#@!$&'*+,;=%~[]")


def repo_path(value: str, repo_root: Path | None) -> str | None:
    """``value`` as a repository-relative POSIX path inside the repository, or None.

    Absolute paths, ``..`` escapes, backslashes and symlinks leading outside the
    repository are refused. When ``repo_root`` is given the file must exist.
    """
    value = value.strip()
    if not value or "\\" in value or "\x00" in value or value.startswith("/"):
        return None
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        return None  # a URL or a Windows drive: not a repository path
    normal = posixpath.normpath(value)
    if normal.startswith("../") or normal in ("..", "."):
        return None
    if repo_root is not None:
        root = repo_root.resolve()
        target = (root / normal).resolve()
        if not target.is_relative_to(root) or not target.exists():
            return None
    return normal


def markdown_link(text: str, target: str, *, escaped: bool = False) -> str:
    """A Markdown inline link; ``text`` is escaped unless ``escaped`` is True."""
    label = text if escaped else escape_text(text)
    return f"[{label}]({target})"
