"""The model document as a Word file (.docx).

Two ways, one content:

- **default**: python-docx builds the document section by section (headings, tables,
  the performance figures as PNG);
- **a company template** (``--template FILE``): a .docx with docxtpl placeholders
  (``{{ model_name }}``, ``{%tr for s in signoffs %}``...), filled with the names of
  [`ModelDocument.template_context`][mkdocs_governance.document.model.ModelDocument.template_context].

Record text is always inserted as text: python-docx writes it as ``w:t`` runs, and the
template is rendered with autoescaping, so a record cannot add a field code, a
hyperlink or any other markup to the file. Characters XML cannot hold (control
characters) are dropped. The file is normalised by
[`normalise_zip`][mkdocs_governance.document.reproducible.normalise_zip] with the
commit's date in the core properties, so the same commit gives the same bytes.

python-docx and docxtpl come with the ``document`` extra
(``pip install "mkdocs-governance[document]"``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .model import SECTION_TITLES, ModelDocument
from .reproducible import ZIP_EPOCH, normalise_zip

# XML 1.0 has no place for these; python-docx refuses them, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


class DocxUnavailable(RuntimeError):
    """python-docx (or docxtpl, for a template) is not installed."""


def render_docx(
    doc: ModelDocument, template: Path | None = None, *, figures_png: list[tuple[bytes, str]]
) -> bytes:
    """The document as .docx bytes.

    Args:
        doc: the document.
        template: a company template with docxtpl placeholders, or None for the default.
        figures_png: the performance figures as (PNG bytes, caption).

    Raises:
        DocxUnavailable: the library needed is not installed (the message says how).
    """
    if template is not None:
        data = _render_template(doc, template, figures_png)
    else:
        data = _render_default(doc, figures_png)
    return normalise_zip(data, _when(doc))


def text(value: object) -> str:
    """Record text as Word can hold it (control characters dropped)."""
    return _NOT_XML.sub("", "" if value is None else str(value))


# -- the default layout ----------------------------------------------------------------------


def _render_default(doc: ModelDocument, figures_png: list[tuple[bytes, str]]) -> bytes:
    try:
        import docx
        from docx.shared import Mm
    except ImportError as missing:
        raise DocxUnavailable(
            'the docx format needs python-docx: pip install "mkdocs-governance[document]"'
        ) from missing
    word = docx.Document()
    _set_properties(word.core_properties, doc)
    word.add_heading(text(doc.title), level=0)
    word.add_paragraph(
        text(("Gate passed. " if doc.gate_passed else "Gate failed. ") + doc.verdict)
    )
    if not doc.made_from.reproducible:
        word.add_paragraph(
            text(
                "Not reproducible from a commit: "
                + (
                    "the records are not in a Git repository."
                    if doc.made_from.commit is None
                    else "made with uncommitted changes to "
                    + ", ".join(doc.made_from.uncommitted)
                    + "."
                )
            )
        )

    word.add_heading(SECTION_TITLES["identification"], level=1)
    _table(word, ("Field", "Value"), [(row.label, row.value) for row in doc.identification])
    if doc.description:
        word.add_heading("Description", level=2)
        _markdown(word, doc.description)
    if doc.overview:
        word.add_heading("Overview", level=2)
        _markdown(word, doc.overview)

    word.add_heading(SECTION_TITLES["use"], level=1)
    for part in doc.card:
        heading = part.title + (f" (required for {doc.risk_tier} risk)" if part.required else "")
        word.add_heading(text(heading), level=2)
        _markdown(word, part.text or "Not documented.")
    if doc.completeness_missing:
        word.add_paragraph(
            text("Incomplete for the policy: " + "; ".join(doc.completeness_missing) + ".")
        )

    word.add_heading(SECTION_TITLES["data"], level=1)
    _table(
        word,
        ("Dataset", "Source", "Version", "sha256", "Personal data", "Licence"),
        [
            (
                f"{d.name or d.id} ({d.id})",
                d.source,
                d.version,
                d.sha256,
                d.personal_data,
                d.license,
            )
            for d in doc.datasets
        ],
        empty="No dataset is named by the model or the version.",
    )

    word.add_heading(SECTION_TITLES["development"], level=1)
    word.add_heading("Experiments", level=2)
    if not doc.experiments:
        word.add_paragraph("No experiment record names this model.")
    for e in doc.experiments:
        suffix = ", this version's experiment" if e.this_version else ""
        word.add_heading(text(f"{e.date} · {e.title or e.id} ({e.id}, {e.outcome}{suffix})"), 3)
        word.add_paragraph(text(f"Author: {e.author}"))
        if e.hypothesis:
            word.add_paragraph(text(f"Hypothesis: {_plain(e.hypothesis)}"))
        if e.conclusion:
            word.add_paragraph(text(f"Conclusion: {_plain(e.conclusion)}"))
        if e.metrics:
            metrics = "; ".join(f"{m.label} = {m.value}" for m in e.metrics)
            word.add_paragraph(text(f"Metrics: {metrics}"))
    word.add_heading("Decisions", level=2)
    _table(
        word,
        ("Decision", "Status", "Date", "Decided by"),
        [(f"{d.title} ({d.id})", d.status, d.date, d.decision_makers) for d in doc.decisions],
        empty="No decision record names this model.",
    )

    word.add_heading(SECTION_TITLES["performance"], level=1)
    _table(
        word,
        ("Metric", "Value", "Policy bound", "Result"),
        [(m.name, m.value_text, m.bound or "—", m.state) for m in doc.metrics],
        empty="The version records no metrics.",
    )
    for png, caption in figures_png:
        word.add_picture(io.BytesIO(png), width=Mm(160))
        word.add_paragraph(text(caption))

    word.add_heading(SECTION_TITLES["verification"], level=1)
    rows: list[tuple[str, ...]] = []
    for c in doc.checks:
        who = "the gate, from the records" if c.automatic else c.performed_by
        when = f", {c.date}" if c.date and not c.automatic else ""
        result = c.state + (f" (recorded: {c.status})" if c.status and c.status != c.state else "")
        if c.waiver_reason or c.waiver_by:
            expiry = f" until {c.waiver_expires}" if c.waiver_expires else ""
            result += f"; waived by {c.waiver_by}{expiry}: {c.waiver_reason}"
        if c.state != "met" and c.detail:
            result += f" — {c.detail}"
        rows.append((c.stage, f"{c.title} ({c.check})", result, who + when, c.evidence or "—"))
    _table(
        word,
        ("Stage", "Check", "Result", "Performed by, when", "Evidence"),
        rows,
        empty=f"No check is required up to {doc.stage}.",
    )

    word.add_heading(SECTION_TITLES["oversight"], level=1)
    rows = []  # the same list type, new rows
    for s in doc.signoffs:
        provenance = (
            f"commit {s.commit[:12]} by {s.commit_author} on {s.commit_date}; "
            f"signature: {s.signature}"
            if s.commit
            else s.signature
        )
        notes = s.comment + (f" Conditions: {'; '.join(s.conditions)}" if s.conditions else "")
        rows.append(
            (
                s.approver,
                f"{s.role} · {s.stage}",
                f"{s.decision} · {s.date}",
                s.state,
                provenance,
                notes.strip(),
            )
        )
    _table(
        word,
        ("Approver", "Role · stage", "Decision · date", "State", "Provenance", "Comment"),
        rows,
        empty="No sign-off names this version.",
    )
    word.add_heading("Still missing", level=2)
    if not doc.missing:
        word.add_paragraph(f"Nothing: every requirement up to {doc.stage} is met.")
    for m in doc.missing:
        label = m.stage + ("" if m.blocking else " (for promotion)")
        word.add_paragraph(text(f"{label}: {m.title}: {m.detail}"), style="List Bullet")

    word.add_heading(SECTION_TITLES["changes"], level=1)
    if doc.previous_version:
        word.add_paragraph(text(f"Compared with version {doc.previous_version}:"))
        _table(
            word,
            ("Field", f"Version {doc.previous_version}", f"Version {doc.version}"),
            [(c.field, c.before, c.after) for c in doc.changes],
            empty="No field differs.",
        )
    else:
        word.add_paragraph("This is the model's first version.")
    word.add_heading("Open findings", level=2)
    if not doc.findings:
        word.add_paragraph("None.")
    for f in doc.findings:
        word.add_paragraph(text(f"{f.severity} {f.code} ({f.where}): {f.message}"), "List Bullet")

    word.add_heading(SECTION_TITLES["deployments"], level=1)
    _table(
        word,
        ("Environment", "Started", "Status", "By", "Artifact sha256"),
        [(d.environment, d.started, d.status, d.by, d.artifact_sha256) for d in doc.deployments],
        empty="No deployment of this version is recorded.",
    )

    word.add_heading(SECTION_TITLES["reproduce"], level=1)
    made = doc.made_from
    at = f" at commit {made.commit}" if made.commit else ""
    word.add_paragraph(
        text(
            f"Made by mkdocs-governance from the governance records{at}, with the gate's "
            f"date rules judged as of {made.as_of.isoformat()}. The same commit and date give "
            "the same document. To make it again:"
        )
    )
    command = (f"git checkout {made.commit}\n" if made.commit else "") + made.command
    word.add_paragraph(text(command))
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _table(
    word: Any, header: tuple[str, ...], rows: Sequence[Sequence[str]], *, empty: str = ""
) -> None:
    if not rows:
        if empty:
            word.add_paragraph(text(empty))
        return
    table = word.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = text(title)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = text(value)


def _markdown(word: Any, source: str) -> None:
    """Record Markdown as plain paragraphs and bullets (its text, never its markup)."""
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = block.splitlines()
        if lines and all(_BULLET.match(line) for line in lines):
            for line in lines:
                word.add_paragraph(text(_plain(_BULLET.sub("", line))), style="List Bullet")
        else:
            word.add_paragraph(text(_plain(" ".join(line.strip() for line in lines))))


def _plain(source: str) -> str:
    return _EMPHASIS.sub("", _HEADING.sub("", source)).strip()


def _set_properties(properties: Any, doc: ModelDocument) -> None:
    when = _when(doc).replace(tzinfo=None)
    properties.title = text(doc.title)
    properties.subject = text(doc.key)
    properties.author = "mkdocs-governance"
    properties.last_modified_by = "mkdocs-governance"
    properties.comments = text(
        f"Made from commit {doc.made_from.commit}" if doc.made_from.commit else "No commit"
    )
    properties.keywords = "model document; governance"
    properties.created = when
    properties.modified = when
    properties.last_printed = when
    properties.revision = 1


def _when(doc: ModelDocument) -> datetime:
    date = doc.made_from.commit_date
    return date.astimezone(UTC) if date else ZIP_EPOCH


# -- a company template ----------------------------------------------------------------------


def _render_template(
    doc: ModelDocument, template: Path, figures_png: list[tuple[bytes, str]]
) -> bytes:
    try:
        import jinja2.sandbox
        from docx.shared import Mm
        from docxtpl import DocxTemplate, InlineImage
    except ImportError as missing:
        raise DocxUnavailable(
            'a docx template needs docxtpl: pip install "mkdocs-governance[document]"'
        ) from missing
    tpl = DocxTemplate(str(template))
    context = _clean(doc.template_context())
    context["sections"] = dict(SECTION_TITLES)
    context["figures"] = [
        {"image": InlineImage(tpl, io.BytesIO(png), width=Mm(160)), "caption": text(caption)}
        for png, caption in figures_png
    ]
    # A sandboxed environment: a template is the user's, but the values are records.
    environment = jinja2.sandbox.SandboxedEnvironment(autoescape=True)
    tpl.render(context, jinja_env=environment, autoescape=True)
    _set_properties(tpl.docx.core_properties, doc)
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def _clean(value: Any) -> Any:
    """Template values with every string made XML-safe (dataclasses become dicts)."""
    from dataclasses import fields, is_dataclass

    if isinstance(value, str):
        return text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        cleaned = {f.name: _clean(getattr(value, f.name)) for f in fields(value)}
        if hasattr(value, "reproducible"):
            cleaned["reproducible"] = bool(value.reproducible)
        return cleaned
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
