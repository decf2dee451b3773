"""One declarative definition per record kind, used twice.

The loader validates and types every record through these definitions, and
[`record_schemas`][mkdocs_governance.records.schema.record_schemas] turns the very
same definitions into JSON Schemas (draft 2020-12) for editors, so the two can never
disagree.

Typing is by the schema, never by YAML 1.1 guessing:

- **text** fields keep what was written: ``version: 1.10`` is ``"1.10"``,
  ``intended_use: no`` is ``"no"``;
- **bool** fields accept ``true``/``false`` only (any letter case). ``yes``/``no``/``on``/
  ``off`` are refused with a hint, because a reader cannot tell whether ``no`` meant a
  boolean or a word;
- **date** fields accept ISO 8601 calendar dates ``YYYY-MM-DD``, quoted or not;
- **int** fields accept decimal integers; **number** fields accept decimal integers and
  floats and are always read as floats (so ``1`` and ``1.0`` digest alike); NaN and
  infinities are refused;
- an empty value (``key:``, ``~``, ``null``) counts as "not given", except for fields
  marked nullable (``rules.signoff_max_age_days: null`` switches the limit off).

Every kind accepts an ``extra:`` mapping for fields of your own; any other unknown
field is an error with a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .model import (
    DECISION_STATUSES,
    DEPLOYMENT_STATUSES,
    EXPERIMENT_OUTCOMES,
    RISK_TIERS,
    SIGNOFF_DECISIONS,
    VERIFICATION_STATUSES,
)
from .yamlsafe import (
    FLOAT_PATTERN,
    INT_PATTERN,
    YamlMap,
    YamlNode,
    YamlScalar,
    YamlSeq,
    as_written,
)

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Invalid:
    """Marker for a value that failed conversion (an issue was recorded)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass(slots=True)
class Issues:
    """The problems found while converting one record: (line, message) pairs."""

    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        """Record a problem at ``line``."""
        self.items.append((line, message))

    def __bool__(self) -> bool:
        return bool(self.items)


class FieldType(ABC):
    """A value type: converts a YAML node and describes itself as JSON Schema."""

    words = "a value"

    @abstractmethod
    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        """The typed value of ``node`` (or INVALID after recording an issue)."""

    @abstractmethod
    def json_schema(self) -> dict[str, Any]:
        """This type as a JSON Schema fragment."""

    def _scalar(self, node: YamlNode, name: str, issues: Issues) -> YamlScalar | None:
        if isinstance(node, YamlScalar) and not node.is_null:
            return node
        shown = "empty" if isinstance(node, YamlScalar) else _shape(node)
        issues.add(node.line, f"`{name}` must be {self.words}, not {shown}; {self.fix(name)}")
        return None

    def fix(self, name: str) -> str:
        """How to write a valid value (the second half of a message)."""
        return f"write {self.words}"

    def expected(self) -> str:
        """What a valid value looks like, for "add `x:` with ..." messages."""
        return self.words


def _shape(node: YamlNode) -> str:
    if isinstance(node, YamlMap):
        return "a mapping"
    if isinstance(node, YamlSeq):
        return "a list"
    return "empty" if node.is_null else f"`{node.text}`"


@dataclass(frozen=True, slots=True)
class Text(FieldType):
    """Text, kept exactly as written; optionally matching ``pattern``."""

    pattern: str | None = None
    pattern_words: str = ""
    words: str = "text"
    # An unquoted `1.10` is a number to a YAML 1.2 editor; the loader keeps the text.
    numbers_ok: bool = False

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        scalar = self._scalar(node, name, issues)
        if scalar is None:
            return INVALID
        if self.pattern and not re.fullmatch(self.pattern, scalar.text):
            issues.add(
                scalar.line,
                f"`{name}` is `{scalar.text}`, which is not {self.pattern_words}; "
                f"write {self.pattern_words}",
            )
            return INVALID
        return scalar.text

    def fix(self, name: str) -> str:
        return f"write {self.pattern_words or 'text'} (quote it if it looks like a list or mapping)"

    def expected(self) -> str:
        return self.pattern_words or self.words

    def json_schema(self) -> dict[str, Any]:
        # Editors read YAML 1.2: an unquoted `no` is text, but `true` or `3` are not.
        # The loader keeps any scalar as text, so the schema accepts those too.
        if not self.pattern:
            return {"type": ["string", "number", "boolean"]}
        schema: dict[str, Any] = {"type": "string", "pattern": f"^(?:{self.pattern})$"}
        if self.numbers_ok:
            return {"anyOf": [schema, {"type": "number"}]}
        return schema


ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
VERSION_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._+-]*"
SHA256_PATTERN = r"[0-9a-fA-F]{64}"
SUBJECT_PATTERN = r"sha256:[0-9a-f]{64}"

