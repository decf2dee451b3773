"""Hand-built registries and histories for the pure policy tests.

The policy layer is pure, so its rules are first tested on dataclasses built here,
without files or git; tests/scenario.py builds the same situations as real
repositories.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from mkdocs_governance.history.model import (
    ChangeKind,
    Commit,
    FileChange,
    FileHistory,
    History,
    Signature,
    WorktreeState,
)
from mkdocs_governance.records.digest import version_digest
from mkdocs_governance.records.model import (
    Artifact,
    CheckSpec,
    Location,
    Model,
    ModelVersion,
    Person,
    Pipeline,
    Policy,
    Registry,
    Rules,
    SignOff,
    SignoffRequirement,
    StageRequirements,
    TierOverride,
    Verification,
    Waiver,
)

RECORDS = "governance_records"
MODEL_FILE = f"{RECORDS}/models/credit-risk.yaml"

PEOPLE = {
    "alice": ("Alice Owner", ("model-owner",)),
    "bob": ("Bob Builder", ("data-scientist",)),
    "lena": ("Lena Lead", ("ml-lead",)),
    "mira": ("Mira Risk", ("model-risk",)),
    "rafa": ("Rafa Risk", ("model-risk",)),
    "pia": ("Pia Product", ("product-owner",)),
    "duo": ("Duo Twohats", ("model-risk", "product-owner")),
}


def email(person_id: str) -> str:
    """The one email of a test person."""
    return f"{person_id}@bank.example"


def people(**keys: tuple[str, ...]) -> dict[str, Person]:
    """The test people; ``keys`` gives signing keys per person id."""
    return {
        pid: Person(
            pid,
            name,
            (email(pid),),
            roles,
            keys.get(pid, ()),
            Location(f"{RECORDS}/people.yaml", index * 5 + 2),
        )
        for index, (pid, (name, roles)) in enumerate(PEOPLE.items())
    }


def policy(**rules: Any) -> Policy:
    """The SPEC's example policy, with ``rules`` overridden."""
    checks = {
        "data-validation": CheckSpec("data-validation", "Training data validated"),
        "performance": CheckSpec("performance", "Holdout AUC >= 0.80", metric="auc", minimum=0.8),
        "fairness-audit": CheckSpec("fairness-audit", "Fairness audit"),
        "model-card": CheckSpec("model-card", "Model card complete", automatic="documentation"),
    }
    requirements = {
        "staging": StageRequirements(
            "staging", ("data-validation", "performance"), (SignoffRequirement("ml-lead", 1),)
        ),
        "production": StageRequirements(
            "production",
            ("fairness-audit", "model-card"),
            (SignoffRequirement("model-risk", 1), SignoffRequirement("product-owner", 1)),
            {"high": TierOverride(signoffs=(SignoffRequirement("model-risk", 2),))},
        ),
    }
    base_rules = Rules(waiver_roles=("model-risk",))
    return Policy(
        ("development", "staging", "production"),
        checks,
        requirements,
        replace(base_rules, **rules),
        Location(f"{RECORDS}/policy.yaml", 1, {"requirements": 8}),
    )


def version(stage: str = "production", **changes: Any) -> ModelVersion:
    """Version 2.1 of credit-risk, authored by bob."""
    content = {
        "version": "2.1",
        "created": "2026-01-05",
        "stage": stage,
        "author": "bob",
        "artifact": {"uri": "s3://m/2.1", "sha256": "ab" * 32},
        "metrics": {"auc": 0.84},
    }
    metrics = changes.pop("metrics", {"auc": 0.84})
    content["metrics"] = dict(metrics)
    built = ModelVersion(
        "credit-risk",
        "2.1",
        date(2026, 1, 5),
        stage,
        "bob",
        Artifact("s3://m/2.1", "ab" * 32),
        None,
        (),
        metrics,
        "",
        content,
        Location(MODEL_FILE, 12, {"metrics": 18, "stage": 14}),
    )
    return replace(built, **changes)


def model(*versions: ModelVersion, risk_tier: str = "medium", **changes: Any) -> Model:
    """The credit-risk model card, complete for any tier, owned by alice."""
    built = Model(
        "credit-risk",
        "Credit risk",
        "alice",
        "Scores applications.",
        risk_tier,
        "Retail credit decisions.",
        "Corporate lending.",
        "Trained on 2020-2024 data.",
        "Checked for disparate impact.",
        ("loans",),
        (),
        versions,
        "",
        Location(MODEL_FILE, 1),
    )
    return replace(built, **changes)


def signoff(
    approver: str,
    role: str,
    stage: str = "production",
    *,
    decision: str = "approved",
    when: date = date(2026, 1, 20),
    subject: str | None = "current",
    name: str | None = None,
) -> SignOff:
    """A sign-off of credit-risk@2.1; ``subject="current"`` is replaced by the digest."""
    path = f"{RECORDS}/signoffs/credit-risk/2.1/{name or f'{stage}-{role}-{approver}'}.yaml"
    return SignOff(
        path,
        "credit-risk",
        "2.1",
        stage,
        approver,
        role,
        decision,
        when,
        "",
        (),
        subject,
        Location(path, 1, {"approver": 4, "role": 5, "decision": 6, "date": 7, "subject": 8}),
    )


