"""Load a records folder into a typed [`Registry`][mkdocs_governance.records.model.Registry].

Layout (SPEC §3), relative to the records folder:

    policy.yaml                  people.yaml
    models/<id>.yaml|.yml|.md    datasets/<id>.yaml|.yml     experiments/<id>.yaml|.yml
    decisions/<NNNN-slug>.md     signoffs/**/<any>.yaml|.yml verifications/**/<any>.yaml|.yml
    deployments/**/<any>.yaml|.yml (one deployment event each)

Every file under the records folder is either loaded or reported. The only files
skipped silently are ``README.md``/``README``/``README.txt`` at the top of the folder
(documentation of the folder itself) and ``.gitkeep``, ``.gitignore`` and
``.DS_Store`` anywhere. Anything else in an unexpected place or with an unexpected
extension is an ``invalid-record`` finding; symbolic links are refused (a record
must be a file of the repository, not a pointer elsewhere).

Reference rules:

- ``owner``, ``author``, ``approver``, ``waiver.approved_by`` name a person id of
  ``people.yaml``;
- ``performed_by`` names a person id, or an automated run written
  ``pipeline:<name>`` (e.g. ``pipeline:nightly-eval``): a bare unknown name is
  reported, so a typo in a person id cannot pass as a pipeline;
- ``model``/``version`` name a model version, except in a sign-off of a policy
  change: ``model: policy`` (while no model has the id ``policy``) takes any
  ``version`` text and the stage ``policy`` (SPEC §6a); ``experiment`` an experiment,
  ``datasets`` datasets, ``check`` a check of the policy catalogue, ``stage`` a
  policy stage, ``role`` a role someone holds in ``people.yaml`` or the policy asks
  for, and a decision's ``models`` and ``supersedes`` existing models/decisions;
- decision makers are free-text names and are not checked.

A file with any schema error is left out of the registry (its problems are the
findings). References to records that failed to load are not reported again, so
one broken file gives one set of findings, not a cascade.

Model and dataset and experiment ``id`` default to the file name without its
extension. Sign-off and verification ids are their repository-relative paths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..findings import Code, Finding, error, warning
from .decisions import read_decision
from .discovery import discover, symlink_on_the_way
from .model import (
    DOCUMENT_PARTS,
    POLICY_MODEL,
    VERIFICATION_PART,
    Artifact,
    CheckSpec,
    Dataset,
    Decision,
    Deployment,
    Environment,
    Experiment,
    Location,
    Model,
    ModelVersion,
    Person,
    Pipeline,
    Policy,
    Registry,
    Rules,
    ServingLogSource,
    SignOff,
    SignoffRequirement,
    StageRequirements,
    TierOverride,
    Verification,
    Waiver,
    empty_registry,
)
from .schema import (
    DATASET,
    DEPLOYMENT,
    EXPERIMENT,
    MODEL,
    PERSON,
    PIPELINE,
    POLICY,
    SIGNOFF,
    VERIFICATION,
    Issues,
    RecordSchema,
    convert_mapping,
    did_you_mean,
    json_ready,
)
from .yamlsafe import (
    YamlError,
    YamlMap,
    YamlNode,
    YamlScalar,
    YamlSeq,
    read_front_matter_bytes,
    read_yaml_bytes,
)

YAML_SUFFIXES = (".yaml", ".yml")
TOP_LEVEL_DOCS = ("README.md", "README", "README.txt")
IGNORED_EVERYWHERE = (".gitkeep", ".gitignore", ".DS_Store")
# Files beside decisions that the wiki publishes with them (ADR folders keep diagrams).
DECISION_ASSET_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
PIPELINE_PREFIX = "pipeline:"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading produced: the registry and every finding about the records."""

    registry: Registry
    findings: tuple[Finding, ...]


def load_registry(records_dir: Path, repo_root: Path | None = None) -> LoadResult:
    """Read every record file under ``records_dir`` from disk.

    Args:
        records_dir: the records folder.
        repo_root: paths in the registry and the findings are relative to it
            (POSIX); defaults to ``records_dir``'s parent.

    Never raises for bad input: a missing folder, an unreadable file or a broken
    record is a finding.
    """
    # Not resolved inside the repository: a symlinked records folder (or a folder on
    # the way to it) must be seen and refused, not followed.
    given = Path(os.path.abspath(records_dir))
    root = Path(os.path.realpath(repo_root if repo_root is not None else given.parent))
    if not given.is_relative_to(root):
        given = Path(os.path.realpath(given.parent)) / given.name
    records_dir = given
    try:
        rel_dir = records_dir.relative_to(root).as_posix()
    except ValueError:
        rel_dir = records_dir.as_posix()
    link = symlink_on_the_way(root, records_dir)
    if link is None and not Path(os.path.realpath(records_dir)).is_relative_to(root):
        link = records_dir
    if link is not None:
        shown = link.relative_to(root).as_posix() if link.is_relative_to(root) else str(link)
        if link.is_symlink():
            message = (
                f"`{shown}` is a symbolic link (to `{os.readlink(link)}`); the records are "
                "not read: they must be regular files and folders in the repository, since "
                "a link can point outside it (or at records and a policy of a change's own "
                "choosing) and Git history cannot vouch for its target. Replace the link "
                "with the folder itself"
            )
        else:
            message = (
                f"the records folder `{shown}` is outside the repository {root} (it is "
                f"`{os.path.realpath(link)}`); the records are not read: they must be files "
                "of the repository whose history the gate reads. Set `records_dir` to a "
                "folder inside it"
            )
        finding = error(Code.INVALID_RECORD, rel_dir, message, rel_dir, 1)
        return LoadResult(empty_registry(rel_dir), (finding,))
    if not records_dir.is_dir():
        finding = error(
            Code.INVALID_RECORD,
            rel_dir,
            f"records folder `{rel_dir}` does not exist; create it or set `records_dir` "
            "to the folder holding policy.yaml",
            rel_dir,
        )
        return LoadResult(empty_registry(rel_dir), (finding,))
    sources, refused = discover(records_dir, rel_dir)
    return _load(sources, rel_dir, refused)


def load_registry_from_blobs(blobs: Mapping[str, bytes], records_dir: str) -> LoadResult:
    """Same as [`load_registry`][mkdocs_governance.records.loader.load_registry], from memory.

    Args:
        blobs: repository-relative POSIX path -> file bytes (e.g. read at a git
            base ref); paths outside ``records_dir`` are ignored.
        records_dir: repository-relative POSIX path of the records folder.
    """
    rel_dir = records_dir.strip("/")
    prefix = f"{rel_dir}/"
    sources = {
        path: (lambda data=data: data)
        for path, data in sorted(blobs.items())
        if path.startswith(prefix)
    }
    return _load(sources, rel_dir, [])


