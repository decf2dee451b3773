"""The version entries of a model file's revision, for comparing revisions.

Version provenance (``history.provenance``) compares the entries of every version
between each commit of a model file and its parents. Parsing every revision in full
would cost as much as the rest of the gate on a long history, and most commits change
one entry (or only a ``stage:``): so a model file in the usual block layout is cut
into its ``versions:`` items by indentation, and each item is parsed and typed on its
own (the schema's ``MODEL_VERSION``), once per distinct item text. Any other layout
(flow style, a ``versions`` key that is not at the top, tabs) falls back on parsing
the whole file with [`parse_model_blob`][mkdocs_governance.records.loader.parse_model_blob].
Both ways give the same typed entries: ``1.10`` stays the string ``"1.10"``.

Only the version entries are read: an error elsewhere in the file (a model-card
field) does not hide them. A revision whose entries cannot be read (a syntax or
schema error in an entry, a version listed twice) gives None: unknown.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .digest import canonical_json, version_content
from .loader import parse_model_blob
from .schema import ID_PATTERN, INVALID, MODEL_VERSION, Issues, json_ready
from .yamlsafe import YamlError, YamlMap, YamlSeq, decode_record_bytes, read_yaml_bytes

_VERSIONS_KEY = re.compile(r"^versions:[ \t]*(?:#.*)?$", re.M)
_ITEM = re.compile(r"^-(?:[ \t]|$)")
# The first line that is neither blank nor a comment: (indentation, text).
_SIGNIFICANT = re.compile(r"^( *)([^\s#].*)$", re.M)
_TAB_INDENT = re.compile(r"^ *\t", re.M)
_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$", re.S | re.M)
# Any line that may hold a `stage` key, and the plain one-line form whose value can be
# set aside (so that a promotion leaves the item's text, and the parse cache, alone).
_ANY_STAGE_KEY = re.compile(r"^[ \t-]*[\'\"]?stage[\'\"]?[ \t]*:", re.M)
_PLAIN_STAGE = re.compile(
    rf"^(-? *)stage:[ \t]+(?!(?:null|Null|NULL)[ \t]*$){ID_PATTERN}[ \t]*$", re.M
)
_FIRST_KEY = re.compile(r"-( +)[^\s#]")


def model_version_contents(path: str, data: bytes) -> dict[str, bytes] | None:
    """Each version's entry in one revision of a model file, without ``stage``.

    Args:
        path: the file's repository path at that revision (``.md`` means front matter).
        data: the file's bytes at that revision.

    Returns:
        version -> canonical JSON of its typed entry without ``stage`` (as
        [`version_content`][mkdocs_governance.records.digest.version_content] gives
        it), or None when the entries cannot be read.
    """
    try:
        text = decode_record_bytes(data).replace("\r\n", "\n")
    except YamlError:
        return None
    if path.lower().endswith(".md"):
        text = _front_matter(text) or ""
    items = _version_items(text) if text else None
    if items is None:
        model = parse_model_blob(path, data)
        if model is None:
            return None
        return {version.version: version_content(version) for version in model.versions}
    contents: dict[str, bytes] = {}
    for item in items:
        entry = _item_entry(item)
        if entry is None or entry[0] in contents:
            return None
        contents[entry[0]] = entry[1]
    return contents


def _front_matter(text: str) -> str | None:
    match = _FRONT_MATTER.match(text)
    return match.group(1) if match else None


def _version_items(text: str) -> list[str] | None:
    """The ``versions:`` items of a block-layout file, each dedented; None otherwise.

    Regular expressions over the whole text, not a loop over lines: this runs on
    every revision of every model file.
    """
    keys = list(_VERSIONS_KEY.finditer(text))
    if len(keys) != 1:
        return None
    rest = text[keys[0].end() :]
    if _TAB_INDENT.search(rest):
        return None
    first = _SIGNIFICANT.search(rest)
    if first is None:
        return []
    depth = len(first.group(1))
    if not _ITEM.match(first.group(2)):
        return [] if depth == 0 else None  # no items: the next key follows
    end = _region_end(depth).search(rest, first.end())
    region = rest[first.start() : end.start() if end else len(rest)]
    starts = [match.start() for match in _item_start(depth).finditer(region)]
    bounds = zip(starts, [*starts[1:], len(region)], strict=True)
    dedent = _indent(depth)
    return [dedent.sub("", region[a:b]) for a, b in bounds]


@lru_cache(maxsize=16)
def _region_end(depth: int) -> re.Pattern[str]:
    """A line that ends the ``versions:`` items: less indented than them and not a
    comment, or as indented and not a ``-`` item (the next key, ``---``)."""
    not_item = r"(?=[^\s#])(?!-(?:[ \t]|$))"
    if depth == 0:
        return re.compile(rf"^{not_item}", re.M)
    return re.compile(rf"^(?: {{0,{depth - 1}}}[^\s#]| {{{depth}}}{not_item})", re.M)


@lru_cache(maxsize=16)
def _item_start(depth: int) -> re.Pattern[str]:
    return re.compile(rf"^ {{{depth}}}-(?:[ \t]|$)", re.M)


@lru_cache(maxsize=16)
def _indent(depth: int) -> re.Pattern[str]:
    return re.compile(rf"^ {{{depth}}}", re.M)


@lru_cache(maxsize=65_536)
def _item_entry(item: str) -> tuple[str, bytes] | None:
    # Most items are unchanged from the previous revision: a hit here skips even the
    # stage normalisation.
    return _version_entry(_without_stage_value(item))


def _without_stage_value(item: str) -> str:
    """``item`` with the value of its ``stage:`` key replaced by ``x``, when that is safe.

    Safe when the item has exactly one line that could hold a ``stage`` key, in the
    plain one-line form, at the indentation of the entry's own keys, with a value the
    schema accepts (so the replacement can neither make a bad entry good nor touch a
    nested ``stage``). The stage is not part of the compared content anyway.
    """
    first = _FIRST_KEY.match(item)
    if first is None or len(_ANY_STAGE_KEY.findall(item)) != 1:
        return item
    key_column = 1 + len(first.group(1))
    match = _PLAIN_STAGE.search(item)
    if match is None or len(match.group(1)) != key_column:
        return item
    return f"{item[: match.start()]}{match.group(1)}stage: x{item[match.end() :]}"


@lru_cache(maxsize=65_536)
def _version_entry(item: str) -> tuple[str, bytes] | None:
    """``(version, content without stage)`` of one ``- version: ...`` item, typed."""
    try:
        node = read_yaml_bytes(item.encode("utf-8"))
    except YamlError:
        return None
    if not isinstance(node, YamlSeq) or len(node.items) != 1:
        return None
    entry = node.items[0]
    if not isinstance(entry, YamlMap):
        return None
    issues = Issues()
    values = MODEL_VERSION.convert(entry, "versions[1]", issues)
    if values is INVALID or issues:
        return None
    content = {key: value for key, value in values.items() if key != "stage"}
    return str(values["version"]), canonical_json(json_ready(content))
