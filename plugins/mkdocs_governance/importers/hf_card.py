"""Hugging Face model card (``README.md`` with front matter) -> a model record.

Parsed with ``huggingface_hub``'s own ``ModelCard`` / ``ModelCardData`` /
``EvalResult`` classes (``pip install "mkdocs-governance[hf]"``); the records layer's
YAML reader is used alongside only to give each problem the card's line.

What maps to what:

| card | record |
| --- | --- |
| ``model-index[0].name``, else the first ``#`` heading, else ``--model-id`` | ``name`` |
| ``--model-id``, else the name as an id | ``id`` (``models/<id>.yaml``) |
| ``tags`` | ``tags`` |
| the card's body (Markdown) | ``description`` (person-written once imported) |
| section "Intended uses & limitations", "Intended use", "Uses", "Direct Use" | ``intended_use`` |
| section "Out-of-Scope Use" | ``out_of_scope_use`` |
| section "Limitations", "Bias, Risks, and Limitations", "Risks and limitations" | ``limitations`` |
| section "Ethical considerations" | ``ethical_considerations`` |
| each ``model-index`` result | the version's ``metrics``, keyed ``<dataset>/<split>/<metric>`` (split left out when absent) |
| ``datasets`` entries of the form ``org/name`` | ``datasets/<org>--<name>.yaml`` records, listed in the model's ``datasets`` |
| ``license``, ``language``, ``library_name``, ``base_model``, ``pipeline_tag``, other keys | ``extra.hf`` |

The values a card cannot know — ``owner``, ``risk_tier``, the version, its stage —
come from ``--owner``, ``--risk-tier``, ``--version`` and ``--stage`` and are
required; the version's author is ``--author`` (default: the owner) and its
``created`` day ``--created`` (default: the day of the import, said in the output);
a new dataset record's ``personal_data`` comes from ``--personal-data``.

What is lost: eval results' ``task``, ``config``, ``revision``, ``args`` and
``verified`` fields (kept under ``extra.hf.model-index`` as written, but not as
metrics); datasets named without an organisation (kept in ``extra.hf.datasets``);
the card's images (the body keeps their links).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..records.yamlsafe import YamlError, YamlMap, YamlSeq, read_front_matter_bytes
from . import ImportBatch, ImportedRecord
from .mlflow import slug

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SECTIONS: dict[str, tuple[str, ...]] = {
    "intended_use": (
        "intended uses & limitations",
        "intended use",
        "intended uses",
        "uses",
        "direct use",
    ),
    "out_of_scope_use": ("out-of-scope use", "out of scope use", "out-of-scope uses"),
    "limitations": ("limitations", "bias, risks, and limitations", "risks and limitations"),
    "ethical_considerations": ("ethical considerations", "ethics"),
}
_OWN_KEYS = {"tags", "model-index", "datasets"}


@dataclass(frozen=True, slots=True)
class CardOptions:
    """What the card cannot know; see the module docstring."""

    owner: str | None = None
    risk_tier: str | None = None
    version: str | None = None
    stage: str | None = None
    author: str | None = None
    created: str | None = None
    model_id: str | None = None
    personal_data: bool | None = None


def sections(body: str) -> dict[str, str]:
    """The card's body split at headings: lower-cased title -> text below it."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_code = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            current = found.setdefault(match.group(2).strip().lower(), [])
            continue
        if current is not None:
            current.append(line)
    return {title: "\n".join(lines).strip() for title, lines in found.items()}


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            return match.group(2).strip()
    return None


def _line(node: Any, *path: str | int) -> int:
    """The line of ``path`` in the front matter node, as deep as it goes."""
    line = getattr(node, "line", 1) or 1
    for step in path:
        if isinstance(node, YamlMap) and isinstance(step, str) and step in node.items:
            line = node.key_lines.get(step, line)
            node = node.items[step]
        elif isinstance(node, YamlSeq) and isinstance(step, int) and step < len(node.items):
            node = node.items[step]
            line = getattr(node, "line", line) or line
        else:
            break
    return line


