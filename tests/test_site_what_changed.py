"""Real repositories: a stale sign-off says what changed since the review, and the
audit trail shows commits whose committer or commit date differs from the author."""

from __future__ import annotations

import re
from pathlib import Path

import markdown

from mkdocs_governance.site import SiteOptions, render_site
from tests.scenario import (
    DATASET_YAML,
    KEY,
    MODEL_FILE,
    RECORDS,
    Scenario,
    identity,
    model_yaml,
    passing_production,
)

VERSION_PAGE = "governance/models/credit-risk/2.1.md"


def _html(scenario: Scenario, path: str) -> str:
    pages = {page.path: page for page in render_site(scenario.run(), SiteOptions())}
    content = pages[path].content
    assert isinstance(content, str)
    return markdown.markdown(
        content, extensions=["tables", "admonition", "md_in_html", "attr_list"]
    )


def _warning(html: str, title: str) -> str:
    """The admonition whose title starts with ``title``."""
    start = html.index(f'<p class="admonition-title">{title}')
    return html[start : html.index("</div>", start)]


def test_metric_change_after_signoff_shows_old_and_new_value_and_the_commit(
    tmp_path: Path,
) -> None:
    scenario = passing_production(tmp_path / "repo")
    change = scenario.edit_model(
        author="bob", day="2026-01-25", stage="production", metrics={"auc": 0.83}
    )
    warning = _warning(_html(scenario, VERSION_PAGE), "Stale sign-off by mira")
    assert "What changed since the review" in warning
    assert "<code>metrics.auc</code>: 0.84 → 0.83" in warning
    assert f"#commit-{change[:10]}" in warning
    assert "2026-01-25" in warning and "Bob Builder: Edit credit-risk@2.1" in warning


