"""Reading decision records (ADRs) in the formats people actually write.

Accepted formats:

- **MADR 4**: front matter ``status``, ``date``, ``decision-makers``, ``consulted``,
  ``informed``; plus this project's ``models:`` and ``supersedes:``.
- **MADR 2/3**: ``deciders`` instead of ``decision-makers``, possibly one
  comma-separated string (``deciders: alice, bob``).
- **Nygard / adr-tools**: no front matter; ``# 1. Title``, a ``Date: 2024-01-31``
  line and a ``## Status`` section whose first line is the status.
- MADR without front matter (a ``# Title`` and the sections only).

The title is the first level-1 ``#`` heading (a leading ``N.`` number is dropped).
Decision makers are names as people write them ("Jane Doe", a GitHub handle), not
person ids, so they are **not** checked against ``people.yaml``; ``models:`` and
``supersedes:`` are checked.

Status is normalised to one of ``proposed``, ``accepted``, ``rejected``,
``deprecated``, ``superseded``: "Accepted", "Approved", "Done" -> accepted;
"Draft", "In review", "Pending" -> proposed; "Declined" -> rejected; "Superseded by
[ADR-0005](0005-x.md)" -> superseded, with the link kept in ``superseded_by``. A
missing status reads as ``proposed`` (nothing says it was accepted). Any other word
(MADR's own "on hold") also reads as ``proposed``, with a warning naming the word.

A Markdown file in ``decisions/`` that is not a decision is reported, never misread:
``index.md``/``README.md`` (an index page) and templates whose title or fields are
still ``{placeholders}`` or ``<!-- comments -->`` give an ``invalid-record`` warning
that says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .model import Decision, Location
from .schema import DECISION, Issues, convert_mapping
from .yamlsafe import FrontMatterDocument, YamlMap, YamlNode, YamlScalar, YamlSeq

INDEX_NAMES = ("index", "readme")

_STATUS_WORDS = {
    "accepted": "accepted",
    "approved": "accepted",
    "adopted": "accepted",
    "done": "accepted",
    "decided": "accepted",
    "implemented": "accepted",
    "proposed": "proposed",
    "draft": "proposed",
    "pending": "proposed",
    "open": "proposed",
    "in review": "proposed",
    "in progress": "proposed",
    "rejected": "rejected",
    "declined": "rejected",
    "deprecated": "deprecated",
    "obsolete": "deprecated",
    "superseded": "superseded",
}
# Every pattern here runs on record text of up to the file cap, so each is linear in
# its input: no lazy group followed by an optional run that can match the same
# characters, and character classes that stop at the next delimiter. Trailing
# characters are stripped in Python instead.
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
_NUMBERED_TITLE = re.compile(r"^(\d{1,9})\.\s+(.*)$")
_LINK = re.compile(r"\[([^\[\]]*)\]\(([^()\[\]\s]+)\)")
# At most 9 digits (`(?!\d)`): int() of thousands of digits is slow or refused.
_LEADING_NUMBER = re.compile(r"^(\d{1,9})(?!\d)")


@dataclass(frozen=True, slots=True)
class DecisionIssue:
    """A problem with a decision file; ``warning`` ones do not fail the gate."""

    line: int
    message: str
    warning: bool = False


def normalise_status(text: str) -> tuple[str | None, str | None]:
    """``(status, superseded_by)`` for a written status; status None if unknown.

    >>> normalise_status("Superseded by [ADR-0005](0005-use-x.md)")
    ('superseded', '0005-use-x.md')
    """
    cleaned = text.strip().strip("*_ ").strip()
    lowered = cleaned.lower()
    if lowered.startswith("superseded"):
        link = _LINK.search(cleaned)
        if link:
            return "superseded", link.group(2)
        rest = re.sub(r"^superseded\s*(by)?\s*:?\s*", "", cleaned, flags=re.IGNORECASE)
        return "superseded", rest or None
    return _STATUS_WORDS.get(lowered), None


def read_decision(
    path: str, document: FrontMatterDocument
) -> tuple[Decision | None, list[DecisionIssue]]:
    """Build a [`Decision`][mkdocs_governance.records.model.Decision] from a parsed file.

    Returns ``(None, issues)`` when the file is not a decision or is invalid; a
    decision with only warnings is returned together with them.
    """
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    if stem.lower() in INDEX_NAMES:
        return None, [
            DecisionIssue(
                1,
                f"not a decision: `{name}` is an index page, not a decision record; it "
                "is skipped (move it out of decisions/ to silence this)",
                warning=True,
            )
        ]
    body_lines = document.body.split("\n")
    heading_line, heading_level, heading = _first_heading(body_lines, document.body_line)
    placeholder = _placeholder_in(document.data, heading if heading_level == 1 else None)
    if placeholder is not None:
        return None, [
            DecisionIssue(
                placeholder[0],
                f"not a decision: a template with the placeholder `{placeholder[1]}` still "
                "in it; fill in the placeholders or move the template out of decisions/",
                warning=True,
            )
        ]
    issues: list[DecisionIssue] = []
    values: dict[str, Any] = {}
    field_lines: dict[str, int] = {}
    if document.data is not None:
        schema_issues = Issues()
        values, field_lines = convert_mapping(DECISION, document.data, schema_issues)
        issues.extend(DecisionIssue(line, message) for line, message in schema_issues.items)
    if issues:
        return None, issues

    title, number_in_title = "", None
    if heading_level == 1 and heading:
        title = heading
        numbered = _NUMBERED_TITLE.match(heading)
        if numbered:
            number_in_title, title = int(numbered.group(1)), numbered.group(2).strip()
    elif values.get("title"):
        title = str(values["title"])
    if not title:
        title = re.sub(r"^\d+[-_ ]*", "", stem).replace("-", " ").replace("_", " ").strip()
        title = title[:1].upper() + title[1:]
        issues.append(
            DecisionIssue(
                heading_line or document.body_line,
                f"decision has no `# Title` heading; the title is taken from the file name "
                f"(`{title}`): add a first line `# <title>`",
                warning=True,
            )
        )

    fmt = "madr" if document.had_front_matter else "markdown"
    body_fields = madr2_fields(body_lines, document.body_line)
    for key in ("status", "date"):
        if key not in values and key in body_fields:
            values[key], field_lines[key] = body_fields[key]
            if key == "date":
                try:
                    values["date"] = date.fromisoformat(str(values["date"])[:10])
                except ValueError:
                    values.pop("date")
                    issues.append(
                        DecisionIssue(
                            field_lines["date"], "`Date:` is not a date; write YYYY-MM-DD"
                        )
                    )
    if (
        "deciders" in body_fields
        and not values.get("deciders")
        and not values.get("decision-makers")
    ):
        names, field_lines["deciders"] = body_fields["deciders"]
        values["deciders"] = tuple(n.strip() for n in names.split(",") if n.strip())
    status_text = str(values.get("status", ""))
    status_line = field_lines.get("status", 1)
    decided_on: date | None = values.get("date")
    if document.data is None:
        nygard_status, nygard_line = _nygard_status(body_lines, document.body_line)
        nygard_date, date_line = _nygard_date(body_lines, document.body_line)
        if nygard_status is not None or nygard_date is not None:
            fmt = "nygard"
        if nygard_status is not None:
            status_text, status_line = nygard_status, nygard_line
        if nygard_date is not None:
            try:
                decided_on = date.fromisoformat(nygard_date)
            except ValueError:
                issues.append(
                    DecisionIssue(
                        date_line,
                        f"`Date:` is `{nygard_date}`, not a valid date; write YYYY-MM-DD",
                    )
                )
                return None, issues
            field_lines["date"] = date_line
        if nygard_status is not None:
            field_lines["status"] = nygard_line

    status_text, written_supersedes = split_status(status_text)
    if document.data is None:
        written_supersedes += nygard_relations(body_lines)
    if not status_text:
        issues.append(
            DecisionIssue(
                heading_line or document.body_line,
                "decision has no status; it is shown as proposed: add `status: accepted` "
                "(or proposed, rejected, deprecated, superseded) to the front matter, or a "
                "`## Status` section",
                warning=True,
            )
        )
    status, superseded_by = normalise_status(status_text) if status_text else ("proposed", None)
    if status is None:
        issues.append(
            DecisionIssue(
                status_line,
                f"status `{status_text}` is not one of proposed, accepted, rejected, "
                "deprecated, superseded; it is shown as proposed: write one of those",
                warning=True,
            )
        )
        status = "proposed"

    number_match = _LEADING_NUMBER.match(stem)
    number = int(number_match.group(1)) if number_match else number_in_title
    decision_makers = tuple(values.get("decision-makers", ())) or tuple(values.get("deciders", ()))
    if "deciders" in field_lines and "decision-makers" not in field_lines:
        field_lines["decision-makers"] = field_lines["deciders"]
    navigation = ("title", "parent", "grand_parent", "nav_order", "nav_exclude", "has_children")
    extra = dict(values.get("extra", {}))
    for key in (*navigation, "layout", "tags"):
        if key in values:
            extra[key] = values[key]
    decision = Decision(
        id=stem,
        number=number,
        title=title,
        status=status,
        status_text=status_text,
        date=decided_on,
        decision_makers=decision_makers,
        consulted=tuple(values.get("consulted", ())),
        informed=tuple(values.get("informed", ())),
        models=tuple(values.get("models", ())),
        supersedes=tuple(dict.fromkeys((*values.get("supersedes", ()), *written_supersedes))),
        superseded_by=superseded_by,
        body=document.body,
        format=fmt,
        location=Location(path, 1, field_lines),
        extra=extra,
    )
    return decision, issues


def _first_heading(lines: list[str], first_line: int) -> tuple[int | None, int, str]:
    """(line, level, text) of the first ATX heading outside code fences."""
    fenced = False
    for offset, raw in enumerate(lines):
        if raw.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        match = _HEADING.match(raw)
        if match:
            return first_line + offset, len(match.group(1)), _heading_text(match)
    return None, 0, ""


def _heading_text(match: re.Match[str]) -> str:
    """A heading's text without the optional closing ``#`` sequence."""
    return match.group(2).rstrip(" \t#").strip()


