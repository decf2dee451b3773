"""The safe YAML reader: what it keeps, what it refuses, and where it says so."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mkdocs_governance.records.yamlsafe import (
    YamlError,
    YamlMap,
    YamlScalar,
    YamlSeq,
    _Composer,
    parse_yaml_text,
    read_front_matter_bytes,
    read_yaml_bytes,
    to_plain,
)

VALID = Path(__file__).parent / "record_cases" / "valid"


def _refusal(data: bytes) -> YamlError:
    with pytest.raises(YamlError) as raised:
        read_yaml_bytes(data)
    return raised.value


def test_scalars_keep_the_text_that_was_written_with_their_lines() -> None:
    node = read_yaml_bytes(b"version: 1.10\nflag: no\nwhen: 2026-01-31\nquoted: 'yes'\nempty:\n")
    assert isinstance(node, YamlMap)
    assert node.items["version"] == YamlScalar("1.10", 1)
    assert node.items["flag"] == YamlScalar("no", 2)
    assert node.items["when"] == YamlScalar("2026-01-31", 3)
    assert node.items["quoted"] == YamlScalar("yes", 4, quoted=True)
    assert node.items["empty"].is_null
    assert node.key_lines == {"version": 1, "flag": 2, "when": 3, "quoted": 4, "empty": 5}


def test_plain_data_follows_yaml_1_2_core_not_1_1() -> None:
    node = read_yaml_bytes(b"a: no\nb: true\nc: 0.5\nd: 7\ne: ~\nf: 1.10.2\ng: '3'\n")
    assert to_plain(node) == {
        "a": "no",
        "b": True,
        "c": 0.5,
        "d": 7,
        "e": None,
        "f": "1.10.2",
        "g": "3",
    }


def test_duplicate_key_is_reported_on_the_second_line() -> None:
    refusal = _refusal(b"a: 1\nb: 2\na: 3\n")
    assert refusal.line == 3
    assert "duplicate key `a` (first on line 1)" in refusal.message


def test_duplicate_key_in_a_nested_mapping_is_reported_too() -> None:
    refusal = _refusal(b"outer:\n  x: 1\n  x: 2\n")
    assert refusal.line == 3


def test_aliases_are_refused_even_without_an_anchor_line_first() -> None:
    refusal = _refusal(b"a: [1]\nb: *a\n")
    assert refusal.line == 2
    assert "alias `*a`" in refusal.message


def test_explicit_tags_are_refused() -> None:
    refusal = _refusal(b"a: !!binary aGVsbG8=\n")
    assert refusal.line == 1 and "tag `tag:yaml.org,2002:binary`" in refusal.message


def test_a_utf8_byte_order_mark_is_tolerated() -> None:
    node = read_yaml_bytes("\ufeffname: Zoë\n".encode())
    assert to_plain(node) == {"name": "Zoë"}


def test_front_matter_with_crlf_and_dots_closing() -> None:
    document = read_front_matter_bytes(b"---\r\nstatus: accepted\r\n...\r\n# Title\r\n\r\nBody\r\n")
    assert document.had_front_matter
    assert document.data is not None and document.data.key_lines == {"status": 2}
    assert document.body.startswith("# Title\n")
    assert document.body_line == 4


def test_markdown_without_front_matter_has_no_data() -> None:
    document = read_front_matter_bytes(b"# 1. Record decisions\n\nDate: 2024-01-01\n")
    assert document.data is None and not document.had_front_matter
    assert document.body_line == 1


def test_front_matter_lines_are_file_lines() -> None:
    with pytest.raises(YamlError) as raised:
        read_front_matter_bytes(b"---\nstatus: ok\nstatus: again\n---\n# T\n")
    assert raised.value.line == 3


def test_jinja_placeholders_are_named_as_templates() -> None:
    with pytest.raises(YamlError) as raised:
        read_front_matter_bytes(b"---\n{{card_data}}\n---\n# x\n")
    assert raised.value.line == 2
    assert "template placeholder" in raised.value.message


@pytest.mark.parametrize("name", ["policy.yaml", "people.yaml", "models/credit-scoring.md"])
def test_python_and_libyaml_parsers_build_the_same_tree(name: str) -> None:
    data = (VALID / name).read_text("utf-8")
    if name.endswith(".md"):
        data = data.split("---\n")[1]
    fast = parse_yaml_text(data)
    loader = yaml.SafeLoader(data)
    try:
        slow = _Composer(loader, 0).document()
    finally:
        loader.dispose()
    assert fast == slow
    assert isinstance(fast, YamlMap)


def test_sequences_keep_item_lines() -> None:
    node = read_yaml_bytes(b"items:\n  - a\n  - b\n")
    assert isinstance(node, YamlMap)
    items = node.items["items"]
    assert isinstance(items, YamlSeq)
    assert [item.line for item in items.items] == [2, 3]
