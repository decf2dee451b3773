"""Every generated page in headless Chromium: offline, accessible, readable on a phone.

The example's wiki (built once per session, served from 127.0.0.1) is loaded page
by page with every request outside the site blocked, as on an intranet without
internet: no page may even try one, no request may fail, and the lineage must be
drawn. axe-core (bundled by the ``axe-playwright-python`` test dependency, run
from its file, no network) checks one page of every kind in the light and the
dark scheme; violations from Material's own chrome (header search dialog, footer)
are listed as the theme's and do not count. At 1400 px and 390 px no table
scrolls sideways and no word breaks mid-word unless it cannot fit a line alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import test_browser
from tests.test_site_example import ExampleSite

example_site = test_browser.example_site
served = test_browser.served
browser = test_browser.browser

pytestmark = pytest.mark.browser


def _axe_script() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def _page_urls(site: ExampleSite) -> list[str]:
    """Every generated HTML page, as a URL path relative to the site root."""
    urls = []
    for index in sorted((site.out / "governance").rglob("index.html")):
        relative = index.parent.relative_to(site.out).as_posix()
        urls.append(relative + "/")
    return urls


# One page of every kind the wiki generates (first match of each pattern).
_KINDS = (
    ("dashboard", lambda u: u == "governance/"),
    ("inventory", lambda u: u == "governance/models/"),
    ("model card", lambda u: u.count("/") == 3 and u.startswith("governance/models/")),
    ("version", lambda u: u.count("/") == 4 and u.startswith("governance/models/")),
    ("experiments", lambda u: u == "governance/experiments/"),
    ("experiment", lambda u: u.count("/") == 3 and u.startswith("governance/experiments/")
     and "/compare/" not in u),
    ("comparison", lambda u: u.startswith("governance/experiments/compare/")),
    ("datasets", lambda u: u == "governance/datasets/"),
    ("dataset", lambda u: u.count("/") == 3 and u.startswith("governance/datasets/")),
    ("decisions", lambda u: u == "governance/decisions/"),
    ("decision", lambda u: u.count("/") == 3 and u.startswith("governance/decisions/")),
    ("people", lambda u: u == "governance/people/"),
    ("audit trail", lambda u: u.startswith("governance/audit/")),
    ("findings", lambda u: u == "governance/findings/"),
)  # fmt: skip


def _one_of_each_kind(urls: list[str]) -> dict[str, str]:
    chosen = {}
    for kind, matches in _KINDS:
        found = [u for u in urls if matches(u)]
        assert found, f"the example has no {kind} page"
        # The version page with the most to say: the one with findings, if any.
        chosen[kind] = found[-1] if kind == "version" else found[0]
    return chosen


@pytest.fixture
def offline_page(browser: object, served: str) -> Iterator[tuple[object, list[str], list[str]]]:
    """A page whose requests outside the served site are blocked (and recorded)."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
    outside: list[str] = []
    failed: list[str] = []

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(served) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    page = context.new_page()
    page.on("requestfailed", lambda request: failed.append(f"{request.url} ({request.failure})"))
    try:
        yield page, outside, failed
    finally:
        context.close()


def test_every_page_works_offline_and_draws_the_lineage(
    offline_page: tuple[object, list[str], list[str]],
    served: str,
    example_site: ExampleSite,
) -> None:
    page, outside, failed = offline_page
    urls = _page_urls(example_site)
    assert len(urls) > 20
    drawn = []
    for url in urls:
        # networkidle: the search worker has loaded before the next page is opened,
        # so no request is cut off by the navigation itself.
        response = page.goto(served + url, wait_until="networkidle")  # type: ignore[attr-defined]
        assert response is not None and response.status == 200, url
        broken = page.evaluate(  # type: ignore[attr-defined]
            "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.src)"
        )
        assert broken == [], url
        lineage = page.locator("img.governance-lineage")  # type: ignore[attr-defined]
        if lineage.count():
            width = lineage.first.evaluate("i => i.naturalWidth")
            assert width > 100, url
            drawn.append(url)
        assert "flowchart LR" not in page.locator("article").inner_text(), url  # type: ignore[attr-defined]
    models = example_site.run.registry.models
    assert sorted(drawn) == sorted(f"governance/models/{m}/" for m in models)
    assert outside == [], "requests outside the site (fonts, CDN, APIs)"
    assert failed == []


