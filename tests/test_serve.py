"""``mkdocs serve`` on a governance repository: pages follow the records live.

A real ``mkdocs serve`` runs in a subprocess on a free port; the test edits record files
on disk and polls the served pages (bounded) until they show the change. A broken record
must show up as a finding while the server keeps serving.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.changes_scenario import ADA, MODEL, STAGING_SIGNOFF, build_base, model_yaml
from tests.gitrepo import GitRepo

pytestmark = pytest.mark.slow

MKDOCS = Path(sys.executable).parent / "mkdocs"
STARTUP_TIMEOUT = 90.0
REBUILD_TIMEOUT = 60.0

MKDOCS_YML = """\
site_name: Serve test
theme: mkdocs
plugins:
  - governance:
      records_dir: governance_records
      as_of: 2026-03-01
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


class Server:
    """A running ``mkdocs serve`` and where its output goes."""

    def __init__(self, repo: GitRepo, url: str, process: subprocess.Popen[bytes], log: Path):
        self.repo = repo
        self.url = url
        self.process = process
        self.log = log

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def wait_for(self, path: str, accept: Callable[[str], bool], timeout: float) -> str:
        """Poll ``path`` until its body satisfies ``accept``; fail with the server's log."""
        deadline = time.monotonic() + timeout
        body: str | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"mkdocs serve exited ({self.process.returncode}):\n{self.log_tail()}")
            body = _get(self.url + path)
            if body is not None and accept(body):
                return body
            time.sleep(0.5)
        pytest.fail(
            f"{path} did not show the expected content within {timeout}s; "
            f"last body: {body!r:.300}\nserver log:\n{self.log_tail()}"
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Server]:
    repo = build_base(tmp_path / "repo")
    repo.write("mkdocs.yml", MKDOCS_YML)
    repo.write("docs/index.md", "# Home\n")
    port = _free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(MKDOCS), "serve", "-a", f"127.0.0.1:{port}"],
        cwd=repo.path,
        env=repo.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield Server(repo, f"http://127.0.0.1:{port}", process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_served_pages_follow_record_edits_and_survive_a_broken_record(served: Server) -> None:
    model_page = "/governance/models/credit/"
    first = served.wait_for(model_page, lambda body: "Credit scoring" in body, STARTUP_TIMEOUT)
    assert "Credit risk scoring" not in first

    # An uncommitted edit to a record: the rebuild the watcher triggers shows it.
    served.repo.write(MODEL, model_yaml(name="Credit risk scoring"))
    served.wait_for(model_page, lambda body: "Credit risk scoring" in body, REBUILD_TIMEOUT)

    # A broken record: reported as a finding on the site, the server keeps running.
    served.repo.write(STAGING_SIGNOFF, "model: credit\nversion: [unclosed\n")
    findings = served.wait_for(
        "/governance/findings/", lambda body: "invalid-record" in body, REBUILD_TIMEOUT
    )
    assert "staging-ml-lead-lee.yaml" in findings
    assert served.process.poll() is None
    # ... and still serves the rest of the wiki.
    assert "Credit risk scoring" in (_get(served.url + model_page) or "")
    assert "staging-ml-lead-lee.yaml:3: invalid-record" in served.log_tail()

    # Fixing the record clears the finding again.
    served.repo.git("checkout", "--", STAGING_SIGNOFF)
    served.wait_for(
        "/governance/findings/", lambda body: "invalid-record" not in body, REBUILD_TIMEOUT
    )


def _commit_rename(repo: GitRepo) -> None:
    repo.write(MODEL, model_yaml(name="Credit risk scoring"))
    repo.commit(
        "Rename the credit model for the catalogue",
        paths=[MODEL],
        author=ADA,
        date="2026-02-12T09:00:00+00:00",
    )


def test_rebuild_after_a_commit_shows_it_in_the_audit_trail(served: Server) -> None:
    # The history is cached across rebuilds by HEAD: a new HEAD must not serve the old one.
    served.wait_for(
        "/governance/audit/2026-02/", lambda body: "Sign off credit 1.0" in body, STARTUP_TIMEOUT
    )
    _commit_rename(served.repo)
    # Any watched change triggers the rebuild (here a docs page).
    served.repo.write("docs/index.md", "# Home\n\nEdited.\n")
    served.wait_for(
        "/governance/audit/2026-02/",
        lambda body: "Rename the credit model for the catalogue" in body,
        REBUILD_TIMEOUT,
    )


def test_a_commit_alone_triggers_a_rebuild(served: Server) -> None:
    # A commit changes nothing in the records folder, only .git: the plugin watches HEAD.
    served.wait_for(
        "/governance/audit/2026-02/", lambda body: "Sign off credit 1.0" in body, STARTUP_TIMEOUT
    )
    served.repo.write(MODEL, model_yaml(name="Credit risk scoring"))
    served.wait_for(
        "/governance/models/credit/", lambda body: "Credit risk scoring" in body, REBUILD_TIMEOUT
    )
    served.repo.commit(
        "Rename the credit model for the catalogue",
        paths=[MODEL],
        author=ADA,
        date="2026-02-12T09:00:00+00:00",
    )
    served.wait_for(
        "/governance/audit/2026-02/",
        lambda body: "Rename the credit model for the catalogue" in body,
        20.0,
    )
