"""The site layer on real governance repositories: what each generated page says.

These tests call [`render_site`][mkdocs_governance.site.render_site] directly (no
MkDocs) on repositories built by ``tests/scenario.py`` and read the Markdown a
reader would see.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import markdown

from mkdocs_governance.core import run_governance
from mkdocs_governance.site import (
    GeneratedPage,
    SiteOptions,
    navigation,
    plain_title,
    render_site,
)
from mkdocs_governance.site.render import _message_filter
from mkdocs_governance.site.safety import escape_text, render_markdown, repo_path, safe_url
from tests.scenario import MODEL_FILE, RECORDS, Scenario, passing_production

REPO_URL = "https://github.com/bank/models"


def _pages(scenario: Scenario, **options: object) -> dict[str, GeneratedPage]:
    run = scenario.run()
    pages = render_site(run, SiteOptions(**options))  # type: ignore[arg-type]
    return {page.path: page for page in pages}


def _text(pages: dict[str, GeneratedPage], path: str) -> str:
    content = pages[path].content
    assert isinstance(content, str)
    return content


def _html(pages: dict[str, GeneratedPage], path: str) -> str:
    """The page's Markdown rendered as MkDocs would (tables, admonitions, md_in_html)."""
    return markdown.markdown(
        _text(pages, path), extensions=["tables", "admonition", "md_in_html", "attr_list"]
    )


def test_every_wiki_page_is_generated_at_its_documented_path(tmp_path: Path) -> None:
    pages = _pages(passing_production(tmp_path / "repo"))
    for path in (
        "governance/index.md",
        "governance/models/index.md",
        "governance/models/credit-risk/index.md",
        "governance/models/credit-risk/2.1.md",
        "governance/experiments/index.md",
        "governance/datasets/index.md",
        "governance/datasets/loans.md",
        "governance/decisions/index.md",
        "governance/people.md",
        "governance/audit.md",
        "governance/findings.md",
        "governance/governance.json",
    ):
        assert path in pages, path
    assert pages["governance/models/credit-risk/2.1.md"].source == MODEL_FILE


def test_dashboard_answers_what_is_in_production_and_who_approved_it(tmp_path: Path) -> None:
    pages = _pages(passing_production(tmp_path / "repo"))
    html = _html(pages, "governance/index.md")
    assert "Gate: PASSED" in html
    production = html.split("In production")[1].split("Models × stages")[0]
    assert "Credit risk scorecard" in production
    assert 'href="models/credit-risk/2.1.md"' in production
    for approver in ("Mira Risk", "Pia Product", "Lena Lead"):
        assert approver in production
    assert "fairness-audit: passed" in production
    assert "meets production" in html


