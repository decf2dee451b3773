"""Serving-log aggregation: formats, presets, malformed lines, engines agree."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mkdocs_governance.serving import aggregate, aggregate_log, layout_for

ENGINES = ["python", "pyarrow", "duckdb"]


def counts(log: aggregate.TrafficLog) -> dict[tuple[str, str, int], tuple[int, int, int]]:
    return {k: (b.requests, b.first_us, b.last_us) for k, b in log.buckets.items()}


def write_jsonl(path: Path, objects: list[object]) -> Path:
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects))
    return path


def requests(n: int) -> list[dict[str, object]]:
    """``n`` requests, one a minute from 2026-03-01T10:00:30Z, every third by 2.0."""
    start = datetime(2026, 3, 1, 10, 0, 30, tzinfo=UTC)
    return [
        {
            "timestamp": (start + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
            "model": "credit-risk",
            "version": "2.1" if i % 3 else "2.0",
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_counts_per_version_per_hour(tmp_path, engine):
    log = aggregate_log(
        write_jsonl(tmp_path / "a.jsonl", requests(150)), layout_for(None), engine=engine
    )
    hour10 = 1772359200 // 3600  # 2026-03-01T10:00Z
    assert log.requests == 150 and log.skipped == 0
    assert log.buckets[("credit-risk", "2.0", hour10)].requests == 20
    assert log.buckets[("credit-risk", "2.1", hour10)].requests == 40
    assert log.buckets[("credit-risk", "2.1", hour10 + 2)].requests == 20
    first = log.buckets[("credit-risk", "2.0", hour10)].first
    assert first.isoformat() == "2026-03-01T10:00:30+00:00"


def test_engines_agree_across_blocks_with_malformed_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(aggregate, "BLOCK_BYTES", 4096)  # many blocks, lines cut at edges
    objects: list[object] = list(requests(3000))
    objects.insert(1234, "{not json")
    objects.insert(2345, {"timestamp": "2026-03-01T10:00:00", "model": "m", "version": "1"})
    objects.insert(2800, "")
    path = write_jsonl(tmp_path / "a.jsonl", objects)
    logs = {e: aggregate_log(path, layout_for(None), engine=e) for e in ENGINES}
    assert counts(logs["python"]) == counts(logs["pyarrow"]) == counts(logs["duckdb"])
    for log in logs.values():
        assert log.requests == 3000 and log.skipped == 2
        assert [(p.line, p.message.split(" ")[0]) for p in log.problems] == [
            (1235, "is"),
            (2346, "timestamp"),
        ]


def test_mlflow_inference_table_export(tmp_path):
    rows = [
        {
            "databricks_request_id": f"r{i}",
            "timestamp_ms": 1772359200000 + i * 1000,
            "status_code": 200,
            "request_metadata": {"model_name": "credit-risk", "model_version": "7"},
        }
        for i in range(5)
    ]
    for engine in ENGINES:
        log = aggregate_log(
            write_jsonl(tmp_path / "m.jsonl", rows), layout_for("mlflow"), engine=engine
        )
        assert log.requests == 5 and list(log.buckets) == [("credit-risk", "7", 1772359200 // 3600)]


def test_kserve_logger_counts_request_events_only(tmp_path):
    events = []
    for i in range(4):
        for kind in ("request", "response"):
            events.append(
                {
                    "specversion": "1.0",
                    "id": f"e{i}",
                    "type": f"org.kubeflow.serving.inference.{kind}",
                    "time": f"2026-03-01T10:0{i}:00.123456Z",
                    "inferenceservicename": "credit-risk",
                    "metadata": {"x-model-version": "2.1"},
                }
            )
    for engine in ENGINES:
        log = aggregate_log(
            write_jsonl(tmp_path / "k.jsonl", events), layout_for("kserve"), engine=engine
        )
        assert log.requests == 4 and log.ignored == 4 and log.skipped == 0


def test_csv_with_configured_fields_and_a_bad_row(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "ts,model_id,model_version,latency\n"
        "2026-03-01T10:00:00+01:00,credit-risk,2.1,3\n"
        "2026-03-01T10:30:00+01:00,credit-risk,2.1\n"
        "1772359200,credit-risk,2.1,5\n"
    )
    layout = layout_for(None, {"timestamp": "ts", "model": "model_id", "version": "model_version"})
    for engine in ENGINES:
        log = aggregate_log(path, layout, engine=engine)
        assert log.requests == 2 and log.skipped == 1
        assert log.problems[0].line == 3 and "columns" in log.problems[0].message
        assert {h for _, _, h in log.buckets} == {1772355600 // 3600, 1772359200 // 3600}


def test_csv_without_the_configured_column_is_unreadable(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("time,model,version\n2026-03-01T10:00:00Z,m,1\n")
    log = aggregate_log(path, layout_for(None))
    assert log.unreadable == 1 and log.problems[0].fatal
    assert "no column `timestamp`" in log.problems[0].message


def test_the_fast_path_declines_values_the_line_reader_would_refuse(tmp_path):
    """DuckDB reads `true` or an object as text; the result must not differ."""
    objects: list[object] = requests(10)
    objects.append({"timestamp": "2026-03-01T10:00:00Z", "model": True, "version": "1"})
    objects.append({"timestamp": "2026-03-01T10:00:00Z", "model": "m", "version": {"a": 1}})
    objects.append({"timestamp": 1772359200000, "model": "m", "version": 1.5})
    path = write_jsonl(tmp_path / "a.jsonl", objects)
    logs = {e: aggregate_log(path, layout_for(None), engine=e) for e in ENGINES}
    assert counts(logs["python"]) == counts(logs["pyarrow"]) == counts(logs["duckdb"])
    assert logs["duckdb"].skipped == 2 and logs["duckdb"].requests == 11


def test_a_clean_file_is_read_by_the_fast_path_and_a_malformed_one_is_not(tmp_path):
    clean = write_jsonl(tmp_path / "clean.jsonl", requests(50))
    log = aggregate.TrafficLog()
    assert aggregate._duckdb_file(clean, layout_for(None), log) is True
    assert log.requests == 50
    broken = write_jsonl(tmp_path / "broken.jsonl", [*requests(50), "{oops"])
    log = aggregate.TrafficLog()
    assert aggregate._duckdb_file(broken, layout_for(None), log) is False
    assert log.requests == 0 and not log.buckets


def test_a_log_path_cannot_leave_the_repository(tmp_path):
    from mkdocs_governance.serving import aggregate_paths

    outside = write_jsonl(tmp_path / "outside.jsonl", requests(5))
    repo = tmp_path / "repo"
    (repo / "logs").mkdir(parents=True)
    (repo / "logs" / "link.jsonl").symlink_to(outside)
    for pattern in ("../outside.jsonl", str(outside), "logs/*.jsonl"):
        log = aggregate_paths([(pattern, None, layout_for(None))], repo)
        assert log.requests == 0 and log.unreadable == 1, pattern
