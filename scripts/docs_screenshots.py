"""Regenerate the wiki screenshots in docs/assets/ from a fresh build of the example.

    .venv/bin/python scripts/docs_screenshots.py

Builds the example records (``governance_records/``) with the same mkdocs.yml as the
test suite (tests/test_site_example.py), serves the result on 127.0.0.1, and takes
screenshots with headless Chromium (/usr/bin/chromium): the dashboard, a version page
with a warning, the same page on a 390 px phone, and the dashboard in the dark scheme.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_site_example import EXAMPLE_YML  # noqa: E402

SHOTS = (
    ("governance/", "wiki-dashboard.png", 1300, "light", 1100),
    ("governance/models/credit-default-pd/2.2/", "wiki-version.png", 1300, "light", 900),
    ("governance/models/credit-default-pd/2.2/", "wiki-version-phone.png", 390, "light", 1200),
    ("governance/", "wiki-dashboard-dark.png", 1300, "dark", 900),
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "docs").mkdir()
        (base / "docs" / "index.md").write_text("# Example\n")
        (base / "mkdocs.yml").write_text(EXAMPLE_YML)
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(base / "out")],
            cwd=base,
            check=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        handler = functools.partial(_Quiet, directory=str(base / "out"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
                )
                for path, name, width, scheme, height in SHOTS:
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    page = context.new_page()
                    page.goto(url + path)
                    page.wait_for_timeout(300)
                    target = ROOT / "docs" / "assets" / name
                    page.screenshot(path=str(target))
                    print(target.relative_to(ROOT))
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
