"""Finding the record files on disk: regular files inside the repository only.

Every entry under the records folder is either a record source or a finding, at
every depth, so nothing is dropped silently and nothing outside the repository is
read:

- a **symbolic link** (to a file or a folder, and the records folder itself or a
  folder on the way to it) is refused: it could publish files from anywhere on the
  machine, and Git history cannot vouch for what it points to;
- a **FIFO, socket or device** is refused without being opened (opening a FIFO
  blocks until someone writes to it);
- a **Git submodule or nested repository** (a folder with its own ``.git``) is
  refused with one finding: its files' history lives in another repository, so the
  commits that added its sign-offs cannot be judged here;
- a **file name that is not UTF-8** is refused with a rename hint. Git paths are
  decoded the same way (UTF-8, undecodable bytes shown as U+FFFD), so a disk path
  and a Git path always meet in one decoding.

Files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked to be regular after
opening, so a file swapped for a link or a FIFO between listing and reading is
refused too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from ..findings import Code, Finding, error
from .yamlsafe import MAX_FILE_BYTES, YamlError, too_large_message

_GIT_MARKER = ".git"


def display_name(name: str) -> str:
    """A file name from the disk as Git shows it: UTF-8, bad bytes as U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def is_utf8_name(name: str) -> bool:
    """True when the name's bytes on disk are valid UTF-8."""
    try:
        os.fsencode(name).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def symlink_on_the_way(root: Path, records_dir: Path) -> Path | None:
    """The records folder, or a folder between it and ``root``, that is a symlink."""
    try:
        relative = records_dir.relative_to(root)
    except ValueError:
        return records_dir if records_dir.is_symlink() else None
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def discover(
    records_dir: Path, rel_dir: str
) -> tuple[dict[str, Callable[[], bytes]], list[Finding]]:
    """(repository path -> reader, refusals) for everything under ``records_dir``.

    ``records_dir`` is the folder as configured (not resolved); ``rel_dir`` its
    repository-relative POSIX path.
    """
    sources: dict[str, Callable[[], bytes]] = {}
    refused: list[Finding] = []

    def refuse(relative: str, message: str) -> None:
        refused.append(error(Code.INVALID_RECORD, relative, message, relative, 1))

    if (records_dir / _GIT_MARKER).exists():
        refuse(rel_dir, _submodule_message(rel_dir, records_dir))
        return sources, refused
    for current, dirnames, filenames in os.walk(records_dir):
        here = Path(current)
        base = here.relative_to(records_dir).as_posix()
        prefix = rel_dir if base == "." else f"{rel_dir}/{display_name(base)}"
        kept: list[str] = []
        for name in sorted(dirnames):
            folder = here / name
            relative = f"{prefix}/{display_name(name)}"
            if name == _GIT_MARKER:
                continue
            if folder.is_symlink():
                refuse(relative, _symlink_message(relative, folder, folder=True))
            elif not is_utf8_name(name):
                refuse(relative, _name_message(relative, folder=True))
            elif (folder / _GIT_MARKER).exists():
                refuse(relative, _submodule_message(relative, folder))
            else:
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            absolute = here / name
            relative = f"{prefix}/{display_name(name)}"
            if name == _GIT_MARKER:
                continue  # a worktree's `.git` file in the records folder itself
            mode = absolute.lstat().st_mode
            if stat.S_ISLNK(mode):
                refuse(relative, _symlink_message(relative, absolute, folder=False))
            elif not stat.S_ISREG(mode):
                refuse(relative, _special_message(mode))
            elif not is_utf8_name(name):
                refuse(relative, _name_message(relative, folder=False))
            else:
                sources[relative] = regular_file_reader(absolute)
    return sources, refused


def regular_file_reader(path: Path) -> Callable[[], bytes]:
    """A reader that opens ``path`` only if it is (still) a regular file, not a link."""

    def read() -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            descriptor = os.open(path, flags)
        except OSError as exc:
            raise YamlError(
                f"could not be opened ({exc.strerror}); a record must be a regular, "
                "readable file in the repository",
                1,
            ) from None
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise YamlError(_special_message(info.st_mode), 1)
            if info.st_size > MAX_FILE_BYTES:
                # Refuse before reading: a huge file must not cost memory.
                raise YamlError(too_large_message(info.st_size), 1)
            return handle.read(MAX_FILE_BYTES + 1)

    return read


def _symlink_message(relative: str, path: Path, *, folder: bool) -> str:
    what = "folder" if folder else "record"
    return (
        f"is a symbolic link (to `{os.readlink(path)}`); it is not read: a {what} must be "
        f"a regular {'folder' if folder else 'file'} in the repository, since a link can "
        "point outside it and Git history cannot vouch for its target: replace the link "
        f"with the {'folder' if folder else 'file'} itself"
    )


def _special_message(mode: int) -> str:
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    return (
        f"is {kind}, not a regular file; it is not read: remove it from the records "
        "folder (records are regular files committed to Git)"
    )


def _name_message(relative: str, *, folder: bool) -> str:
    return (
        f"the {'folder' if folder else 'file'} name `{relative}` is not valid UTF-8 "
        "(shown with U+FFFD for the undecodable bytes); it is not read: rename it to a "
        "UTF-8 name, e.g. `git mv` it to a name of letters, digits and `-`"
    )


def _submodule_message(relative: str, folder: Path) -> str:
    count = sum(len(files) for _, _, files in os.walk(folder))
    return (
        f"`{relative}` is a Git submodule or a nested repository (it has its own `.git`); "
        f"its {count} file(s) are not read: their history lives in another repository, "
        "so who committed each sign-off cannot be checked here. Move the records into "
        "this repository (not a submodule)"
    )
