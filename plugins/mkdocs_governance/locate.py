"""Where the command line finds ``mkdocs.yml`` and the plugin entry in it.

Users run ``mkdocs-governance`` from wherever they stand, often inside
``governance_records/models/``. Like git finds ``.git``, the CLI looks for
``mkdocs.yml`` in the current folder and then in each parent, stopping at the
repository's root (a config above the repository belongs to something else;
outside a repository only the current folder is looked at). A
``plugins:`` list whose governance entry is misspelled would otherwise leave the
gate on its defaults, silently: that is reported with a "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


def _repo_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _upward(start: Path) -> Iterable[Path]:
    """``start`` and its parents up to the repository root; outside a repository, ``start``.

    Outside a repository nothing bounds the search, and a stray ``mkdocs.yml`` in a
    home folder must not be picked up.
    """
    root = _repo_root(start)
    if root is None:
        yield start
        return
    for folder in (start, *start.parents):
        yield folder
        if folder == root:
            return


def find_config_file(start: Path) -> Path | None:
    """The nearest ``mkdocs.yml`` at or above ``start``, within its repository."""
    for folder in _upward(start.resolve()):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def find_records_dir(start: Path, name: str) -> Path | None:
    """Without any ``mkdocs.yml``: the nearest folder ``name`` at or above ``start``.

    ``start`` itself counts when it *is* such a folder or lies inside one (a user
    standing in ``governance_records/models/``).
    """
    start = start.resolve()
    for folder in _upward(start):
        if folder.name == name and folder.is_dir():
            return folder
        if (folder / name).is_dir():
            return folder / name
    return None


def plugin_names(entries: list[object]) -> list[str]:
    """The plugin names of a ``plugins:`` list (strings and one-key mappings)."""
    names: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            names.extend(str(name) for name in entry)
    return names


def misspelled_plugin(names: list[str], wanted: Iterable[str]) -> str | None:
    """The entry of ``names`` that looks like a misspelled ``wanted`` name, if any."""
    wanted = list(wanted)
    for name in names:
        if difflib.get_close_matches(name.lower(), wanted, n=1, cutoff=0.75):
            return name
    return None
