"""Signing records and checking record signatures (``ssh-keygen -Y``, ``gpg``).

A record signature binds a sign-off or verification to a key, independent of who
committed the file: it survives squash, rebase and cherry-pick, which rewrite or drop
commit signatures. What is signed is [`record_payload`][mkdocs_governance.records.signed.record_payload].

- **SSH**: ``ssh-keygen -Y sign -n mkdocs-governance-record``; checked with
  ``ssh-keygen -Y check-novalidate``, which proves the signature was made by the key
  embedded in it; the gate then compares that key's ``SHA256:`` fingerprint with the
  signer's ``signing_keys`` in the trusted ``people.yaml``.
- **GPG**: a detached, armored signature; checked with ``gpg --verify --status-fd``
  against the keyring (``GNUPGHOME``), the fingerprint of ``VALIDSIG`` compared the
  same way.

This module says whether a signature is good and by which key; whether that key is the
named person's is the policy's question (``policy.trust``). A missing tool or a key
missing from the keyring is its own status, never "unsigned".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..records.signed import NAMESPACE

SSH_ARMOR = "-----BEGIN SSH SIGNATURE-----"
GPG_ARMOR = "-----BEGIN PGP SIGNATURE-----"


class RecordSignatureStatus(StrEnum):
    """What checking one record signature found."""

    GOOD = "good"
    BAD = "bad"  # the content or namespace does not match the signature
    NO_TOOL = "no-tool"  # ssh-keygen or gpg is not installed
    UNKNOWN_KEY = "unknown-key"  # gpg: the key is not in the keyring
    MALFORMED = "malformed"  # neither an SSH nor a PGP armored signature


@dataclass(frozen=True, slots=True)
class RecordSignature:
    """The result of checking one record signature.

    Attributes:
        status: good, bad, no-tool, unknown-key or malformed.
        method: ``ssh`` or ``gpg`` (``""`` when malformed).
        fingerprint: the signing key's fingerprint (``SHA256:…`` for SSH, the hex
            fingerprint for GPG), when the tool said.
        detail: what the tool said, for messages.
    """

    status: RecordSignatureStatus
    method: str
    fingerprint: str = ""
    detail: str = ""

    @property
    def is_good(self) -> bool:
        """True for a signature the tool verified."""
        return self.status == RecordSignatureStatus.GOOD


class SigningError(Exception):
    """Signing failed; the message says why and what to do."""


def signature_method(signature: str) -> str:
    """``ssh``, ``gpg`` or ``""`` from the armor of ``signature``."""
    text = signature.strip()
    if text.startswith(SSH_ARMOR):
        return "ssh"
    if text.startswith(GPG_ARMOR):
        return "gpg"
    return ""


def verify_record_signature(
    payload: bytes, signature: str, *, env: Mapping[str, str] | None = None
) -> RecordSignature:
    """Check ``signature`` over ``payload`` with the tool its armor names."""
    method = signature_method(signature)
    environment = {**os.environ, **(env or {}), "LC_ALL": "C"}
    if method == "ssh":
        return _verify_ssh(payload, signature, environment)
    if method == "gpg":
        return _verify_gpg(payload, signature, environment)
    return RecordSignature(
        RecordSignatureStatus.MALFORMED,
        "",
        detail="the signature is neither an armored SSH signature nor a PGP signature",
    )


def _tool(name: str, environment: Mapping[str, str]) -> str | None:
    return shutil.which(name, path=environment.get("PATH"))


def _verify_ssh(payload: bytes, signature: str, environment: Mapping[str, str]) -> RecordSignature:
    tool = _tool("ssh-keygen", environment)
    if tool is None:
        return RecordSignature(
            RecordSignatureStatus.NO_TOOL, "ssh", detail="ssh-keygen is not installed"
        )
    with tempfile.TemporaryDirectory() as folder:
        sig_file = Path(folder) / "record.sig"
        sig_file.write_text(signature.strip() + "\n", encoding="ascii", errors="replace")
        result = subprocess.run(
            [tool, "-Y", "check-novalidate", "-n", NAMESPACE, "-s", str(sig_file)],
            input=payload,
            capture_output=True,
            env=dict(environment),
            check=False,
            timeout=60,
        )
    said = (result.stdout + result.stderr).decode("utf-8", "replace").strip()
    if result.returncode == 0 and said.startswith("Good"):
        fingerprint = next((w for w in said.split() if w.startswith("SHA256:")), "")
        return RecordSignature(RecordSignatureStatus.GOOD, "ssh", fingerprint, said)
    return RecordSignature(
        RecordSignatureStatus.BAD, "ssh", detail=said.splitlines()[-1] if said else ""
    )


def _verify_gpg(payload: bytes, signature: str, environment: Mapping[str, str]) -> RecordSignature:
    tool = _tool("gpg", environment)
    if tool is None:
        return RecordSignature(RecordSignatureStatus.NO_TOOL, "gpg", detail="gpg is not installed")
    with tempfile.TemporaryDirectory() as folder:
        sig_file = Path(folder) / "record.asc"
        data_file = Path(folder) / "record"
        sig_file.write_text(signature.strip() + "\n", encoding="ascii", errors="replace")
        data_file.write_bytes(payload)
        result = subprocess.run(
            [
                tool,
                "--batch",
                "--no-tty",
                "--status-fd",
                "1",
                "--verify",
                str(sig_file),
                str(data_file),
            ],
            capture_output=True,
            env=dict(environment),
            check=False,
            timeout=60,
        )
    status = result.stdout.decode("utf-8", "replace").splitlines()
    tokens = [line.split() for line in status if line.startswith("[GNUPG:] ")]
    codes = {t[1]: t[2:] for t in tokens if len(t) > 1}
    if "VALIDSIG" in codes and "GOODSIG" in codes:
        fingerprint = codes["VALIDSIG"][0] if codes["VALIDSIG"] else ""
        return RecordSignature(RecordSignatureStatus.GOOD, "gpg", fingerprint, "good GPG signature")
    if "NO_PUBKEY" in codes or ("ERRSIG" in codes and "BADSIG" not in codes):
        key = (codes.get("NO_PUBKEY") or codes.get("ERRSIG") or [""])[0]
        return RecordSignature(
            RecordSignatureStatus.UNKNOWN_KEY,
            "gpg",
            key,
            f"the key {key} is not in the keyring gpg reads (GNUPGHOME)",
        )
    return RecordSignature(
        RecordSignatureStatus.BAD, "gpg", detail="the GPG signature does not match the record"
    )


def sign_payload(
    payload: bytes,
    *,
    method: str,
    key: str,
    env: Mapping[str, str] | None = None,
) -> str:
    """An armored signature of ``payload``.

    Args:
        method: ``ssh`` (``key`` is a private key file, or a public key file whose
            private half an ssh-agent holds) or ``gpg`` (``key`` is a key id,
            fingerprint or user id; empty for gpg's default key).
        key: the signing key, as Git's ``user.signingkey`` names it.

    Raises:
        SigningError: the tool is missing or refuses.
    """
    environment = {**os.environ, **(env or {}), "LC_ALL": "C"}
    if method == "ssh":
        tool = _tool("ssh-keygen", environment)
        if tool is None:
            raise SigningError("ssh-keygen is not installed; install OpenSSH to sign records")
        with tempfile.TemporaryDirectory() as folder:
            data_file = Path(folder) / "record"
            data_file.write_bytes(payload)
            result = subprocess.run(
                [
                    tool,
                    "-Y",
                    "sign",
                    "-q",
                    "-f",
                    os.path.expanduser(key),
                    "-n",
                    NAMESPACE,
                    str(data_file),
                ],
                capture_output=True,
                env=environment,
                check=False,
                timeout=120,
            )
            sig_file = Path(folder) / "record.sig"
            if result.returncode != 0 or not sig_file.is_file():
                said = result.stderr.decode("utf-8", "replace").strip()
                raise SigningError(f"ssh-keygen could not sign with {key}: {said}")
            return sig_file.read_text(encoding="ascii").strip()
    if method == "gpg":
        tool = _tool("gpg", environment)
        if tool is None:
            raise SigningError("gpg is not installed; install GnuPG to sign records")
        args = [tool, "--batch", "--no-tty", "--detach-sign", "--armor", "--output", "-"]
        if key:
            args += ["--local-user", key]
        result = subprocess.run(
            args, input=payload, capture_output=True, env=environment, check=False, timeout=120
        )
        if result.returncode != 0:
            said = result.stderr.decode("utf-8", "replace").strip()
            raise SigningError(f"gpg could not sign with {key or 'the default key'}: {said}")
        return result.stdout.decode("ascii", "replace").strip()
    raise SigningError(f"unknown signing format `{method}`; use ssh or openpgp (gpg.format)")
