"""docs/importers.md's walkthrough, end to end on the real material of the shared corpus.

A GTO repository (the demo bundle, cloned), an MLflow 3.17.2 store, a Hugging Face card
and MADR's own decision folder, plus a hand-written people.yaml and policy.yaml, give a
full governance wiki: every importer runs, the records pass ``check`` except for what the
policy itself still asks (sign-offs nobody gave), and ``mkdocs build`` renders the pages
and plots.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from mkdocs_governance.cli import main
from tests.conftest import CORPUS
from tests.gitrepo import GitRepo, isolated_git_env

pytest.importorskip("mlflow")
pytest.importorskip("huggingface_hub")
pytestmark = [
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present"),
    pytest.mark.slow,
]

PEOPLE = """\
people:
  - {id: alice, name: Alice Owner, emails: [alice@example.com], roles: [ml-lead]}
  - {id: rita, name: Rita Risk, emails: [rita@example.com], roles: [model-risk]}
  - {id: builder, name: Release Bot, emails: [corpus@example.invalid], roles: []}
"""
POLICY = """\
stages: [development, staging, production]
gto_stages: {dev: development, prod: production}
requirements:
  staging:
    signoffs: [{role: ml-lead, count: 1}]
  production:
    bound_artifact: true
    signoffs: [{role: model-risk, count: 1}]
"""
RECORD_CODES = {"invalid-record", "unknown-reference", "duplicate-id"}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, out + err
    return out


def test_mlflow_cards_gto_and_adrs_give_a_full_wiki(tmp_path, capsys):
    # The team's GTO repository.
    repo_path = tmp_path / "team"
    subprocess.run(
        ["git", "clone", "-q", str(CORPUS / "gto" / "demo-repo.bundle"), str(repo_path)],
        check=True,
        env=isolated_git_env(),
        capture_output=True,
    )
    repo = GitRepo(repo_path, init=False)
    records = repo_path / "governance_records"
    repo.write_many(
        {"governance_records/people.yaml": PEOPLE, "governance_records/policy.yaml": POLICY}
    )
    # Its MLflow store (with the empty artifacts/ folders Git does not keep).
    store = tmp_path / "mlruns"
    shutil.copytree(CORPUS / "mlflow" / "mlruns-mlflow-3.17.2", store)
    for meta in store.glob("*/*/meta.yaml"):
        (meta.parent / "artifacts").mkdir(exist_ok=True)

    where = ["--records-dir", str(records)]
    owner = ["--owner", "alice", "--risk-tier", "medium"]
    _run(
        capsys,
        "import",
        "mlflow",
        str(store),
        *where,
        *owner,
        "--stage",
        "Production=production",
        "--stage",
        "@challenger=staging",
        "--default-stage",
        "development",
        "--person",
        "root=alice",
        "--person",
        "unknown=alice",
    )
    _run(
        capsys,
        "import",
        "hf-card",
        str(CORPUS / "hf-model-cards" / "fixtures" / "sample_simple_model_index.md"),
        *where,
        "--model-id",
        "sentiment-bert-finetune",
        "--owner",
        "alice",
        "--risk-tier",
        "low",
        "--version",
        "1.0",
        "--stage",
        "development",
        "--created",
        "2026-11-20",
    )
    _run(
        capsys,
        "import",
        "gto",
        str(repo_path),
        *where,
        *owner,
        "--stage",
        "dev=development",
        "--stage",
        "staging=staging",
        "--stage",
        "prod=production",
        "--default-stage",
        "development",
        "--person",
        "corpus@example.invalid=builder",
    )
    shutil.copytree(CORPUS / "adr-madr" / "decisions", records / "decisions")
    repo.write(
        "mkdocs.yml",
        "site_name: Team wiki\ntheme: {name: material}\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables]\n"
        "plugins:\n  - governance:\n      gate: warn\n      as_of: 2026-12-01\n",
    )
    repo.write("docs/index.md", "# Team\n")
    repo.commit("governance: import MLflow, cards, GTO, ADRs", date="2026-11-30T09:00:00+00:00")

    # check: nothing about the records' shape; only what the policy still asks.
    main(["check", *where, "--format", "json", "--as-of", "2026-12-01"])
    findings = json.loads(capsys.readouterr()[0])["findings"]
    assert [f for f in findings if f["code"] in RECORD_CODES and f["severity"] == "error"] == []
    codes = {f["code"] for f in findings if f["severity"] == "error"}
    assert codes <= {"missing-signoff", "unsigned-gto-assignment", "unbound-artifact"}, codes
    assert {"missing-signoff", "unsigned-gto-assignment", "unbound-artifact"} <= codes

    # A second round of imports changes nothing.
    again = _run(
        capsys,
        "import",
        "mlflow",
        str(store),
        *where,
        *owner,
        "--stage",
        "Production=production",
        "--stage",
        "@challenger=staging",
        "--default-stage",
        "development",
        "--person",
        "root=alice",
        "--person",
        "unknown=alice",
    )
    assert " 0 created, 0 updated" in " " + again.splitlines()[-1]

    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", "out"],
        cwd=repo_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    site = repo_path / "out" / "governance"
    for model in ("churn", "churn-classifier", "fraud-detector", "sentiment-bert-finetune"):
        assert (site / "models" / model / "index.html").is_file(), model
    experiments = list((site / "experiments").glob("mlflow-*/index.html"))
    assert len(experiments) == 12
    assert list((site / "assets" / "plots").glob("*.svg"))  # the learning curves
    assert (site / "decisions" / "0009-support-links-between-adrs-inside-an-adrs").is_dir()
    audit = (site / "audit" / "index.html").read_text()
    assert "churn#prod#4" in audit
