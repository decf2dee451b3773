"""Benchmark: serving-log aggregation (request log -> per model version, per hour counts).

Generates seeded JSON-lines request logs (default 1, 2.5, 5 and 10 million lines), then
for each size runs, each in a fresh process so its peak memory is its own:

- ``floor``: merely reading the file in 16 MiB blocks and counting its lines;
- ``product``: the product's aggregation (``serving.aggregate_log``, engine auto:
  DuckDB over a clean file, else pyarrow blocks, a block pyarrow refuses re-read line
  by line by the standard library);
- ``blocks``: the product's block reader alone (engine pyarrow), which reads files
  with malformed lines;
- ``python``: the same with the standard-library engine (the fallback; 1 M lines only
  unless ``--python-all``);
- ``polars`` and ``duckdb``, when installed: the same group-by written directly with
  those libraries (no line numbers for malformed lines), to compare.

Prints seconds, peak RSS, the ratio to the floor, and microseconds per line per size
(linearity). Targets (issue 16): 10 M lines in <= 20 s and <= 500 MiB. No asserts:
numbers are printed, to be read.

    python scripts/bench_serving.py [--sizes 1e6,1e7] [--dir /tmp/bench-serving]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

MODELS = [
    ("credit-default-pd", ("2.0", "2.1")),
    ("fraud-card-txn", ("1.10", "1.11")),
    ("collections-early-arrears", ("1.2",)),
]


def generate(path: Path, lines: int, seed: int = 16) -> None:
    """A seeded log: ~1 request every 0.3 s, versions switching over time, ~120 bytes/line."""
    if path.exists() and path.stat().st_size > 0:
        return
    rng = random.Random(seed)
    start = 1_772_000_000  # 2026-02-25
    chunk = []
    partial = path.with_suffix(".part")  # renamed when complete: no half file is reused
    with partial.open("w", encoding="utf-8") as handle:
        for index in range(lines):
            seconds = start + index * 0.3 + rng.random() * 0.3
            model, versions = MODELS[index % 3]
            version = versions[(index // 400_000) % len(versions)]
            whole = int(seconds)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
            millis = int((seconds - whole) * 1000)
            chunk.append(
                f'{{"timestamp":"{stamp}.{millis:03d}Z","model":"{model}","version":"{version}",'
                f'"status":200,"latency_ms":{rng.random() * 80:.1f}}}\n'
            )
            if len(chunk) >= 100_000:
                handle.write("".join(chunk))
                chunk.clear()
        handle.write("".join(chunk))
    partial.replace(path)


# -- the measured programs (run in a child process) -------------------------------------------

CHILD = {
    "floor": """
import sys
n = 0
with open(sys.argv[1], "rb") as f:
    while True:
        b = f.read(16 << 20)
        if not b: break
        n += b.count(b"\\n")
print(n)
""",
    "product": """
import sys
from pathlib import Path
from mkdocs_governance.serving import LogLayout, aggregate_log
log = aggregate_log(Path(sys.argv[1]), LogLayout(), engine="auto")
print(log.requests, len(log.buckets), log.skipped)
""",
    "blocks": """
import sys
from pathlib import Path
from mkdocs_governance.serving import LogLayout, aggregate_log
log = aggregate_log(Path(sys.argv[1]), LogLayout(), engine="pyarrow")
print(log.requests, len(log.buckets), log.skipped)
""",
    "python": """
import sys
from pathlib import Path
from mkdocs_governance.serving import LogLayout, aggregate_log
log = aggregate_log(Path(sys.argv[1]), LogLayout(), engine="python")
print(log.requests, len(log.buckets), log.skipped)
""",
    "polars": """
import sys
import polars as pl
frame = (
    pl.scan_ndjson(sys.argv[1], schema={"timestamp": pl.String, "model": pl.String,
                                         "version": pl.String})
    .with_columns(pl.col("timestamp").str.to_datetime(time_zone="UTC").alias("t"))
    .group_by("model", "version", pl.col("t").dt.truncate("1h").alias("h"))
    .agg(pl.len().alias("n"), pl.col("t").min(), pl.col("t").max().alias("last"))
    .collect(engine="streaming")
)
print(int(frame["n"].sum()), frame.height)
""",
    "duckdb": """
import sys
import duckdb
con = duckdb.connect()
con.execute("SET memory_limit='400MB'")
con.execute("SET enable_progress_bar=false")
rows = con.execute(
    "SELECT model, version, date_trunc('hour', timestamp::TIMESTAMPTZ) h, count(*) n, "
    "min(timestamp), max(timestamp) FROM read_json(?, format='newline_delimited', "
    "columns={'timestamp': 'VARCHAR', 'model': 'VARCHAR', 'version': 'VARCHAR'}) "
    "GROUP BY ALL", [sys.argv[1]]
).fetchall()
print(sum(r[3] for r in rows), len(rows))
""",
}


def measure(engine: str, path: Path) -> tuple[float, float, float, str]:
    """(wall seconds, peak RSS MiB, CPU seconds, output) of one child run."""
    wrapper = (
        "import resource, sys, time\n"
        "start = time.perf_counter()\n"
        f"exec(compile({CHILD[engine]!r}, '<{engine}>', 'exec'))\n"
        "elapsed = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "rss = usage.ru_maxrss / 1024\n"
        "cpu = usage.ru_utime + usage.ru_stime\n"
        "print(f'@@ {elapsed:.3f} {rss:.1f} {cpu:.3f}')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode:
        return float("nan"), float("nan"), float("nan"), result.stderr.strip().splitlines()[-1]
    lines = result.stdout.strip().splitlines()
    elapsed, rss, cpu = (float(x) for x in lines[-1].split()[1:])
    return elapsed, rss, cpu, " ".join(lines[:-1])


def _installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e6,2.5e6,5e6,1e7")
    parser.add_argument("--dir", default="/tmp/bench-serving")
    parser.add_argument("--python-all", action="store_true")
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    engines = ["floor", "product", "blocks", "python"] + [
        m for m in ("polars", "duckdb") if _installed(m)
    ]
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
        f"load average {os.getloadavg()[0]:.1f} (other sessions share the CPUs)"
    )
    per_line: dict[str, list[tuple[int, float]]] = {}
    for size in sizes:
        path = folder / f"requests-{size}.jsonl"
        began = time.perf_counter()
        generate(path, size)
        mib = path.stat().st_size / 2**20
        print(
            f"\n{size:,} lines, {mib:,.0f} MiB (generated in {time.perf_counter() - began:.0f} s)"
        )
        floor = None
        for engine in engines:
            if engine == "python" and size > 1_000_000 and not args.python_all:
                continue
            elapsed, rss, cpu, output = measure(engine, path)
            if engine == "floor":
                floor = elapsed
            ratio = f"{elapsed / floor:6.1f}x floor" if floor else ""
            print(
                f"  {engine:8s} {elapsed:7.2f} s wall {cpu:7.2f} s CPU {rss:7.1f} MiB  {ratio}"
                f"  -> {output}"
            )
            per_line.setdefault(engine, []).append((size, elapsed / size * 1e6))
    print("\nlinearity (µs per line at each size):")
    for engine, points in per_line.items():
        shown = ", ".join(f"{size / 1e6:g}M: {us:.2f}" for size, us in points)
        print(f"  {engine:8s} {shown}")
    print("\ntargets: product at 10M lines <= 20 s and <= 500 MiB")


if __name__ == "__main__":
    main()
