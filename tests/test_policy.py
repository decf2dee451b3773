"""The gate's rules on hand-built registries and histories (pure: no files, no git).

Real-repository scenarios of the same situations are in tests/test_gate_scenarios.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from mkdocs_governance.findings import Code, Severity, error
from mkdocs_governance.history.model import (
    History,
    Signature,
    SignatureStatus,
    WorktreeState,
    unavailable,
)
from mkdocs_governance.policy import evaluate
from mkdocs_governance.policy.model import ItemState, StageState
from mkdocs_governance.policy.rules import RULES
from mkdocs_governance.records.model import Waiver
from tests.policy_builders import (
    full_production,
    history_for,
    model,
    people,
    policy,
    registry,
    signoff,
    verification,
    version,
)

AS_OF = date(2026, 2, 1)


def judge(reg, history: History | None = None, **kwargs):
    return evaluate(reg, history or history_for(reg), as_of=kwargs.pop("as_of", AS_OF), **kwargs)


def codes(report) -> list[str]:
    return sorted(f.code for f in report.findings if f.is_error)


def production_registry(signoffs=None, verifications=None, **kwargs):
    default_signoffs, default_verifications = full_production()
    return registry(
        kwargs.pop("the_model", model(version())),
        tuple(default_signoffs if signoffs is None else signoffs),
        tuple(default_verifications if verifications is None else verifications),
        **kwargs,
    )


def test_every_policy_code_has_exactly_one_rule():
    records_codes = {Code.INVALID_RECORD, Code.UNKNOWN_REFERENCE, Code.DUPLICATE_ID}
    assert set(RULES) == set(Code) - records_codes


def test_complete_production_version_passes_with_a_met_checklist():
    report = judge(production_registry())
    assert report.passed, [f.format_line() for f in report.findings]
    stages = report.versions["credit-risk@2.1"].stages
    assert [s.state for s in stages] == [StageState.MET] * 3
    items = {i.name: i for i in stages[2].items}
    assert items["model-risk"].detail == "Approved by Mira Risk on 2026-01-20."


def test_record_findings_pass_through_into_the_report():
    bad = error(Code.INVALID_RECORD, "x.yaml", "broken", "x.yaml", 3)
    report = judge(production_registry(), record_findings=[bad])
    assert report.findings[0] == bad and not report.passed


def test_production_version_that_skipped_staging_fails_on_staging_requirements():
    signoffs, verifications = full_production()
    reg = production_registry(
        signoffs=[s for s in signoffs if s.stage != "staging"],
        verifications=[v for v in verifications if v.check != "data-validation"],
    )
    report = judge(reg)
    assert codes(report) == ["missing-check", "missing-signoff"]
    assert all(f.message.startswith("[staging]") for f in report.errors)
    staging = report.versions["credit-risk@2.1"].stages[1]
    assert staging.state == StageState.BLOCKED


def test_staging_version_lacking_production_signoffs_is_pending_not_failing():
    signoffs, verifications = full_production()
    reg = production_registry(
        signoffs=[s for s in signoffs if s.stage == "staging"],
        verifications=[v for v in verifications if v.check == "data-validation"],
        the_model=model(version("staging")),
    )
    report = judge(reg)
    assert report.passed
    assessment = report.versions["credit-risk@2.1"]
    assert assessment.pending_stage == "production"
    assert assessment.stages[2].state == StageState.PENDING


def test_missing_signoff_message_gives_the_command_to_run():
    signoffs, _ = full_production()
    report = judge(production_registry(signoffs=[s for s in signoffs if s.role != "model-risk"]))
    (finding,) = report.errors
    assert finding.code == Code.MISSING_SIGNOFF
    assert "mkdocs-governance signoff credit-risk@2.1 --stage production --role model-risk" in (
        finding.message
    )
    assert (finding.file, finding.line) == ("governance_records/models/credit-risk.yaml", 12)


def test_high_risk_tier_replaces_the_model_risk_count():
    reg = production_registry(the_model=model(version(), risk_tier="high"))
    report = judge(reg)
    assert codes(report) == ["missing-signoff"]
    assert "1 of 2 valid approvals by 'model-risk'" in report.errors[0].message
    signoffs, _verifications = full_production()
    reg = production_registry(
        signoffs=[*signoffs, signoff("rafa", "model-risk")],
        the_model=model(version(), risk_tier="high"),
    )
    assert judge(reg).passed


def test_one_person_with_two_roles_fills_only_one_slot():
    signoffs, _ = full_production()
    kept = [s for s in signoffs if s.stage == "staging"]
    reg = production_registry(
        signoffs=[*kept, signoff("duo", "model-risk"), signoff("duo", "product-owner")]
    )
    report = judge(reg)
    assert codes(report) == ["missing-signoff"]
    assert "distinct_approvers" in report.errors[0].message
    relaxed = replace(reg, policy=policy(distinct_approvers=False))
    assert judge(relaxed).passed


def test_approval_by_model_owner_violates_separation_and_does_not_count():
    signoffs, _ = full_production()
    # alice owns the model; give her the role so that only separation is at stake.
    reg = production_registry(
        signoffs=[*signoffs[:2], signoff("alice", "product-owner")],
        the_people={
            **people(),
            "alice": replace(people()["alice"], roles=("product-owner",)),
        },
    )
    report = judge(reg)
    assert codes(report) == ["missing-signoff", "separation-of-duties"]
    finding = next(f for f in report.errors if f.code == Code.SEPARATION_OF_DUTIES)
    assert "owns the model credit-risk" in finding.message
    assert finding.file.endswith("production-product-owner-alice.yaml")


def test_signoff_for_a_role_not_held_is_flagged():
    signoffs, _ = full_production()
    report = judge(production_registry(signoffs=[*signoffs[:2], signoff("lena", "product-owner")]))
    assert codes(report) == ["missing-signoff", "role-not-held"]


def test_stale_digest_after_metric_change():
    _signoffs, _verifications = full_production()
    reg = production_registry()
    changed = model(version(metrics={"auc": 0.86}))
    stale = replace(reg, models={"credit-risk": changed})
    report = judge(stale)
    assert set(codes(report)) == {"stale-signoff", "stale-check", "missing-signoff"}


def test_signoff_without_subject_is_stale():
    signoffs, _ = full_production()
    report = judge(
        production_registry(signoffs=[*signoffs[:2], signoff("pia", "product-owner", subject=None)])
    )
    assert codes(report) == ["missing-signoff", "stale-signoff"]


def test_stage_change_keeps_signoffs_valid():
    reg = production_registry()
    promoted = replace(reg, models={"credit-risk": model(version("production"))})
    demoted_digest = evaluate(
        replace(reg, models={"credit-risk": model(version("staging"))}),
        history_for(reg),
        as_of=AS_OF,
    ).versions["credit-risk@2.1"]
    assert judge(promoted).passed
    assert demoted_digest.digest == judge(promoted).versions["credit-risk@2.1"].digest


def test_rejection_then_same_approver_approval_passes():
    signoffs, _ = full_production()
    reject = signoff("mira", "model-risk", decision="rejected", when=date(2026, 1, 10), name="r")
    report = judge(production_registry(signoffs=[*signoffs, reject]))
    assert report.passed


def test_rejection_stands_against_another_approvers_approval():
    signoffs, _ = full_production()
    reject = signoff("rafa", "model-risk", decision="rejected", when=date(2026, 1, 21))
    report = judge(production_registry(signoffs=[*signoffs, reject]))
    assert codes(report) == ["rejected"]
    assert report.errors[0].file.endswith("production-model-risk-rafa.yaml")
    items = {i.name: i for i in report.versions["credit-risk@2.1"].stages[2].items}
    assert items["model-risk"].state == ItemState.REJECTED


def test_expired_signoff_and_review_overdue():
    report = judge(production_registry(), as_of=date(2027, 3, 1))
    assert set(codes(report)) == {"expired-signoff", "review-overdue", "missing-signoff"}


def test_future_dated_signoff_is_implausible():
    signoffs, _ = full_production()
    future = signoff("pia", "product-owner", when=date(2026, 3, 1))
    report = judge(production_registry(signoffs=[*signoffs[:2], future]))
    assert codes(report) == ["implausible-date", "missing-signoff"]


def test_signoff_committed_by_someone_else_is_unverified():
    reg = production_registry()
    path = next(s.location.file for s in reg.signoffs if s.approver == "pia")
    report = judge(reg, history_for(reg, authors={path: "bob"}))
    assert codes(report) == ["missing-signoff", "unverified-signoff"]
    assert "bob@bank.example" in next(f.message for f in report.errors if f.file == path)


def test_signoff_edited_later_by_someone_else_is_unverified():
    reg = production_registry()
    path = next(s.location.file for s in reg.signoffs if s.approver == "pia")
    report = judge(reg, history_for(reg, edits={path: "bob"}))
    assert codes(report) == ["missing-signoff", "unverified-signoff"]
    assert "edited after" in next(f.message for f in report.errors if f.file == path)


def test_untracked_signoff_never_counts():
    reg = production_registry()
    path = next(s.location.file for s in reg.signoffs if s.approver == "pia")
    report = judge(reg, history_for(reg, states={path: WorktreeState.UNTRACKED}))
    assert codes(report) == ["missing-signoff", "unverified-signoff"]


def test_signed_commits_required_accepts_gpg_and_ssh_keys_of_the_approver():
    gpg = "A" * 24 + "0123456789ABCDEF"
    ssh = "SHA256:AbCdEfGh0123"
    the_people = people(mira=(gpg[-16:].lower(),), pia=(ssh,), lena=(gpg,))
    reg = production_registry(the_policy=policy(require_signed_commits=True), the_people=the_people)
    files = {s.approver: s.location.file for s in reg.signoffs}
    good_gpg = Signature(SignatureStatus.GOOD, gpg[-16:], "Mira", gpg)
    signatures = {
        files["mira"]: good_gpg,
        files["lena"]: good_gpg,
        files["pia"]: Signature(SignatureStatus.GOOD, "", "pia", ssh),
    }
    report = judge(reg, history_for(reg, signatures=signatures, signatures_checked=True))
    assert report.passed, [f.format_line() for f in report.findings]
    signatures[files["pia"]] = Signature(SignatureStatus.UNSIGNED)
    report = judge(reg, history_for(reg, signatures=signatures, signatures_checked=True))
    assert codes(report) == ["missing-signoff", "unverified-signoff"]
    # An SSH fingerprint is base64: a different case is a different key.
    signatures[files["pia"]] = Signature(SignatureStatus.GOOD, "", "pia", ssh.lower())
    report = judge(reg, history_for(reg, signatures=signatures, signatures_checked=True))
    assert codes(report) == ["missing-signoff", "unverified-signoff"]


def test_history_unavailable_is_one_error_not_one_per_signoff():
    reg = production_registry()
    problem = error(Code.HISTORY_UNAVAILABLE, "repo", "shallow clone: fetch-depth: 0")
    report = judge(reg, unavailable(problem))
    assert codes(report) == ["history-unavailable"]


def test_metric_below_bound_and_missing_metric_fail_the_check():
    reg = production_registry(the_model=model(version(metrics={"auc": 0.7})))
    report = judge(reg)
    assert "failed-check" in codes(report)
    assert "auc = 0.7" in next(f.message for f in report.errors if f.code == "failed-check")
    reg = production_registry(the_model=model(version(metrics={})))
    message = next(f.message for f in judge(reg).errors if f.code == "failed-check")
    assert "records no 'auc' metric" in message


def test_documentation_check_asks_more_of_higher_tiers():
    low = model(version(), risk_tier="low", limitations="", datasets=())
    assert "failed-check" not in codes(judge(production_registry(the_model=low)))
    high = model(version(), risk_tier="high", ethical_considerations="", datasets=())
    message = next(
        f.message
        for f in judge(production_registry(the_model=high)).errors
        if f.code == "failed-check"
    )
    assert "ethical_considerations, datasets" in message


def test_latest_verification_decides_the_check():
    _, verifications = full_production()
    failed_later = verification("fairness-audit", "failed", when=date(2026, 1, 16), name="f2")
    report = judge(production_registry(verifications=[*verifications, failed_later]))
    assert codes(report) == ["failed-check"]


def test_expired_waiver_is_invalid_and_valid_one_is_waived():
    _, verifications = full_production()
    waiver = Waiver("mira", "Audit scheduled for Q2.", date(2026, 1, 31))
    waived = verification("fairness-audit", "waived", waiver=waiver)
    report = judge(production_registry(verifications=[verifications[0], waived]))
    assert codes(report) == ["invalid-waiver"]
    assert "expired on 2026-01-31" in report.errors[0].message
    fresh = replace(waived, waiver=replace(waiver, expires=date(2026, 6, 30)))
    report = judge(production_registry(verifications=[verifications[0], fresh]))
    assert report.passed
    items = {i.name: i for i in report.versions["credit-risk@2.1"].stages[2].items}
    assert items["fairness-audit"].state == ItemState.WAIVED


def test_waiver_by_someone_without_a_waiver_role_is_invalid():
    _, verifications = full_production()
    waived = verification(
        "fairness-audit", "waived", waiver=Waiver("pia", "later", date(2026, 6, 30))
    )
    report = judge(production_registry(verifications=[verifications[0], waived]))
    assert codes(report) == ["invalid-waiver"]


def test_problem_with_a_pending_stage_signoff_is_only_a_warning():
    signoffs, verifications = full_production()
    forged = signoff("pia", "product-owner", subject="sha256:" + "0" * 64)
    reg = production_registry(
        signoffs=[signoffs[0], forged],
        verifications=verifications[:1],
        the_model=model(version("staging")),
    )
    report = judge(reg)
    assert report.passed
    (finding,) = [f for f in report.findings if f.code == Code.STALE_SIGNOFF]
    assert finding.severity == Severity.WARNING


def test_policy_change_is_judged_with_the_base_people():
    reg = production_registry()
    granted = {**people(), "bob": replace(people()["bob"], roles=("product-owner",))}
    base = reg
    signoffs, _ = full_production()
    head = production_registry(
        signoffs=[*signoffs[:2], signoff("bob", "product-owner")], the_people=granted
    )
    head = replace(head, models={"credit-risk": model(version(author="lena"))})
    report = judge(head, base=base)
    assert "policy-changed" in codes(report)
    assert "role-not-held" in codes(report)
    unchanged = judge(reg, base=reg)
    assert unchanged.passed


def test_policy_change_with_required_policy_signoffs_passes():
    from mkdocs_governance.policy.rules import policy_change_digest, policy_digest
    from mkdocs_governance.records.model import SignoffRequirement

    rules = {"policy_change_signoffs": (SignoffRequirement("model-risk", 1),)}
    base = production_registry(the_policy=policy(**rules))
    head_policy = policy(**rules, signoff_max_age_days=400)
    head = production_registry(the_policy=head_policy)
    report = judge(head, base=base)
    assert codes(report) == ["policy-changed"]
    approval = replace(
        signoff("mira", "model-risk", "policy", name="policy-change"),
        model="policy",
        version="pr-1",
        subject=policy_change_digest(base, policy_digest(head.policy, head.people)),
    )
    head = replace(head, signoffs=(*head.signoffs, approval))
    report = judge(head, base=base)
    assert report.passed, [f.format_line() for f in report.findings]


def test_signoff_by_someone_not_in_people_fills_no_slot():
    signoffs, _ = full_production()
    report = judge(production_registry(signoffs=[*signoffs[:2], signoff("ghost", "product-owner")]))
    assert codes(report) == ["missing-signoff", "role-not-held"]


def test_a_persons_latest_word_on_a_stage_stands_across_roles():
    signoffs, _ = full_production()
    kept = [s for s in signoffs if s.approver != "pia"]
    rejected_first = signoff(
        "duo", "model-risk", decision="rejected", when=date(2026, 1, 10), name="d1"
    )
    approved_later = signoff("duo", "product-owner", when=date(2026, 1, 21), name="d2")
    assert judge(production_registry(signoffs=[*kept, rejected_first, approved_later])).passed
    approved_first = replace(approved_later, date=date(2026, 1, 9))
    rejected_later = replace(rejected_first, date=date(2026, 1, 22))
    report = judge(production_registry(signoffs=[*kept, approved_first, rejected_later]))
    assert codes(report) == ["missing-signoff", "rejected"]
