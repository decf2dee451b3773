"""DVC project files -> model records and one experiment record.

DVC's files are plain YAML, JSON, CSV and TSV, read here with the records layer's
YAML reader and the standard library (no ``dvc`` install needed, and no ``.dvc``
cache or remote is touched).

What maps to what:

| DVC | record |
| --- | --- |
| ``dvc.yaml`` ``artifacts: {name: {path, type: model, desc, labels}}`` | ``models/<name>.yaml`` (``description``, ``tags``; ``owner`` and ``risk_tier`` from options), with the artifact file's sha256 under ``extra.dvc`` when the file is in the work tree |
| params files (``params.yaml``, and every file a stage's ``params:`` names) | the experiment's ``params``, nested keys joined with ``.`` (``train.lr``) |
| metrics files (top-level ``metrics:``, and stage ``metrics:`` outputs), JSON or YAML | the experiment's ``metrics``: numeric leaves, keys joined with ``.`` |
| plots data files (top-level ``plots:``), CSV/TSV/JSON, with ``x`` and ``y`` | the experiment's ``metric_history``: ``{y column: [[x, y], ...]}`` (``x`` default: ``step``, else the row number) |
| the work tree's ``HEAD`` | ``code_commit`` |

The experiment's id, model, author and day are not in DVC's files: ``--experiment-id``,
``--model`` and ``--author`` are required, ``--date`` defaults to the day of the import.

What is lost: non-numeric metrics (said so), ``dvc.lock`` hashes (they hash the
cache, not the files), stage commands and dependencies, plot templates, and artifacts
of types other than ``model`` (said so).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..records.yamlsafe import YamlError, read_yaml_bytes, to_plain
from . import ImportBatch, ImportedRecord
from .mlflow import slug


@dataclass(frozen=True, slots=True)
class DvcOptions:
    """What DVC's files do not say."""

    experiment_id: str | None = None
    model: str | None = None
    author: str | None = None
    day: str | None = None
    title: str | None = None
    owner: str | None = None
    risk_tier: str | None = None


@dataclass(slots=True)
class DvcProject:
    """The files the reader parsed (plain data) and the work tree's HEAD."""

    root: Path
    dvc_yaml: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    plots: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    plot_axes: dict[str, tuple[str | None, list[str]]] = field(default_factory=dict)
    artifact_digests: dict[str, str] = field(default_factory=dict)
    head: str | None = None
    problems: list[str] = field(default_factory=list)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ``{"a.b": leaf}``."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value} if prefix else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def map_project(project: DvcProject, options: DvcOptions, existing_models: set[str]) -> ImportBatch:
    """A parsed DVC project -> model records and one experiment record (pure)."""
    batch = ImportBatch(problems=list(project.problems))
    artifacts = project.dvc_yaml.get("artifacts") or {}
    for name, spec in sorted(artifacts.items() if isinstance(artifacts, dict) else ()):
        if not isinstance(spec, dict):
            continue
        if spec.get("type", "model") != "model":
            batch.notes.append(
                f"dvc.yaml: artifact `{name}` is of type `{spec.get('type')}`; skipped"
            )
            continue
        model_id = slug(str(name))
        if model_id not in existing_models and (not options.owner or not options.risk_tier):
            batch.problems.append(
                f"dvc.yaml: artifact `{name}`: models/{model_id}.yaml does not exist yet and DVC "
                "does not know its owner and risk tier; pass --owner ... --risk-tier ..."
            )
            continue
        record: dict[str, Any] = {"id": model_id, "name": str(name)}
        if options.owner:
            record["owner"] = options.owner
        if options.risk_tier:
            record["risk_tier"] = options.risk_tier
        if spec.get("desc"):
            record["description"] = str(spec["desc"])
        if isinstance(spec.get("labels"), list):
            record["tags"] = [str(label) for label in spec["labels"]]
        dvc_extra: dict[str, Any] = {"path": spec.get("path")}
        if project.artifact_digests.get(str(name)):
            dvc_extra["sha256"] = project.artifact_digests[str(name)]
        record["extra"] = {"dvc": dvc_extra}
        batch.records.append(ImportedRecord("model", f"models/{model_id}.yaml", record, "dvc.yaml"))

    missing = [
        flag
        for flag, value in (
            ("--experiment-id", options.experiment_id),
            ("--model", options.model),
            ("--author", options.author),
        )
        if not value
    ]
    if missing:
        batch.problems.append(
            f"DVC files do not say the experiment's {', '.join(missing)}; pass "
            + " ".join(f"{flag} ..." for flag in missing)
        )
        return batch
    params = {
        key: json.dumps(value) if isinstance(value, list | dict) else value
        for key, value in flatten(project.params).items()
    }
    metrics: dict[str, float] = {}
    for key, value in flatten(project.metrics).items():
        number = _number(value)
        if number is None:
            batch.notes.append(f"metric `{key}` is `{value}`, not a finite number; not imported")
        else:
            metrics[key] = number
    history: dict[str, list[list[float]]] = {}
    for file, rows in sorted(project.plots.items()):
        x_name, ys = project.plot_axes.get(file, (None, []))
        for y in ys:
            points = []
            for index, row in enumerate(rows):
                x = _number(row.get(x_name)) if x_name else float(index)
                value = _number(row.get(y))
                if x is None or value is None:
                    continue
                points.append([int(x) if x == int(x) else x, value])
            if points:
                history[y] = points
    record = {
        "id": options.experiment_id,
        "model": options.model,
        "title": options.title or f"DVC experiment {options.experiment_id}",
        "author": options.author,
        "date": options.day or date.today().isoformat(),
    }
    if project.head:
        record["code_commit"] = project.head
    if params:
        record["params"] = params
    if metrics:
        record["metrics"] = metrics
    if history:
        record["metric_history"] = history
    record["extra"] = {"dvc": {"root": project.root.name}}
    batch.records.append(
        ImportedRecord("experiment", f"experiments/{options.experiment_id}.yaml", record, "dvc")
    )
    return batch


