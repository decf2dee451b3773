"""The one writer every importer shares: record dicts -> record files, idempotently.

For each imported record the writer

1. finds the file already there (the same path, or the same record under another
   extension: ``models/x.md`` for ``models/x.yaml``), read with the records layer's
   own YAML reader;
2. merges: fields the importer produced replace the file's, except the fields a person
   writes ([`PERSON_FIELDS`][mkdocs_governance.importers.PERSON_FIELDS]: conclusion,
   hypothesis, outcome, description, ...), which are kept once they have a value;
   fields and ``extra`` keys only the file has are kept; a model's ``versions`` merge
   by version;
3. validates the merged record through the records schema (the same definitions the
   loader uses), so an importer can never write a record ``check`` would refuse for
   its shape; a record that fails is reported and not written;
4. writes only when the merged data differs from the file's, so a second import
   changes nothing, and says which fields changed.

With ``dry_run`` it reports the same without writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..records.schema import DATASET, EXPERIMENT, MODEL, Issues, RecordSchema, convert_mapping
from ..records.yamlsafe import (
    YamlError,
    YamlMap,
    read_front_matter_bytes,
    read_yaml_bytes,
    to_plain,
)
from . import PERSON_FIELDS, ImportBatch, ImportedRecord

SCHEMAS: dict[str, RecordSchema] = {
    "model": MODEL,
    "experiment": EXPERIMENT,
    "dataset": DATASET,
}


@dataclass(frozen=True, slots=True)
class FileChange:
    """What the writer did (or would do) to one file.

    Attributes:
        path: the file, relative to the records folder.
        action: ``created``, ``updated``, ``unchanged`` or ``refused``.
        fields: the dotted fields that changed (``metrics.auc``, ``versions[2]``).
        kept: person-written fields kept although the source differs.
        problems: why a record was refused (``file:line: ...``).
        source: what the record came from.
    """

    path: str
    action: str
    fields: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    source: str = ""


@dataclass(slots=True)
class WriteReport:
    """Every file change of one import, in the order written."""

    changes: list[FileChange] = field(default_factory=list)

    def count(self, action: str) -> int:
        """How many files had ``action``."""
        return sum(1 for change in self.changes if change.action == action)

    @property
    def refused(self) -> bool:
        """Whether any record was refused (the command then exits 1)."""
        return self.count("refused") > 0


class _FlowList(list[Any]):
    """A short list written on one line (``[step, value]``)."""


class _Dumper(yaml.SafeDumper):
    """Block style, except for ``_FlowList`` pairs; never aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Several lines (an MLflow note, a card body) read best as a literal block.
    style = "|" if "\n" in data and "\r" not in data and data == data.strip(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(
    _FlowList,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML text of ``data``: keys in the importer's order, strings quoted when needed."""
    return yaml.dump(
        _flow_pairs(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _flow_pairs(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _flow_pairs(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        items = [_flow_pairs(item) for item in value]
        numbers = all(isinstance(i, int | float) and not isinstance(i, bool) for i in items)
        if items and len(items) <= 2 and numbers:
            return _FlowList(items)
        return items
    return value


@dataclass(slots=True)
class _Existing:
    path: Path
    data: dict[str, Any]
    body: str | None  # Markdown body of a .md record, None for YAML


def _read_existing(records_dir: Path, relative: str) -> tuple[_Existing | None, str | None]:
    """The record already at ``relative`` (or beside it as .yml/.yaml/.md), or a problem."""
    target = records_dir / relative
    stem = target.with_suffix("")
    for candidate in (target, *(stem.with_suffix(s) for s in (".yaml", ".yml", ".md"))):
        if not candidate.is_file():
            continue
        try:
            raw = candidate.read_bytes()
            if candidate.suffix == ".md":
                document = read_front_matter_bytes(raw)
                node: Any = document.data
                body: str | None = document.body
            else:
                node = read_yaml_bytes(raw)
                body = None
        except (OSError, YamlError) as problem:
            line = getattr(problem, "line", None) or 1
            message = getattr(problem, "message", None) or str(problem)
            return None, (
                f"{candidate}:{line}: {message}; fix the file (or delete it) and import again"
            )
        data = to_plain(node) if isinstance(node, YamlMap) else {}
        return _Existing(candidate, data if isinstance(data, dict) else {}, body), None
    return None, None


def merge_record(
    kind: str, existing: dict[str, Any], imported: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The record to write, and the person-written fields kept against the source.

    Fields the importer produced win, except person-written ones with a value in the
    file; everything only the file has is kept. ``extra`` merges key by key, and a
    model's ``versions`` merge by ``version``.
    """
    person = PERSON_FIELDS.get(kind, frozenset())
    merged: dict[str, Any] = dict(existing)
    kept: list[str] = []
    for key, value in imported.items():
        old = existing.get(key)
        if key in person and old not in (None, "", [], {}):
            if old != value:
                kept.append(key)
            continue
        if key == "extra" and isinstance(old, dict) and isinstance(value, dict):
            merged[key] = {**old, **value}
        elif key == "versions" and kind == "model" and isinstance(old, list):
            merged[key], version_kept = _merge_versions(old, value)
            kept.extend(version_kept)
        else:
            merged[key] = value
    return merged, kept


def _merge_versions(
    existing: list[Any], imported: list[dict[str, Any]]
) -> tuple[list[Any], list[str]]:
    by_version = {str(item.get("version")): item for item in imported if isinstance(item, dict)}
    result: list[Any] = []
    kept: list[str] = []
    seen: set[str] = set()
    for item in existing:
        key = str(item.get("version")) if isinstance(item, dict) else ""
        if key in by_version:
            merged, version_kept = merge_record("model-version", item, by_version[key])
            kept.extend(f"versions[{key}].{name}" for name in version_kept)
            result.append(merged)
            seen.add(key)
        else:
            result.append(item)
    result.extend(item for key, item in by_version.items() if key not in seen)
    return result, kept


def _changed_fields(old: Any, new: Any, prefix: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        names: list[str] = []
        for key in [*old, *(k for k in new if k not in old)]:
            if old.get(key) != new.get(key):
                if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
                    names.extend(_changed_fields(old[key], new[key], f"{prefix}{key}."))
                else:
                    names.append(f"{prefix}{key}")
        return names
    return [prefix.rstrip(".")] if old != new else []


def _validate(kind: str, text: str, shown: str) -> list[str]:
    """Problems the records schema finds in ``text`` (empty when it is valid)."""
    try:
        node = read_yaml_bytes(text.encode("utf-8"))
    except YamlError as problem:
        return [f"{shown}:{problem.line or 1}: {problem.message}"]
    if not isinstance(node, YamlMap):
        return [f"{shown}:1: the record is not a mapping"]
    issues = Issues()
    convert_mapping(SCHEMAS[kind], node, issues)
    return [f"{shown}:{line}: {message}" for line, message in issues.items]


def write_records(
    records_dir: Path, records: Iterable[ImportedRecord], *, dry_run: bool = False
) -> WriteReport:
    """Merge and write ``records`` under ``records_dir``; see the module docstring."""
    report = WriteReport()
    root = records_dir.resolve()
    for record in records:
        # An id from a source or an option (`--experiment-id ../../x`) must not write
        # outside the records folder.
        target_path = (root / record.path).resolve()
        if root not in target_path.parents or ".." in Path(record.path).parts:
            report.changes.append(
                FileChange(
                    record.path,
                    "refused",
                    problems=(
                        f"{record.path}: the record's id would write outside the records "
                        "folder; use an id of letters, digits, `.`, `_` or `-`",
                    ),
                    source=record.source,
                )
            )
            continue
        existing, problem = _read_existing(records_dir, record.path)
        if problem:
            report.changes.append(
                FileChange(record.path, "refused", problems=(problem,), source=record.source)
            )
            continue
        old = existing.data if existing else {}
        merged, kept = merge_record(record.kind, old, record.data)
        target = existing.path if existing else records_dir / record.path
        shown = target.relative_to(records_dir).as_posix()
        text = dump_yaml(merged)
        problems = _validate(record.kind, text, shown)
        if problems:
            report.changes.append(
                FileChange(shown, "refused", problems=tuple(problems), source=record.source)
            )
            continue
        if existing and old == merged:
            report.changes.append(
                FileChange(shown, "unchanged", kept=tuple(kept), source=record.source)
            )
            continue
        fields = tuple(_changed_fields(old, merged)) if existing else ()
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            if existing and existing.body is not None:
                content = f"---\n{text}---\n{existing.body}"
                if not content.endswith("\n"):
                    content += "\n"
            else:
                content = text
            target.write_text(content, encoding="utf-8")
        action = "updated" if existing else "created"
        report.changes.append(
            FileChange(shown, action, fields=fields, kept=tuple(kept), source=record.source)
        )
    return report


def format_report(batch: ImportBatch, report: WriteReport, *, dry_run: bool) -> str:
    """The text the ``import`` command prints: changes, notes, problems, a summary."""
    lines: list[str] = []
    verb = {"created": "would create", "updated": "would update"} if dry_run else {}
    for change in report.changes:
        if change.action == "unchanged":
            continue
        action = verb.get(change.action, change.action)
        detail = f" ({', '.join(change.fields)})" if change.fields else ""
        source = f"  [{change.source}]" if change.source else ""
        lines.append(f"{action} {change.path}{detail}{source}")
        for name in change.kept:
            lines.append(f"  kept {name}: written in the record, the source differs")
        lines.extend(f"  {problem}" for problem in change.problems)
    for change in report.changes:
        if change.action == "unchanged" and change.kept:
            for name in change.kept:
                lines.append(
                    f"kept {change.path} {name}: written in the record, the source differs"
                )
    lines.extend(f"note: {note}" for note in batch.notes)
    lines.extend(f"error: {problem}" for problem in batch.problems)
    summary = ", ".join(
        f"{report.count(action)} {action}"
        for action in ("created", "updated", "unchanged", "refused")
    )
    lines.append(("dry run, nothing written: " if dry_run else "") + summary)
    return "\n".join(lines) + "\n"
