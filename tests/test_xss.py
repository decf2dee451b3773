"""Record text and Git text cannot inject live markup into the built site.

One repository carries a corpus of script-injection payloads in every kind of record
field, in file names, in commit subjects and author names. After a real
``mkdocs build``, every HTML file of the site is parsed (``html.parser``) and its
elements and attributes are checked: no script from a payload, no ``on*=`` event
handler, no ``javascript:`` URL, no embedding element.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import GitRepo
from tests.scenario import people_yaml, policy_yaml

# Each payload carries a number so a failure says which one got through.
PAYLOADS = [
    '<script>alert("xss1")</script>',
    '<img src=x onerror=alert("xss2")>',
    '[click](javascript:alert("xss3"))',
    '<a href="javascript:alert(4)">xss4</a>',
    "<svg onload=alert(5)>xss5</svg>",
    '<iframe src="javascript:alert(6)"></iframe>',
    '"><script>alert(7)</script>',
    "<div onclick=alert(8)>xss8</div>",
    "![xss9](javascript:alert(9))",
    '<a href="JaVaScRiPt:alert(10)">xss10</a>',
    '{: onclick="alert(11)" }',
    "<details open ontoggle=alert(12)>xss12</details>",
    "<body onload=alert(13)>",
    '<object data="javascript:alert(14)"></object>',
    '<style>@import "javascript:alert(15)";</style>',
    '<a href="&#106;avascript:alert(16)">xss16</a>',
    "`</code><script>alert(17)</script>`",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(18)>",
    "[xss19](<javascript:alert(19)>)",
    '<base href="javascript:alert(20)//">',
    "<embed src=javascript:alert(21)>",
    "<form action=javascript:alert(22)><button>xss22</button></form>",
    # Titles: themes print page.title raw, in attributes and through `striptags`
    # (which decodes entities once more), so entities must not decode into markup.
    "&lt;/title&gt;&lt;img src=x onerror=alert(23)&gt;",
    "&amp;lt;/title&amp;gt;&amp;lt;img src=x onerror=alert(24)&amp;gt;",
    'x" onmouseover="alert(25)" data-x="',
    "&#60;/title&#62;&#60;svg onload=alert(26)&#62;",
    "&lt/title&gt&lt;img src=x onerror=alert(27)&gt",
]
TITLE_PAYLOADS = PAYLOADS[22:]
THEMES = ["material", "mkdocs", "readthedocs"]
# Material prints page.title in tabs, breadcrumbs (path) and the prev/next footer
# only with these features on.
FEATURES = "[navigation.tabs, navigation.path, navigation.footer]"
RECORDS = "governance_records"
EMBEDDING = {"iframe", "object", "embed", "base", "form", "frame", "frameset", "applet"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "background",
}


def _q(text: str) -> str:
    """A YAML scalar that holds ``text`` exactly (JSON strings are YAML)."""
    return json.dumps(text)


def _p(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


def _records() -> dict[str, str]:
    model = f"""\
id: credit
name: {_q("Credit " + _p(0))}
owner: alice
description: {_q(_p(1))}
risk_tier: high
intended_use: {_q(_p(2))}
out_of_scope_use: {_q(_p(3))}
limitations: {_q(_p(4))}
ethical_considerations: {_q(_p(5))}
datasets: [loans]
tags: [{_q(_p(6))}]
versions:
  - version: "1.0"
    created: 2026-01-05
    stage: production
    author: bob
    experiment: exp-1
    datasets: [loans]
    artifact: {{uri: {_q("javascript:alert('artifact')")}, sha256: "{"ab" * 32}"}}
    metrics: {{auc: 0.85}}
    description: {_q(_p(7))}
"""
    dataset = f"""\
id: loans
name: {_q(TITLE_PAYLOADS[0])}
description: {_q(_p(9))}
owner: alice
source: {_q("javascript:alert('source')")}
version: "2025"
sha256: "{"cd" * 32}"
personal_data: true
license: {_q(_p(11))}
"""
    experiment = f"""\
id: exp-1
model: credit
title: {_q(TITLE_PAYLOADS[1])}
hypothesis: {_q(_p(13))}
author: bob
date: 2026-01-03
datasets: [loans]
code_commit: {_q(_p(14))}
params: {{{_q(_p(15))}: {_q(_p(16))}, depth: 6}}
metrics: {{auc: 0.85}}
metric_history: {{auc: [[1, 0.7], [2, 0.85]]}}
outcome: adopted
conclusion: {_q(_p(17))}
"""
    decision = f"""\
---
status: accepted
date: 2026-01-04
decision-makers: [alice]
models: [credit]
---
# Use GBM {TITLE_PAYLOADS[2]} {TITLE_PAYLOADS[4]}

{_p(19)}

{_p(20)} and {_p(21)} and {_p(0)}
"""
    signoff = f"""\
