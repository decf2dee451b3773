"""The model document (``mkdocs-governance document``): content, templates, completeness,
reproducibility and hostile text, on the project's own example and on real repositories."""

from __future__ import annotations

import html.parser
import io
import re
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mkdocs_governance.records import load_registry
from tests.conftest import ROOT
from tests.scenario import KEY, MODEL_FILE, RECORDS, passing_production, policy_yaml

docx = pytest.importorskip("docx", reason="python-docx comes with the test extra")

EXAMPLE_KEY = "credit-default-pd@2.0"  # high risk, in production
SECTION_HEADINGS = (
    "1. Identification",
    "2. Intended use and limits",
    "3. Data",
    "4. Development: experiments and decisions",
    "5. Performance",
    "6. Verification",
    "7. Human oversight: sign-offs",
    "8. Changes since the previous version, and open findings",
    "9. Deployments",
    "10. How this document was made",
)


def document(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a user runs it from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_governance", "document", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def docx_text(path: Path) -> tuple[list[str], str]:
    """The headings and the whole text (paragraphs and table cells) of a .docx."""
    word = docx.Document(str(path))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return headings, "\n".join(parts)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


# -- the example's production versions ------------------------------------------------------


@pytest.fixture(scope="module")
def example_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("doc") / "pd-2.0.docx"
    result = document(ROOT, EXAMPLE_KEY, "--format", "docx", "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_example_docx_has_every_section(example_docx: Path) -> None:
    headings, _ = docx_text(example_docx)
    for heading in SECTION_HEADINGS:
        assert heading in headings, f"missing section {heading!r} in {headings}"


def test_example_docx_numbers_match_the_records(example_docx: Path) -> None:
    registry = load_registry(ROOT / "governance_records", repo_root=ROOT).registry
    version = registry.version(EXAMPLE_KEY)
    assert version is not None and version.metrics and version.artifact
    _, text = docx_text(example_docx)
    for name, value in version.metrics.items():
        assert f"{value:.6g}" in text, f"metric {name}={value} is not in the document"
    assert version.artifact.sha256 in text
    model = registry.models[version.model_id]
    for dataset_id in (*version.datasets, *model.datasets):
        assert registry.datasets[dataset_id].sha256 in text
    experiments = [e for e in registry.experiments.values() if e.model == model.id]
    assert any(e.outcome == "rejected" for e in experiments), "the example needs one"
    for experiment in experiments:  # rejected and inconclusive ones too
        assert experiment.id in text


def test_example_docx_names_signoffs_with_their_provenance(example_docx: Path) -> None:
    registry = load_registry(ROOT / "governance_records", repo_root=ROOT).registry
    _, text = docx_text(example_docx)
    signoffs = registry.signoffs_for(EXAMPLE_KEY)
    assert len(signoffs) >= 3
    for signoff in signoffs:
        approver = registry.people[signoff.approver]
        assert approver.name in text
        first = git(ROOT, "log", "--diff-filter=A", "--format=%H", "--", signoff.location.file)
        sha = first.splitlines()[-1]
        author = git(ROOT, "log", "-1", "--format=%an <%ae>", sha)
        assert f"commit {sha[:12]} by {author}" in text, f"provenance of {signoff.location.file}"


def test_document_dates_come_from_the_commit(example_docx: Path) -> None:
    word = docx.Document(str(example_docx))
    committed = datetime.fromisoformat(git(ROOT, "log", "-1", "--format=%cI", "HEAD"))
    expected = committed.astimezone(UTC).replace(tzinfo=None)
    assert word.core_properties.created.replace(tzinfo=None) == expected
    assert word.core_properties.modified == word.core_properties.created
    with zipfile.ZipFile(example_docx) as archive:
        stamps = {info.date_time for info in archive.infolist()}
    # ZIP stores seconds in steps of two.
    zip_time = expected.replace(second=expected.second - expected.second % 2)
    assert stamps == {zip_time.timetuple()[:6]}, "every zip entry carries the commit's date"


def test_same_commit_gives_the_same_bytes(tmp_path: Path) -> None:
    for fmt in ("html", "docx"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert document(ROOT, EXAMPLE_KEY, "--format", fmt, "-o", str(first)).returncode == 0
        time.sleep(2.1)  # zip stores times in 2-second steps: a clock leak would show
        assert document(ROOT, EXAMPLE_KEY, "--format", fmt, "-o", str(second)).returncode == 0
        assert first.read_bytes() == second.read_bytes(), f"{fmt} differs between runs"


def test_the_document_says_how_to_make_it_again(tmp_path: Path) -> None:
    out = tmp_path / "d.html"
    assert document(ROOT, EXAMPLE_KEY, "--as-of", "2026-11-30", "-o", str(out)).returncode == 0
    page = out.read_text(encoding="utf-8")
    head = git(ROOT, "rev-parse", "HEAD")
    assert f"git checkout {head}" in page
    assert f"mkdocs-governance document {EXAMPLE_KEY} --format html --as-of 2026-11-30" in page


def test_html_needs_no_network_and_carries_print_styles(tmp_path: Path) -> None:
    out = tmp_path / "d.html"
    assert document(ROOT, EXAMPLE_KEY, "-o", str(out)).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)=["']https?:""", page.split("<body>")[0])
    assert "@media print" in page and "break-before: page" in page
    assert "<svg" in page, "the performance figure is inline"


def test_unknown_version_is_a_usage_error() -> None:
    result = document(ROOT, "credit-default-pd@9.9")
    assert result.returncode == 2
    assert "no model version `credit-default-pd@9.9`" in result.stderr
    assert "Traceback" not in result.stderr


def test_template_with_other_format_is_a_usage_error(tmp_path: Path) -> None:
    result = document(ROOT, EXAMPLE_KEY, "--format", "html", "--template", str(tmp_path / "t"))
    assert result.returncode == 2
    assert "--template is a Word template" in result.stderr


def test_pdf_is_rendered_or_refused_with_the_fix(tmp_path: Path) -> None:
    out = tmp_path / "d.pdf"
    result = document(ROOT, EXAMPLE_KEY, "--format", "pdf", "-o", str(out))
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        assert result.returncode == 2
        assert "WeasyPrint" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")


# -- a company template -----------------------------------------------------------------------


def _company_template(path: Path) -> Path:
    word = docx.Document()
    word.add_heading("ACME model validation file", level=0)
    word.add_paragraph("Model: {{ model_name }} version {{ version }} ({{ risk_tier }} risk)")
    word.add_paragraph("Digest: {{ digest }}")
    word.add_paragraph("Verdict: {{ verdict }}")
    word.add_paragraph(
        "Approvers: {% for s in signoffs %}{{ s.approver }} as {{ s.role }} "
        "(commit {{ s.commit[:12] }}); {% endfor %}"
    )
    table = word.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "{%tr for m in metrics %}"
    table.rows[1].cells[0].text = "{{ m.name }}"
    table.rows[1].cells[1].text = "{{ m.value_text }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    word.add_paragraph("Made from {{ made_from.commit }} as of {{ made_from.as_of }}")
    word.save(str(path))
    return path


def test_company_template_placeholders_are_filled(tmp_path: Path) -> None:
    pytest.importorskip("docxtpl")
    template = _company_template(tmp_path / "acme.docx")
    out = tmp_path / "filled.docx"
    result = document(
        ROOT, EXAMPLE_KEY, "--format", "docx", "--template", str(template), "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    _, text = docx_text(out)
    registry = load_registry(ROOT / "governance_records", repo_root=ROOT).registry
    version = registry.version(EXAMPLE_KEY)
    assert version is not None
    assert "ACME model validation file" in text
    assert "Retail credit default" in text and "version 2.0 (high risk)" in text
    assert "sha256:" in text
    for signoff in registry.signoffs_for(EXAMPLE_KEY):
        assert registry.people[signoff.approver].name in text
    for value in version.metrics.values():
        assert f"{value:.6g}" in text
    assert git(ROOT, "rev-parse", "HEAD") in text
    assert "{{" not in text and "{%" not in text


def test_broken_template_is_a_usage_error(tmp_path: Path) -> None:
    pytest.importorskip("docxtpl")
    word = docx.Document()
    word.add_paragraph("{{ model_name ")
    word.save(str(tmp_path / "broken.docx"))
    result = document(
        ROOT, EXAMPLE_KEY, "--format", "docx", "--template", str(tmp_path / "broken.docx")
    )
    assert result.returncode == 2
    assert "cannot be filled" in result.stderr
    assert "Traceback" not in result.stderr


# -- completeness: the policy's required document parts ---------------------------------------

SECTIONS_POLICY = policy_yaml().replace(
    "  model-card: {title: Model card complete, automatic: documentation}",
    "  model-card:\n"
    "    title: Model card complete\n"
    "    automatic: documentation\n"
    "    sections:\n"
    "      high: [description, intended_use, limitations, out_of_scope_use,\n"
    "             ethical_considerations, datasets, experiments,\n"
    "             'verification:validation-report']\n"
    "  validation-report: {title: Independent validation report}",
)


def test_high_risk_version_missing_a_required_part_gets_the_finding(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo", policy=SECTIONS_POLICY, risk_tier="high")
    findings = [f for f in scenario.run().report.findings if f.code == "failed-check"]
    messages = " ".join(f.message for f in findings)
    assert "Model card complete" in messages
    assert "experiments" in messages
    assert "a passed 'validation-report' verification with evidence of the current" in messages
    assert all(f.file == MODEL_FILE for f in findings if "Model card" in f.message)


def test_the_declared_parts_once_present_pass(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo", policy=SECTIONS_POLICY, risk_tier="high")
    scenario.commit_as(
        "bob",
        "Experiment",
        {
            f"{RECORDS}/experiments/exp-1.yaml": "id: exp-1\nmodel: credit-risk\ntitle: GBM\n"
            "author: bob\ndate: 2026-01-04\noutcome: adopted\n"
        },
        "2026-01-21",
    )
    report = (
        'model: credit-risk\nversion: "2.1"\ncheck: validation-report\nstatus: passed\n'
        "date: 2026-01-22\nperformed_by: mira\nevidence: reports/validation-2.1.pdf\n"
        f"subject: {scenario.digest()}\n"
    )
    scenario.commit_as(
        "mira", "Validation report", {f"{RECORDS}/verifications/validation.yaml": report},
        "2026-01-22",
    )  # fmt: skip
    messages = [f.message for f in scenario.run().report.findings if f.code == "failed-check"]
    assert not [m for m in messages if "Model card complete" in m], messages


def test_a_stale_validation_report_does_not_complete_the_document(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo", policy=SECTIONS_POLICY, risk_tier="high")
    report = (
        'model: credit-risk\nversion: "2.1"\ncheck: validation-report\nstatus: passed\n'
        "date: 2026-01-22\nperformed_by: mira\nevidence: reports/validation-2.1.pdf\n"
        "subject: sha256:" + "0" * 64 + "\n"
    )
    scenario.commit_as(
        "mira", "Old report", {f"{RECORDS}/verifications/validation.yaml": report}, "2026-01-22"
    )
    messages = " ".join(f.message for f in scenario.run().report.findings)
    assert "'validation-report' verification with evidence of the current version" in messages


def test_a_pull_request_cannot_drop_a_required_part_for_itself(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo", policy=SECTIONS_POLICY, risk_tier="high")
    scenario.repo.git("checkout", "-q", "-b", "relax")
    relaxed = SECTIONS_POLICY.replace(" experiments,", "").replace(
        ",\n             'verification:validation-report'", ""
    )
    assert "validation-report'" not in relaxed.split("sections:")[1].split("\n  validation")[0]
    scenario.commit_as(
        "bob", "Relax the document", {f"{RECORDS}/policy.yaml": relaxed}, "2026-01-28"
    )
    assert not [f for f in scenario.run().report.findings if "Model card complete" in f.message], (
        "on its own branch the relaxed policy passes"
    )
    judged = scenario.run(base_ref="main").report.findings
    assert any("Model card complete" in f.message and f.is_error for f in judged)
    assert any(f.code == "policy-changed" for f in judged)


def test_a_document_of_uncommitted_records_says_so(tmp_path: Path) -> None:
    scenario = passing_production(tmp_path / "repo")
    model = scenario.path / MODEL_FILE
    model.write_text(model.read_text().replace("Corporate lending.", "Corporate and SME lending."))
    out = tmp_path / "d.html"
    result = document(scenario.path, KEY, "-o", str(out), "--as-of", "2026-02-01")
    assert result.returncode == 0, result.stderr
    assert f"uncommitted changes to {MODEL_FILE}" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert "Not reproducible from a commit" in page and MODEL_FILE in page


def test_unknown_document_part_is_an_invalid_record(tmp_path: Path) -> None:
    bad = SECTIONS_POLICY.replace("experiments,", "experiemnts,")
    scenario = passing_production(tmp_path / "repo", policy=bad, risk_tier="high")
    findings = [f for f in scenario.run().report.findings if f.code == "invalid-record"]
    assert any(
        "experiemnts" in f.message
        and "did you mean `experiments`" in f.message
        and f.file == f"{RECORDS}/policy.yaml"
        and f.line
        for f in findings
    ), [f.message for f in findings]


# -- hostile record text stays text in every format -------------------------------------------

HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> '
    '<w:fldSimple w:instr="HYPERLINK http://evil.example"/> {{ 7*7 }} {% raw %} \x07bell'
)


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = passing_production(tmp_path_factory.mktemp("hostile") / "repo")
    model = (scenario.path / MODEL_FILE).read_text()
    quoted = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\x07", "\\a")
    model = model.replace(
        "limitations: Trained on 2020-2024 applications only.", f'limitations: "{quoted}"'
    )
    scenario.commit_as("bob", "Hostile text", {MODEL_FILE: model}, "2026-01-27")
    return scenario.path


def test_hostile_text_is_loaded_as_written(hostile_repo: Path) -> None:
    registry = load_registry(hostile_repo / RECORDS, repo_root=hostile_repo).registry
    assert registry.models["credit-risk"].limitations == HOSTILE


def test_hostile_text_is_inert_in_html(hostile_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.html"
    result = document(hostile_repo, KEY, "-o", str(out), "--as-of", "2026-02-01")
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    assert parser.scripts == 0 and parser.handlers == []
    # Record Markdown is sanitised: raw markup is dropped, never live.
    assert "<w:fldSimple" not in page and "onerror" not in page
    assert "{{ 7*7 }}" in page


def test_hostile_text_is_inert_in_docx(hostile_repo: Path, tmp_path: Path) -> None:
    outputs = [tmp_path / "default.docx"]
    runs = [document(hostile_repo, KEY, "--format", "docx", "-o", str(outputs[0]))]
    try:
        import docxtpl  # noqa: F401
    except ImportError:
        pass
    else:
        word = docx.Document()
        word.add_paragraph("Limitations: {{ card[2].text }}")
        word.save(str(tmp_path / "t.docx"))
        outputs.append(tmp_path / "templated.docx")
        runs.append(
            document(
                hostile_repo, KEY, "--format", "docx", "--template", str(tmp_path / "t.docx"),
                "-o", str(outputs[1]),
            )
        )  # fmt: skip
    for run, out in zip(runs, outputs, strict=True):
        assert run.returncode == 0, run.stderr
        with zipfile.ZipFile(out) as archive:
            xml = archive.read("word/document.xml").decode("utf-8")
        for code in ("fldSimple", "instrText", "fldChar", "<w:hyperlink"):
            assert code not in xml.replace("&lt;w:fldSimple", ""), f"{code} in {out.name}"
        _, text = docx_text(out)
        assert '<script>alert("x")</script>' in text, out.name
        assert "{{ 7*7 }}" in text and "bell" in text and "\x07" not in text


def test_normalised_zip_keeps_content_and_order() -> None:
    from mkdocs_governance.document.reproducible import normalise_zip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<a/>")
        archive.writestr("word/document.xml", b"<b/>")
    once = normalise_zip(buffer.getvalue(), None)
    with zipfile.ZipFile(io.BytesIO(once)) as archive:
        assert archive.namelist() == ["[Content_Types].xml", "word/document.xml"]
        assert archive.read("word/document.xml") == b"<b/>"
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert normalise_zip(once, None) == once


# -- the wiki's document page -----------------------------------------------------------------

from tests import test_browser, test_site_example  # noqa: E402
from tests.test_site_example import ExampleSite  # noqa: E402

example_site = test_site_example.example_site
served = test_browser.served
browser = test_browser.browser


def test_every_version_page_links_to_its_document(example_site: ExampleSite) -> None:
    registry = example_site.run.registry
    for version in registry.versions():
        url = f"governance/models/{version.model_id}/{version.version}"
        page = example_site.html(url)
        assert f'href="../{version.version}-document/"' in page, url
        document_page = example_site.html(f"{url}-document")
        text = test_site_example._article(document_page)
        for heading in SECTION_HEADINGS:
            assert heading in text, f"{heading!r} missing on {url}-document"
        for signoff in registry.signoffs_for(version.key):
            assert registry.people[signoff.approver].name in text


def test_document_page_prints_without_navigation(served: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(f"{served}governance/models/credit-default-pd/2.0-document/")
        page.emulate_media(media="print")
        hidden = page.evaluate(
            "() => [...document.querySelectorAll('.md-header, .md-sidebar, .md-footer')]"
            ".every(e => getComputedStyle(e).display === 'none')"
        )
        breaks = page.evaluate(
            "() => [...document.querySelectorAll('.gov-doc-section')]"
            ".map(e => getComputedStyle(e).breakBefore)"
        )
        assert hidden, "navigation, header and footer are not printed"
        assert breaks[0] != "page" and set(breaks[1:]) == {"page"}, breaks
        page.emulate_media(media="screen")
        assert (
            page.evaluate("() => getComputedStyle(document.querySelector('.md-sidebar')).display")
            != "none"
        )
    finally:
        page.close()


def test_figures_are_kept_in_the_plot_cache(tmp_path: Path) -> None:
    from mkdocs_governance.document.figures import metrics_figure
    from mkdocs_governance.document.model import MetricEntry

    metrics = [MetricEntry("auc", 0.84, "0.84", "≥ 0.8", "performance", "met", 0.8, None)]
    drawn = metrics_figure(metrics, "svg", tmp_path)
    assert drawn is not None and drawn.lstrip().startswith(b"<?xml")
    (cached,) = tmp_path.glob("document-metrics-*.svg")
    assert cached.read_bytes() == drawn
    cached.write_bytes(b"<svg>kept</svg>")
    assert metrics_figure(metrics, "svg", tmp_path) == b"<svg>kept</svg>", "read from the cache"
    other = [MetricEntry("auc", 0.79, "0.79", "≥ 0.8", "performance", "missed", 0.8, None)]
    assert metrics_figure(other, "svg", tmp_path) != b"<svg>kept</svg>", "a new value redraws"


def test_hostile_text_makes_no_active_pdf(hostile_repo: Path, tmp_path: Path) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("WeasyPrint or Pango is not installed: the pdf format is refused instead")
    out = tmp_path / "d.pdf"
    result = document(hostile_repo, KEY, "--format", "pdf", "-o", str(out), "--as-of", "2026-02-01")
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    for action in (b"/JavaScript", b"/JS ", b"/Launch", b"/SubmitForm", b"evil.example"):
        assert action not in data


def test_example_document_lists_the_versions_deployments(example_docx: Path) -> None:
    registry = load_registry(ROOT / "governance_records", repo_root=ROOT).registry
    deployments = [d for d in registry.deployments if d.key == EXAMPLE_KEY]
    assert deployments, "the example deploys credit-default-pd@2.0"
    _, text = docx_text(example_docx)
    for deployment in deployments:
        assert deployment.environment in text
        assert deployment.started.isoformat() in text
        assert deployment.artifact_sha256 in text
    assert "No deployment of this version is recorded." not in text
