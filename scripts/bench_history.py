"""Benchmark the history pass against git's own floor and the per-file approach.

    python scripts/bench_history.py                 # 20,000 commits / 3,000 files, at 1x 2x 4x
    python scripts/bench_history.py --quick         # small sizes, a smoke run

For each size it generates a repository with ``scripts/generate_repo.py`` and times,
over ``--runs`` runs interleaved (floor, same command, ours, floor, ...) after a
warm-up, the median and the best wall time and the median CPU time of:

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
traced = sys.argv[3] == "traced"
if traced:
    tracemalloc.start()
history = read_history(Path(sys.argv[1]), ["governance_records"])
assert history.available
current, peak = tracemalloc.get_traced_memory() if traced else (0, 0)
print(peak, current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@dataclass
class Timing:
    """Wall and CPU times of repeated runs of one action."""

    walls: list[float]
    cpus: list[float]

    @property
    def wall(self) -> float:
        """Median wall time."""
        return statistics.median(self.walls)

    @property
    def best(self) -> float:
        """Fastest wall time: the closest to an idle machine."""
        return min(self.walls)

    @property
    def cpu(self) -> float:
        """Median CPU time (this process plus the git processes it waited for)."""
        return statistics.median(self.cpus)


@dataclass
class Row:
    """The measurements of one repository size."""

    scale: int
    commits: int
    files: int
    generate_s: float
    timings: dict[str, Timing]
    load: str
    peak_mib: float
    retained_mib: float
    rss_mib: float
    per_file_sample_s: float | None = None
    per_file_sample: int = 0
    per_file_all_s: float | None = None

    @property
    def floor(self) -> Timing:
        """Plain ``git log --name-status -z``."""
        return self.timings["floor"]

    @property
    def same(self) -> Timing:
        """The exact git command of the pass."""
        return self.timings["same"]

    @property
    def ours(self) -> Timing:
        """``read_history``."""
        return self.timings["ours"]


def time_interleaved(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, Timing]:
    """Time each action ``runs`` times, interleaved (A B C A B C ...) after one
    warm-up each, so that a change in machine load hits all of them alike.

    CPU time is taken too because the machine may be shared: wall time then
    includes waiting for a core, CPU time does not.
    """
    for action in actions.values():
        action()
    timings = {name: Timing([], []) for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = time.process_time()
            start = time.perf_counter()
            action()
            timings[name].walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            timings[name].cpus.append(
                time.process_time()
                - cpu
                + (after.ru_utime + after.ru_stime)
                - (children.ru_utime + children.ru_stime)
            )
    return timings


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
    """(tracemalloc peak, retained, max RSS) in MiB for one pass in a fresh interpreter.

    The RSS comes from a second run without tracemalloc, whose bookkeeping would
    inflate it.
    """

    def probe(mode: str) -> list[int]:
        output = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, str(repo), str(ROOT / "plugins"), mode],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        return [int(value) for value in output]

    peak, retained, _ = probe("traced")
    _, _, rss_kib = probe("plain")
    return peak / 2**20, retained / 2**20, rss_kib / 2**10


def measure(workdir: Path, scale: int, args: argparse.Namespace) -> Row:
    """Generate the repository of one size and take every measurement."""
    commits = args.commits * scale
    files = args.files if args.fixed_files else args.files * scale
    repo = workdir / f"repo-{commits}-{files}"
    start = time.perf_counter()
    if not repo.exists():
        generate_repo(repo, commits=commits, files=files, authors=args.authors, seed=args.seed)
    generated = time.perf_counter() - start
    print(
        f"[{scale}x] {commits} commits, {files} files generated in {generated:.1f}s",
        file=sys.stderr,
    )
    # The exact command read_history runs, minus the leading "git".
    same = GitRunner(repo).command(log_arguments(_Framing.fresh(), "HEAD", [RECORDS]))[1:]

    def ours() -> None:
        history = read_history(repo, [RECORDS])
        assert history.available, history.problems

    load_before = os.getloadavg()[0]
    timings = time_interleaved(
        {
            "floor": lambda: drain(repo, ["log", "--name-status", "-z", "HEAD", "--", RECORDS]),
            "same": lambda: drain(repo, same),
            "ours": ours,
        },
        args.runs,
    )
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    peak, retained, rss = memory(repo)
    row = Row(scale, commits, files, generated, timings, load, peak, retained, rss)
    print(
        f"[{scale}x] "
        + ", ".join(
            f"{name} {t.wall:.3f}s (best {t.best:.3f}s, cpu {t.cpu:.3f}s)"
            for name, t in timings.items()
        ),
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
        "| size | commits | record files | measure | floor: `git log --name-status -z` | floor: same git command | ours: `read_history` | ours / floor | ours / same command |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        for label, pick in (
            ("wall, median", lambda t: t.wall),
            ("wall, best", lambda t: t.best),
            ("CPU, median", lambda t: t.cpu),
        ):
            floor, same, ours = pick(row.floor), pick(row.same), pick(row.ours)
            lines.append(
                f"| {row.scale}x | {row.commits:,} | {row.files:,} | {label} | {floor:.3f} s "
                f"| {same:.3f} s | {ours:.3f} s | {ours / floor:.2f} | {ours / same:.2f} |"
            )
    lines += [
        "",
        "| size | load average (1 min) before → after the timed runs | peak Python memory | retained after the pass | max RSS |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.scale}x | {row.load} | {row.peak_mib:.1f} MiB | {row.retained_mib:.1f} MiB | {row.rss_mib:.0f} MiB |"
        )
    base = rows[0]
    lines += ["", "| ratio | measured | target |", "| --- | ---: | ---: |"]
    lines.append(
        f"| ours / floor (1x): wall median; best; CPU | {base.ours.wall / base.floor.wall:.2f}; "
        f"{base.ours.best / base.floor.best:.2f}; {base.ours.cpu / base.floor.cpu:.2f} | <= 1.3 |"
    )
    if base.per_file_sample_s is not None and base.per_file_all_s is not None:
        lines.append(
            f"| per-file ({base.per_file_sample} files) / ours (all {base.files:,} files), wall median "
            f"| {base.per_file_sample_s / base.ours.wall:.0f}x | >= 30x |"
        )
        lines.append(
            f"| per-file, extrapolated to all {base.files:,} files (not run) / ours "
            f"| {base.per_file_all_s / base.ours.wall:.0f}x ({base.per_file_all_s:.0f} s) | - |"
        )
    for row in rows[1:]:
        lines.append(
            f"| ours {row.scale}x / ours 1x: wall median; best; CPU | {row.ours.wall / base.ours.wall:.2f}; "
            f"{row.ours.best / base.ours.best:.2f}; {row.ours.cpu / base.ours.cpu:.2f} | <= {row.scale * 1.125:.2f} |"
        )
        lines.append(
            f"| floor {row.scale}x / floor 1x (git alone, for comparison): best; CPU "
            f"| {row.floor.best / base.floor.best:.2f}; {row.floor.cpu / base.floor.cpu:.2f} | - |"
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
    parser.add_argument(
        "--fixed-files",
        action="store_true",
        help="scale only the number of commits, not the number of record files",
    )
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
