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
