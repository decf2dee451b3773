"""The command-line adapter: ``mkdocs-governance`` (also ``python -m mkdocs_governance``).

A thin shell over [`core.run_governance`][mkdocs_governance.core.run_governance]:
it reads the plugin's options from ``mkdocs.yml`` without building the site, runs
the pipeline and prints a report. Exit codes: 0 no errors, 1 errors found, 2 a usage
or configuration problem.

Subcommands are registered in [`COMMANDS`][mkdocs_governance.cli.COMMANDS] (name ->
[`Command`][mkdocs_governance.cli.Command]); adding one is adding an entry there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .findings import Finding
from .reporting import FORMATS, format_text, render, to_jsonable

if TYPE_CHECKING:
    from .core import GovernanceRun

DEFAULT_CONFIG = "mkdocs.yml"
DEFAULT_RECORDS_DIR = "governance_records"
PLUGIN_NAMES = ("governance", "mkdocs-governance", "mkdocs_governance")

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A usage or configuration problem: printed as ``error: …`` and exit code 2."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The plugin options the CLI needs, from ``mkdocs.yml`` and the command line.

    Attributes:
        records_dir: absolute path of the records folder.
        base_ref: a pull request's base ref, if any.
        as_of: the day date rules are judged on.
        gate: ``fail``, ``warn`` or ``off`` as configured (informational for the CLI:
            ``check`` always exits 1 on errors, it is the gate).
        config_file: the ``mkdocs.yml`` read, if one was.
    """

    records_dir: Path
    base_ref: str | None
    as_of: date
    gate: str = "fail"
    config_file: Path | None = None
    # Pull-request mode: the base's verdict-shaping options replaced the head's; a
    # change to them is a policy-changed finding (trusted_config).
    config_findings: tuple[Finding, ...] = ()
    # Where a pinned as-of date came from ("--as-of", "as_of in mkdocs.yml"), if any.
    as_of_source: str = ""


# -- mkdocs.yml -----------------------------------------------------------------------------


def _config_loader() -> type:
    """A safe YAML loader that understands ``!ENV`` and ignores other custom tags.

    mkdocs.yml may carry ``!!python/name:`` tags for Markdown extensions; the gate
    needs only its own options, so such values load as None instead of importing code.
    """
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    loader = get_yaml_loader(yaml.SafeLoader)
    loader.add_multi_constructor("!", lambda _loader, _suffix, _node: None)
    loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda _l, _s, _n: None)
    return loader


def read_plugin_options(config_file: Path, *, expect_plugin: bool = True) -> dict[str, Any]:
    """The ``governance`` plugin's options in ``config_file`` (``{}`` if not listed).

    A misspelled plugin entry is a UsageError; a missing one is said on stderr unless
    ``expect_plugin`` is false (``generate`` serves engines that run no plugin).

    Raises:
        UsageError: the file cannot be read or parsed.
    """
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        with config_file.open("rb") as handle:
            data = yaml_load(handle, _config_loader())
    except (OSError, ConfigurationError, ValueError) as problem:
        raise UsageError(f"cannot read {config_file}: {problem}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{config_file} is not a mapping of MkDocs settings")
    plugins = data.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    if not isinstance(plugins, list):
        raise UsageError(f"{config_file}: `plugins` must be a list")
    for entry in plugins:
        if isinstance(entry, str) and entry in PLUGIN_NAMES:
            return {}
        if isinstance(entry, dict):
            for name, options in entry.items():
                if name in PLUGIN_NAMES:
                    if options is None:
                        return {}
                    if not isinstance(options, dict):
                        raise UsageError(
                            f"{config_file}: the options of the `{name}` plugin must be a mapping"
                        )
                    return options
    return _no_governance_plugin(config_file, plugins, expect_plugin)