def parse_model_blob(path: str, data: bytes) -> Model | None:
    """One model file's bytes as a [`Model`][mkdocs_governance.records.model.Model], alone.

    For reading a model file as it was at an older commit (version provenance): the
    file is parsed and typed by the schema exactly as the loader does, but references
    (owner, authors, stages, datasets) are not checked, since the rest of the records
    at that commit are not loaded. The model id defaults to ``path``'s file name.

    Returns None when the file does not parse or breaks the schema.
    """
    state = _State(PurePosixPath(path).parent.parent.as_posix())
    try:
        _load_model(state, path, data)
    except YamlError:
        return None
    if state.findings or len(state.models) != 1:
        return None
    return next(iter(state.models.values()))


def parse_signoff_blob(path: str, data: bytes) -> SignOff | None:
    """One sign-off file's bytes as a [`SignOff`][mkdocs_governance.records.model.SignOff], alone.

    For reading a sign-off as a file held it before it was replaced or deleted (the
    history keeps it); references are not checked. None when it does not parse.
    """
    state = _State(PurePosixPath(path).parent.as_posix())
    try:
        _load_signoff(state, path, data)
    except YamlError:
        return None
    if state.findings or len(state.signoffs) != 1:
        return None
    return state.signoffs[0]


# --- the pass ---------------------------------------------------------------------


@dataclass
class _State:
    """Everything gathered while loading one folder."""

    records_dir: str
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    people_file: str | None = None
    people_loaded: bool = False
    pipelines: dict[str, Pipeline] = field(default_factory=dict)
    policy: Policy | None = None
    policy_file: str | None = None
    models: dict[str, Model] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    experiments: dict[str, Experiment] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    signoffs: list[SignOff] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    # Ids claimed by records that failed to load: references to them are not
    # reported again (the file's own findings already say what is wrong).
    broken: dict[str, set[str]] = field(default_factory=dict)
    # Records that broke their schema, with the fields that did convert: their
    # references are checked too, so every error of a record is reported at once.
    partial: list[tuple[str, str, str, dict[str, Any], dict[str, int]]] = field(
        default_factory=list
    )
    assets: dict[str, bytes] = field(default_factory=dict)

    def invalid(self, file: str, line: int | None, message: str, subject: str = "") -> None:
        self.findings.append(error(Code.INVALID_RECORD, subject or file, message, file, line))

    def mark_broken(self, kind: str, record_id: str | None) -> None:
        if record_id:
            self.broken.setdefault(kind, set()).add(record_id)

    def is_broken(self, kind: str, record_id: str) -> bool:
        return record_id in self.broken.get(kind, set())


def _load(
    sources: Mapping[str, Callable[[], bytes]], rel_dir: str, refused: list[Finding]
) -> LoadResult:
    state = _State(rel_dir)
    state.findings.extend(refused)
    state.files.extend(f.file for f in refused if f.file)
    foreign_roots: dict[str, list[str]] = {}
    for path in sorted(sources):
        kind = _classify(path, rel_dir)
        if kind == "ignore":
            continue
        state.files.append(path)
        if kind == "unexpected-foreign":
            _report_foreign(state, path, rel_dir, foreign_roots)
            continue
        if kind.startswith("unexpected"):
            state.invalid(path, 1, _unexpected_message(path, rel_dir, kind))
            continue
        if kind == "decision-asset":
            _load_asset(state, path, sources[path])
            continue
        # Claimed before reading, so an unreadable policy.yaml is not also "missing".
        if kind == "policy" and state.policy_file is None:
            state.policy_file = path
        elif kind == "people" and state.people_file is None:
            state.people_file = path
        try:
            data = sources[path]()
            _LOADERS[kind](state, path, data)
        except YamlError as exc:
            state.invalid(path, exc.line or 1, exc.message)
            state.mark_broken(kind, _fallback_id(kind, path))
        except Exception as exc:  # pragma: no cover - the last line of defence
            state.invalid(
                path,
                1,
                f"could not be read ({type(exc).__name__}: {exc}); this is a bug in "
                "mkdocs-governance, please report it with this file",
            )
            state.mark_broken(kind, _fallback_id(kind, path))
    _finish_foreign(state, rel_dir, foreign_roots)
    if state.policy_file is None:
        state.invalid(
            f"{rel_dir}/policy.yaml",
            None,
            "policy.yaml is missing: without it no stage has requirements and the gate "
            "would pass vacuously; add policy.yaml (stages, checks, requirements, rules)",
        )
    if state.people_file is None:
        state.invalid(
            f"{rel_dir}/people.yaml",
            None,
            "people.yaml is missing: owners, authors and approvers cannot be checked; "
            "add people.yaml with a `people:` list",
        )
    _check_decision_numbers(state)
    _check_references(state)
    registry = Registry(
        records_dir=rel_dir,
        people=dict(sorted(state.people.items())),
        policy=state.policy,
        models=dict(sorted(state.models.items())),
        datasets=dict(sorted(state.datasets.items())),
        experiments=dict(sorted(state.experiments.items())),
        decisions=dict(sorted(state.decisions.items())),
        signoffs=tuple(sorted(state.signoffs, key=lambda s: s.id)),
        verifications=tuple(sorted(state.verifications, key=lambda v: v.id)),
        files=tuple(sorted(set(state.files))),
        pipelines=dict(sorted(state.pipelines.items())),
        assets=dict(sorted(state.assets.items())),
        deployments=tuple(sorted(state.deployments, key=lambda d: (d.started, d.id))),
    )
    return LoadResult(registry, tuple(state.findings))


# Other tools' files dropped into the records folder: one finding per folder, with the
# importer that reads them (issue 15), instead of one misleading "move it" per file.
_FOREIGN_HINTS = {
    "mlflow": (
        "an MLflow tracking store (its `meta.yaml`, metrics, params and tags files); records "
        "are not read from it: move the store out of the records folder and run "
        "`mkdocs-governance import mlflow <store>`, which writes experiment and model records"
    ),
    "dvc": (
        "DVC project files (`dvc.yaml`, `dvc.lock`, `.dvc`, `params.yaml`); move them out of the "
        "records folder and run `mkdocs-governance import dvc <project>`"
    ),
    "gto": (
        "GTO's `artifacts.yaml`; it belongs at the repository root: move it there and run "
        "`mkdocs-governance import gto`"
    ),
}


def foreign_tool(inner: PurePosixPath) -> str | None:
    """The tool whose file ``inner`` (relative to the records folder) is, if any."""
    name = inner.name
    parts = inner.parts
    mlflow_folders = ("metrics", "params", "tags", "artifacts", "aliases", ".trash")
    # `models/meta.yaml` may be a model called "meta": only deeper (a store's layout)
    # or at the top, where no record of that name can be, is it MLflow's.
    if (name == "meta.yaml" and len(parts) != 2) or (
        len(parts) >= 4 and any(p in mlflow_folders for p in parts[2:-1])
    ):
        return "mlflow"
    if name == "dvc.lock" or name.endswith(".dvc"):
        return "dvc"
    if len(parts) == 1 and name in ("dvc.yaml", "params.yaml"):
        return "dvc"
    if len(parts) == 1 and name == "artifacts.yaml":
        return "gto"
    return None