model: credit
version: "1.0"
stage: production
approver: mira
role: model-risk
decision: approved
date: 2026-01-10
comment: {_q(_p(1) + " | " + _p(2) + " " + _p(10))}
conditions: [{_q(_p(3))}, {_q(_p(9))}]
subject: sha256:{"0" * 64}
"""
    verification = f"""\
model: credit
version: "1.0"
check: fairness-audit
status: passed
date: 2026-01-09
performed_by: {_q(_p(4))}
evidence: {_q("javascript:alert('evidence')")}
summary: {_q(_p(5) + _p(13))}
subject: sha256:{"0" * 64}
"""
    bad_path = f"../../../etc/{_p(6)}"
    verification_2 = verification.replace(_q("javascript:alert('evidence')"), _q(bad_path)).replace(
        "fairness-audit", "data-validation"
    )
    return {
        f"{RECORDS}/policy.yaml": policy_yaml(),
        f"{RECORDS}/people.yaml": people_yaml().replace("Alice Owner", _p(7).replace('"', "'")),
        f"{RECORDS}/models/credit.yaml": model,
        f"{RECORDS}/datasets/loans.yaml": dataset,
        f"{RECORDS}/experiments/exp-1.yaml": experiment,
        f"{RECORDS}/decisions/0001-use-gbm.md": decision,
        f"{RECORDS}/signoffs/credit/{_p(1).replace('/', '_')}.yaml": signoff,
        f"{RECORDS}/verifications/credit/fairness.yaml": verification,
        f"{RECORDS}/verifications/credit/{_p(0).replace('/', '_')}.yaml": verification_2,
        f"{RECORDS}/models/titled.yaml": (
            f"id: titled\nname: {_q(TITLE_PAYLOADS[3])}\nowner: alice\nrisk_tier: low\n"
            f"description: {_q(_p(8) + _p(12) + _p(18))}\nversions: []\n"
        ),
        # A record that does not load: its id and file name reach the findings page.
        f"{RECORDS}/models/{_p(4).replace('/', '_')}.yaml": f"id: {_q(_p(0))}\nname: 1\n",
    }


class _Collector(HTMLParser):
    """Every element with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in_script: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        self.elements.append((tag.lower(), attributes))
        if tag.lower() == "script":
            self._in_script, self._text = attributes, []

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._text)))
            self._in_script = None


def _theme_search_form(tag: str, attributes: dict[str, str]) -> bool:
    """The themes' own search forms (Material's, readthedocs', mkdocs' bare one)."""
    if tag != "form":
        return False
    return (
        "md-search" in attributes.get("class", "")
        or attributes.get("id") in {"rtd-search-form", "content_search"}
        or not attributes
    )


def _only_json_assignments(script: str) -> bool:
    """True when every statement is ``var name = <JSON value>;`` (data, no code)."""
    statements = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.strip().startswith("//")
    ]
    for statement in statements:
        match = re.fullmatch(r"var [A-Za-z_]+ = (.*);", statement)
        if match is None:
            return False
        try:
            json.loads(match.group(1))
        except ValueError:
            return False
    return bool(statements)


def _is_javascript_url(value: str) -> bool:
    # Browsers ignore whitespace and control characters inside the scheme.
    squashed = re.sub(r"[\x00-\x20]", "", value).lower()
    return squashed.startswith(("javascript:", "vbscript:", "data:text/html"))


@pytest.fixture(scope="module")
def xss_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """The payload repository: records and Git text full of payloads."""
    repo = GitRepo(tmp_path_factory.mktemp("xss") / "repo")
    files = _records()
    repo.commit(
        f"Add records {_p(0)} {_p(2)}",
        files=files,
        author=(f"Mallory {_p(1)}", "mallory@bank.example"),
    )
    repo.commit(
        f"Tweak {_p(3)}",
        files={f"{RECORDS}/models/credit.yaml": files[f"{RECORDS}/models/credit.yaml"] + "# x\n"},
        author=("Mallory <script>alert('author')</script>", "m@bank.example"),
    )
    repo.write("docs/index.md", "# Home\n")
    return repo