def _no_governance_plugin(
    config_file: Path, plugins: list[Any], expect_plugin: bool = True
) -> dict[str, Any]:
    """No governance entry: a misspelling stops (exit 2), a plain absence is said aloud."""
    from .locate import misspelled_plugin, plugin_names

    typo = misspelled_plugin(plugin_names(plugins), PLUGIN_NAMES)
    if typo is not None:
        line = _line_of(config_file, typo)
        raise UsageError(
            f"{config_file}{f':{line}' if line else ''}: mkdocs.yml has no governance plugin: "
            f"`{typo}` is not a plugin name (did you mean `governance`?); fix the entry "
            "under `plugins:` (`mkdocs build` stops on it too)"
        )
    if not expect_plugin:
        return {}
    sys.stderr.write(
        f"warning: {config_file} has no governance plugin under `plugins:`, so `mkdocs build` "
        "generates no wiki and runs no gate; add `- governance` to it. Judging with the "
        "default options.\n"
    )
    return {}


def _line_of(config_file: Path, name: str) -> int | None:
    try:
        lines = config_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines, 1):
        stripped = text.strip().lstrip("-").strip()
        if stripped == name or stripped.startswith(f"{name}:"):
            return number
    return None


def parse_date(text: str, where: str) -> date:
    """An ISO date, or a UsageError naming ``where`` it came from."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(f"{where} is `{text}`, not a date; write it as YYYY-MM-DD") from None


def load_settings(args: argparse.Namespace) -> Settings:
    """Resolve the records folder, base ref and as-of date from mkdocs.yml and flags.

    Flags win over mkdocs.yml. A missing default ``mkdocs.yml`` falls back on
    ``./governance_records``; a missing ``--config-file`` given explicitly is an error.
    """
    from .locate import find_config_file, find_records_dir

    explicit = getattr(args, "config_file", None) is not None
    # Like git finds .git: the nearest mkdocs.yml at or above the current folder.
    found = None if explicit else find_config_file(Path.cwd())
    config_file = Path(args.config_file) if explicit else (found or Path(DEFAULT_CONFIG))
    options: dict[str, Any] = {}
    used_config: Path | None = None
    if config_file.is_file():
        options = read_plugin_options(
            config_file, expect_plugin=getattr(args, "expect_plugin", True)
        )
        used_config = config_file
    elif explicit:
        raise UsageError(f"the config file {config_file} does not exist")
    base_dir = config_file.resolve().parent if used_config else Path.cwd()
    base_ref = getattr(args, "base", None) or None
    if not base_ref and hasattr(args, "base"):  # check and diff: zero-config PR mode
        base_ref = _ci_base_ref(options, used_config or config_file)
    elif not base_ref:
        base_ref = options.get("base_ref") or None
    config_findings: tuple[Finding, ...] = ()
    if base_ref and used_config is not None:
        options, config_findings = _trusted_options(used_config, options, str(base_ref))

    if getattr(args, "records_dir", None):
        # Not resolved: a symlinked records folder must stay visible to be refused.
        records_dir = Path(os.path.abspath(args.records_dir))
    elif used_config is None:
        records_dir = find_records_dir(Path.cwd(), DEFAULT_RECORDS_DIR) or (
            Path.cwd() / DEFAULT_RECORDS_DIR
        )
    else:
        configured = options.get("records_dir") or DEFAULT_RECORDS_DIR
        records_dir = Path(os.path.abspath(base_dir / str(configured)))

    as_of_text = getattr(args, "as_of", None)
    source = ""
    if as_of_text:
        as_of, source = parse_date(as_of_text, "--as-of"), "--as-of"
    elif options.get("as_of"):
        value = options["as_of"]
        as_of = value if isinstance(value, date) else parse_date(value, "as_of in mkdocs.yml")
        source = "as_of in mkdocs.yml"
    else:
        as_of = date.today()

    gate = options.get("gate")
    gate = "off" if gate is False else str(gate or "fail")
    if gate not in ("fail", "warn", "off"):
        raise UsageError(f"{config_file}: `gate` is `{gate}`; use fail, warn or off")
    return Settings(
        records_dir,
        str(base_ref) if base_ref else None,
        as_of,
        gate,
        used_config,
        config_findings,
        source,
    )


def _trusted_options(
    config_file: Path, options: dict[str, Any], base_ref: str
) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """Pull-request mode: the base's verdict-shaping options, and findings for edits.

    A base whose mkdocs.yml cannot be read leaves the head's options; the gate then
    reports the unreadable base itself (``history-unavailable``).
    """
    from .core import resolve_base_tip
    from .history.gitcmd import HistoryError
    from .trusted_config import read_trusted_options

    def parse(data: bytes, where: str) -> dict[str, Any]:
        return _plugin_options_from_bytes(data, where)

    try:
        trusted = read_trusted_options(config_file, options, base_ref, parse, resolve_base_tip)
    except (HistoryError, ValueError):
        return options, ()
    merged = {**options, **trusted.options}
    return merged, tuple(trusted.findings())


def _plugin_options_from_bytes(data: bytes, where: str) -> dict[str, Any]:
    """The governance plugin's options in a mkdocs.yml given as bytes (``{}`` if none)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "mkdocs.yml"
        copy.write_bytes(data)
        try:
            return read_plugin_options(copy)
        except UsageError as problem:
            raise UsageError(str(problem).replace(str(copy), where)) from None