def verification(
    check: str,
    status: str = "passed",
    *,
    when: date = date(2026, 1, 15),
    subject: str | None = "current",
    waiver: Waiver | None = None,
    name: str | None = None,
) -> Verification:
    """A verification of credit-risk@2.1."""
    path = f"{RECORDS}/verifications/credit-risk/2.1/{name or check}.yaml"
    return Verification(
        path,
        "credit-risk",
        "2.1",
        check,
        status,
        when,
        "pipeline:ci",
        "",
        {},
        "",
        subject,
        waiver,
        Location(path, 1, {"status": 5, "subject": 9, "waiver": 10, "date": 6}),
    )


def registry(
    the_model: Model,
    signoffs: tuple[SignOff, ...] = (),
    verifications: tuple[Verification, ...] = (),
    *,
    the_policy: Policy | None = None,
    the_people: dict[str, Person] | None = None,
) -> Registry:
    """A registry of one model; ``subject="current"`` placeholders get the real digest."""
    built = Registry(
        RECORDS,
        the_people if the_people is not None else people(),
        the_policy if the_policy is not None else policy(),
        {the_model.id: the_model},
        {},
        {},
        {},
        (),
        (),
        (),
    )
    digests = {v.key: version_digest(v, built.datasets) for v in the_model.versions}

    def fix(record: Any) -> Any:
        if record.subject == "current":
            return replace(record, subject=digests[record.key])
        return record

    # The CI pipeline that records check results commits as ci@bank.example.
    ci = Pipeline("ci", "CI Pipeline", (email("ci"),), (), Location(f"{RECORDS}/people.yaml", 40))
    return replace(
        built,
        signoffs=tuple(fix(s) for s in signoffs),
        verifications=tuple(fix(v) for v in verifications),
        pipelines={"ci": ci},
    )


def full_production() -> tuple[list[SignOff], list[Verification]]:
    """The records a medium-risk production version needs to pass."""
    return (
        [
            signoff("lena", "ml-lead", "staging"),
            signoff("mira", "model-risk"),
            signoff("pia", "product-owner"),
        ],
        [verification("data-validation"), verification("fairness-audit")],
    )


def _commit(sha: str, author: str, when: datetime, signature: Signature | None = None) -> Commit:
    return Commit(
        sha,
        (),
        PEOPLE.get(author, (author, ()))[0],
        email(author),
        when,
        PEOPLE.get(author, (author, ()))[0],
        email(author),
        when,
        f"commit by {author}",
        "",
        (),
        signature,
    )


def history_for(
    reg: Registry,
    *,
    authors: dict[str, str] | None = None,
    edits: dict[str, str] | None = None,
    signatures: dict[str, Signature] | None = None,
    states: dict[str, WorktreeState] | None = None,
    signatures_checked: bool = False,
) -> History:
    """A history in which each sign-off was added by its approver (or ``authors[path]``),
    each verification by ``ci`` (a waived one by its waiver's approver), and the model
    file by bob on 2026-01-05.

    ``edits`` adds a later commit to a file by another author.
    """
    authors = authors or {}
    edits = edits or {}
    signatures = signatures or {}
    commits: dict[str, Commit] = {}
    files: dict[str, FileHistory] = {}
    order: list[str] = []
    counter = 0

    def add(path: str, author: str, when: datetime) -> str:
        nonlocal counter
        counter += 1
        sha = f"{counter:040x}"
        commits[sha] = _commit(sha, author, when, signatures.get(path))
        order.insert(0, sha)
        return sha

    model_sha = add(MODEL_FILE, "bob", datetime(2026, 1, 5, 9, tzinfo=UTC))
    files[MODEL_FILE] = FileHistory(
        MODEL_FILE, (FileChange(model_sha, ChangeKind.ADDED, MODEL_FILE),)
    )
    records = [
        (s.location.file, authors.get(s.location.file, s.approver), s.date) for s in reg.signoffs
    ]
    # A waiver is committed by the person who grants it; other results by the pipeline.
    records += [
        (
            v.location.file,
            authors.get(v.location.file, v.waiver.approved_by if v.waiver else "ci"),
            v.date,
        )
        for v in reg.verifications
    ]
    for path, author, when in records:
        if states and states.get(path) == WorktreeState.UNTRACKED:
            continue
        sha = add(path, author, datetime(when.year, when.month, when.day, 12, tzinfo=UTC))
        changes = [FileChange(sha, ChangeKind.ADDED, path)]
        if path in edits:
            later = add(
                path, edits[path], datetime(when.year, when.month, when.day, 13, tzinfo=UTC)
            )
            changes.insert(0, FileChange(later, ChangeKind.MODIFIED, path))
        files[path] = FileHistory(path, tuple(changes))
    return History(
        available=True,
        head=order[0],
        commits=commits,
        order=tuple(order),
        files=files,
        worktree=dict(states or {}),
        signatures_checked=signatures_checked,
        repo_root="/repo",
    )
