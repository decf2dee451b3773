"""Stream a request log into per model version, per hour request counts.

One pass over the file in fixed-size blocks (memory is bounded by the block size and
the number of distinct model-version-hours, never by the log's length). Each block
is parsed by pyarrow when it is installed (the ``serving`` extra) and by the
standard library otherwise; a block pyarrow refuses (a malformed line, a number
where a text was expected, a blank line) is parsed again line by line by the
standard library, so every malformed line is found with its number. The counts do
not depend on the engine: the tests compare both.

Line rules:

- a JSON line is an object; a CSV file starts with a header line naming its columns;
- the timestamp is ISO 8601 *with* its UTC offset (``2026-03-01T14:05:07Z``), or a
  number of seconds since the epoch (milliseconds when above 10^11);
- model and version are text (a JSON number is read as its text);
- blank lines are skipped; any other line without a usable timestamp, model or
  version is malformed: counted in ``skipped`` and, for the first
  ``MAX_REPORTED`` of them, reported with its line number.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .layouts import CSV_FALLBACK, LogLayout

BLOCK_BYTES = 16 * 1024 * 1024
MAX_REPORTED = 20
_MS_THRESHOLD = 1e11
_US = 1_000_000
_HOUR_US = 3600 * _US


@dataclass(slots=True)
class HourBucket:
    """The requests of one model version in one hour: count, first and last (µs since epoch)."""

    requests: int
    first_us: int
    last_us: int

    def add(self, count: int, first_us: int, last_us: int) -> None:
        """Fold another count for the same hour into this one."""
        self.requests += count
        self.first_us = min(self.first_us, first_us)
        self.last_us = max(self.last_us, last_us)

    @property
    def first(self) -> datetime:
        """The first request of the hour."""
        return datetime.fromtimestamp(self.first_us / _US, UTC)

    @property
    def last(self) -> datetime:
        """The last request of the hour."""
        return datetime.fromtimestamp(self.last_us / _US, UTC)


@dataclass(frozen=True, slots=True)
class LogProblem:
    """A line (or a file) that could not be read: ``file:line: message``."""

    file: str
    line: int | None
    message: str
    fatal: bool = False  # the file (not one line) could not be read

    def format_line(self) -> str:
        """``file:line: message``."""
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


@dataclass(slots=True)
class TrafficLog:
    """The aggregate of one or more log files.

    Attributes:
        buckets: ``(model, version, hour)`` -> the hour's requests; ``hour`` counts
            hours since the epoch (UTC).
        lines: non-blank lines read.
        requests: lines counted as requests.
        skipped: malformed lines (not counted).
        ignored: well-formed lines of another event type (a preset's filter).
        problems: the first ``MAX_REPORTED`` malformed lines, plus unreadable files.
        files: the files read, as given.
    """

    buckets: dict[tuple[str, str, int], HourBucket] = field(default_factory=dict)
    lines: int = 0
    requests: int = 0
    skipped: int = 0
    ignored: int = 0
    problems: list[LogProblem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unreadable: int = 0

    def add(self, model: str, version: str, hour: int, count: int, first: int, last: int) -> None:
        """Count ``count`` requests of ``model@version`` in ``hour``."""
        key = (model, version, hour)
        bucket = self.buckets.get(key)
        if bucket is None:
            self.buckets[key] = HourBucket(count, first, last)
        else:
            bucket.add(count, first, last)
        self.requests += count

    def problem(self, file: str, line: int | None, message: str) -> None:
        """Count a malformed line; keep the first ones for the report."""
        self.skipped += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(LogProblem(file, line, message))

    @property
    def last_us(self) -> int | None:
        """The newest request seen (µs since the epoch), if any."""
        return max((b.last_us for b in self.buckets.values()), default=None)

    def versions(self) -> list[tuple[str, str]]:
        """Every ``(model, version)`` seen, sorted."""
        return sorted({(m, v) for m, v, _ in self.buckets})


def aggregate_paths(
    patterns: Iterable[tuple[str, str | None, LogLayout]],
    root: Path,
    *,
    engine: str = "auto",
) -> TrafficLog:
    """Aggregate every file matching each ``(glob, format, layout)`` under ``root``.

    Patterns are repository-relative; one that escapes ``root`` or matches no file is
    a problem (the traffic it should show cannot be judged), never an exception.
    """
    log = TrafficLog()
    root = root.resolve()
    for pattern, fmt, layout in patterns:
        if pattern.startswith(("/", "\\")) or ".." in Path(pattern).parts:
            log.unreadable += 1
            log.problems.append(
                LogProblem(
                    pattern,
                    None,
                    "the log path must be relative to the repository, "
                    "without `..`; fix `serving_logs` in policy.yaml",
                    True,
                )
            )
            continue
        matches = sorted(glob.glob(str(root / pattern), recursive=True))
        # A symbolic link out of the repository is not followed: the logs judged are
        # the repository's, as the policy names them.
        files = [
            Path(m) for m in matches if Path(m).is_file() and Path(m).resolve().is_relative_to(root)
        ]
        if not files:
            log.unreadable += 1
            log.problems.append(
                LogProblem(
                    pattern,
                    None,
                    "no log file matches; the traffic it should show "
                    "cannot be judged. Fix the path in `serving_logs` or add the log",
                    True,
                )
            )
            continue
        for path in files:
            shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            aggregate_log(path, layout, fmt, log=log, shown=shown, engine=engine)
    return log


def aggregate_log(
    path: Path,
    layout: LogLayout,
    fmt: str | None = None,
    *,
    log: TrafficLog | None = None,
    shown: str | None = None,
    engine: str = "auto",
) -> TrafficLog:
    """Aggregate one log file (``fmt`` ``jsonl`` or ``csv``; default by extension).

    ``engine`` is ``auto`` (DuckDB over the whole file when it is installed and the
    file is clean, else pyarrow blocks, else the standard library: each used only
    where the one before declines), ``duckdb``, ``pyarrow`` or ``python``.
    """
    log = log if log is not None else TrafficLog()
    name = shown or str(path)
    log.files.append(name)
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if engine in ("auto", "duckdb") and fmt == "jsonl" and _duckdb_file(path, layout, log):
        return log
    arrow = _arrow() if engine in ("auto", "pyarrow", "duckdb") else None
    if engine == "pyarrow" and arrow is None:
        raise RuntimeError("pyarrow is not installed: pip install 'mkdocs-governance[serving]'")
    try:
        handle = path.open("rb")
    except OSError as problem:
        log.unreadable += 1
        log.problems.append(
            LogProblem(name, None, f"cannot be read: {problem.strerror or problem}", True)
        )
        return log
    with handle:
        reader = _JsonBlocks(layout, log, name, arrow) if fmt == "jsonl" else None
        if reader is not None:
            line_no = 1
            for block in _blocks(handle):
                reader.block(block, line_no)
                line_no += block.count(b"\n")
            return log
        header_line = handle.readline()
        csv_reader = _CsvBlocks(layout, log, name, arrow, header_line)
        if not csv_reader.ready:
            return log
        line_no = 2
        for block in _blocks(handle):
            csv_reader.block(block, line_no)
            line_no += block.count(b"\n")
    return log


def _duckdb_query(fields: list[str], wanted: str | None) -> str:
    """One group-by over the whole file; ``bad`` counts lines the fast path cannot
    judge exactly like the line-by-line reader (then it declines)."""
    ts, model, version = (f'CAST("{f}" AS VARCHAR)' for f in fields[:3])
    kind = f'CAST("{fields[3]}" AS VARCHAR)' if wanted is not None else "NULL"
    wanted_sql = "NULL" if wanted is None else "'" + wanted.replace("'", "''") + "'"
    columns = "{" + ", ".join(f"'{f}': 'VARCHAR'" for f in fields) + "}"
    # Cheap tests first: most timestamps end in Z; a regular expression only otherwise.
    offset = r"[+-][0-9]{2}:?[0-9]{2}$"
    odd = "('true', 'false')"
    return f"""
WITH raw AS (
  SELECT {ts} AS ts, {model} AS model, {version} AS version, {kind} AS kind
  FROM read_json(?, format = 'newline_delimited', columns = {columns})
), typed AS (
  SELECT model, version, kind,
    CASE
      WHEN ts LIKE '____-__-__T__:__%' OR ts LIKE '____-__-__ __:__%' THEN
        CASE WHEN right(ts, 1) IN ('Z', 'z') OR regexp_matches(ts, '{offset}')
             THEN epoch_us(TRY_CAST(ts AS TIMESTAMPTZ)) END
      WHEN TRY_CAST(ts AS DOUBLE) IS NOT NULL AND isfinite(TRY_CAST(ts AS DOUBLE)) THEN
        CAST(round(CAST(ts AS DOUBLE)
          / (CASE WHEN abs(CAST(ts AS DOUBLE)) > 1e11 THEN 1000 ELSE 1 END) * 1000000) AS BIGINT)
      ELSE NULL
    END AS us,
    ({wanted_sql} IS NULL OR kind = {wanted_sql}) AS counted
  FROM raw
)
SELECT model, version, us // 3600000000 AS hour, count(*) AS n, min(us), max(us),
  count(*) FILTER (WHERE (counted AND (us IS NULL OR model IS NULL OR version IS NULL
    OR trim(model) = '' OR trim(version) = '' OR model IN {odd} OR version IN {odd}
    OR model[1] IN ('{{', '[') OR version[1] IN ('{{', '[')))
    OR ({wanted_sql} IS NOT NULL AND (kind IS NULL OR kind IN {odd} OR kind[1] IN ('{{', '[')))
  ) AS bad,
  counted
FROM typed
GROUP BY ALL
"""


def _duckdb_file(path: Path, layout: LogLayout, log: TrafficLog) -> bool:
    """Aggregate a whole JSON-lines file with DuckDB (measured fastest on clean logs).

    Returns False, having counted nothing, when DuckDB is missing, a field is a
    nested path, or the file has a blank or any line the line-by-line reader would
    judge differently (malformed JSON, a missing field, a timestamp without offset, a
    boolean or object where a text belongs): the block readers then read the file and
    name each malformed line with its number.
    """
    fields = [layout.timestamp, layout.model, layout.version]
    if layout.only_field:
        fields.append(layout.only_field)
    if any(c in f for f in fields for c in ".'\"\\") or len(set(fields)) != len(fields):
        return False
    try:
        import duckdb
    except ImportError:
        return False
    lines = 0
    with path.open("rb") as handle:
        for block in _blocks(handle):
            if _has_blank_line(block):
                return False
            lines += block.count(b"\n")
    try:
        connection = duckdb.connect()
        connection.execute("SET memory_limit = '300MB'")
        connection.execute("SET enable_progress_bar = false")
        query = _duckdb_query(fields, layout.only_value if layout.only_field else None)
        rows = connection.execute(query, [str(path)]).fetchall()
        connection.close()
    except duckdb.Error:
        return False
    if sum(row[3] for row in rows) != lines or any(row[6] for row in rows):
        return False
    for model, version, hour, count, first, last, _bad, counted in rows:
        if counted:
            log.add(model.strip(), version.strip(), int(hour), count, first, last)
        else:
            log.ignored += count
    log.lines += lines
    return True


def _blocks(handle: Any) -> Iterator[bytes]:
    """Blocks of whole lines, each ending with a newline (the last one is given one)."""
    rest = b""
    while True:
        data = handle.read(BLOCK_BYTES)
        if not data:
            break
        data = rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield data[: cut + 1]
    if rest:
        yield rest + b"\n"


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.csv
        import pyarrow.json
    except ImportError:
        return None
    return pyarrow


# -- values ---------------------------------------------------------------------------------


def timestamp_us(value: Any) -> int | str:
    """Microseconds since the epoch, or why ``value`` is no usable timestamp."""
    if isinstance(value, bool) or value is None:
        return "has no timestamp"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return f"timestamp `{value}` is not a number of seconds"
        seconds = value / 1000 if abs(value) > _MS_THRESHOLD else value
        return round(seconds * _US)
    text = str(value).strip()
    if not text:
        return "has an empty timestamp"
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        return timestamp_us(number)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return f"timestamp `{text[:40]}` is not ISO 8601 (like 2026-03-01T14:05:07Z)"
    if moment.tzinfo is None:
        return (
            f"timestamp `{text[:40]}` has no UTC offset, so the hour is ambiguous; "
            "log it with its offset (Z or +01:00)"
        )
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * _US + delta.microseconds


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


def _lookup(obj: dict[str, Any], path: str) -> Any:
    if path in obj:
        return obj[path]
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def _judge(
    log: TrafficLog, name: str, line: int, layout: LogLayout, get: Any, roles: tuple[str, ...]
) -> None:
    """Count one parsed line (``get(field)`` reads a field) or report why not."""
    if layout.only_field is not None:
        kind = _text(get(layout.only_field))
        if kind != layout.only_value:
            if kind is None:
                log.problem(name, line, f"has no `{layout.only_field}` (the event type)")
            else:
                log.ignored += 1
            return
    model = _text(get(roles[1]))
    version = _text(get(roles[2]))
    stamp = timestamp_us(get(roles[0]))
    missing = [
        f"no `{field_name}`"
        for field_name, value in ((roles[1], model), (roles[2], version))
        if value is None
    ]
    if isinstance(stamp, str):
        missing.insert(0, stamp)
    if missing:
        log.problem(name, line, "; ".join(missing) + "; the line is not counted")
        return
    assert model is not None and version is not None and isinstance(stamp, int)
    log.add(model, version, stamp // _HOUR_US, 1, stamp, stamp)


# -- JSON lines -----------------------------------------------------------------------------


class _JsonBlocks:
    def __init__(self, layout: LogLayout, log: TrafficLog, name: str, arrow: Any):
        self.layout = layout
        self.log = log
        self.name = name
        self.arrow = arrow
        self.roles = (layout.timestamp, layout.model, layout.version)
        self.schema: Any = None
        self.timestamp_numeric: bool | None = None

    def block(self, block: bytes, first_line: int) -> None:
        if self.arrow is None:
            self._python_block(block, first_line)
            return
        if self.timestamp_numeric is None:
            self._sniff(block)
        _split_retry(block, first_line, self._arrow_block, self._python_block)

    def _sniff(self, block: bytes) -> None:
        """Whether timestamps are numbers or text, from the first line that has one."""
        for raw in block.split(b"\n")[:1000]:
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            stamp = _lookup(obj, self.layout.timestamp) if isinstance(obj, dict) else None
            if stamp is not None:
                self.timestamp_numeric = isinstance(stamp, int | float)
                return

    def _python_block(self, block: bytes, first_line: int) -> None:
        layout, log, name = self.layout, self.log, self.name
        for offset, raw in enumerate(block.split(b"\n")[:-1]):
            line = first_line + offset
            if not raw.strip():
                continue
            log.lines += 1
            try:
                obj = json.loads(raw)
            except ValueError as problem:
                log.problem(name, line, f"is not JSON ({str(problem).split(':')[0]})")
                continue
            if not isinstance(obj, dict):
                log.problem(name, line, "is not a JSON object")
                continue
            if self.timestamp_numeric is None:
                stamp = _lookup(obj, layout.timestamp)
                if stamp is not None:
                    self.timestamp_numeric = isinstance(stamp, int | float)
            _judge(log, name, line, layout, lambda key, o=obj: _lookup(o, key), self.roles)

    def _arrow_schema(self) -> Any:
        pa = self.arrow
        tree: dict[str, Any] = {}
        fields = list(self.roles)
        if self.layout.only_field:
            fields.append(self.layout.only_field)
        for index, path in enumerate(fields):
            leaf_type = pa.float64() if index == 0 and self.timestamp_numeric else pa.string()
            parts = path.split(".")
            node = tree
            for part in parts[:-1]:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    return None
                node = child
            node[parts[-1]] = leaf_type

        def build(node: dict[str, Any]) -> list[Any]:
            return [
                pa.field(key, pa.struct(build(value)) if isinstance(value, dict) else value)
                for key, value in node.items()
            ]

        return pa.schema(build(tree))

    def _column(self, table: Any, path: str) -> Any:
        pc = self.arrow.compute
        parts = path.split(".")
        column = table.column(parts[0]).combine_chunks()
        for part in parts[1:]:
            column = pc.struct_field(column, part)
        return column

    def _arrow_block(self, block: bytes, first_line: int) -> bool:
        if _has_blank_line(block):
            return False
        if self.timestamp_numeric is None:
            return False  # the first block's first lines tell the timestamp's type
        pa = self.arrow
        if self.schema is None:
            self.schema = self._arrow_schema()
            if self.schema is None:
                return False
        try:
            table = pa.json.read_json(
                io.BytesIO(block),
                read_options=pa.json.ReadOptions(block_size=max(len(block), 1 << 20)),
                parse_options=pa.json.ParseOptions(
                    explicit_schema=self.schema, unexpected_field_behavior="ignore"
                ),
            )
            columns = [self._column(table, path) for path in self.roles]
            kinds = self._column(table, self.layout.only_field) if self.layout.only_field else None
        except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError):
            return False
        if table.num_rows != block.count(b"\n"):
            return False
        return _fold_arrow(
            self.arrow,
            self.log,
            self.name,
            first_line,
            columns,
            kinds,
            self.layout,
            self.timestamp_numeric,
            self._python_block,
            block,
        )


def _split_retry(block: bytes, first_line: int, fast: Any, slow: Any) -> None:
    """Parse ``block`` with ``fast``; when it refuses, halve the block and retry, so only
    small pieces around a malformed line go to the line-by-line ``slow`` path."""
    if fast(block, first_line):
        return
    lines = block.count(b"\n")
    if lines <= 2048:
        slow(block, first_line)
        return
    middle = block.find(b"\n", len(block) // 2)
    if middle < 0 or middle + 1 >= len(block):
        slow(block, first_line)
        return
    head, tail = block[: middle + 1], block[middle + 1 :]
    _split_retry(head, first_line, fast, slow)
    _split_retry(tail, first_line + head.count(b"\n"), fast, slow)


def _has_blank_line(block: bytes) -> bool:
    return block.startswith((b"\n", b"\r\n")) or b"\n\n" in block or b"\n\r\n" in block


def _fold_arrow(
    pa: Any,
    log: TrafficLog,
    name: str,
    first_line: int,
    columns: list[Any],
    kinds: Any,
    layout: LogLayout,
    numeric: bool | None,
    fallback: Any,
    block: bytes,
) -> bool:
    """Count a parsed block; lines with a null field are re-read by the line-by-line path."""
    pc = pa.compute
    stamps, models, versions = columns
    try:
        if numeric:
            scaled = pc.if_else(
                pc.greater(pc.abs(stamps), _MS_THRESHOLD), pc.divide(stamps, 1000.0), stamps
            )
            micros = pc.cast(pc.round(pc.multiply(scaled, float(_US))), pa.int64())
        else:
            micros = pc.cast(pc.cast(stamps, pa.timestamp("us", tz="UTC")), pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return False
    valid = pc.and_(pc.and_(pc.is_valid(micros), pc.is_valid(models)), pc.is_valid(versions))
    if kinds is not None:
        wanted = pc.equal(kinds, layout.only_value)
        other = pc.and_(pc.is_valid(kinds), pc.invert(wanted))
        valid = pc.and_(valid, pc.fill_null(wanted, False))
        ignored = int(pc.sum(pc.cast(other, pa.int64())).as_py() or 0)
        bad = pc.invert(pc.or_(valid, other))
    else:
        ignored = 0
        bad = pc.invert(valid)
    blank_model = pc.equal(pc.utf8_trim_whitespace(models), "")
    blank_version = pc.equal(pc.utf8_trim_whitespace(versions), "")
    if pc.any(pc.or_(pc.fill_null(blank_model, False), pc.fill_null(blank_version, False))).as_py():
        return False
    log.lines += len(micros)
    log.ignored += ignored
    if pc.any(bad).as_py():
        # Only the lines with a missing field are read again, to say what is wrong.
        lines = block.split(b"\n")
        for index in pc.indices_nonzero(bad).to_pylist():
            log.lines -= 1
            fallback(lines[index] + b"\n", first_line + index)
    table = pa.table(
        {
            "m": pc.filter(models, valid),
            "v": pc.filter(versions, valid),
            "h": pc.filter(pc.divide(micros, _HOUR_US), valid),
            "t": pc.filter(micros, valid),
        }
    )
    if table.num_rows:
        # Integer division rounds toward zero; hours before 1970 are not served traffic.
        grouped = table.group_by(["m", "v", "h"]).aggregate(
            [("t", "count"), ("t", "min"), ("t", "max")]
        )
        for row in grouped.to_pylist():
            log.add(row["m"], row["v"], row["h"], row["t_count"], row["t_min"], row["t_max"])
    return True


# -- CSV ------------------------------------------------------------------------------------


class _CsvBlocks:
    def __init__(self, layout: LogLayout, log: TrafficLog, name: str, arrow: Any, header: bytes):
        self.layout = layout
        self.log = log
        self.name = name
        self.arrow = arrow
        self.header_bytes = header if header.endswith(b"\n") else header + b"\n"
        text = header.decode("utf-8", errors="replace").lstrip("\ufeff")
        self.columns = next(csv.reader([text.rstrip("\r\n")]), [])
        self.roles = tuple(
            self._column(name_) for name_ in (layout.timestamp, layout.model, layout.version)
        )
        self.only = self._column(layout.only_field) if layout.only_field else None
        missing = [r for r in (*self.roles, self.only) if r is not None and r not in self.columns]
        self.ready = bool(header.strip()) and not missing
        if not header.strip():
            log.problem(name, 1, "the CSV file has no header line naming its columns")
        elif missing:
            log.unreadable += 1
            log.problems.append(
                LogProblem(
                    name,
                    1,
                    f"the header has no column {', '.join(f'`{m}`' for m in missing)} "
                    f"(it has: {', '.join(self.columns)}); set `fields` in serving_logs",
                    True,
                )
            )

    def _column(self, path: str) -> str:
        return path if path in getattr(self, "columns", []) else CSV_FALLBACK.get(path, path)

    def block(self, block: bytes, first_line: int) -> None:
        if self.arrow is None:
            self._python_block(block, first_line)
            return
        _split_retry(block, first_line, self._arrow_block, self._python_block)

    def _python_block(self, block: bytes, first_line: int) -> None:
        width = len(self.columns)
        index = {column: i for i, column in enumerate(self.columns)}
        for offset, raw in enumerate(block.split(b"\n")[:-1]):
            line = first_line + offset
            if not raw.strip():
                continue
            self.log.lines += 1
            text = raw.decode("utf-8", errors="replace").rstrip("\r")
            try:
                row = next(csv.reader([text]))
            except csv.Error as problem:
                self.log.problem(self.name, line, f"is not a CSV row ({problem})")
                continue
            if len(row) != width:
                self.log.problem(
                    self.name, line, f"has {len(row)} columns, the header names {width}"
                )
                continue
            values = {column: row[i] for column, i in index.items()}
            layout = LogLayout(
                self.roles[0], self.roles[1], self.roles[2], self.only, self.layout.only_value
            )
            _judge(self.log, self.name, line, layout, values.get, self.roles)

    def _arrow_block(self, block: bytes, first_line: int) -> bool:
        if _has_blank_line(block):
            return False
        pa = self.arrow
        wanted = [*self.roles] + ([self.only] if self.only else [])
        try:
            table = pa.csv.read_csv(
                io.BytesIO(self.header_bytes + block),
                read_options=pa.csv.ReadOptions(block_size=max(len(block) + 4096, 1 << 20)),
                convert_options=pa.csv.ConvertOptions(
                    include_columns=wanted,
                    column_types={c: pa.string() for c in wanted},
                    strings_can_be_null=True,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return False
        if table.num_rows != block.count(b"\n"):
            return False
        stamps = table.column(self.roles[0]).combine_chunks()
        numeric: bool | None = False
        try:
            as_float = pc_cast_float(pa, stamps)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            as_float = None
        if as_float is not None:
            stamps, numeric = as_float, True
        columns = [stamps] + [table.column(r).combine_chunks() for r in self.roles[1:]]
        kinds = table.column(self.only).combine_chunks() if self.only else None
        return _fold_arrow(
            pa,
            self.log,
            self.name,
            first_line,
            columns,
            kinds,
            self.layout,
            numeric,
            self._python_block,
            block,
        )


def pc_cast_float(pa: Any, strings: Any) -> Any:
    """``strings`` as float64, raising when any is not a number."""
    return pa.compute.cast(strings, pa.float64())