def pinned_as_of_warning(settings: Settings, today: date | None = None) -> str | None:
    """A loud line when the date rules are judged on a pinned day in the past.

    A pinned ``as_of`` revives expired approvals and overdue reviews: fine for a
    reproducible rerun of an old verdict, never for a gate that guards today.
    """
    today = today or date.today()
    if not settings.as_of_source or settings.as_of >= today:
        return None
    days = (today - settings.as_of).days
    return (
        f"WARNING: the gate judges dates as of {settings.as_of.isoformat()}, {days} day"
        f"{'s' if days != 1 else ''} before today ({settings.as_of_source}): approvals "
        "that have expired since and reviews that are overdue since pass. Remove the pinned "
        "date for a gate that guards today.\n"
    )


def _ci_base_ref(options: dict[str, Any], config_file: Path) -> str | None:
    """``base_ref``, or a pull request's target branch (pull_request.py), with a note."""
    import os

    from .pull_request import choose_base_ref, read_base_plugin_options

    detect = options.get("detect_pull_request", True)
    if not isinstance(detect, bool):
        raise UsageError(f"{config_file}: `detect_pull_request` is `{detect}`; use true or false")
    configured = options.get("base_ref") or None
    choice = choose_base_ref(
        configured=str(configured) if configured else None,
        detect=detect,
        environ=os.environ,
        base_options=lambda ref: read_base_plugin_options(config_file, ref),
    )
    if choice.note:
        print(f"governance: {choice.note}", file=sys.stderr)
    return choice.base_ref


def require_records_dir(settings: Settings) -> None:
    """Stop with exit code 2 when the records folder does not exist."""
    if not settings.records_dir.is_dir():
        where = f" (records_dir in {settings.config_file})" if settings.config_file else ""
        raise UsageError(
            f"the records folder {settings.records_dir}{where} does not exist; create it "
            "with policy.yaml and people.yaml, or point --records-dir / records_dir at it"
        )


def _run(settings: Settings, *, with_base: bool = True) -> GovernanceRun:
    # Imported here so that `--help` and usage errors answer without loading the core.
    from .core import run_governance

    require_records_dir(settings)
    return run_governance(
        settings.records_dir,
        as_of=settings.as_of,
        base_ref=settings.base_ref if with_base else None,
        config_findings=settings.config_findings if with_base else (),
    )


def _policy_broken(run: GovernanceRun) -> list[Finding]:
    """The findings that explain why no policy could be loaded (empty if one was)."""
    if run.registry.policy is not None:
        return []
    name = f"{run.registry.records_dir}/policy.yaml"
    about = [f for f in run.report.findings if f.file and f.file.startswith(name[:-4])]
    return about or [f for f in run.report.findings if f.is_error]


# -- subcommands ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """One subcommand: its help, how it declares its arguments, and what it runs."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, TextIO], int]
    description: str = ""
    aliases: tuple[str, ...] = field(default=())


def _add_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config-file",
        "-f",
        metavar="FILE",
        help=f"the MkDocs config to read the plugin options from (default: ./{DEFAULT_CONFIG})",
    )
    parser.add_argument(
        "--records-dir",
        metavar="DIR",
        help="the records folder (default: records_dir from mkdocs.yml, else ./governance_records)",
    )


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument(
        "--base", metavar="REF", help="judge the change against this base ref (a pull request's)"
    )
    parser.add_argument(
        "--as-of", metavar="DATE", help="judge date rules as of this day (YYYY-MM-DD)"
    )
    _add_config_arguments(parser)


