"""``import dvc``: a DVC project laid out as DVC's docs describe (dvc.yaml artifacts,
params.yaml, a stage's metrics output, a plots CSV), in a real git repository."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from mkdocs_governance.cli import main
from tests.gitrepo import GitRepo

DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    params:
      - train
      - config/extra.yaml:
          - seed
    metrics:
      - eval/metrics.json:
          cache: false
plots:
  - eval/history.csv:
      x: epoch
      y: [loss, auc]
artifacts:
  churn-model:
    path: models/churn.pkl
    type: model
    desc: Churn classifier
    labels: [tabular]
  train-table:
    path: data/train.csv
    type: dataset
"""
PARAMS = "train:\n  lr: 0.01\n  layers: [64, 32]\n"
EXTRA = "seed: 42\n"
METRICS = {"auc": 0.87, "per_class": {"churned": {"recall": 0.7}}, "note": "ok", "bad": "nan"}
HISTORY = "epoch,loss,auc\n0,0.9,0.6\n1,0.5,0.8\n2,0.4,0.87\n"
PEOPLE = "people:\n  - {id: alice, name: Alice, emails: [alice@example.com], roles: []}\n"
POLICY = "stages: [development, production]\n"
ARGS = [
    "--experiment-id",
    "dvc-exp-1",
    "--model",
    "churn-model",
    "--author",
    "alice",
    "--date",
    "2026-11-20",
    "--owner",
    "alice",
    "--risk-tier",
    "low",
]


def _project(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "proj")
    repo.commit(
        "dvc project",
        files={
            "dvc.yaml": DVC_YAML,
            "params.yaml": PARAMS,
            "config/extra.yaml": EXTRA,
            "eval/metrics.json": json.dumps(METRICS),
            "eval/history.csv": HISTORY,
            "models/churn.pkl": b"\x80\x04weights",
            "governance_records/people.yaml": PEOPLE,
            "governance_records/policy.yaml": POLICY,
        },
    )
    return repo


def _import(capsys: Any, repo: GitRepo, *args: str) -> tuple[int, str]:
    records = repo.path / "governance_records"
    code = main(["import", "dvc", str(repo.path), "--records-dir", str(records), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def test_dvc_params_metrics_and_plots_become_one_experiment(tmp_path, capsys):
    repo = _project(tmp_path)
    code, out = _import(capsys, repo, *ARGS)
    assert code == 0, out
    record = yaml.safe_load(
        (repo.path / "governance_records/experiments/dvc-exp-1.yaml").read_text()
    )
    assert record["params"] == {"train.lr": 0.01, "train.layers": "[64, 32]", "seed": 42}
    assert record["metrics"] == {"auc": 0.87, "per_class.churned.recall": 0.7}
    assert "metric `note` is `ok`" in out and "metric `bad` is `nan`" in out
    assert record["metric_history"] == {
        "loss": [[0, 0.9], [1, 0.5], [2, 0.4]],
        "auc": [[0, 0.6], [1, 0.8], [2, 0.87]],
    }
    assert record["code_commit"] == repo.head()
    assert (record["model"], record["author"], record["date"]) == (
        "churn-model",
        "alice",
        "2026-11-20",
    )


def test_dvc_model_artifacts_become_models_and_other_types_are_skipped(tmp_path, capsys):
    repo = _project(tmp_path)
    _, out = _import(capsys, repo, *ARGS)
    model = yaml.safe_load((repo.path / "governance_records/models/churn-model.yaml").read_text())
    assert model["description"] == "Churn classifier" and model["tags"] == ["tabular"]
    assert model["extra"]["dvc"] == {
        "path": "models/churn.pkl",
        "sha256": hashlib.sha256(b"\x80\x04weights").hexdigest(),
    }
    assert "artifact `train-table` is of type `dataset`; skipped" in out
    assert not (repo.path / "governance_records/models/train-table.yaml").exists()


def test_dvc_import_passes_check_and_a_second_import_changes_nothing(tmp_path, capsys):
    repo = _project(tmp_path)
    assert _import(capsys, repo, *ARGS)[0] == 0
    repo.commit("import dvc")
    records = repo.path / "governance_records"
    main(["check", "--records-dir", str(records), "--format", "json"])
    assert json.loads(capsys.readouterr()[0])["findings"] == []
    code, out = _import(capsys, repo, *ARGS)
    # code_commit follows HEAD, which the import commit moved: exactly that field changes.
    assert code == 0 and "updated experiments/dvc-exp-1.yaml (code_commit)" in out
    code, out = _import(capsys, repo, *ARGS)
    assert "0 created, 0 updated, 2 unchanged" in out


def test_what_dvc_does_not_know_is_required(tmp_path, capsys):
    repo = _project(tmp_path)
    code, out = _import(capsys, repo)
    assert code == 1
    assert "do not say the experiment's --experiment-id, --model, --author" in out
    assert "does not know its owner and risk tier" in out


def test_an_id_that_would_write_outside_the_records_folder_is_refused(tmp_path, capsys):
    repo = _project(tmp_path)
    args = [a if a != "dvc-exp-1" else "../../escaped" for a in ARGS]
    code, out = _import(capsys, repo, *args)
    assert code == 1
    assert "would write outside the records folder" in out
    assert not (tmp_path / "escaped.yaml").exists()
    assert not list(tmp_path.rglob("escaped.yaml"))
