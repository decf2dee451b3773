"""What a record signature signs: the record's canonical content.

A signed sign-off or verification carries ``signature:``, an armored SSH signature
(``ssh-keygen -Y sign`` with the namespace [`NAMESPACE`][mkdocs_governance.records.signed.NAMESPACE])
or a detached armored GPG signature, over
[`record_payload`][mkdocs_governance.records.signed.record_payload]: a header line, then
the canonical JSON (sorted keys, UTF-8, no insignificant spaces) of the record's kind
and typed fields without ``signature`` (an optional field left out counts as its
default), dates as ISO strings. The fields include ``subject``,
the digest of the version reviewed, so a signature vouches for this decision about this
content, wherever the file is and whoever committed it: it survives squash, rebase and
cherry-pick. Comments and formatting are not signed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields as dataclass_fields
from typing import Any

from .model import SignOff, Verification, Waiver
from .schema import json_ready

# The ssh-keygen -Y namespace: a signature made for this tool is no Git commit signature
# and no signature for any other tool, and the other way round.
NAMESPACE = "mkdocs-governance-record"
_HEADER = b"mkdocs-governance signed record v1\n"


def record_payload(record: SignOff | Verification) -> bytes:
    """The bytes a record signature signs: the record's kind and every field but
    ``signature`` (absent optional fields as their defaults), as canonical JSON."""
    fields = {
        name.name: json_ready(_plain(getattr(record, name.name)))
        for name in dataclass_fields(record)
        if name.name not in ("id", "location", "signature")
    }
    kind = "signoff" if isinstance(record, SignOff) else "verification"
    text = json.dumps(
        {"kind": kind, "fields": fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return _HEADER + text.encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, Waiver):
        return {"approved_by": value.approved_by, "reason": value.reason, "expires": value.expires}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
