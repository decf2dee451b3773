"""GTO: tags in history, ``import gto``, the ``unsigned-gto-assignment`` gate rule, the audit trail.

Against the shared corpus' GTO demo repository (tags made by gto 1.10.1), cloned
from its bundle into a temp dir with the real git.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_governance.cli import main
from mkdocs_governance.history import read_history
from mkdocs_governance.history.tags import current_assignments, gto_events, parse_gto_name
from tests.conftest import CORPUS
from tests.gitrepo import GitRepo, isolated_git_env

BUNDLE = CORPUS / "gto" / "demo-repo.bundle"
pytestmark = pytest.mark.skipif(not BUNDLE.is_file(), reason="shared corpus not present")

BUILDER = ("Corpus Builder", "corpus@example.invalid")
MONA = ("Mona Lead", "mona@example.com")
PEOPLE = """\
people:
  - {id: builder, name: Corpus Builder, emails: [corpus@example.invalid], roles: []}
  - {id: alice, name: Alice Owner, emails: [alice@example.com], roles: []}
  - {id: mona, name: Mona Lead, emails: [mona@example.com], roles: [ml-lead]}
  - {id: rita, name: Rita Risk, emails: [rita@example.com], roles: [model-risk]}
"""
POLICY = """\
stages: [development, staging, production]
gto_stages: {dev: development, prod: production}
requirements:
  staging:
    signoffs: [{role: ml-lead, count: 1}]
  production:
    signoffs: [{role: model-risk, count: 1}]
