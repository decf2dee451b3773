"""The version digest (SPEC §5): what a sign-off or a verification was about.

A sign-off records the digest of the version the approver reviewed (its
``subject``); the gate compares it with the version's current digest. Changing the
artifact, the metrics, the experiment or the data changes the digest and makes the
sign-off stale; promoting the version (changing only ``stage``) does not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .model import Dataset, ModelVersion, Registry
from .schema import json_ready

DIGEST_PREFIX = "sha256:"


def canonical_json(data: Any) -> bytes:
    """The canonical JSON bytes hashed by the digests.

    ``json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
    encoded as UTF-8: keys sorted, no insignificant spaces, non-ASCII text as is.
    """
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def dataset_digest(dataset: Dataset) -> str:
    """The content digest of a dataset, as hex (no prefix).

    The dataset's own ``sha256`` field (lowercased) when it has one, otherwise the
    SHA-256 of the canonical JSON of its record fields (``id``, ``name``,
    ``description``, ``owner``, ``source``, ``version``, ``sha256``,
    ``personal_data``, ``license`` and ``extra``).
    """
    if dataset.sha256:
        return dataset.sha256.lower()
    record = {
        "id": dataset.id,
        "name": dataset.name,
        "description": dataset.description,
        "owner": dataset.owner,
        "source": dataset.source,
        "version": dataset.version,
        "sha256": dataset.sha256,
        "personal_data": dataset.personal_data,
        "license": dataset.license,
        "extra": json_ready(dict(dataset.extra)),
    }
    return hashlib.sha256(canonical_json(record)).hexdigest()


def version_digest(version: ModelVersion, datasets: Mapping[str, Dataset]) -> str:
    """The digest of a model version: ``sha256:`` + 64 lowercase hex digits.

    Exactly: the SHA-256 of the canonical JSON (keys sorted, separators ``,`` and
    ``:`` with no spaces, non-ASCII characters kept, encoded as UTF-8) of::

        {
          "version": <the version entry as written, without its "stage" key>,
          "datasets": [{"id": <dataset id>, "digest": <hex or null>}, ...]
        }

    - The version entry is the mapping under the model's ``versions:``, typed by the
      schema: ``version`` and other text fields as strings (``1.10`` stays
      ``"1.10"``), dates as ``YYYY-MM-DD`` strings, metric values as floats (``1``
      and ``1.0`` digest alike), ``artifact`` as ``{"sha256": ..., "uri": ...}``,
      ``extra`` as written. Keys that were not written are absent.
    - ``datasets`` has one entry per distinct dataset id in the version's
      ``datasets`` list, sorted by id. ``digest`` is the dataset record's ``sha256``
      field (lowercase hex), or, for a dataset without one, the hex SHA-256 of the
      canonical JSON of its record fields; ``null`` when no dataset has that id.

    Args:
        version: the model version.
        datasets: the registry's datasets, by id.
    """
    content = {key: value for key, value in version.content.items() if key != "stage"}
    digests = {
        dataset_id: dataset_digest(dataset) if dataset is not None else None
        for dataset_id in version.datasets
        for dataset in [datasets.get(dataset_id)]
    }
    return content_digest(json_ready(content), digests)


def content_digest(content: Mapping[str, Any], dataset_digests: Mapping[str, str | None]) -> str:
    """The version digest of a version entry given as JSON data (``stage`` is ignored).

    The same value as [`version_digest`][mkdocs_governance.records.digest.version_digest]
    for an entry read from an earlier revision of the model file (the canonical JSON
    [`version_content`][mkdocs_governance.records.digest.version_content] gives,
    decoded), so a sign-off's ``subject`` can be matched with the revision it reviewed.

    Args:
        content: the version entry as JSON data.
        dataset_digests: dataset id -> its content digest (hex, or None when no
            dataset has that id), for the ids the entry's ``datasets`` names.
    """
    entry = {key: value for key, value in content.items() if key != "stage"}
    named = [
        {"id": dataset_id, "digest": dataset_digests.get(dataset_id)}
        for dataset_id in sorted(set(entry.get("datasets") or ()))
    ]
    payload = {"version": entry, "datasets": named}
    return DIGEST_PREFIX + hashlib.sha256(canonical_json(payload)).hexdigest()


def version_content(version: ModelVersion) -> bytes:
    """The version entry as written, without ``stage``, as canonical JSON bytes.

    Two revisions of a version with equal ``version_content`` differ at most in
    their stage: a promotion is not a change of what was approved. Unlike
    [`version_digest`][mkdocs_governance.records.digest.version_digest] it leaves the
    datasets' own records out: it compares what the model file says.
    """
    return canonical_json(
        json_ready({key: value for key, value in version.content.items() if key != "stage"})
    )


def registry_digest(registry: Registry, key: str) -> str | None:
    """The digest of the version ``model@version`` in ``registry`` (None if unknown)."""
    version = registry.version(key)
    if version is None:
        return None
    return version_digest(version, registry.datasets)
