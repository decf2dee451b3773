"""``import mlflow`` against the real MLflow 3.17.2 file store of the shared corpus.

The store is copied into a temp dir (the corpus is read-only) and read through
MLflow's own client. Git does not keep empty folders, so the corpus copy lacks the
empty ``artifacts/`` folder MLflow writes in each run; the fixture puts them back, as
MLflow wrote them, and one test imports the copy as Git left it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from mkdocs_governance.cli import main
from mkdocs_governance.importers import ImportBatch
from mkdocs_governance.importers.mlflow import (
    MlflowOptions,
    hash_path,
    map_registered_model,
    map_run,
    version_stage,
)
from mkdocs_governance.importers.writer import merge_record
from tests.conftest import CORPUS
from tests.gitrepo import GitRepo

mlflow = pytest.importorskip("mlflow")

STORE = CORPUS / "mlflow" / "mlruns-mlflow-3.17.2"
pytestmark = pytest.mark.skipif(not STORE.is_dir(), reason="shared corpus not present")

PEOPLE = """\
people:
  - {id: alice, name: Alice Analyst, emails: [alice@example.com], roles: [ml-lead]}
  - {id: rita, name: Rita Risk, emails: [rita@example.com], roles: [model-risk]}
"""
POLICY = """\
stages: [development, staging, production]
requirements:
  staging:
    signoffs: [{role: ml-lead, count: 1}]
  production:
    bound_artifact: true
    signoffs: [{role: model-risk, count: 1}]
