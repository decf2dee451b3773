"""Serving logs: request logs of the API services -> per model version, per hour counts.

The logs stay where they are; only the aggregates reach the gate and the wiki. A log
is read in a single streamed pass (bounded memory whatever its size), JSON lines or
CSV, with the field names of timestamp, model and version configurable or taken from
a preset layout ([`PRESETS`][mkdocs_governance.serving.layouts.PRESETS]: MLflow /
Databricks inference-table exports, KServe inference-logger CloudEvents).

Malformed lines are never fatal and never silently dropped: each is counted, and the
first ones are reported with their line number.
"""

from __future__ import annotations

from .aggregate import HourBucket, LogProblem, TrafficLog, aggregate_log, aggregate_paths
from .layouts import PRESETS, LogLayout, layout_for

__all__ = [
    "PRESETS",
    "HourBucket",
    "LogLayout",
    "LogProblem",
    "TrafficLog",
    "aggregate_log",
    "aggregate_paths",
    "layout_for",
]