# -- the reader --------------------------------------------------------------------------------


def _load(path: Path, project: DvcProject) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as problem:
        project.problems.append(f"{path}:1: cannot read: {problem.strerror}")
        return None
    if path.suffix == ".json":
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as problem:
            project.problems.append(
                f"{path}:{getattr(problem, 'lineno', 1)}: not valid JSON: {problem}"
            )
            return None
    try:
        return to_plain(read_yaml_bytes(raw))
    except YamlError as problem:
        project.problems.append(f"{path}:{problem.line or 1}: {problem.message}")
        return None


def _rows(path: Path, project: DvcProject) -> list[dict[str, Any]]:
    if path.suffix in (".csv", ".tsv"):
        text = path.read_text(encoding="utf-8", errors="replace")
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if path.suffix == ".tsv" else ",")
        return list(reader)
    data = _load(path, project)
    if isinstance(data, dict):  # DVC's JSON plots: {"train": [{...}, ...]} or a list
        data = next((v for v in data.values() if isinstance(v, list)), [])
    return [row for row in data or [] if isinstance(row, dict)]


def _outputs(stages: dict[str, Any], key: str) -> Iterable[str]:
    for stage in stages.values():
        if not isinstance(stage, dict):
            continue
        for item in stage.get(key) or []:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                yield from (str(k) for k in item)


def read_project(root: Path) -> DvcProject:
    """Parse ``dvc.yaml`` and the params, metrics and plots files it names."""
    project = DvcProject(root=root)
    dvc_yaml = root / "dvc.yaml"
    if dvc_yaml.is_file():
        loaded = _load(dvc_yaml, project)
        project.dvc_yaml = loaded if isinstance(loaded, dict) else {}
    stages = project.dvc_yaml.get("stages") or {}
    stages = stages if isinstance(stages, dict) else {}
    param_files = {"params.yaml"}
    for stage in stages.values():
        for item in (stage.get("params") or []) if isinstance(stage, dict) else []:
            if isinstance(item, dict):
                param_files.update(str(k) for k in item)
    for name in sorted(param_files):
        path = root / name
        if path.is_file():
            data = _load(path, project)
            if isinstance(data, dict):
                project.params.update(data)
    metric_files = [str(m) for m in project.dvc_yaml.get("metrics") or [] if isinstance(m, str)]
    metric_files += list(_outputs(stages, "metrics"))
    for name in dict.fromkeys(metric_files):
        path = root / name
        if path.is_file():
            data = _load(path, project)
            if isinstance(data, dict):
                project.metrics.update(data)
    for entry in project.dvc_yaml.get("plots") or []:
        found: tuple[Any, Any] = (
            (entry, {}) if isinstance(entry, str) else next(iter(entry.items()), (None, {}))
        )
        name, spec = found
        if not name:
            continue
        spec = spec if isinstance(spec, dict) else {}
        path = root / str(name)
        if not path.is_file():
            continue
        rows = _rows(path, project)
        y = spec.get("y")
        ys = [str(y)] if isinstance(y, str) else [str(v) for v in y] if isinstance(y, list) else []
        x = spec.get("x")
        x_name = str(x) if isinstance(x, str) else ("step" if rows and "step" in rows[0] else None)
        if not ys and rows:
            ys = [k for k in rows[0] if k != x_name]
        project.plots[str(name)] = rows
        project.plot_axes[str(name)] = (x_name, ys)
    for name, spec in (project.dvc_yaml.get("artifacts") or {}).items():
        if not isinstance(spec, dict) or not spec.get("path"):
            continue
        artifact_path = root / str(spec["path"])
        if artifact_path.is_file():
            digest = hashlib.sha256(artifact_path.read_bytes()).hexdigest()
            project.artifact_digests[str(name)] = digest
    head = root / ".git"
    if head.exists():
        from ..history.gitcmd import GitRunner

        result = GitRunner(root).run(["rev-parse", "HEAD"])
        if result.status == 0:
            project.head = result.stdout.decode().strip()
    return project
