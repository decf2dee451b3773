"""Report formats of the gate: text, JSON, JUnit XML, GitHub annotations, Markdown.

Pure functions from findings / a [`GateReport`][mkdocs_governance.policy.model.GateReport]
to text. The CLI prints them; the MkDocs plugin raises ``PluginError`` with
[`format_text`][mkdocs_governance.reporting.format_text]; the site writes
``governance.json`` with [`to_jsonable`][mkdocs_governance.reporting.to_jsonable].
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from .findings import Finding, sort_findings
from .policy.model import GateReport, ItemState, StageState

if TYPE_CHECKING:
    from .core import GovernanceRun

FORMATS = ("text", "json", "junit", "github", "markdown")

# Rows of the Markdown errors table: a PR comment should stay short.
MARKDOWN_MAX_ROWS = 50


def _counts(findings: Iterable[Finding]) -> tuple[int, int]:
    items = list(findings)
    errors = sum(1 for f in items if f.is_error)
    return errors, len(items) - errors


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(findings: Iterable[Finding]) -> str:
    """``Governance gate: failed: 2 errors, 1 warning.`` (or passed)."""
    errors, warnings = _counts(findings)
    verdict = "failed" if errors else "passed"
    return f"Governance gate {verdict}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}."


def format_text(findings: Iterable[Finding]) -> str:
    """One line per finding, ``file:line: code: message``, then a count line.

    Errors come first, then warnings; a warning's code is preceded by ``warning:``.
    """
    ordered = sort_findings(findings)
    lines = []
    for finding in ordered:
        prefix = "" if finding.is_error else "warning: "
        lines.append(f"{finding.location}: {prefix}{finding.code}: {finding.message}")
    lines.append(summary_line(ordered))
    return "\n".join(lines) + "\n"


def report_dict(report: GateReport) -> dict[str, Any]:
    """The gate's verdict as plain data: status, counts, findings, checklists."""
    errors, warnings = _counts(report.findings)
    return {
        "passed": report.passed,
        "as_of": report.as_of,
        "counts": {
            "errors": errors,
            "warnings": warnings,
            "by_code": dict(sorted(Counter(f.code for f in report.findings).items())),
        },
        "findings": [f.to_dict() for f in report.findings],
        "versions": {key: plain(a) for key, a in sorted(report.versions.items())},
    }