def run_check(args: argparse.Namespace, out: TextIO) -> int:
    """``check``: run the gate and print the report; exit 1 when any error exists."""
    settings = load_settings(args)
    warning = pinned_as_of_warning(settings)
    if warning:
        sys.stderr.write(warning)
    run = _run(settings)
    broken = _policy_broken(run)
    if broken:
        sys.stderr.write(format_text(broken))
        raise UsageError("no usable policy.yaml, so nothing can be judged; fix the findings above")
    out.write(render(run.report, args.format))
    # CI judges a clean clone of the last commit: say so when that is another verdict.
    from .committed import describe, judge_committed

    committed = judge_committed(run, as_of=settings.as_of, base_ref=settings.base_ref)
    note = describe(committed) if committed is not None else ""
    (out if args.format == "text" else sys.stderr).write(note)
    ci_fails = (
        committed is not None
        and committed.differs
        and not (committed.report is not None and committed.report.passed)
    )
    return EXIT_OK if run.report.passed and not ci_fails else EXIT_ERRORS


def _digest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", metavar="MODEL@VERSION", help="e.g. credit-risk@2.1")
    _add_config_arguments(parser)


def _find_version(registry: Any, key: str) -> Any:
    if "@" not in key:
        raise UsageError(f"`{key}` is not MODEL@VERSION (e.g. credit-risk@2.1)")
    version = registry.version(key)
    if version is None:
        known = ", ".join(v.key for v in registry.versions()) or "none"
        raise UsageError(f"no model version `{key}` in the records; known versions: {known}")
    return version


def run_digest(args: argparse.Namespace, out: TextIO) -> int:
    """``digest MODEL@VERSION``: print the version's current digest (SPEC §5)."""
    from .records import load_registry
    from .records.digest import version_digest

    settings = load_settings(args)
    require_records_dir(settings)
    registry = load_registry(settings.records_dir, repo_root=_repo_root(settings)).registry
    version = _find_version(registry, args.version)
    out.write(version_digest(version, registry.datasets) + "\n")
    return EXIT_OK


def _signoff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", metavar="MODEL@VERSION", help="the version to sign off")
    parser.add_argument("--stage", required=True, help="the stage being approved")
    parser.add_argument("--role", required=True, help="the role you sign for")
    parser.add_argument("--decision", required=True, choices=("approved", "rejected"))
    parser.add_argument("--comment", default="", help="why (shown in the wiki)")
    parser.add_argument(
        "--condition",
        action="append",
        default=[],
        metavar="TEXT",
        help="a condition of the approval (repeatable)",
    )
    parser.add_argument("--date", metavar="DATE", help="the sign-off date (default: today)")
    parser.add_argument(
        "--sign",
        action="store_true",
        help="sign the record with your key (git config user.signingkey), so that it "
        "survives squash and rebase merges",
    )
    from .signing_cli import add_key_arguments

    add_key_arguments(parser)
    _add_config_arguments(parser)


def _repo_root(settings: Settings) -> Path:
    from .core import _find_repo_root

    return _find_repo_root(settings.records_dir)


