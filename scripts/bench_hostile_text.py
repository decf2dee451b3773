"""Benchmark what hostile record text costs to render, against plain text of the same size.

    python scripts/bench_hostile_text.py

For each pathological text of ``tests/test_hostile_input.py`` (40,000 nested
``<div>``, unclosed tags and brackets, 70,000 links, ...) it times
``site.safety.render_markdown`` and prints the ratio to rendering plain prose of the
same length. Before issue 10 the worst cases took minutes (8,000 unclosed ``[``: over
60 s); the bound keeps every ratio small. Target: every ratio <= 20.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_hostile_input import PATHOLOGICAL_TEXT

from mkdocs_governance.site.safety import render_markdown


def _seconds(text: str) -> float:
    start = time.perf_counter()
    render_markdown(text)
    return time.perf_counter() - start


def main() -> int:
    """Print one line per case: seconds, plain-text seconds, ratio."""
    worst = 0.0
    for name, text in PATHOLOGICAL_TEXT.items():
        plain = ("word " * 20 + "\n\n") * (len(text) // 102 + 1)
        hostile, baseline = _seconds(text), _seconds(plain[: len(text)])
        ratio = hostile / max(baseline, 1e-6)
        worst = max(worst, ratio)
        print(f"{name:28} {len(text):>9,} chars  {hostile:7.3f} s  plain {baseline:7.3f} s  "
              f"ratio {ratio:6.1f}")  # fmt: skip
    print(f"worst ratio {worst:.1f} (target <= 20)")
    return 0 if worst <= 20 else 1


if __name__ == "__main__":
    raise SystemExit(main())
