"""``mkdocs-governance generate --output DIR``: the wiki as plain files, for any engine.

The plugin adds the wiki's pages to an MkDocs (or ProperDocs) build. Other engines —
Zensical, Material's successor, silently ignores plugins it does not know — need the
pages as files: this command writes every page, plot, ``governance.json`` and the
wiki's assets (``assets/governance.css``, ``assets/tablesort.js``) into ``DIR``, laid
out as the plugin lays them out under its ``prefix``, so that ``DIR`` inside the
engine's docs folder is the same wiki. Links between the pages are relative.

It is not the gate: it writes the pages whatever the verdict and exits 0 (2 on a
usage problem); CI runs ``mkdocs-governance check`` as its own step. A folder it wrote
carries a manifest (``.mkdocs-governance``), so a rerun removes the pages of records
that are gone, and a folder it did not write is never overwritten.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from .cli import (
    EXIT_OK,
    UsageError,
    _add_config_arguments,
    _config_loader,
    _run,
    load_settings,
)

MANIFEST = ".mkdocs-governance"
ASSETS = ("governance.css", "tablesort.js")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--output DIR`` (required), ``--as-of``, ``--base`` and the config options."""
    parser.add_argument(
        "--output",
        "-o",
        required=True,
        metavar="DIR",
        help="the folder to write the wiki into, e.g. docs/governance",
    )
    parser.add_argument(
        "--as-of", metavar="DATE", help="judge date rules as of this day (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--base", metavar="REF", help="add the changes page against this base ref (a preview)"
    )
    _add_config_arguments(parser)
    # A Zensical user's mkdocs.yml lists no governance plugin: that is the point here.
    parser.set_defaults(expect_plugin=False)


def _site_settings(config_file: Path | None) -> dict[str, Any]:
    """``site_name``, ``repo_url`` and the plugin's link options from mkdocs.yml."""
    if config_file is None:
        return {}
    import yaml

    try:
        data = yaml.load(config_file.read_bytes(), Loader=_config_loader())
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def run_generate(args: argparse.Namespace, out: TextIO) -> int:
    """Write the wiki into ``--output``; say how the gate stands, but never fail on it."""
    from .cli import read_plugin_options
    from .site import SiteOptions, render_site

    settings = load_settings(args)
    output = Path(args.output)
    previous = _previous_files(output)
    run = _run(settings)
    site = _site_settings(settings.config_file)
    options = (
        read_plugin_options(settings.config_file, expect_plugin=False)
        if settings.config_file
        else {}
    )
    repo_url = options.get("repo_url") or site.get("repo_url") or None
    prefix = "governance"
    pages = render_site(
        run,
        SiteOptions(
            prefix=prefix,
            repo_url=str(repo_url).rstrip("/") if repo_url else None,
            branch=str(options.get("branch") or "main"),
            gate=settings.gate,
            plot_cache_dir=None,
            site_name=str(site.get("site_name") or ""),
        ),
        changes=run.changes,
    )
    written: list[str] = []
    try:
        for page in pages:
            relative = (
                page.path[len(prefix) + 1 :] if page.path.startswith(prefix + "/") else page.path
            )
            _write(output / relative, page.content)
            written.append(relative)
        for asset in ASSETS:
            data = resources.files("mkdocs_governance.site").joinpath("assets", asset).read_bytes()
            _write(output / "assets" / asset, data)
            written.append(f"assets/{asset}")
        for stale in sorted(set(previous) - set(written)):
            (output / stale).unlink(missing_ok=True)
        (output / MANIFEST).write_text("\n".join(sorted(written)) + "\n", encoding="utf-8")
    except OSError as problem:
        raise UsageError(f"cannot write to {output}: {problem.strerror or problem}") from None
    errors = len(run.report.errors)
    verdict = (
        "the gate passes"
        if not errors
        else f"the gate fails with {errors} error{'s' if errors != 1 else ''}"
    )
    out.write(
        f"Wrote {len(written)} files to {output} ({verdict}; `mkdocs-governance check` is the "
        "gate, run it as its own CI step).\n"
    )
    if errors:
        sys.stderr.write(
            f"note: {verdict}; the pages show it, and `mkdocs-governance check` exits 1.\n"
        )
    return EXIT_OK


def _previous_files(output: Path) -> list[str]:
    """The files an earlier run wrote; refuses a non-empty folder it did not write."""
    if not output.exists():
        return []
    if not output.is_dir():
        raise UsageError(f"{output} is a file, not a folder; name a folder for the wiki")
    manifest = output / MANIFEST
    if manifest.is_file():
        return [
            line
            for line in manifest.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith(("/", "..")) and "/../" not in line
        ]
    if any(output.iterdir()):
        raise UsageError(
            f"{output} already holds files that `generate` did not write; name an empty or "
            "new folder (the wiki is rebuilt from the records on every run)"
        )
    return []


def _write(target: Path, content: str | bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
