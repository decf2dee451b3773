"""Read a user guide page as the steps a reader follows, and follow them.

The guide is the source: its ```` ```console ```` blocks are commands (``$ `` lines;
the lines after a command, up to the next one, are its expected output; a heredoc's
body belongs to its command), its fenced blocks with ``title="path"`` are files to
write, and a ```` ```text ```` block that starts with ``name/`` is a file tree. Blocks
inside content tabs (``=== "Title"``) are alternatives of one step: the first tab is
followed, the others are counted as alternatives. Nothing is hard-coded here about
what the guide says, so when the guide changes, the test follows it.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,})(?P<info>.*)$")
_TAB = re.compile(r'^(?P<indent>\s*)=== "')
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_HEREDOC = re.compile(r"<<-?\s*'?(?P<word>[A-Za-z_]+)'?")


@dataclass(frozen=True)
class Command:
    """One ``$ `` line (with its heredoc body) and the output the guide shows for it."""

    text: str
    expected: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class FileBlock:
    """A file the guide asks the reader to create (or overwrite) with this content."""

    path: str
    content: str
    line: int


@dataclass(frozen=True)
class Tree:
    """A file tree the guide shows: the files it lists, relative to its root."""

    files: tuple[str, ...]
    line: int


@dataclass
class Guide:
    """The steps of a guide in reading order, and what was left to alternatives."""

    steps: list[Command | FileBlock | Tree] = field(default_factory=list)
    alternatives: list[Command | FileBlock] = field(default_factory=list)

    @property
    def commands(self) -> list[Command]:
        return [s for s in self.steps if isinstance(s, Command)]


def parse(markdown: str) -> Guide:
    """The steps of ``markdown`` (see the module docstring)."""
    guide = Guide()
    lines = markdown.splitlines()
    tab_indent: int | None = None  # indentation of the current tab group's headers
    in_first_tab = True
    index = 0
    while index < len(lines):
        line = lines[index]
        indent = len(line) - len(line.lstrip())
        if (
            line.strip()
            and tab_indent is not None
            and indent <= tab_indent
            and not _TAB.match(line)
        ):
            tab_indent = None  # the tab group ended
        tab = _TAB.match(line)
        if tab:
            in_first_tab = tab_indent is None
            tab_indent = len(tab.group("indent"))
            index += 1
            continue
        fence = _FENCE.match(line)
        if not fence:
            index += 1
            continue
        width = len(fence.group("indent"))
        marker = fence.group("fence")
        info = fence.group("info").strip()
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != marker:
            body.append(
                lines[index][width:] if lines[index][:width].strip() == "" else lines[index]
            )
            index += 1
        index += 1
        start = index - len(body) - 1
        steps = _block_steps(info, body, start)
        if tab_indent is not None and not in_first_tab:
            guide.alternatives.extend(s for s in steps if not isinstance(s, Tree))
        else:
            guide.steps.extend(steps)
    return guide


def _block_steps(info: str, body: list[str], line: int) -> list[Command | FileBlock | Tree]:
    language = info.split()[0] if info.split() else ""
    title = _TITLE.search(info)
    if title:
        return [FileBlock(title.group("title"), "\n".join(body) + "\n", line)]
    if language == "console":
        return list(_commands(body, line))
    if language == "text" and body and body[0].rstrip().endswith("/"):
        return [Tree(_tree_files(body), line)]
    return []


def _commands(body: list[str], line: int) -> list[Command]:
    commands: list[Command] = []
    index = 0
    while index < len(body):
        text = body[index]
        if not text.startswith("$ "):
            raise ValueError(f"guide line {line + index}: output before any command: {text!r}")
        command = [text[2:]]
        first = line + index + 1  # the guide's line of the ``$`` (1-based)
        heredoc = _HEREDOC.search(text)
        index += 1
        if heredoc:
            while index < len(body) and body[index] != heredoc.group("word"):
                command.append(body[index])
                index += 1
            command.append(body[index] if index < len(body) else heredoc.group("word"))
            index += 1
        expected: list[str] = []
        while index < len(body) and not body[index].startswith("$ "):
            expected.append(body[index])
            index += 1
        commands.append(Command("\n".join(command), tuple(expected), first))
    return commands


def _tree_files(body: list[str]) -> tuple[str, ...]:
    """The files of a ``tree``-style listing (folders end with ``/``; ``#`` comments)."""
    stack: list[tuple[int, str]] = []
    files: list[str] = []
    for raw in body[1:]:
        entry = raw.split("#", 1)[0].rstrip()
        name = entry.lstrip("│├└─ \u00a0")
        if not name:
            continue
        depth = (len(entry) - len(name)) // 4
        while stack and stack[-1][0] >= depth:
            stack.pop()
        path = "/".join([*(part for _, part in stack), name.rstrip("/")])
        if name.endswith("/"):
            stack.append((depth, name.rstrip("/")))
        else:
            files.append(path)
    return tuple(files)


# -- following the guide ----------------------------------------------------------------


@dataclass
class Shell:
    """Runs commands one at a time, keeping the working folder and the environment.

    Each command runs in a new ``bash``, which then records its folder and exported
    environment for the next: ``cd`` and ``. .venv/bin/activate`` carry over, as in
    one terminal.
    """

    cwd: Path
    env: dict[str, str]
    state: Path

    def run(self, command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        self.state.mkdir(parents=True, exist_ok=True)
        script = (
            f"cd {shlex.quote(str(self.cwd))} || exit 97\n"
            f"{command}\n"
            "status=$?\n"
            f"pwd > {shlex.quote(str(self.state / 'cwd'))}\n"
            f"env -0 > {shlex.quote(str(self.state / 'env'))}\n"
            "exit $status\n"
        )
        result = subprocess.run(
            ["bash", "-c", script],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # as a terminal shows them
            text=True,
            timeout=timeout,
            check=False,
        )
        cwd_file, env_file = self.state / "cwd", self.state / "env"
        if cwd_file.is_file():
            self.cwd = Path(cwd_file.read_text().strip())
            pairs = env_file.read_text().split("\0")
            self.env = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
            cwd_file.unlink()
        return result

    def serve(self, command: str) -> str:
        """Start ``mkdocs serve`` on a free port, fetch the dashboard, stop it."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            ["bash", "-c", f"{command} --dev-addr 127.0.0.1:{port}"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/governance/", timeout=5
                    ) as answer:
                        return answer.read().decode("utf-8", "replace")
                except OSError:
                    if process.poll() is not None:
                        raise AssertionError(
                            f"`{command}` exited with {process.returncode}"
                        ) from None
                    time.sleep(0.5)
            raise AssertionError(f"`{command}` served nothing")
        finally:
            process.terminate()
            process.wait(timeout=60)


def fresh_environment(home: Path) -> dict[str, str]:
    """A user's environment: their own HOME, no Git config of the machine, no venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "VIRTUAL_ENV", "PYTEST", "COV_"))
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        NO_MKDOCS_2_WARNING="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        # The machine's download cache only saves time; it changes nothing installed.
        PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
    )
    # The test's own virtual environment is not the user's.
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in part + "/"
    )
    return env
