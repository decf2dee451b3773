"""``mkdocs-governance import mlflow|hf-card|gto|dvc``: other tools' data -> record files.

A thin shell: it parses the options, calls one importer's reader and mapping, and
hands the records to the shared writer
([`importers.writer`][mkdocs_governance.importers.writer]). Exit codes: 0 written
(or nothing to change), 1 a record or source problem (reported with its file and
line, nothing else is held back), 2 a usage problem (the importer's library is not
installed, the source does not exist).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .cli import EXIT_ERRORS, EXIT_OK, UsageError, _add_config_arguments, load_settings
from .importers import ImportBatch


def _pairs(values: list[str] | None, flag: str) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping, or a UsageError naming the bad one."""
    result: dict[str, str] = {}
    for item in values or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"{flag} {item!r}: write it as NAME=VALUE")
        result[name.strip()] = value.strip()
    return result


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would change, write nothing"
    )
    _add_config_arguments(parser)


def _new_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--owner", metavar="PERSON", help="owner of a new model record")
    parser.add_argument(
        "--risk-tier", choices=("low", "medium", "high"), help="risk tier of a new model record"
    )


def _records_dir(args: argparse.Namespace) -> Path:
    settings = load_settings(args)
    return settings.records_dir


def _existing_models(records_dir: Path) -> set[str]:
    folder = records_dir / "models"
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".md")}


def _finish(records_dir: Path, batch: ImportBatch, args: argparse.Namespace, out: TextIO) -> int:
    from .importers.writer import format_report, write_records

    report = write_records(records_dir, batch.records, dry_run=args.dry_run)
    out.write(format_report(batch, report, dry_run=args.dry_run))
    return EXIT_ERRORS if report.refused or batch.problems else EXIT_OK


# -- mlflow ------------------------------------------------------------------------------------


def _mlflow_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "tracking_uri",
        metavar="STORE",
        help="an mlruns folder, sqlite:///mlflow.db, or http(s)://tracking-server",
    )
    parser.add_argument("--registry-uri", metavar="URI", help="model registry (default: STORE)")
    parser.add_argument(
        "--stage",
        action="append",
        metavar="MLFLOW=STAGE",
        help="map an MLflow stage (Production) or alias (@champion) to a policy stage; repeat",
    )
    parser.add_argument(
        "--person", action="append", metavar="USER=ID", help="map an MLflow user name; repeat"
    )
    parser.add_argument(
        "--model",
        action="append",
        metavar="EXPERIMENT=MODEL",
        help="the model an experiment's runs belong to (default: the experiment's name)",
    )
    parser.add_argument(
        "--default-stage", metavar="STAGE", help="stage of a version no --stage maps"
    )
    parser.add_argument(
        "--commit-tag", metavar="TAG", help="a run tag holding the git commit, after MLflow's own"
    )
    _new_model_options(parser)
    _common(parser)


def run_mlflow(args: argparse.Namespace, out: TextIO) -> int:
    """``import mlflow``: runs -> experiments, registered versions -> model versions."""
    from .importers.mlflow import MlflowOptions, MlflowUnavailable, map_snapshot, read_store

    options = MlflowOptions(
        stages=_pairs(args.stage, "--stage"),
        people=_pairs(args.person, "--person"),
        models=_pairs(args.model, "--model"),
        default_stage=args.default_stage,
        owner=args.owner,
        risk_tier=args.risk_tier,
        commit_tag=args.commit_tag,
    )
    records_dir = _records_dir(args)
    try:
        snapshot = read_store(args.tracking_uri, args.registry_uri)
    except MlflowUnavailable as problem:
        raise UsageError(str(problem)) from None
    batch = map_snapshot(snapshot, options, _existing_models(records_dir))
    return _finish(records_dir, batch, args, out)


# -- hf-card -----------------------------------------------------------------------------------


def _hf_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cards", nargs="+", metavar="PATH", help="model card files (README.md)")
    parser.add_argument("--model-id", metavar="ID", help="the model record's id (one card)")
    parser.add_argument("--version", metavar="VERSION", help="the version the card describes")
    parser.add_argument("--stage", metavar="STAGE", help="the stage that version sits in")
    parser.add_argument("--author", metavar="PERSON", help="the version's author (default: owner)")
    parser.add_argument("--created", metavar="DATE", help="the version's day (default: today)")
    parser.add_argument(
        "--personal-data",
        choices=("true", "false"),
        help="whether the card's Hub datasets hold personal data (new dataset records)",
    )
    _new_model_options(parser)
    _common(parser)


