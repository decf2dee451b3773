"""The hostile-input corpus, round two (issue 10): each class can never come back.

Every case is run through the real loader or the real CLI on a copy of the valid
fixture records (``tests/record_cases/valid``) or on a real Git repository. Cases
that once hung run in a subprocess with a generous timeout, so a regression shows
as a failure (``TimeoutExpired``) instead of a hung suite; no assert is timed.

The counts of every hostile-input class the suite tries are kept in
``docs/hostile-input.md``; ``test_the_docs_tally_matches_the_suite`` keeps that page
true.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_governance.records import load_registry
from mkdocs_governance.records.yamlsafe import MAX_FILE_BYTES
from tests.gitrepo import GitRepo

CASES = Path(__file__).parent / "record_cases"
VALID = CASES / "valid"
RECORDS = "governance_records"
# A file just under the cap: the loader reads it, so every pattern sees all of it.
AT_CAP = MAX_FILE_BYTES - 256
# Generous: each case finishes in about a second; a super-linear pattern takes hours.
SUBPROCESS_TIMEOUT = 120


def _records_copy(tmp_path: Path) -> Path:
    records = tmp_path / "repo" / RECORDS
    shutil.copytree(VALID, records)
    return records


def _check_json(repo: Path, *args: str) -> tuple[int, dict[str, object], str]:
    """``mkdocs-governance check --format json`` in ``repo``, in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", "check", "--format", "json", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.returncode, report, result.stderr


