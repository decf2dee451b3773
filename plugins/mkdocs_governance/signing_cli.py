"""``mkdocs-governance sign``: sign sign-off and verification records (and ``signoff --sign``).

A record signature covers the record's canonical content, the subject digest
included (``records.signed``), and is written into the record as ``signature:``. The
key is the one Git signs commits with (``user.signingkey``, ``gpg.format``), unless
``--key``/``--format`` say otherwise: an approver signs a sign-off, a pipeline signs
the check results it records, a waiver's approver signs the waived verification.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path, PurePosixPath
from typing import TextIO

from .history.record_signatures import SigningError, sign_payload
from .records import load_registry_from_blobs
from .records.model import SignOff, Verification
from .records.signed import record_payload

FOLDERS = ("signoffs", "verifications")


class SignError(Exception):
    """Signing a record failed; the message says why and what to do."""


def sign_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``sign``."""
    parser.add_argument("records", nargs="+", metavar="FILE", help="sign-off or verification files")
    add_key_arguments(parser)


def add_key_arguments(parser: argparse.ArgumentParser) -> None:
    """``--key`` and ``--format``, shared with ``signoff --sign``."""
    parser.add_argument(
        "--key",
        metavar="KEY",
        help="the signing key (default: git config user.signingkey): an SSH key file, or a "
        "GPG key id",
    )
    parser.add_argument(
        "--format",
        dest="key_format",
        choices=("ssh", "openpgp"),
        help="the key's kind (default: git config gpg.format, else openpgp)",
    )


def run_sign(args: argparse.Namespace, out: TextIO) -> int:
    """``sign``: write a signature into each record file named."""
    from .cli import UsageError

    for name in args.records:
        try:
            shown = sign_record_file(Path(name), key=args.key, key_format=args.key_format)
        except SignError as problem:
            raise UsageError(str(problem)) from None
        out.write(f"Signed {shown}.\n")
    return 0


def _git_config(folder: Path, key: str) -> str:
    result = subprocess.run(
        ["git", "config", "--get", key], cwd=folder, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def sign_record_file(path: Path, *, key: str | None = None, key_format: str | None = None) -> str:
    """Sign the sign-off or verification in ``path`` in place; returns the path shown.

    An existing ``signature:`` is replaced (re-signing after an edit).

    Raises:
        SignError: the file is no sign-off or verification, does not load, or the key
            cannot sign.
    """
    path = path.absolute()
    parts = path.parts
    folder = next((name for name in FOLDERS if name in parts[:-1]), None)
    if folder is None or not path.is_file():
        raise SignError(
            f"{path} is no sign-off or verification file (under signoffs/ or verifications/)"
        )
    index = len(parts) - 1 - parts[::-1].index(folder)
    # Keys for the records layer: POSIX paths without the leading root.
    records_dir = PurePosixPath(*parts[:index]).as_posix().lstrip("/")
    relative = PurePosixPath(*parts).as_posix().lstrip("/")
    text = _without_signature(path.read_text(encoding="utf-8"))
    loaded = load_registry_from_blobs({relative: text.encode("utf-8")}, records_dir)
    records: list[SignOff | Verification] = [
        *loaded.registry.signoffs,
        *loaded.registry.verifications,
    ]
    if len(records) != 1:
        problems = "; ".join(f.message for f in loaded.findings if f.file == relative)
        raise SignError(f"{path} does not load as a record, so it cannot be signed: {problems}")
    method = key_format or _git_config(path.parent, "gpg.format") or "openpgp"
    chosen = key if key is not None else _git_config(path.parent, "user.signingkey")
    if method == "ssh" and not chosen:
        raise SignError(
            "no SSH signing key: pass --key ~/.ssh/id_ed25519 or set git config user.signingkey"
        )
    try:
        signature = sign_payload(
            record_payload(records[0]), method="ssh" if method == "ssh" else "gpg", key=chosen
        )
    except SigningError as problem:
        raise SignError(str(problem)) from None
    block = "".join(f"  {line}\n" for line in signature.splitlines())
    path.write_text(text.rstrip("\n") + "\nsignature: |\n" + block, encoding="utf-8")
    return str(path)


def _without_signature(text: str) -> str:
    """``text`` without its top-level ``signature:`` field (and its indented block)."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.startswith("signature:"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    return "".join(kept)