def _foreign_root(inner: PurePosixPath) -> str:
    """The folder a foreign tool's files sit in, for one finding per folder."""
    parts = inner.parts[:-1]
    for index, part in enumerate(parts):
        if part.isdigit() or (part in (".trash", "models") and index > 0):
            return "/".join(parts[:index]) or parts[0]
    return "/".join(parts) or "."


def _report_foreign(state: _State, path: str, rel_dir: str, roots: dict[str, list[str]]) -> None:
    inner = PurePosixPath(path[len(rel_dir) + 1 :])
    roots.setdefault(f"{foreign_tool(inner)}:{_foreign_root(inner)}", []).append(path)


def _finish_foreign(state: _State, rel_dir: str, roots: dict[str, list[str]]) -> None:
    """One finding per folder of another tool's files, naming the importer to use."""
    for key, paths in roots.items():
        tool, _, root = key.partition(":")
        where = f"{rel_dir}/{root}" if root != "." else rel_dir
        more = len(paths) - 1
        others = f" (and {more} more file{'s' if more != 1 else ''} there)" if more else ""
        state.invalid(
            paths[0],
            1,
            f"`{paths[0]}`{others} is not a record file: `{where}` holds {_FOREIGN_HINTS[tool]}",
        )


def _load_asset(state: _State, path: str, read: Callable[[], bytes]) -> None:
    """An image beside the decisions: kept for the wiki, or reported when unreadable."""
    try:
        state.assets[path] = read()
    except (OSError, YamlError) as problem:
        message = getattr(problem, "message", None) or str(problem)
        state.invalid(path, 1, f"cannot be published with the decisions: {message}")


def _classify(path: str, rel_dir: str) -> str:
    """Which loader a file goes to, ``ignore``, or ``unexpected-…``."""
    inner = PurePosixPath(path[len(rel_dir) + 1 :])
    parts = inner.parts
    name = inner.name
    suffix = inner.suffix.lower()
    if name in IGNORED_EVERYWHERE:
        return "ignore"
    if foreign_tool(inner) is not None:
        return "unexpected-foreign"
    if len(parts) == 1:
        if name in TOP_LEVEL_DOCS:
            return "ignore"
        stem = inner.stem
        if stem in ("policy", "people") and suffix in YAML_SUFFIXES:
            return stem
        return "unexpected-top"
    folder = parts[0]
    if folder == "decisions" and suffix in DECISION_ASSET_SUFFIXES:
        return "decision-asset"
    if folder in ("models", "datasets", "experiments", "decisions") and len(parts) != 2:
        return "unexpected-nested"
    if folder == "models":
        return "model" if suffix in (*YAML_SUFFIXES, ".md") else "unexpected-suffix"
    if folder in ("datasets", "experiments"):
        return folder[:-1] if suffix in YAML_SUFFIXES else "unexpected-suffix"
    if folder == "decisions":
        return "decision" if suffix == ".md" else "unexpected-suffix"
    if folder in ("signoffs", "verifications", "deployments"):
        return folder[:-1] if suffix in YAML_SUFFIXES else "unexpected-suffix"
    return "unexpected-folder"


def _unexpected_message(path: str, rel_dir: str, kind: str) -> str:
    inner = PurePosixPath(path[len(rel_dir) + 1 :])
    if kind == "unexpected-top":
        return (
            f"`{inner.name}` is not a record file: the top of the records folder holds "
            "only policy.yaml and people.yaml; move it into models/, datasets/, "
            "experiments/, decisions/, signoffs/, verifications/ or deployments/"
        )
    if kind == "unexpected-nested":
        return (
            f"records in `{inner.parts[0]}/` are not read from sub-folders; move "
            f"`{inner.name}` directly into `{rel_dir}/{inner.parts[0]}/`"
        )
    if kind == "unexpected-suffix":
        allowed = {
            "models": ".yaml, .yml or .md",
            "decisions": ".md",
        }.get(inner.parts[0], ".yaml or .yml")
        return (
            f"`{inner.name}` has an unexpected extension for `{inner.parts[0]}/` "
            f"(expected {allowed}); rename it or move it out of the records folder"
        )
    folders = "models, datasets, experiments, decisions, signoffs, verifications, deployments"
    return (
        f"`{inner.parts[0]}/` is not a records folder{did_you_mean(inner.parts[0], folders.split(', '))}; "
        f"records go in: {folders}"
    )


def _fallback_id(kind: str, path: str) -> str | None:
    if kind in ("model", "dataset", "experiment", "decision"):
        return PurePosixPath(path).stem
    if kind in ("signoff", "verification", "deployment"):
        return path
    return None


# --- one loader per kind ----------------------------------------------------------


def _report(state: _State, path: str, issues: Issues, subject: str = "") -> bool:
    """Turn schema issues into findings; True when there were none."""
    for line, message in issues.items:
        state.invalid(path, line, message, subject)
    return not issues


def _expect_mapping(node: YamlNode, what: str) -> YamlMap:
    if not isinstance(node, YamlMap):
        shape = "a list" if isinstance(node, YamlSeq) else "a single value"
        raise YamlError(f"{what} must be a mapping of `field: value` lines, not {shape}", node.line)
    return node


def _load_policy(state: _State, path: str, data: bytes) -> None:
    if state.policy_file != path:
        state.findings.append(
            error(
                Code.DUPLICATE_ID,
                path,
                f"a second policy file; `{state.policy_file}` already holds the policy: "
                "keep exactly one policy.yaml",
                path,
                1,
            )
        )
        return
    node = _expect_mapping(read_yaml_bytes(data), "policy.yaml")
    issues = Issues()
    values, lines = convert_mapping(POLICY, node, issues)
    if not _report(state, path, issues):
        return
    policy = _build_policy(path, node, values, lines, issues)
    if _report(state, path, issues):
        state.policy = policy


def _document_sections(
    check_id: str, spec: dict[str, Any], values: dict[str, Any], line: int, issues: Issues
) -> dict[str, tuple[str, ...]]:
    """A documentation check's ``sections``: known parts only, on the right kind of check."""
    declared: dict[str, list[str]] = spec.get("sections") or {}
    if declared and spec.get("automatic") != "documentation":
        issues.add(
            line,
            f"check `{check_id}` declares `sections`, which only an `automatic: "
            "documentation` check reads; add `automatic: documentation` or remove them",
        )
    catalogue = set(values.get("checks", {}))
    sections: dict[str, tuple[str, ...]] = {}
    for tier, parts in declared.items():
        for part in parts:
            if part.startswith(VERIFICATION_PART):
                named = part[len(VERIFICATION_PART) :]
                if named not in catalogue:
                    issues.add(
                        line,
                        f"check `{check_id}` asks documents for `{part}`, but `{named}` is "
                        f"not in the check catalogue{did_you_mean(named, sorted(catalogue))}; "
                        "name a check defined under `checks:`",
                    )
            elif part not in DOCUMENT_PARTS:
                issues.add(
                    line,
                    f"check `{check_id}` asks {tier}-risk documents for `{part}`, which is "
                    f"not a document part{did_you_mean(part, sorted(DOCUMENT_PARTS))}; use "
                    f"one of {', '.join(DOCUMENT_PARTS)} or `verification:<check-id>`",
                )
        sections[tier] = tuple(parts)
    return sections


