"""The deployment subcommands: ``allow`` (the deployment gate) and ``record-deployment``.

Registered in [`cli.COMMANDS`][mkdocs_governance.cli.COMMANDS].

``allow`` exit codes: 0 the version may be deployed (it meets every requirement of
the stage and the earlier stages today, with full history, and the artifact is the
reviewed one); 1 refused, with the reason in the gate's words (also for no history,
a shallow clone, an unreadable policy, an unknown version or environment: it fails
closed); 2 the command line itself is wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from .cli import (
    EXIT_ERRORS,
    EXIT_OK,
    UsageError,
    _add_config_arguments,
    _relative,
    _repo_root,
    load_settings,
)
from .findings import Code, Finding, Severity

_HEX = re.compile(r"[0-9a-fA-F]{64}")


def _artifact_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--artifact", metavar="PATH", help="the file about to be deployed")
    group.add_argument(
        "--artifact-sha256", metavar="HEX", help="its SHA-256 (64 hex digits), if known"
    )


def _target_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--stage", help="the stage the deployment needs (e.g. production)")
    group.add_argument(
        "--environment",
        metavar="ENV",
        help="a deployment environment of policy.yaml `environments:`",
    )


def allow_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``allow``."""
    parser.add_argument("version", metavar="MODEL@VERSION", help="e.g. credit-risk@2.1")
    _target_arguments(parser)
    _artifact_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    _add_config_arguments(parser)


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in blocks (an artifact may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Refusal(Exception):
    """``allow`` refuses before judging (fails closed): exit 1 with this reason."""

    def __init__(self, reason: str, findings: tuple[Finding, ...] = ()):
        super().__init__(reason)
        self.reason = reason
        self.findings = findings


def _given_artifact(args: argparse.Namespace) -> str | None:
    if args.artifact_sha256 is not None:
        text = args.artifact_sha256.strip().lower().removeprefix("sha256:")
        if not _HEX.fullmatch(text):
            raise UsageError(f"--artifact-sha256 `{args.artifact_sha256}` is not 64 hex digits")
        return text
    if args.artifact is not None:
        try:
            return sha256_of(Path(args.artifact))
        except OSError as problem:
            raise Refusal(
                f"the artifact {args.artifact} cannot be read ({problem.strerror or problem}), "
                "so it cannot be shown to be the approved one"
            ) from None
    return None


def run_allow(args: argparse.Namespace, out: TextIO) -> int:
    """``allow``: exit 0 only when the version may be deployed to the stage today."""
    if "@" not in args.version or args.version.startswith("@") or args.version.endswith("@"):
        raise UsageError(f"`{args.version}` is not MODEL@VERSION (e.g. credit-risk@2.1)")
    verdict: dict[str, Any] = {
        "version": args.version,
        "stage": args.stage,
        "environment": args.environment,
        "as_of": date.today().isoformat(),
    }
    try:
        artifact = _given_artifact(args)
        verdict["artifact_sha256"] = artifact
        allowed, details = _judge_allow(args, artifact, verdict)
    except Refusal as refusal:
        allowed = False
        details = [refusal.reason, *(f.format_line() for f in refusal.findings)]
        verdict["reasons"] = [f.to_dict() for f in refusal.findings] or [
            {"code": "refused", "message": refusal.reason}
        ]
    verdict["allowed"] = allowed
    if args.format == "json":
        out.write(json.dumps(verdict, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(_allow_text(verdict, details))
    return EXIT_OK if allowed else EXIT_ERRORS


def _judge_allow(
    args: argparse.Namespace, artifact: str | None, verdict: dict[str, Any]
) -> tuple[bool, list[str]]:
    from .core import _model_revisions, _provenance, _wants_signatures
    from .history import read_history
    from .production import judge_version
    from .records import load_registry

    settings = load_settings(args)
    if not settings.records_dir.is_dir():
        raise Refusal(f"the records folder {settings.records_dir} does not exist")
    root = _repo_root(settings)
    loaded = load_registry(settings.records_dir, repo_root=root)
    registry = loaded.registry
    policy = registry.policy
    if policy is None:
        problems = tuple(f for f in loaded.findings if f.is_error and "policy" in (f.file or ""))
        raise Refusal("policy.yaml cannot be read, so nothing says what the stage needs", problems)
    stage = args.stage
    if args.environment is not None:
        environment = policy.environments.get(args.environment)
        if environment is None:
            known = ", ".join(policy.environments) or "none"
            raise Refusal(
                f"the environment `{args.environment}` is not in policy.yaml `environments:` "
                f"(known: {known}); add it with the stage it requires"
            )
        stage = environment.stage
        verdict["stage"] = stage
    if stage not in policy.stages:
        raise Refusal(f"`{stage}` is not a stage of the policy ({', '.join(policy.stages)})")
    version = registry.version(args.version)
    if version is None:
        known = ", ".join(v.key for v in registry.versions()) or "none"
        broken = tuple(f for f in loaded.findings if f.is_error and "/models/" in (f.file or ""))
        raise Refusal(f"no model version `{args.version}` in the records (known: {known})", broken)
    history = read_history(root, [registry.records_dir], signatures=_wants_signatures(registry))
    findings = list(loaded.findings)
    revisions = _model_revisions(root, registry, history, findings)
    approval = judge_version(
        registry,
        history,
        version.key,
        stage,
        as_of=date.today(),
        provenance=_provenance(registry, history, revisions),
        record_findings=findings,
    )
    from .records.digest import version_digest

    verdict["digest"] = version_digest(version, registry.datasets)
    verdict["approved_artifact_sha256"] = approval.artifact_sha256
    verdict["commit"] = history.head
    reasons = list(approval.reasons)
    if artifact is not None and approval.artifact_sha256 != artifact:
        expected = approval.artifact_sha256 or "none (the version names no artifact sha256)"
        reasons.append(
            Finding(
                Code.ARTIFACT_MISMATCH,
                Severity.ERROR,
                version.key,
                f"the artifact to deploy has sha256 {artifact}, but the approvals of "
                f"{version.key} cover {expected} (its digest binds artifact.sha256): this "
                "is not what was reviewed. Deploy the reviewed artifact, or record the new "
                "one as a new version and have it approved.",
                version.location.file,
                version.location.line_of("artifact"),
            )
        )
    verdict["reasons"] = [f.to_dict() for f in reasons]
    verdict["approvals"] = [
        {"stage": s, "requirement": item.title, "state": str(item.state), "detail": item.detail}
        for s, item in approval.items
    ]
    allowed = approval.met and not reasons
    details = [f.format_line() for f in reasons]
    if allowed:
        details = [f"[{s}] {item.title}: {item.detail}" for s, item in approval.items]
    return allowed, details


def _allow_text(verdict: dict[str, Any], details: list[str]) -> str:
    where = f" to {verdict['environment']}" if verdict.get("environment") else ""
    stage = verdict.get("stage")
    if verdict["allowed"]:
        head = (
            f"ALLOWED: {verdict['version']} may be deployed{where}: it meets every requirement "
            f"of {stage} and the stages before it as of {verdict['as_of']}"
        )
        if verdict.get("artifact_sha256"):
            head += f", and the artifact is the approved one (sha256 {verdict['artifact_sha256']})"
        return head + ".\n" + "".join(f"  {line}\n" for line in details)
    head = f"REFUSED: {verdict['version']} may not be deployed{where}"
    head += f" (stage {stage})" if stage else ""
    return head + ":\n" + "".join(f"  {line}\n" for line in details)


# -- record-deployment ----------------------------------------------------------------------


def record_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``record-deployment``."""
    parser.add_argument(
        "version", metavar="MODEL@VERSION", nargs="?", help="the version deployed (or --import)"
    )
    parser.add_argument("--environment", metavar="ENV", help="where it was deployed")
    parser.add_argument("--service", help="the endpoint or service name")
    _artifact_arguments(parser)
    parser.add_argument(
        "--by",
        help="a person id or pipeline:<id> (default: who git config user.email is)",
    )
    parser.add_argument(
        "--status", choices=("deployed", "rolled-back"), default="deployed", help="the event"
    )
    parser.add_argument(
        "--started", metavar="TIME", help="when it went live, ISO 8601 with offset (default: now)"
    )
    parser.add_argument("--run-url", default="", help="link to the CD job")
    parser.add_argument("--comment", default="")
    parser.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE.jsonl",
        help="write one record per event of a serving platform's JSON-lines export instead",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would be written")
    _add_config_arguments(parser)


def _who_commits(root: Path, registry: Any) -> str:
    from .cli import _git_user_email
    from .history.identity import match_person, normalise_email

    email = _git_user_email(root)
    person = match_person(registry.people, "", email)
    if person is not None:
        return str(person.id)
    for pipeline in registry.pipelines.values():
        if normalise_email(email) in {normalise_email(e) for e in pipeline.emails}:
            return f"pipeline:{pipeline.id}"
    raise UsageError(
        f"{email} (git config user.email) is no person's or declared pipeline's email in "
        "people.yaml; pass --by or commit as the deploying pipeline"
    )


def run_record(args: argparse.Namespace, out: TextIO) -> int:
    """``record-deployment``: write one deployment record (or import a JSON-lines export)."""
    from .records import load_registry
    from .records.schema import parse_timestamp
    from .serving.events import DeploymentEvent, deployment_yaml, read_events, record_name

    settings = load_settings(args)
    if not settings.records_dir.is_dir():
        raise UsageError(f"the records folder {settings.records_dir} does not exist")
    root = _repo_root(settings)
    registry = load_registry(settings.records_dir, repo_root=root).registry
    if args.import_file:
        return _import(args, out, settings.records_dir, read_events, deployment_yaml, record_name)
    if not args.version or "@" not in args.version:
        raise UsageError("name the version deployed as MODEL@VERSION (or use --import FILE)")
    version = registry.version(args.version)
    if version is None:
        raise UsageError(f"no model version `{args.version}` in the records")
    if not args.environment or not args.service:
        raise UsageError("--environment and --service are required")
    if registry.policy is not None and args.environment not in registry.policy.environments:
        raise UsageError(
            f"`{args.environment}` is not in policy.yaml `environments:` "
            f"({', '.join(registry.policy.environments) or 'none'})"
        )
    artifact = None
    if args.artifact_sha256:
        artifact = args.artifact_sha256.strip().lower().removeprefix("sha256:")
        if not _HEX.fullmatch(artifact):
            raise UsageError(f"--artifact-sha256 `{args.artifact_sha256}` is not 64 hex digits")
    elif args.artifact:
        try:
            artifact = sha256_of(Path(args.artifact))
        except OSError as problem:
            raise UsageError(f"cannot read {args.artifact}: {problem.strerror}") from None
    if artifact is None:
        raise UsageError("say what was deployed: --artifact PATH or --artifact-sha256 HEX")
    if args.started:
        started = parse_timestamp(args.started.strip())
        if started is None:
            raise UsageError(f"--started `{args.started}` is not ISO 8601 with an offset")
    else:
        started = datetime.now(UTC).replace(microsecond=0)
    event = DeploymentEvent(
        environment=args.environment,
        model=version.model_id,
        version=version.version,
        artifact_sha256=artifact,
        started=started,
        by=args.by or _who_commits(root, registry),
        service=args.service,
        status=args.status,
        run_url=args.run_url,
        comment=args.comment,
    )
    target = settings.records_dir / record_name(event)
    text = deployment_yaml(event)
    if args.dry_run:
        out.write(f"# {_relative(target)}\n{text}")
        return EXIT_OK
    target = _free(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    shown = _relative(target)
    out.write(
        f"Wrote {shown}.\nCommit it as {event.by} so the gate can verify who deployed:\n"
        f'  git add {shown} && git commit -m "Deploy {event.key} to {event.environment}"\n'
    )
    return EXIT_OK


def _free(target: Path) -> Path:
    counter = 2
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}-{counter}{target.suffix}")
        counter += 1
    return candidate


def _import(
    args: argparse.Namespace,
    out: TextIO,
    records_dir: Path,
    read_events: Any,
    deployment_yaml: Any,
    record_name: Any,
) -> int:
    path = Path(args.import_file)
    try:
        handle = path.open("rb")
    except OSError as problem:
        raise UsageError(f"cannot read {path}: {problem.strerror or problem}") from None
    written = skipped = 0
    with handle:
        for number, event in read_events(handle):
            if isinstance(event, list):
                skipped += 1
                sys.stderr.write(f"{path}:{number}: " + "; ".join(event) + "; not imported\n")
                continue
            target = records_dir / record_name(event)
            if args.dry_run:
                out.write(f"# {_relative(target)}\n{deployment_yaml(event)}")
            else:
                target = _free(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(deployment_yaml(event), encoding="utf-8")
                out.write(f"Wrote {_relative(target)}\n")
            written += 1
    verb = "would write" if args.dry_run else "wrote"
    out.write(f"{path}: {verb} {written} deployment record(s), skipped {skipped} line(s).\n")
    return EXIT_ERRORS if skipped else EXIT_OK
