"""GTO (iterative/gto) tags and ``artifacts.yaml`` -> model records with versions.

The tags are read by the history layer ([`history.tags`][mkdocs_governance.history.tags],
one ``git for-each-ref``); this module maps them.

What maps to what:

| GTO | record |
| --- | --- |
| artifact of ``type: model`` in ``artifacts.yaml`` (or with registrations and no type) | ``models/<name>.yaml`` (``dir:name`` -> ``dir-name``) |
| ``description``, ``labels`` | ``description``, ``tags`` |
| registration tag ``name@v1.2.0`` | a version ``v1.2.0``, ``created`` = the tag's date |
| the tagger's email, through ``--person EMAIL=ID`` | the version's ``author`` |
| the artifact's ``path`` at the registered commit | ``artifact: {uri: <path>, sha256: <blob's sha256>}`` (no sha256 for a virtual artifact or a missing file) |
| the current stage assignment ``name#prod#N`` of the version (latest, not undone), through ``--stage prod=production`` | ``stage`` (unassigned or unmapped: ``--default-stage``) |
| tag name, commit, tagger, message | ``extra.gto`` |

What is lost: deregistered versions (``name@v1.0.0!``) and deprecated artifacts are
skipped (and said so); artifacts of other types (``dataset``...) are skipped (a dataset
record needs ``personal_data``, which GTO does not know); the assignment history
stays in the tags (the audit trail shows it; the gate judges it through
``unsigned-gto-assignment``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..history.gitcmd import GitRunner
from ..history.tags import GtoEvent, current_assignments, gto_events, read_tags
from ..records.yamlsafe import YamlError, read_yaml_bytes, to_plain
from . import ImportBatch, ImportedRecord
from .mlflow import slug


@dataclass(frozen=True, slots=True)
class GtoOptions:
    """Stage and person mappings, and what a new model record needs."""

    stages: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)
    default_stage: str | None = None
    owner: str | None = None
    risk_tier: str | None = None


@dataclass(slots=True)
class GtoSnapshot:
    """What the reader got: the GTO events, the artifact index and the blobs' digests."""

    events: tuple[GtoEvent, ...] = ()
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    blob_digests: dict[tuple[str, str], str] = field(default_factory=dict)  # (commit, path)
    problems: list[str] = field(default_factory=list)


def map_snapshot(
    snapshot: GtoSnapshot, options: GtoOptions, existing_models: set[str]
) -> ImportBatch:
    """GTO events + ``artifacts.yaml`` -> model records (pure)."""
    batch = ImportBatch(problems=list(snapshot.problems))
    events = snapshot.events
    deprecated = {e.artifact for e in events if e.action == "deprecate"}
    deregistered = {(e.artifact, e.version) for e in events if e.action == "deregister"}
    stage_of: dict[tuple[str, str | None], str] = {}
    for assignment in sorted(current_assignments(events), key=lambda a: a.event.counter or 0):
        stage_of[(assignment.artifact, assignment.version)] = assignment.stage
    names = sorted({e.artifact for e in events if e.action == "register"} | set(snapshot.artifacts))
    for name in names:
        info = snapshot.artifacts.get(name, {})
        kind = info.get("type")
        if name in deprecated:
            batch.notes.append(f"skipped GTO artifact `{name}`: deprecated (`{name}@deprecated`)")
            continue
        if kind not in (None, "model"):
            batch.notes.append(f"skipped GTO artifact `{name}`: type `{kind}`, not a model")
            continue
        registrations = [e for e in events if e.action == "register" and e.artifact == name]
        model_id = slug(name.replace(":", "-"))
        if model_id not in existing_models and (not options.owner or not options.risk_tier):
            batch.problems.append(
                f"GTO artifact {name}: models/{model_id}.yaml does not exist yet and GTO does "
                "not know its owner and risk tier; pass --owner ... --risk-tier ..."
            )
            continue
        versions = []
        for event in registrations:
            if (name, event.version) in deregistered:
                batch.notes.append(f"skipped {name} {event.version}: deregistered")
                continue
            entry = _version(
                event, info, stage_of.get((name, event.version)), snapshot, options, batch
            )
            if entry is not None:
                versions.append(entry)
        record: dict[str, Any] = {"id": model_id, "name": name}
        if options.owner:
            record["owner"] = options.owner
        if options.risk_tier:
            record["risk_tier"] = options.risk_tier
        if info.get("description"):
            record["description"] = str(info["description"])
        labels = info.get("labels")
        if isinstance(labels, list) and labels:
            record["tags"] = [str(label) for label in labels]
        record["versions"] = versions
        record["extra"] = {"gto": {"artifact": name, "path": info.get("path")}}
        batch.records.append(
            ImportedRecord("model", f"models/{model_id}.yaml", record, f"gto {name}")
        )
    return batch