def _build_policy(
    path: str, node: YamlMap, values: dict[str, Any], lines: dict[str, int], issues: Issues
) -> Policy:
    stages: tuple[str, ...] = values["stages"]
    stages_line = lines["stages"]
    if not stages:
        issues.add(stages_line, "`stages` is empty; list the stages in promotion order")
    seen: set[str] = set()
    for stage in stages:
        if stage in seen:
            issues.add(stages_line, f"stage `{stage}` is listed twice in `stages`; list it once")
        seen.add(stage)
    checks_node = node.items.get("checks")
    checks: dict[str, CheckSpec] = {}
    for check_id, spec in values.get("checks", {}).items():
        check_line = checks_node.key_lines[check_id] if isinstance(checks_node, YamlMap) else 1
        minimum, maximum = spec.get("min"), spec.get("max")
        if (minimum is not None or maximum is not None) and not spec.get("metric"):
            issues.add(
                check_line,
                f"check `{check_id}` has a min/max but no `metric`; name the version "
                "metric to compare",
            )
        if minimum is not None and maximum is not None and minimum > maximum:
            issues.add(
                check_line,
                f"check `{check_id}` has min {minimum} above max {maximum}, so no value "
                "can pass; swap them or fix the bound",
            )
        sections = _document_sections(check_id, spec, values, check_line, issues)
        checks[check_id] = CheckSpec(
            id=check_id,
            title=spec["title"],
            description=spec.get("description", ""),
            metric=spec.get("metric"),
            minimum=minimum,
            maximum=maximum,
            automatic=spec.get("automatic"),
            location=Location(path, check_line, {}),
            sections=sections,
        )
    requirements_node = node.items.get("requirements")
    requirements: dict[str, StageRequirements] = {}
    for stage, spec in values.get("requirements", {}).items():
        stage_line = (
            requirements_node.key_lines[stage] if isinstance(requirements_node, YamlMap) else 1
        )
        if stage not in stages:
            issues.add(
                stage_line,
                f"requirements name the stage `{stage}`, which is not in `stages`"
                f"{did_you_mean(stage, stages)}; add it to `stages` or fix the name",
            )
        named_checks = list(spec.get("checks", ()))
        tiers: dict[str, TierOverride] = {}
        for tier, override in spec.get("by_risk_tier", {}).items():
            named_checks.extend(override.get("checks", ()))
            tiers[tier] = TierOverride(
                checks=tuple(override.get("checks", ())),
                signoffs=_signoff_requirements(override.get("signoffs", ())),
            )
        for check_id in named_checks:
            if check_id not in checks:
                issues.add(
                    stage_line,
                    f"requirements of `{stage}` name the check `{check_id}`, which is not in "
                    f"the `checks` catalogue{did_you_mean(check_id, list(checks))}; add it "
                    "to `checks` or fix the name",
                )
        requirements[stage] = StageRequirements(
            stage=stage,
            checks=tuple(spec.get("checks", ())),
            signoffs=_signoff_requirements(spec.get("signoffs", ())),
            by_risk_tier=tiers,
            bound_artifact=bool(spec.get("bound_artifact", False)),
        )
    rule_values = dict(values.get("rules", {}))
    if "waiver_roles" in rule_values:
        rule_values["waiver_roles"] = tuple(rule_values["waiver_roles"])
    if "policy_change_signoffs" in rule_values:
        rule_values["policy_change_signoffs"] = _signoff_requirements(
            rule_values["policy_change_signoffs"]
        )
    if "deploy_roles" in rule_values:
        rule_values["deploy_roles"] = tuple(rule_values["deploy_roles"])
    rule_values.pop("extra", None)
    return Policy(
        stages=stages,
        checks=checks,
        requirements=requirements,
        rules=Rules(**rule_values),
        location=Location(path, 1, lines),
        gto_stages=dict(values.get("gto_stages", {})),
        environments=_environments(path, node, values, stages, issues),
    )


def _environments(
    path: str, node: YamlMap, values: dict[str, Any], stages: tuple[str, ...], issues: Issues
) -> dict[str, Environment]:
    """``environments:``: deployment environment -> the stage it requires (and its logs)."""
    environments_node = node.items.get("environments")
    environments: dict[str, Environment] = {}
    for env_id, spec in values.get("environments", {}).items():
        line = environments_node.key_lines[env_id] if isinstance(environments_node, YamlMap) else 1
        if spec["stage"] not in stages:
            issues.add(
                line,
                f"environment `{env_id}` requires the stage `{spec['stage']}`, which is not in "
                f"`stages`{did_you_mean(spec['stage'], stages)}; name one of the policy's stages",
            )
        logs = tuple(
            ServingLogSource(
                path=item["path"],
                format=item.get("format"),
                preset=item.get("preset"),
                fields=dict(item.get("fields", {})),
            )
            for item in spec.get("serving_logs", ())
        )
        environments[env_id] = Environment(env_id, spec["stage"], logs, Location(path, line, {}))
    return environments


def _signoff_requirements(items: Iterable[Mapping[str, Any]]) -> tuple[SignoffRequirement, ...]:
    return tuple(SignoffRequirement(item["role"], item.get("count", 1)) for item in items)


