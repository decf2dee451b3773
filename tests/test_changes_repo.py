"""Pull-request diffs on real repositories: a base on ``main``, a change on ``pr``.

Each test builds the base with tests/changes_scenario.py, commits the change as the
people who would make it, and asserts what `run_governance(..., base_ref=...)` and the
rendered summaries say.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mkdocs_governance.core import GovernanceRun, run_governance
from mkdocs_governance.policy.changes import Change, format_markdown
from tests.changes_scenario import (
    ADA,
    LEE,
    MIA,
    MODEL,
    PEOPLE,
    PRODUCTION_SIGNOFF,
    RECORDS,
    STAGING_SIGNOFF,
    build_base,
    commit_records_start,
    digest,
    model_yaml,
    signoff_yaml,
)
from tests.gitrepo import GitRepo

AS_OF = date(2026, 3, 1)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return build_base(tmp_path / "repo")


def diff(repo: GitRepo, base_ref: str = "main") -> GovernanceRun:
    return run_governance(repo.path / RECORDS, as_of=AS_OF, base_ref=base_ref)


def promote_with_signoff(repo: GitRepo) -> None:
    repo.commit(
        "Promote credit 1.0 to production",
        files={MODEL: model_yaml(stage="production")},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    repo.commit(
        "Sign off credit 1.0 for production",
        files={PRODUCTION_SIGNOFF: signoff_yaml("production", "mia", "model-risk", digest(repo))},
        author=MIA,
        date="2026-02-11T09:00:00+00:00",
    )


def test_base_is_clean_so_every_later_finding_is_the_change_s_doing(repo: GitRepo) -> None:
    run = diff(repo)
    assert run.report.findings == ()
    assert run.changes is not None and run.changes.is_empty
    assert run.changes.gate_before and run.changes.gate_after


def test_promotion_with_complete_signoffs_passes_and_lists_the_new_signoff(repo: GitRepo) -> None:
    promote_with_signoff(repo)
    run = diff(repo)
    changes = run.changes
    assert changes is not None
    assert run.report.passed, [f.format_line() for f in run.report.findings]
    (stage,) = changes.stage_changes
    assert (stage.key, stage.before, stage.after, stage.direction, stage.blocked) == (
        "credit@1.0",
        "staging",
        "production",
        "promotion",
        False,
    )
    (signoff,) = changes.signoffs
    assert (signoff.change, signoff.file, signoff.approver_name, signoff.role) == (
        Change.ADDED,
        PRODUCTION_SIGNOFF,
        "Mia Risk",
        "model-risk",
    )
    assert changes.findings_introduced == () and changes.stale == ()
    assert changes.base_commit == repo.git("rev-parse", "main").strip()
    assert changes.head_commit == repo.head()


def test_promotion_missing_a_signoff_shows_the_error_it_introduces(repo: GitRepo) -> None:
    repo.commit(
        "Promote credit 1.0 to production",
        files={MODEL: model_yaml(stage="production")},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    changes = diff(repo).changes
    assert changes is not None
    assert changes.gate_before is True and changes.gate_after is False
    (stage,) = changes.stage_changes
    assert stage.blocked and {f.code for f in stage.errors} == {"missing-signoff"}
    assert [(f.code, f.subject, f.file) for f in changes.errors_introduced] == [
        ("missing-signoff", "credit@1.0", MODEL)
    ]
    assert "model-risk" in changes.errors_introduced[0].message


def test_metric_change_makes_the_staging_approval_stale(repo: GitRepo) -> None:
    before = digest(repo)
    repo.commit(
        "Retrain credit 1.0 on fresh data",
        files={MODEL: model_yaml(auc=0.83)},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    changes = diff(repo).changes
    assert changes is not None
    (stale,) = changes.stale
    assert (stale.kind, stale.file, stale.key, stale.what, stale.person, stale.role) == (
        "signoff",
        STAGING_SIGNOFF,
        "credit@1.0",
        "staging",
        "lee",
        "ml-lead",
    )
    assert stale.base_digest == before != stale.head_digest == digest(repo)
    (metric,) = changes.metric_changes
    assert (metric.subject, metric.metric, metric.before, metric.after) == (
        "credit@1.0",
        "auc",
        0.85,
        0.83,
    )
    assert metric.delta == pytest.approx(-0.02)
    assert "stale-signoff" in {f.code for f in changes.errors_introduced}
    assert changes.gate_after is False


def test_deleted_signoff_is_removed_and_the_version_loses_its_approval(repo: GitRepo) -> None:
    repo.remove(STAGING_SIGNOFF)
    # Lee withdraws their own approval (only an approver may withdraw a sign-off).
    repo.commit("Drop the staging sign-off", author=LEE, date="2026-02-10T09:00:00+00:00")
    changes = diff(repo).changes
    assert changes is not None
    assert [(s.change, s.old_file, s.file, s.approver) for s in changes.signoffs] == [
        (Change.REMOVED, STAGING_SIGNOFF, None, "lee")
    ]
    assert [f.code for f in changes.errors_introduced] == ["missing-signoff"]


def test_renamed_files_are_renames_not_removals(repo: GitRepo) -> None:
    moved_model = f"{RECORDS}/models/credit-scoring.yaml"
    moved_signoff = f"{RECORDS}/signoffs/credit/1.0/staging-lee.yaml"
    repo.move(MODEL, moved_model)
    repo.commit("Rename the credit model file", author=ADA, date="2026-02-10T09:00:00+00:00")
    repo.move(STAGING_SIGNOFF, moved_signoff)
    repo.commit("Rename my sign-off", author=LEE, date="2026-02-11T09:00:00+00:00")
    changes = diff(repo).changes
    assert changes is not None
    assert [(r.kind, r.id, r.change, r.old_file, r.file) for r in changes.records] == [
        ("model", "credit", Change.RENAMED, MODEL, moved_model)
    ]
    assert [(s.change, s.old_file, s.file) for s in changes.signoffs] == [
        (Change.RENAMED, STAGING_SIGNOFF, moved_signoff)
    ]
    assert all(r.change != Change.REMOVED for r in changes.records)
    assert changes.stage_changes == () and changes.metric_changes == ()


def test_diff_starts_at_the_merge_base_not_at_the_moved_target(repo: GitRepo) -> None:
    # main moves on after the branch forked: its new experiment is not this PR's removal.
    repo.git("checkout", "-q", "main")
    repo.commit(
        "Experiment on main",
        files={
            f"{RECORDS}/experiments/exp-main.yaml": (
                "id: exp-main\nmodel: credit\ntitle: On main\nauthor: ada\ndate: 2026-02-05\n"
                "metrics: {auc: 0.9}\noutcome: running\n"
            )
        },
        author=ADA,
        date="2026-02-05T09:00:00+00:00",
    )
    fork_point = repo.git("merge-base", "main", "pr").strip()
    repo.git("checkout", "-q", "pr")
    promote_with_signoff(repo)
    changes = diff(repo).changes
    assert changes is not None
    assert changes.base_commit == fork_point != repo.git("rev-parse", "main").strip()
    assert all(r.kind != "experiment" for r in changes.records)


def test_granting_oneself_a_role_is_a_policy_change_judged_with_the_base(repo: GitRepo) -> None:
    # Ada promotes her own model and makes herself model-risk to approve it.
    repo.commit(
        "Ada joins model risk",
        files={
            f"{RECORDS}/people.yaml": PEOPLE.replace(
                "roles: [data-scientist]", "roles: [data-scientist, model-risk]"
            )
        },
        author=ADA,
        date="2026-02-09T09:00:00+00:00",
    )
    run = diff(repo)
    changes = run.changes
    assert changes is not None
    assert changes.policy_changes == (f"{RECORDS}/people.yaml",)
    assert "policy-changed" in {f.code for f in changes.errors_introduced}
    assert not run.report.passed


def test_unknown_base_ref_is_a_finding_with_the_fetch_fix_not_a_traceback(repo: GitRepo) -> None:
    run = diff(repo, base_ref="origin/nope")
    assert run.changes is None
    (problem,) = [f for f in run.report.findings if f.code == "history-unavailable"]
    assert problem.is_error and problem.subject == "origin/nope"
    assert "git fetch" in problem.message and "origin/nope" in problem.message


def test_option_like_base_ref_is_refused(repo: GitRepo) -> None:
    run = diff(repo, base_ref="--output=/tmp/x")
    assert run.changes is None
    assert any("not a ref" in f.message for f in run.report.findings)


def test_records_outside_git_cannot_be_compared(tmp_path: Path) -> None:
    plain = tmp_path / "plain" / RECORDS
    plain.mkdir(parents=True)
    (plain / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    run = run_governance(plain, as_of=AS_OF, base_ref="main")
    assert run.changes is None
    assert any(f.code == "history-unavailable" and f.subject == "main" for f in run.report.findings)


def _sections(markdown: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = "head"
    for line in markdown.splitlines():
        if line.startswith("### "):
            current = re.sub(r" \(\d+\)$", "", line[4:])
        elif line.strip():
            sections.setdefault(current, []).append(line)
    return sections


def test_markdown_summary_of_a_blocked_promotion(repo: GitRepo) -> None:
    repo.commit(
        "Promote and retrain",
        files={MODEL: model_yaml(stage="production", auc=0.83)},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    changes = diff(repo).changes
    assert changes is not None
    sections = _sections(format_markdown(changes))
    assert sections["head"][1] == "**Gate: ❌ fail** (was ✅ pass)"
    table = sections["Stage changes"][2:]
    assert len(table) == 1 and table[0].startswith("| `credit@1.0` | staging → production | ❌")
    assert "missing-signoff" in table[0] and "stale-signoff" in table[0]
    errors = sections["Errors introduced"]
    assert any(f"`{MODEL}:" in line and "**missing-signoff**" in line for line in errors)
    # The stale approval is told once, under "Made stale by this change".
    assert not any("**stale-signoff**" in line for line in errors)
    assert "- 1 stale: see *Made stale by this change*." in errors
    assert format_markdown(changes).count("Lee Lead") == 1
    assert sections["Made stale by this change"][-1].startswith(
        "- ⚠️ sign-off `credit@1.0` staging by Lee Lead (ml-lead)"
    )
    assert sections["Metric changes"][-1] == "| `credit@1.0` | auc | 0.85 | 0.83 | -0.02 |"


def test_changes_page_links_the_promoted_version_and_the_new_approver(repo: GitRepo) -> None:
    from mkdocs_governance.site.render import render_site

    promote_with_signoff(repo)
    run = diff(repo)
    pages = {p.path: p for p in render_site(run, changes=run.changes)}
    source = pages["governance/changes.md"].content
    assert isinstance(source, str)
    # Plain text is Markdown-escaped in the page source (model\\-risk): read it unescaped.
    page = re.sub(r"\\(.)", r"\1", source)
    passed = '<span class="gov-badge gov-met">pass</span>'
    assert f"**Gate: {passed}** (was {passed} at the base)" in page
    assert '<div class="gov-gate gov-gate-passed" markdown>' in page
    row = next(line for line in page.splitlines() if "| staging | production |" in line)
    assert "(models/credit/1.0.md)" in row and "requirements met" in row
    signoff_row = next(line for line in page.splitlines() if 'gov-met">added<' in line)
    assert "Mia Risk" in signoff_row and "model-risk" in signoff_row
    assert "people.md#person-mia" in signoff_row


PREVIEW_MKDOCS_YML = """\
site_name: Preview
theme: mkdocs
plugins:
  - governance:
      records_dir: governance_records
      gate: !ENV [GOVERNANCE_GATE, fail]
      base_ref: !ENV [GOVERNANCE_BASE_REF, null]
      as_of: 2026-03-01
