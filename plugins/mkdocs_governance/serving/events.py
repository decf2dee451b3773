"""Deployment events: one record's text, and a serving platform's JSON-lines export mapped to it.

A deployment record (``deployments/**.yaml``) is written by ``record-deployment``
from a CD job, or imported from a serving platform's export of deployment events, one
JSON object per line. The import is a pure mapping, field by field:

| record field      | accepted JSON keys (first found)                                   |
| ----------------- | ------------------------------------------------------------------ |
| `environment`     | `environment`, `env`, `stage_name`                                 |
| `model`           | `model`, `model_name`, `registered_model_name`                     |
| `version`         | `version`, `model_version`                                         |
| `artifact_sha256` | `artifact_sha256`, `sha256`, `model_sha256`, `digest` (a `sha256:` prefix is dropped) |
| `started`         | `started`, `timestamp`, `time`, `created_at` (ISO 8601 with offset, or epoch s/ms) |
| `by`              | `by`, `deployed_by`, `actor`                                       |
| `service`         | `service`, `endpoint`, `endpoint_name`, `inferenceservice`         |
| `status`          | `status`, `event`, `action`: `deployed` (also `deploy`, `created`, `updated`, `succeeded`), `rolled-back` (also `rollback`, `rolled_back`) |
| `run_url`         | `run_url`, `url`                                                   |
| `comment`         | `comment`, `message`, `description`                                |

Anything else on the line is kept under ``extra.source`` (the platform's own fields),
so nothing of the export is lost. A line that lacks a field or has a bad value is
reported with its line number and not written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..records.schema import parse_timestamp
from .aggregate import timestamp_us

ALIASES: Mapping[str, tuple[str, ...]] = {
    "environment": ("environment", "env", "stage_name"),
    "model": ("model", "model_name", "registered_model_name"),
    "version": ("version", "model_version"),
    "artifact_sha256": ("artifact_sha256", "sha256", "model_sha256", "digest"),
    "started": ("started", "timestamp", "time", "created_at"),
    "by": ("by", "deployed_by", "actor"),
    "service": ("service", "endpoint", "endpoint_name", "inferenceservice"),
    "status": ("status", "event", "action"),
    "run_url": ("run_url", "url"),
    "comment": ("comment", "message", "description"),
}
STATUS_WORDS: Mapping[str, str] = {
    "deployed": "deployed",
    "deploy": "deployed",
    "created": "deployed",
    "updated": "deployed",
    "succeeded": "deployed",
    "rolled-back": "rolled-back",
    "rolled_back": "rolled-back",
    "rollback": "rolled-back",
}
REQUIRED = ("environment", "model", "version", "artifact_sha256", "started", "by", "service")
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class DeploymentEvent:
    """One deployment event, ready to be written as a record."""

    environment: str
    model: str
    version: str
    artifact_sha256: str
    started: datetime
    by: str
    service: str
    status: str = "deployed"
    run_url: str = ""
    comment: str = ""
    source: Mapping[str, Any] | None = None

    @property
    def key(self) -> str:
        """``model@version``."""
        return f"{self.model}@{self.version}"


def _quoted(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars: nothing is retyped.
    return json.dumps(value, ensure_ascii=False)


def format_timestamp(moment: datetime) -> str:
    """``2026-03-01T14:05:07Z`` (UTC, seconds; microseconds when present)."""
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def deployment_yaml(event: DeploymentEvent) -> str:
    """The text of a deployment record (strings quoted, the timestamp ISO 8601 UTC)."""
    lines = [
        f"environment: {_quoted(event.environment)}",
        f"model: {_quoted(event.model)}",
        f"version: {_quoted(event.version)}",
        f"artifact_sha256: {event.artifact_sha256.lower()}",
        f"started: {format_timestamp(event.started)}",
        f"by: {_quoted(event.by)}",
        f"service: {_quoted(event.service)}",
        f"status: {event.status}",
    ]
    if event.run_url:
        lines.append(f"run_url: {_quoted(event.run_url)}")
    if event.comment:
        lines.append(f"comment: {_quoted(event.comment)}")
    if event.source:
        lines.append("extra:")
        lines.append(
            f"  source: {json.dumps(dict(event.source), ensure_ascii=False, sort_keys=True)}"
        )
    return "\n".join(lines) + "\n"


def record_name(event: DeploymentEvent) -> str:
    """``deployments/<environment>/<UTC time>-<model>-<version>-<status>.yaml`` (relative)."""
    stamp = event.started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    parts = [_safe(event.environment), f"{stamp}-{_safe(event.model)}-{_safe(event.version)}"]
    suffix = "" if event.status == "deployed" else "-rolled-back"
    return f"deployments/{parts[0]}/{parts[1]}{suffix}.yaml"


def _safe(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in text).strip(".-")
    return cleaned or "x"


def _first(obj: Mapping[str, Any], field_name: str) -> tuple[str | None, Any]:
    for key in ALIASES[field_name]:
        if key in obj and obj[key] is not None and obj[key] != "":
            return key, obj[key]
    return None, None


def event_from_json(obj: Any) -> DeploymentEvent | list[str]:
    """Map one exported JSON object to an event, or say what is wrong with it."""
    if not isinstance(obj, dict):
        return ["is not a JSON object"]
    values: dict[str, Any] = {}
    used: set[str] = set()
    problems: list[str] = []
    for field_name in ALIASES:
        key, value = _first(obj, field_name)
        if key is None:
            if field_name in REQUIRED:
                names = ", ".join(f"`{k}`" for k in ALIASES[field_name])
                problems.append(f"has no {field_name} (looked for {names})")
            continue
        used.add(key)
        if isinstance(value, dict | list | bool):
            problems.append(f"`{key}` must be a single value, not {type(value).__name__}")
            continue
        values[field_name] = value
    if problems:
        return problems
    started = _moment(values["started"])
    if isinstance(started, str):
        problems.append(started)
    digest = str(values["artifact_sha256"]).strip().removeprefix("sha256:")
    if not _HEX.fullmatch(digest):
        problems.append(f"artifact sha256 `{digest[:80]}` is not 64 hexadecimal digits")
    status_text = str(values.get("status", "deployed")).strip().lower()
    status = STATUS_WORDS.get(status_text)
    if status is None:
        problems.append(
            f"status `{status_text}` is neither deployed nor rolled-back "
            f"(accepted: {', '.join(sorted(STATUS_WORDS))})"
        )
    for field_name in ("environment", "model"):
        if not _ID.fullmatch(str(values[field_name])):
            problems.append(
                f"{field_name} `{values[field_name]}` is not an id (letters, digits, . _ -)"
            )
    if problems:
        return problems
    assert isinstance(started, datetime) and status is not None
    source = {k: v for k, v in obj.items() if k not in used}
    return DeploymentEvent(
        environment=str(values["environment"]),
        model=str(values["model"]),
        version=str(values["version"]),
        artifact_sha256=digest.lower(),
        started=started,
        by=str(values["by"]),
        service=str(values["service"]),
        status=status,
        run_url=str(values.get("run_url", "")),
        comment=str(values.get("comment", "")),
        source=source or None,
    )


def _moment(value: Any) -> datetime | str:
    if isinstance(value, str):
        moment = parse_timestamp(value.strip())
        if moment is not None:
            return moment
    micros = timestamp_us(value)
    if isinstance(micros, str):
        return micros
    return datetime.fromtimestamp(micros / 1_000_000, UTC)


def read_events(lines: Iterable[bytes]) -> Iterator[tuple[int, DeploymentEvent | list[str]]]:
    """``(line number, event or problems)`` for each non-blank line of a JSON-lines export."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError as problem:
            yield number, [f"is not JSON ({str(problem).split(':')[0]})"]
            continue
        yield number, event_from_json(obj)