def _load_people(state: _State, path: str, data: bytes) -> None:
    if state.people_file != path:
        state.findings.append(
            error(
                Code.DUPLICATE_ID,
                path,
                f"a second people file; `{state.people_file}` already lists the people: "
                "keep exactly one people.yaml",
                path,
                1,
            )
        )
        return
    node = _expect_mapping(read_yaml_bytes(data), "people.yaml")
    issues = Issues()
    for key, line in node.key_lines.items():
        if key not in ("people", "pipelines", "extra"):
            issues.add(
                line,
                f"unknown field `{key}`{did_you_mean(key, ['people', 'pipelines'])}; "
                "people.yaml holds a `people:` list and an optional `pipelines:` list",
            )
    people_node = node.items.get("people")
    if people_node is None:
        issues.add(node.line, "required field `people` is missing; add a `people:` list")
    elif not isinstance(people_node, YamlSeq):
        issues.add(people_node.line, "`people` must be a list with one `- id: …` entry per person")
    _report(state, path, issues)
    if not isinstance(people_node, YamlSeq):
        return
    # Person by person: one bad entry must not hide everybody else.
    state.people_loaded = True
    for index, item in enumerate(people_node.items, start=1):
        item_issues = Issues()
        if not isinstance(item, YamlMap):
            item_issues.add(item.line, f"`people[{index}]` must be a mapping with `id`, `name`…")
            _report(state, path, item_issues)
            continue
        values, lines = convert_mapping(PERSON, item, item_issues, prefix=f"people[{index}].")
        person_id = _scalar_text(item.items.get("id"))
        if not _report(state, path, item_issues, subject=person_id or path):
            state.mark_broken("person", person_id)
            continue
        person = Person(
            id=values["id"],
            name=values["name"],
            emails=tuple(values.get("emails", ())),
            roles=tuple(values.get("roles", ())),
            signing_keys=tuple(values.get("signing_keys", ())),
            location=Location(path, item.line, lines),
            extra=values.get("extra", {}),
        )
        first = state.people.get(person.id)
        if first is not None:
            state.findings.append(
                error(
                    Code.DUPLICATE_ID,
                    person.id,
                    f"person id `{person.id}` is used twice: {first.location.file}:"
                    f"{first.location.line_of('id')} and {path}:{lines['id']}; give each "
                    "person one entry with a unique id",
                    path,
                    lines["id"],
                )
            )
            continue
        state.people[person.id] = person
        _check_emails(state, person, item)
    _load_pipelines(state, path, node.items.get("pipelines"))


def _load_pipelines(state: _State, path: str, node: YamlNode | None) -> None:
    """The ``pipelines:`` list: automated identities, entry by entry."""
    if node is None or (isinstance(node, YamlScalar) and node.is_null):
        return
    if not isinstance(node, YamlSeq):
        issues = Issues()
        issues.add(node.line, "`pipelines` must be a list with one `- id: …` entry per pipeline")
        _report(state, path, issues)
        return
    for index, item in enumerate(node.items, start=1):
        item_issues = Issues()
        if not isinstance(item, YamlMap):
            item_issues.add(
                item.line, f"`pipelines[{index}]` must be a mapping with `id`, `name`, `emails`"
            )
            _report(state, path, item_issues)
            continue
        values, lines = convert_mapping(PIPELINE, item, item_issues, prefix=f"pipelines[{index}].")
        pipeline_id = _scalar_text(item.items.get("id"))
        if not _report(state, path, item_issues, subject=pipeline_id or path):
            state.mark_broken("pipeline", pipeline_id)
            continue
        pipeline = Pipeline(
            id=values["id"],
            name=values["name"],
            emails=tuple(values.get("emails", ())),
            signing_keys=tuple(values.get("signing_keys", ())),
            location=Location(path, item.line, lines),
            extra=values.get("extra", {}),
        )
        first = state.pipelines.get(pipeline.id)
        if first is not None:
            state.findings.append(
                error(
                    Code.DUPLICATE_ID,
                    pipeline.reference,
                    f"pipeline id `{pipeline.id}` is used twice: {first.location.file}:"
                    f"{first.location.line_of('id')} and {path}:{lines['id']}; give each "
                    "pipeline one entry with a unique id",
                    path,
                    lines["id"],
                )
            )
            continue
        state.pipelines[pipeline.id] = pipeline
        _check_emails(state, pipeline, item)


def _check_emails(state: _State, person: Person | Pipeline, item: YamlMap) -> None:
    """One git identity, one person or pipeline: otherwise a commit could be credited
    to either."""
    emails_node = item.items.get("emails")
    lines = (
        [entry.line for entry in emails_node.items]
        if isinstance(emails_node, YamlSeq)
        else [person.location.line_of("emails")] * len(person.emails)
    )
    identities: list[Person | Pipeline] = [*state.people.values(), *state.pipelines.values()]
    for email, line in zip(person.emails, lines, strict=False):
        for other in identities:
            if other is person or (type(other) is type(person) and other.id == person.id):
                continue
            if email.lower() in (known.lower() for known in other.emails):
                state.findings.append(
                    error(
                        Code.DUPLICATE_ID,
                        person.id,
                        f"email `{email}` belongs to both `{other.id}` "
                        f"({other.location.file}:{other.location.line_of('emails')}) and "
                        f"`{person.id}` ({person.location.file}:{line}); commits by this "
                        "address could be credited to either: keep it on one person",
                        person.location.file,
                        line,
                    )
                )


def _scalar_text(node: YamlNode | None) -> str | None:
    if isinstance(node, YamlScalar) and not node.is_null:
        return node.text
    return None


def _read_fields(
    state: _State, path: str, data: bytes, schema: RecordSchema, kind: str
) -> tuple[dict[str, Any], dict[str, int], YamlMap, str] | None:
    """Parse a YAML (or front-matter) record and type it; None after reporting."""
    body = ""
    if path.lower().endswith(".md"):
        document = read_front_matter_bytes(data)
        if document.data is None:
            raise YamlError(
                f"a Markdown {kind} record needs YAML front matter: start the file with a "
                "`---` line, the fields, and a closing `---` line",
                1,
            )
        node = document.data
        body = document.body
    else:
        node = _expect_mapping(read_yaml_bytes(data), f"a {kind} record")
    issues = Issues()
    values, lines = convert_mapping(schema, node, issues)
    record_id = _scalar_text(node.items.get("id")) or PurePosixPath(path).stem
    if kind in ("signoff", "verification", "deployment"):
        record_id = path
    if not _report(state, path, issues, subject=record_id):
        state.mark_broken(kind, record_id)
        state.partial.append((kind, record_id, path, values, lines))
        return None
    return values, lines, node, body


def _claim(state: _State, table: dict[str, Any], kind: str, record: Any, path: str) -> None:
    """Add ``record`` under its id unless another file claims it (duplicate-id)."""
    first = table.get(record.id)
    if first is None:
        table[record.id] = record
        return
    state.findings.append(
        error(
            Code.DUPLICATE_ID,
            record.id,
            f"{kind} id `{record.id}` is claimed by two files: {first.location.file}:"
            f"{first.location.line_of('id')} and {path}:{record.location.line_of('id')}; "
            "rename one of them",
            path,
            record.location.line_of("id"),
        )
    )


