"""Benchmark the whole build: the plugin against a plain MkDocs build of the same pages.

    python scripts/bench_build.py                   # 5k/750, 10k/1,500, 20k/3,000 (about an hour)
    python scripts/bench_build.py --scales 1,4 --runs 3
    python scripts/bench_build.py --quick           # 1,250/188 .. 5,000/750, a smoke run

For each size it generates a repository with ``scripts/generate_repo.py`` (seeded;
realistic records with a known set of deliberate findings, ``gate: warn``) and
times, over ``--runs`` rounds **interleaved** (every action once per round, so a
change in the machine's load hits all alike) after a warm-up (plugin, plain, check), the median
and best wall time, the median and best CPU time (the process plus the processes
it waited for: git) and the max RSS of:

- **plugin**: ``mkdocs build`` of the generated repository (warm plot cache);
- **plugin, cold plots**: the same with the plot cache deleted first;
- **plain**: ``mkdocs build`` of the same pages without the plugin: the plugin's
  output (``render_site``) written as static files, the plugin removed, the same
  navigation the plugin produces and its CSS/JS assets;
- **check**: ``mkdocs-governance check`` (the gate without a site);
- **floor**: ``git log --name-status -z HEAD -- governance_records`` plus reading
  and YAML-parsing every record file (LibYAML), each its own process; the floor of
  a build is that plus **plain**;
- **peers** (where they install: ``pip install -e '.[bench]'``): the plain pages in
  a clone of the repository, committed, built with
  ``mkdocs-git-revision-date-localized-plugin`` and ``mkdocs-git-authors-plugin``,
  the assembly a user would otherwise reach for (dates and authors per page);
- **full nav** (up to ``--full-nav-scale``): the plugin with ``navigation: full``
  and the plain build with the same full navigation;
- **serve** (at the smallest size, or ``--serve-scale``): ``mkdocs serve`` and
  ``mkdocs serve --dirty`` in a subprocess; the CPU and wall time of a rebuild
  after editing one record (an experiment's conclusion) and after editing a docs
  page, read from ``/proc`` and from MkDocs' "Documentation built" line.

It prints the tables, the ratios against the targets, and the load average before
and after each size. Nothing here is a test: the numbers go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

from scripts.generate_repo import RECORDS, generate_repo  # noqa: E402

from mkdocs_governance.core import run_governance  # noqa: E402
from mkdocs_governance.site import SiteOptions, navigation, render_site  # noqa: E402

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
_READ_RECORDS = """
import sys, yaml
from pathlib import Path
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
count = 0
for path in sorted(Path(sys.argv[1]).rglob("*")):
    if path.suffix in (".yaml", ".yml", ".md") and path.is_file():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = text.split("---", 2)[1] if text.startswith("---") else ""
        yaml.load(text, Loader=loader)
        count += 1
print(count)
"""


@dataclass
class Timing:
    """Wall time, CPU time and max RSS of repeated runs of one action."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float, rss_mib: float) -> None:
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.rss.append(rss_mib)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def cpu_best(self) -> float:
        return min(self.cpus)

    @property
    def max_rss(self) -> float:
        return max(self.rss)


@dataclass
class Size:
    """One generated repository and its measurements."""

    scale: int
    commits: int
    files: int
    repo: Path
    plain: Path
    peers: Path | None
    pages: int = 0
    svgs: int = 0
    records: int = 0
    timings: dict[str, Timing] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    serve: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    serve_cold: dict[str, tuple[float, float]] = field(default_factory=dict)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _run(command: list[str], cwd: Path, before: Path | None = None) -> tuple[float, float, float]:
    """Run ``command``; (wall s, CPU s of it and its waited-for children, max RSS MiB).

    Through GNU ``time`` (``/usr/bin/time``): a child forked from this (large)
    process would report this process's RSS as its own high-water mark.
    """
    if before is not None:
        shutil.rmtree(before, ignore_errors=True)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        timed = ["/usr/bin/time", "-q", "-o", report.name, "-f", "%e %U %S %M", *command]
        result = subprocess.run(timed, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, check=False)  # fmt: skip
        fields = report.read().split()[-4:]
    if result.returncode not in (0, 1) or (result.returncode == 1 and "check" not in command):
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result.stderr.decode()[-3000:]}")
    wall, user, system, rss_kib = (float(x) for x in fields)
    return wall, user + system, rss_kib / 1024


