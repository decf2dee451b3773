"""The one pipeline both adapters (MkDocs plugin, CLI) call.

records -> history -> policy, in that order; nothing here imports MkDocs. The site
layer renders a [`GovernanceRun`][mkdocs_governance.core.GovernanceRun]; the CLI
prints its report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .findings import Finding
from .history import read_history
from .history.model import History
from .policy import evaluate
from .policy.model import GateReport
from .records import load_registry
from .records.model import Registry


@dataclass(frozen=True, slots=True)
class GovernanceRun:
    """Everything one evaluation produced.

    Attributes:
        repo_root: the repository work tree (or the folder holding the records
            when there is no repository).
        registry: the loaded records.
        history: the git history of the records folder.
        report: the gate's findings and per-version checklists.
    """

    repo_root: Path
    registry: Registry
    history: History
    report: GateReport


def run_governance(
    records_dir: Path,
    *,
    repo_root: Path | None = None,
    as_of: date | None = None,
    history: History | None = None,
) -> GovernanceRun:
    """Load the records, read their history and evaluate the policy.

    Args:
        records_dir: the records folder (absolute, or relative to the cwd).
        repo_root: the repository root; found from ``records_dir`` when omitted.
        as_of: the day date rules are judged on (default: today).
        history: a history already read (the plugin's serve cache), if any.
    """
    records_dir = records_dir.resolve()
    root = (repo_root or _find_repo_root(records_dir)).resolve()
    loaded = load_registry(records_dir, repo_root=root)
    registry = loaded.registry
    if history is None:
        signatures = bool(registry.policy and registry.policy.rules.require_signed_commits)
        history = read_history(root, [registry.records_dir], signatures=signatures)
    findings: list[Finding] = list(loaded.findings)
    report = evaluate(
        registry, history, as_of=as_of or date.today(), record_findings=findings
    )
    return GovernanceRun(root, registry, history, report)


def _find_repo_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.git``; else ``start``'s parent."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start.parent