"""
HAND_MODEL = """\
name: {name}
owner: alice
risk_tier: low
"""
IMPORT_ARGS = [
    "--stage",
    "Production=production",
    "--stage",
    "@challenger=staging",
    "--default-stage",
    "development",
    "--owner",
    "alice",
    "--risk-tier",
    "medium",
    "--person",
    "root=alice",
    "--person",
    "unknown=alice",
    "--commit-tag",
    "git_sha",
]
RECORD_CODES = {"invalid-record", "unknown-reference", "duplicate-id"}
TRIAL_1 = "852e463a86604b4dadc92fe93e477796"


def _copy_store(target: Path, *, repair: bool = True) -> Path:
    shutil.copytree(STORE, target)
    if repair:
        for meta in target.glob("*/*/meta.yaml"):
            (meta.parent / "artifacts").mkdir(exist_ok=True)
    return target


@pytest.fixture
def project(tmp_path: Path) -> SimpleNamespace:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(
        "governance: people and policy",
        files={
            "governance_records/people.yaml": PEOPLE,
            "governance_records/policy.yaml": POLICY,
            # Models MLflow has no registry entry for, written by hand.
            "governance_records/models/fraud-detector.yaml": HAND_MODEL.format(name="Fraud"),
            "governance_records/models/sentiment-bert-finetune.yaml": HAND_MODEL.format(
                name="Sentiment"
            ),
        },
    )
    store = _copy_store(tmp_path / "mlruns")
    return SimpleNamespace(repo=repo, store=store, records=repo.path / "governance_records")


def _import(capsys: Any, project: SimpleNamespace, *extra: str) -> tuple[int, str]:
    code = main(
        [
            "import",
            "mlflow",
            str(project.store),
            "--records-dir",
            str(project.records),
            *IMPORT_ARGS,
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out


def _check(capsys: Any, records: Path) -> list[dict[str, Any]]:
    main(["check", "--records-dir", str(records), "--format", "json", "--as-of", "2026-12-01"])
    out, _ = capsys.readouterr()
    return json.loads(out)["findings"]


def _experiment(records: Path, run_id: str) -> dict[str, Any]:
    return yaml.safe_load((records / "experiments" / f"mlflow-{run_id}.yaml").read_text())


def test_every_active_run_becomes_an_experiment_and_deleted_ones_are_said(project, capsys):
    code, out = _import(capsys, project)
    assert code == 0, out
    files = sorted(p.name for p in (project.records / "experiments").iterdir())
    assert len(files) == 12  # 3 x 3 trials + parent-sweep + child-0 + crashed-run
    assert "skipped deleted experiment `abandoned-experiment`" in out
    assert "13 created, 0 updated, 0 unchanged, 0 refused" in out


def test_a_run_maps_params_latest_metrics_history_date_commit_note_and_ids(project, capsys):
    _import(capsys, project)
    record = _experiment(project.records, TRIAL_1)
    assert record["title"] == "churn-classifier-trial-1"
    assert record["model"] == "churn-classifier"
    assert record["author"] == "alice"
    assert record["date"] == "2026-11-26"
    assert record["params"] == {
        "dataset_version": "v2024.05",
        "learning_rate": "0.03",
        "max_depth": "4",
        "optimizer": "adam",
        "seed": "43",
    }
    assert record["metrics"]["f1"] == 0.75
    history = record["metric_history"]["train_loss"]
    assert [step for step, _ in history] == list(range(10))
    assert history[-1][1] == record["metrics"]["train_loss"]
    assert record["code_commit"] == "fcbd04c340212ef7cca5a5a19e4d6e3c1846d424"
    assert record["conclusion"] == "## Notes\nTrial **1** with lr=0.03"
    assert record["tags"] == {
        "git_sha": "fcbd04c340212ef7cca5a5a19e4d6e3c1846d424",
        "owner": "bob",
        "stage": "experiment",
    }
    assert record["extra"]["mlflow"]["run_id"] == TRIAL_1
    assert record["extra"]["mlflow"]["experiment_id"] == "571167142097146106"
    assert record["extra"]["mlflow"]["status"] == "FINISHED"
    assert record["outcome"] == "inconclusive"


def test_nan_metric_is_dropped_and_reported_never_written(project, capsys):
    _, out = _import(capsys, project)
    crashed = _experiment(project.records, "4b7b43c5c0a94e3b911eb71ec24e0b63")
    assert "train_loss" not in crashed.get("metrics", {})
    assert "train_loss" not in crashed.get("metric_history", {})
    text = project.records / "experiments" / "mlflow-4b7b43c5c0a94e3b911eb71ec24e0b63.yaml"
    assert ".nan" not in text.read_text().lower()
    assert "metric `train_loss` is nan; dropped" in out
    assert crashed["extra"]["mlflow"]["status"] == "FAILED"


def test_a_nested_run_keeps_its_parent_under_extra(project, capsys):
    _import(capsys, project)
    child = _experiment(project.records, "7faa5a6538304c0698146581011faeb7")
    assert child["extra"]["mlflow"]["parent_run"] == "mlflow-fd88716c711d4d0fabb3ee4007dea8f6"


def test_registered_versions_map_stage_alias_run_and_unhashable_artifact(project, capsys):
    _, out = _import(capsys, project)
    model = yaml.safe_load((project.records / "models" / "churn-classifier.yaml").read_text())
    assert model["owner"] == "alice" and model["risk_tier"] == "medium"
    assert model["description"] == "Predicts customer churn"
    v1, v2 = model["versions"]
    assert (v1["version"], v1["stage"]) == ("1", "staging")  # @challenger
    assert (v2["version"], v2["stage"]) == ("2", "production")  # Production (and @champion)
    assert v2["experiment"] == f"mlflow-{TRIAL_1}"
    assert v2["artifact"] == {"uri": f"runs:/{TRIAL_1}/model"}  # not readable: no sha256
    assert v2["extra"]["mlflow"]["aliases"] == ["champion"]
    assert "could not be read, imported without sha256" in out


def test_imported_records_pass_check_except_the_policys_own_requirements(project, capsys):
    _import(capsys, project)
    project.repo.commit("import mlflow")
    findings = _check(capsys, project.records)
    assert [f for f in findings if f["code"] in RECORD_CODES] == []
    codes = {f["code"] for f in findings}
    assert "missing-signoff" in codes  # the policy asks for sign-offs nobody gave yet


def test_a_version_whose_artifact_cannot_be_hashed_cannot_pass_a_bound_stage(project, capsys):
    _import(capsys, project)
    project.repo.commit("import mlflow")
    findings = _check(capsys, project.records)
    unbound = [f for f in findings if f["code"] == "unbound-artifact"]
    assert sorted((f["subject"], f["severity"]) for f in unbound) == [
        ("churn-classifier@1", "warning"),  # production is still ahead of it
        ("churn-classifier@2", "error"),  # sits in production
    ]
    assert "has no sha256" in unbound[0]["message"]


def test_a_second_import_changes_nothing(project, capsys):
    _import(capsys, project)
    before = {p: p.read_bytes() for p in project.records.rglob("*.yaml")}
    code, out = _import(capsys, project)
    assert code == 0
    assert "0 created, 0 updated, 13 unchanged, 0 refused" in out
    assert {p: p.read_bytes() for p in project.records.rglob("*.yaml")} == before


def test_dry_run_prints_the_changes_and_writes_nothing(project, capsys):
    code, out = _import(capsys, project, "--dry-run")
    assert code == 0
    assert "would create models/churn-classifier.yaml" in out
    assert "dry run, nothing written: 13 created" in out
    assert not (project.records / "experiments").exists()


def test_person_written_fields_survive_a_re_import(project, capsys):
    _import(capsys, project)
    path = project.records / "experiments" / f"mlflow-{TRIAL_1}.yaml"
    record = yaml.safe_load(path.read_text())
    record["conclusion"] = "Adopted: best recall at acceptable loss."
    record["outcome"] = "adopted"
    record["hypothesis"] = "A lower learning rate generalises better."
    path.write_text(yaml.safe_dump(record, sort_keys=False))
    model_path = project.records / "models" / "churn-classifier.yaml"
    model = yaml.safe_load(model_path.read_text())
    model["versions"][1]["description"] = "Reviewed by Rita."
    model["intended_use"] = "Retention campaigns."
    model_path.write_text(yaml.safe_dump(model, sort_keys=False))

    code, out = _import(capsys, project)
    assert code == 0
    again = yaml.safe_load(path.read_text())
    assert again["conclusion"] == "Adopted: best recall at acceptable loss."
    assert again["outcome"] == "adopted"
    assert again["hypothesis"] == "A lower learning rate generalises better."
    model = yaml.safe_load(model_path.read_text())
    assert model["versions"][1]["description"] == "Reviewed by Rita."
    assert model["intended_use"] == "Retention campaigns."
    assert "kept conclusion" in out or "conclusion: written in the record" in out


def _new_run(store: Path) -> str:
    """A new run logged by the real MLflow client, in a separate process."""
    script = f"""