def _load_model(state: _State, path: str, data: bytes) -> None:
    read = _read_fields(state, path, data, MODEL, "model")
    if read is None:
        return
    values, lines, node, body = read
    model_id = values.get("id", PurePosixPath(path).stem)
    versions: list[ModelVersion] = []
    versions_node = node.items.get("versions")
    seen: dict[str, int] = {}
    # The schema accepted `versions` as a list of mappings, so nodes and typed
    # entries pair up one to one; the nodes give the lines.
    version_nodes = versions_node.items if isinstance(versions_node, YamlSeq) else ()
    for item, entry in zip(version_nodes, values.get("versions", ()), strict=True):
        if not isinstance(item, YamlMap):  # pragma: no cover - excluded by the schema
            continue
        version_lines = dict(item.key_lines)
        for key, value_node in item.items.items():
            if isinstance(value_node, YamlSeq):
                version_lines.update(
                    (f"{key}[{index}]", each.line) for index, each in enumerate(value_node.items)
                )
        version = entry["version"]
        if version in seen:
            state.findings.append(
                error(
                    Code.DUPLICATE_ID,
                    f"{model_id}@{version}",
                    f"version `{version}` of `{model_id}` is listed twice: lines "
                    f"{seen[version]} and {version_lines['version']}; give each version "
                    "one entry",
                    path,
                    version_lines["version"],
                )
            )
            continue
        seen[version] = version_lines["version"]
        artifact = entry.get("artifact")
        versions.append(
            ModelVersion(
                model_id=model_id,
                version=version,
                created=entry["created"],
                stage=entry["stage"],
                author=entry["author"],
                artifact=Artifact(artifact["uri"], artifact.get("sha256", "").lower())
                if artifact
                else None,
                experiment=entry.get("experiment"),
                datasets=tuple(entry.get("datasets", ())),
                metrics=dict(entry.get("metrics", {})),
                description=entry.get("description", ""),
                content=json_ready(entry),
                location=Location(path, item.line, version_lines),
                extra=entry.get("extra", {}),
            )
        )
    model = Model(
        id=model_id,
        name=values["name"],
        owner=values["owner"],
        description=values.get("description", ""),
        risk_tier=values["risk_tier"],
        intended_use=values.get("intended_use", ""),
        out_of_scope_use=values.get("out_of_scope_use", ""),
        limitations=values.get("limitations", ""),
        ethical_considerations=values.get("ethical_considerations", ""),
        datasets=tuple(values.get("datasets", ())),
        tags=tuple(values.get("tags", ())),
        versions=tuple(versions),
        body=body,
        location=Location(path, 1, lines),
        extra=values.get("extra", {}),
    )
    _claim(state, state.models, "model", model, path)


def _load_dataset(state: _State, path: str, data: bytes) -> None:
    read = _read_fields(state, path, data, DATASET, "dataset")
    if read is None:
        return
    values, lines, _, _ = read
    dataset = Dataset(
        id=values.get("id", PurePosixPath(path).stem),
        name=values["name"],
        description=values.get("description", ""),
        owner=values.get("owner", ""),
        source=values.get("source", ""),
        version=values.get("version", ""),
        sha256=values.get("sha256", "").lower(),
        personal_data=values["personal_data"],
        license=values.get("license", ""),
        location=Location(path, 1, lines),
        extra=values.get("extra", {}),
    )
    _claim(state, state.datasets, "dataset", dataset, path)


def _load_experiment(state: _State, path: str, data: bytes) -> None:
    read = _read_fields(state, path, data, EXPERIMENT, "experiment")
    if read is None:
        return
    values, lines, _, _ = read
    experiment = Experiment(
        id=values.get("id", PurePosixPath(path).stem),
        model=values["model"],
        title=values["title"],
        hypothesis=values.get("hypothesis", ""),
        author=values["author"],
        date=values["date"],
        datasets=tuple(values.get("datasets", ())),
        code_commit=values.get("code_commit", ""),
        params=values.get("params", {}),
        metrics=values.get("metrics", {}),
        metric_history={k: tuple(v) for k, v in values.get("metric_history", {}).items()},
        tags=dict(values.get("tags", {})),
        outcome=values.get("outcome", "running"),
        conclusion=values.get("conclusion", ""),
        location=Location(path, 1, lines),
        extra=values.get("extra", {}),
    )
    _claim(state, state.experiments, "experiment", experiment, path)


def _load_decision(state: _State, path: str, data: bytes) -> None:
    document = read_front_matter_bytes(data)
    decision, issues = read_decision(path, document)
    for issue in issues:
        make = warning if issue.warning else error
        subject = decision.id if decision is not None else path
        state.findings.append(make(Code.INVALID_RECORD, subject, issue.message, path, issue.line))
    if decision is None:
        if any(not issue.warning for issue in issues):
            state.mark_broken("decision", PurePosixPath(path).stem)
        return
    state.decisions[decision.id] = decision


_EVIDENCE_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _load_signoff(state: _State, path: str, data: bytes) -> None:
    read = _read_fields(state, path, data, SIGNOFF, "signoff")
    if read is None:
        return
    values, lines, _, _ = read
    state.signoffs.append(
        SignOff(
            id=path,
            model=values["model"],
            version=values["version"],
            stage=values["stage"],
            approver=values["approver"],
            role=values["role"],
            decision=values["decision"],
            date=values["date"],
            comment=values.get("comment", ""),
            conditions=tuple(values.get("conditions", ())),
            subject=values.get("subject"),
            location=Location(path, 1, lines),
            extra=values.get("extra", {}),
            signature=values.get("signature"),
        )
    )


def _load_verification(state: _State, path: str, data: bytes) -> None:
    read = _read_fields(state, path, data, VERIFICATION, "verification")
    if read is None:
        return
    values, lines, _, _ = read
    issues = Issues()
    waiver_values = values.get("waiver")
    if values["status"] == "waived" and waiver_values is None:
        issues.add(
            lines["status"],
            "`status` is waived but there is no `waiver:`; add `waiver:` with "
            "`approved_by`, `reason` and `expires`",
        )
    if values["status"] != "waived" and waiver_values is not None:
        issues.add(
            lines["waiver"],
            f"`waiver:` is given but `status` is {values['status']}; remove the waiver or "
            "set `status: waived`",
        )
    evidence = values.get("evidence", "")
    if evidence and not _EVIDENCE_URL.match(evidence):
        parts = PurePosixPath(evidence.replace("\\", "/")).parts
        if evidence.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", evidence) or ".." in parts:
            issues.add(
                lines["evidence"],
                f"`evidence` `{evidence}` points outside the repository; give a path "
                "relative to the repository root (no `..`, not absolute) or a URL",
            )
    if not _report(state, path, issues, subject=path):
        state.mark_broken("verification", path)
        return
    waiver = (
        Waiver(waiver_values["approved_by"], waiver_values["reason"], waiver_values.get("expires"))
        if waiver_values
        else None
    )
    state.verifications.append(
        Verification(
            id=path,
            model=values["model"],
            version=values["version"],
            check=values["check"],
            status=values["status"],
            date=values["date"],
            performed_by=values["performed_by"],
            evidence=evidence,
            metrics=values.get("metrics", {}),
            summary=values.get("summary", ""),
            subject=values.get("subject"),
            waiver=waiver,
            location=Location(path, 1, lines),
            extra=values.get("extra", {}),
            signature=values.get("signature"),
        )
    )


