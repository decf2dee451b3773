"""The history layer: one ``git log`` pass over the records into typed history.

Public surface: [`read_history`][mkdocs_governance.history.reader.read_history]
(one pass), [`HistoryCache`][mkdocs_governance.history.cache.HistoryCache] (reuse
across ``mkdocs serve`` rebuilds), [`match_person`][mkdocs_governance.history.identity.match_person]
(commit author → person), [`read_tree_blobs`][mkdocs_governance.history.blobs.read_tree_blobs]
(files at another ref). Nothing here imports MkDocs.
"""

from __future__ import annotations

from .gitcmd import HistoryError
from .reader import parse_trailers, read_history

__all__ = ["HistoryError", "parse_trailers", "read_history"]
