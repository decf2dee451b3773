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
    assert {"mlflow", "hf", "gto"} <= _self_extras(extras["test"])
    runtime = " ".join(project["dependencies"]).lower()
    for library in IMPORTER_LIBRARIES:
        assert library not in runtime


IMPORTER_LIBRARIES = ("mlflow", "huggingface", "gto", "sqlalchemy")


def _self_extras(requirements: list[str]) -> set[str]:
    """The extras of this package that ``requirements`` pull (``mkdocs-governance[a,b]``)."""
    pulled: set[str] = set()
    for requirement in requirements:
        if requirement.startswith("mkdocs-governance["):
            pulled |= {e.strip() for e in requirement.split("[", 1)[1].split("]", 1)[0].split(",")}
    return pulled


def test_make_site_installs_the_runtime_only():
    makefile = (ROOT / "Makefile").read_text()
    site_rule = makefile.split("\nsite:", 1)[1].split("\n\n", 1)[0]
    prerequisite = site_rule.split()[0]
    recipe = makefile.split(f"\n{prerequisite}:", 1)[1].split("\n\n", 1)[0]
    (install,) = [line for line in recipe.splitlines() if "pip install --quiet -e " in line]
    # The package with at most the `docs` extra (issue 11: the API reference page's
    # mkdocstrings); none of the importers' libraries, directly or through an extra.
    target = install.split("-e ", 1)[1].strip().strip("'\"")
    installed = set(target.split("[", 1)[1].rstrip("]").split(",")) if "[" in target else set()
    assert installed <= {"docs"}
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for extra in installed:
        assert not _self_extras(extras[extra])
        for library in IMPORTER_LIBRARIES:
            assert library not in " ".join(extras[extra]).lower()


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
