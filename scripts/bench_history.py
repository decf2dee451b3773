"""Benchmark the history pass against git's own floor and the per-file approach.

    python scripts/bench_history.py                 # 20,000 commits / 3,000 files, at 1x 2x 4x
    python scripts/bench_history.py --quick         # small sizes, a smoke run

For each size it generates a repository with ``scripts/generate_repo.py`` and times
(median of ``--runs`` runs):

- **floor**: ``git log --name-status -z HEAD -- governance_records``, its output
  drained through a pipe and discarded (what git alone costs);
- **floor, same command**: the exact ``git log`` command ``read_history`` runs
  (``-M``, first-parent merge diffs, the framed field format), drained;
- **ours**: ``read_history`` (probe + status + the streamed pass + parsing);
- **per-file** (at 1x only): GitPython ``Repo.iter_commits(paths=f)`` for a
  seeded sample of files, reading each commit's author and date, timed for the
  sample and **extrapolated** to all files;

and the peak memory of one ``read_history`` pass in a fresh interpreter
(``tracemalloc`` peak of Python allocations and the process's max RSS).
Targets: ours/floor <= 1.3; per-file(sample)/ours >= 30; time(4x)/time(1x) <= 4.5.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

from scripts.generate_repo import RECORDS, generate_repo  # noqa: E402

from mkdocs_governance.history import read_history  # noqa: E402
from mkdocs_governance.history.gitcmd import GitRunner  # noqa: E402
from mkdocs_governance.history.reader import _Framing, log_arguments  # noqa: E402

_MEMORY_PROBE = """
import resource, sys, tracemalloc
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from mkdocs_governance.history import read_history
tracemalloc.start()
history = read_history(Path(sys.argv[1]), ["governance_records"])
current, peak = tracemalloc.get_traced_memory()
assert history.available
print(peak, current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass
class Row:
    """The measurements of one repository size."""

    scale: int
    commits: int
    files: int
    generate_s: float
    floor_s: float
    floor_same_s: float
    ours_s: float
    floor_cpu_s: float
    floor_same_cpu_s: float
    ours_cpu_s: float
    load: str
    peak_mib: float
    retained_mib: float
    rss_mib: float
    per_file_sample_s: float | None = None
    per_file_sample: int = 0
    per_file_all_s: float | None = None


def median_time(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """The median wall time and median CPU time (this process plus the git
    processes it waited for) of ``runs`` calls, after one warm-up call.

    CPU time is reported too because the machine may be shared: wall time then
    includes waiting for a core, CPU time does not.
    """
    action()
    walls, cpus = [], []
    for _ in range(runs):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time()
        start = time.perf_counter()
        action()
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(
            time.process_time()
            - cpu
            + (after.ru_utime + after.ru_stime)
            - (children.ru_utime + children.ru_stime)
        )
    return statistics.median(walls), statistics.median(cpus)


def drain(repo: Path, args: list[str]) -> None:
    """Run git and read its stdout to the end, discarding it."""
    with subprocess.Popen(["git", *args], cwd=repo, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        while process.stdout.read(1 << 16):
            pass
    if process.returncode:
        raise SystemExit(f"git {args} failed")


def per_file(repo: Path, sample: list[str]) -> float:
    """Seconds to list every commit of each file of ``sample`` with GitPython, one
    ``git log`` per file (the approach the single pass replaces)."""
    import git

    repository = git.Repo(repo)
    start = time.perf_counter()
    for path in sample:
        for commit in repository.iter_commits("HEAD", paths=path):
            _ = (commit.hexsha, commit.author.name, commit.author.email, commit.authored_datetime)
    elapsed = time.perf_counter() - start
    repository.close()
    return elapsed


def memory(repo: Path) -> tuple[float, float, float]:
    """(tracemalloc peak, retained, max RSS) in MiB for one pass in a fresh interpreter."""
    output = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(repo), str(ROOT / "plugins")],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    peak, retained, rss_kib = (int(value) for value in output)
    return peak / 2**20, retained / 2**20, rss_kib / 2**10


def measure(workdir: Path, scale: int, args: argparse.Namespace) -> Row:
    """Generate the repository of one size and take every measurement."""
    commits, files = args.commits * scale, args.files * scale
    repo = workdir / f"repo-{commits}-{files}"
    start = time.perf_counter()
    if not repo.exists():
        generate_repo(repo, commits=commits, files=files, authors=args.authors, seed=args.seed)
    generated = time.perf_counter() - start
    print(
        f"[{scale}x] {commits} commits, {files} files generated in {generated:.1f}s",
        file=sys.stderr,
    )
    load_before = os.getloadavg()[0]
    floor, floor_cpu = median_time(
        lambda: drain(repo, ["log", "--name-status", "-z", "HEAD", "--", RECORDS]), args.runs
    )
    # The exact command read_history runs, minus the leading "git".
    same = GitRunner(repo).command(log_arguments(_Framing.fresh(), "HEAD", [RECORDS]))[1:]
    floor_same, floor_same_cpu = median_time(lambda: drain(repo, same), args.runs)

    def ours() -> None:
        history = read_history(repo, [RECORDS])
        assert history.available, history.problems

    ours_s, ours_cpu = median_time(ours, args.runs)
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    peak, retained, rss = memory(repo)
    row = Row(
        scale, commits, files, generated, floor, floor_same, ours_s,
        floor_cpu, floor_same_cpu, ours_cpu, load, peak, retained, rss,
    )  # fmt: skip
    print(
        f"[{scale}x] floor {floor:.3f}s, same-command {floor_same:.3f}s, ours {ours_s:.3f}s",
        file=sys.stderr,
    )
    if scale == 1 and args.sample:
        tracked = subprocess.run(
            ["git", "ls-files", "-z", RECORDS], cwd=repo, capture_output=True, check=True
        ).stdout.decode().split("\0")[:-1]  # fmt: skip
        sample = random.Random(args.seed).sample(tracked, min(args.sample, len(tracked)))
        row.per_file_sample = len(sample)
        row.per_file_sample_s = statistics.median(
            per_file(repo, sample) for _ in range(args.per_file_runs)
        )
        row.per_file_all_s = row.per_file_sample_s * len(tracked) / len(sample)
        print(f"[1x] per-file {len(sample)} files {row.per_file_sample_s:.1f}s", file=sys.stderr)
    return row


def report(rows: list[Row], args: argparse.Namespace) -> str:
    """The Markdown tables of measurements and ratios."""
    lines = [
        "Wall time (median):",
        "",
        "| size | commits | record files | floor: `git log --name-status -z` | floor: same git command | ours: `read_history` | ours / floor | ours / same command | load avg (1 min) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.scale}x | {row.commits:,} | {row.files:,} | {row.floor_s:.3f} s | {row.floor_same_s:.3f} s "
            f"| {row.ours_s:.3f} s | {row.ours_s / row.floor_s:.2f} | {row.ours_s / row.floor_same_s:.2f} | {row.load} |"
        )
    lines += [
        "",
        "CPU time (median; git's plus ours, so it does not count waiting for a shared core):",
        "",
        "| size | floor | floor: same git command | ours | ours / floor | peak Python memory | retained | max RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.scale}x | {row.floor_cpu_s:.3f} s | {row.floor_same_cpu_s:.3f} s | {row.ours_cpu_s:.3f} s "
            f"| {row.ours_cpu_s / row.floor_cpu_s:.2f} | {row.peak_mib:.1f} MiB | {row.retained_mib:.1f} MiB | {row.rss_mib:.0f} MiB |"
        )
    base = rows[0]
    lines += ["", "| ratio | measured | target |", "| --- | ---: | ---: |"]
    lines.append(f"| ours / floor (1x), wall | {base.ours_s / base.floor_s:.2f} | <= 1.3 |")
    lines.append(f"| ours / floor (1x), CPU | {base.ours_cpu_s / base.floor_cpu_s:.2f} | - |")
    if base.per_file_sample_s is not None:
        lines.append(
            f"| per-file ({base.per_file_sample} files) / ours (all {base.files:,} files) "
            f"| {base.per_file_sample_s / base.ours_s:.0f}x | >= 30x |"
        )
        lines.append(
            f"| per-file, extrapolated to all {base.files:,} files (not run) / ours "
            f"| {base.per_file_all_s / base.ours_s:.0f}x ({base.per_file_all_s:.0f} s) | - |"  # type: ignore[operator]
        )
    for row in rows[1:]:
        lines.append(
            f"| time {row.scale}x / time 1x (wall; CPU) | {row.ours_s / base.ours_s:.2f}; "
            f"{row.ours_cpu_s / base.ours_cpu_s:.2f} | <= {row.scale * 1.125:.2f} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """Facts about the machine and tools the numbers were taken on."""
    git_version = subprocess.run(
        ["git", "--version"], capture_output=True, text=True
    ).stdout.strip()
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs visible, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {git_version}"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes (1,000 commits / 200 files)"
    )
    parser.add_argument("--commits", type=int, default=None)
    parser.add_argument("--files", type=int, default=None)
    parser.add_argument("--authors", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median)")
    parser.add_argument(
        "--sample", type=int, default=200, help="files timed with the per-file approach"
    )
    parser.add_argument("--per-file-runs", type=int, default=1)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep generated repositories here"
    )
    parser.add_argument("--output", type=Path, default=None, help="also write the tables here")
    args = parser.parse_args(argv)
    args.commits = args.commits or (1_000 if args.quick else 20_000)
    args.files = args.files or (200 if args.quick else 3_000)
    if args.quick:
        args.sample = min(args.sample, 50)
        args.runs = min(args.runs, 3)
    scales = [int(s) for s in args.scales.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        rows = [measure(workdir, scale, args) for scale in scales]
    text = (
        f"Command: `python scripts/bench_history.py {' '.join(argv if argv is not None else sys.argv[1:])}`\n\n"
        f"Machine: {machine()}\n\n{report(rows, args)}\n"
    )
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
