"""The example's governance wiki in a real browser (headless Debian Chromium).

The built example (``example_site``, built once per session) is served over HTTP
on 127.0.0.1; Playwright drives Chromium through the reader's path: dashboard ->
model -> production version -> the sign-off's commit in the audit trail, then the
search box, then a crawl of every page checking that every internal link resolves
and no page logs a console error.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from tests import test_site_example
from tests.test_site_example import ExampleSite

# The example site is built once per session and shared with tests/test_site_example.py.
example_site = test_site_example.example_site

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = (
    Path(os.environ.get("GOVERNANCE_SCREENSHOTS", ""))
    if os.environ.get("GOVERNANCE_SCREENSHOTS")
    else None
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def served(example_site: ExampleSite) -> Iterator[str]:
    """The built example on http://127.0.0.1:<free port>/."""
    handler = functools.partial(_QuietHandler, directory=str(example_site.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip(
            "BROWSER TESTS SKIPPED: no chromium at /usr/bin/chromium "
            "(run scripts/ensure_browser.sh to install Debian's chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


class _Console:
    """Console errors and failed requests of pages on our own origin."""

    def __init__(self, page: object, origin: str):
        self.origin = origin
        self.errors: list[str] = []
        page.on("console", self._console)  # type: ignore[attr-defined]
        page.on("pageerror", self._page_error)  # type: ignore[attr-defined]

    def _page_error(self, error: object) -> None:
        text = str(error)
        # Material loads Mermaid from a CDN, unreachable in the sandbox.
        if "Invalid script: https://" in text and self.origin not in text:
            return
        self.errors.append(f"page error: {text}")

    def _console(self, message: object) -> None:
        if message.type != "error":  # type: ignore[attr-defined]
            return
        url = (message.location or {}).get("url", "")  # type: ignore[attr-defined]
        text = message.text  # type: ignore[attr-defined]
        # Material fetches Mermaid from a CDN; the sandbox has no internet. Only
        # failures of our own origin count.
        if "net::ERR_" in text and not url.startswith(self.origin):
            return
        self.errors.append(f"{url}: {text}")


def _screenshot(page: object, name: str, tmp_path: Path) -> Path:
    folder = SCREENSHOTS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    page.screenshot(path=str(target), full_page=True)  # type: ignore[attr-defined]
    return target


def test_reader_goes_from_dashboard_to_the_signoff_commit(
    browser: object,
    served: str,
    example_site: ExampleSite,
    tmp_path: Path,
) -> None:
    registry = example_site.run.registry
    version = next(v for v in registry.versions() if v.stage == "production")
    model = registry.models[version.model_id]
    signoff = next(s for s in registry.signoffs_for(version.key) if s.decision == "approved")
    approver = registry.people[signoff.approver].name

    page = browser.new_page(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
    console = _Console(page, served)
    page.goto(served + "governance/")
    article = page.locator("article")
    assert "Governance dashboard" in article.locator("h1").inner_text()
    assert "Gate:" in article.inner_text()
    _screenshot(page, "dashboard.png", tmp_path)

    # Click 1: the model from the "In production" table.
    production = article.locator("table", has_text=approver).first
    production.get_by_role("link", name=model.name, exact=True).first.click()
    page.wait_for_url(f"**/governance/models/{model.id}/")
    assert page.locator("article h1").inner_text().startswith(model.name)

    # Click 2: the production version from the versions table.
    versions = page.locator("article table", has_text="Experiment").first
    versions.get_by_role("link", name=version.version, exact=True).click()
    page.wait_for_url(f"**/governance/models/{model.id}/{version.version}/")
    text = page.locator("article").inner_text()
    assert "Requirements checklist" in text
    assert approver in text
    assert example_site.run.report.versions[version.key].digest in text
    _screenshot(page, "version.png", tmp_path)

    # Click 3: the sign-off's commit, in the audit trail.
    signoffs = page.locator("article table", has_text="Signature").first
    row = signoffs.locator("tr", has_text=approver).filter(has_text=signoff.role).first
    row.locator('a[href*="audit/"][href*="#commit-"]').first.click()
    page.wait_for_url("**/governance/audit/**#commit-*")
    anchor = page.url.split("#", 1)[1]
    entry = page.locator(f"tr:has(#{anchor})")
    assert entry.is_visible()
    entry_text = entry.inner_text()
    history = example_site.run.history
    sha = next(s for s in history.order if s.startswith(anchor.removeprefix("commit-")))
    assert history.commits[sha].author_name in entry_text
    assert history.commits[sha].subject in " ".join(entry_text.split())
    assert console.errors == []


def test_search_box_finds_a_model_by_name(
    browser: object,
    served: str,
    example_site: ExampleSite,
) -> None:
    model = next(iter(example_site.run.registry.models.values()))
    page = browser.new_page()  # type: ignore[attr-defined]
    console = _Console(page, served)
    page.goto(served + "governance/")
    search = page.locator("input.md-search__input")
    search.click()
    # Typed key by key: Material's search listens to keyboard events.
    search.press_sequentially(model.name.split()[0], delay=20)
    result = page.locator(".md-search-result__item", has_text=model.name).first
    result.wait_for(timeout=15000)
    assert model.name in result.inner_text()
    assert console.errors == []


def test_every_page_loads_and_every_internal_link_resolves(
    browser: object,
    served: str,
    example_site: ExampleSite,
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    console = _Console(page, served)
    seen: set[str] = set()
    todo = [served + "governance/"]
    checked: dict[str, int] = {}
    broken: list[str] = []
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            target, _fragment = urldefrag(href)
            if not target.startswith(served):
                continue
            if target not in checked:
                try:
                    with urllib.request.urlopen(target) as reply:
                        checked[target] = reply.status
                except urllib.error.HTTPError as problem:
                    checked[target] = problem.code
            if checked[target] != 200:
                broken.append(f"{url} -> {href} ({checked[target]})")
            elif urlsplit(target).path.startswith("/governance/") and target.endswith("/"):
                todo.append(target)
    assert len(seen) > 10
    assert broken == []
    assert console.errors == []


def test_reader_sees_what_production_serves_and_its_traffic(
    browser: object,
    served: str,
    tmp_path: Path,
) -> None:
    """Dashboard's first line -> Production page: serving now, timeline, requests plot."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
    console = _Console(page, served)
    page.goto(served + "governance/")
    first = page.locator("article p").first
    assert first.inner_text().startswith("✅ Production serves only approved versions")
    first.get_by_role("link", name="Production").click()
    page.wait_for_url("**/governance/production/")
    article = page.locator("article")
    serving = article.locator("table", has_text="Deployed by").first
    assert "credit-default-pd@2.0" in serving.inner_text()
    assert serving.locator(".gov-badge", has_text="approved").count() >= 1
    timeline = article.locator("table", has_text="Approval at that moment").first
    assert "Approved by" in timeline.inner_text()
    plot = article.locator("img.governance-plot").first
    plot.scroll_into_view_if_needed()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", plot.element_handle())
    _screenshot(page, "production.png", tmp_path)
    assert console.errors == []