def _is_placeholder(text: str) -> bool:
    """``{placeholder}`` (no brace inside) or one ``<!-- comment -->``, as the whole text."""
    if text.startswith("{") and text.endswith("}") and len(text) >= 2:
        inner = text[1:-1]
        return "{" not in inner and "}" not in inner
    return text.startswith("<!--") and len(text) >= 7 and text.find("-->", 4) == len(text) - 3


def _placeholder_in(data: YamlMap | None, title: str | None) -> tuple[int, str] | None:
    """The first ``{placeholder}`` or ``<!-- comment -->`` standing in for a value."""
    if title is not None:
        stripped = title.strip()
        if _is_placeholder(stripped):
            return 1, stripped
    if data is None:
        return None
    for key, node in data.items.items():
        found = _placeholder_node(node)
        if found is not None:
            return data.key_lines[key], found
    return None


def _placeholder_node(node: YamlNode) -> str | None:
    # `date: {YYYY-MM-DD when ...}` is a YAML flow mapping whose only key is the
    # placeholder text and whose value is empty.
    if isinstance(node, YamlMap) and len(node.items) == 1:
        ((key, value),) = node.items.items()
        if isinstance(value, YamlScalar) and value.is_null:
            return "{" + key + "}"
    if isinstance(node, YamlScalar) and node.text.strip().startswith("{"):
        return node.text.strip()
    if isinstance(node, YamlSeq):
        for item in node.items:
            found = _placeholder_node(item)
            if found is not None:
                return found
    return None


