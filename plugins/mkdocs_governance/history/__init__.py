"""The history layer: one ``git log`` pass over the records into typed history.

Public surface: [`read_history`][mkdocs_governance.history.reader.read_history]
(one pass), [`HistoryCache`][mkdocs_governance.history.cache.HistoryCache] and
[`read_history_cached`][mkdocs_governance.history.cache.read_history_cached]
(reuse across ``mkdocs serve`` rebuilds), [`match_person`][mkdocs_governance.history.identity.match_person]
(commit author → person), [`read_tree_blobs`][mkdocs_governance.history.blobs.read_tree_blobs]
(record files at another ref), [`read_model_revisions`][mkdocs_governance.history.provenance.read_model_revisions]
and [`derive_provenance`][mkdocs_governance.history.provenance.derive_provenance] (which
commit created each model version and which changed its content). Nothing here imports
MkDocs.
"""

from __future__ import annotations

from .blobs import read_blobs_at, read_tree_blobs
from .cache import HISTORY_CACHE, HistoryCache, read_history_cached
from .gitcmd import HistoryError
from .identity import match_person, normalise_email
from .model import VersionProvenance
from .provenance import derive_provenance, read_model_revisions
from .reader import parse_trailers, read_history

__all__ = [
    "HISTORY_CACHE",
    "HistoryCache",
    "HistoryError",
    "VersionProvenance",
    "derive_provenance",
    "match_person",
    "normalise_email",
    "parse_trailers",
    "read_blobs_at",
    "read_history",
    "read_history_cached",
    "read_model_revisions",
    "read_tree_blobs",
]
