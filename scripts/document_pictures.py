"""Regenerate the pictures of a model document shown in docs/documents.md.

Makes the example's production version's document as PDF with the current build
(`mkdocs-governance document ... --format pdf`) and turns chosen pages into PNG with
Poppler's pdftoppm (Debian: apt-get install poppler-utils). Run from the repository root:

    .venv/bin/python scripts/document_pictures.py

The pages shown are found by their section titles, so the pictures follow the document.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "credit-default-pd@2.0"
# Picture name -> a section title whose first page it shows.
PAGES = {
    "document-identification.png": "1. Identification",
    "document-performance.png": "5. Performance",
    "document-oversight.png": "7. Human oversight",
}


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        pdf = Path(work) / "document.pdf"
        subprocess.run(
            [sys.executable, "-m", "mkdocs_governance", "document", KEY, "--format", "pdf",
             "--output", str(pdf)],
            cwd=ROOT, check=True,
        )  # fmt: skip
        texts = _page_texts(pdf)
        for name, title in PAGES.items():
            number = next(i for i, text in enumerate(texts, 1) if title in text)
            stem = Path(work) / name.removesuffix(".png")
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", "-f", str(number),
                 "-l", str(number), str(pdf), str(stem)],
                check=True,
            )  # fmt: skip
            target = ROOT / "docs" / "assets" / name
            target.write_bytes(stem.with_suffix(".png").read_bytes())
            print(f"{target.relative_to(ROOT)}: page {number} ({title})")
    return 0


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


if __name__ == "__main__":
    sys.exit(main())