def test_blocked_version_is_red_on_the_dashboard_with_the_reason(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    pages = _pages(scenario)
    html = _html(pages, "governance/index.md")
    assert "Gate: FAILED" in html
    assert 'class="admonition danger"' in html
    assert "blocked" in html and "missing-signoff" in html
    version = _html(pages, "governance/models/credit-risk/2.1.md")
    assert 'class="admonition danger"' in version
    assert "Blocked in production" in version
    assert pages["governance/models/credit-risk/2.1.md"].affected


def test_banner_is_absent_from_pages_no_error_concerns(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    pages = _pages(scenario)
    assert "admonition danger" not in _html(pages, "governance/datasets/loans.md")
    assert not pages["governance/datasets/loans.md"].affected


def test_gate_off_shows_errors_as_a_warning_not_a_failure(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    html = _html(_pages(scenario, gate="off"), "governance/index.md")
    assert "gate switched off" in html
    assert "admonition danger" not in html


def test_pending_promotion_is_shown_as_pending_not_failed(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="staging")
    scenario.verification("data-validation", day="2026-01-10")
    scenario.signoff("lena", "ml-lead", "staging", day="2026-01-12")
    pages = _pages(scenario)
    html = _html(pages, "governance/index.md")
    assert "Gate: PASSED" in html
    assert "is in <strong>staging</strong>, pending <strong>production</strong>" in html
    version = _html(pages, "governance/models/credit-risk/2.1.md")
    assert "pending production" in version


def test_version_page_shows_checklist_signoffs_verifications_and_digest(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    digest = scenario.digest()
    pages = _pages(scenario)
    html = _html(pages, "governance/models/credit-risk/2.1.md")
    assert digest in html
    assert "Requirements checklist" in html
    assert "Training data validated" in html and "Fairness audit" in html
    assert html.count('gov-badge gov-met">met</span>') >= 4
    signoffs = html.split("<h2>Sign-offs</h2>")[1].split("<h2>Verifications</h2>")[0]
    assert "Mira Risk" in signoffs and "model-risk" in signoffs and "2026-01-18" in signoffs


def test_signoff_links_to_its_commit_in_the_audit_trail(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    sha = scenario.repo.git(
        "log",
        "--format=%H",
        "--",
        f"{RECORDS}/signoffs/credit-risk/2.1/production-model-risk-mira.yaml",
    ).split()[0]
    pages = _pages(scenario, repo_url=REPO_URL)
    version = _html(pages, "governance/models/credit-risk/2.1.md")
    month = scenario.repo.git("log", "-1", "--format=%ad", "--date=format:%Y-%m", sha).strip()
    assert f'href="../../audit/{month}.md#commit-{sha[:10]}"' in version
    audit = _html(pages, f"governance/audit/{month}.md")
    assert f'id="commit-{sha[:10]}"' in audit
    row = audit.split(f'id="commit-{sha[:10]}"')[1].split("</tr>")[0]
    assert "Mira Risk" in row
    assert "Sign off credit-risk@2.1 for production as model-risk" in row
    assert f'href="{REPO_URL}/commit/{sha}"' in row


def test_stale_signoff_says_which_commit_changed_the_version(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    change = scenario.edit_model(
        author="bob", day="2026-01-25", stage="production", metrics={"auc": 0.91}
    )
    html = _html(_pages(scenario), "governance/models/credit-risk/2.1.md")
    assert "Stale sign-off by mira" in html
    assert scenario.digest() in html
    assert f"#commit-{change[:10]}" in html
    assert 'gov-badge gov-stale">stale</span>' in html


def test_uncommitted_signoff_is_shown_as_not_committed(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="staging")
    scenario.signoff("lena", "ml-lead", "staging", commit=False)
    html = _html(_pages(scenario), "governance/models/credit-risk/2.1.md")
    signoffs = html.split("<h2>Sign-offs</h2>")[1].split("<h2>Verifications</h2>")[0]
    assert "not committed" in signoffs


def test_every_record_page_links_to_its_record_file_and_last_change(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    html = _html(_pages(scenario, repo_url=REPO_URL), "governance/models/credit-risk/index.md")
    assert f'href="{REPO_URL}/edit/main/{MODEL_FILE}"' in html
    assert "Last changed:" in html and "2026-01-20" in html and "Lena Lead" in html


def test_untracked_record_is_labelled_untracked(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    scenario.repo.write(
        f"{RECORDS}/datasets/bureau.yaml",
        "id: bureau\nname: Bureau data\ndescription: d\nowner: alice\nsource: s\n"
        "version: '1'\nsha256: " + "cd" * 32 + "\npersonal_data: true\nlicense: internal\n",
    )
    html = _html(_pages(scenario), "governance/datasets/bureau.md")
    assert "untracked: not committed yet" in html


def test_model_name_with_markup_is_shown_as_text(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    text = (scenario.path / MODEL_FILE).read_text(encoding="utf-8")
    text = text.replace(
        "name: Credit risk scorecard",
        'name: "<img src=x onerror=alert(1)> *Credit* | [x](javascript:alert(1))"',
    )
    scenario.repo.commit(
        "rename", files={MODEL_FILE: text}, author=("Lena Lead", "lena@bank.example")
    )
    pages = _pages(scenario)
    html = _html(pages, "governance/models/index.md")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; *Credit* | [x](javascript:alert(1))" in html
    assert 'href="javascript' not in html


def test_plots_are_svg_assets_drawn_once_and_reused_from_the_cache(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    cache = tmp_path / "cache"
    first = _pages(scenario, plot_cache_dir=cache)
    svgs = {p: page for p, page in first.items() if p.startswith("governance/assets/plots/")}
    assert svgs, "the model page should plot its metric across versions"
    assert all(p.startswith("governance/assets/plots/") for p in svgs)
    cached = sorted(cache.glob("*.svg"))
    assert len(cached) == len(svgs)
    stamps = {path: path.stat().st_mtime_ns for path in cached}
    second = _pages(scenario, plot_cache_dir=cache)
    assert {path: path.stat().st_mtime_ns for path in cached} == stamps
    assert {
        p: page.content for p, page in second.items() if p.startswith("governance/assets/plots/")
    } == {p: page.content for p, page in svgs.items()}
    svg = next(iter(svgs.values())).content
    assert isinstance(svg, bytes) and b"<svg" in svg and b"auc" in svg


def test_governance_json_exports_registry_findings_and_verdict(tmp_path: Path) -> None:
    scenario = Scenario.create(tmp_path / "repo", stage="production")
    pages = _pages(scenario, gate="warn")
    data = json.loads(_text(pages, "governance/governance.json"))
    assert data["gate_mode"] == "warn"
    assert data["passed"] is False
    text = json.dumps(data)
    assert "missing-signoff" in text and "credit-risk" in text


def test_navigation_lists_dashboard_first_and_groups_versions_under_their_model(
    tmp_path: Path,
) -> None:
    pages = render_site(passing_production(tmp_path / "repo").run())
    nav = navigation(pages)
    assert nav[0] == {"Governance dashboard": "governance/index.md"}
    models = next(item["Models"] for item in nav if "Models" in item)
    card = next(item for item in models if "Credit risk scorecard" in item)
    assert {"Version 2.1": "governance/models/credit-risk/2.1.md"} in card["Credit risk scorecard"]
    flat = json.dumps(nav)
    for page in ("people.md", "audit.md", "findings.md"):
        assert f"governance/{page}" in flat
    assert ".svg" not in flat and ".json" not in flat


def test_short_navigation_lists_only_the_sections_index_pages(tmp_path: Path) -> None:
    pages = render_site(passing_production(tmp_path / "repo").run())
    nav = navigation(pages, full=False)
    paths = [next(iter(entry.values())) for entry in nav]
    assert paths[0] == "governance/index.md"
    assert "governance/models/index.md" in paths and "governance/findings.md" in paths
    assert all(isinstance(path, str) for path in paths)  # no per-model groups
    assert not any("credit-risk" in path for path in paths)
    assert paths.index("governance/models/index.md") < paths.index("governance/people.md")


def test_custom_prefix_moves_every_page(tmp_path: Path) -> None:
    pages = render_site(passing_production(tmp_path / "repo").run(), SiteOptions(prefix="wiki/gov"))
    assert all(page.path.startswith("wiki/gov/") for page in pages)


def test_escape_text_neutralises_markdown_and_html() -> None:
    rendered = markdown.markdown(escape_text("<b>x</b> *y* [l](u) a|b #h"), extensions=["tables"])
    assert rendered == "<p>&lt;b&gt;x&lt;/b&gt; *y* [l](u) a|b #h</p>"


def test_record_markdown_keeps_formatting_but_loses_script_and_handlers() -> None:
    html = render_markdown(
        "**bold** <script>alert(1)</script><img src=x onerror=alert(2)> "
        "[bad](javascript:alert(3)) [good](https://example.com)"
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert 'href="https://example.com"' in html


def test_evidence_must_be_an_http_url_or_a_file_inside_the_repository(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "audit.pdf").write_text("x")
    (tmp_path / "outside-link").symlink_to("/etc")
    assert repo_path("reports/audit.pdf", tmp_path) == "reports/audit.pdf"
    assert repo_path("./reports/../reports/audit.pdf", tmp_path) == "reports/audit.pdf"
    for bad in (
        "../secrets.txt",
        "/etc/passwd",
        "reports/missing.pdf",
        "C:/x",
        "outside-link/passwd",
    ):
        assert repo_path(bad, tmp_path) is None, bad
    assert safe_url("https://ci.example/job/1") == "https://ci.example/job/1"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "//evil.example"):
        assert safe_url(bad) is None, bad


def test_evidence_link_on_the_version_page_points_into_the_repository(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    scenario.repo.write("reports/fairness.md", "# Fairness\n")
    path = f"{RECORDS}/verifications/credit-risk/2.1/fairness-audit.yaml"
    text = (scenario.path / path).read_text(encoding="utf-8")
    scenario.repo.commit(
        "evidence",
        files={
            "reports/fairness.md": "# Fairness\n",
            path: text + "evidence: reports/fairness.md\n",
        },
        author=("CI Pipeline", "ci@bank.example"),
    )
    html = _html(_pages(scenario, repo_url=REPO_URL), "governance/models/credit-risk/2.1.md")
    assert f'href="{REPO_URL}/blob/main/reports/fairness.md"' in html


def test_backticked_parts_of_messages_become_code_and_stay_escaped() -> None:
    shown = str(_message_filter("run `mkdocs-governance signoff <script>x</script>` then *save*"))
    assert "<code>mkdocs-governance signoff &lt;script&gt;x&lt;/script&gt;</code>" in shown
    assert "<script>" not in shown
    assert "\\*save\\*" in shown


def test_records_outside_a_git_repository_say_history_is_unavailable(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    plain = tmp_path / "plain"
    shutil.copytree(scenario.path / RECORDS, plain / RECORDS)
    run = run_governance(plain / RECORDS, repo_root=plain)
    pages = {page.path: page for page in render_site(run)}
    html = _html(pages, "governance/index.md")
    assert "Git history unavailable" in html
    audit = _html(pages, "governance/audit.md")
    assert "No governance commits" in audit


def test_page_titles_from_record_text_are_inert_raw_or_escaped() -> None:
    for title in (
        'Credit <script>alert("x")</script>',
        "Credit &lt;script&gt;alert(1)&lt;/script&gt;",
    ):
        plain = plain_title(title)
        assert "<" not in plain and ">" not in plain and "&lt;" not in plain
        assert "‹script›" in plain


def test_page_titles_stay_inert_after_a_themes_second_decoding() -> None:
    """`striptags` decodes entities once more: nothing may decode into markup."""
    import html as html_module

    for title in (
        "&amp;lt;/title&amp;gt;&amp;lt;img src=x onerror=alert(1)&amp;gt;",
        "&#60;/title&#62;",
        "&lt/title&gt",
        "&amp;amp;amp;amp;amp;amp;amp;amp;amp;amp;lt;b&amp;amp;amp;amp;amp;amp;amp;amp;amp;gt;",
        'x" onmouseover="alert(1)',
    ):
        plain = plain_title(title)
        decoded = html_module.unescape(plain)
        assert decoded == plain, title
        assert not set("<>\"'") & set(decoded), title
    assert plain_title("R&D models") == "R&D models"


def test_model_card_marks_fields_the_risk_tier_requires_as_missing(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    text = (scenario.path / MODEL_FILE).read_text(encoding="utf-8")
    text = "\n".join(
        line for line in text.splitlines() if not line.startswith(("limitations:", "ethical_"))
    )
    scenario.repo.commit("drop fields", files={MODEL_FILE: text + "\n"}, author=("B", "b@x"))
    html = _html(_pages(scenario), "governance/models/credit-risk/index.md")
    limitations = html.split("<h3>Limitations</h3>")[1].split("<h3>")[0]
    assert "missing</span>" in limitations and "medium-risk model needs it" in limitations
    ethics = html.split("<h3>Ethical considerations</h3>")[1].split("<h3>")[0]
    assert "optional for a medium-risk model" in ethics


def test_each_signoff_and_verification_links_to_its_record_file(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    html = _html(_pages(scenario, repo_url=REPO_URL), "governance/models/credit-risk/2.1.md")
    signoff = f"{RECORDS}/signoffs/credit-risk/2.1/production-model-risk-mira.yaml"
    verification = f"{RECORDS}/verifications/credit-risk/2.1/fairness-audit.yaml"
    assert f'href="{REPO_URL}/blob/main/{signoff}"' in html
    assert f'href="{REPO_URL}/blob/main/{verification}"' in html
