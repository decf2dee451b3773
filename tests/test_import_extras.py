"""The importers' libraries are optional: the test extra pulls them, the site never does,
and a missing library is a usage error with the install command, not a traceback."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_test_extra_pulls_every_importer_extra_and_the_runtime_none():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert {"mlflow", "hf", "gto"} <= set(extras)
    assert "mkdocs-governance[mlflow,hf,gto]" in extras["test"]
    runtime = " ".join(project["dependencies"]).lower()
    for library in ("mlflow", "huggingface", "gto", "sqlalchemy"):
        assert library not in runtime


def test_make_site_installs_the_runtime_only():
    makefile = (ROOT / "Makefile").read_text()
    site_rule = makefile.split("\nsite:", 1)[1].split("\n\n", 1)[0]
    prerequisite = site_rule.split()[0]
    recipe = makefile.split(f"\n{prerequisite}:", 1)[1].split("\n\n", 1)[0]
    assert "pip install --quiet -e ." in recipe
    assert "[" not in recipe  # no extra


@pytest.mark.parametrize(
    ("blocked", "args", "hint"),
    [
        ("mlflow", ["import", "mlflow", "."], 'pip install "mkdocs-governance[mlflow]"'),
        (
            "huggingface_hub",
            ["import", "hf-card", "README.md", "--owner", "a"],
            'pip install "mkdocs-governance[hf]"',
        ),
    ],
)
def test_a_missing_importer_library_is_a_usage_error_naming_the_extra(
    tmp_path, blocked, args, hint
):
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# m\n")
    # A real interpreter in which the library cannot be imported, as after
    # `pip install mkdocs-governance` without the extra.
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "from mkdocs_governance.cli import main\n"
        f"sys.exit(main({args!r} + ['--records-dir', 'records']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert hint in result.stderr
    assert "Traceback" not in result.stderr