def _load_deployment(state: _State, path: str, data: bytes) -> None:
    read = _read_fields(state, path, data, DEPLOYMENT, "deployment")
    if read is None:
        return
    values, lines, _, _ = read
    state.deployments.append(
        Deployment(
            id=path,
            environment=values["environment"],
            model=values["model"],
            version=values["version"],
            artifact_sha256=values["artifact_sha256"].lower(),
            started=values["started"],
            by=values["by"],
            service=values["service"],
            status=values["status"],
            comment=values.get("comment", ""),
            run_url=values.get("run_url", ""),
            location=Location(path, 1, lines),
            extra=values.get("extra", {}),
        )
    )


_LOADERS: dict[str, Callable[[_State, str, bytes], None]] = {
    "policy": _load_policy,
    "people": _load_people,
    "model": _load_model,
    "dataset": _load_dataset,
    "experiment": _load_experiment,
    "decision": _load_decision,
    "signoff": _load_signoff,
    "verification": _load_verification,
    "deployment": _load_deployment,
}


# --- references -------------------------------------------------------------------


class _References:
    """Reports references that name nothing, once per (file, line, field)."""

    def __init__(self, state: _State):
        self.state = state
        self.people_known = state.people_loaded
        self.policy = state.policy
        roles = {role for person in state.people.values() for role in person.roles}
        if state.policy is not None:
            for requirements in state.policy.requirements.values():
                roles.update(item.role for item in requirements.signoffs)
                for override in requirements.by_risk_tier.values():
                    roles.update(item.role for item in override.signoffs)
            roles.update(state.policy.rules.waiver_roles)
            roles.update(item.role for item in state.policy.rules.policy_change_signoffs)
        self.roles = roles

    def report(
        self,
        subject: str,
        location: Location,
        field_name: str,
        message: str,
        index: int | None = None,
    ) -> None:
        line = location.line_of(field_name)
        if index is not None:
            line = location.field_lines.get(f"{field_name}[{index}]", line)
        self.state.findings.append(
            error(Code.UNKNOWN_REFERENCE, subject, message, location.file, line)
        )

    def person(self, subject: str, location: Location, field_name: str, person_id: str) -> None:
        if not person_id or not self.people_known or person_id in self.state.people:
            return
        if self.state.is_broken("person", person_id):
            return
        self.report(
            subject,
            location,
            field_name,
            f"`{field_name}` names `{person_id}`, who is not in people.yaml"
            f"{did_you_mean(person_id, list(self.state.people))}; add the person to "
            "people.yaml or fix the id",
        )

    def table(
        self,
        subject: str,
        location: Location,
        field_name: str,
        kind: str,
        table: Mapping[str, Any],
        record_id: str,
        index: int | None = None,
    ) -> None:
        if not record_id or record_id in table or self.state.is_broken(kind, record_id):
            return
        folder = {"model": "models", "dataset": "datasets", "experiment": "experiments"}[kind]
        self.report(
            subject,
            location,
            field_name,
            f"`{field_name}` names the {kind} `{record_id}`, which does not exist"
            f"{did_you_mean(record_id, list(table))}; add `{self.state.records_dir}/"
            f"{folder}/{record_id}.yaml` or fix the id",
            index,
        )

    def stage(self, subject: str, location: Location, field_name: str, stage: str) -> None:
        if self.policy is None or stage in self.policy.stages:
            return
        self.report(
            subject,
            location,
            field_name,
            f"`{field_name}` is `{stage}`, which is not a stage of policy.yaml "
            f"({', '.join(self.policy.stages)}){did_you_mean(stage, self.policy.stages)}; "
            "use one of the policy's stages",
        )

    def version(self, subject: str, location: Location, model_id: str, version: str) -> None:
        if self.state.is_broken("model", model_id):
            return
        model = self.state.models.get(model_id)
        if model is None:
            self.table(subject, location, "model", "model", self.state.models, model_id)
            return
        if model.version(version) is None:
            known = [v.version for v in model.versions]
            self.report(
                subject,
                location,
                "version",
                f"`version` names `{model_id}@{version}`, but model `{model_id}` has no "
                f"version `{version}` (it has: {', '.join(known) or 'none'})"
                f"{did_you_mean(version, known)}; fix the version or add it to "
                f"{model.location.file}",
            )


def _check_references(state: _State) -> None:
    refs = _References(state)
    _check_deployment_references(state, refs)
    for model in state.models.values():
        refs.person(model.id, model.location, "owner", model.owner)
        for index, dataset_id in enumerate(model.datasets):
            refs.table(
                model.id, model.location, "datasets", "dataset", state.datasets, dataset_id, index
            )
        for version in model.versions:
            refs.person(version.key, version.location, "author", version.author)
            refs.stage(version.key, version.location, "stage", version.stage)
            if version.experiment:
                refs.table(
                    version.key,
                    version.location,
                    "experiment",
                    "experiment",
                    state.experiments,
                    version.experiment,
                )
            for index, dataset_id in enumerate(version.datasets):
                refs.table(
                    version.key,
                    version.location,
                    "datasets",
                    "dataset",
                    state.datasets,
                    dataset_id,
                    index,
                )
    for dataset in state.datasets.values():
        if dataset.owner:
            refs.person(dataset.id, dataset.location, "owner", dataset.owner)
    for experiment in state.experiments.values():
        refs.table(
            experiment.id, experiment.location, "model", "model", state.models, experiment.model
        )
        refs.person(experiment.id, experiment.location, "author", experiment.author)
        for index, dataset_id in enumerate(experiment.datasets):
            refs.table(
                experiment.id,
                experiment.location,
                "datasets",
                "dataset",
                state.datasets,
                dataset_id,
                index,
            )
    for decision in state.decisions.values():
        for index, model_id in enumerate(decision.models):
            refs.table(
                decision.id, decision.location, "models", "model", state.models, model_id, index
            )
        for replaced in decision.supersedes:
            if _find_decision(state.decisions, replaced) is None:
                refs.report(
                    decision.id,
                    decision.location,
                    "supersedes",
                    f"`supersedes` names `{replaced}`, which is no decision in "
                    f"{state.records_dir}/decisions/; give the id (file name without .md) "
                    "or the number of the decision it replaces",
                )
        target = decision.superseded_by
        # Only a link to a local file or an ADR number is checked; prose is left alone.
        if (
            target
            and "://" not in target
            and re.fullmatch(r"[^\s]+\.md|(?:ADR[-_ ]?)?\d+", target, re.IGNORECASE)
            and _find_decision(state.decisions, target) is None
        ):
            refs.report(
                decision.id,
                decision.location,
                "status",
                f"status says superseded by `{target}`, which is no decision in "
                f"{state.records_dir}/decisions/; fix the link",
            )
    for signoff in state.signoffs:
        if signoff.model == POLICY_MODEL and POLICY_MODEL not in state.models:
            # A sign-off of a policy change: `version` is free text (e.g. the pull
            # request), and the stage may be `policy`; the gate judges it.
            if signoff.stage != POLICY_MODEL:
                refs.stage(signoff.id, signoff.location, "stage", signoff.stage)
        else:
            refs.version(signoff.id, signoff.location, signoff.model, signoff.version)
            refs.stage(signoff.id, signoff.location, "stage", signoff.stage)
        refs.person(signoff.id, signoff.location, "approver", signoff.approver)
        if (refs.people_known or refs.policy is not None) and signoff.role not in refs.roles:
            refs.report(
                signoff.id,
                signoff.location,
                "role",
                f"`role` is `{signoff.role}`, a role nobody holds in people.yaml and "
                f"policy.yaml does not ask for{did_you_mean(signoff.role, sorted(refs.roles))}; "
                "fix the role name",
            )
    for verification in state.verifications:
        refs.version(
            verification.id, verification.location, verification.model, verification.version
        )
        if refs.policy is not None and verification.check not in refs.policy.checks:
            refs.report(
                verification.id,
                verification.location,
                "check",
                f"`check` is `{verification.check}`, which is not in the policy's check "
                f"catalogue{did_you_mean(verification.check, list(refs.policy.checks))}; "
                "use a check id from policy.yaml `checks:`",
            )
        performer = verification.performed_by
        pipeline_id = performer.removeprefix(PIPELINE_PREFIX)
        if (
            performer.startswith(PIPELINE_PREFIX)
            and refs.people_known
            and pipeline_id not in state.pipelines
            and not state.is_broken("pipeline", pipeline_id)
        ):
            refs.report(
                verification.id,
                verification.location,
                "performed_by",
                f"`performed_by` is `{performer}`, a pipeline people.yaml does not declare"
                f"{did_you_mean(pipeline_id, list(state.pipelines))}; declare it under "
                f"`pipelines:` in people.yaml (`- id: {pipeline_id}`, `name`, and the "
                "`emails` its commits use) or fix the id",
            )
        if (
            not performer.startswith(PIPELINE_PREFIX)
            and refs.people_known
            and performer not in state.people
            and not state.is_broken("person", performer)
        ):
            refs.report(
                verification.id,
                verification.location,
                "performed_by",
                f"`performed_by` is `{performer}`, who is not in people.yaml"
                f"{did_you_mean(performer, list(state.people))}; use a person id, or "
                f"`{PIPELINE_PREFIX}{performer}` for an automated pipeline",
            )
        if verification.waiver is not None:
            refs.person(
                verification.id,
                Location(
                    verification.location.file,
                    verification.location.line_of("waiver"),
                    {},
                ),
                "waiver.approved_by",
                verification.waiver.approved_by,
            )

    _check_partial_references(state, refs)


