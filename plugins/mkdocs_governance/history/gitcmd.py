"""Running git: locating the binary, one-shot commands and streamed output.

Every git process of the history layer starts here, through GitPython's command
wrapper (``Git.execute``), so that the environment is the same everywhere: a C
locale (stable messages to recognise), no optional locks (``git status`` must not
write the index of the repository it inspects), no terminal prompts, no replace
refs and no fsmonitor hook (local configuration cannot change what the gate sees).
[`hidden_worktree_changes`][mkdocs_governance.history.gitcmd.hidden_worktree_changes]
finds the edits that ``git status`` does not show because the index marks a file
``--skip-worktree`` or ``--assume-unchanged``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

# GitPython checks for a git binary when it is imported and raises if there is none;
# "quiet" defers that, so a missing git becomes a finding with a fix, not an ImportError.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")

_CHUNK = 1 << 16

# Settings that change what git log prints; forced off so a user's config
# (log.showSignature, a .mailmap, colour) cannot alter the stream we parse. Local
# configuration must not change what the gate sees either: replace refs (and
# grafts) would show a sign-off's commit as another, and core.fsmonitor runs a
# command of the repository's choosing during `git status`.
_NEUTRAL_CONFIG = (
    "--no-replace-objects",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "color.ui=never",
    "-c",
    "core.quotePath=false",
    "--literal-pathspecs",
    "--no-pager",
)


class HistoryError(Exception):
    """A git operation of the history layer failed; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class GitResult:
    """What a finished git command returned."""

    status: int
    stdout: bytes
    stderr: str


@dataclass(frozen=True)
class GitRunner:
    """Runs ``git`` in one work tree with a fixed executable and environment.

    Attributes:
        cwd: the folder git runs in.
        executable: the git binary (a name looked up on ``PATH``, or a path).
        env: extra environment variables, on top of ``os.environ``.
    """

    cwd: Path
    executable: str = "git"
    env: Mapping[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        """The variables git runs with (added to ``os.environ`` by GitPython)."""
        return {
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
            "LANGUAGE": "C",
            **self.env,
        }

    def search_path(self) -> str | None:
        """The ``PATH`` git and its helpers (gpg, ssh-keygen) are looked up on."""
        return self.env.get("PATH", os.environ.get("PATH"))

    def which(self, program: str) -> str | None:
        """The full path of ``program`` as git would find it, or None."""
        return shutil.which(program, path=self.search_path())

    def resolve_executable(self) -> str | None:
        """The git binary's full path, or None when there is none."""
        return self.which(self.executable)

    def command(self, args: Sequence[str]) -> list[str]:
        """The full argument vector for ``git args``."""
        return [self.executable, *_NEUTRAL_CONFIG, *args]

    def run(self, args: Sequence[str], *, stdin: BinaryIO | None = None) -> GitResult:
        """Run ``git args`` to completion and return status, stdout and stderr."""
        from git.cmd import Git  # lazy: see GIT_PYTHON_REFRESH above

        outcome: Any = Git(self.cwd).execute(
            self.command(args),
            istream=stdin,
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
            env=self.environment(),
        )
        status, stdout, stderr = outcome
        return GitResult(int(status), bytes(stdout or b""), str(stderr or ""))

    def stream_split(
        self, args: Sequence[str], separator: bytes, *, stdin: BinaryIO | None = None
    ) -> Generator[bytes, None, None]:
        """Run ``git args`` and yield its stdout split at ``separator``, as it arrives.

        The output is never held in full: only the unfinished last piece of a
        chunk is kept. Raises [`HistoryError`][mkdocs_governance.history.gitcmd.HistoryError]
        after the last piece when git exits with an error.
        """
        from git.cmd import Git  # lazy: see GIT_PYTHON_REFRESH above

        process: Any = Git(self.cwd).execute(
            self.command(args),
            istream=stdin,
            as_process=True,
            env=self.environment(),
        )
        stdout = process.proc.stdout
        read = getattr(stdout, "read1", stdout.read)
        rest = b""
        try:
            while True:
                block = read(_CHUNK)
                if not block:
                    break
                parts = (rest + block).split(separator)
                rest = parts.pop()
                yield from parts
            if rest:
                yield rest
        finally:
            # Reached on normal end and when the consumer stops early: reap git.
            stdout.close()
            stderr = process.proc.stderr.read() if process.proc.stderr else b""
            status = process.proc.wait()
        if status != 0:
            raise HistoryError(
                f"git {' '.join(args[:2])} failed (exit {status}): "
                f"{stderr.decode('utf-8', 'replace').strip()}"
            )


def hidden_worktree_changes(runner: GitRunner, pathspecs: Sequence[str]) -> bytes:
    """``git status --porcelain=v1 -z`` entries for edits the index's flags hide.

    ``git status`` trusts the index: a file marked ``--skip-worktree`` or
    ``--assume-unchanged`` is never compared with the disk, so an edited sign-off
    would pass as committed. Each flagged file present on disk is hashed here (as a
    blob, without filters) and compared with the index; a difference is returned as
    a `` M <path>`` entry, so it reads exactly like a change git reported.
    """
    listed = runner.run(["ls-files", "-v", "-s", "-z", "--", *pathspecs])
    if listed.status != 0:
        return b""
    entries: list[bytes] = []
    for record in listed.stdout.split(b"\0"):
        meta, tab, path = record.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 4:
            continue
        tag, _mode, object_id, _stage = fields
        if not (tag == b"S" or tag.islower()):
            continue  # not flagged: git status compares it itself
        if _blob_id(runner.cwd / os.fsdecode(path), len(object_id)) not in (None, object_id):
            entries.append(b" M " + path)
    return b"".join(entry + b"\0" for entry in entries)


def _blob_id(path: Path, hex_length: int) -> bytes | None:
    """Git's blob id of a regular file on disk (SHA-1 or SHA-256), None if absent."""
    try:
        info = path.lstat()
    except OSError:
        return None  # not checked out (sparse checkout): nothing on disk to judge
    if not stat.S_ISREG(info.st_mode):
        return b"not-a-regular-file"
    data = path.read_bytes()
    digest = hashlib.sha256() if hex_length == 64 else hashlib.sha1()
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest().encode("ascii")
