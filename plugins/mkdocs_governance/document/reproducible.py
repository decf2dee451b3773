"""Byte-for-byte reproducible Office files.

A .docx is a zip archive, and zip entries carry the time they were written; python-docx
also stamps the core properties with "now". Both are replaced by a date taken from the
commit the document was made from, so the same commit always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

# ZIP cannot store dates before 1980; a document without a commit uses this one.
ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)


def normalise_zip(data: bytes, when: datetime | None) -> bytes:
    """``data`` (a zip archive) rewritten with every entry dated ``when`` (UTC).

    Entry order and content are kept; permissions and the creating system are fixed,
    so nothing of the machine that wrote the file remains in it.
    """
    moment = max((when or ZIP_EPOCH).astimezone(UTC), ZIP_EPOCH)
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename), compresslevel=9)
    return out.getvalue()
