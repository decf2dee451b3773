"""Reading the version entries of old model-file revisions (for version provenance).

The fast path cuts a block-layout model file into its ``versions:`` items; it must give
exactly what parsing the whole file gives, and fall back on the full parse elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_governance.records.digest import version_content
from mkdocs_governance.records.loader import parse_model_blob
from mkdocs_governance.records.revisions import model_version_contents
from tests.scenario import model_yaml

ROOT = Path(__file__).parent.parent
MODEL_FILES = sorted(
    [
        *(ROOT / "governance_records" / "models").glob("*.*"),
        *(ROOT / "tests" / "record_cases" / "valid" / "models").glob("*.*"),
    ]
)


def full_parse(path: str, data: bytes) -> dict[str, bytes] | None:
    model = parse_model_blob(path, data)
    if model is None:
        return None
    return {v.version: version_content(v) for v in model.versions}


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_fast_path_matches_the_full_parse_on_real_model_files(path: Path) -> None:
    data = path.read_bytes()
    name = f"governance_records/models/{path.name}"
    expected = full_parse(name, data)
    assert expected, "the fixture should parse"
    assert model_version_contents(name, data) == expected


CARD = """\
id: m
name: M
owner: alice
risk_tier: low
description: |
  A card.

  # not a comment: text of the description
"""

ENTRY = """\
- version: {version}
  created: 2026-01-05
  stage: {stage}
  author: bob
  description: |
    First line.

    # text, not a comment
  metrics:
    auc: {auc}
"""


def block(*entries: str, indent: int = 2) -> str:
    pad = " " * indent
    lines = [pad + line if line else line for e in entries for line in e.splitlines()]
    return CARD + "versions:\n" + "\n".join(lines) + "\n"


LAYOUTS = {
    "indented items": block(ENTRY.format(version="1.10", stage="staging", auc=0.8)),
    "items at column 0": block(ENTRY.format(version="1.9", stage="dev", auc=0.8), indent=0),
    "comments and blanks between items": CARD
    + "versions:\n  # the first\n\n"
    + "\n".join(
        "  " + line if line else line
        for line in (
            ENTRY.format(version="1", stage="a", auc=1)
            + "# a comment at column 0\n\n"
            + ENTRY.format(version="2", stage="b", auc=0.5)
        ).splitlines()
    )
    + "\ntags: [x]\n",
    "flow style": CARD + 'versions: [{version: "1", created: 2026-01-05, stage: a, author: bob}]\n',
    "stage first, nested stage in extra": CARD
    + "versions:\n  - stage: prod\n    version: '3'\n    created: 2026-01-05\n"
    + "    author: bob\n    extra:\n      stage: shadow\n",
    "no versions": CARD + "versions:\ntags: [a]\n",
    "CRLF": block(ENTRY.format(version="4", stage="a", auc=0.7)).replace("\n", "\r\n"),
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=list(LAYOUTS))
def test_fast_path_matches_the_full_parse_on_every_layout(text: str) -> None:
    data = text.encode()
    path = "governance_records/models/m.yaml"
    assert model_version_contents(path, data) == full_parse(path, data)


def test_markdown_front_matter_is_read() -> None:
    text = "---\n" + block(ENTRY.format(version="5", stage="a", auc=0.9)) + "---\n# M\n\nBody.\n"
    path = "governance_records/models/m.md"
    contents = model_version_contents(path, text.encode())
    assert contents is not None and list(contents) == ["5"]
    assert contents == full_parse(path, text.encode())


def test_stage_is_not_content_but_every_other_field_is() -> None:
    path = "governance_records/models/credit-risk.yaml"
    base = model_version_contents(path, model_yaml("development").encode())
    promoted = model_version_contents(path, model_yaml("production").encode())
    changed = model_version_contents(path, model_yaml(metrics={"auc": 0.9}).encode())
    assert base is not None and base == promoted
    assert changed is not None and changed["2.1"] != base["2.1"]
    # 1.10 stays a string, and 0.84 and 0.840 are one number.
    same = model_version_contents(path, model_yaml(metrics={"auc": "0.840"}).encode())
    assert same == base


@pytest.mark.parametrize(
    "text",
    [
        block(ENTRY.format(version="1", stage="null", auc=0.8)),  # a stage that is empty
        block(ENTRY.format(version="1", stage="a", auc="high")),  # a metric that is no number
        block(
            ENTRY.format(version="1", stage="a", auc=1), ENTRY.format(version="1", stage="b", auc=2)
        ),
        "versions:\n  - version: [unclosed\n",
        b"\xff\xfe not utf-8".decode("latin-1"),
    ],
    ids=["null stage", "bad metric", "listed twice", "syntax error", "not utf-8"],
)
def test_unreadable_entries_make_the_revision_unknown(text: str) -> None:
    data = text.encode("latin-1") if text.startswith("\xff") else text.encode()
    assert model_version_contents("governance_records/models/m.yaml", data) is None


@pytest.mark.parametrize(
    "name", [name for name in LAYOUTS if name != "flow style"], ids=lambda name: name
)
def test_block_layouts_are_read_without_parsing_the_whole_file(name: str, monkeypatch) -> None:
    from mkdocs_governance.records import revisions

    def refuse(path: str, data: bytes) -> None:
        raise AssertionError("the whole file was parsed")

    monkeypatch.setattr(revisions, "parse_model_blob", refuse)
    contents = model_version_contents("governance_records/models/m.yaml", LAYOUTS[name].encode())
    assert contents is not None and (bool(contents) or name == "no versions")
