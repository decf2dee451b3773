"""The verdict-shaping configuration of a pull request comes from its base.

``mkdocs.yml`` is a file of the change under review: a pull request that sets
``as_of:`` revives expired approvals, one that points ``records_dir`` at a folder of
its own is judged by a policy of its own, one that sets ``gate: off`` silences the
build. In pull-request mode (a base ref is given) every option that shapes the
verdict is therefore read from the base branch's ``mkdocs.yml`` (its tip: the
configuration in force once the change is merged), and a change to any of them is a
``policy-changed`` error.

Shared by both adapters (the CLI and the MkDocs plugin); it reads ``mkdocs.yml`` with
MkDocs' own YAML loader, so it is not part of the core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .findings import Code, Finding, error
from .history.gitcmd import GitRunner, HistoryError

# The options that decide what is judged and how (SPEC §8). ``base_ref`` itself is
# not among them: it comes from the CI job (``--base`` or the environment), since a
# base read from the change would let the change choose what it is compared with.
VERDICT_OPTIONS = ("records_dir", "as_of", "gate", "enabled")
_DEFAULTS: Mapping[str, Any] = {
    "records_dir": "governance_records",
    "as_of": None,
    "gate": "fail",
    "enabled": True,
}


@dataclass(frozen=True, slots=True)
class TrustedOptions:
    """The base's verdict-shaping options and how the head differs from them.

    Attributes:
        options: option -> value, as the base's ``mkdocs.yml`` sets it (defaults
            filled in).
        changed: option -> (base value, head value), for each option the change edits.
        config_path: the ``mkdocs.yml`` path, relative to the repository top level.
        tip: the base commit the options were read at.
    """

    options: Mapping[str, Any]
    changed: Mapping[str, tuple[Any, Any]]
    config_path: str
    tip: str

    def findings(self) -> list[Finding]:
        """One ``policy-changed`` error per edited option."""
        found = []
        for option, (base_value, head_value) in sorted(self.changed.items()):
            found.append(
                error(
                    Code.POLICY_CHANGED,
                    self.config_path,
                    f"This change sets `{option}` of the governance plugin to "
                    f"{_shown(head_value)} in {self.config_path} (the base has "
                    f"{_shown(base_value)}): it shapes the gate's verdict, so the change is "
                    "judged with the base's value and the new one applies once merged. Have "
                    "the configuration change reviewed and merged by the repository's "
                    "administrators, apart from record changes.",
                    self.config_path,
                    1,
                )
            )
        return found


def _shown(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, date):
        return f"`{value.isoformat()}`"
    return f"`{value}`"


def read_trusted_options(
    config_file: Path,
    head_options: Mapping[str, Any],
    base_ref: str,
    parse: Callable[[bytes, str], Mapping[str, Any]],
    resolve_tip: Callable[[Path, str], str],
) -> TrustedOptions:
    """Read the verdict-shaping options at the base's tip and compare with the head's.

    Args:
        config_file: the head's ``mkdocs.yml``.
        head_options: the governance plugin's options as the head's file sets them.
        base_ref: the base ref (resolved unambiguously by ``resolve_tip``).
        parse: ``(bytes, where) -> plugin options`` (the adapter's mkdocs.yml reader).
        resolve_tip: ``(repo_root, ref) -> commit sha``.

    Raises:
        HistoryError: git cannot read the base; the caller reports it.
    """
    # A config that only ``INHERIT``s mkdocs.yml (the templates' preview config, written
    # by the CI job and in no commit) is judged by the base's copy of its parent; the
    # head's options are the merged ones, so an option the wrapper sets is a change.
    from .pull_request import _inherited

    trusted_file = _inherited(config_file.resolve())
    folder = trusted_file.parent
    git = GitRunner(folder)
    top = git.run(["rev-parse", "--show-toplevel"])
    if top.status != 0:
        raise HistoryError(f"not a git repository: {top.stderr.strip()}")
    root = Path(top.stdout.decode("utf-8", "replace").strip())
    relative = trusted_file.relative_to(root.resolve()).as_posix()
    tip = resolve_tip(root, base_ref)
    shown = git.run(["cat-file", "blob", f"{tip}:{relative}"])
    base_options: Mapping[str, Any] = (
        parse(shown.stdout, f"{base_ref}:{relative}") if shown.status == 0 else {}
    )
    options = {name: base_options.get(name, _DEFAULTS[name]) for name in VERDICT_OPTIONS}
    changed = {}
    for name in VERDICT_OPTIONS:
        head_value = head_options.get(name, _DEFAULTS[name])
        if _normal(head_value) != _normal(options[name]):
            changed[name] = (options[name], head_value)
    return TrustedOptions(options, changed, relative, tip)


def _normal(value: Any) -> Any:
    # MkDocs reads YAML 1.1: a bare `off` is false, so false and "off" are one value.
    if value is False:
        return "off"
    if isinstance(value, str):
        text = value.strip()
        return "off" if text.lower() in ("off", "false") else text.strip("/")
    if isinstance(value, date):
        return value.isoformat()
    return value
