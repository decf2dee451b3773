"""What changed in a model version since a sign-off or a verification reviewed it. Pure.

A stale record's ``subject`` is the digest of the version as the reviewer saw it.
[`reviewed_revision`][mkdocs_governance.site.version_diff.reviewed_revision] finds the
revision of the version's entry with that digest, and
[`diff_entries`][mkdocs_governance.site.version_diff.diff_entries] lists the fields that
differ between it and now, as a reader would say them: ``metrics.auc: 0.812 → 0.815``,
``datasets: + uk-macro-indicators``. No I/O: the revisions come from the history layer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from ..records.digest import content_digest

_HEX = re.compile(r"^(?:sha256:)?[0-9a-fA-F]{16,}$")
_LONG_TEXT = 60


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a version entry that differs between two revisions.

    Attributes:
        field: the dotted path of the field (``metrics.auc``, ``artifact.sha256``).
        before: the earlier value as short text (None: the field was absent).
        after: the current value as short text (None: the field was removed).
        added: for a list of ids (``datasets``), the items added.
        removed: for such a list, the items removed.
    """

    field: str
    before: str | None = None
    after: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def change(self) -> str:
        """What happened to the field: ``0.81 → 0.83``, ``+ x, − y``, ``added (…)``."""
        if self.added or self.removed:
            parts = [f"+ {item}" for item in self.added] + [f"− {item}" for item in self.removed]
            return ", ".join(parts)
        if self.before is None:
            return f"added ({self.after})"
        if self.after is None:
            return f"removed (was {self.before})"
        return f"{self.before} → {self.after}"

    @property
    def text(self) -> str:
        """The change in one line: ``metrics.auc: 0.81 → 0.83``, ``datasets: + x, − y``."""
        return f"{self.field}: {self.change}"


def reviewed_revision(
    subject: str | None,
    revisions: Sequence[Mapping[str, Any]],
    dataset_digests: Mapping[str, str | None],
) -> int | None:
    """The index of the revision whose version digest is ``subject``, if any.

    Args:
        subject: the stale record's ``subject`` (``sha256:<hex>``).
        revisions: the version's successive entries (JSON data, without ``stage``),
            in any order.
        dataset_digests: the datasets' current content digests by id; a revision
            whose datasets changed since cannot match (the caller says so).
    """
    if not subject:
        return None
    wanted = subject.strip().lower()
    for index, content in enumerate(revisions):
        if content_digest(content, dataset_digests) == wanted:
            return index
    return None


def diff_entries(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """The fields that differ between two version entries, in field order.

    Nested mappings (``metrics``, ``artifact``, ``extra``) are compared field by
    field; a list of plain values (``datasets``) is compared as a set (items added
    and removed); anything else as a whole. ``stage`` is ignored: a promotion is not
    a change of what was reviewed.
    """
    return tuple(_diff(before, after, ""))


def _diff(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for key in sorted(set(before) | set(after)):
        if not prefix and key == "stage":
            continue
        name = f"{prefix}{key}"
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new and type(old) is type(new):
            continue
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            changes.extend(_diff(old, new, f"{name}."))
        elif isinstance(old, Mapping) and key not in after:
            changes.extend(_diff(old, {}, f"{name}."))  # each field said removed
        elif isinstance(new, Mapping) and key not in before:
            changes.extend(_diff({}, new, f"{name}."))
        elif _plain_list(old) and _plain_list(new):
            added = tuple(str(item) for item in new if item not in old)
            removed = tuple(str(item) for item in old if item not in new)
            if added or removed:
                changes.append(FieldChange(name, added=added, removed=removed))
            else:  # same items, another order
                changes.append(FieldChange(name, short_value(old), short_value(new)))
        else:
            old_text = short_value(old) if key in before else None
            new_text = short_value(new) if key in after else None
            if old_text == new_text and old_text is not None:
                # Cut alike (two hashes with one prefix): show them in full.
                old_text, new_text = _full(old), _full(new)
            changes.append(FieldChange(name, old_text, new_text))
    return changes


def _full(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _plain_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list) and all(isinstance(item, str | int | float) for item in value)


def short_value(value: object) -> str:
    """A value as short text: hashes cut to 8 digits and ``…``, long text cut too."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "null"
    if isinstance(value, str):
        if _HEX.match(value):
            return value.removeprefix("sha256:")[:8] + "…"
        text = " ".join(value.split())
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= _LONG_TEXT else text[: _LONG_TEXT - 1] + "…"
