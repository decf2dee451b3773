"""Heavy libraries are imported only where a page needs them: the gate (``check``)
imports neither pandas nor matplotlib (about 1 s and 70 MiB of import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import sys
from mkdocs_governance.cli import main
status = main(["check", "--config-file", sys.argv[1], "--as-of", "2026-11-26"])
print(status, "pandas" in sys.modules, "matplotlib" in sys.modules)
"""


def test_check_imports_neither_pandas_nor_matplotlib() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(ROOT / "mkdocs.yml")],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    status, pandas, matplotlib = result.stdout.split()[-3:]
    assert status == "0", result.stdout
    assert (pandas, matplotlib) == ("False", "False")