"""


def _site_on_main(repo: GitRepo) -> None:
    """Commit the site configuration on main and merge it into ``pr``: in a preview,
    main's mkdocs.yml decides the verdict-shaping options (a pull request that edits
    them is a policy change)."""
    repo.git("checkout", "-q", "main")
    repo.commit(
        "Site", files={"mkdocs.yml": PREVIEW_MKDOCS_YML, "docs/index.md": "# Home\n"}, author=ADA
    )
    repo.git("checkout", "-q", "pr")
    repo.git("merge", "-q", "--no-edit", "main")


def _mkdocs_build(repo: GitRepo, site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-d", str(site)],
        cwd=repo.path,
        env={**repo.env, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_preview_build_with_base_ref_from_the_environment_has_a_changes_page(
    repo: GitRepo, tmp_path: Path
) -> None:
    _site_on_main(repo)
    repo.commit(
        "Promote credit 1.0 to production",
        files={MODEL: model_yaml(stage="production")},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )

    preview = _mkdocs_build(
        repo, tmp_path / "preview", GOVERNANCE_BASE_REF="main", GOVERNANCE_GATE="warn"
    )
    assert preview.returncode == 0, preview.stderr
    html = (tmp_path / "preview" / "governance" / "changes" / "index.html").read_text("utf-8")
    assert "Changes against the base" in html
    assert "gov-gate-failed" in html and "missing-signoff" in html
    assert 'href="../models/credit/1.0/"' in html
    dashboard = (tmp_path / "preview" / "governance" / "index.html").read_text("utf-8")
    assert "Preview of main: 1 change, gate: fail" in dashboard
    assert '<a href="changes/"' in dashboard

    # The published site (no base ref) has no changes page, and the gate fails the build.
    published = _mkdocs_build(repo, tmp_path / "published")
    assert published.returncode == 1
    assert "missing-signoff" in published.stderr
    assert not (tmp_path / "published" / "governance" / "changes").exists()
    published_dashboard = tmp_path / "published" / "governance" / "index.html"
    assert "Preview of" not in published_dashboard.read_text("utf-8")


def test_change_introducing_the_records_compares_with_an_empty_base(tmp_path: Path) -> None:

    fresh = GitRepo(tmp_path / "fresh")
    fresh.commit("Readme", files={"README.md": "Credit models\n"})
    fresh.git("checkout", "-q", "-b", "pr")
    commit_records_start(fresh)
    changes = diff(fresh).changes
    assert changes is not None
    # No governance at the base is not a failing gate, and nothing was "resolved".
    assert changes.gate_before is True and changes.findings_resolved == ()
    assert {(r.kind, r.id, r.change) for r in changes.records} == {
        ("model", "credit", Change.ADDED),
        ("version", "credit@1.0", Change.ADDED),
    }
    assert changes.base_has_policy is False
    assert changes.policy_changes == (f"{RECORDS}/policy.yaml", f"{RECORDS}/people.yaml")
    assert "the base has no policy" in format_markdown(changes)


class _LiveMarkup(HTMLParser):
    """Collects what would run in a browser: script elements, on* handlers, js: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append("<script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def test_record_text_on_the_changes_page_and_comment_stays_inert(
    repo: GitRepo, tmp_path: Path
) -> None:
    payload = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    people = PEOPLE.replace("name: Mia Risk", f"name: '{payload}'")
    repo.commit(
        "Hostile names",
        files={
            f"{RECORDS}/people.yaml": people,
            MODEL: model_yaml(stage="production", name=f"'{payload}'"),
        },
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    repo.commit(
        "Sign off",
        files={PRODUCTION_SIGNOFF: signoff_yaml("production", "mia", "model-risk", digest(repo))},
        author=MIA,
        date="2026-02-11T09:00:00+00:00",
    )
    _site_on_main(repo)
    built = _mkdocs_build(
        repo, tmp_path / "site", GOVERNANCE_BASE_REF="main", GOVERNANCE_GATE="warn"
    )
    assert built.returncode == 0, built.stderr
    # Scripts from the theme itself are fine; none may come from the page body.
    html = (tmp_path / "site" / "governance" / "changes" / "index.html").read_text("utf-8")
    body = html[html.index('role="main"') :]
    body = body[: body.index("<footer")] if "<footer" in body else body
    parser = _LiveMarkup()
    parser.feed(body)
    assert parser.found == []
    assert "alert(1)" in body  # shown as text, not dropped

    changes = diff(repo).changes
    assert changes is not None
    comment = format_markdown(changes)
    assert "<img" not in comment and "<script" not in comment


def test_switching_signatures_off_in_the_change_still_checks_them(tmp_path: Path) -> None:
    from tests.changes_scenario import POLICY

    signed_policy = POLICY.replace(
        "  signoff_author_must_match: true\n",
        "  signoff_author_must_match: true\n  require_signed_commits: true\n",
    )
    repo = GitRepo(tmp_path / "signed")
    repo.commit(
        "Policy requiring signed sign-offs",
        files={f"{RECORDS}/policy.yaml": signed_policy, f"{RECORDS}/people.yaml": PEOPLE},
        author=MIA,
        date="2026-01-05T09:00:00+00:00",
    )
    repo.commit(
        "Add credit 1.0",
        files={MODEL: model_yaml(stage="development")},
        author=ADA,
        date="2026-01-10T09:00:00+00:00",
    )
    repo.git("checkout", "-q", "-b", "pr")
    repo.commit(
        "Relax the policy and promote with an unsigned sign-off",
        files={f"{RECORDS}/policy.yaml": POLICY, MODEL: model_yaml(stage="staging")},
        author=ADA,
        date="2026-01-20T09:00:00+00:00",
    )
    repo.commit(
        "Sign off credit 1.0 for staging",
        files={STAGING_SIGNOFF: signoff_yaml("staging", "lee", "ml-lead", digest(repo))},
        author=LEE,
        date="2026-02-01T09:00:00+00:00",
    )
    run = diff(repo)
    assert run.history.signatures_checked
    codes = {f.code for f in run.report.findings if f.is_error}
    assert "policy-changed" in codes
    # Judged with the base's rules: the unsigned sign-off does not count.
    assert {"unverified-signoff", "missing-signoff"} <= codes


def test_changes_page_shows_commands_as_code_not_backticks(repo: GitRepo) -> None:
    import markdown

    from mkdocs_governance.site.render import render_site

    repo.commit(
        "Promote and retrain",
        files={MODEL: model_yaml(stage="production", auc=0.83)},
        author=ADA,
        date="2026-02-10T09:00:00+00:00",
    )
    run = diff(repo)
    pages = {p.path: p for p in render_site(run, changes=run.changes)}
    source = pages["governance/changes.md"].content
    assert isinstance(source, str)
    html = markdown.markdown(source, extensions=["tables", "md_in_html", "admonition"])
    assert "<code>mkdocs-governance signoff credit@1.0" in html
    assert "`" not in html
