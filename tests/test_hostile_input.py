"""The hostile-input corpus, round two (issue 10): each class can never come back.

Every case is run through the real loader or the real CLI on a copy of the valid
fixture records (``tests/record_cases/valid``) or on a real Git repository. Cases
that once hung run in a subprocess with a generous timeout, so a regression shows
as a failure (``TimeoutExpired``) instead of a hung suite; no assert is timed.

The counts of every hostile-input class the suite tries are kept in
``docs/hostile-input.md``; ``test_the_docs_tally_matches_the_suite`` keeps that page
true.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_governance.records import load_registry
from mkdocs_governance.records.yamlsafe import MAX_FILE_BYTES

CASES = Path(__file__).parent / "record_cases"
VALID = CASES / "valid"
RECORDS = "governance_records"
# A file just under the cap: the loader reads it, so every pattern sees all of it.
AT_CAP = MAX_FILE_BYTES - 256
# Generous: each case finishes in about a second; a super-linear pattern takes hours.
SUBPROCESS_TIMEOUT = 120


def _records_copy(tmp_path: Path) -> Path:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(VALID, records)
    return records


def _check_json(repo: Path, *args: str) -> tuple[int, dict[str, object], str]:
    """``mkdocs-governance check --format json`` in ``repo``, in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", "check", "--format", "json", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.returncode, report, result.stderr


def _messages(report: dict[str, object], file: str | None = None) -> list[str]:
    findings = report.get("findings", [])
    assert isinstance(findings, list)
    return [
        f"{f['code']} {f.get('file')}:{f.get('line')} {f['message']}"
        for f in findings
        if file is None or f.get("file") == file
    ]


# ------------------------------------------------------------ super-linear patterns

# name -> (file under the records folder, text at the file cap, words a finding must
# hold, or "" when the file must load cleanly)
REGEX_CASES: dict[str, tuple[str, str, str]] = {
    "heading of spaces": (
        "decisions/0009-spaces.md",
        "#" + " " * (AT_CAP // 2) + "x" + " " * (AT_CAP // 2 - 8) + "y\n",
        "",
    ),
    "closed heading of spaces": (
        "decisions/0009-closed.md",
        "# x" + " #" * (AT_CAP // 2 - 8) + "y\n",
        "",
    ),
    "nygard date line of spaces": (
        "decisions/0009-date.md",
        "# 9. Title\n\nDate: x" + " " * (AT_CAP - 64) + "y\n",
        "not a valid date",
    ),
    "nygard status heading of spaces": (
        "decisions/0009-status.md",
        "# 9. Title\n\n##" + " " * (AT_CAP // 2) + "Status" + " " * (AT_CAP // 2 - 64) + "y\n",
        "",
    ),
    "title of comment openers": (
        "decisions/0009-comments.md",
        "# " + "<!--" * (AT_CAP // 4) + "\n",
        "",
    ),
    "supersedes of open parentheses": (
        "decisions/0009-parens.md",
        '---\nstatus: accepted\nsupersedes: ["' + "(" * AT_CAP + '"]\n---\n# T\n',
        "`supersedes` names",
    ),
    "status of link openers": (
        "decisions/0009-links.md",
        '---\nstatus: "superseded by ' + "[](" * (AT_CAP // 3) + '"\n---\n# T\n',
        "",
    ),
    "status of brackets": (
        "decisions/0009-brackets.md",
        '---\nstatus: "superseded by ' + "[" * AT_CAP + '"\n---\n# T\n',
        "",
    ),
    "title number of 100,000 digits": (
        "decisions/0009-digits.md",
        "# " + "9" * 100_000 + ". Title\n",
        "",
    ),
    "supersedes number of 100,000 digits": (
        "decisions/0009-number.md",
        '---\nstatus: accepted\nsupersedes: ["' + "9" * 100_000 + '"]\n---\n# T\n',
        "`supersedes` names",
    ),
}


@pytest.mark.parametrize("name", sorted(REGEX_CASES))
def test_record_text_at_the_file_cap_is_read_in_linear_time(tmp_path: Path, name: str) -> None:
    target, text, words = REGEX_CASES[name]
    records = _records_copy(tmp_path)
    path = records / target
    path.write_text(text, encoding="utf-8")
    assert len(text.encode("utf-8")) <= MAX_FILE_BYTES
    _, report, stderr = _check_json(records.parent)
    assert report, stderr
    found = _messages(report, f"{RECORDS}/{target}")
    if words:
        assert any(words in message for message in found), found
    else:
        assert not any(m.startswith("invalid-record") for m in found), found
