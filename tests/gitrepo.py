"""One small helper to build real Git repositories in tests.

Every test that needs history builds it here: files committed as a given author at a
given date, optionally signed. Git runs for real; nothing is mocked. The global and
system git configuration are ignored so a developer's settings cannot change a test.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

DEFAULT_AUTHOR = ("Test Author", "author@example.com")


def isolated_git_env(home: Path | None = None) -> dict[str, str]:
    """An environment in which git ignores the user's and the system's config."""
    env = dict(os.environ)
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    if home is not None:
        env["HOME"] = str(home)
        env["GNUPGHOME"] = str(home / ".gnupg")
    return env


class GitRepo:
    """A real repository in ``path`` with helpers to write files and commit them."""

    def __init__(self, path: Path, *, init: bool = True, env: Mapping[str, str] | None = None):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.env = dict(env) if env is not None else isolated_git_env()
        if init:
            self.git("init", "-q", "-b", "main")
            self.git("config", "user.name", DEFAULT_AUTHOR[0])
            self.git("config", "user.email", DEFAULT_AUTHOR[1])
            self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        """Run git in the repository and return its stdout (text)."""
        result = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def write(self, relative: str, content: str | bytes) -> Path:
        """Write a file (creating folders); ``content`` as text (UTF-8) or bytes."""
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def write_many(self, files: Mapping[str, str | bytes]) -> None:
        """Write several files at once."""
        for relative, content in files.items():
            self.write(relative, content)

    def commit(
        self,
        message: str,
        *,
        files: Mapping[str, str | bytes] | None = None,
        author: tuple[str, str] = DEFAULT_AUTHOR,
        date: str = "2026-01-15T10:00:00+00:00",
        committer: tuple[str, str] | None = None,
        paths: Iterable[str] | None = None,
        sign: str | None = None,
        allow_empty: bool = False,
    ) -> str:
        """Write ``files``, stage them (or ``paths``, or everything) and commit.

        ``author`` is (name, email); the committer defaults to the author; both
        dates are ``date``. ``sign`` is a GPG key id or an SSH key file path to sign
        with (the repository must be configured for it). Returns the new sha.
        """
        if files:
            self.write_many(files)
        if paths is not None:
            self.git("add", "--all", "--", *paths)
        else:
            self.git("add", "--all")
        committer = committer or author
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": committer[0],
            "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_COMMITTER_DATE": date,
        }
        args = ["commit", "-q", "-m", message]
        if allow_empty:
            args.append("--allow-empty")
        if sign:
            args.append(f"--gpg-sign={sign}")
        self.git(*args, env=env)
        return self.head()

    def head(self) -> str:
        """The HEAD sha."""
        return self.git("rev-parse", "HEAD").strip()

    def move(self, old: str, new: str) -> None:
        """``git mv`` a file (staged, not committed)."""
        (self.path / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def remove(self, relative: str) -> None:
        """``git rm`` a file (staged, not committed)."""
        self.git("rm", "-q", relative)


# --- Commit signing (throwaway keys, for signed sign-off scenarios) -------------------


def setup_gpg_signing(
    repo: GitRepo,
    home: Path,
    *,
    name: str = DEFAULT_AUTHOR[0],
    email: str = DEFAULT_AUTHOR[1],
) -> str:
    """Generate a throwaway passphrase-less GPG key in ``home/.gnupg`` and make
    ``repo`` sign with it (``repo.env`` gets ``GNUPGHOME``).

    Returns the key's full fingerprint (40 hex digits); git's ``%GK`` shows its
    last 16 digits (the long key id), ``%GF`` the fingerprint. Call
    [`stop_gpg_agent`][tests.gitrepo.stop_gpg_agent] when done: gpg starts an agent
    per home.
    """
    gnupghome = home / ".gnupg"
    gnupghome.mkdir(parents=True, exist_ok=True)
    gnupghome.chmod(0o700)
    repo.env["GNUPGHOME"] = str(gnupghome)
    gpg_env = {**repo.env, "GNUPGHOME": str(gnupghome)}
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", f"{name} <{email}>",
         "ed25519", "sign", "never"],
        env=gpg_env, check=True, capture_output=True,
    )  # fmt: skip
    listing = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-secret-keys", email],
        env=gpg_env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    fingerprint = next(
        line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")
    )
    repo.git("config", "gpg.format", "openpgp")
    repo.git("config", "user.signingkey", fingerprint)
    return fingerprint


def stop_gpg_agent(home: Path) -> None:
    """Stop the gpg-agent that signing with a key in ``home/.gnupg`` started."""
    env = {**os.environ, "GNUPGHOME": str(home / ".gnupg")}
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False, capture_output=True)


def setup_ssh_signing(
    repo: GitRepo,
    home: Path,
    *,
    email: str = DEFAULT_AUTHOR[1],
    allowed_signers: bool = True,
) -> tuple[Path, str]:
    """Generate a throwaway ed25519 key in ``home/.ssh`` and make ``repo`` sign with
    SSH (``gpg.format ssh``, ``user.signingkey``).

    With ``allowed_signers`` (the default) the key is listed for ``email`` in an
    allowed-signers file set as ``gpg.ssh.allowedSignersFile``, which git needs to
    verify SSH signatures at all. Returns (private key path, ``SHA256:…``
    fingerprint as git's ``%GF`` prints it). Sign a commit with
    ``repo.commit(..., sign=str(key_path))``.
    """
    ssh_dir = home / ".ssh"
    ssh_dir.mkdir(parents=True, exist_ok=True)
    key_path = ssh_dir / "id_ed25519"
    if not key_path.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", str(key_path)],
            check=True, capture_output=True,
        )  # fmt: skip
    fingerprint = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(key_path) + ".pub"],
        check=True, capture_output=True, text=True,
    ).stdout.split()[1]  # fmt: skip
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(key_path))
    if allowed_signers:
        public_key = (ssh_dir / "id_ed25519.pub").read_text(encoding="utf-8").split()
        signers = ssh_dir / "allowed_signers"
        signers.write_text(f'{email} namespaces="git" {public_key[0]} {public_key[1]}\n')
        repo.git("config", "gpg.ssh.allowedSignersFile", str(signers))
    return key_path, fingerprint