def _build(repo: Path, gate: str = "warn") -> subprocess.CompletedProcess[str]:
    """A real ``mkdocs build`` of ``repo`` (records in ``repo/governance_records``)."""
    (repo / "docs").mkdir(exist_ok=True)
    (repo / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (repo / "mkdocs.yml").write_text(
        f"site_name: T\nplugins:\n  - governance:\n      gate: {gate}\n", encoding="utf-8"
    )
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "out"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


def _messages(report: dict[str, object], file: str | None = None) -> list[str]:
    findings = report.get("findings", [])
    assert isinstance(findings, list)
    return [
        f"{f['code']} {f.get('file')}:{f.get('line')} {f['message']}"
        for f in findings
        if file is None or f.get("file") == file
    ]


# ------------------------------------------------------------ super-linear patterns

# name -> (file under the records folder, text at the file cap, words a finding must
# hold, or "" when the file must load cleanly)
REGEX_CASES: dict[str, tuple[str, str, str]] = {
    "heading of spaces": (
        "decisions/0009-spaces.md",
        "#" + " " * (AT_CAP // 2) + "x" + " " * (AT_CAP // 2 - 8) + "y\n",
        "",
    ),
    "closed heading of spaces": (
        "decisions/0009-closed.md",
        "# x" + " #" * (AT_CAP // 2 - 8) + "y\n",
        "",
    ),
    "nygard date line of spaces": (
        "decisions/0009-date.md",
        "# 9. Title\n\nDate: x" + " " * (AT_CAP - 64) + "y\n",
        "not a valid date",
    ),
    "nygard status heading of spaces": (
        "decisions/0009-status.md",
        "# 9. Title\n\n##" + " " * (AT_CAP // 2) + "Status" + " " * (AT_CAP // 2 - 64) + "y\n",
        "",
    ),
    "title of comment openers": (
        "decisions/0009-comments.md",
        "# " + "<!--" * (AT_CAP // 4) + "\n",
        "",
    ),
    "supersedes of open parentheses": (
        "decisions/0009-parens.md",
        '---\nstatus: accepted\nsupersedes: ["' + "(" * AT_CAP + '"]\n---\n# T\n',
        "`supersedes` names",
    ),
    "status of link openers": (
        "decisions/0009-links.md",
        '---\nstatus: "superseded by ' + "[](" * (AT_CAP // 3) + '"\n---\n# T\n',
        "",
    ),
    "status of brackets": (
        "decisions/0009-brackets.md",
        '---\nstatus: "superseded by ' + "[" * AT_CAP + '"\n---\n# T\n',
        "",
    ),
    "title number of 100,000 digits": (
        "decisions/0009-digits.md",
        "# " + "9" * 100_000 + ". Title\n",
        "",
    ),
    "supersedes number of 100,000 digits": (
        "decisions/0009-number.md",
        '---\nstatus: accepted\nsupersedes: ["' + "9" * 100_000 + '"]\n---\n# T\n',
        "`supersedes` names",
    ),
}


@pytest.mark.parametrize("name", sorted(REGEX_CASES))
def test_record_text_at_the_file_cap_is_read_in_linear_time(tmp_path: Path, name: str) -> None:
    target, text, words = REGEX_CASES[name]
    records = _records_copy(tmp_path)
    path = records / target
    path.write_text(text, encoding="utf-8")
    assert len(text.encode("utf-8")) <= MAX_FILE_BYTES
    _, report, stderr = _check_json(records.parent)
    assert report, stderr
    found = _messages(report, f"{RECORDS}/{target}")
    if words:
        assert any(words in message for message in found), found
    else:
        # A decision without a status is one warning (issue 15), not a parsing failure.
        problems = [m for m in found if "decision has no status" not in m]
        assert not any(m.startswith("invalid-record") for m in problems), found


# ------------------------------------------------------------ numbers out of range

# name -> (file, original text, replacement, line of the finding, words)
NUMBER_CASES: dict[str, tuple[str, str, str, int, str]] = {
    "sign-off count of 10**30": (
        "policy.yaml", "{role: ml-lead, count: 1}", "{role: ml-lead, count: " + "1" + "0" * 30 + "}",
        10, "`requirements.staging.signoffs[1].count` is 1000000000000000000000000000000, out of range",
    ),
    "sign-off count of 5,000 digits": (
        "policy.yaml", "{role: ml-lead, count: 1}", "{role: ml-lead, count: " + "9" * 5000 + "}",
        10, "(5,000 characters), out of range; write a whole number from 1 to 1000",
    ),
    "sign-off count of 0": (
        "policy.yaml", "{role: ml-lead, count: 1}", "{role: ml-lead, count: 0}",
        10, "is 0, out of range; write a whole number from 1 to 1000",
    ),
    "signoff_max_age_days of 800000": (
        "policy.yaml", "signoff_max_age_days: 365", "signoff_max_age_days: 800000",
        20, "`rules.signoff_max_age_days` is 800000, out of range",
    ),
    "review_interval_days of 10**10": (
        "policy.yaml", "review_interval_days: 365", "review_interval_days: 10000000000",
        21, "`rules.review_interval_days` is 10000000000, out of range",
    ),
    "metric of 1e999": (
        "models/credit-scoring.md", "metrics: {auc: 0.83, ks: 0.41}", "metrics: {auc: 1e999, ks: 0.41}",
        23, "`versions[1].metrics.auc` is `1e999`, too large to be a finite number",
    ),
    "policy min of -1e999": (
        "policy.yaml", "metric: auc, min: 0.80", "metric: auc, min: -1e999",
        4, "`checks.performance.min` is `-1e999`, too large to be a finite number",
    ),
    "metric history value of 1e400": (
        "experiments/exp-gbm-depth.yaml", "[2, 0.81]", "[2, 1e400]",
        12, "is `1e400`, too large to be a finite number",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(NUMBER_CASES))
def test_every_number_read_from_records_has_a_range(tmp_path: Path, name: str) -> None:
    target, original, replacement, line, words = NUMBER_CASES[name]
    records = _records_copy(tmp_path)
    path = records / target
    text = path.read_text(encoding="utf-8")
    assert original in text
    path.write_text(text.replace(original, replacement, 1), encoding="utf-8")
    code, report, stderr = _check_json(records.parent)
    assert code in (1, 2), stderr  # 2: the policy is unusable, nothing can be judged
    # With an unusable policy the findings are printed as text on stderr.
    found = _messages(report, f"{RECORDS}/{target}") + stderr.splitlines()
    where = [f"{RECORDS}/{target}:{line} ", f"{RECORDS}/{target}:{line}: invalid-record: "]
    assert any(any(w in m for w in where) and words in m for m in found), found


def test_out_of_range_policy_numbers_do_not_abort_a_warn_build(tmp_path: Path) -> None:
    """`gate: warn` builds the site and reports the policy, never "internal error"."""
    records = _records_copy(tmp_path)
    policy = records / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8")
        .replace("signoff_max_age_days: 365", "signoff_max_age_days: 800000")
        .replace("{role: ml-lead, count: 1}", "{role: ml-lead, count: " + "1" + "0" * 30 + "}"),
        encoding="utf-8",
    )
    repo = records.parent
    result = _build(repo)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert (repo / "out" / "governance" / "findings" / "index.html").is_file()
    export = (repo / "out" / "governance" / "governance.json").read_text(encoding="utf-8")
    assert "signoff_max_age_days` is 800000, out of range" in export


def test_governance_json_is_strict_json(tmp_path: Path) -> None:
    """Infinity never reaches the export: it is refused, and the writer is strict."""
    records = _records_copy(tmp_path)
    model = records / "models" / "credit-scoring.md"
    model.write_text(
        model.read_text(encoding="utf-8").replace("auc: 0.83", "auc: 1e999"), encoding="utf-8"
    )
    output = tmp_path / "governance.json"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", "export", "--output", str(output)],
        cwd=records.parent,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in governance.json")

    data = json.loads(output.read_text(encoding="utf-8"), parse_constant=refuse)
    assert "credit-scoring" not in json.dumps(data.get("registry", {}).get("models", {}))


# ------------------------------------------------------------ extra/params as written


def _digest(records: Path, key: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", "digest", key],
        cwd=records.parent,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("before", "after"),
    [("1.1", "1.10"), ("1", "01"), ("1", "+1"), ("1000", "1e3"), ("0.5", "0.50")],
)
def test_editing_a_number_under_extra_changes_the_digest(
    tmp_path: Path, before: str, after: str
) -> None:
    records = _records_copy(tmp_path)
    model = records / "models" / "credit-scoring.md"
    original = model.read_text(encoding="utf-8")
    anchor = "    description: Gradient boosting, depth 6.\n"
    assert anchor in original

    def with_ticket(value: str) -> str:
        return original.replace(anchor, anchor + f"    extra: {{ticket: {value}}}\n")

    model.write_text(with_ticket(before), encoding="utf-8")
    first = _digest(records, "credit-scoring@1.10")
    model.write_text(with_ticket(after), encoding="utf-8")
    second = _digest(records, "credit-scoring@1.10")
    assert first.startswith("sha256:") and first != second
    version = load_registry(records).registry.models["credit-scoring"].versions[0]
    assert json.dumps(version.extra["ticket"]).strip('"') == after


# ------------------------------------------------------------ plot text is never math


def test_a_metric_named_like_mathtext_is_drawn_as_written(tmp_path: Path) -> None:
    records = _records_copy(tmp_path)
    for relative in ("models/credit-scoring.md", "experiments/exp-gbm-depth.yaml"):
        path = records / relative
        text = path.read_text(encoding="utf-8").replace("auc: 0.8", "'$\\foo$': 0.8")
        text = text.replace("auc: [[", "'$\\foo$': [[")
        path.write_text(text, encoding="utf-8")
    assert load_registry(records).findings == ()
    result = _build(records.parent)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    svgs = [p.read_text(encoding="utf-8") for p in (records.parent / "out").rglob("*.svg")]
    assert svgs and any("$\\foo$" in svg for svg in svgs)


# ------------------------------------------------------------ what is on the disk

CANARY = "CANARY-outside-the-repository-7f3a"


def _committed_repo(tmp_path: Path) -> GitRepo:
    """A real repository holding the valid fixture records, committed."""
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(VALID, repo.path / RECORDS)
    repo.commit("Add records", author=("Bob Builder", "bob@bank.example"))
    return repo


def _outside_records(tmp_path: Path) -> Path:
    """A records folder outside the repository whose text carries a canary."""
    outside = tmp_path / "elsewhere" / RECORDS
    shutil.copytree(VALID, outside)
    dataset = outside / "datasets" / "applications-2024.yaml"
    dataset.write_text(
        dataset.read_text(encoding="utf-8").replace("name: ", f"name: {CANARY} ", 1),
        encoding="utf-8",
    )
    return outside


def _all_output(repo: Path, report: dict[str, object], stderr: str) -> str:
    site = repo / "out"
    pages = "".join(p.read_text("utf-8", "replace") for p in site.rglob("*") if p.is_file())
    return json.dumps(report) + stderr + pages


def test_a_committed_symlink_as_the_records_folder_reads_nothing_outside(tmp_path: Path) -> None:
    outside = _outside_records(tmp_path)
    repo = GitRepo(tmp_path / "repo")
    (repo.path / RECORDS).symlink_to(outside, target_is_directory=True)
    repo.commit("Link the records", author=("Mallory", "m@bank.example"))
    assert repo.git("ls-files", "-s", RECORDS).startswith("120000")  # a committed link
    code, report, stderr = _check_json(repo.path)
    assert code != 0
    found = _messages(report) + stderr.splitlines()
    assert any("symbolic link" in m and RECORDS in m for m in found), found
    built = _build(repo.path)
    assert "Traceback" not in built.stderr
    assert CANARY not in _all_output(repo.path, report, stderr + built.stderr)


def test_a_folder_on_the_way_to_the_records_that_leads_outside_is_refused(tmp_path: Path) -> None:
    outside = _outside_records(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "data").symlink_to(outside.parent, target_is_directory=True)
    result = load_registry(repo / "data" / RECORDS, repo_root=repo)
    assert [f.code for f in result.findings] == ["invalid-record"]
    assert "symbolic link" in result.findings[0].message
    assert CANARY not in json.dumps([f.message for f in result.findings])
    assert not result.registry.datasets


@pytest.mark.parametrize("depth", ["signoffs/linked", "signoffs/credit-scoring/deeper"])
def test_a_symlinked_sub_folder_in_the_records_is_reported_not_skipped(
    tmp_path: Path, depth: str
) -> None:
    outside = _outside_records(tmp_path)
    records = _records_copy(tmp_path)
    link = records / depth
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside / "signoffs", target_is_directory=True)
    result = load_registry(records)
    refused = [f for f in result.findings if f.file == f"{RECORDS}/{depth}"]
    assert len(refused) == 1 and "symbolic link" in refused[0].message, result.findings
    assert f"{RECORDS}/{depth}" in result.registry.files
    assert not any(s.id.startswith(f"{RECORDS}/{depth}/") for s in result.registry.signoffs)


def test_a_symlinked_record_file_deep_in_the_records_is_refused(tmp_path: Path) -> None:
    outside = _outside_records(tmp_path)
    records = _records_copy(tmp_path)
    link = records / "verifications" / "credit-scoring" / "deep" / "x.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside / "datasets" / "applications-2024.yaml")
    result = load_registry(records)
    (refused,) = [
        f
        for f in result.findings
        if f.file == f"{RECORDS}/verifications/credit-scoring/deep/x.yaml"
    ]
    assert "symbolic link" in refused.message
    assert CANARY not in json.dumps([f.message for f in result.findings])


def test_a_fifo_among_the_records_is_reported_and_never_opened(tmp_path: Path) -> None:
    records = _records_copy(tmp_path)
    os.mkfifo(records / "models" / "fifo.yaml")
    _, report, _stderr = _check_json(records.parent)
    found = _messages(report, f"{RECORDS}/models/fifo.yaml")
    assert len(found) == 1 and "FIFO" in found[0] and "not a regular file" in found[0], found


def test_records_in_a_git_submodule_give_one_clear_finding(tmp_path: Path) -> None:
    approvals = GitRepo(tmp_path / "approvals")
    approvals.commit(
        "Approve",
        files={
            "1.10-staging-bob.yaml": (
                VALID / "signoffs/credit-scoring/1.10-staging-bob.yaml"
            ).read_text()
        },
        author=("Bob Builder", "bob@bank.example"),
    )
    repo = _committed_repo(tmp_path)
    repo.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "-q",
        str(approvals.path), f"{RECORDS}/signoffs/external",
    )  # fmt: skip
    repo.commit("Add the approvals submodule", author=("Bob Builder", "bob@bank.example"))
    _, report, _stderr = _check_json(repo.path)
    found = _messages(report)
    submodule = [m for m in found if "submodule" in m]
    assert len(submodule) == 1 and f"{RECORDS}/signoffs/external" in submodule[0], found
    assert not any("/.git" in m for m in found), found
    assert not any("external/" in m and "commit" in m for m in found), found


def test_a_file_name_that_is_not_utf8_is_a_clear_finding_and_the_build_works(
    tmp_path: Path,
) -> None:
    repo = _committed_repo(tmp_path)
    name = os.fsdecode(b"rafa-\xe9.yaml")
    source = VALID / "signoffs" / "credit-scoring" / "1.10-staging-bob.yaml"
    shutil.copyfile(source, repo.path / RECORDS / "signoffs" / name)
    repo.commit("Sign off", author=("Bob Builder", "bob@bank.example"))
    assert repo.git("status", "--porcelain") == ""
    _, report, _stderr = _check_json(repo.path)
    shown = f"{RECORDS}/signoffs/rafa-\ufffd.yaml"
    found = _messages(report)
    named = [m for m in found if shown in m]
    assert len(named) == 1 and "not valid UTF-8" in named[0] and "rename" in named[0], found
    assert not any("not committed" in m for m in found), found
    built = _build(repo.path)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr


# ------------------------------------------------------------ local git configuration

SIGNOFF = f"{RECORDS}/signoffs/credit-scoring/1.10-staging-bob.yaml"


def _signoff_findings(repo: Path) -> list[str]:
    _, report, stderr = _check_json(repo, "--as-of", "2026-02-01")
    assert report, stderr
    return [m for m in _messages(report, SIGNOFF) if m.startswith("unverified-signoff")]


def test_a_replace_ref_cannot_pass_off_a_signoff_as_the_approvers(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(VALID, repo.path / RECORDS)
    signoff = repo.path / SIGNOFF
    text = signoff.read_text(encoding="utf-8")
    signoff.unlink()
    repo.commit("Add records", author=("Bob Builder", "bob@bank.example"))
    forged = repo.commit(
        "Approve 1.10", files={SIGNOFF: text}, author=("Mallory", "mallory@bank.example")
    )
    assert _signoff_findings(repo.path)  # committed by Mallory, not Bob
    # The same tree and parent, authored as Bob, put in place with `git replace`.
    tree, parent = repo.git("rev-parse", f"{forged}^{{tree}}", f"{forged}^").split()
    fake = repo.git(
        "commit-tree", tree, "-p", parent, "-m", "Approve 1.10",
        env={"GIT_AUTHOR_NAME": "Bob Builder", "GIT_AUTHOR_EMAIL": "bob@bank.example",
             "GIT_AUTHOR_DATE": "2026-01-15T10:00:00+00:00"},
    ).strip()  # fmt: skip
    repo.git("replace", forged, fake)
    assert "Bob Builder" in repo.git("log", "-1", "--format=%an")  # git itself is fooled
    assert _signoff_findings(repo.path), "the replaced commit was believed"


def test_core_fsmonitor_in_the_repository_config_never_runs(tmp_path: Path) -> None:
    repo = _committed_repo(tmp_path)
    marker = tmp_path / "fsmonitor-ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    repo.git("config", "core.fsmonitor", str(hook))
    _check_json(repo.path)
    assert not marker.exists()


@pytest.mark.parametrize("flag", ["--skip-worktree", "--assume-unchanged"])
def test_an_edit_hidden_by_an_index_flag_is_still_seen(tmp_path: Path, flag: str) -> None:
    repo = _committed_repo(tmp_path)
    assert _signoff_findings(repo.path) == []
    repo.git("update-index", flag, SIGNOFF)
    signoff = repo.path / SIGNOFF
    signoff.write_text(
        signoff.read_text(encoding="utf-8").replace("Holdout results", "Nothing"),
        encoding="utf-8",
    )
    assert repo.git("status", "--porcelain") == ""  # git status does not show it
    found = _signoff_findings(repo.path)
    assert len(found) == 1 and "modified" in found[0], found


# ------------------------------------------------------------ far-future commit dates


def test_a_commit_dated_in_year_10000_is_implausible_not_a_broken_history(
    tmp_path: Path,
) -> None:
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(VALID, repo.path / RECORDS)
    signoff = repo.path / SIGNOFF
    text = signoff.read_text(encoding="utf-8")
    signoff.unlink()
    repo.commit(
        "Add records", author=("Bob Builder", "bob@bank.example"), date="2026-01-11T10:00:00+00:00"
    )
    repo.commit(
        "Approve",
        files={SIGNOFF: text},
        author=("Bob Builder", "bob@bank.example"),
        date="@253402300799 +1400",
    )
    assert "10000-01-01" in repo.git("log", "-1", "--format=%aI")
    _, report, _stderr = _check_json(repo.path, "--as-of", "2026-02-01")
    found = _messages(report)
    assert not any(m.startswith("history-unavailable") for m in found), found
    dated = [m for m in _messages(report, SIGNOFF) if m.startswith("implausible-date")]
    assert len(dated) == 1 and "10000-01-01T13:59:59+14:00" in dated[0], found
    built = _build(repo.path)
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr


# ------------------------------------------------------------ all errors of a record at once


@pytest.mark.parametrize(
    ("target", "original", "replacement", "reference_line", "reference_words"),
    [
        ("experiments/exp-gbm-depth.yaml", "author: alice\ndate: 2026-01-05\n",
         "author: nobody\n", 5, "`author` names `nobody`"),
        ("experiments/exp-gbm-depth.yaml", "model: credit-scoring\n", "model: credit\nwhen: x\n",
         2, "`model` names the model `credit`"),
        ("signoffs/credit-scoring/1.10-staging-bob.yaml", "approver: bob\n",
         "approver: nobody\nsubject: sha1:x\n", 4, "`approver` names `nobody`"),
        ("signoffs/credit-scoring/1.10-staging-bob.yaml", 'version: "1.10"\nstage: staging\n',
         'version: "7.0"\nstage: a/b\n', 2, "has no version `7.0`"),
    ],
)  # fmt: skip
def test_a_records_reference_errors_come_with_its_schema_errors(
    tmp_path: Path,
    target: str,
    original: str,
    replacement: str,
    reference_line: int,
    reference_words: str,
) -> None:
    records = _records_copy(tmp_path)
    path = records / target
    text = path.read_text(encoding="utf-8")
    assert original in text
    path.write_text(text.replace(original, replacement, 1), encoding="utf-8")
    findings = [f for f in load_registry(records).findings if f.file == f"{RECORDS}/{target}"]
    codes = sorted(f.code for f in findings)
    assert codes == ["invalid-record", "unknown-reference"], [f.format_line() for f in findings]
    (reference,) = [f for f in findings if f.code == "unknown-reference"]
    assert reference.line == reference_line and reference_words in reference.message
    assert all("\n" not in f.message for f in findings)


# ------------------------------------------------------------ pathological sizes

# Record text that made Markdown, the sanitiser or the theme's search indexer take
# minutes: each goes into a field rendered as Markdown, all in one build.
PATHOLOGICAL_TEXT = {
    "40,000 nested div": "<div>" * 40_000 + "x" + "</div>" * 40_000,
    "unclosed tags": "<a " * 100_000,
    "unclosed brackets": "[" * 8_000,
    "unclosed link targets": "[a](" * 8_000,
    "image openers": "![" * 8_000,
    "nested blockquotes": "> " * 50_000 + "x",
    "70,000 links": "[a](b) " * 70_000,
}


def test_pathological_record_text_is_bounded_and_says_so(tmp_path: Path) -> None:
    records = _records_copy(tmp_path)
    texts = list(PATHOLOGICAL_TEXT.values())
    model = records / "models" / "credit-scoring.md"
    body = model.read_text(encoding="utf-8").split("\n---\n", 1)
    version_text = "    description: Gradient boosting, depth 6.\n"
    front = body[0].replace(version_text, f"    description: {json.dumps(texts[6])}\n")
    model.write_text(front + "\n---\n" + texts[0] + "\n", encoding="utf-8")
    dataset = records / "datasets" / "applications-2024.yaml"
    dataset.write_text(
        dataset.read_text(encoding="utf-8").replace(
            "description: Anonymised retail credit applications.",
            f"description: {json.dumps(texts[1])}",
        ),
        encoding="utf-8",
    )
    decision = records / "decisions" / "0001-use-gradient-boosting.md"
    decision.write_text(
        decision.read_text(encoding="utf-8") + "\n\n".join(texts[2:6]) + "\n", encoding="utf-8"
    )
    assert all(len(t.encode()) <= MAX_FILE_BYTES for t in texts)
    built = _build(records.parent)  # times out (a failure) if any text costs minutes
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    site = records.parent / "out" / "governance"
    for page in ("models/credit-scoring/index.html", "datasets/applications-2024/index.html",
                 "decisions/0001-use-gradient-boosting/index.html"):  # fmt: skip
        html = (site / page).read_text(encoding="utf-8")
        assert "governance-note" in html and "shown as text" in html, page
    version = (site / "models" / "credit-scoring" / "1.10" / "index.html").read_text("utf-8")
    assert "only the first 50,000 characters are shown" in version


# ------------------------------------------------------------ the running tally

# Cases of this module that are not driven by a table above (test, cases).
DISK_CASES = {
    "records folder committed as a symlink": 1,
    "folder on the way to the records leads outside": 1,
    "symlinked sub-folder (two depths)": 2,
    "symlinked record file deep in the records": 1,
    "FIFO among the records": 1,
    "records in a Git submodule": 1,
    "file name that is not UTF-8": 1,
}
GIT_CASES = {
    "replace ref showing the approver": 1,
    "core.fsmonitor hook in .git/config": 1,
    "edit hidden by --skip-worktree / --assume-unchanged": 2,
    "commit dated in year 10000": 1,
}
EXTRA_EDITS = 5  # test_editing_a_number_under_extra_changes_the_digest
ALL_AT_ONCE = 4  # test_a_records_reference_errors_come_with_its_schema_errors
NUMBER_EXTRAS = 2  # the warn build and the strict-JSON export
MATHTEXT = 1
BIG_VERSION = 1  # test_a_version_with_thousands_of_records_gets_a_bounded_page


def hostile_tally() -> dict[str, int]:
    """How many hostile cases the suite tries, by kind (the docs table's numbers)."""
    from tests import test_records_cases, test_records_robustness, test_xss

    damaged = sum(
        len(test_records_robustness._variants((test_records_robustness.VALID / f).read_text()))
        for f in test_records_robustness.FILES
    )
    return {
        "Script payloads in record fields and Git text (per theme)": len(test_xss.PAYLOADS),
        "Themes the payload site is built and checked with": len(test_xss.THEMES),
        "Malformed record files (YAML traps, schema, references, encodings)": len(
            test_records_cases.MALFORMED
        ),
        "Damaged copies of valid files (cut short, junk lines)": damaged,
        "Record text at the file cap against every pattern": len(REGEX_CASES),
        "Numbers out of range or infinite": len(NUMBER_CASES) + NUMBER_EXTRAS,
        "Edits of numbers under extra/params": EXTRA_EDITS,
        "Plot text that looks like mathtext": MATHTEXT,
        "Links, special files, submodules, file names": sum(DISK_CASES.values()),
        "Local Git configuration and commit dates": sum(GIT_CASES.values()),
        "Pathological text sizes and nesting": len(PATHOLOGICAL_TEXT) + BIG_VERSION,
        "Records with schema and reference errors together": ALL_AT_ONCE,
    }


def test_the_docs_tally_matches_the_suite() -> None:
    page = (Path(__file__).parent.parent / "docs" / "hostile-input.md").read_text("utf-8")
    rows = dict(
        (cells[0], int(cells[1].replace(",", "")))
        for line in page.splitlines()
        if line.startswith("| ")
        and (cells := [c.strip() for c in line.strip("|").split("|")])
        and cells[1].replace(",", "").isdigit()
    )
    tally = hostile_tally()
    assert rows == tally
    total = sum(v for k, v in tally.items() if not k.startswith("Themes"))
    assert f"**{total:,} hostile cases**" in page


def test_a_version_with_thousands_of_records_gets_a_bounded_page(tmp_path: Path) -> None:
    """A 5,000-file commit made a page of megabytes; the page lists the newest 100."""
    records = _records_copy(tmp_path)
    source = records / "verifications" / "credit-scoring" / "1.10-data-validation.yaml"
    text = source.read_text(encoding="utf-8")
    bulk = records / "verifications" / "bulk"
    bulk.mkdir()
    for index in range(150):
        (bulk / f"{index:04d}.yaml").write_text(text, encoding="utf-8")
    built = _build(records.parent)
    assert built.returncode == 0, built.stderr
    page = records.parent / "out" / "governance" / "models" / "credit-scoring" / "1.10"
    html = (page / "index.html").read_text(encoding="utf-8")
    assert "52 older verification records of this version are not listed here" in html
    shown = set(re.findall(r"verifications/bulk/[0-9]+\.yaml", html))
    assert 98 <= len(shown) <= 100  # the newest 100 of the 152 (two are the originals)
    export = json.loads(
        (records.parent / "out" / "governance" / "governance.json").read_text("utf-8")
    )
    assert len(export["registry"]["verifications"]) == 152