"""
IMPORT = [
    "--stage",
    "prod=production",
    "--stage",
    "staging=staging",
    "--stage",
    "dev=development",
    "--default-stage",
    "development",
    "--owner",
    "alice",
    "--risk-tier",
    "medium",
    "--person",
    "corpus@example.invalid=builder",
]


@pytest.fixture
def demo(tmp_path: Path) -> GitRepo:
    target = tmp_path / "demo"
    subprocess.run(
        ["git", "clone", "-q", str(BUNDLE), str(target)],
        check=True,
        env=isolated_git_env(),
        capture_output=True,
    )
    repo = GitRepo(target, init=False)
    repo.git("config", "user.name", BUILDER[0])
    repo.git("config", "user.email", BUILDER[1])
    repo.commit(
        "governance: people and policy",
        files={"governance_records/people.yaml": PEOPLE, "governance_records/policy.yaml": POLICY},
        author=BUILDER,
        date="2026-11-27T09:00:00+00:00",
    )
    return repo


def _import(capsys: Any, repo: GitRepo, *extra: str) -> tuple[int, str]:
    records = repo.path / "governance_records"
    code = main(["import", "gto", str(repo.path), "--records-dir", str(records), *IMPORT, *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def _findings(capsys: Any, repo: GitRepo) -> list[dict[str, Any]]:
    records = repo.path / "governance_records"
    main(["check", "--records-dir", str(records), "--format", "json", "--as-of", "2026-12-01"])
    return json.loads(capsys.readouterr()[0])["findings"]


def test_tag_names_parse_as_gto_itself_parses_them(demo):
    gto_tag = pytest.importorskip("gto.tag")
    names = demo.git("tag", "-l").split()
    assert len(names) == 12
    for name in names:
        ours = parse_gto_name(name)
        theirs = gto_tag.parse_name(name)
        assert ours is not None, name
        assert ours["artifact"] == theirs["name"]
        assert ours["action"] == theirs["action"].value
        assert ours["version"] == theirs.get("version")
        assert ours["stage"] == theirs.get("stage")
        assert ours["counter"] == theirs.get("counter")
    assert parse_gto_name("release-2026") is None
    assert parse_gto_name("v1.0.0") is None


def test_history_reads_tags_and_current_assignments_match_gto_show(demo):
    history = read_history(demo.path, ["governance_records"])
    current = {
        (a.artifact, a.stage): a.version for a in current_assignments(gto_events(history.tags))
    }
    # gto show: churn dev v0.1.0, staging v0.1.0, prod v1.0.0 (prod#4 replaced prod#2);
    # fraud-detector's prod is "-" after the unassignment; train-data is deprecated.
    assert current == {
        ("churn", "dev"): "v0.1.0",
        ("churn", "staging"): "v0.1.0",
        ("churn", "prod"): "v1.0.0",
    }
    tag = next(t for t in history.tags if t.name == "fraud-detector#prod#1")
    assert (tag.tagger_name, tag.tagger_email) == BUILDER
    assert tag.message == "Approved by risk committee"
    assert tag.date is not None and tag.date.year == 2026


def test_import_gto_writes_registrations_as_versions_with_their_current_stage(demo, capsys):
    code, out = _import(capsys, demo)
    assert code == 0, out
    assert "skipped GTO artifact `train-data`: deprecated" in out
    churn = yaml.safe_load((demo.path / "governance_records/models/churn.yaml").read_text())
    assert churn["description"] == "Customer churn classifier"
    assert churn["tags"] == ["tabular", "gbdt"]
    stages = {v["version"]: v["stage"] for v in churn["versions"]}
    assert stages == {"v0.0.1": "development", "v0.1.0": "staging", "v1.0.0": "production"}
    v010 = next(v for v in churn["versions"] if v["version"] == "v0.1.0")
    assert v010["description"] == "Better recall after retraining"
    assert v010["author"] == "builder"
    blob = demo.git("show", "f0b78e13e07d1060e4286814973058987fdd0732:models/churn.pkl")
    import hashlib

    assert v010["artifact"] == {
        "uri": "models/churn.pkl",
        "sha256": hashlib.sha256(blob.encode()).hexdigest(),
    }
    fraud = yaml.safe_load(
        (demo.path / "governance_records/models/fraud-detector.yaml").read_text()
    )
    assert [v["stage"] for v in fraud["versions"]] == ["development"]  # unassigned from prod
    assert _import(capsys, demo)[1].endswith("0 created, 0 updated, 2 unchanged, 0 refused\n")


def test_a_gto_assignment_without_the_stages_signoffs_fails_the_gate(demo, capsys):
    _import(capsys, demo)
    demo.commit("import gto", author=BUILDER, date="2026-11-27T10:00:00+00:00")
    findings = [f for f in _findings(capsys, demo) if f["code"] == "unsigned-gto-assignment"]
    got = sorted((f["subject"], f["message"].split("]")[0][1:]) for f in findings)
    assert got == [
        ("churn@v0.1.0", "staging"),
        ("churn@v1.0.0", "production"),
        ("churn@v1.0.0", "staging"),
    ]
    assert all(f["severity"] == "error" for f in findings)
    message = next(f["message"] for f in findings if f["subject"] == "churn@v0.1.0")
    assert "churn#staging#3" in message and "Corpus Builder" in message


def test_a_signed_off_gto_assignment_passes_that_rule(demo, capsys):
    _import(capsys, demo)
    demo.commit("import gto", author=BUILDER, date="2026-11-27T10:00:00+00:00")
    main(["digest", "churn@v0.1.0", "--records-dir", str(demo.path / "governance_records")])
    digest = capsys.readouterr()[0].strip()
    demo.commit(
        "sign-off churn v0.1.0 for staging",
        files={
            "governance_records/signoffs/churn-v0.1.0-staging.yaml": (
                "model: churn\nversion: v0.1.0\nstage: staging\napprover: mona\nrole: ml-lead\n"
                f"decision: approved\ndate: 2026-11-28\nsubject: {digest}\n"
            )
        },
        author=MONA,
        date="2026-11-28T09:00:00+00:00",
    )
    subjects = {
        f["subject"] for f in _findings(capsys, demo) if f["code"] == "unsigned-gto-assignment"
    }
    assert "churn@v0.1.0" not in subjects and "churn@v1.0.0" in subjects


def test_an_assigned_version_missing_from_the_records_is_an_error(demo, capsys):
    findings = [f for f in _findings(capsys, demo) if f["code"] == "unsigned-gto-assignment"]
    assert {f["subject"] for f in findings} == {"churn@v0.1.0", "churn@v1.0.0"}
    assert all("the records have no such model version" in f["message"] for f in findings)


def test_the_audit_trail_shows_each_assignment_with_tagger_date_and_message(demo, capsys):
    _import(capsys, demo)
    demo.write(
        "mkdocs.yml",
        "site_name: GTO\nplugins:\n  - governance:\n      gate: warn\n      as_of: 2026-12-01\n",
    )
    demo.write("docs/index.md", "# Home\n")
    demo.commit("site", author=BUILDER, date="2026-11-27T11:00:00+00:00")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "out"],
        cwd=demo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    html = (demo.path / "out" / "governance" / "audit" / "index.html").read_text()
    section = html[html.index("GTO stage assignments") :]
    for text in ("churn#prod#4", "fraud-detector#prod!#2", "Approved by risk committee"):
        assert text in section
    assert "unassigned" in section and "corpus@example.invalid" in section
    assert section.index("fraud-detector#prod!#2") < section.index("churn#dev#1")  # newest first


def test_a_pull_request_cannot_rename_a_gto_stage_to_escape_the_gate(demo, capsys):
    """The mapping is policy: the base's judges, so the head's edit changes nothing."""
    _import(capsys, demo)
    demo.commit("import gto", author=BUILDER, date="2026-11-27T10:00:00+00:00")
    demo.git("checkout", "-q", "-b", "escape")
    demo.commit(
        "policy: prod is just development",
        files={
            "governance_records/policy.yaml": POLICY.replace(
                "prod: production", "prod: development, staging: development"
            )
        },
        author=BUILDER,
        date="2026-11-28T10:00:00+00:00",
    )
    records = demo.path / "governance_records"
    main(["check", "--records-dir", str(records), "--format", "json", "--base", "main"])
    findings = json.loads(capsys.readouterr()[0])["findings"]
    subjects = {f["subject"] for f in findings if f["code"] == "unsigned-gto-assignment"}
    assert subjects == {"churn@v0.1.0", "churn@v1.0.0"}
    assert "policy-changed" in {f["code"] for f in findings}


def test_hostile_tag_text_is_inert_in_the_audit_trail(demo, capsys):
    demo.git(
        "tag",
        "-a",
        "churn#staging#9",
        "-m",
        '<script>alert("tag")</script> [x](javascript:alert(1))',
        "f0b78e13e07d1060e4286814973058987fdd0732",
        env={"GIT_COMMITTER_NAME": "<img src=x onerror=alert(2)>", "GIT_COMMITTER_EMAIL": "e@x"},
    )
    demo.write(
        "mkdocs.yml",
        "site_name: GTO\nplugins:\n  - governance:\n      gate: warn\n      as_of: 2026-12-01\n",
    )
    demo.write("docs/index.md", "# Home\n")
    demo.commit("site", author=BUILDER, date="2026-11-27T11:00:00+00:00")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "out"],
        cwd=demo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    html = (demo.path / "out" / "governance" / "audit" / "index.html").read_text()
    assert "churn#staging#9" in html
    assert "<script>alert" not in html
    assert "<img" not in html  # git strips <> from idents; the rest is shown as text
    assert "img src=x onerror=alert(2)" in html
    assert 'href="javascript:' not in html
