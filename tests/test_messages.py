"""Messages say every fact once, in few words; full digests are for the JSON (item 6)."""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs_governance.findings import Code
from tests.scenario import passing_production

_FULL_DIGEST = re.compile(r"[0-9a-f]{64}")


def test_a_metric_change_gives_short_stale_messages(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    scenario.edit_model(author="bob", day="2026-01-25", metrics={"auc": 0.83})
    run = scenario.run()
    stale = [f for f in run.report.findings if f.code in (Code.STALE_SIGNOFF, Code.STALE_CHECK)]
    assert len(stale) >= 3
    for finding in stale:
        assert len(finding.message) <= 300, finding.message
        assert len(_FULL_DIGEST.findall(finding.message)) <= 1, finding.message
        if finding.code == Code.STALE_SIGNOFF:
            # The signoff command writes the digest: the message needs none in full.
            assert not _FULL_DIGEST.search(finding.message), finding.message
            assert "mkdocs-governance signoff" in finding.message
    # The full digests are in the JSON export: the version's current one and each
    # record's reviewed one.
    from mkdocs_governance.site import governance_json

    text = str(governance_json(run, "fail"))
    assert run.report.versions["credit-risk@2.1"].digest in text