def _model_index_problems(front: YamlMap, shown: str) -> list[str]:
    """Shape problems of ``model-index`` (huggingface_hub drops such results silently)."""
    if "model-index" not in front.items:
        return []
    node = front.items["model-index"]
    where = f"{shown}:{_line(front, 'model-index')}"
    if not isinstance(node, YamlSeq):
        shape = "a mapping" if isinstance(node, YamlMap) else "empty"
        return [
            f"{where}: `model-index` is {shape}; it must be a list with one entry per model "
            "(`- name: ...` with `results:`), as the Hub's model-index spec says"
        ]
    if not node.items:
        return [f"{where}: `model-index` is an empty list; add a result or remove the key"]
    problems = []
    for m, entry in enumerate(node.items):
        results = entry.items.get("results") if isinstance(entry, YamlMap) else None
        if not isinstance(results, YamlSeq) or not results.items:
            line = _line(front, "model-index", m)
            problems.append(f"{shown}:{line}: model-index entry {m + 1} has no `results` list")
            continue
        for r, result in enumerate(results.items):
            if not isinstance(result, YamlMap) or "dataset" not in result.items:
                line = _line(front, "model-index", m, "results", r)
                problems.append(
                    f"{shown}:{line}: a model-index result names no `dataset`; huggingface_hub "
                    "drops every result of the card then; add `dataset: {type: ..., name: ...}`"
                )
    return problems


def _metric_problems(front: YamlMap, shown: str) -> list[str]:
    problems: list[str] = []
    index = front.items.get("model-index")
    if not isinstance(index, YamlSeq):
        return problems
    for m, entry in enumerate(index.items):
        results = entry.items.get("results") if isinstance(entry, YamlMap) else None
        for r, result in enumerate(results.items if isinstance(results, YamlSeq) else ()):
            metrics = result.items.get("metrics") if isinstance(result, YamlMap) else None
            for k, metric in enumerate(metrics.items if isinstance(metrics, YamlSeq) else ()):
                value = metric.items.get("value") if isinstance(metric, YamlMap) else None
                text = getattr(value, "text", None)
                if text is None or _number(text, quoted=getattr(value, "quoted", False)) is None:
                    line = _line(front, "model-index", m, "results", r, "metrics", k, "value")
                    problems.append(
                        f"{shown}:{line}: metric value `{text}` is not a number; write it as "
                        "a plain number (25.59% as 25.59 or 0.2559, and say which in the "
                        "metric's name)"
                    )
    return problems


def _number(text: str, *, quoted: bool) -> float | None:
    if quoted:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def metric_key(result: Any) -> str:
    """``<dataset>/<split>/<metric>`` of an ``EvalResult`` (split left out when absent)."""
    parts = [result.dataset_type or result.dataset_name, result.dataset_split, result.metric_type]
    return "/".join(str(p) for p in parts if p)


def dataset_record_id(name: str) -> str:
    """``org/name`` -> ``org--name`` (the Hub's own cache naming)."""
    return slug(name.replace("/", "--"))


