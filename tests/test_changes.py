"""The ChangeSet of a change, from hand-built base and head registries and reports.

These pin down the comparison rules (what is a rename, what is stale, which findings are
new); tests/test_changes_repo.py runs the same through real repositories and the CLI.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

from mkdocs_governance.findings import error, warning
from mkdocs_governance.policy.changes import (
    GITHUB_COMMENT_LIMIT,
    Change,
    ChangeSet,
    compare,
    finding_identity,
    format_markdown,
)
from mkdocs_governance.policy.model import GateReport, VersionAssessment
from mkdocs_governance.records.model import (
    Decision,
    Experiment,
    Location,
    Model,
    ModelVersion,
    Person,
    Policy,
    Registry,
    Rules,
    SignOff,
    Verification,
)

MODEL_FILE = "governance_records/models/credit.yaml"


def person(pid: str, name: str, *roles: str) -> Person:
    return Person(
        pid, name, (f"{pid}@bank.test",), roles, (), Location("governance_records/people.yaml")
    )


PEOPLE = {
    "ada": person("ada", "Ada Owner", "data-scientist"),
    "mia": person("mia", "Mia Risk", "model-risk"),
    "pat": person("pat", "Pat Product", "product-owner"),
}
POLICY = Policy(
    ("development", "staging", "production"),
    {},
    {},
    Rules(),
    Location("governance_records/policy.yaml"),
)


def version(
    number: str = "1.0", stage: str = "staging", metrics: dict | None = None, line: int = 5
) -> ModelVersion:
    metrics = {"auc": 0.81} if metrics is None else metrics
    return ModelVersion(
        model_id="credit",
        version=number,
        created=date(2026, 1, 10),
        stage=stage,
        author="ada",
        artifact=None,
        experiment=None,
        datasets=(),
        metrics=metrics,
        description="",
        content={"version": number, "metrics": metrics},
        location=Location(MODEL_FILE, line, {"stage": line + 2}),
    )


def model(*versions: ModelVersion, file: str = MODEL_FILE, name: str = "Credit") -> Model:
    versions = tuple(replace(v, location=replace(v.location, file=file)) for v in versions)
    return Model(
        "credit", name, "ada", "", "medium", "", "", "", "", (), (), versions, "", Location(file)
    )


def signoff(
    file: str = "governance_records/signoffs/credit/1.0/production-model-risk-mia.yaml",
    *,
    stage: str = "production",
    approver: str = "mia",
    role: str = "model-risk",
    decision: str = "approved",
    subject: str | None = "sha256:base",
) -> SignOff:
    return SignOff(
        file,
        "credit",
        "1.0",
        stage,
        approver,
        role,
        decision,
        date(2026, 2, 1),
        "ok",
        (),
        subject,
        Location(file),
    )


def verification(
    file: str = "governance_records/verifications/credit/1.0/fairness.yaml",
    status: str = "passed",
    subject: str | None = "sha256:base",
) -> Verification:
    return Verification(
        file,
        "credit",
        "1.0",
        "fairness-audit",
        status,
        date(2026, 2, 1),
        "mia",
        "",
        {},
        "",
        subject,
        None,
        Location(file),
    )


def registry(
    models=(),
    signoffs=(),
    verifications=(),
    experiments=(),
    datasets=(),
    decisions=(),
    people=None,
    policy=POLICY,
) -> Registry:
    return Registry(
        "governance_records",
        PEOPLE if people is None else people,
        policy,
        {m.id: m for m in models},
        {d.id: d for d in datasets},
        {e.id: e for e in experiments},
        {d.id: d for d in decisions},
        tuple(signoffs),
        tuple(verifications),
        (),
    )


def report(*findings, digests: dict[str, str] | None = None) -> GateReport:
    digests = digests or {"credit@1.0": "sha256:base"}
    return GateReport(
        tuple(findings),
        {key: VersionAssessment(key, "", digest) for key, digest in digests.items()},
    )


def experiment(eid: str = "exp-1", file: str | None = None, auc: float = 0.8) -> Experiment:
    return Experiment(
        eid,
        "credit",
        "Try GBM",
        "",
        "ada",
        date(2026, 1, 2),
        (),
        "",
        {},
        {"auc": auc},
        {},
        "adopted",
        "",
        Location(file or f"governance_records/experiments/{eid}.yaml"),
    )


def decision(did: str, title: str = "Use GBM", body: str = "We use GBM.") -> Decision:
    number = int(did.split("-")[0])
    return Decision(
        did,
        number,
        title,
        "accepted",
        "accepted",
        None,
        (),
        (),
        (),
        (),
        (),
        None,
        body,
        "madr4",
        Location(f"governance_records/decisions/{did}.md"),
    )


def test_promotion_with_new_signoffs_is_listed_with_gate_before_and_after() -> None:
    base = registry([model(version(stage="staging"))])
    head = registry([model(version(stage="production"))], signoffs=[signoff()])
    missing = error("missing-signoff", "credit@1.0", "needs product-owner", MODEL_FILE, 7)
    changes = compare(
        base, head, base_report=report(), head_report=report(missing), base_ref="origin/main"
    )
    (stage,) = changes.stage_changes
    assert (stage.key, stage.before, stage.after, stage.direction) == (
        "credit@1.0",
        "staging",
        "production",
        "promotion",
    )
    assert stage.blocked and stage.errors == (missing,)
    (added,) = changes.signoffs
    assert (added.change, added.approver, added.approver_name, added.role) == (
        Change.ADDED,
        "mia",
        "Mia Risk",
        "model-risk",
    )
    assert changes.gate_before is True and changes.gate_after is False
    assert changes.findings_introduced == (missing,)
    # A stage change alone does not make the version "modified" (nor its digest change).
    assert [r for r in changes.records if r.kind == "version"] == []
    assert changes.count == 2


def test_demotion_is_not_a_promotion() -> None:
    base = registry([model(version(stage="production"))])
    head = registry([model(version(stage="staging"))])
    changes = compare(base, head, base_report=report(), head_report=report())
    assert [c.direction for c in changes.stage_changes] == ["demotion"]
    assert changes.promotions == []


def test_metric_change_makes_approvals_of_the_base_digest_stale() -> None:
    base = registry(
        [model(version(metrics={"auc": 0.81, "ks": 0.4}))], [signoff()], [verification()]
    )
    head = registry(
        [model(version(metrics={"auc": 0.79, "gini": 0.5}))],
        [signoff(), signoff("governance_records/signoffs/other.yaml", subject="sha256:head")],
        [verification()],
    )
    changes = compare(
        base,
        head,
        base_report=report(),
        head_report=report(digests={"credit@1.0": "sha256:head"}),
    )
    assert [(s.kind, s.key, s.what, s.person) for s in changes.stale] == [
        ("signoff", "credit@1.0", "production", "mia"),
        ("verification", "credit@1.0", "fairness-audit", "mia"),
    ]
    assert changes.stale[0].base_digest == "sha256:base"
    assert changes.stale[0].head_digest == "sha256:head"
    metrics = {(m.metric, m.before, m.after) for m in changes.metric_changes}
    assert metrics == {("auc", 0.81, 0.79), ("gini", None, 0.5), ("ks", 0.4, None)}
    auc = next(m for m in changes.metric_changes if m.metric == "auc")
    assert round(auc.delta, 6) == -0.02
    (modified,) = [r for r in changes.records if r.kind == "version"]
    assert modified.change == Change.MODIFIED and modified.fields == ("metrics",)


def test_unchanged_digest_leaves_approvals_fresh() -> None:
    base = registry([model(version(stage="staging"))], [signoff()])
    head = registry([model(version(stage="production"))], [signoff()])
    changes = compare(base, head, base_report=report(), head_report=report())
    assert changes.stale == ()


def test_deleted_signoff_and_model_are_reported_removed() -> None:
    base = registry([model(version())], [signoff()], experiments=[experiment()])
    head = registry([], [], experiments=[])
    changes = compare(base, head, base_report=report(), head_report=report(digests={}))
    assert [(s.change, s.approver, s.decision) for s in changes.signoffs] == [
        (Change.REMOVED, "mia", "approved")
    ]
    removed = {(r.kind, r.id, r.change, r.old_file) for r in changes.records}
    assert removed == {
        ("model", "credit", Change.REMOVED, MODEL_FILE),
        ("version", "credit@1.0", Change.REMOVED, MODEL_FILE),
        ("experiment", "exp-1", Change.REMOVED, "governance_records/experiments/exp-1.yaml"),
    }


def test_renamed_model_and_signoff_files_are_renames_not_removed_and_added() -> None:
    moved = "governance_records/signoffs/credit/1.0/prod-mia.yaml"
    new_file = "governance_records/models/credit-scoring.yaml"
    base = registry([model(version())], [signoff()])
    head = registry([model(version(), file=new_file)], [signoff(moved)])
    old_finding = error("stale-signoff", "credit@1.0", f"see {MODEL_FILE}:7", MODEL_FILE, 7)
    new_finding = error("stale-signoff", "credit@1.0", f"see {new_file}:9", new_file, 9)
    changes = compare(base, head, base_report=report(old_finding), head_report=report(new_finding))
    assert [(r.kind, r.change, r.old_file, r.file) for r in changes.records] == [
        ("model", Change.RENAMED, MODEL_FILE, new_file)
    ]
    assert [(s.change, s.old_file, s.file) for s in changes.signoffs] == [
        (Change.RENAMED, signoff().location.file, moved)
    ]
    # The same finding, carried by the renamed file at another line, is neither new nor resolved.
    assert changes.findings_introduced == () and changes.findings_resolved == ()


def test_renamed_decision_with_same_number_and_title_is_a_rename() -> None:
    base = registry(decisions=[decision("0001-use-gbm")])
    head = registry(decisions=[decision("0001-gradient-boosting")])
    changes = compare(base, head, base_report=report(), head_report=report())
    assert [(r.kind, r.id, r.change) for r in changes.records] == [
        ("decision", "0001-gradient-boosting", Change.RENAMED)
    ]


def test_changed_signoff_decision_and_verification_status_show_before_and_after() -> None:
    base = registry(
        [model(version())], [signoff(decision="rejected")], [verification(status="failed")]
    )
    head = registry([model(version())], [signoff()], [verification()])
    changes = compare(base, head, base_report=report(), head_report=report())
    (s,) = changes.signoffs
    assert (s.change, s.previous_decision, s.decision, s.fields) == (
        Change.MODIFIED,
        "rejected",
        "approved",
        ("decision",),
    )
    (v,) = changes.verifications
    assert (v.change, v.previous_status, v.status) == (Change.MODIFIED, "failed", "passed")


def test_findings_introduced_and_resolved_ignore_line_shifts_and_digests() -> None:
    kept_base = error(
        "stale-check", "credit@1.0", "subject sha256:aaaaaaaaaaaa differs", "f.yaml", 3
    )
    kept_head = error(
        "stale-check", "credit@1.0", "subject sha256:bbbbbbbbbbbb differs", "f.yaml", 9
    )
    gone = warning("review-overdue", "credit@1.0", "review it", MODEL_FILE, 5)
    new = error("missing-signoff", "credit@1.0", "needs model-risk", MODEL_FILE, 5)
    changes = compare(
        registry([model(version())]),
        registry([model(version())]),
        base_report=report(kept_base, gone),
        head_report=report(kept_head, new),
    )
    assert changes.findings_introduced == (new,)
    assert changes.findings_resolved == (gone,)
    assert finding_identity(kept_base) == finding_identity(kept_head)


def test_two_identical_findings_count_twice() -> None:
    one = error("duplicate-id", "x", "twice", "a.yaml", 1)
    changes = compare(registry(), registry(), base_report=report(one), head_report=report(one, one))
    assert changes.findings_introduced == (one,)


def test_policy_and_people_changes_are_listed() -> None:
    relaxed = replace(POLICY, rules=Rules(separation_of_duties=False))
    people = {**PEOPLE, "ada": person("ada", "Ada Owner", "data-scientist", "model-risk")}
    changes = compare(
        registry(),
        registry(people=people, policy=relaxed),
        base_report=report(),
        head_report=report(),
    )
    assert changes.policy_changes == (
        "governance_records/policy.yaml",
        "governance_records/people.yaml",
    )


def test_experiment_metric_change_is_listed_with_delta() -> None:
    changes = compare(
        registry(experiments=[experiment(auc=0.80)]),
        registry(experiments=[experiment(auc=0.85)]),
        base_report=report(),
        head_report=report(),
    )
    (m,) = changes.metric_changes
    assert (m.kind, m.subject, m.metric, m.before, m.after) == (
        "experiment",
        "exp-1",
        "auc",
        0.80,
        0.85,
    )
    assert round(m.delta, 6) == 0.05


def test_no_change_gives_an_empty_changeset() -> None:
    same = registry([model(version())], [signoff()])
    changes = compare(same, same, base_report=report(), head_report=report())
    assert changes.is_empty and changes.count == 0
    assert "No governance records changed." in format_markdown(changes)


def test_json_form_lists_every_field() -> None:
    base = registry([model(version(stage="staging"))])
    head = registry([model(version(stage="production", metrics={"auc": 0.9}))], [signoff()])
    missing = error("missing-signoff", "credit@1.0", "needs product-owner", MODEL_FILE, 7)
    data = json.loads(
        json.dumps(
            compare(
                base,
                head,
                base_report=report(),
                head_report=report(missing),
                base_ref="origin/main",
                base_commit="a" * 40,
                head_commit="b" * 40,
            ).to_dict()
        )
    )
    assert data["base_ref"] == "origin/main"
    assert data["base_commit"] == "a" * 40 and data["head_commit"] == "b" * 40
    assert data["gate"] == {"before": "pass", "after": "fail"}
    assert data["stage_changes"] == [
        {
            "key": "credit@1.0",
            "before": "staging",
            "after": "production",
            "direction": "promotion",
            "file": MODEL_FILE,
            "line": 7,
            "blocked": True,
            "errors": [missing.to_dict()],
        }
    ]
    assert data["signoffs"][0]["change"] == "added"
    assert data["signoffs"][0]["approver_name"] == "Mia Risk"
    assert data["metric_changes"] == [
        {
            "kind": "version",
            "subject": "credit@1.0",
            "metric": "auc",
            "before": 0.81,
            "after": 0.9,
            "delta": data["metric_changes"][0]["delta"],
        }
    ]
    assert round(data["metric_changes"][0]["delta"], 6) == 0.09
    assert data["findings"]["introduced"][0]["code"] == "missing-signoff"
    assert data["findings"]["resolved"] == []
    assert data["records"][0]["fields"] == ["metrics"]
    assert data["count"] == 3


def _sections(markdown: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = "head"
    for line in markdown.splitlines():
        if line.startswith("### "):
            current = re.sub(r" \(\d+\)$", "", line[4:])
            sections[current] = []
        elif line.strip():
            sections.setdefault(current, []).append(line)
    return sections


def test_markdown_summary_leads_with_the_gate_and_shows_what_the_promotion_lacks() -> None:
    base = registry([model(version(stage="staging"))], [verification()])
    head = registry(
        [model(version(stage="production", metrics={"auc": 0.9}))], [signoff(), verification()]
    )
    missing = error(
        "missing-signoff", "credit@1.0", "needs 1 product-owner | approval", MODEL_FILE, 7
    )
    text = format_markdown(
        compare(
            base,
            head,
            base_report=report(),
            head_report=report(missing, digests={"credit@1.0": "sha256:head"}),
            base_ref="origin/main",
            base_commit="c" * 40,
        )
    )
    sections = _sections(text)
    assert sections["head"][1] == "**Gate: ❌ fail** (was ✅ pass)"
    assert "`origin/main` (merge base `cccccccccc`)" in sections["head"][2]
    assert sections["Stage changes"][2] == (
        "| `credit@1.0` | staging → production | ❌ blocked: missing-signoff |"
    )
    (err,) = sections["Errors introduced"]
    # The pipe of the message must not break out of the list item into a table.
    assert err == (f"- `{MODEL_FILE}:7` **missing-signoff**: needs 1 product-owner \\| approval")
    assert sections["Sign-offs"] == [
        "- ➕ added: `credit@1.0` production — model-risk: Mia Risk (mia) approved"
    ]
    assert any("fairness-audit" in line for line in sections["Made stale by this change"])
    assert sections["Metric changes"][2] == "| `credit@1.0` | auc | 0.81 | 0.9 | +0.09 |"


def test_markdown_escapes_html_from_records() -> None:
    people = {**PEOPLE, "mia": person("mia", "<img src=x onerror=alert(1)>", "model-risk")}
    head = registry([model(version())], [signoff()], people=people)
    text = format_markdown(
        compare(registry([model(version())]), head, base_report=report(), head_report=report())
    )
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_huge_markdown_is_truncated_under_the_comment_limit_with_a_note() -> None:
    findings = [
        error("invalid-record", f"f{i}.yaml", "x" * 3000, f"governance_records/f{i}.yaml", 1)
        for i in range(SECTION_LIMIT_PLUS)
    ]
    changes = ChangeSet("origin/main", None, None, True, False, findings_introduced=tuple(findings))
    text = format_markdown(changes)
    assert len(text) <= 60_000 < GITHUB_COMMENT_LIMIT
    assert "Truncated to fit a comment" in text
    assert "mkdocs-governance diff --base origin/main --format json" in text
    small = format_markdown(changes, max_chars=10**7)
    assert "Truncated" not in small and "… and 10 more errors" in small


SECTION_LIMIT_PLUS = 50


def test_digests_missing_from_the_reports_are_computed_from_the_versions() -> None:
    from mkdocs_governance.records.digest import version_digest

    old_version = version(metrics={"auc": 0.81})
    reviewed = version_digest(old_version, {})
    base = registry([model(old_version)], [signoff(subject=reviewed)], policy=None)
    head = registry(
        [model(version(metrics={"auc": 0.7}))], [signoff(subject=reviewed)], policy=None
    )
    # A registry without a usable policy gets no per-version assessment from the gate.
    changes = compare(base, head, base_report=GateReport(()), head_report=GateReport(()))
    (stale,) = changes.stale
    assert stale.base_digest == reviewed != stale.head_digest
