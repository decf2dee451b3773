"""The one YAML reader of the project: safe, strict, and line-aware.

Record files are read into a small tree of [`YamlMap`][mkdocs_governance.records.yamlsafe.YamlMap],
[`YamlSeq`][mkdocs_governance.records.yamlsafe.YamlSeq] and
[`YamlScalar`][mkdocs_governance.records.yamlsafe.YamlScalar] nodes. Nothing is ever
constructed: every scalar stays the exact text that was written, with its line, and
the schema (not YAML 1.1 guessing) decides later whether ``1.10`` is a version string
or a number and whether ``no`` is text or a boolean.

What is refused, each with the line at fault:

- files larger than [`MAX_FILE_BYTES`][mkdocs_governance.records.yamlsafe.MAX_FILE_BYTES];
- bytes that are not UTF-8 (a UTF-8 byte-order mark is tolerated);
- empty files (nothing but blanks and comments);
- tabs used for indentation (reported when the parser trips on them);
- duplicate keys (the line of the second one);
- anchors and aliases (``&a`` / ``*a``): records never need them, and refusing them
  outright makes a "billion laughs" file fail at its first anchor, before anything is
  built;
- explicit tags (``!!python/object``, ``!!binary``, ``!custom``): no record needs one;
- keys that are not plain text (a list or a mapping used as a key);
- nesting deeper than [`MAX_DEPTH`][mkdocs_governance.records.yamlsafe.MAX_DEPTH] levels;
- more than one YAML document in a file.

Markdown records carry their fields in YAML front matter: a first line ``---``, the
YAML, and a closing ``---`` (or ``...``) line. CRLF line endings are accepted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

MAX_FILE_BYTES = 1024 * 1024
"""Record files above this size (1 MiB) are refused before parsing."""

MAX_DEPTH = 50
"""Deeper nesting is refused (it would only serve to exhaust the parser's stack)."""


class YamlError(Exception):
    """A record file cannot be read; ``line`` is 1-based (None when not known)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class YamlScalar:
    """A scalar exactly as written.

    Attributes:
        text: the scalar's value after YAML unquoting/unescaping, never typed.
        line: 1-based line of the scalar.
        quoted: True for a single- or double-quoted scalar (or a block scalar):
            such a value is always text, never null.
    """

    text: str
    line: int
    quoted: bool = False

    @property
    def is_null(self) -> bool:
        """True for an unquoted empty value, ``~`` or ``null`` (YAML 1.2 core nulls)."""
        return not self.quoted and self.text in ("", "~", "null", "Null", "NULL")


@dataclass(frozen=True, slots=True)
class YamlSeq:
    """A sequence; ``line`` is where it starts."""

    items: tuple[YamlNode, ...]
    line: int


@dataclass(frozen=True, slots=True)
class YamlMap:
    """A mapping with text keys in written order.

    Attributes:
        items: key -> value node.
        key_lines: key -> 1-based line of the key.
        line: 1-based line where the mapping starts.
    """

    items: dict[str, YamlNode]
    key_lines: dict[str, int]
    line: int = 1


YamlNode = YamlScalar | YamlSeq | YamlMap


def node_kind(node: YamlNode) -> str:
    """A word for the node's shape, for messages ("a list", "a mapping", "text")."""
    if isinstance(node, YamlMap):
        return "a mapping"
    if isinstance(node, YamlSeq):
        return "a list"
    if node.is_null:
        return "empty"
    return f"`{node.text}`"


@dataclass(frozen=True, slots=True)
class FrontMatterDocument:
    """A Markdown record split into its front matter and its body.

    Attributes:
        data: the front matter mapping (None when the file has no front matter).
        body: the Markdown after the front matter (newlines normalised to ``\\n``).
        body_line: the 1-based line where ``body`` starts in the file.
        had_front_matter: True when the file starts with a ``---`` line.
    """

    data: YamlMap | None
    body: str
    body_line: int
    had_front_matter: bool = field(default=False)


# libyaml's parser when available (about 40 times faster than the pure-Python one);
# either way only its *events* are used: the tree is built here, so nothing is ever
# constructed and every rule below is checked as the events stream by.
_EventLoader: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


class _Composer:
    """Builds the node tree from parser events, refusing what records never need.

    Anchors and aliases are refused at their first event, which is what keeps an
    alias bomb cheap: nothing is expanded or even built before the refusal.
    """

    def __init__(self, loader: Any, line_offset: int):
        self.loader = loader
        self.offset = line_offset

    def line(self, event: Any) -> int | None:
        line = _line_of(event)
        return None if line is None else line + self.offset

    def document(self) -> YamlNode | None:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = self.node(0)
        loader.get_event()  # document end
        if not loader.check_event(StreamEndEvent):
            raise YamlError(
                "more than one YAML document (`---`) in a record file; keep one record per file",
                self.line(loader.peek_event()),
            )
        return root

    def node(self, depth: int) -> YamlNode:
        event = self.loader.get_event()
        line = self.line(event) or 1
        if depth >= MAX_DEPTH:
            raise YamlError(
                f"nested more than {MAX_DEPTH} levels deep; a record never needs that: "
                "flatten the structure",
                line,
            )
        if isinstance(event, AliasEvent):
            raise YamlError(
                f"alias `*{event.anchor}` is not allowed in records; write the value out in full",
                line,
            )
        if event.anchor is not None:
            raise YamlError(
                f"anchor `&{event.anchor}` is not allowed in records; write each value out "
                "in full (anchors and aliases are refused so a record cannot expand into "
                "something huge)",
                line,
            )
        if event.tag not in (None, "!"):
            raise YamlError(
                f"tag `{event.tag}` is not allowed in records; remove it and write the value "
                "as plain text",
                line,
            )
        if isinstance(event, ScalarEvent):
            # Plain scalars have style None (Python parser) or "" (libyaml).
            return YamlScalar(str(event.value), line, quoted=event.style not in (None, ""))
        if isinstance(event, SequenceStartEvent):
            items = []
            while not self.loader.check_event(SequenceEndEvent):
                items.append(self.node(depth + 1))
            self.loader.get_event()
            return YamlSeq(tuple(items), line)
        if isinstance(event, MappingStartEvent):
            return self.mapping(line, depth)
        raise YamlError(f"unexpected YAML event {type(event).__name__}", line)  # pragma: no cover

    def mapping(self, line: int, depth: int) -> YamlMap:
        items: dict[str, YamlNode] = {}
        key_lines: dict[str, int] = {}
        while not self.loader.check_event(MappingEndEvent):
            key_node = self.node(depth + 1)
            if not isinstance(key_node, YamlScalar):
                raise YamlError(
                    "a key must be plain text, not a list or a mapping; rewrite it as "
                    "`name: value`",
                    key_node.line,
                )
            key = key_node.text
            if key in items:
                raise YamlError(
                    f"duplicate key `{key}` (first on line {key_lines[key]}); a key may "
                    "appear once: remove or merge one of them",
                    key_node.line,
                )
            key_lines[key] = key_node.line
            items[key] = self.node(depth + 1)
        self.loader.get_event()
        return YamlMap(items, key_lines, line)


def _line_of(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def too_large_message(size: int) -> str:
    """The message for a record file of ``size`` bytes over the limit."""
    return (
        f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a record; "
        "keep long text and data outside the record and link to it"
    )


def decode_record_bytes(data: bytes) -> str:
    """Check size and encoding and return the text (BOM removed, newlines kept).

    Raises:
        YamlError: too large, or not UTF-8 (with the line of the first bad byte).
    """
    if len(data) > MAX_FILE_BYTES:
        raise YamlError(too_large_message(len(data)), 1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise YamlError("the file is UTF-16 (or UTF-32) text, not UTF-8; save the file as UTF-8", 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            line,
        ) from None
    text = text.removeprefix("\ufeff")
    control = _NOT_PRINTABLE.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        character = control.group()
        name = "NUL" if character == "\0" else f"control character U+{ord(character):04X}"
        raise YamlError(
            f"column {column} holds a {name} byte, which a record may not contain; remove "
            "it and save the file as plain UTF-8 text",
            line,
        )
    return text


# What YAML calls printable (YAML 1.1, section 5.1): anything else is refused by
# the parser with a message about its internals, so it is found here first.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte order mark: every other byte of ASCII text is NUL."""
    head = data[:256]
    return len(head) >= 4 and head.count(0) * 3 >= len(head)


def parse_yaml_text(text: str, *, line_offset: int = 0) -> YamlNode | None:
    """Parse one YAML document into a line-aware node tree (None when empty).

    Args:
        text: the YAML text.
        line_offset: added to every line number (for front matter inside a file).

    Raises:
        YamlError: a syntax error, duplicate key, anchor, alias, tag, or complex key.
    """
    text = text.replace("\r\n", "\n")
    loader = _EventLoader(text)
    try:
        return _Composer(loader, line_offset).document()
    except YamlError as exc:
        raise _explain_template(exc, text, line_offset) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, line_offset) from None
    except yaml.reader.ReaderError as exc:  # decode_record_bytes finds these first
        raise YamlError(
            f"the character U+{exc.character:04X} is not allowed in a record; remove it and "
            "save the file as plain UTF-8 text"
            if isinstance(exc.character, int)
            else "a character that is not allowed in a record; save the file as plain UTF-8 text",
            text.count("\n", 0, max(exc.position, 0)) + 1 + line_offset,
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        raise YamlError(f"not valid YAML: {' '.join(str(exc).split())}", line_offset + 1) from None
    finally:
        loader.dispose()


def _explain_template(exc: YamlError, text: str, line_offset: int) -> YamlError:
    """Name Jinja ``{{ … }}`` placeholders: YAML reads them as nested mappings."""
    if exc.line is None:
        return exc
    lines = text.split("\n")
    index = exc.line - line_offset - 1
    if 0 <= index < len(lines) and "{{" in lines[index]:
        return YamlError(
            "`{{ … }}` is a template placeholder, not a value; render the template (or "
            "fill in the value) before committing the record",
            exc.line,
        )
    return exc


def read_yaml_bytes(data: bytes) -> YamlNode:
    """Decode and parse a whole ``.yaml`` record file.

    Raises:
        YamlError: see [`decode_record_bytes`][mkdocs_governance.records.yamlsafe.decode_record_bytes]
            and [`parse_yaml_text`][mkdocs_governance.records.yamlsafe.parse_yaml_text];
            also for a file with no content.
    """
    text = decode_record_bytes(data)
    node = parse_yaml_text(text)
    if node is None:
        raise YamlError("file is empty; write the record's fields, or delete the file", 1)
    return node


_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def read_front_matter_bytes(data: bytes) -> FrontMatterDocument:
    """Decode a Markdown record and parse its YAML front matter.

    A file that does not start with a ``---`` line has no front matter
    (``data`` is None); the caller decides whether that is allowed.

    Raises:
        YamlError: size/encoding problems, an empty file, front matter that is not
            closed, not YAML, or not a mapping.
    """
    text = decode_record_bytes(data).replace("\r\n", "\n")
    if not text.strip():
        raise YamlError("file is empty; write the record, or delete the file", 1)
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        return FrontMatterDocument(None, text, 1, had_front_matter=False)
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            break
    else:
        raise YamlError(
            "front matter opened with `---` on line 1 is never closed; add a `---` line "
            "after the last field",
            1,
        )
    yaml_text = "\n".join(lines[1:index])
    node = parse_yaml_text(yaml_text, line_offset=1)
    if node is None:
        node = YamlMap({}, {}, 2)
    if not isinstance(node, YamlMap):
        raise YamlError(
            f"front matter is {node_kind(node)}, not a mapping of fields; write "
            "`field: value` lines between the `---` lines",
            node.line,
        )
    body = "\n".join(lines[index + 1 :])
    return FrontMatterDocument(node, body, index + 2, had_front_matter=True)


def to_plain(node: YamlNode | None) -> Any:
    """JSON-ready data with YAML 1.2 core typing (what an editor's YAML 1.2 reader sees).

    Unquoted ``true``/``false`` become booleans, ``null``/``~``/empty become None,
    decimal integers and floats become numbers; everything else (``yes``, ``no``,
    ``1.10.2``, dates) stays text. Unlike YAML 1.1, ``no`` is never ``False``.
    """
    if node is None:
        return None
    if isinstance(node, YamlMap):
        return {key: to_plain(value) for key, value in node.items.items()}
    if isinstance(node, YamlSeq):
        return [to_plain(item) for item in node.items]
    if node.quoted:
        return node.text
    if node.is_null:
        return None
    if node.text in ("true", "True", "TRUE"):
        return True
    if node.text in ("false", "False", "FALSE"):
        return False
    if len(node.text) > 4000:  # int() refuses more digits (a hostile record, not data)
        return node.text
    if INT_PATTERN.fullmatch(node.text):
        return int(node.text)
    if FLOAT_PATTERN.fullmatch(node.text):
        value = float(node.text)
        if value == value and value not in (float("inf"), float("-inf")):
            return value
    return node.text


def as_written(node: YamlNode | None) -> Any:
    """Free-form data (``extra``, ``params``) that keeps each scalar as written.

    Like [`to_plain`][mkdocs_governance.records.yamlsafe.to_plain], except that a
    number stays a number only when JSON writes it back exactly as written (``1``,
    ``0.05``); ``1.10``, ``01``, ``+1``, ``1e3`` stay text. So the export and the
    digest keep what was written, and an edit an approver reviewed (``1.1`` ->
    ``1.10``) always changes the digest.
    """
    if isinstance(node, YamlMap):
        return {key: as_written(value) for key, value in node.items.items()}
    if isinstance(node, YamlSeq):
        return [as_written(item) for item in node.items]
    if node is None or node.quoted or node.is_null:
        return to_plain(node)
    if node.text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return to_plain(node)
    return _written_number(node.text)


def _written_number(text: str) -> Any:
    """A number when JSON writes it back exactly as written, else the text itself."""
    if len(text) > 40:  # no number JSON writes is this long; int() of 5,000 digits raises
        return text
    if INT_PATTERN.fullmatch(text):
        number = int(text)
        return number if str(number) == text else text
    if FLOAT_PATTERN.fullmatch(text):
        value = float(text)
        return value if math.isfinite(value) and repr(value) == text else text
    return text


INT_PATTERN = re.compile(r"[-+]?[0-9]+")
FLOAT_PATTERN = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def _shift(line: int | None, offset: int) -> int | None:
    return None if line is None else line + offset


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, line_offset: int) -> YamlError:
    """Turn PyYAML's multi-line error into one sentence with the line at fault."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    # Tabs are the most common cause of "cannot start any token"; name them plainly.
    if line is not None:
        lines = text.split("\n")
        for number in (line - 1, line):
            raw = lines[number - 1] if 0 < number <= len(lines) else ""
            indent = raw[: len(raw) - len(raw.lstrip(" \t"))]
            if "\t" in indent or (number == line and "'\\t'" in str(exc.problem)):
                return YamlError(
                    "tab used where YAML expects spaces (indentation); replace the tab with spaces",
                    number + line_offset,
                )
    problem = (exc.problem or exc.context or "not valid YAML").strip()
    if exc.context and exc.problem and exc.context not in problem:
        problem = f"{exc.context.strip()}, {problem}"
    if "expected a single document" in problem:
        return YamlError(
            "more than one YAML document (`---`) in a record file; keep one record per file",
            _shift(line, line_offset),
        )
    return YamlError(
        f"not valid YAML: {problem}; check the quoting and indentation near this line",
        _shift(line, line_offset),
    )