def map_card(card: Any, front: YamlMap, shown: str, options: CardOptions) -> ImportBatch:
    """A loaded ``ModelCard`` (and its front matter's lines) -> model and dataset records."""
    batch = ImportBatch()
    batch.problems.extend(_model_index_problems(front, shown))
    batch.problems.extend(_metric_problems(front, shown))
    missing = [
        flag
        for flag, value in (
            ("--owner", options.owner),
            ("--risk-tier", options.risk_tier),
            ("--version", options.version),
            ("--stage", options.stage),
        )
        if not value
    ]
    if missing:
        batch.problems.append(
            f"{shown}:1: a model card does not say its {', '.join(missing)}; pass "
            + " ".join(f"{flag} ..." for flag in missing)
        )
    if batch.problems:
        return batch
    data = card.data
    as_dict: dict[str, Any] = data.to_dict()
    body: str = card.text or ""
    index_name = None
    model_index = as_dict.get("model-index")
    if isinstance(model_index, list) and model_index and isinstance(model_index[0], dict):
        index_name = model_index[0].get("name")
    name = str(index_name or _first_heading(body) or options.model_id or Path(shown).parent.name)
    model_id = options.model_id or slug(name)
    metrics: dict[str, float] = {}
    for result in data.eval_results or ():
        key = metric_key(result)
        if key in metrics:
            batch.notes.append(f"{shown}: two results are keyed `{key}`; the first is kept")
            continue
        metrics[key] = float(result.metric_value)
    hub_datasets = [d for d in _as_list(as_dict.get("datasets")) if "/" in d]
    dataset_ids = [dataset_record_id(d) for d in hub_datasets]
    created = options.created or date.today().isoformat()
    if not options.created:
        batch.notes.append(f"{shown}: version {options.version} created {created} (pass --created)")
    version: dict[str, Any] = {
        "version": options.version,
        "created": created,
        "stage": options.stage,
        "author": options.author or options.owner,
    }
    if metrics:
        version["metrics"] = metrics
    record: dict[str, Any] = {
        "id": model_id,
        "name": name,
        "owner": options.owner,
        "risk_tier": options.risk_tier,
    }
    if body.strip():
        record["description"] = body.strip()
    found = sections(body)
    for field_name, titles in SECTIONS.items():
        text = next((found[t] for t in titles if found.get(t)), None)
        if text:
            record[field_name] = text
    if dataset_ids:
        record["datasets"] = dataset_ids
    tags = [str(t) for t in _as_list(as_dict.get("tags"))]
    if tags:
        record["tags"] = tags
    record["versions"] = [version]
    hf_extra = {k: v for k, v in as_dict.items() if k not in _OWN_KEYS or k == "model-index"}
    other_datasets = [d for d in _as_list(as_dict.get("datasets")) if "/" not in d]
    if other_datasets:
        hf_extra["datasets"] = other_datasets
    record["extra"] = {"hf": _plain(hf_extra)}
    batch.records.append(ImportedRecord("model", f"models/{model_id}.yaml", record, shown))
    for hub_name, dataset_id in zip(hub_datasets, dataset_ids, strict=True):
        dataset: dict[str, Any] = {
            "id": dataset_id,
            "name": hub_name,
            "source": f"https://huggingface.co/datasets/{hub_name}",
        }
        if options.personal_data is not None:
            dataset["personal_data"] = options.personal_data
        batch.records.append(
            ImportedRecord("dataset", f"datasets/{dataset_id}.yaml", dataset, shown)
        )
    return batch


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _plain(value: Any) -> Any:
    """JSON-like data (a card's args may hold dates or ints YAML typed)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


class HfUnavailable(Exception):
    """huggingface_hub is not installed."""


def read_cards(paths: Iterable[Path], options: CardOptions) -> ImportBatch:
    """Load each card with ``huggingface_hub`` and map it; problems carry the card's line."""
    try:
        from huggingface_hub import ModelCard
    except ImportError:
        raise HfUnavailable(
            'huggingface_hub is not installed; pip install "mkdocs-governance[hf]"'
        ) from None
    batch = ImportBatch()
    for path in paths:
        shown = str(path)
        try:
            raw = path.read_bytes()
        except OSError as problem:
            batch.problems.append(f"{shown}:1: cannot read the card: {problem.strerror}")
            continue
        try:
            document = read_front_matter_bytes(raw)
        except YamlError as problem:
            batch.problems.append(
                f"{shown}:{problem.line or 1}: the card's front matter is not valid YAML: "
                f"{problem.message}"
            )
            continue
        if not isinstance(document.data, YamlMap):
            batch.problems.append(
                f"{shown}:1: the card has no front matter mapping (`---`, `key: value` "
                "lines, `---`); add at least `license:` and `tags:`"
            )
            continue
        # The library logs a dropped model-index with a traceback; the problem is
        # reported here instead, with the card's line.
        library_log = logging.getLogger("huggingface_hub.repocard_data")
        previous = library_log.disabled
        library_log.disabled = True
        try:
            card = ModelCard(raw.decode("utf-8", errors="replace"), ignore_metadata_errors=True)
        except Exception as problem:  # the library's own refusal, with its words
            batch.problems.append(f"{shown}:1: huggingface_hub cannot read the card: {problem}")
            continue
        finally:
            library_log.disabled = previous
        batch.extend(map_card(card, document.data, shown, options))
    return batch