import os
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
os.environ["MLFLOW_ENABLE_ASYNC_LOGGING"] = "false"
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri={store.as_uri()!r})
experiment = client.get_experiment_by_name("fraud-detector")
run = client.create_run(experiment.experiment_id, run_name="fraud-detector-trial-3",
                        tags={{"mlflow.user": "root", "mlflow.note.content": "Trial 3"}})
client.log_param(run.info.run_id, "learning_rate", "0.003")
for step in range(3):
    client.log_metric(run.info.run_id, "val_accuracy", 0.9 + step / 100, step=step)
client.set_terminated(run.info.run_id)
print(run.info.run_id)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.strip().splitlines()[-1]


def test_an_import_after_a_new_run_changes_exactly_that_runs_record(project, capsys):
    _import(capsys, project)
    before = {p: p.read_bytes() for p in project.records.rglob("*.yaml")}
    run_id = _new_run(project.store)
    code, out = _import(capsys, project)
    assert code == 0
    after = {p: p.read_bytes() for p in project.records.rglob("*.yaml")}
    added = set(after) - set(before)
    assert [p.name for p in added] == [f"mlflow-{run_id}.yaml"]
    assert all(after[p] == before[p] for p in before)
    assert "1 created, 0 updated, 13 unchanged" in out
    record = _experiment(project.records, run_id)
    assert record["metric_history"]["val_accuracy"] == [[0, 0.9], [1, 0.91], [2, 0.92]]


def test_the_store_as_git_left_it_imports_latest_metrics_and_says_why(tmp_path, capsys):
    store = _copy_store(tmp_path / "mlruns", repair=False)
    records = tmp_path / "records"
    code = main(["import", "mlflow", str(store), "--records-dir", str(records), *IMPORT_ARGS])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "lacks its empty `artifacts/` folder" in out
    record = _experiment(records, TRIAL_1)
    assert record["metrics"]["f1"] == 0.75
    assert "metric_history" not in record


