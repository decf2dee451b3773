"""Time ``mkdocs serve`` rebuilds in-process, the way ``mkdocs serve`` runs them.

    python scripts/bench_serve.py REPO [--dirty]

One plugin instance across builds and the config reloaded for each (as MkDocs'
``serve`` does); prints the CPU seconds of the first build, of a rebuild after
editing ``docs/index.md`` and of a rebuild after editing one record (an experiment's
conclusion), and restores both files. REPO is a repository from
``scripts/generate_repo.py``. ``scripts/bench_build.py`` measures the same through a
real ``mkdocs serve`` subprocess; this one has no file-watcher delays and no server.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--dirty", action="store_true", help="as `mkdocs serve --dirty`")
    args = parser.parse_args(argv)
    repo: Path = args.repo.resolve()
    site = tempfile.mkdtemp(prefix="bench-serve-")

    def rebuild(first: bool = False) -> float:
        config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=site)
        if first:
            config.plugins.on_startup(command="serve", dirty=args.dirty)
        start = time.process_time()
        build(config, serve_url="http://127.0.0.1:8000/", dirty=args.dirty)
        return time.process_time() - start

    first = rebuild(first=True)
    page = repo / "docs" / "index.md"
    experiment = sorted((repo / "governance_records" / "experiments").glob("*.yaml"))[3]
    page_text, record_text = page.read_text(), experiment.read_text()
    try:
        page.write_text(page_text + "\nEdited.\n")
        docs = rebuild()
        experiment.write_text(record_text.replace('conclusion: "', 'conclusion: "Edited. ', 1))
        record = rebuild()
    finally:
        page.write_text(page_text)
        experiment.write_text(record_text)
    mode = "serve --dirty" if args.dirty else "serve"
    print(f"{mode}: first build {first:.2f} s CPU")
    print(f"{mode}: docs edit {docs:.2f} s ({docs / first:.0%} of the first build)")
    print(f"{mode}: record edit {record:.2f} s ({record / first:.0%} of the first build)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
