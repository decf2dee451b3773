"""Damaged records never raise, and every file stays accounted for.

Each valid fixture file is cut short at every line (and mid-line), or has a line
replaced by junk; the loader must return findings, never an exception, and every
record file must be either in the registry or named by a finding.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mkdocs_governance.records import LoadResult, load_registry
from mkdocs_governance.records.model import Registry

VALID = Path(__file__).parent / "record_cases" / "valid"
FILES = sorted(p.relative_to(VALID).as_posix() for p in VALID.rglob("*") if p.is_file())
JUNK = ["- [", "key: 'open", "\t- tab", "&anchor x", ": :", "---", "\x00", "{{ x }}", "é: \u2028"]


def _loaded_files(registry: Registry) -> set[str]:
    records = [
        *registry.people.values(),
        *registry.models.values(),
        *registry.datasets.values(),
        *registry.experiments.values(),
        *registry.decisions.values(),
        *registry.signoffs,
        *registry.verifications,
    ]
    files = {record.location.file for record in records}
    if registry.policy is not None:
        files.add(registry.policy.location.file)
    return files


def _assert_accounted_for(result: LoadResult) -> None:
    loaded = _loaded_files(result.registry)
    reported = {f.file for f in result.findings}
    for file in result.registry.files:
        assert file in loaded or file in reported, file
    for finding in result.findings:
        assert finding.file and finding.line and finding.message, finding


def _variants(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    cuts = ["".join(lines[:index]) for index in range(len(lines))]
    cuts += [
        "".join(lines[:index]) + lines[index][: len(lines[index]) // 2]
        for index in range(len(lines))
    ]
    junked = [
        "".join(lines[:index]) + junk + "\n" + "".join(lines[index + 1 :])
        for index in range(len(lines))
        for junk in JUNK[index % len(JUNK) : index % len(JUNK) + 1]
    ]
    return cuts + junked


@pytest.mark.parametrize("relative", FILES)
def test_damaged_record_files_give_findings_never_exceptions(tmp_path: Path, relative: str) -> None:
    records = tmp_path / "repo" / "governance_records"
    shutil.copytree(VALID, records)
    target = records / relative
    original = target.read_text("utf-8")
    for variant in _variants(original):
        target.write_text(variant, "utf-8")
        result = load_registry(records)
        _assert_accounted_for(result)