def format_json(report: GateReport) -> str:
    """The report as indented JSON (see [`report_dict`][mkdocs_governance.reporting.report_dict])."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def format_junit(report: GateReport) -> str:
    """JUnit XML: one test case per model version × requirement, one per record file.

    A requirement of a stage the version sits in (or passed) fails unless met or
    waived; requirements of a pending stage are skipped. Each version also gets an
    ``integrity`` case failing on its error findings (separation of duties, overdue
    review...), and each file with record or policy findings a case of its own.
    """
    suite = ElementTree.Element("testsuite", name="mkdocs-governance")
    tests = failures = skipped = 0
    version_keys = set(report.versions)
    for key, assessment in sorted(report.versions.items()):
        for stage in assessment.stages:
            for item in stage.items:
                tests += 1
                case = ElementTree.SubElement(
                    suite,
                    "testcase",
                    classname=key,
                    name=f"{stage.stage}: {item.kind} {item.name}",
                )
                if stage.state == StageState.PENDING:
                    skipped += 1
                    ElementTree.SubElement(case, "skipped", message=f"pending {stage.stage}")
                elif item.state not in (ItemState.MET, ItemState.WAIVED):
                    failures += 1
                    failure = ElementTree.SubElement(
                        case, "failure", message=f"{item.state}: {item.detail}", type=item.state
                    )
                    failure.text = item.detail
        tests += 1
        case = ElementTree.SubElement(suite, "testcase", classname=key, name="integrity")
        errors = [f for f in assessment.findings if f.is_error]
        if errors:
            failures += 1
            _fail(case, errors)
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.subject not in version_keys:
            by_file.setdefault(finding.file or finding.subject, []).append(finding)
    for path, findings in sorted(by_file.items()):
        tests += 1
        case = ElementTree.SubElement(suite, "testcase", classname="records", name=path)
        errors = [f for f in findings if f.is_error]
        if errors:
            failures += 1
            _fail(case, errors)
        warnings = [f for f in findings if not f.is_error]
        if warnings:
            out = ElementTree.SubElement(case, "system-out")
            out.text = "\n".join(f.format_line() for f in warnings)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    ElementTree.indent(suite)
    body = ElementTree.tostring(suite, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _fail(case: ElementTree.Element, errors: list[Finding]) -> None:
    first = errors[0]
    failure = ElementTree.SubElement(
        case,
        "failure",
        message=f"{first.code}: {first.message}"
        + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
        type=first.code,
    )
    failure.text = "\n".join(f.format_line() for f in errors)


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping for the message part.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # Property values additionally escape the separators of the property list.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Iterable[Finding]) -> str:
    """GitHub Actions annotations: ``::error file=…,line=…,title=code::message``.

    Warnings become ``::warning``. Values are escaped per GitHub's workflow-command
    rules (``%``, CR, LF everywhere; ``:`` and ``,`` in properties too).
    """
    lines = []
    for finding in sort_findings(findings):
        level = "error" if finding.is_error else "warning"
        properties = []
        if finding.file:
            properties.append(f"file={_escape_property(finding.file)}")
            if finding.line:
                properties.append(f"line={finding.line}")
        properties.append(f"title={_escape_property(f'{finding.code} ({finding.subject})')}")
        lines.append(f"::{level} {','.join(properties)}::{_escape_data(finding.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def format_markdown(report: GateReport) -> str:
    """A short pull-request comment: status line, counts by code, table of errors."""
    errors, _warnings = _counts(report.findings)
    icon = ":x:" if errors else ":white_check_mark:"
    lines = [
        f"### {icon} {summary_line(report.findings)}",
        "",
        f"Judged as of {report.as_of}." if report.as_of else "",
    ]
    if report.findings:
        lines += ["", "| Code | Errors | Warnings |", "| --- | ---: | ---: |"]
        by_code: dict[str, list[int]] = {}
        for finding in report.findings:
            counts = by_code.setdefault(finding.code, [0, 0])
            counts[0 if finding.is_error else 1] += 1
        for code, (code_errors, code_warnings) in sorted(by_code.items()):
            lines.append(f"| `{code}` | {code_errors} | {code_warnings} |")
    blocked = [f"`{key}` ({a.stage})" for key, a in sorted(report.versions.items()) if a.blocked]
    if blocked:
        lines += ["", "Blocked: " + ", ".join(blocked) + "."]
    error_findings = [f for f in report.findings if f.is_error]
    if error_findings:
        lines += ["", "| Where | Code | What is wrong |", "| --- | --- | --- |"]
        for finding in error_findings[:MARKDOWN_MAX_ROWS]:
            lines.append(
                f"| `{_cell(finding.location)}` | `{finding.code}` | {_cell(finding.message)} |"
            )
        if len(error_findings) > MARKDOWN_MAX_ROWS:
            lines.append("")
            lines.append(
                f"… and {len(error_findings) - MARKDOWN_MAX_ROWS} more errors: run "
                "`mkdocs-governance check` for all of them."
            )
    pending = [
        f"`{key}` → {a.pending_stage}"
        for key, a in sorted(report.versions.items())
        if a.pending_stage
    ]
    if pending and not errors:
        lines += ["", "Pending promotions: " + ", ".join(pending) + "."]
    return "\n".join(lines).strip() + "\n"


def render(report: GateReport, fmt: str) -> str:
    """The report in ``fmt`` (one of [`FORMATS`][mkdocs_governance.reporting.FORMATS])."""
    if fmt == "text":
        return format_text(report.findings)
    if fmt == "json":
        return format_json(report)
    if fmt == "junit":
        return format_junit(report)
    if fmt == "github":
        return format_github(report.findings)
    if fmt == "markdown":
        return format_markdown(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def plain(value: Any) -> Any:
    """A JSON-ready copy of a domain object: dataclasses to dicts, dates to ISO text.

    Enums become their values, tuples lists, paths POSIX strings; mapping keys text.
    """
    if isinstance(value, Finding):
        return value.to_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def to_jsonable(run: GovernanceRun) -> dict[str, Any]:
    """``governance.json``: the registry, the gate's verdict and findings, as plain data.

    Shared by ``mkdocs-governance export`` and the site's ``governance.json``.
    Record locations are kept (repository-relative file and line) so that consumers
    can link to the record; the history is summarised by HEAD only.
    """
    registry = run.registry
    return {
        "schema": "mkdocs-governance/export/1",
        "gate": report_dict(run.report),
        "head": run.history.head,
        "history_available": run.history.available,
        # With a base ref: what the change does to governance (None otherwise).
        "changes": run.changes.to_dict() if run.changes is not None else None,
        "registry": {
            "records_dir": registry.records_dir,
            "policy": plain(registry.policy),
            "people": plain(registry.people),
            "models": plain(registry.models),
            "datasets": plain(registry.datasets),
            "experiments": plain(registry.experiments),
            "decisions": plain(registry.decisions),
            "signoffs": plain(registry.signoffs),
            "verifications": plain(registry.verifications),
            "deployments": plain(registry.deployments),
            "files": list(registry.files),
        },
    }