# The reference fields checked on a record that broke its schema (from what did
# convert), so a missing `date` and an unknown `author` are reported together.
_PARTIAL_PEOPLE = {
    "model": ("owner",),
    "dataset": ("owner",),
    "experiment": ("author",),
    "signoff": ("approver",),
}
_PARTIAL_TABLES = {
    "model": (("datasets", "dataset"),),
    "experiment": (("model", "model"), ("datasets", "dataset")),
}


def _check_partial_references(state: _State, refs: _References) -> None:
    tables: dict[str, Mapping[str, Any]] = {"model": state.models, "dataset": state.datasets}
    for kind, subject, path, values, lines in state.partial:
        location = Location(path, 1, lines)
        for name in _PARTIAL_PEOPLE.get(kind, ()):
            if isinstance(values.get(name), str):
                refs.person(subject, location, name, values[name])
        for name, target in _PARTIAL_TABLES.get(kind, ()):
            value = values.get(name)
            if isinstance(value, str):
                refs.table(subject, location, name, target, tables[target], value)
            elif isinstance(value, tuple):
                for index, item in enumerate(value):
                    refs.table(subject, location, name, target, tables[target], item, index)
        pair = {"model", "version"} <= values.keys()
        if kind in ("signoff", "verification") and pair and values["model"] != POLICY_MODEL:
            refs.version(subject, location, values["model"], values["version"])
        if kind == "signoff" and isinstance(values.get("stage"), str):
            refs.stage(subject, location, "stage", values["stage"])


def _check_deployment_references(state: _State, refs: _References) -> None:
    """A deployment names a version, an environment of the policy and a person or pipeline."""
    for deployment in state.deployments:
        refs.version(deployment.id, deployment.location, deployment.model, deployment.version)
        policy = refs.policy
        if policy is not None and deployment.environment not in policy.environments:
            known = list(policy.environments)
            refs.report(
                deployment.id,
                deployment.location,
                "environment",
                f"`environment` is `{deployment.environment}`, which policy.yaml does not list "
                f"under `environments:` ({', '.join(known) or 'none listed'})"
                f"{did_you_mean(deployment.environment, known)}; add it there with the stage "
                "it requires, or fix the name",
            )
        by = deployment.by
        if by.startswith(PIPELINE_PREFIX):
            pipelines = state.pipelines
            pipeline_id = by[len(PIPELINE_PREFIX) :]
            if state.people_loaded and pipeline_id not in pipelines:
                refs.report(
                    deployment.id,
                    deployment.location,
                    "by",
                    f"`by` is `{by}`, but people.yaml declares no pipeline `{pipeline_id}`"
                    f"{did_you_mean(pipeline_id, list(pipelines))}; declare it under "
                    "`pipelines:` in people.yaml or fix the id",
                )
        else:
            refs.person(deployment.id, deployment.location, "by", by)


def _check_decision_numbers(state: _State) -> None:
    """Two decisions with one number (two branches both adding ADR 0007): a warning,
    since both records are kept and links by number become ambiguous."""
    first_by_number: dict[int, Decision] = {}
    for decision_id in sorted(state.decisions):
        decision = state.decisions[decision_id]
        if decision.number is None:
            continue
        first = first_by_number.setdefault(decision.number, decision)
        if first is decision:
            continue
        state.findings.append(
            warning(
                Code.DUPLICATE_ID,
                decision.id,
                f"decision number {decision.number} is used by two files: "
                f"{first.location.file} and {decision.location.file}; renumber one of them "
                "so links by number stay unambiguous",
                decision.location.file,
                1,
            )
        )


def _find_decision(decisions: Mapping[str, Decision], reference: str) -> Decision | None:
    """A decision named by id, file name, link or number (``0003``, ``ADR-0003``)."""
    cleaned = reference.strip()
    # Linear: the target stops at the next parenthesis (``(((`` cannot backtrack).
    link = re.search(r"\(([^()\s]+)\)", cleaned)
    if link:
        cleaned = link.group(1)
    cleaned = PurePosixPath(cleaned).name.removesuffix(".md")
    if cleaned in decisions:
        return decisions[cleaned]
    number = re.search(r"(\d+)", cleaned)
    if number and re.fullmatch(r"(?:ADR[-_ ]?)?\d{1,9}", cleaned, re.IGNORECASE):
        wanted = int(number.group(1))
        for decision in decisions.values():
            if decision.number == wanted:
                return decision
    return None
