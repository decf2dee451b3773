"""``import hf-card`` against huggingface_hub's own test cards (shared corpus) and small cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mkdocs_governance.cli import main
from tests.conftest import CORPUS
from tests.gitrepo import GitRepo

pytest.importorskip("huggingface_hub")

FIXTURES = CORPUS / "hf-model-cards" / "fixtures"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared corpus not present")

OPTIONS = [
    "--owner",
    "alice",
    "--risk-tier",
    "low",
    "--version",
    "1.0",
    "--stage",
    "development",
    "--created",
    "2026-11-01",
    "--personal-data",
    "false",
]
PEOPLE = "people:\n  - {id: alice, name: Alice, emails: [alice@example.com], roles: [ml-lead]}\n"
POLICY = "stages: [development, production]\n"
CARD = """\
---
license: apache-2.0
tags: [text-classification]
datasets:
- acme/reviews-2026
- imdb
model-index:
- name: review-sentiment
  results:
  - task: {type: text-classification}
    dataset: {type: acme/reviews-2026, name: Reviews, split: test}
    metrics:
    - {type: accuracy, value: 0.91}
---

# review-sentiment

Fine-tuned for review sentiment.

## Intended uses & limitations

Routing product reviews to support.

## Out-of-Scope Use

Medical text.

## Limitations

English only.
"""


def _import(capsys: Any, records: Path, *args: str) -> tuple[int, str, str]:
    code = main(["import", "hf-card", *args, "--records-dir", str(records)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _card(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "card" / "README.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_model_index_results_become_version_metrics_keyed_by_dataset_split_metric(tmp_path, capsys):
    records = tmp_path / "records"
    code, out, _ = _import(
        capsys, records, str(FIXTURES / "sample_simple_model_index.md"), *OPTIONS
    )
    assert code == 0, out
    model = yaml.safe_load((records / "models" / "my-cool-model.yaml").read_text())
    assert model["name"] == "my-cool-model"
    assert model["tags"] == ["pytorch", "image-classification"]
    assert model["extra"]["hf"]["license"] == "mit"
    assert model["extra"]["hf"]["library_name"] == "timm"
    assert model["extra"]["hf"]["datasets"] == ["beans"]  # no org: not a dataset record
    (version,) = model["versions"]
    assert version == {
        "version": "1.0",
        "created": "2026-11-01",
        "stage": "development",
        "author": "alice",
        "metrics": {"beans/accuracy": 0.9, "beans/test/f1": 0.66},
    }
    assert model["description"].startswith("# my-cool-model")


def test_sections_map_to_intended_use_out_of_scope_and_limitations(tmp_path, capsys):
    records = tmp_path / "records"
    code, out, _ = _import(capsys, records, str(_card(tmp_path, CARD)), *OPTIONS)
    assert code == 0, out
    model = yaml.safe_load((records / "models" / "review-sentiment.yaml").read_text())
    assert model["intended_use"] == "Routing product reviews to support."
    assert model["out_of_scope_use"] == "Medical text."
    assert model["limitations"] == "English only."
    assert model["datasets"] == ["acme--reviews-2026"]
    assert model["versions"][0]["metrics"] == {"acme/reviews-2026/test/accuracy": 0.91}
    dataset = yaml.safe_load((records / "datasets" / "acme--reviews-2026.yaml").read_text())
    assert dataset == {
        "id": "acme--reviews-2026",
        "name": "acme/reviews-2026",
        "source": "https://huggingface.co/datasets/acme/reviews-2026",
        "personal_data": False,
    }


def test_values_a_card_cannot_know_are_required_never_invented(tmp_path, capsys):
    records = tmp_path / "records"
    code, out, _ = _import(capsys, records, str(FIXTURES / "sample_simple.md"))
    assert code == 1
    assert "does not say its --owner, --risk-tier, --version, --stage" in out
    assert not records.exists()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "---\nmodel-index:\n- name: m\n  results:\n  - dataset: {type: d}\n    metrics:\n"
            '    - type: acc\n      value: "25.59%"\n---\n',
            8,
            "metric value `25.59%` is not a number",
        ),
        ("---\nlicense: mit\nmodel-index:\n---\n", 3, "`model-index` is empty"),
        ("---\nmodel-index: {name: m}\n---\n", 2, "`model-index` is a mapping"),
        ("---\nlicense: mit\ntags: [a\n---\n", 4, "not valid YAML"),
    ],
)
def test_card_problems_are_reported_with_the_cards_line(tmp_path, capsys, text, line, words):
    path = _card(tmp_path, text)
    code, out, _ = _import(capsys, tmp_path / "records", str(path), *OPTIONS)
    assert code == 1
    assert f"{path}:{line}:" in out and words in out, out


def test_corpus_card_problems_name_the_card_and_line(tmp_path, capsys):
    records = tmp_path / "records"
    code, out, _ = _import(
        capsys,
        records,
        str(FIXTURES / "sample_invalid_model_index.md"),
        str(FIXTURES / "sample_invalid_card_data.md"),
        str(FIXTURES / "sample_no_metadata.md"),
        *OPTIONS,
    )
    assert code == 1
    assert (
        f"{FIXTURES / 'sample_invalid_model_index.md'}:15: a model-index result names no `dataset`"
        in out
    )
    assert f"{FIXTURES / 'sample_invalid_card_data.md'}:" in out
    assert f"{FIXTURES / 'sample_no_metadata.md'}:1: the card has no front matter" in out


def test_crlf_card_imports_and_a_re_import_changes_nothing(tmp_path, capsys):
    records = tmp_path / "records"
    card = str(FIXTURES / "sample_windows_line_breaks.md")
    assert _import(capsys, records, card, *OPTIONS)[0] == 0
    code, out, _ = _import(capsys, records, card, *OPTIONS)
    assert code == 0 and "0 created, 0 updated, 1 unchanged" in out


def test_imported_card_passes_check_except_the_policys_own_requirements(tmp_path, capsys):
    repo = GitRepo(tmp_path / "repo")
    records = repo.path / "governance_records"
    repo.commit(
        "people and policy",
        files={"governance_records/people.yaml": PEOPLE, "governance_records/policy.yaml": POLICY},
    )
    assert _import(capsys, records, str(_card(tmp_path, CARD)), *OPTIONS)[0] == 0
    repo.commit("import card")
    main(["check", "--records-dir", str(records), "--format", "json"])
    findings = json.loads(capsys.readouterr()[0])["findings"]
    assert findings == [], findings


def test_a_re_import_on_a_later_day_keeps_the_versions_created_day(tmp_path, capsys):
    records = tmp_path / "records"
    card = str(_card(tmp_path, CARD))
    options = [o for o in OPTIONS if o not in ("--created", "2026-11-01")]
    assert _import(capsys, records, card, *options)[0] == 0
    path = records / "models" / "review-sentiment.yaml"
    # As if the first import ran on an earlier day.
    text = path.read_text()
    created = yaml.safe_load(text)["versions"][0]["created"]
    path.write_text(text.replace(created, "2026-10-01"))
    code, out, _ = _import(capsys, records, card, *options)
    assert code == 0
    assert yaml.safe_load(path.read_text())["versions"][0]["created"] == "2026-10-01"
    assert "0 updated" in out
