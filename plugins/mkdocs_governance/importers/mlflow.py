"""MLflow -> experiment and model records.

Read through MLflow's own ``MlflowClient`` (so a file store, ``sqlite:///mlflow.db``
and a tracking server all work); ``pip install "mkdocs-governance[mlflow]"``.

What maps to what:

| MLflow | record |
| --- | --- |
| run (active, in an active experiment) | ``experiments/mlflow-<run_id>.yaml`` |
| run name (``mlflow.runName``), else the run id | ``title`` |
| run ``start_time`` (UTC day) | ``date`` |
| ``mlflow.user`` tag, else ``user_id``, through ``--person USER=ID`` | ``author`` |
| experiment name, through ``--model EXPERIMENT=MODEL`` (default: the name) | ``model`` |
| params | ``params`` (text, as MLflow stores them) |
| latest value of each metric | ``metrics`` |
| each metric's history | ``metric_history: {name: [[step, value], ...]}`` |
| ``mlflow.source.git.commit`` (or ``--commit-tag``) | ``code_commit`` |
| ``mlflow.note.content`` | ``conclusion`` (person-written once imported) |
| status RUNNING/SCHEDULED; FINISHED/FAILED/KILLED | ``outcome: running``; ``inconclusive`` (a person decides adopted/rejected) |
| tags not starting with ``mlflow.`` | ``tags`` |
| run id, experiment id/name, status, parent run, other ``mlflow.*`` tags | ``extra.mlflow`` |
| registered model | ``models/<name>.yaml`` (``name``, ``description``; ``owner`` and ``risk_tier`` from options) |
| model version | a ``versions`` entry: ``version``, ``created``, ``experiment`` (its run), ``metrics`` (its run's), ``artifact: {uri, sha256}``, ``description`` |
| alias (``@champion``) or stage (``Production``), through ``--stage NAME=STAGE`` | the version's ``stage`` (aliases first, then the stage; unmapped: ``--default-stage``) |

Artifact hashing: the version's artifact is downloaded through MLflow
(``mlflow.artifacts.download_artifacts``); a single file is hashed as its bytes; a
directory as the SHA-256 of its manifest, one line ``<sha256 of file>  <relative
path>`` per file, sorted by path (the output of ``sha256sum`` run inside it on the
sorted file list). When the artifact cannot be read, the version keeps its URI without
``sha256``: a stage with ``bound_artifact: true`` then refuses it (``unbound-artifact``).

What is lost: deleted experiments and runs (skipped, and said so); NaN and infinite
metric values (dropped, and said so); metric timestamps (steps are kept); artifacts
other than the registered model's (only the URI of the run's artifact root is kept);
datasets logged with ``mlflow.log_input`` (MLflow's dataset digests are not a content
hash of the data); registered-model tags beyond ``extra``; traces and logged models
without a registry version.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import ImportBatch, ImportedRecord

RECORD_PREFIX = "mlflow-"
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class MlflowOptions:
    """How MLflow's names map to the records' (``--stage``, ``--person``, ``--model``).

    Attributes:
        stages: MLflow stage (``Production``) or alias (``@champion``) -> policy stage.
        people: MLflow user name -> person id.
        models: experiment name -> model id (default: the experiment name).
        default_stage: the stage of a new version nothing maps (None: refuse it).
        owner: owner of a new model record (required to create one).
        risk_tier: risk tier of a new model record (required to create one).
        commit_tag: an extra run tag holding the git commit (after MLflow's own).
    """

    stages: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)
    models: Mapping[str, str] = field(default_factory=dict)
    default_stage: str | None = None
    owner: str | None = None
    risk_tier: str | None = None
    commit_tag: str | None = None


@dataclass(slots=True)
class MlflowSnapshot:
    """What the reader got from MLflow's client, untranslated.

    Attributes:
        experiments: every experiment (deleted ones too, to say they were skipped).
        runs: every run (deleted ones too).
        histories: run id -> metric name -> MLflow ``Metric`` objects.
        registered_models: registered models.
        versions: model name -> its ``ModelVersion`` objects.
        artifact_digests: ``name@version`` -> sha256 hex of the artifact, when read.
        notes: what the reader could not read, and why.
    """

    experiments: list[Any] = field(default_factory=list)
    runs: list[Any] = field(default_factory=list)
    histories: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    registered_models: list[Any] = field(default_factory=list)
    versions: dict[str, list[Any]] = field(default_factory=dict)
    artifact_digests: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """``text`` as a record id (letters, digits, ``.``, ``_``, ``-``)."""
    cleaned = _SLUG.sub("-", text.strip()).strip("-._")
    return cleaned or "unnamed"


def experiment_record_id(run_id: str) -> str:
    """The stable record id of a run: a re-import updates the same file."""
    return f"{RECORD_PREFIX}{run_id}"


def _day(millis: int | None) -> str | None:
    if millis is None:
        return None
    return datetime.fromtimestamp(millis / 1000, tz=UTC).date().isoformat()


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _person(name: str | None, options: MlflowOptions, batch: ImportBatch, where: str) -> str:
    if not name:
        batch.notes.append(f"{where} names no user; author set to `unknown`, map it with --person")
        return "unknown"
    if name in options.people:
        return options.people[name]
    batch.notes.append(
        f"{where}: MLflow user `{name}` is not mapped to a person; written as "
        f"`{slug(name)}`; add --person {name}=<person id>"
    )
    return slug(name)


# -- pure mappings ---------------------------------------------------------------------------


def map_run(
    run: Any,
    experiment: Any,
    history: Mapping[str, Sequence[Any]],
    options: MlflowOptions,
    batch: ImportBatch,
) -> ImportedRecord:
    """One MLflow ``Run`` (with its experiment and metric histories) -> an experiment record."""
    info, data = run.info, run.data
    tags: dict[str, str] = dict(data.tags)
    record_id = experiment_record_id(info.run_id)
    where = f"mlflow run {info.run_id}"
    metrics: dict[str, float] = {}
    for name, value in sorted(data.metrics.items()):
        if _finite(value):
            metrics[name] = float(value)
        else:
            batch.notes.append(f"{where}: metric `{name}` is {value}; dropped, not written")
    metric_history: dict[str, list[list[float]]] = {}
    for name, points in sorted(history.items()):
        kept = [[int(p.step), float(p.value)] for p in points if _finite(p.value)]
        dropped = len(points) - len(kept)
        if dropped:
            batch.notes.append(
                f"{where}: {dropped} value{'s' if dropped != 1 else ''} of metric `{name}` "
                "not finite (NaN or infinite); dropped from metric_history"
            )
        if kept:
            metric_history[name] = sorted(kept, key=lambda pair: pair[0])
    commit = tags.get("mlflow.source.git.commit") or (
        tags.get(options.commit_tag, "") if options.commit_tag else ""
    )
    status = str(info.status)
    record: dict[str, Any] = {
        "id": record_id,
        "model": options.models.get(experiment.name, slug(experiment.name)),
        "title": info.run_name or tags.get("mlflow.runName") or info.run_id,
        "author": _person(tags.get("mlflow.user") or info.user_id, options, batch, where),
        "date": _day(info.start_time),
    }
    if commit:
        record["code_commit"] = commit
    if data.params:
        record["params"] = {name: str(value) for name, value in sorted(data.params.items())}
    if metrics:
        record["metrics"] = metrics
    if metric_history:
        record["metric_history"] = metric_history
    user_tags = {k: str(v) for k, v in sorted(tags.items()) if not k.startswith("mlflow.")}
    if user_tags:
        record["tags"] = user_tags
    record["outcome"] = "running" if status in ("RUNNING", "SCHEDULED") else "inconclusive"
    note = tags.get("mlflow.note.content")
    if note:
        record["conclusion"] = note
    mlflow_extra: dict[str, Any] = {
        "run_id": info.run_id,
        "experiment_id": str(info.experiment_id),
        "experiment_name": experiment.name,
        "status": status,
        "artifact_uri": info.artifact_uri,
    }
    if tags.get("mlflow.parentRunId"):
        mlflow_extra["parent_run"] = experiment_record_id(tags["mlflow.parentRunId"])
    system = {
        k: str(v)
        for k, v in sorted(tags.items())
        if k.startswith("mlflow.")
        and k not in ("mlflow.note.content", "mlflow.runName", "mlflow.parentRunId")
    }
    if system:
        mlflow_extra["tags"] = system
    record["extra"] = {"mlflow": mlflow_extra}
    return ImportedRecord("experiment", f"experiments/{record_id}.yaml", record, where)


def version_stage(version: Any, aliases: Iterable[str], options: MlflowOptions) -> str | None:
    """The policy stage of an MLflow version: its aliases first, then its stage."""
    for alias in aliases:
        if f"@{alias}" in options.stages:
            return options.stages[f"@{alias}"]
    stage = str(getattr(version, "current_stage", "") or "")
    if stage and stage != "None" and stage in options.stages:
        return options.stages[stage]
    return None


def map_registered_model(
    model: Any,
    versions: Sequence[Any],
    runs: Mapping[str, Any],
    digests: Mapping[str, str],
    options: MlflowOptions,
    batch: ImportBatch,
    *,
    exists: bool,
) -> ImportedRecord | None:
    """A ``RegisteredModel`` and its ``ModelVersion`` objects -> a model record.

    ``exists`` says whether the record file is already there: a new one needs the
    owner and risk tier from the options (they are not in MLflow, so not invented).
    """
    model_id = slug(model.name)
    where = f"mlflow registered model {model.name}"
    if not exists and (not options.owner or not options.risk_tier):
        missing = [
            o for o, v in (("--owner", options.owner), ("--risk-tier", options.risk_tier)) if not v
        ]
        batch.problems.append(
            f"{where}: models/{model_id}.yaml does not exist yet and MLflow does not know "
            f"its {' and '.join(missing)}; pass {' '.join(f'{m} ...' for m in missing)}"
        )
        return None
    aliases_by_version: dict[str, list[str]] = {}
    for alias, number in sorted(dict(getattr(model, "aliases", {}) or {}).items()):
        aliases_by_version.setdefault(str(number), []).append(alias)
    entries: list[dict[str, Any]] = []
    for version in sorted(versions, key=lambda v: int(v.version)):
        number = str(version.version)
        key = f"{model.name}@{number}"
        run = runs.get(version.run_id) if version.run_id else None
        aliases = aliases_by_version.get(number, [])
        entry: dict[str, Any] = {
            "version": number,
            "created": _day(version.creation_timestamp),
        }
        stage = version_stage(version, aliases, options)
        if stage is None:
            if options.default_stage is None:
                batch.problems.append(
                    f"{where} version {number}: no --stage maps its stage "
                    f"`{version.current_stage}` or aliases {aliases or '[]'}; pass "
                    "--stage NAME=STAGE or --default-stage STAGE"
                )
                continue
            stage = options.default_stage
        entry["stage"] = stage
        user = getattr(version, "user_id", None) or (
            (run.data.tags.get("mlflow.user") or run.info.user_id) if run else None
        )
        entry["author"] = _person(user, options, batch, f"{where} version {number}")
        artifact: dict[str, Any] = {"uri": str(version.source)}
        if key in digests:
            artifact["sha256"] = digests[key]
        else:
            batch.notes.append(
                f"{where} version {number}: artifact {version.source} could not be read, "
                "imported without sha256; a stage with bound_artifact refuses it"
            )
        entry["artifact"] = artifact
        if version.run_id:
            entry["experiment"] = experiment_record_id(version.run_id)
        if run is not None:
            metrics = {k: float(v) for k, v in sorted(run.data.metrics.items()) if _finite(v)}
            if metrics:
                entry["metrics"] = metrics
        if version.description:
            entry["description"] = version.description
        version_extra: dict[str, Any] = {
            "version": number,
            "current_stage": str(version.current_stage),
            "status": str(version.status),
        }
        if aliases:
            version_extra["aliases"] = aliases
        if version.tags:
            version_extra["tags"] = {k: str(v) for k, v in sorted(version.tags.items())}
        if getattr(version, "model_id", None):
            version_extra["model_id"] = version.model_id
        entry["extra"] = {"mlflow": version_extra}
        entries.append(entry)
    record: dict[str, Any] = {"id": model_id, "name": model.name}
    if options.owner:
        record["owner"] = options.owner
    if options.risk_tier:
        record["risk_tier"] = options.risk_tier
    if model.description:
        record["description"] = model.description
    record["versions"] = entries
    model_extra: dict[str, Any] = {"name": model.name}
    if model.tags:
        model_extra["tags"] = {k: str(v) for k, v in sorted(dict(model.tags).items())}
    record["extra"] = {"mlflow": model_extra}
    return ImportedRecord("model", f"models/{model_id}.yaml", record, where)


def map_snapshot(
    snapshot: MlflowSnapshot, options: MlflowOptions, existing_models: Iterable[str] = ()
) -> ImportBatch:
    """Everything the reader got -> records; deleted experiments and runs are skipped."""
    batch = ImportBatch(notes=list(snapshot.notes))
    known = set(existing_models)
    experiments = {str(e.experiment_id): e for e in snapshot.experiments}
    for experiment in snapshot.experiments:
        if experiment.lifecycle_stage == "deleted":
            batch.notes.append(
                f"skipped deleted experiment `{experiment.name}` ({experiment.experiment_id})"
            )
    runs_by_id: dict[str, Any] = {}
    for run in sorted(snapshot.runs, key=lambda r: (r.info.start_time or 0, r.info.run_id)):
        experiment = experiments.get(str(run.info.experiment_id))
        if experiment is None or experiment.lifecycle_stage == "deleted":
            continue  # said once, per experiment
        if run.info.lifecycle_stage == "deleted":
            batch.notes.append(f"skipped deleted run {run.info.run_id} ({run.info.run_name})")
            continue
        runs_by_id[run.info.run_id] = run
        history = snapshot.histories.get(run.info.run_id, {})
        batch.records.append(map_run(run, experiment, history, options, batch))
    for model in snapshot.registered_models:
        record = map_registered_model(
            model,
            snapshot.versions.get(model.name, []),
            runs_by_id,
            snapshot.artifact_digests,
            options,
            batch,
            exists=slug(model.name) in known,
        )
        if record is not None:
            batch.records.append(record)
    return batch


# -- artifact hashing --------------------------------------------------------------------------


def hash_path(path: Path) -> str:
    """SHA-256 hex of a file's bytes, or of a directory's sorted ``sha256sum`` manifest."""
    if path.is_file():
        return _file_digest(path)
    lines = []
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        lines.append(f"{_file_digest(item)}  {item.relative_to(path).as_posix()}\n")
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- the reader: MLflow's client, nothing else -------------------------------------------------


class MlflowUnavailable(Exception):
    """MLflow is not installed, or the tracking store cannot be opened."""


def read_store(tracking_uri: str, registry_uri: str | None = None) -> MlflowSnapshot:
    """Read experiments, runs, metric histories and the model registry through MLflow.

    A path without a scheme is a file store. MLflow 3 refuses file stores unless
    ``MLFLOW_ALLOW_FILE_STORE`` is set; reading one is what the user asked for, so it
    is set for this process.
    """
    try:
        from mlflow.entities import ViewType
        from mlflow.exceptions import MlflowException
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise MlflowUnavailable(
            'MLflow is not installed; pip install "mkdocs-governance[mlflow]"'
        ) from None
    if "://" not in tracking_uri and not tracking_uri.startswith("sqlite:"):
        store = Path(tracking_uri).resolve()
        if not store.is_dir():
            raise MlflowUnavailable(f"the MLflow store {store} does not exist")
        tracking_uri = store.as_uri()
    if tracking_uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=registry_uri or tracking_uri)
    snapshot = MlflowSnapshot()
    try:
        snapshot.experiments = list(client.search_experiments(view_type=ViewType.ALL))
        active = [e.experiment_id for e in snapshot.experiments if e.lifecycle_stage != "deleted"]
        if active:
            snapshot.runs = list(client.search_runs(active, run_view_type=ViewType.ALL))
    except MlflowException as problem:
        raise MlflowUnavailable(f"cannot read {tracking_uri}: {problem.message}") from None
    unreadable: list[str] = []
    reason = ""
    for run in snapshot.runs:
        if run.info.lifecycle_stage == "deleted":
            continue
        histories: dict[str, list[Any]] = {}
        for name in run.data.metrics:
            try:
                histories[name] = list(client.get_metric_history(run.info.run_id, name))
            except MlflowException as problem:
                unreadable.append(run.info.run_id)
                reason = problem.message
                break
        snapshot.histories[run.info.run_id] = histories
    if unreadable:
        snapshot.notes.append(
            f"MLflow cannot read the metric history of {len(unreadable)} run"
            f"{'s' if len(unreadable) != 1 else ''} ({', '.join(sorted(unreadable))}; "
            f"{reason}); only their latest values are imported. In a file store this "
            "happens when a run folder lacks its empty `artifacts/` folder (Git does not "
            "keep empty folders): create it and import again"
        )
    try:
        snapshot.registered_models = list(client.search_registered_models())
    except MlflowException as problem:
        snapshot.notes.append(f"the model registry cannot be read: {problem.message}")
    for model in snapshot.registered_models:
        versions = list(client.search_model_versions(f"name='{model.name}'"))
        snapshot.versions[model.name] = versions
        for version in versions:
            digest = _artifact_digest(client, model.name, str(version.version), tracking_uri)
            if digest:
                snapshot.artifact_digests[f"{model.name}@{version.version}"] = digest
    return snapshot


def _artifact_digest(client: Any, name: str, version: str, tracking_uri: str) -> str | None:
    from mlflow.artifacts import download_artifacts

    try:
        uri = client.get_model_version_download_uri(name, version)
        with tempfile.TemporaryDirectory() as scratch:
            local = download_artifacts(
                artifact_uri=uri, dst_path=scratch, tracking_uri=tracking_uri
            )
            return hash_path(Path(local))
    except Exception:  # any failure to read means: not hashed; the version says so
        return None