def test_version_revisions_skip_promotions(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    revisions = scenario.run().version_revisions[KEY]
    assert len(revisions) == 1  # created in staging, promoted: one content
    scenario.edit_model(day="2026-01-25", metrics={"auc": 0.83})
    assert len(scenario.run().version_revisions[KEY]) == 2


def test_dataset_added_and_artifact_changed_are_listed_field_by_field(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    text = model_yaml("production").replace("ab" * 32, "cd" * 32)
    text = text.replace("    datasets: [loans]", "    datasets: [loans, uk-macro]")
    macro = DATASET_YAML.replace("id: loans", "id: uk-macro").replace("1" * 64, "2" * 64)
    scenario.commit_as(
        "bob",
        "Retrain on macro indicators",
        {MODEL_FILE: text, f"{RECORDS}/datasets/uk-macro.yaml": macro},
        "2026-01-25",
    )
    warning = _warning(_html(scenario, VERSION_PAGE), "Stale sign-off by pia")
    assert "<code>artifact.sha256</code>: abababab… → cdcdcdcd…" in warning
    assert "<code>datasets</code>: + uk-macro" in warning
    assert "Retrain on macro indicators" in warning


def test_dataset_change_alone_names_the_dataset_and_its_commit(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    sha = scenario.commit_as(
        "alice",
        "Refresh the loan book",
        {f"{RECORDS}/datasets/loans.yaml": DATASET_YAML.replace("1" * 64, "3" * 64)},
        "2026-01-25",
    )
    warning = _warning(_html(scenario, VERSION_PAGE), "Stale sign-off by mira")
    assert "version entry is as it was when this record was committed" in warning
    assert "digest differs from the reviewed one" in warning
    assert "dataset" in warning and ">loans</a> changed since" in warning
    assert f'<code class="gov-digest" title="{"3" * 64}">{"3" * 64}</code>' in warning
    assert f"#commit-{sha[:10]}" in warning and "Refresh the loan book" in warning


def test_hand_edited_subject_is_said_to_match_no_revision(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    scenario.signoff("rafa", "model-risk", subject="sha256:" + "0" * 64, day="2026-01-21")
    warning = _warning(_html(scenario, VERSION_PAGE), "Stale sign-off by rafa")
    assert "No revision of this version matches the reviewed digest" in warning


def test_stale_verification_says_what_changed_too(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    scenario.edit_model(day="2026-01-25", stage="production", metrics={"auc": 0.9})
    warning = _warning(_html(scenario, VERSION_PAGE), "Stale verification: fairness-audit")
    assert "<code>metrics.auc</code>: 0.84 → 0.9" in warning


def test_changed_values_and_commit_subjects_are_escaped(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    text = model_yaml("production").replace(
        "    datasets: [loans]",
        '    datasets: [loans]\n    description: "<img src=x onerror=alert(1)>"',
    )
    scenario.commit_as("bob", "<script>alert(1)</script>", {MODEL_FILE: text}, "2026-01-25")
    warning = _warning(_html(scenario, VERSION_PAGE), "Stale sign-off by mira")
    assert "<code>description</code>: added (&lt;img src=x onerror=alert(1)&gt;)" in warning
    assert "<script>" not in warning and "<img" not in warning
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in warning


def test_without_history_the_page_says_what_changed_cannot_be_shown(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    scenario.edit_model(day="2026-01-25", stage="production", metrics={"auc": 0.83})
    run = scenario.run()
    pages = render_site(type(run)(run.repo_root, run.registry, run.history, run.report))
    page = next(p for p in pages if p.path == VERSION_PAGE)
    assert isinstance(page.content, str)
    assert "What changed cannot be shown" in page.content


# -- tamper evidence in the audit trail -----------------------------------------------------


def _commit_with_dates(
    scenario: Scenario, path: str, content: str, *, authored: str, committed: str, committer: str
) -> str:
    scenario.repo.write(path, content)
    scenario.repo.git("add", "--", path)
    name, mail = identity("lena")
    committer_name, committer_mail = identity(committer)
    scenario.repo.git(
        "commit",
        "-q",
        "-m",
        "Backdated staging sign-off",
        env={
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": mail,
            "GIT_AUTHOR_DATE": authored,
            "GIT_COMMITTER_NAME": committer_name,
            "GIT_COMMITTER_EMAIL": committer_mail,
            "GIT_COMMITTER_DATE": committed,
        },
    )
    return scenario.repo.head()


def test_audit_trail_shows_a_commit_dated_long_after_its_author_date(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="staging")
    sha = _commit_with_dates(
        scenario,
        f"{RECORDS}/signoffs/credit-risk/2.1/staging.yaml",
        "model: credit-risk\nversion: '2.1'\nstage: staging\napprover: lena\n"
        "role: ml-lead\ndecision: approved\ndate: 2026-01-20\n",
        authored="2026-01-20T10:00:00+00:00",
        committed="2026-11-26T18:30:00+00:00",
        committer="lena",
    )
    html = _html(scenario, "governance/audit/2026-01.md")
    row = next(r for r in html.split("<tr>") if f"commit-{sha[:10]}" in r)
    # The cell opens with the row's filter marker (model, person, kind), then the date.
    date_cell = re.sub(r'^<span class="gov-audit-row [^"]*"></span>', "", row.split("<td>")[1])
    assert date_cell.startswith('<span class="gov-nowrap">2026-01-20</span>')  # authored
    assert "⚠ committed <span" in date_cell and "2026-11-26" in date_cell
    assert "committed by" not in row  # same person: only the dates are marked
    assert "rebases, cherry-picks" in html.lower()  # the legend
    others = [r for r in html.split("<tr>") if "commit-" in r and sha[:10] not in r]
    assert others and not any("gov-committed" in r for r in others)


def test_audit_trail_and_record_history_show_a_committer_other_than_the_author(
    tmp_path: Path,
) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="staging")
    sha = _commit_with_dates(
        scenario,
        MODEL_FILE,
        model_yaml("staging", metrics={"auc": 0.85}),
        authored="2026-01-20T10:00:00+00:00",
        committed="2026-01-20T11:00:00+00:00",
        committer="bob",
    )
    audit = _html(scenario, "governance/audit/2026-01.md")
    row = next(r for r in audit.split("<tr>") if f"commit-{sha[:10]}" in r)
    author_cell = row.split("<td>")[3]
    assert author_cell.startswith("Lena Lead")
    assert "⚠ committed by Bob Builder" in author_cell
    assert "⚠ committed <span" not in row  # same day: the date is not marked
    model_page = _html(scenario, "governance/models/credit-risk/index.md")
    row = next(r for r in model_page.split("<tr>") if f"commit-{sha[:10]}" in r)
    assert "⚠ committed by Bob Builder" in row
    assert "or by someone other than its author" in model_page  # the legend
