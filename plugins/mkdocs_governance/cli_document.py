"""``mkdocs-governance document``: the model document of one version (CLI adapter).

Thin: it reads the settings, runs the same pipeline as ``check`` and hands the result
to [`mkdocs_governance.document`][mkdocs_governance.document]. The date rules are judged
as of the HEAD commit's date unless ``--as-of`` says otherwise, so the same commit makes
the same document on any day (a pinned ``as_of`` in mkdocs.yml is not used here).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from .cli import (
    EXIT_OK,
    Command,
    UsageError,
    _add_config_arguments,
    _find_version,
    _repo_root,
    _run,
    load_settings,
    parse_date,
)

FORMATS = ("html", "docx", "pdf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``document``."""
    parser.add_argument("version", metavar="MODEL@VERSION", help="e.g. credit-default-pd@2.0")
    parser.add_argument(
        "--format", choices=FORMATS, default="html", help="output format (default: html)"
    )
    parser.add_argument(
        "--template",
        metavar="FILE",
        help="docx only: a company Word template with docxtpl placeholders (docs/documents.md)",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="where to write it (default: MODEL-VERSION.FORMAT here; - for standard output)",
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="judge date rules as of this day (default: the date of the HEAD commit)",
    )
    _add_config_arguments(parser)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Write the document; exit 0 once written (the gate's verdict is inside it)."""
    from .document import MadeFrom, build_document
    from .document.model import regenerate_command

    if args.template and args.format != "docx":
        raise UsageError("--template is a Word template: use it with --format docx")
    template = Path(args.template) if args.template else None
    if template is not None and not template.is_file():
        raise UsageError(f"the template {template} does not exist")
    settings = load_settings(args)
    commit, commit_date = _head(_repo_root(settings))
    if args.as_of:
        as_of = parse_date(args.as_of, "--as-of")
    else:
        as_of = commit_date.astimezone(UTC).date() if commit_date else date.today()
    settings = replace(settings, as_of=as_of, base_ref=None)
    governance = _run(settings, with_base=False)
    _find_version(governance.registry, args.version)
    uncommitted = tuple(sorted(governance.history.worktree)) if commit else ()
    made_from = MadeFrom(
        commit=commit,
        commit_date=commit_date,
        uncommitted=uncommitted,
        as_of=as_of,
        command=regenerate_command(
            args.version, as_of=as_of, fmt=args.format, template=args.template
        ),
    )
    doc = build_document(governance, args.version, made_from=made_from)
    data = _render(doc, args.format, template)
    target = args.output or f"{doc.model_id}-{doc.version}.{args.format}"
    if target == "-":
        stream = getattr(out, "buffer", None) or sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return EXIT_OK
    path = Path(target)
    try:
        path.write_bytes(data)
    except OSError as problem:
        raise UsageError(f"cannot write {path}: {problem.strerror or problem}") from None
    if not made_from.reproducible:
        sys.stderr.write(
            "warning: the document is not reproducible from a commit: "
            + (
                "the records are not in a Git repository\n"
                if commit is None
                else "uncommitted changes to " + ", ".join(uncommitted) + "\n"
            )
        )
    out.write(f"{path} ({args.format}, {doc.key}, as of {as_of.isoformat()})\n")
    return EXIT_OK


def _render(doc: object, fmt: str, template: Path | None) -> bytes:
    from .document import figures
    from .document.docx import DocxUnavailable, render_docx
    from .document.html import render_html
    from .document.model import ModelDocument
    from .document.pdf import PdfUnavailable, render_pdf

    assert isinstance(doc, ModelDocument)
    try:
        if fmt == "html":
            return render_html(doc)
        if fmt == "pdf":
            return render_pdf(render_html(doc))
        pngs = []
        metrics_png = figures.metrics_figure(doc.metrics, "png")
        if metrics_png is not None:
            pngs.append((metrics_png, f"Metrics of {doc.key} against the policy's bounds."))
        history_png = figures.history_figure(dict(doc.metric_history), "png")
        if history_png is not None:
            pngs.append((history_png, "Training history of the version's experiment."))
        return render_docx(doc, template, figures_png=pngs)
    except (DocxUnavailable, PdfUnavailable) as missing:
        raise UsageError(str(missing)) from None
    except Exception as problem:
        if template is not None and type(problem).__module__.startswith(("jinja2", "docxtpl")):
            raise UsageError(f"the template {template} cannot be filled: {problem}") from None
        raise


def _head(repo_root: Path) -> tuple[str | None, datetime | None]:
    """The HEAD commit and its committer date, or (None, None) outside a repository."""
    from .history.gitcmd import GitRunner

    if not (repo_root / ".git").exists():
        return None, None
    result = GitRunner(repo_root).run(["log", "-1", "--format=%H%x00%cI", "HEAD", "--"])
    if result.status != 0 or b"\x00" not in result.stdout:
        return None, None
    sha, _, when = result.stdout.decode("utf-8", "replace").strip().partition("\x00")
    try:
        return sha, datetime.fromisoformat(when)
    except ValueError:
        return sha, None


COMMAND = Command(
    "write the model document of a version (html, docx or pdf)",
    add_arguments,
    run,
    "Write one document for MODEL@VERSION with every section an auditor asks for: "
    "identification, intended use and limits, data, experiments and decisions, "
    "performance against the policy's bounds, verification, sign-offs with their Git "
    "provenance, changes since the previous version, open findings and deployments. "
    "The same commit gives the same html and docx, byte for byte. Exit codes: 0 written, "
    "2 usage problem.",
)