_THEME = (".md-search", ".md-copyright", ".md-header", ".md-footer", ".md-sidebar")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_in_the_wikis_own_markup(
    browser: object, served: str, example_site: ExampleSite, scheme: str
) -> None:
    script = _axe_script()
    assert script.is_file(), "axe-core ships with axe-playwright-python (the test extra)"
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1400, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    ours: list[str] = []
    theirs: set[str] = set()
    try:
        for kind, url in _one_of_each_kind(_page_urls(example_site)).items():
            page.goto(served + url)
            expected = "slate" if scheme == "dark" else "default"
            assert page.evaluate("document.body.dataset.mdColorScheme") == expected
            page.add_script_tag(path=str(script))
            result = page.evaluate("async () => await axe.run(document)")
            for violation in result["violations"]:
                for node in violation["nodes"]:
                    target = " ".join(str(t) for t in node["target"])
                    where = f"{kind} ({url}): {violation['id']}: {target}"
                    if any(theme in target for theme in _THEME):
                        theirs.add(f"{violation['id']} {target}")
                    else:
                        ours.append(f"{where}: {node.get('failureSummary', '')}")
    finally:
        context.close()
    assert ours == []
    # What remains is Material's own (named in docs/troubleshooting.md).
    assert theirs <= {"aria-dialog-name .md-search", "color-contrast .md-copyright"}


_MID_WORD = """
() => {
  const problems = [];
  const walker = document.createTreeWalker(
    document.querySelector("article"), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || parent.closest(".md-typeset__scrollwrap") === null &&
        parent.closest("p, li") === null) continue;
    // Digests are shown short; a file path wraps anywhere (it is not a word).
    if (parent.closest("code.gov-digest, .gov-path, .headerlink")) continue;
    const text = node.textContent;
    const re = /[^\\s\\-\\/_.@]+/g;  // a break after - / _ . @ is allowed
    let match;
    while ((match = re.exec(text))) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const tops = new Set(rects.map(r => Math.round(r.top)));
      if (tops.size < 2) continue;
      // A word wider than its line's box may break; any other break is mid-word.
      const block = parent.closest("td, th, p, li");
      const width = rects.reduce((sum, r) => sum + r.width, 0);
      if (block && width < block.clientWidth - 4) problems.push(match[0]);
    }
  }
  return problems;
}
"""

_SIDEWAYS = """
() => [...document.querySelectorAll("article .md-typeset__scrollwrap, article table")]
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => (e.querySelector("th") || e).textContent.trim().slice(0, 60))
"""


@pytest.mark.parametrize("width", [1400, 390])
def test_tables_fit_and_no_word_breaks_mid_word(
    browser: object, served: str, example_site: ExampleSite, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    problems = []
    try:
        for kind, url in _one_of_each_kind(_page_urls(example_site)).items():
            page.goto(served + url)
            page.wait_for_function("document.querySelector('table.gov-sort-ready') || true")
            for table in page.evaluate(_SIDEWAYS):
                problems.append(f"{kind} ({url}): table scrolls sideways: {table}")
            for word in page.evaluate(_MID_WORD):
                problems.append(f"{kind} ({url}): '{word}' breaks mid-word")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_digest_is_short_on_screen_and_whole_on_copy(
    browser: object, served: str, example_site: ExampleSite
) -> None:
    run = example_site.run
    version = next(v for v in run.registry.versions() if v.stage == "production")
    digest = run.report.versions[version.key].digest
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(served + f"governance/models/{version.model_id}/{version.version}/")
        code = page.locator("code.gov-digest", has_text=digest).first
        assert code.get_attribute("title") == digest
        assert code.text_content() == digest  # copying the text gives the whole digest
        box = code.bounding_box()
        assert box is not None and box["width"] < 250  # shown short (about 21 characters)
    finally:
        context.close()


def test_audit_page_filters_by_person_kind_and_date(
    browser: object, served: str, example_site: ExampleSite
) -> None:
    history = example_site.run.history
    registry = example_site.run.registry
    signoff = registry.signoffs[0]
    created = history.file(signoff.location.file)
    assert created is not None and created.created_by is not None
    commit = history.commits[created.created_by.sha]
    month = commit.author_date.strftime("%Y-%m")
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(served + f"governance/audit/{month}/")
        rows = page.locator("article tr:has(.gov-audit-row)")
        total = rows.count()
        page.get_by_label("Person").select_option(signoff.approver)
        visible = page.locator("article tr:has(.gov-audit-row):visible")
        assert 0 < visible.count() <= total
        for index in range(visible.count()):
            assert commit.author_name in visible.nth(index).inner_text()
        page.get_by_label("Kind of record").select_option("sign-off")
        assert page.locator(f"article tr:has(#commit-{commit.sha[:10]})").is_visible()
        kinds = page.get_by_label("Kind of record").locator("option").all_inner_texts()
        other = [k for k in kinds if k not in ("any", "sign-off")]
        if other:  # another kind of record hides the sign-off's commit
            page.get_by_label("Person").select_option("")
            page.get_by_label("Kind of record").select_option(other[0])
            assert not page.locator(f"article tr:has(#commit-{commit.sha[:10]})").is_visible()
        # A date range after the commit hides it.
        page.get_by_label("Person").select_option("")
        page.get_by_label("Kind of record").select_option("")
        page.get_by_label("From").fill("2999-01-01")
        assert page.locator("article tr:has(.gov-audit-row):visible").count() == 0
        page.get_by_label("From").fill("")
        assert page.locator("article tr:has(.gov-audit-row):visible").count() == total
    finally:
        page.close()