def _nygard_status(lines: list[str], first_line: int) -> tuple[str | None, int]:
    """The first non-blank line under a ``## Status`` heading (adr-tools layout)."""
    in_status = False
    for offset, raw in enumerate(lines):
        heading = _HEADING.match(raw)
        if heading:
            if in_status:
                return None, first_line
            in_status = _heading_text(heading).lower() == "status"
            continue
        if in_status and raw.strip():
            return raw.strip(), first_line + offset
    return None, first_line


def _nygard_date(lines: list[str], first_line: int) -> tuple[str | None, int]:
    """The value of a ``Date:`` line before the first ``##`` section."""
    for offset, raw in enumerate(lines):
        if raw.startswith("## "):
            break
        stripped = raw.strip()
        if stripped[:5].lower() == "date:" and stripped[5:].strip():
            return stripped[5:].strip(), first_line + offset
    return None, first_line


# --- issue 15: real ADR logs (MADR 2 body metadata, status relations) ----------------

_MADR2_KEYS = {"status": "status", "deciders": "deciders", "date": "date"}


def madr2_fields(lines: list[str], first_line: int) -> dict[str, tuple[str, int]]:
    """MADR 2's body metadata: ``* Status: accepted``, ``* Deciders: a, b``, ``* Date: …``.

    Read from the list items before the first ``##`` section; key -> (value, line).
    """
    found: dict[str, tuple[str, int]] = {}
    for offset, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith("## "):
            break
        if not line.startswith(("* ", "- ")):
            continue
        key, colon, value = line[2:].partition(":")
        name = _MADR2_KEYS.get(key.strip().lower())
        if colon and name and value.strip() and name not in found:
            found[name] = (value.strip(), first_line + offset)
    return found


def split_status(text: str) -> tuple[str, tuple[str, ...]]:
    """``accepted; supersedes ADR-0045`` -> (``accepted``, (``ADR-0045``,)).

    The words after ``supersedes`` name the replaced decisions: the targets of links
    (``[ADR-7](0007-x.md)``), else the comma- or ``and``-separated names.
    """
    lowered = text.lower()
    at = lowered.find("supersedes")
    if at <= 0:
        return text, ()
    status = text[:at].strip().rstrip(";,.:-").strip()
    rest = text[at + len("supersedes") :].strip().lstrip(":").strip()
    return status or text, relation_targets(rest)


def relation_targets(text: str) -> tuple[str, ...]:
    """The decisions a relation names: link targets, else comma/``and`` separated words."""
    targets: list[str] = []
    index = 0
    while True:
        start = text.find("](", index)
        if start < 0:
            break
        end = text.find(")", start + 2)
        if end < 0:
            break
        targets.append(text[start + 2 : end].strip())
        index = end + 1
    if targets:
        return tuple(t for t in targets if t)
    words = text.replace(" and ", ",").split(",")
    return tuple(w.strip().strip("*_`.") for w in words if w.strip().strip("*_`."))


def nygard_relations(lines: list[str]) -> tuple[str, ...]:
    """What the ``## Status`` section says this decision supersedes (adr-tools writes
    ``Supersedes [1. Title](0001-title.md)`` below the status word)."""
    in_status = False
    found: list[str] = []
    for raw in lines:
        line = raw.strip()
        if line.startswith("#"):
            if in_status:
                break
            in_status = line.lstrip("#").strip().lower() == "status"
            continue
        if in_status and line.lower().startswith("supersedes"):
            found.extend(relation_targets(line[len("supersedes") :]))
    return tuple(found)