def _git_user_email(repo_root: Path) -> str:
    try:
        result = subprocess.run(
            ["git", "config", "user.email"],
            cwd=repo_root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        raise UsageError("git is not installed; it is needed to know who signs off") from None
    email = result.stdout.strip()
    if not email:
        raise UsageError(
            "git has no user.email here, so the approver is unknown; set it with "
            "`git config user.email you@example.com` (an email listed for you in people.yaml)"
        )
    return email


def _yaml_text(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars: nothing is retyped.
    return json.dumps(value, ensure_ascii=False)


def signoff_yaml(
    *,
    model: str,
    version: str,
    stage: str,
    approver: str,
    role: str,
    decision: str,
    when: date,
    subject: str,
    comment: str = "",
    conditions: Sequence[str] = (),
) -> str:
    """The text of a sign-off record (every string quoted, the date unquoted ISO)."""
    lines = [
        f"model: {_yaml_text(model)}",
        f"version: {_yaml_text(version)}",
        f"stage: {_yaml_text(stage)}",
        f"approver: {_yaml_text(approver)}",
        f"role: {_yaml_text(role)}",
        f"decision: {decision}",
        f"date: {when.isoformat()}",
        f"subject: {_yaml_text(subject)}",
    ]
    if comment:
        lines.append(f"comment: {_yaml_text(comment)}")
    if conditions:
        lines.append("conditions:")
        lines.extend(f"  - {_yaml_text(c)}" for c in conditions)
    return "\n".join(lines) + "\n"


def _safe_name(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in text).strip(".-")
    return cleaned or "x"


def run_signoff(args: argparse.Namespace, out: TextIO) -> int:
    """``signoff``: write a sign-off record for the person git knows you as.

    The approver is the person of people.yaml owning ``git config user.email``; the
    record gets today's date (or ``--date``) and the version's current digest. Refuses
    (exit 2) when the version, stage or person is unknown, when the person does not
    hold the role, or when they may not approve it (separation of duties).
    """
    from .history.identity import match_person
    from .records import load_registry
    from .records.digest import version_digest

    settings = load_settings(args)
    require_records_dir(settings)
    root = _repo_root(settings)
    registry = load_registry(settings.records_dir, repo_root=root).registry
    version = _find_version(registry, args.version)
    policy = registry.policy
    if policy is None:
        raise UsageError("policy.yaml cannot be loaded; run `mkdocs-governance check` first")
    if args.stage not in policy.stages:
        from .records.schema import did_you_mean

        raise UsageError(
            f"`{args.stage}` is not a stage of the policy{did_you_mean(args.stage, policy.stages)}; "
            f"stages: {', '.join(policy.stages)}"
        )
    email = _git_user_email(root)
    person = match_person(registry.people, "", email)
    if person is None:
        raise UsageError(
            f"{email} (git config user.email) is no one's email in people.yaml, so the sign-off "
            "would not be attributed to anyone; add it to your entry there (a reviewed change) "
            "or set user.email to an address listed for you"
        )
    if args.role not in person.roles:
        held = ", ".join(person.roles) or "no role"
        raise UsageError(
            f"{person.name} ({person.id}) does not hold the role `{args.role}` "
            f"(holds: {held}); the sign-off would not count"
        )
    model = registry.models[version.model_id]
    rules = policy.rules
    independent = person.id not in (version.author, model.owner)
    if args.decision == "approved" and rules.separation_of_duties and not independent:
        raise UsageError(
            f"{person.name} authored {version.key} or owns {model.id}; separation of duties "
            "asks an independent reviewer to approve it"
        )
    when = parse_date(args.date, "--date") if args.date else date.today()
    if when > date.today():
        raise UsageError(
            f"--date {when.isoformat()} is in the future; a sign-off records a decision "
            "already made (the gate would report it as implausible-date)"
        )
    if not _stage_asks_role(policy, model.risk_tier, args.stage, args.role):
        sys.stderr.write(
            f"note: {args.stage} does not require a `{args.role}` sign-off; the record is "
            "kept in the audit trail but fills no slot of the checklist\n"
        )
    folder = settings.records_dir / "signoffs" / _safe_name(model.id) / _safe_name(version.version)
    stem = f"{_safe_name(args.stage)}-{_safe_name(args.role)}-{_safe_name(person.id)}"
    target = folder / f"{stem}.yaml"
    counter = 2
    while target.exists():
        target = folder / f"{stem}-{counter}.yaml"
        counter += 1
    text = signoff_yaml(
        model=model.id,
        version=version.version,
        stage=args.stage,
        approver=person.id,
        role=args.role,
        decision=args.decision,
        when=when,
        subject=version_digest(version, registry.datasets),
        comment=args.comment,
        conditions=args.condition,
    )
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if getattr(args, "sign", False):
        from .signing_cli import SignError, sign_record_file

        try:
            sign_record_file(target, key=args.key, key_format=args.key_format)
        except SignError as problem:
            target.unlink()
            raise UsageError(str(problem)) from None
    shown = _relative(target)
    out.write(
        f"Wrote {shown}.\nCommit it as yourself so the gate can verify it:\n"
        f"  git add {shown} && git commit -m "
        f'"Sign off {version.key} for {args.stage} as {args.role}"\n'
    )
    return EXIT_OK


def _stage_asks_role(policy: Any, risk_tier: str, stage: str, role: str) -> bool:
    requirements = policy.requirements.get(stage)
    if requirements is None:
        return False
    roles = {r.role for r in requirements.signoffs}
    override = requirements.by_risk_tier.get(risk_tier)
    if override is not None:
        roles |= {r.role for r in override.signoffs}
    return role in roles


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        "-o",
        default="governance.json",
        metavar="FILE",
        help="where to write the JSON (`-` for standard output; default: governance.json)",
    )
    parser.add_argument(
        "--as-of", metavar="DATE", help="judge date rules as of this day (YYYY-MM-DD)"
    )
    _add_config_arguments(parser)


def run_export(args: argparse.Namespace, out: TextIO) -> int:
    """``export``: write the registry, the findings and the gate's verdict as JSON."""
    settings = load_settings(args)
    run = _run(settings, with_base=False)
    text = json.dumps(to_jsonable(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if args.output == "-":
        out.write(text)
    else:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as problem:
            raise UsageError(f"cannot write {args.output}: {problem.strerror or problem}") from None
        out.write(f"Wrote {args.output} ({len(run.report.findings)} findings).\n")
    return EXIT_OK


def _schema_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output-dir",
        default="schemas",
        metavar="DIR",
        help="where to write <kind>.schema.json (default: ./schemas)",
    )


def run_schema(args: argparse.Namespace, out: TextIO) -> int:
    """``schema``: write a JSON Schema per record kind, for editors."""
    from .records.schema import write_schemas

    try:
        written = write_schemas(Path(args.output_dir))
    except OSError as problem:
        raise UsageError(
            f"cannot write to {args.output_dir}: {problem.strerror or problem}"
        ) from None
    for path in written:
        out.write(f"{_relative(path)}\n")
    return EXIT_OK


# The subcommands, in the order ``--help`` lists them. Register a new one by adding
# an entry (e.g. ``COMMANDS["diff"] = Command(...)``).
COMMANDS: dict[str, Command] = {
    "check": Command(
        "run the gate: report findings, exit 1 on errors",
        _check_arguments,
        run_check,
        "Evaluate the governance policy (and validate every record) without building the "
        "site. Exit codes: 0 no errors, 1 errors found, 2 usage or configuration problem.",
    ),
    "digest": Command(
        "print a model version's digest (what a sign-off's subject must be)",
        _digest_arguments,
        run_digest,
    ),
    "signoff": Command(
        "write a sign-off record as the person git knows you as",
        _signoff_arguments,
        run_signoff,
    ),
    "export": Command(
        "write registry + findings + gate status as JSON",
        _export_arguments,
        run_export,
    ),
    "schema": Command(
        "write a JSON Schema per record kind, for editors",
        _schema_arguments,
        run_schema,
    ),
}


# -- diff: what a pull request does to governance (SPEC §9) ---------------------------------


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base",
        metavar="REF",
        help="the pull request's base, e.g. origin/main (default: base_ref from mkdocs.yml); "
        "compared from its merge base with HEAD, like a pull request's diff",
    )
    parser.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="output format"
    )
    parser.add_argument(
        "--as-of", metavar="DATE", help="judge date rules as of this day (YYYY-MM-DD)"
    )
    _add_config_arguments(parser)


