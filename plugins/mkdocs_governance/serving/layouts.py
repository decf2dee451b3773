"""Where the timestamp, the model and the version are in a log line.

A field name is a key of the JSON object, or a dotted path into nested objects
(``request_metadata.model_version``); in CSV it is a column of the header line.

Presets (the documented layouts of serving platforms):

- ``default``: ``timestamp``, ``model``, ``version``.
- ``mlflow``: a JSON-lines or CSV export of a Databricks/MLflow Model Serving
  inference table: ``timestamp_ms`` (epoch milliseconds), ``request_metadata.model_name``
  and ``request_metadata.model_version`` (in CSV, the columns ``model_name`` and
  ``model_version`` once the map is flattened).
- ``kserve``: KServe inference-logger CloudEvents in structured JSON, one per line:
  ``time``, ``inferenceservicename``, and the version from the request header
  ``x-model-version`` that the InferenceService's ``logger.metadataHeaders`` copies
  into ``metadata``; only ``type: org.kubeflow.serving.inference.request`` events are
  counted (the logger also emits one response event per request).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ROLES = ("timestamp", "model", "version")


@dataclass(frozen=True, slots=True)
class LogLayout:
    """The field of each role, and an optional ``(field, value)`` a counted line must have."""

    timestamp: str = "timestamp"
    model: str = "model"
    version: str = "version"
    only_field: str | None = None
    only_value: str | None = None
    name: str = "default"

    def field(self, role: str) -> str:
        """The field name (or dotted path) of ``role``."""
        return str(getattr(self, role))


PRESETS: Mapping[str, LogLayout] = {
    "default": LogLayout(),
    "mlflow": LogLayout(
        "timestamp_ms",
        "request_metadata.model_name",
        "request_metadata.model_version",
        name="mlflow",
    ),
    "kserve": LogLayout(
        "time",
        "inferenceservicename",
        "metadata.x-model-version",
        only_field="type",
        only_value="org.kubeflow.serving.inference.request",
        name="kserve",
    ),
}

# In a flat CSV header a nested field is the name of its last part.
CSV_FALLBACK = {
    "request_metadata.model_name": "model_name",
    "request_metadata.model_version": "model_version",
    "metadata.x-model-version": "x-model-version",
}


def layout_for(preset: str | None, fields: Mapping[str, str] | None = None) -> LogLayout:
    """The preset's layout (``default`` when None) with ``fields`` overriding its roles."""
    base = PRESETS[preset or "default"]
    overrides = {role: name for role, name in (fields or {}).items() if role in ROLES}
    if not overrides:
        return base
    return LogLayout(
        overrides.get("timestamp", base.timestamp),
        overrides.get("model", base.model),
        overrides.get("version", base.version),
        base.only_field,
        base.only_value,
        base.name if not overrides else f"{base.name} (fields overridden)",
    )