IDENTIFIER = Text(ID_PATTERN, "an id of letters, digits, `.`, `_` or `-`")
EMAIL = Text(r"[^@\s]+@[^@\s]+", "an email address like name@example.com")
VERSION = Text(
    VERSION_PATTERN, "a version of letters, digits, `.`, `_`, `+` or `-`", numbers_ok=True
)
SHA256 = Text(SHA256_PATTERN, "64 hexadecimal digits (a SHA-256)")
SUBJECT = Text(
    SUBJECT_PATTERN,
    "`sha256:` and 64 lowercase hex digits (print it with `mkdocs-governance digest`)",
)


@dataclass(frozen=True, slots=True)
class Integer(FieldType):
    """A decimal integer between ``minimum`` and ``maximum``.

    Every integer read from records has a range: a count drives a loop and a number
    of days a date calculation, so an unbounded value would hang or overflow the gate.
    """

    minimum: int = 0
    maximum: int = 1_000_000
    words: str = "a whole number"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        scalar = self._scalar(node, name, issues)
        if scalar is None:
            return INVALID
        if not INT_PATTERN.fullmatch(scalar.text):
            issues.add(scalar.line, f"`{name}` is `{_shown(scalar.text)}`; write a whole number")
            return INVALID
        # int() of thousands of digits is slow or refused; anything that long is out
        # of range anyway.
        digits = scalar.text.lstrip("+-").lstrip("0")
        value = int(scalar.text) if len(digits) <= 18 else None
        if value is None or not self.minimum <= value <= self.maximum:
            issues.add(
                scalar.line,
                f"`{name}` is {_shown(scalar.text)}, out of range; write a whole number "
                f"from {self.minimum} to {self.maximum}",
            )
            return INVALID
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True, slots=True)
class Number(FieldType):
    """A finite decimal number, read as a float (NaN and infinities are refused)."""

    words: str = "a number"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        scalar = self._scalar(node, name, issues)
        if scalar is None:
            return INVALID
        text = scalar.text
        if not (INT_PATTERN.fullmatch(text) or FLOAT_PATTERN.fullmatch(text)):
            issues.add(
                scalar.line,
                f"`{name}` is `{_shown(text)}`, not a number; write a number like 0.85",
            )
            return INVALID
        value = float(text)
        if not math.isfinite(value):
            issues.add(
                scalar.line,
                f"`{name}` is `{_shown(text)}`, too large to be a finite number; write a "
                f"number between -{sys.float_info.max:.3g} and {sys.float_info.max:.3g}",
            )
            return INVALID
        return value

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "number",
            "minimum": -sys.float_info.max,
            "maximum": sys.float_info.max,
        }