def run_diff(args: argparse.Namespace, out: TextIO) -> int:
    """``diff``: print the change against the base; exit 0 once printed (``check`` gates)."""
    from .policy.changes import format_markdown

    settings = load_settings(args)
    if not settings.base_ref:
        raise UsageError("no base ref: pass --base REF (e.g. --base origin/main)")
    run = _run(settings)
    if run.changes is None:
        sys.stderr.write(
            format_text([f for f in run.report.findings if f.subject == settings.base_ref])
        )
        raise UsageError(f"cannot compare with `{settings.base_ref}`; see above")
    if args.format == "json":
        out.write(json.dumps(run.changes.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(format_markdown(run.changes))
    return EXIT_OK


def _register_sign() -> None:
    from .signing_cli import run_sign, sign_arguments

    COMMANDS["sign"] = Command(
        "sign sign-off and verification records with your key (record signatures)",
        sign_arguments,
        run_sign,
        "Write a signature over each record's content (its subject digest included) into "
        "the record, with the key Git signs commits with. The gate verifies it against the "
        "signing_keys of the trusted people.yaml, whoever commits the file.",
    )


_register_sign()
COMMANDS["diff"] = Command(
    "show what this change does to governance compared with a base ref",
    _diff_arguments,
    run_diff,
    "Compare the records at HEAD (and in the working tree) with the merge base of --base "
    "and HEAD: stage changes, sign-offs, stale approvals, findings introduced and "
    "resolved, metric deltas. Markdown for a pull-request comment, or JSON. Exit codes: "
    "0 printed, 2 usage problem or base not readable (the gate is `check`'s job).",
)

# The model document (issue 17) lives in its own module; imported here, after every name
# it uses from this one is defined.
from .cli_document import COMMAND as _DOCUMENT_COMMAND  # noqa: E402

COMMANDS["document"] = _DOCUMENT_COMMAND


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    from .generate import add_arguments

    add_arguments(parser)


def _run_generate(args: argparse.Namespace, out: TextIO) -> int:
    from .generate import run_generate

    return run_generate(args, out)


COMMANDS["generate"] = Command(
    "write the wiki's pages, plots and assets into a folder, for any engine",
    _generate_arguments,
    _run_generate,
    "Write the governance wiki (pages, plots, governance.json, assets) into --output, "
    "e.g. docs/governance, for an engine that runs no MkDocs plugin (Zensical). Not the "
    "gate: exit 0 once written (2 on a usage problem); run `check` as its own step.",
)


# -- import: other tools' data -> record files (issue 15; cli_import.py) ----------------------
from .cli_import import add_import_arguments, run_import  # noqa: E402

COMMANDS["import"] = Command(
    "write records from MLflow, Hugging Face model cards, GTO tags or DVC files",
    add_import_arguments,
    run_import,
    "Translate another tool's data into record files: `import mlflow STORE`, `import "
    "hf-card README.md`, `import gto`, `import dvc`. Idempotent: a re-import updates the "
    "same files, never overwrites fields a person wrote, and says what changed; "
    "--dry-run prints it without writing. Exit codes: 0 done, 1 a record or source "
    "problem, 2 usage problem.",
)


def _register_deployment_commands() -> None:
    # Implemented in deploy_cli.py (issue 16); imported lazily so that `--help` stays light.
    from . import deploy_cli

    COMMANDS["allow"] = Command(
        "deployment gate: exit 0 only if the version may be deployed to the stage today",
        deploy_cli.allow_arguments,
        deploy_cli.run_allow,
        "Judge MODEL@VERSION against every requirement of the stage (or of the stage the "
        "environment requires) and the earlier stages, today, under the policy's rules, with "
        "full history; with --artifact/--artifact-sha256, also that the artifact is the one "
        "the approvers reviewed. Exit codes: 0 allowed, 1 refused (fails closed: no history, "
        "a shallow clone, an unreadable policy, an unknown version), 2 usage problem.",
    )
    COMMANDS["record-deployment"] = Command(
        "write a deployment record (from a CD job), or import a JSON-lines export of events",
        deploy_cli.record_arguments,
        deploy_cli.run_record,
    )


_register_deployment_commands()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand in ``COMMANDS``."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="mkdocs-governance",
        description="ML governance records in Git: the gate, digests, sign-offs, exports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        sub = subparsers.add_parser(
            name,
            help=command.help,
            description=command.description or command.help,
            aliases=list(command.aliases),
        )
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 errors found, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits 2 on bad usage, 0 on --help
        return int(stop.code or 0)
    try:
        return int(args.handler(args, sys.stdout))
    except UsageError as problem:
        sys.stderr.write(f"mkdocs-governance {args.command}: error: {problem}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_USAGE
    except Exception as problem:  # never a traceback, but never hide a bug: name it
        sys.stderr.write(
            f"mkdocs-governance {args.command}: internal error: "
            f"{type(problem).__name__}: {problem}\n"
            "This is a bug in mkdocs-governance; please report it with the command you ran.\n"
        )
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