def test_a_missing_store_or_missing_owner_is_reported_not_a_traceback(tmp_path, capsys):
    code = main(["import", "mlflow", str(tmp_path / "nowhere"), "--records-dir", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2 and "does not exist" in err
    store = _copy_store(tmp_path / "mlruns")
    code = main(["import", "mlflow", str(store), "--records-dir", str(tmp_path / "r")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "MLflow does not know its --owner and --risk-tier" in out


def test_the_wiki_builds_with_the_imported_experiments_and_their_plots(project, capsys):
    _import(capsys, project)
    project.repo.write(
        "mkdocs.yml",
        "site_name: Imported\ntheme: {name: material}\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables]\n"
        "plugins:\n  - governance:\n      gate: warn\n      as_of: 2026-12-01\n",
    )
    project.repo.write("docs/index.md", "# Home\n")
    project.repo.commit("import mlflow")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "out"],
        cwd=project.repo.path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    site = project.repo.path / "out" / "governance"
    page = next(site.glob(f"experiments/mlflow-{TRIAL_1}*/index.html"), None) or next(
        site.glob(f"experiments/mlflow-{TRIAL_1}*.html")
    )
    html = page.read_text()
    assert "churn-classifier-trial-1" in html
    assert "<svg" in html or ".svg" in html  # the metric history plot
    assert (site / "models" / "churn-classifier" / "index.html").is_file()
    version_page = (site / "models" / "churn-classifier" / "2" / "index.html").read_text()
    checklist = version_page[version_page.index("Artifact bound (sha256)") :]
    assert "missing" in checklist[:400] and "has no sha256" in checklist[:600]


# -- the mapping rules, one by one, on MLflow's own entity classes -------------------------


def _run(**tags: str) -> Any:
    from mlflow.entities import Metric, Param, Run, RunData, RunInfo, RunTag

    info = RunInfo(
        run_id="abc123",
        experiment_id="7",
        user_id="carol",
        status="RUNNING",
        start_time=1_700_000_000_000,
        end_time=None,
        lifecycle_stage="active",
        artifact_uri="file:///x",
        run_name="r",
    )
    data = RunData(
        metrics=[Metric("auc", float("inf"), 0, 0), Metric("loss", 0.5, 0, 3)],
        params=[Param("lr", "0.1")],
        tags=[RunTag(k, v) for k, v in tags.items()],
    )
    return Run(info, data)


def test_mapping_running_status_unmapped_user_git_tag_and_infinite_metric():
    batch = ImportBatch()
    experiment = SimpleNamespace(name="My Experiment", experiment_id="7")
    record = map_run(
        _run(**{"mlflow.source.git.commit": "deadbeef"}), experiment, {}, MlflowOptions(), batch
    ).data
    assert record["outcome"] == "running"
    assert record["code_commit"] == "deadbeef"
    assert record["model"] == "My-Experiment"
    assert record["author"] == "carol"
    assert record["metrics"] == {"loss": 0.5}
    assert record["date"] == "2023-11-14"
    assert any("`carol` is not mapped" in n for n in batch.notes)
    assert any("`auc` is inf" in n for n in batch.notes)


def test_mapping_stage_prefers_a_mapped_alias_over_the_mlflow_stage():
    options = MlflowOptions(stages={"@champion": "production", "Staging": "staging"})
    version = SimpleNamespace(current_stage="Staging")
    assert version_stage(version, ["champion"], options) == "production"
    assert version_stage(version, ["other"], options) == "staging"
    assert version_stage(SimpleNamespace(current_stage="None"), [], options) is None


def test_mapping_a_version_no_stage_maps_is_refused_without_a_default_stage():
    batch = ImportBatch()
    model = SimpleNamespace(name="m", aliases={}, description="", tags={})
    version = SimpleNamespace(
        version="1",
        creation_timestamp=0,
        current_stage="None",
        run_id=None,
        user_id="u",
        source="s3://bucket/m",
        description="",
        tags={},
        status="READY",
        model_id=None,
    )
    options = MlflowOptions(owner="o", risk_tier="low", people={"u": "p"})
    record = map_registered_model(model, [version], {}, {}, options, batch, exists=False)
    assert record is not None and record.data["versions"] == []
    assert any("--default-stage" in p for p in batch.problems)


def test_directory_artifacts_hash_as_their_sorted_sha256sum_manifest(tmp_path):
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "MLmodel").write_text("flavors: {}\n")
    (folder / "sub" / "weights.bin").write_bytes(b"\x00\x01")
    manifest = subprocess.run(
        "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum",
        shell=True,
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    assert hash_path(folder) == manifest
    assert hash_path(folder / "MLmodel") != manifest


def test_merge_keeps_person_fields_and_extra_keys_only_the_file_has():
    existing = {"conclusion": "mine", "extra": {"team": "x", "mlflow": {"a": 1}}, "datasets": ["d"]}
    imported = {"conclusion": "theirs", "extra": {"mlflow": {"a": 2}}, "title": "t"}
    merged, kept = merge_record("experiment", existing, imported)
    assert merged["conclusion"] == "mine" and kept == ["conclusion"]
    assert merged["extra"] == {"team": "x", "mlflow": {"a": 2}}
    assert merged["datasets"] == ["d"] and merged["title"] == "t"


def test_hostile_run_text_is_inert_on_the_wiki(project, capsys):
    script = f"""
import os
os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri={project.store.as_uri()!r})
experiment = client.get_experiment_by_name("churn-classifier")
run = client.create_run(experiment.experiment_id, run_name="<img src=x onerror=alert(1)>",
    tags={{"mlflow.user": "root", "mlflow.note.content": "<script>alert(2)</script>",
           "team": "<b onmouseover=alert(3)>growth</b>"}})
client.set_terminated(run.info.run_id)
print(run.info.run_id)
"""
    run_id = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()[-1]
    _import(capsys, project)
    project.repo.write(
        "mkdocs.yml",
        "site_name: Imported\nplugins:\n  - governance:\n      gate: warn\n",
    )
    project.repo.write("docs/index.md", "# Home\n")
    project.repo.commit("import mlflow")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "out"],
        cwd=project.repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = next(
        (project.repo.path / "out" / "governance" / "experiments").glob(f"mlflow-{run_id}*")
    )
    html = (page / "index.html").read_text() if page.is_dir() else page.read_text()
    assert "<script>alert(2)" not in html
    assert "<img src=x" not in html
    assert "<b onmouseover" not in html
    assert "onmouseover=alert(3)" in html.replace("&gt;", ">")  # shown, as text


def test_a_sqlite_store_with_a_readable_artifact_imports_its_sha256(tmp_path, capsys):
    """sqlite:/// through the same client; a logged model folder is hashed as its manifest."""
    model_dir = tmp_path / "model"
    (model_dir / "data").mkdir(parents=True)
    (model_dir / "MLmodel").write_text("flavors: {}\n")
    (model_dir / "data" / "model.pkl").write_bytes(b"\x80\x04weights")
    database = f"sqlite:///{tmp_path / 'mlflow.db'}"
    script = f"""
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri={database!r}, registry_uri={database!r})
experiment = client.create_experiment("churn-classifier",
                                      artifact_location={(tmp_path / "artifacts").as_uri()!r})
run = client.create_run(experiment, run_name="sql-run", tags={{"mlflow.user": "root"}})
for step in range(3):
    client.log_metric(run.info.run_id, "auc", 0.8 + step / 100, step=step)
client.log_artifacts(run.info.run_id, {str(model_dir)!r}, artifact_path="model")
client.set_terminated(run.info.run_id)
client.create_registered_model("churn-classifier")
client.create_model_version("churn-classifier", source=f"runs:/{{run.info.run_id}}/model",
                            run_id=run.info.run_id)
client.set_registered_model_alias("churn-classifier", "champion", "1")
print(run.info.run_id)
"""
    run_id = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    ).stdout.split()[-1]
    records = tmp_path / "records"
    code = main(
        [
            "import",
            "mlflow",
            database,
            "--records-dir",
            str(records),
            "--owner",
            "alice",
            "--risk-tier",
            "low",
            "--stage",
            "@champion=production",
            "--person",
            "root=alice",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0, out
    model = yaml.safe_load((records / "models" / "churn-classifier.yaml").read_text())
    (version,) = model["versions"]
    assert version["stage"] == "production"
    assert version["artifact"] == {"uri": f"runs:/{run_id}/model", "sha256": hash_path(model_dir)}
    record = _experiment(records, run_id)
    assert record["metric_history"]["auc"] == [[step, 0.8 + step / 100] for step in range(3)]
