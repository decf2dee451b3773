"""The records layer: read and validate record files into a typed registry.

No git and no MkDocs here. The public surface:

- [`load_registry`][mkdocs_governance.records.loader.load_registry] /
  [`load_registry_from_blobs`][mkdocs_governance.records.loader.load_registry_from_blobs]
  -> [`LoadResult`][mkdocs_governance.records.loader.LoadResult];
- [`parse_model_blob`][mkdocs_governance.records.loader.parse_model_blob] and
  [`model_version_contents`][mkdocs_governance.records.revisions.model_version_contents]
  (a model file's older revision, alone);
- [`version_digest`][mkdocs_governance.records.digest.version_digest] and
  [`registry_digest`][mkdocs_governance.records.digest.registry_digest] (SPEC §5);
- [`record_schemas`][mkdocs_governance.records.schema.record_schemas] and
  [`write_schemas`][mkdocs_governance.records.schema.write_schemas] (JSON Schemas).
"""

from __future__ import annotations

from .digest import registry_digest, version_digest
from .loader import LoadResult, load_registry, load_registry_from_blobs, parse_model_blob
from .revisions import model_version_contents
from .schema import record_schemas, write_schemas

__all__ = [
    "LoadResult",
    "load_registry",
    "load_registry_from_blobs",
    "model_version_contents",
    "parse_model_blob",
    "record_schemas",
    "registry_digest",
    "version_digest",
    "write_schemas",
]