def _shown(text: str, limit: int = 60) -> str:
    """``text`` for a message, shortened when a hostile record makes it huge."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}…{text[-limit // 4 :]} ({len(text):,} characters)"


@dataclass(frozen=True, slots=True)
class Boolean(FieldType):
    """``true`` or ``false`` (``yes``/``no``/``on``/``off`` are refused on purpose)."""

    words: str = "true or false"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        scalar = self._scalar(node, name, issues)
        if scalar is None:
            return INVALID
        lowered = scalar.text.lower()
        if lowered in ("true", "false") and not scalar.quoted:
            return lowered == "true"
        issues.add(
            scalar.line,
            f"`{name}` is `{scalar.text}`; write true or false (yes/no/on/off are not "
            "accepted, to avoid YAML 1.1 surprises)",
        )
        return INVALID

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Date(FieldType):
    """An ISO 8601 calendar date ``YYYY-MM-DD``."""

    words: str = "a date written YYYY-MM-DD"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        scalar = self._scalar(node, name, issues)
        if scalar is None:
            return INVALID
        text = scalar.text.strip()
        if _DATE.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        issues.add(
            scalar.line,
            f"`{name}` is `{scalar.text}`, not a valid date; write the date as YYYY-MM-DD "
            "(for example 2026-01-31)",
        )
        return INVALID

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


@dataclass(frozen=True, slots=True)
class Timestamp(FieldType):
    """An ISO 8601 date and time with its UTC offset (``2026-03-01T14:05:00Z``), read as UTC.

    The offset is required: a deployment time without one would mean different
    moments on different machines.
    """

    words: str = "a date and time with its offset, like 2026-03-01T14:05:00Z"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        scalar = self._scalar(node, name, issues)
        if scalar is None:
            return INVALID
        text = scalar.text.strip()
        moment = parse_timestamp(text)
        if moment is None:
            issues.add(
                scalar.line,
                f"`{name}` is `{scalar.text}`, not a date and time with its UTC offset; "
                "write it as ISO 8601, e.g. 2026-03-01T14:05:00Z or 2026-03-01T15:05:00+01:00",
            )
            return INVALID
        return moment

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"(Z|z|[+-][0-9]{2}:?[0-9]{2})"
)


def parse_timestamp(text: str) -> datetime | None:
    """``text`` as an aware UTC datetime, or None unless it is ISO 8601 with an offset."""
    if not _TIMESTAMP.fullmatch(text):
        return None
    cleaned = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    if "." in cleaned:
        head, _, tail = cleaned.partition(".")
        digits = re.match(r"[0-9]+", tail)
        assert digits is not None
        cleaned = head + "." + digits.group(0)[:6].ljust(6, "0") + tail[digits.end() :]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Choice(FieldType):
    """One of a fixed set of words."""

    values: tuple[str, ...] = ()
    words: str = "one of the allowed values"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        scalar = self._scalar(node, name, issues)
        if scalar is None:
            return INVALID
        if scalar.text in self.values:
            return scalar.text
        allowed = ", ".join(self.values)
        issues.add(
            scalar.line,
            f"`{name}` is `{scalar.text}`, not one of: {allowed}"
            f"{did_you_mean(scalar.text, self.values)}; write one of those words exactly",
        )
        return INVALID

    def fix(self, name: str) -> str:
        return "write one of: " + ", ".join(self.values)

    def expected(self) -> str:
        return "one of: " + ", ".join(self.values)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True, slots=True)
class ListOf(FieldType):
    """A list of ``item`` values."""

    item: FieldType = field(default_factory=Text)
    words: str = "a list"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        if not isinstance(node, YamlSeq):
            issues.add(
                node.line,
                f"`{name}` must be a list, not {_shape(node)}; write `[a, b]` or one "
                "`- item` per line",
            )
            return INVALID
        values = [
            self.item.convert(item, f"{name}[{index}]", issues)
            for index, item in enumerate(node.items, start=1)
        ]
        if any(value is INVALID for value in values):
            return INVALID
        return tuple(values)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.json_schema()}


@dataclass(frozen=True, slots=True)
class MapOf(FieldType):
    """A mapping from text keys to ``value`` values."""

    value: FieldType = field(default_factory=Text)
    key: Text | None = None
    words: str = "a mapping"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        if not isinstance(node, YamlMap):
            issues.add(
                node.line,
                f"`{name}` must be a mapping of `name: value` lines, not {_shape(node)}",
            )
            return INVALID
        result: dict[str, Any] = {}
        failed = False
        for key, value_node in node.items.items():
            if (
                self.key is not None
                and self.key.pattern
                and not re.fullmatch(self.key.pattern, key)
            ):
                issues.add(
                    node.key_lines[key],
                    f"`{name}` key `{key}` is not {self.key.pattern_words}; rename it",
                )
                failed = True
                continue
            converted = self.value.convert(value_node, f"{name}.{key}", issues)
            if converted is INVALID:
                failed = True
            result[key] = converted
        return INVALID if failed else result

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "additionalProperties": self.value.json_schema(),
        }
        if self.key is not None and self.key.pattern:
            schema["propertyNames"] = {"pattern": f"^(?:{self.key.pattern})$"}
        return schema


@dataclass(frozen=True, slots=True)
class Pair(FieldType):
    """``[step, value]``: two numbers (a point of a metric history)."""

    words: str = "a `[step, value]` pair"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        if not isinstance(node, YamlSeq) or len(node.items) != 2:
            issues.add(node.line, f"`{name}` must be a `[step, value]` pair of two numbers")
            return INVALID
        first = Number().convert(node.items[0], f"{name}[1]", issues)
        second = Number().convert(node.items[1], f"{name}[2]", issues)
        if first is INVALID or second is INVALID:
            return INVALID
        return (first, second)

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "prefixItems": [{"type": "number"}, {"type": "number"}],
            "minItems": 2,
            "maxItems": 2,
        }


@dataclass(frozen=True, slots=True)
class Free(FieldType):
    """Anything: kept as JSON-ready data with YAML 1.2 core typing."""

    words: str = "any value"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        return as_written(node)

    def json_schema(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, slots=True)
class NameList(FieldType):
    """A list of names, or one comma-separated string of names (MADR 2/3 ``deciders``)."""

    words: str = "a list of names"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        if isinstance(node, YamlScalar):
            if node.is_null:
                return ()
            return tuple(part.strip() for part in node.text.split(",") if part.strip())
        return ListOf(Text()).convert(node, name, issues)

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record kind.

    Attributes:
        name: the key as written in the file.
        type: its value type.
        required: whether the record is invalid without it.
        description: one line for the JSON Schema and the docs.
        nullable: an explicit empty value means None (instead of "not given").
    """

    name: str
    type: FieldType
    required: bool = False
    description: str = ""
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class RecordSchema(FieldType):
    """The fields of one record kind (also usable as a nested field type)."""

    kind: str = ""
    title: str = ""
    fields: tuple[Field, ...] = ()
    allow_extra: bool = True
    description: str = ""
    words: str = "a mapping of fields"

    def field_names(self) -> list[str]:
        """Every accepted key, ``extra`` included when allowed."""
        names = [f.name for f in self.fields]
        return [*names, "extra"] if self.allow_extra else names

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        if not isinstance(node, YamlMap):
            issues.add(
                node.line,
                f"`{name}` must be a mapping of `field: value` lines, not {_shape(node)}",
            )
            return INVALID
        values, _ = convert_mapping(self, node, issues, prefix=f"{name}.")
        return values

    def json_schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for spec in self.fields:
            prop = dict(spec.type.json_schema())
            if spec.description:
                prop["description"] = spec.description
            if spec.nullable:
                prop = {"anyOf": [prop, {"type": "null"}], "description": spec.description}
            properties[spec.name] = prop
        if self.allow_extra:
            properties["extra"] = {
                "type": "object",
                "description": "Fields of your own; not checked.",
            }
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        required = [spec.name for spec in self.fields if spec.required]
        if required:
            schema["required"] = required
        return schema


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` when a candidate is close to ``word``, else ``""``.

    Up to ``_DIFFLIB_LIMIT`` candidates, ``difflib.get_close_matches`` compares the
    word with each. Against more (every dataset id of a large repository), it would
    cost candidates × unknown references; the candidates are then indexed once by
    their one-character deletions (cached per candidate list), so a lookup touches
    only names within two edits of the word, ranked by the same difflib ratio.
    """
    names = tuple(candidates)
    if len(names) <= _DIFFLIB_LIMIT:
        close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
        if not close and len(word) >= 3:
            # An abbreviation (`prod`, `dev`) is too short for difflib's ratio.
            close = [c for c in names if c.lower().startswith(word.lower())][:1]
        return f" (did you mean `{close[0]}`?)" if close else ""
    if len(word) > _LONGEST_SUGGESTED:
        return ""
    index = _SUGGESTION_INDEXES.pop(names, None) or _deletion_index(names)
    _SUGGESTION_INDEXES[names] = index
    while len(_SUGGESTION_INDEXES) > 8:
        _SUGGESTION_INDEXES.pop(next(iter(_SUGGESTION_INDEXES)))
    near = {name for variant in _deletions(word) for name in index.get(variant, ())}
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    scored = []
    for name in near:
        matcher.set_seq1(name)
        score = matcher.ratio()
        if score >= 0.6:
            scored.append((score, name))
    return f" (did you mean `{max(scored)[1]}`?)" if scored else ""


_DIFFLIB_LIMIT = 100
_LONGEST_SUGGESTED = 120
_SUGGESTION_INDEXES: dict[tuple[str, ...], dict[str, list[str]]] = {}


def _deletions(word: str) -> set[str]:
    """``word`` and every string one character shorter than it."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _deletion_index(names: Sequence[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for name in names:
        if len(name) <= _LONGEST_SUGGESTED:
            for variant in _deletions(name):
                index.setdefault(variant, []).append(name)
    return index


def convert_mapping(
    schema: RecordSchema, node: YamlMap, issues: Issues, *, prefix: str = ""
) -> tuple[dict[str, Any], dict[str, int]]:
    """Validate and type ``node`` against ``schema``.

    Returns the typed values of the fields that were given and valid (absent,
    empty and invalid fields are left out; each problem is in ``issues``) and the
    line of every key.
    """
    values: dict[str, Any] = {}
    reported: set[str] = set()  # given but invalid: already reported, not "missing"
    names = schema.field_names()
    by_name = {spec.name: spec for spec in schema.fields}
    for key, value_node in node.items.items():
        line = node.key_lines[key]
        if key == "extra" and schema.allow_extra:
            if not isinstance(value_node, YamlMap | YamlScalar) or (
                isinstance(value_node, YamlScalar) and not value_node.is_null
            ):
                issues.add(line, f"`{prefix}extra` must be a mapping of your own fields")
                continue
            values["extra"] = as_written(value_node) or {}
            continue
        spec = by_name.get(key)
        if spec is None:
            hint = did_you_mean(key, names)
            where = f" in `{prefix.rstrip('.')}`" if prefix else ""
            issues.add(
                line,
                f"unknown field `{key}`{where}{hint}; fields of your own go under `extra:`"
                if schema.allow_extra
                else f"unknown field `{key}`{where}{hint}; allowed: {', '.join(names)}",
            )
            continue
        if isinstance(value_node, YamlScalar) and value_node.is_null:
            if spec.nullable:
                values[key] = None
            continue
        converted = spec.type.convert(value_node, f"{prefix}{key}", issues)
        if converted is INVALID:
            reported.add(key)
        else:
            values[key] = converted
    for spec in schema.fields:
        if spec.required and spec.name not in values and spec.name not in reported:
            written = spec.name in node.items
            what = "is empty" if written else "is missing"
            issues.add(
                node.key_lines.get(spec.name, node.line),
                f"required field `{prefix}{spec.name}` {what}; add `{spec.name}:` with "
                f"{spec.type.expected()}" + (f" ({spec.description})" if spec.description else ""),
            )
    lines = dict(node.key_lines)
    # Each item of a list gets its own line (``datasets[1]``), so a reference that
    # names nothing points at the item, not at the list's key.
    for key, value_node in node.items.items():
        if isinstance(value_node, YamlSeq):
            for index, item in enumerate(value_node.items):
                lines[f"{key}[{index}]"] = item.line
    return values, lines


def json_ready(value: Any) -> Any:
    """Typed values as JSON data: dates as ISO strings, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


# --- the record kinds -------------------------------------------------------------

NAMES = ListOf(Text())
IDS = ListOf(IDENTIFIER)
METRICS = MapOf(Number())

SIGNOFF_REQUIREMENT = RecordSchema(
    kind="signoff-requirement",
    title="Required sign-off",
    fields=(
        Field("role", IDENTIFIER, required=True, description="The role that must approve."),
        Field(
            "count",
            Integer(minimum=1, maximum=1000),
            description="Distinct approvals needed (default 1).",
        ),
    ),
    allow_extra=False,
)

TIER_OVERRIDE = RecordSchema(
    kind="tier-override",
    title="Extra requirements for a risk tier",
    fields=(
        Field("checks", IDS, description="Checks added for this tier."),
        Field("signoffs", ListOf(SIGNOFF_REQUIREMENT), description="Sign-off counts per role."),
    ),
    allow_extra=False,
)

STAGE_REQUIREMENTS = RecordSchema(
    kind="stage-requirements",
    title="Requirements of one stage",
    fields=(
        Field("checks", IDS, description="Check ids (from `checks`) required in this stage."),
        Field("signoffs", ListOf(SIGNOFF_REQUIREMENT), description="Sign-offs required."),
        Field(
            "by_risk_tier",
            MapOf(TIER_OVERRIDE, key=Text(r"low|medium|high", "low, medium or high")),
            description="Extra requirements per risk tier.",
        ),
        Field(
            "bound_artifact",
            Boolean(),
            description="Versions need an artifact with a sha256 to sit in this stage.",
        ),
    ),
    allow_extra=False,
)

CHECK_SPEC = RecordSchema(
    kind="check",
    title="Catalogue check",
    fields=(
        Field("title", Text(), required=True, description="What the check verifies."),
        Field("description", Text()),
        Field("metric", Text(), description="Version metric compared with min/max (automatic)."),
        Field("min", Number(), description="Lowest passing metric value."),
        Field("max", Number(), description="Highest passing metric value."),
        Field(
            "automatic",
            Choice(("documentation",)),
            description="`documentation`: the model card fields are checked by the gate.",
        ),
        Field(
            "sections",
            MapOf(ListOf(Text()), key=Text(r"low|medium|high", "low, medium or high")),
            description="With `automatic: documentation`: the model-document parts each "
            "risk tier must have (model-card fields, datasets, experiments, decisions, "
            "artifact, metrics, `verification:<check>`).",
        ),
    ),
    allow_extra=True,
)

RULES = RecordSchema(
    kind="rules",
    title="Integrity rules",
    fields=(
        Field("separation_of_duties", Boolean()),
        Field("distinct_approvers", Boolean()),
        Field("signoff_author_must_match", Boolean()),
        Field("require_signed_commits", Boolean()),
        # A century: beyond it the date arithmetic leaves the calendar (year 1..9999).
        Field("signoff_max_age_days", Integer(minimum=1, maximum=36_500), nullable=True),
        Field("review_interval_days", Integer(minimum=1, maximum=36_500), nullable=True),
        Field("waiver_roles", IDS),
        Field("policy_change_signoffs", ListOf(SIGNOFF_REQUIREMENT)),
        Field(
            "record_signatures",
            Choice(("accepted", "required", "ignored")),
            description="Record signatures (`--sign`): accepted in place of commit "
            "authorship (default), required of every sign-off and verification, or ignored.",
        ),
        Field(
            "backfill_until",
            Date(),
            nullable=True,
            description="Backfill cut-over: sign-offs and verifications dated and committed "
            "on or before this day are judged by their recorded dates.",
        ),
        Field("deploy_roles", IDS, description="Roles of people who may deploy by hand."),
    ),
    allow_extra=False,
)

SERVING_LOG = RecordSchema(
    kind="serving-log",
    title="Where an environment's request logs are",
    fields=(
        Field("path", Text(), required=True, description="Repository-relative path or glob."),
        Field("format", Choice(("jsonl", "csv")), description="Default: by extension."),
        Field("preset", Choice(("mlflow", "kserve")), description="A known log layout."),
        Field(
            "fields",
            MapOf(Text(), key=Text(r"timestamp|model|version", "timestamp, model or version")),
            description="The log's field name for timestamp, model and version.",
        ),
    ),
    allow_extra=False,
)

ENVIRONMENT = RecordSchema(
    kind="environment",
    title="Deployment environment",
    fields=(
        Field("stage", IDENTIFIER, required=True, description="The stage it requires."),
        Field("serving_logs", ListOf(SERVING_LOG), description="Its request logs."),
    ),
    allow_extra=False,
)


@dataclass(frozen=True, slots=True)
class EnvironmentSpec(FieldType):
    """An environment: its stage (``prod-eu: production``) or a mapping with ``stage``."""

    words: str = "a stage, or a mapping with `stage` and `serving_logs`"

    def convert(self, node: YamlNode, name: str, issues: Issues) -> Any:
        if isinstance(node, YamlScalar):
            stage = IDENTIFIER.convert(node, name, issues)
            return INVALID if stage is INVALID else {"stage": stage}
        return ENVIRONMENT.convert(node, name, issues)

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [IDENTIFIER.json_schema(), ENVIRONMENT.json_schema()]}


POLICY = RecordSchema(
    kind="policy",
    title="Governance policy (policy.yaml)",
    fields=(
        Field("stages", IDS, required=True, description="Stages in promotion order."),
        Field("checks", MapOf(CHECK_SPEC, key=IDENTIFIER), description="Check catalogue."),
        Field(
            "requirements",
            MapOf(STAGE_REQUIREMENTS, key=IDENTIFIER),
            description="What each stage needs, cumulative along the stage order.",
        ),
        Field("rules", RULES, description="Integrity rules."),
        Field(
            "gto_stages",
            MapOf(IDENTIFIER, key=IDENTIFIER),
            description="GTO stage name -> policy stage, for GTO assignment tags.",
        ),
        Field(
            "environments",
            MapOf(EnvironmentSpec(), key=IDENTIFIER),
            description="Deployment environment -> the stage a version needs to serve there.",
        ),
    ),
)

PERSON = RecordSchema(
    kind="person",
    title="Person (an entry of people.yaml)",
    fields=(
        Field("id", IDENTIFIER, required=True, description="Short id used in other records."),
        Field("name", Text(), required=True),
        Field("emails", ListOf(EMAIL), description="Git author emails of this person."),
        Field("roles", IDS, description="Roles held (e.g. ml-lead, model-risk)."),
        Field("signing_keys", NAMES, description="GPG/SSH key fingerprints."),
    ),
)

PIPELINE = RecordSchema(
    kind="pipeline",
    title="Pipeline (an entry of people.yaml `pipelines:`)",
    fields=(
        Field(
            "id",
            IDENTIFIER,
            required=True,
            description="Referenced as `pipeline:<id>` (verification `performed_by`).",
        ),
        Field("name", Text(), required=True),
        Field("emails", ListOf(EMAIL), description="Git author emails the pipeline commits with."),
        Field(
            "signing_keys", NAMES, description="GPG/SSH key fingerprints the pipeline signs with."
        ),
    ),
)

PEOPLE = RecordSchema(
    kind="people",
    title="People and roles (people.yaml)",
    fields=(
        Field("people", ListOf(PERSON), required=True),
        Field("pipelines", ListOf(PIPELINE), description="Automated identities (CI pipelines)."),
    ),
)

ARTIFACT = RecordSchema(
    kind="artifact",
    title="Trained artifact",
    fields=(
        Field("uri", Text(), required=True),
        # Optional so an artifact that cannot be read (an MLflow `runs:/` URI) can be
        # recorded; a stage with `bound_artifact: true` then refuses the version.
        Field("sha256", SHA256, description="Content hash; required by bound_artifact stages."),
    ),
    allow_extra=False,
)

MODEL_VERSION = RecordSchema(
    kind="model-version",
    title="Model version (an entry of a model's `versions`)",
    fields=(
        Field("version", VERSION, required=True, description="Kept as text: 1.10 is not 1.1."),
        Field("created", Date(), required=True),
        Field("stage", IDENTIFIER, required=True, description="One of the policy stages."),
        Field("author", IDENTIFIER, required=True, description="Person id."),
        Field("artifact", ARTIFACT),
        Field("experiment", IDENTIFIER, description="Experiment id."),
        Field("datasets", IDS, description="Dataset ids."),
        Field("metrics", METRICS),
        Field("description", Text()),
    ),
)

MODEL = RecordSchema(
    kind="model",
    title="Model card (models/<id>.yaml or .md)",
    fields=(
        Field("id", IDENTIFIER, description="Defaults to the file name without extension."),
        Field("name", Text(), required=True),
        Field("owner", IDENTIFIER, required=True, description="Person id."),
        Field("description", Text()),
        Field("risk_tier", Choice(RISK_TIERS), required=True),
        Field("intended_use", Text()),
        Field("out_of_scope_use", Text()),
        Field("limitations", Text()),
        Field("ethical_considerations", Text()),
        Field("datasets", IDS),
        Field("tags", NAMES),
        Field("versions", ListOf(MODEL_VERSION)),
    ),
)

DATASET = RecordSchema(
    kind="dataset",
    title="Dataset (datasets/<id>.yaml)",
    fields=(
        Field("id", IDENTIFIER, description="Defaults to the file name without extension."),
        Field("name", Text(), required=True),
        Field("description", Text()),
        Field("owner", IDENTIFIER, description="Person id."),
        Field("source", Text()),
        Field("version", VERSION),
        Field("sha256", SHA256, description="Content hash of the data."),
        # Required: a missing answer must not read as "no personal data".
        Field(
            "personal_data",
            Boolean(),
            required=True,
            description="Whether the data holds personal data (GDPR).",
        ),
        Field("license", Text()),
    ),
)

EXPERIMENT = RecordSchema(
    kind="experiment",
    title="Experiment (experiments/<id>.yaml)",
    fields=(
        Field("id", IDENTIFIER, description="Defaults to the file name without extension."),
        Field("model", IDENTIFIER, required=True),
        Field("title", Text(), required=True),
        Field("hypothesis", Text()),
        Field("author", IDENTIFIER, required=True),
        Field("date", Date(), required=True),
        Field("datasets", IDS),
        Field("code_commit", Text()),
        Field("params", MapOf(Free())),
        Field("metrics", METRICS),
        Field("metric_history", MapOf(ListOf(Pair()))),
        Field("tags", MapOf(Text()), description="Run tags (MLflow's layout): name -> text."),
        Field("outcome", Choice(EXPERIMENT_OUTCOMES), description="Default: running."),
        Field("conclusion", Text()),
    ),
)

DECISION = RecordSchema(
    kind="decision",
    title="Decision (decisions/NNNN-slug.md front matter, MADR)",
    fields=(
        Field("status", Text(), description=f"One of {', '.join(DECISION_STATUSES)}."),
        Field("date", Date()),
        Field("decision-makers", NameList(), description="Names (free text, MADR 4)."),
        Field("deciders", NameList(), description="MADR 2/3 name for decision-makers."),
        Field("consulted", NameList()),
        Field("informed", NameList()),
        Field("models", IDS, description="Ids of the models this decision concerns."),
        Field("supersedes", NameList(), description="Decision ids or numbers replaced."),
        # Site-navigation keys of MADR's own Just-the-Docs setup: kept in `extra`.
        Field("title", Text()),
        Field("parent", Text()),
        Field("grand_parent", Text()),
        Field("nav_order", Free()),
        Field("nav_exclude", Free()),
        Field("has_children", Free()),
        Field("layout", Text()),
        Field("tags", NAMES),
    ),
)

WAIVER = RecordSchema(
    kind="waiver",
    title="Waiver of a required check",
    fields=(
        Field("approved_by", IDENTIFIER, required=True, description="Person id."),
        Field("reason", Text(), required=True),
        Field("expires", Date()),
    ),
    allow_extra=False,
)

SIGNOFF = RecordSchema(
    kind="signoff",
    title="Sign-off (signoffs/**/*.yaml)",
    fields=(
        Field("model", IDENTIFIER, required=True),
        Field("version", VERSION, required=True),
        Field("stage", IDENTIFIER, required=True, description="The stage being approved."),
        Field("approver", IDENTIFIER, required=True, description="Person id."),
        Field("role", IDENTIFIER, required=True),
        Field("decision", Choice(SIGNOFF_DECISIONS), required=True),
        Field("date", Date(), required=True),
        Field("comment", Text()),
        Field("conditions", NAMES),
        Field("subject", SUBJECT, description="Digest of the version reviewed."),
        Field(
            "signature",
            Text(),
            description="Record signature (`mkdocs-governance sign`): armored SSH or GPG.",
        ),
    ),
)

VERIFICATION = RecordSchema(
    kind="verification",
    title="Verification (verifications/**/*.yaml)",
    fields=(
        Field("model", IDENTIFIER, required=True),
        Field("version", VERSION, required=True),
        Field("check", IDENTIFIER, required=True, description="Check id from the policy."),
        Field("status", Choice(VERIFICATION_STATUSES), required=True),
        Field("date", Date(), required=True),
        Field(
            "performed_by",
            Text(),
            required=True,
            description="Person id, or `pipeline:<name>` for an automated run.",
        ),
        Field("evidence", Text(), description="Repository path or URL."),
        Field("metrics", METRICS),
        Field("summary", Text()),
        Field("subject", SUBJECT, description="Digest of the version verified."),
        Field(
            "signature",
            Text(),
            description="Record signature (`mkdocs-governance sign`): armored SSH or GPG.",
        ),
        Field("waiver", WAIVER, description="Required when status is waived."),
    ),
)

DEPLOYMENT = RecordSchema(
    kind="deployment",
    title="Deployment event (deployments/**/*.yaml)",
    fields=(
        Field("environment", IDENTIFIER, required=True, description="From policy environments."),
        Field("model", IDENTIFIER, required=True),
        Field("version", VERSION, required=True),
        Field("artifact_sha256", SHA256, required=True, description="SHA-256 of what ran."),
        Field("started", Timestamp(), required=True, description="When it went live."),
        Field(
            "by",
            Text(),
            required=True,
            description="Person id, or `pipeline:<id>` for a declared pipeline.",
        ),
        Field("service", Text(), required=True, description="Endpoint or service name."),
        Field("status", Choice(DEPLOYMENT_STATUSES), required=True),
        Field("comment", Text()),
        Field("run_url", Text(), description="Link to the CD job that deployed."),
    ),
)

RECORD_KINDS: dict[str, RecordSchema] = {
    schema.kind: schema
    for schema in (
        POLICY,
        PEOPLE,
        PERSON,
        MODEL,
        MODEL_VERSION,
        DATASET,
        EXPERIMENT,
        DECISION,
        SIGNOFF,
        VERIFICATION,
        WAIVER,
        DEPLOYMENT,
    )
}
"""Every record kind by name: the loader's and the JSON Schemas' single source."""


def record_schemas() -> dict[str, dict[str, Any]]:
    """A JSON Schema (draft 2020-12) per record kind, keyed by kind.

    Kinds: ``policy``, ``people``, ``person``, ``model``, ``model-version``,
    ``dataset``, ``experiment``, ``decision`` (front matter), ``signoff``,
    ``verification``, ``waiver``, ``deployment``.
    """
    schemas: dict[str, dict[str, Any]] = {}
    for kind, schema in RECORD_KINDS.items():
        body = schema.json_schema()
        schemas[kind] = {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": f"https://mkdocs-governance.invalid/schemas/{kind}.schema.json",
            "title": schema.title,
            **body,
        }
    return schemas


def write_schemas(output_dir: Path) -> list[Path]:
    """Write ``<kind>.schema.json`` for every record kind into ``output_dir``.

    Returns the written paths, sorted. The folder is created when missing.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in sorted(record_schemas().items()):
        target = output_dir / f"{kind}.schema.json"
        target.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(target)
    return written