def run_hf_card(args: argparse.Namespace, out: TextIO) -> int:
    """``import hf-card``: a Hugging Face model card -> a model and its datasets."""
    from .cli import parse_date
    from .importers.hf_card import CardOptions, HfUnavailable, read_cards

    if args.model_id and len(args.cards) > 1:
        raise UsageError("--model-id names one model: import one card at a time with it")
    created = parse_date(args.created, "--created").isoformat() if args.created else None
    options = CardOptions(
        owner=args.owner,
        risk_tier=args.risk_tier,
        version=args.version,
        stage=args.stage,
        author=args.author,
        created=created,
        model_id=args.model_id,
        personal_data=None if args.personal_data is None else args.personal_data == "true",
    )
    records_dir = _records_dir(args)
    try:
        batch = read_cards([Path(p) for p in args.cards], options)
    except HfUnavailable as problem:
        raise UsageError(str(problem)) from None
    return _finish(records_dir, batch, args, out)


# -- gto ---------------------------------------------------------------------------------------


def _gto_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "repo", nargs="?", default=".", metavar="REPO", help="the GTO repository (default: .)"
    )
    parser.add_argument(
        "--stage",
        action="append",
        metavar="GTO=STAGE",
        help="map a GTO stage (prod) to a policy stage (production); repeat",
    )
    parser.add_argument(
        "--person", action="append", metavar="EMAIL=ID", help="map a tagger's email; repeat"
    )
    parser.add_argument(
        "--default-stage", metavar="STAGE", help="stage of a version no assignment maps"
    )
    _new_model_options(parser)
    _common(parser)


def run_gto(args: argparse.Namespace, out: TextIO) -> int:
    """``import gto``: registration tags -> versions, assignment tags -> their stage."""
    from .importers.gto import GtoOptions, map_snapshot, read_repository

    repo = Path(args.repo)
    if not (repo / ".git").exists():
        raise UsageError(f"{repo} is not a git repository (GTO keeps its registry in tags)")
    options = GtoOptions(
        stages=_pairs(args.stage, "--stage"),
        people=_pairs(args.person, "--person"),
        default_stage=args.default_stage,
        owner=args.owner,
        risk_tier=args.risk_tier,
    )
    records_dir = _records_dir(args)
    batch = map_snapshot(read_repository(repo), options, _existing_models(records_dir))
    return _finish(records_dir, batch, args, out)


# -- dvc ---------------------------------------------------------------------------------------


def _dvc_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project", nargs="?", default=".", metavar="DIR", help="the DVC project (default: .)"
    )
    parser.add_argument("--experiment-id", metavar="ID", help="the experiment record's id")
    parser.add_argument("--model", metavar="MODEL", help="the model the experiment is for")
    parser.add_argument("--author", metavar="PERSON", help="who ran the experiment")
    parser.add_argument("--date", metavar="DATE", help="the experiment's day (default: today)")
    parser.add_argument("--title", metavar="TEXT", help="the experiment's title")
    _new_model_options(parser)
    _common(parser)


def run_dvc(args: argparse.Namespace, out: TextIO) -> int:
    """``import dvc``: artifacts -> models; params, metrics, plots -> an experiment."""
    from .cli import parse_date
    from .importers.dvc import DvcOptions, map_project, read_project

    root = Path(args.project)
    if not (root / "dvc.yaml").is_file() and not (root / "params.yaml").is_file():
        raise UsageError(f"{root} has no dvc.yaml or params.yaml; point DIR at a DVC project")
    options = DvcOptions(
        experiment_id=args.experiment_id,
        model=args.model,
        author=args.author,
        day=parse_date(args.date, "--date").isoformat() if args.date else None,
        title=args.title,
        owner=args.owner,
        risk_tier=args.risk_tier,
    )
    records_dir = _records_dir(args)
    batch = map_project(read_project(root), options, _existing_models(records_dir))
    return _finish(records_dir, batch, args, out)


# -- registration -----------------------------------------------------------------------------

SOURCES: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[..., int]]] = {
    "mlflow": ("MLflow runs and registered models", _mlflow_arguments, run_mlflow),
    "hf-card": ("a Hugging Face model card (README.md)", _hf_arguments, run_hf_card),
    "gto": ("GTO registration and stage assignment tags", _gto_arguments, run_gto),
    "dvc": ("DVC artifacts, params, metrics and plots", _dvc_arguments, run_dvc),
}


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``import`` subcommand's own subcommands, one per source."""
    sources = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
    for name, (help_text, add_arguments, run) in SOURCES.items():
        sub = sources.add_parser(name, help=help_text, description=help_text)
        add_arguments(sub)
        sub.set_defaults(import_handler=run)


def run_import(args: argparse.Namespace, out: TextIO) -> int:
    """``import SOURCE``: run the chosen importer."""
    return int(args.import_handler(args, out))