def _version(
    event: GtoEvent,
    info: Mapping[str, Any],
    gto_stage: str | None,
    snapshot: GtoSnapshot,
    options: GtoOptions,
    batch: ImportBatch,
) -> dict[str, Any] | None:
    tag = event.tag
    where = f"GTO tag {tag.name}"
    if gto_stage is not None and gto_stage in options.stages:
        stage = options.stages[gto_stage]
    elif options.default_stage:
        stage = options.default_stage
        if gto_stage is not None:
            batch.notes.append(
                f"{where}: GTO stage `{gto_stage}` is not mapped; written as "
                f"{stage}; add --stage {gto_stage}=<policy stage>"
            )
    else:
        batch.problems.append(
            f"{where}: no --stage maps its GTO stage `{gto_stage or '(none)'}`; pass "
            "--stage GTO=STAGE or --default-stage STAGE"
        )
        return None
    author = options.people.get(tag.tagger_email)
    if author is None:
        author = slug(tag.tagger_email.split("@")[0] or tag.tagger_name or "unknown")
        batch.notes.append(
            f"{where}: tagger {tag.tagger_email or tag.tagger_name or '(none)'} is not mapped; "
            f"written as `{author}`; add --person {tag.tagger_email or 'EMAIL'}=<person id>"
        )
    entry: dict[str, Any] = {
        "version": event.version,
        "created": tag.date.date().isoformat() if tag.date else None,
        "stage": stage,
        "author": author,
    }
    path = info.get("path")
    if path and not info.get("virtual"):
        artifact: dict[str, Any] = {"uri": str(path)}
        digest = snapshot.blob_digests.get((tag.commit, str(path)))
        if digest:
            artifact["sha256"] = digest
        else:
            batch.notes.append(f"{where}: {path} is not in commit {tag.commit[:10]}; not hashed")
        entry["artifact"] = artifact
    if tag.message:
        entry["description"] = tag.message
    entry["extra"] = {
        "gto": {
            "tag": tag.name,
            "commit": tag.commit,
            "tagger": f"{tag.tagger_name} <{tag.tagger_email}>",
            **({"stage": gto_stage} if gto_stage else {}),
        }
    }
    return entry


def read_repository(repo: Path) -> GtoSnapshot:
    """Tags, ``artifacts.yaml`` and the registered artifacts' blob digests of ``repo``."""
    runner = GitRunner(repo)
    snapshot = GtoSnapshot(events=gto_events(read_tags(runner)))
    index = repo / "artifacts.yaml"
    if index.is_file():
        try:
            data = to_plain(read_yaml_bytes(index.read_bytes()))
        except YamlError as problem:
            snapshot.problems.append(f"{index}:{problem.line or 1}: {problem.message}")
            data = {}
        if isinstance(data, dict):
            snapshot.artifacts = {str(k): v for k, v in data.items() if isinstance(v, dict)}
    for event in snapshot.events:
        info = snapshot.artifacts.get(event.artifact, {})
        path = info.get("path")
        if event.action != "register" or not path or info.get("virtual"):
            continue
        result = runner.run(["cat-file", "blob", f"{event.tag.commit}:{path}"])
        if result.status == 0:
            digest = hashlib.sha256(result.stdout).hexdigest()
            snapshot.blob_digests[(event.tag.commit, str(path))] = digest
    return snapshot
