"""Findings: the one output type shared by every layer.

A finding says what is wrong, where, and how to fix it. Records produce
``invalid-record``/``unknown-reference``/``duplicate-id``; history produces
``history-unavailable``; the policy produces the rest. The gate fails when any
finding has severity ``error``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is: errors fail the gate, warnings are shown only."""

    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """The stable finding codes of SPEC §4 (extend, never rename)."""

    INVALID_RECORD = "invalid-record"
    UNKNOWN_REFERENCE = "unknown-reference"
    DUPLICATE_ID = "duplicate-id"
    MISSING_CHECK = "missing-check"
    FAILED_CHECK = "failed-check"
    STALE_CHECK = "stale-check"
    INVALID_WAIVER = "invalid-waiver"
    MISSING_SIGNOFF = "missing-signoff"
    REJECTED = "rejected"
    STALE_SIGNOFF = "stale-signoff"
    SEPARATION_OF_DUTIES = "separation-of-duties"
    ROLE_NOT_HELD = "role-not-held"
    UNVERIFIED_SIGNOFF = "unverified-signoff"
    EXPIRED_SIGNOFF = "expired-signoff"
    REVIEW_OVERDUE = "review-overdue"
    IMPLAUSIBLE_DATE = "implausible-date"
    POLICY_CHANGED = "policy-changed"
    HISTORY_UNAVAILABLE = "history-unavailable"
    UNVERIFIED_CHECK = "unverified-check"
    WITHDRAWN_SIGNOFF = "withdrawn-signoff"
    UNBOUND_ARTIFACT = "unbound-artifact"
    UNSIGNED_GTO_ASSIGNMENT = "unsigned-gto-assignment"
    # Issue 16: deployments and served traffic (policy/deployments.py).
    UNAPPROVED_DEPLOYMENT = "unapproved-deployment"
    ARTIFACT_MISMATCH = "artifact-mismatch"
    UNAUTHORIZED_DEPLOYER = "unauthorized-deployer"
    UNAPPROVED_TRAFFIC = "unapproved-traffic"
    UNDEPLOYED_TRAFFIC = "undeployed-traffic"
    INVALID_SERVING_LOG = "invalid-serving-log"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in the records, the history or against the policy.

    Attributes:
        code: a stable finding code (see [`Code`][mkdocs_governance.findings.Code]).
        severity: ``error`` fails the gate, ``warning`` does not.
        subject: ``model@version``, a record id, or a file path.
        message: what is wrong, why it matters, and how to fix it.
        file: the record file at fault, relative to the repository root, if any.
        line: the 1-based line in ``file``, if known.
    """

    code: str
    severity: Severity
    subject: str
    message: str
    file: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        """True when this finding fails the gate."""
        return self.severity == Severity.ERROR

    @property
    def location(self) -> str:
        """``file:line`` (or ``file``, or the subject) for the start of a report line."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        if self.file:
            return self.file
        return self.subject

    def format_line(self) -> str:
        """The one-line text form: ``file:line: code: message``."""
        return f"{self.location}: {self.code}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the SPEC field names."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def error(
    code: str, subject: str, message: str, file: str | None = None, line: int | None = None
) -> Finding:
    """Shorthand for an error finding."""
    return Finding(code, Severity.ERROR, subject, message, file, line)


def warning(
    code: str, subject: str, message: str, file: str | None = None, line: int | None = None
) -> Finding:
    """Shorthand for a warning finding."""
    return Finding(code, Severity.WARNING, subject, message, file, line)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by file, line, code and subject: a stable reading order."""
    return sorted(
        findings,
        key=lambda f: (
            0 if f.is_error else 1,
            f.file or "~",
            f.line or 0,
            f.code,
            f.subject,
            f.message,
        ),
    )