def _as_of(repo: Path) -> str:
    match = re.search(r"as_of: (\S+)", (repo / "mkdocs.yml").read_text(encoding="utf-8"))
    assert match
    return match.group(1)


def _plain_yml(repo: Path, nav: list, extra: str = "") -> str:
    """The repository's mkdocs.yml without the governance plugin, with ``nav``."""
    import yaml

    text = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    head = text.split("plugins:")[0]
    assets = "extra_css: [governance/assets/governance.css]\n"
    assets += "extra_javascript: [governance/assets/tablesort.js]\n"
    plugins = "plugins:\n  - search\n" + extra
    body = yaml.safe_dump({"nav": [{"Home": "index.md"}, {"Governance": nav}]}, sort_keys=False)
    return head + assets + plugins + body


def prepare(size: Size) -> None:
    """Generate the repository and the plain (and peer) copies of its pages."""
    repo = size.repo
    if not (repo / "mkdocs.yml").is_file():
        shutil.rmtree(repo, ignore_errors=True)
        generate_repo(repo, commits=size.commits, files=size.files, authors=25, seed=7)
    from datetime import date

    run = run_governance(repo / RECORDS, as_of=date.fromisoformat(_as_of(repo)))
    options = SiteOptions(gate="warn", plot_cache_dir=repo / ".governance-cache" / "plots")
    pages = render_site(run, options)
    size.pages = sum(1 for p in pages if p.is_markdown)
    size.svgs = sum(1 for p in pages if p.path.endswith(".svg"))
    size.records = sum(1 for p in (repo / RECORDS).rglob("*") if p.is_file())
    shutil.rmtree(size.plain, ignore_errors=True)
    docs = size.plain / "docs"
    for page in pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(page.content, bytes):
            target.write_bytes(page.content)
        else:
            target.write_text(page.content, encoding="utf-8")
    for asset in ("governance.css", "tablesort.js"):
        data = resources.files("mkdocs_governance.site").joinpath("assets", asset).read_bytes()
        (docs / "governance" / "assets" / asset).write_bytes(data)
    shutil.copy(repo / "docs" / "index.md", docs / "index.md")
    short = navigation(pages, full=False)
    (size.plain / "mkdocs.yml").write_text(_plain_yml(repo, short), encoding="utf-8")
    (size.plain / "mkdocs-full.yml").write_text(
        _plain_yml(repo, navigation(pages, full=True)), encoding="utf-8"
    )
    (repo / "mkdocs-full.yml").write_text(
        (repo / "mkdocs.yml")
        .read_text(encoding="utf-8")
        .replace("      gate: warn\n", "      gate: warn\n      navigation: full\n"),
        encoding="utf-8",
    )
    if size.peers is not None:
        shutil.rmtree(size.peers, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", str(repo), str(size.peers)], check=True)
        shutil.rmtree(size.peers / "docs")
        shutil.copytree(docs, size.peers / "docs")
        peers = "  - git-revision-date-localized\n  - git-authors\n"
        (size.peers / "mkdocs.yml").write_text(_plain_yml(repo, short, peers), encoding="utf-8")
        git = ["git", "-c", "user.name=Wiki Bot", "-c", "user.email=wiki@bank.example"]
        subprocess.run([*git, "add", "-A", "docs", "mkdocs.yml"], cwd=size.peers, check=True)
        subprocess.run(
            [*git, "commit", "-q", "-m", "Publish the wiki pages"], cwd=size.peers, check=True
        )


def actions(size: Size, full_nav: bool) -> dict[str, tuple[list[str], Path, Path | None]]:
    """name -> (command, cwd, folder deleted before each run)."""
    mkdocs = str(BIN / "mkdocs")
    out = size.repo.parent / f"out-{size.scale}"
    build = [mkdocs, "build", "-q", "-d", str(out)]
    table: dict[str, tuple[list[str], Path, Path | None]] = {
        "plugin": (build, size.repo, None),
        "plugin, cold plots": (build, size.repo, size.repo / ".governance-cache" / "plots"),
        "plain": (build, size.plain, None),
        "check": ([str(BIN / "mkdocs-governance"), "check"], size.repo, None),
        "floor: git log": (
            ["git", "log", "--name-status", "-z", "HEAD", "--", RECORDS],
            size.repo,
            None,
        ),
        "floor: read records": ([sys.executable, "-c", _READ_RECORDS, RECORDS], size.repo, None),
    }
    if size.peers is not None:
        table["peers"] = (build, size.peers, None)
    if full_nav:
        table["plugin, full nav"] = ([*build, "-f", "mkdocs-full.yml"], size.repo, None)
        table["plain, full nav"] = ([*build, "-f", "mkdocs-full.yml"], size.plain, None)
    return table


def measure(size: Size, runs: int, full_nav: bool, only: set[str] | None = None) -> None:
    table = actions(size, full_nav)
    if only:
        table = {name: action for name, action in table.items() if name in only}
    size.load_before = _load()
    for name in ("plugin", "plain", "check"):  # warm-up: the plot cache, the OS's file cache
        if name in table:
            _run(*table[name])
        print(f"  warm-up {name}", file=sys.stderr)
    for round_number in range(runs):
        for name, (command, cwd, before) in table.items():
            size.timings.setdefault(name, Timing()).add(*_run(command, cwd, before))
        print(f"  round {round_number + 1}/{runs} done (load {_load()})", file=sys.stderr)
    size.load_after = _load()


# -- serve ------------------------------------------------------------------------------


def _cpu_of(pid: int) -> float:
    """CPU seconds of ``pid`` and of the children it waited for (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Served:
    """A running ``mkdocs serve`` whose log is read line by line on a thread."""

    def __init__(self, mode: str, repo: Path) -> None:
        self.mode = mode
        command = [str(BIN / "mkdocs"), *mode.split(), "-a", f"127.0.0.1:{_free_port()}"]
        self.process = subprocess.Popen(
            command, cwd=repo, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def built(self, timeout: float = 900) -> float:
        """Wait for the next "Documentation built" line; its time (perf_counter)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise SystemExit(f"{self.mode} stopped") from None
                continue
            if "Documentation built in" in line:
                return time.perf_counter()
            if "ERROR" in line or "Traceback" in line:
                print(f"  {self.mode}: {line.rstrip()}", file=sys.stderr)
        raise SystemExit(f"{self.mode}: no rebuild within {timeout} s")

    def cpu(self) -> float:
        return _cpu_of(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def measure_serve(size: Size, rounds: int) -> None:
    """Rebuild cost of ``mkdocs serve`` (and ``--dirty``) after a record and a docs edit."""
    repo = size.repo
    experiment = sorted((repo / RECORDS / "experiments").glob("*.yaml"))[3]
    page = repo / "docs" / "index.md"
    original_record = experiment.read_text(encoding="utf-8")
    original_page = page.read_text(encoding="utf-8")
    for mode in ("serve", "serve --dirty"):
        served = _Served(mode, repo)
        try:
            start = time.perf_counter()
            done = served.built()
            size.serve_cold[mode] = (done - start, served.cpu())
            time.sleep(2)
            for number in range(rounds):
                for kind in ("record", "docs"):
                    cpu = served.cpu()
                    start = time.perf_counter()
                    if kind == "record":
                        text = experiment.read_text(encoding="utf-8").replace(
                            'conclusion: "', f'conclusion: "Edit {mode} {number}. ', 1
                        )
                        experiment.write_text(text, encoding="utf-8")
                    else:
                        page.write_text(original_page + f"\nEdit {number}.\n", encoding="utf-8")
                    done = served.built()
                    size.serve.setdefault(f"{mode}: {kind} edit", []).append(
                        (done - start, served.cpu() - cpu)
                    )
                    time.sleep(2)
        finally:
            served.stop()
            experiment.write_text(original_record, encoding="utf-8")
            page.write_text(original_page, encoding="utf-8")


# -- report -----------------------------------------------------------------------------


def report(sizes: list[Size], runs: int) -> None:
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}"
    )
    print(f"{runs} interleaved rounds after a warm-up; CPU = process + waited-for children.\n")
    print("| size | commits | record files | pages (md/svg) | load before → after |")
    print("| --- | ---: | ---: | --- | --- |")
    for s in sizes:
        print(
            f"| {s.scale}x | {s.commits:,} | {s.records:,} | {s.pages:,}/{s.svgs:,} | "
            f"{s.load_before} → {s.load_after} |"
        )
    print("\n| size | action | CPU median | CPU best | wall median | wall best | max RSS |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for s in sizes:
        for name, t in s.timings.items():
            print(
                f"| {s.scale}x | {name} | {t.cpu:.2f} s | {t.cpu_best:.2f} s | {t.wall:.2f} s "
                f"| {t.best:.2f} s | {t.max_rss:.0f} MiB |"
            )
    print("\n| size | ratio | CPU median | CPU best | wall median |")
    print("| --- | --- | ---: | ---: | ---: |")
    for s in sizes:
        t = s.timings
        pairs = [("plugin / plain", t["plugin"], t["plain"])]
        if "plugin, cold plots" in t:
            pairs.append(("plugin cold plots / plain", t["plugin, cold plots"], t["plain"]))
        if "peers" in t:
            pairs.append(("peers / plugin", t["peers"], t["plugin"]))
        if "plugin, full nav" in t:
            pairs.append(("plugin full nav / plugin", t["plugin, full nav"], t["plugin"]))
            pairs.append(
                ("plugin full nav / plain full nav", t["plugin, full nav"], t["plain, full nav"])
            )
        for label, a, b in pairs:
            print(
                f"| {s.scale}x | {label} | {a.cpu / b.cpu:.2f} | {a.cpu_best / b.cpu_best:.2f} "
                f"| {a.wall / b.wall:.2f} |"
            )
        if "floor: git log" in t and "floor: read records" in t:
            floor_cpu = t["floor: git log"].cpu + t["floor: read records"].cpu + t["plain"].cpu
            ratio = t["plugin"].cpu / floor_cpu
            print(f"| {s.scale}x | plugin / floor (git log + read + plain) | {ratio:.2f} | | |")
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        factor = last.scale / first.scale
        print(f"\nGrowth {first.scale}x → {last.scale}x ({factor:.0f}x the commits and records):\n")
        print("| action | CPU median | CPU best | wall median | max RSS |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for name in ("plugin", "plain", "check", "floor: git log"):
            if name not in last.timings or name not in first.timings:
                continue
            a, b = last.timings[name], first.timings[name]
            print(
                f"| {name} | {a.cpu / b.cpu:.2f}x | {a.cpu_best / b.cpu_best:.2f}x | "
                f"{a.wall / b.wall:.2f}x | {a.max_rss / b.max_rss:.2f}x |"
            )
    for s in sizes:
        if not s.serve:
            continue
        print(f"\nServe at {s.scale}x ({s.commits:,} commits), rebuild after an edit:\n")
        print(
            "| mode | first build CPU | rebuild | CPU median | wall median | CPU / first build | CPU / `mkdocs build` |"
        )
        print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
        for key, values in s.serve.items():
            mode, _, what = key.partition(": ")
            cold_cpu = s.serve_cold[mode][1]
            cpu = statistics.median(v[1] for v in values)
            wall = statistics.median(v[0] for v in values)
            print(
                f"| {mode} | {cold_cpu:.2f} s | {what} | {cpu:.2f} s | {wall:.2f} s | "
                f"{cpu / cold_cpu:.2f} | {cpu / s.timings['plugin'].cpu:.2f} |"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=5_000, help="commits at 1x")
    parser.add_argument("--files", type=int, default=750, help="record files at 1x")
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-nav-scale", type=int, default=2, help="largest scale with full nav")
    parser.add_argument(
        "--serve-scale", type=int, default=1, help="scale of the serve runs (0: none)"
    )
    parser.add_argument("--serve-rounds", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1,250 commits at 1x, one round")
    parser.add_argument(
        "--actions", help="comma-separated subset of the actions (e.g. 'plugin,plain,check')"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-build"))
    args = parser.parse_args(argv)
    if args.quick:
        args.commits, args.files, args.runs, args.serve_rounds = 1_250, 188, 1, 1
    peers = not args.no_peers and all(
        importlib.util.find_spec(name)
        for name in ("mkdocs_git_revision_date_localized_plugin", "mkdocs_git_authors_plugin")
    )
    if not peers and not args.no_peers:
        print("peers not installed (pip install -e '.[bench]'): skipped", file=sys.stderr)
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = []
    for scale in (int(x) for x in args.scales.split(",")):
        commits, files = args.commits * scale, args.files * scale
        name = f"{commits}-{files}"
        size = Size(
            scale, commits, files, args.workdir / f"repo-{name}", args.workdir / f"plain-{name}",
            args.workdir / f"peers-{name}" if peers else None,
        )  # fmt: skip
        print(f"{scale}x: {commits} commits, {files} record files", file=sys.stderr)
        prepare(size)
        only = set(args.actions.split(",")) if args.actions else None
        measure(size, args.runs, full_nav=scale <= args.full_nav_scale, only=only)
        if scale == args.serve_scale:
            measure_serve(size, args.serve_rounds)
        sizes.append(size)
        report(sizes, args.runs)  # after each size, so a long run shows what it has
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
