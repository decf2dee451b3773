"""What a record signature signs: the record's canonical content.

A signed sign-off or verification carries ``signature:``, an armored SSH signature
(``ssh-keygen -Y sign`` with the namespace [`NAMESPACE`][mkdocs_governance.records.signed.NAMESPACE])
or a detached armored GPG signature, over
[`record_payload`][mkdocs_governance.records.signed.record_payload]: a header line, then
the canonical JSON (sorted keys, UTF-8, no insignificant spaces) of the record's kind
and fields without ``signature``, dates as ISO strings. The fields include ``subject``,
the digest of the version reviewed, so a signature vouches for this decision about this
content, wherever the file is and whoever committed it: it survives squash, rebase and
cherry-pick. Comments and formatting are not signed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .schema import json_ready

# The ssh-keygen -Y namespace: a signature made for this tool is no Git commit signature
# and no signature for any other tool, and the other way round.
NAMESPACE = "mkdocs-governance-record"
_HEADER = b"mkdocs-governance signed record v1\n"


def record_payload(kind: str, values: Mapping[str, Any]) -> bytes:
    """The bytes a record signature signs, for a record of ``kind`` with ``values``.

    Args:
        kind: ``signoff`` or ``verification``.
        values: the record's fields as the schema typed them; ``signature`` is left out.
    """
    fields = {key: json_ready(value) for key, value in values.items() if key != "signature"}
    text = json.dumps(
        {"kind": kind, "fields": fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return _HEADER + text.encode("utf-8")