@pytest.fixture(scope="module", params=THEMES)
def xss_site(request: pytest.FixtureRequest, xss_repo: GitRepo) -> Path:
    """The site built from the payload repository with each theme (gate warn)."""
    theme = request.param
    repo = xss_repo
    repo.write(
        "mkdocs.yml",
        f"site_name: XSS\ntheme: {{name: {theme}, features: {FEATURES}}}\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, tables]\n"
        "plugins:\n  - search\n  - governance:\n      gate: warn\n      as_of: 2026-02-01\n"
        "      repo_url: https://github.com/bank/models\n",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", f"out-{theme}"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return repo.path / f"out-{theme}"


def test_payload_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 15


def test_the_payloads_reached_the_generated_pages(xss_site: Path) -> None:
    """Guard against a vacuous pass: the payload text is shown (escaped) on the pages."""
    governance = "".join(p.read_text() for p in (xss_site / "governance").rglob("*.html"))
    assert "alert(&quot;xss1&quot;)" in governance or 'alert("xss1")' in governance
    assert "Credit &lt;script&gt;" in governance
    assert "xss12" in governance


def test_no_html_file_contains_live_script_handlers_or_javascript_urls(xss_site: Path) -> None:
    pages = sorted(xss_site.rglob("*.html"))
    assert len(pages) > 10
    problems: list[str] = []
    for page in pages:
        collector = _Collector()
        collector.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(xss_site).as_posix()
        for tag, attributes in collector.elements:
            for attribute, value in attributes.items():
                if attribute.startswith("on"):
                    problems.append(f"{name}: <{tag} {attribute}={value!r}>")
                if attribute in URL_ATTRIBUTES and _is_javascript_url(value):
                    problems.append(f"{name}: <{tag} {attribute}={value!r}>")
            if tag in EMBEDDING and not _theme_search_form(tag, attributes):
                problems.append(f"{name}: <{tag}> element")
            if tag == "style" and "alert" in str(attributes):
                problems.append(f"{name}: <style> from a record")
        for attributes, text in collector.scripts:
            if _only_json_assignments(text):
                continue  # readthedocs' page data: values through `tojson`, inert
            if "alert" in text or "alert" in attributes.get("src", ""):
                problems.append(f"{name}: <script> {text[:60]!r}")
    assert problems == []


def test_titles_are_inert_in_title_nav_tabs_breadcrumbs_footer_and_search(xss_site: Path) -> None:
    """Every place a theme prints a page title holds the title payloads as text.

    The browser reads ``<title>`` as text up to the first ``</title>`` and decodes
    entities in it; a raw ``<`` or an entity that decodes to one would end the
    title early or open an element. Attributes (readthedocs' prev/next
    ``title="..."``) must not be closed by a quote from a record.
    """
    titles: list[str] = []
    problems: list[str] = []
    for page in sorted(xss_site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(xss_site).as_posix()
        for raw in re.findall(r"<title>(.*?)</title>", text, flags=re.DOTALL):
            titles.append(raw)
            if "<" in html.unescape(raw) or ">" in html.unescape(raw):
                problems.append(f"{name}: <title>{raw}</title>")
        for tag, attributes in _elements(text):
            for attribute, value in attributes.items():
                if attribute in {"onmouseover", "data-x"}:
                    problems.append(f"{name}: <{tag} {attribute}={value!r}> from a title's quote")
    search = json.loads((xss_site / "search" / "search_index.json").read_text("utf-8"))
    for entry in search["docs"]:
        if "<" in entry["title"] and "alert" in entry["title"]:
            problems.append(f"search index title {entry['title']!r}")
    assert problems == []
    # Not vacuous: the title payloads did reach the titles (as inert text).
    joined = "\n".join(titles)
    for number in (23, 24, 25, 26, 27):
        assert f"alert({number})" in joined, number


def _elements(text: str) -> list[tuple[str, dict[str, str]]]:
    collector = _Collector()
    collector.feed(text)
    return collector.elements


def test_no_style_element_from_a_record_survives(xss_site: Path) -> None:
    for page in (xss_site / "governance").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<style>@import "javascript' not in text, page


def _search(page: Any, base: str, theme: str, term: str) -> None:
    """Type ``term`` into the theme's search box, so the results get rendered."""
    if theme == "readthedocs":
        page.goto(base + "search.html?q=" + term)
    else:
        page.goto(base + "governance/")
        if theme == "mkdocs":
            page.locator('a[data-bs-target="#mkdocs_search_modal"]').first.click()
            search = page.locator("#mkdocs-search-query")
        else:
            search = page.locator("input.md-search__input")
            search.click()
        search.press_sequentially(term, delay=10)
    page.wait_for_timeout(800)


@pytest.mark.browser
def test_no_payload_runs_in_a_real_browser(xss_site: Path) -> None:
    """Every page, and the search results for the payloads, open without a dialog."""
    import functools
    import http.server
    import shutil
    import threading

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("BROWSER TEST SKIPPED: no chromium (run scripts/ensure_browser.sh)")
    from playwright.sync_api import sync_playwright

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(xss_site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    dialogs: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                ],
            )
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for html in sorted((xss_site / "governance").rglob("index.html")):
                page.goto(base + html.relative_to(xss_site).parent.as_posix() + "/")
            for term in ("alert", "xss", "script", "Mallory", "title", "onerror"):
                _search(page, base, xss_site.name.removeprefix("out-"), term)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert dialogs == []
