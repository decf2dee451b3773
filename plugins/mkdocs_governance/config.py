"""The plugin's typed configuration (the ``governance`` entry of ``mkdocs.yml``, SPEC §8).

MkDocs validates these options before any handler runs; a bad value stops the
build with a ``ConfigurationError`` that names the plugin and the key.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError

GATE_MODES = ("fail", "warn", "off")


class _AsOfDate(c.BaseConfigOption[date | None]):
    """An ISO 8601 date (``2026-11-26``), or null for today."""

    def run_validation(self, value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValidationError(
            f"expected an ISO 8601 date such as 2026-11-26 (or null for today), got {value!r}"
        )


class _GateMode(c.Choice[str]):
    """``fail``, ``warn`` or ``off``.

    MkDocs reads ``mkdocs.yml`` as YAML 1.1, where a bare ``off`` is the boolean
    false: ``gate: off`` must still mean off, not a confusing type error.
    """

    def __init__(self) -> None:
        super().__init__(GATE_MODES, default="fail")

    def run_validation(self, value: object) -> str:
        if value is False:
            value = "off"
        return super().run_validation(value)


class _Prefix(c.Type[str]):
    """A folder name inside the docs (``governance``, ``wiki/governance``)."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value).strip().strip("/")
        if not text or not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*", text):
            raise ValidationError(
                f"expected a folder name inside docs_dir such as 'governance' "
                f"(letters, digits, '-', '_', '/'), got {value!r}"
            )
        return text


class _RepoUrl(c.Type[str]):
    """An http(s) URL of the repository's web page."""

    def __init__(self) -> None:
        super().__init__(str)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value).strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", text):
            raise ValidationError(
                f"expected the repository's web URL such as https://github.com/org/repo, got {value!r}"
            )
        return text


class GovernanceConfig(Config):
    """Options of the ``governance`` plugin.

    Attributes:
        enabled: switch the plugin off without removing it (e.g. ``!ENV``).
        records_dir: the records folder, relative to ``mkdocs.yml``.
        prefix: the docs folder the wiki is generated into.
        gate: ``fail`` fails the build on errors, ``warn`` logs them, ``off`` only
            shows them in the wiki.
        base_ref: a git ref to compare with (pull-request previews).
        detect_pull_request: when ``base_ref`` is not set and CI says it builds a
            pull/merge request, compare with its target branch (``pull_request.py``).
        repo_url: the repository's web URL for commit, edit and evidence links;
            defaults to MkDocs' own ``repo_url``.
        branch: the branch edit and file links point at.
        as_of: judge the date rules as of this day (default: today).
        cache_dir: where plots are cached, relative to ``mkdocs.yml``.
        horizon_days: the dashboard lists sign-offs, reviews and waivers that expire
            or fall due within this many days.
        navigation: ``sections`` lists the wiki's section index pages in the site
            navigation (record pages are reached from them); ``full`` lists every
            model, version, experiment, dataset and decision page too, which costs
            build time growing with pages × records (see the performance docs).
    """

    enabled = c.Type(bool, default=True)
    records_dir = c.Type(str, default="governance_records")
    prefix = _Prefix(default="governance")
    gate = _GateMode()
    base_ref = c.Optional(c.Type(str))
    detect_pull_request = c.Type(bool, default=True)
    repo_url = c.Optional(_RepoUrl())
    branch = c.Type(str, default="main")
    as_of = _AsOfDate()
    cache_dir = c.Type(str, default=".governance-cache")
    horizon_days = c.Type(int, default=60)
    navigation = c.Choice(("sections", "full"), default="sections")
