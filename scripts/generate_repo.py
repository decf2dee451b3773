"""Generate a realistic governance repository, deterministically, for benchmarks and tests.

    python scripts/generate_repo.py --commits 20000 --files 3000 --authors 25 --seed 7 OUT_DIR

What it writes, and why it is a fair benchmark:

- **Every record is valid** under the project's schema, with the example's own
  ``policy.yaml`` (copied from ``governance_records/policy.yaml``, without its
  deployment environments) and a ``people.yaml`` of ``--authors`` people holding the
  roles that policy asks for (model-risk, ml-lead, product-owner; the rest are data
  scientists) and declaring the CI bot as ``pipeline:data-validation``.
- **Models live through release cycles.** Each model has datasets, and each cycle
  adds experiments (MLflow-style params, metrics, some with metric histories), a
  new version in the model file (artifact, metrics, experiment, datasets), the
  data-validation verification (committed by the CI bot, ``performed_by:
  pipeline:data-validation``), the ml-lead's staging sign-off, a promotion, the
  fairness audit (by a model-risk validator), the production sign-offs (two
  model-risk approvers for high-risk models, and a product owner) and the
  promotion to production; the previous production version is then retired
  (removed from the model file, its sign-offs and verifications deleted).
  Sign-offs and verifications carry the version's real digest and are committed
  by the person they name, on the day they are dated; sign-offs of a live version
  are re-approved by their approver before they expire, so the strict date rules
  hold on the last commit's day (the ``as_of`` of the generated ``mkdocs.yml``).
- **A known, small set of deliberate findings** (``DELIBERATE_FINDINGS``), the same
  at every size: a version promoted to staging with a failed data validation, a
  staging sign-off committed by someone other than its approver, an experiment
  naming a dataset with a typo, and a staging version retrained after its review.
- **History like a real repository's**: ``--commits`` commits by ``--authors``
  people over ``--years`` years; besides the governance events, code commits outside
  the records, edits of model cards and experiment conclusions, sign-offs moved
  into per-version folders by their approvers (renames), deletions (retired
  versions), and pull-request side branches merged with merge commits.
- ``mkdocs.yml`` (Material theme, the plugin with ``gate: warn``: the deliberate
  findings are errors) and ``docs/index.md``, so ``mkdocs build`` works as is.

The same arguments always give the same commit hashes. ``--files`` is the target
number of record files in the final tree (the result is within a few percent; the
script prints it). It is written with one ``git fast-import`` process (one ``git
commit`` per commit would take many minutes at 20,000 commits), then checked out.
Import it from a test or a benchmark: ``from scripts.generate_repo import generate_repo``.
"""

from __future__ import annotations

import argparse
import heapq
import io
import json
import random
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mkdocs_governance.records.digest import content_digest

RECORDS = "governance_records"
START = int(datetime(2021, 1, 4, 9, 0, tzinfo=UTC).timestamp())
DAY = 86_400
#: Sign-offs of live versions are re-approved this often (the policy lets them age 365 days).
REVIEW_EVERY_DAYS = 300
FIRST_NAMES = (
    "Ada",
    "Bo",
    "Chen",
    "Dara",
    "Emeka",
    "Fatima",
    "Gustav",
    "Hana",
    "Ines",
    "José",
    "Kai",
    "Lena",
    "Mateo",
    "Nadia",
    "Oren",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zoë",
)
LAST_NAMES = (
    "Abara",
    "Berg",
    "Costa",
    "Dubois",
    "Eze",
    "Fischer",
    "García",
    "Haddad",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Müller",
    "Novak",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Sato",
    "Tan",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
)
DOMAINS = (
    "credit-pd",
    "fraud-card",
    "churn",
    "collections",
    "aml-alerts",
    "pricing",
    "marketing",
    "affordability",
)
FAMILIES = ("lightgbm", "xgboost", "logistic-regression", "mlp", "random-forest")
BOT = ("Governance CI", "ci-bot@bank.example")

#: The deliberate findings of every generated repository: (code, subject), where the
#: subject is ``model@version`` or, for a record-level finding, the record's id.
#: Models 1-4 (``<domain>-001`` ...) carry them in their last release cycle.
DELIBERATE = (
    ("failed-check", 0, "a version promoted to staging although its data validation failed"),
    ("unverified-signoff", 1, "a staging sign-off committed by the model owner, not the approver"),
    ("unknown-reference", 2, "an experiment naming a dataset with a typo"),
    ("stale", 3, "a staging version whose artifact changed after its review"),
)


def deliberate_findings(repo: Path) -> list[tuple[str, str]]:
    """The (code, subject) pairs ``check`` reports on a generated repository.

    Read from ``deliberate-findings.json``, which the generator writes beside the
    records; a test compares it with the real gate's output.
    """
    data = json.loads((Path(repo) / "deliberate-findings.json").read_text(encoding="utf-8"))
    return sorted((item["code"], item["subject"]) for item in data)


@dataclass
class _Person:
    id: str
    name: str
    email: str
    role: str


@dataclass
class _Event:
    """One commit's worth of governance work, applied in time order."""

    time: float  # fraction of the timeline, 0..1
    kind: str
    model: _Model | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Version:
    version: str
    content: dict[str, Any]
    stage: str = "development"
    signoffs: list[str] = field(default_factory=list)  # paths
    verifications: list[str] = field(default_factory=list)  # paths


@dataclass
class _Model:
    index: int
    id: str
    owner: _Person
    risk_tier: str
    datasets: list[str]
    card: dict[str, Any]
    versions: list[_Version] = field(default_factory=list)
    created: bool = False
    adopted: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)


class _State:
    """The files of one line of history: path -> content, with O(1) random picks."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def put(self, path: str, content: str) -> None:
        self.files[path] = content

    def remove(self, path: str) -> str:
        return self.files.pop(path)

    def copy(self) -> _State:
        other = _State()
        other.files = dict(self.files)
        return other


def _yaml_value(value: Any, indent: int) -> str:
    """A small, deterministic YAML writer for the records (JSON scalars are YAML)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return " {}\n"
        out = "\n"
        for key, item in value.items():
            out += f"{pad}{key}:{_yaml_value(item, indent + 2)}"
        return out
    if isinstance(value, list):
        if not value:
            return " []\n"
        if all(not isinstance(v, dict | list) for v in value):
            return " [" + ", ".join(_scalar(v) for v in value) + "]\n"
        out = "\n"
        for item in value:
            if isinstance(item, dict):
                first = True
                for key, sub in item.items():
                    lead = f"{pad}- " if first else f"{pad}  "
                    out += f"{lead}{key}:{_yaml_value(sub, indent + 4)}"
                    first = False
            else:
                out += f"{pad}- " + _yaml_value(item, indent + 2).lstrip()
        return out
    return f" {_scalar(value)}\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, _Date):
        return value.text
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


@dataclass(frozen=True)
class _Date:
    """A date written unquoted (the schema types it)."""

    text: str


def _dump(record: dict[str, Any]) -> str:
    return "".join(f"{key}:{_yaml_value(value, 2)}" for key, value in record.items())


def _jsonable(value: Any) -> Any:
    if isinstance(value, _Date):
        return value.text
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


class _Generator:
    def __init__(self, commits: int, files: int, authors: int, seed: int, years: float) -> None:
        if authors < 6:
            raise SystemExit("--authors must be at least 6 (the policy needs six distinct roles)")
        self.rng = random.Random(seed)
        self.total_commits = commits
        self.target_files = files
        self.span = int(years * 365 * DAY)
        self.people = self._people(authors)
        self.by_role: dict[str, list[_Person]] = {}
        for person in self.people:
            self.by_role.setdefault(person.role, []).append(person)
        self.mark = 0
        self.commits_written = 0
        self.last_time = START
        self.main = _State()
        self.main_tip = 0
        self.out = io.StringIO()
        self.datasets: dict[str, str] = {}  # id -> sha256
        self.dataset_ids: list[str] = []
        self.models: list[_Model] = []
        self.experiments: dict[str, tuple[dict[str, Any], _Person]] = {}
        self.deliberate: list[dict[str, str]] = []
        self.pr_number = 0

    # -- people and plan ---------------------------------------------------------------

    def _people(self, count: int) -> list[_Person]:
        roles = (
            ["model-risk"] * max(2, count // 6)
            + ["ml-lead"] * max(1, count // 8)
            + ["product-owner"] * max(1, count // 8)
        )
        roles += ["data-scientist"] * (count - len(roles))
        people, taken = [], set()
        for i in range(count):
            name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}"
            base = name.lower().replace(" ", "-")
            base = base.encode("ascii", "ignore").decode() or f"person-{i}"
            pid, n = base, 2
            while pid in taken:
                pid, n = f"{base}-{n}", n + 1
            taken.add(pid)
            people.append(_Person(pid, name, f"{pid}@bank.example", roles[i]))
        return people

    def _scientist(self) -> _Person:
        return self.rng.choice(self.by_role["data-scientist"])

    def plan(self) -> list[_Event]:
        """Every governance event with its time; sized to ``--files`` and ``--commits``."""
        rng = self.rng
        # One model with K release cycles leaves about 7.5 + 2K record files in the final
        # tree and takes about 14K + 2 commits; datasets are about 5% of the files.
        ratio = self.total_commits / max(self.target_files, 1)
        cycles_avg = max(1.5, min(5.0, ratio * 0.6))
        model_count = max(4, round(self.target_files * 0.95 / (7.5 + 2 * cycles_avg)))
        dataset_count = max(3, round(self.target_files * 0.05))
        events: list[_Event] = []
        for d in range(dataset_count):
            domain = DOMAINS[d % len(DOMAINS)]
            dataset_id = f"{domain}-data-{d + 1:03d}"
            self.dataset_ids.append(dataset_id)
        for m in range(model_count):
            domain = DOMAINS[m % len(DOMAINS)]
            owner = self._scientist()
            tier = rng.choice(("low", "medium", "high", "high"))
            own = [d for d in self.dataset_ids if d.startswith(domain)] or self.dataset_ids
            datasets = sorted(rng.sample(own, min(len(own), rng.randint(1, 3))))
            model = _Model(m, f"{domain}-{m + 1:03d}", owner, tier, datasets, self._card(domain))
            self.models.append(model)
            cycles = max(1, min(6, round(rng.gauss(cycles_avg, 1.0))))
            deliberate = m < len(DELIBERATE)
            # Deliberate findings sit in a model's last cycle, kept in the last months.
            start = 1 - 0.08 * cycles if deliberate else rng.uniform(0.0, 0.65)
            events.extend(self._model_events(model, cycles, start))
        # Datasets are registered just before the first model that uses them.
        first_use: dict[str, float] = {}
        for event in events:
            if event.kind == "model":
                assert event.model is not None
                for d in event.model.datasets:
                    first_use[d] = min(first_use.get(d, 1.0), event.time)
        for dataset_id in self.dataset_ids:
            when = first_use.get(dataset_id, rng.uniform(0.0, 0.9))
            events.append(_Event(max(0.0, when - 0.002), "dataset", data={"id": dataset_id}))
        budget = self.total_commits - 1
        fillers = budget - len(events)
        if fillers < 0:
            # Too few commits for this many records: drop the latest events of the
            # ordinary models (never the deliberate ones) until the plan fits.
            events.sort(key=lambda e: e.time)
            keep = [e for e in events if e.model is None or e.model.index < len(DELIBERATE)]
            rest = [e for e in events if not (e.model is None or e.model.index < len(DELIBERATE))]
            events = sorted(keep + rest[: max(0, budget - len(keep))], key=lambda e: e.time)
            # Each model loses its latest events first, so what is kept has its prerequisites.
            fillers = budget - len(events)
        prs = min(int(self.total_commits * 0.04), fillers // 3)
        for _ in range(prs):
            events.append(_Event(rng.uniform(0.02, 0.99), "pull-request"))
        for _ in range(fillers - 2 * prs):
            pick = rng.random()
            kind = "code" if pick < 0.55 else "card-edit" if pick < 0.8 else "conclusion-edit"
            events.append(_Event(rng.uniform(0.0, 1.0), kind))
        events.sort(key=lambda e: e.time)
        return events

    def _card(self, domain: str) -> dict[str, Any]:
        words = domain.replace("-", " ")
        return {
            "description": f"Scores {words} cases for the retail bank's decision engine.",
            "intended_use": f"Rank {words} cases for review by the operations team.",
            "out_of_scope_use": "Not for decisions about business customers or other markets.",
            "limitations": "Trained on booked cases only; thin-file customers rank worse.",
            "ethical_considerations": "No protected characteristic is an input; audited yearly.",
        }

    def _model_events(self, model: _Model, cycles: int, start: float) -> list[_Event]:
        rng = self.rng
        events = [_Event(start, "model", model)]
        width = (1.0 - start) / cycles
        deliberate = DELIBERATE[model.index][0] if model.index < len(DELIBERATE) else None
        for cycle in range(cycles):
            last = cycle == cycles - 1
            begin = start + cycle * width
            version = f"{1 + cycle // 4}.{cycle % 4}"
            steps: list[tuple[str, dict[str, Any]]] = []
            n_exp = rng.randint(1, 3)
            for e in range(n_exp):
                steps.append(
                    (
                        "experiment",
                        {
                            "version": version,
                            "adopted": e == n_exp - 1,
                            "typo": deliberate == "unknown-reference" and last,
                        },
                    )
                )
            steps.append(("version", {"version": version}))
            final_stage = "production"
            if last:
                if deliberate in ("failed-check", "unverified-signoff", "stale"):
                    final_stage = "staging"
                elif deliberate == "unknown-reference":
                    final_stage = "development"
                else:
                    final_stage = rng.choice(("production", "production", "staging", "development"))
            if final_stage != "development" or rng.random() < 0.5:
                status = "failed" if deliberate == "failed-check" and last else "passed"
                steps.append(
                    (
                        "verification",
                        {"version": version, "check": "data-validation", "status": status},
                    )
                )
            if final_stage in ("staging", "production"):
                unverified = deliberate == "unverified-signoff" and last
                steps.append(
                    (
                        "signoff",
                        {
                            "version": version,
                            "stage": "staging",
                            "role": "ml-lead",
                            "unverified": unverified,
                        },
                    )
                )
                steps.append(("promote", {"version": version, "stage": "staging"}))
                if deliberate == "stale" and last:
                    steps.append(("retrain", {"version": version}))
            if final_stage == "production":
                steps.append(
                    (
                        "verification",
                        {"version": version, "check": "fairness-audit", "status": "passed"},
                    )
                )
                for _ in range(2 if model.risk_tier == "high" else 1):
                    steps.append(
                        (
                            "signoff",
                            {"version": version, "stage": "production", "role": "model-risk"},
                        )
                    )
                steps.append(
                    (
                        "signoff",
                        {"version": version, "stage": "production", "role": "product-owner"},
                    )
                )
                steps.append(("promote", {"version": version, "stage": "production"}))
                if cycle > 0:
                    steps.append(
                        ("retire", {"version": f"{1 + (cycle - 1) // 4}.{(cycle - 1) % 4}"})
                    )
            # Spread the cycle's steps over the first 85% of its window, in order.
            offsets = sorted(rng.uniform(0.02, 0.85) for _ in steps)
            for (kind, data), offset in zip(steps, offsets, strict=True):
                events.append(_Event(begin + offset * width, kind, model, data))
        return events

    # -- content ------------------------------------------------------------------------

    def _day(self, when: int) -> _Date:
        return _Date(datetime.fromtimestamp(when, UTC).date().isoformat())

    def _model_text(self, model: _Model) -> str:
        record: dict[str, Any] = {
            "id": model.id,
            "name": f"{model.id.rsplit('-', 1)[0].replace('-', ' ').title()} model {model.index + 1}",
            "owner": model.owner.id,
            **model.card,
            "risk_tier": model.risk_tier,
            "datasets": model.datasets,
            "tags": [model.id.rsplit("-", 1)[0], model.risk_tier],
            "versions": [{**v.content, "stage": v.stage} for v in model.versions],
        }
        if not model.versions:
            record.pop("versions")
        return _dump(record)

    def _model_path(self, model: _Model) -> str:
        return f"{RECORDS}/models/{model.id}.yaml"

    def _find(self, model: _Model, version: str) -> _Version:
        return next(v for v in model.versions if v.version == version)

    def _digest(self, version: _Version) -> str:
        content = _jsonable({k: v for k, v in version.content.items() if k != "stage"})
        return content_digest(content, {d: self.datasets.get(d) for d in content["datasets"]})

    def _apply(
        self, event: _Event, state: _State, when: int
    ) -> tuple[str, list[str], tuple[str, str]]:
        """Apply one event to ``state``: (message, fast-import ops, (author name, email))."""
        rng = self.rng
        model = event.model
        data = event.data
        day = self._day(when)
        ops: list[str] = []

        def put(path: str, text: str) -> None:
            state.put(path, text)
            ops.append(self._modify(path, text))

        def ident(person: _Person) -> tuple[str, str]:
            return (person.name, person.email)

        if event.kind == "dataset":
            owner = self._scientist()
            dataset_id = data["id"]
            sha = f"{rng.getrandbits(256):064x}"
            self.datasets[dataset_id] = sha
            text = _dump(
                {
                    "id": dataset_id,
                    "name": f"{dataset_id.replace('-', ' ').title()} extract",
                    "description": "Applications and outcomes extracted from the lending warehouse.",
                    "owner": owner.id,
                    "source": f"s3://bank-lake/{dataset_id}/snapshot={day.text}/",
                    "version": day.text,
                    "sha256": sha,
                    "personal_data": rng.random() < 0.6,
                    "license": "Proprietary - internal use only",
                }
            )
            put(f"{RECORDS}/datasets/{dataset_id}.yaml", text)
            self.dataset_ids_live.append(dataset_id)
            return f"Register dataset {dataset_id}", ops, ident(owner)
        if event.kind in ("code", "pull-request-code"):
            path = f"src/pipeline/step_{rng.randint(1, 40)}.py"
            put(path, f"# step revision {self.mark}\nVALUE = {rng.random()}\n")
            return "Refactor pipeline step", ops, ident(rng.choice(self.people))
        if event.kind == "card-edit":
            live = [m for m in self.models if m.created]
            if not live:
                return self._apply(_Event(event.time, "code"), state, when)
            target = rng.choice(live)
            target.card["limitations"] += f" Reviewed in monitoring pack {self.mark}."
            put(self._model_path(target), self._model_text(target))
            return f"Update the model card of {target.id}", ops, ident(target.owner)
        if event.kind == "conclusion-edit":
            if not self.experiment_ids:
                return self._apply(_Event(event.time, "code"), state, when)
            exp_id = rng.choice(self.experiment_ids)
            record, author = self.experiments[exp_id]
            record["conclusion"] += f" Follow-up {self.mark}."
            put(f"{RECORDS}/experiments/{exp_id}.yaml", _dump(record))
            return f"Note follow-up on {exp_id}", ops, ident(author)
        assert model is not None
        if event.kind == "model":
            model.created = True
            put(self._model_path(model), self._model_text(model))
            return f"Add model {model.id}", ops, ident(model.owner)
        if event.kind == "experiment":
            author = self._scientist()
            number = sum(1 for e in self.experiments if e.startswith(model.id)) + 1
            exp_id = f"{model.id}-exp-{number:02d}"
            adopted = data["adopted"]
            auc = round(rng.uniform(0.80, 0.93) if adopted else rng.uniform(0.70, 0.84), 4)
            datasets = list(model.datasets)
            if data["typo"] and adopted:
                datasets = [datasets[0][:-1] + "x"]  # a dataset id with a typo
                self.deliberate.append({"code": "unknown-reference", "subject": exp_id})
            record: dict[str, Any] = {
                "id": exp_id,
                "model": model.id,
                "title": f"Try {rng.choice(FAMILIES)} for {data['version']}",
                "hypothesis": "A richer feature set improves the holdout AUC.",
                "author": author.id,
                "date": day,
                "datasets": datasets,
                "code_commit": f"{rng.getrandbits(48):012x}",
                "params": {
                    "model_family": rng.choice(FAMILIES),
                    "learning_rate": round(rng.uniform(0.01, 0.2), 4),
                    "max_depth": rng.randint(2, 12),
                    "n_estimators": rng.choice((200, 400, 600, 800)),
                },
                "metrics": {
                    "auc": auc,
                    "gini": round(2 * auc - 1, 4),
                    "ks": round(rng.uniform(0.3, 0.55), 4),
                },
            }
            if rng.random() < 0.3:
                steps = (50, 100, 200, 400, 600)
                record["metric_history"] = {
                    "auc": [[s, round(auc - 0.06 / (i + 1), 4)] for i, s in enumerate(steps)]
                }
            record["outcome"] = "adopted" if adopted else rng.choice(("rejected", "inconclusive"))
            record["conclusion"] = f"Holdout AUC {auc}."
            self.experiments[exp_id] = (record, author)
            self.experiment_ids.append(exp_id)
            model.adopted[data["version"]] = (exp_id, record)
            put(f"{RECORDS}/experiments/{exp_id}.yaml", _dump(record))
            return f"Record experiment {exp_id}", ops, ident(author)
        if event.kind == "version":
            author = self._scientist()
            exp_id, exp = model.adopted.get(data["version"], (None, None))
            metrics = dict(exp["metrics"]) if exp else {"auc": 0.85}
            content: dict[str, Any] = {
                "version": data["version"],
                "created": day,
                "author": author.id,
                "artifact": {
                    "uri": f"s3://bank-models/{model.id}/{data['version']}/model.bin",
                    "sha256": f"{rng.getrandbits(256):064x}",
                },
            }
            if exp_id and exp and set(exp["datasets"]) <= set(self.datasets):
                content["experiment"] = exp_id
            content["datasets"] = list(model.datasets[: rng.randint(1, len(model.datasets))])
            content["metrics"] = metrics
            content["description"] = f"Release {data['version']} of {model.id}."
            model.versions.append(_Version(data["version"], content))
            put(self._model_path(model), self._model_text(model))
            return f"Add {model.id} {data['version']}", ops, ident(author)
        version = self._find(model, data["version"])
        key = f"{model.id}@{version.version}"
        if event.kind == "verification":
            check = data["check"]
            if check == "data-validation":
                performer, who = "pipeline:data-validation", BOT
            else:
                person = rng.choice(self.by_role["model-risk"])
                performer, who = person.id, ident(person)
            record = {
                "model": model.id,
                "version": version.version,
                "check": check,
                "status": data["status"],
                "date": day,
                "performed_by": performer,
                "evidence": f"https://ci.bank.example/{check}/jobs/{self.mark}",
                "metrics": {
                    "expectations_total": 40,
                    "expectations_failed": 0 if data["status"] == "passed" else 3,
                },
                "summary": f"{check} run {self.mark} on {key}.",
                "subject": self._digest(version),
            }
            if data["status"] == "failed":
                self.deliberate.append({"code": "failed-check", "subject": key})
            path = f"{RECORDS}/verifications/{model.id}/{version.version}/{check}.yaml"
            version.verifications.append(path)
            put(path, _dump(record))
            return f"Verify {check} of {key}", ops, who
        if event.kind == "signoff":
            taken = {self.signoff_approver(p) for p in version.signoffs}
            candidates = [p for p in self.by_role[data["role"]] if p.id not in taken]
            approver = rng.choice(candidates or self.by_role[data["role"]])
            record = {
                "model": model.id,
                "version": version.version,
                "stage": data["stage"],
                "approver": approver.id,
                "role": data["role"],
                "decision": "approved",
                "date": day,
                "comment": f"Reviewed the evidence pack of {key} for {data['stage']}.",
                "subject": self._digest(version),
            }
            flat = rng.random() < 0.25 and not data.get("unverified")
            name = f"{data['stage']}-{data['role']}-{approver.id}.yaml"
            path = (
                f"{RECORDS}/signoffs/{model.id}/{version.version}-{name}"
                if flat
                else f"{RECORDS}/signoffs/{model.id}/{version.version}/{name}"
            )
            version.signoffs.append(path)
            self.signoff_records[path] = (record, approver)
            self._due(path, when)
            put(path, _dump(record))
            if data.get("unverified"):
                self.deliberate.append({"code": "unverified-signoff", "subject": key})
                # The slot it was meant to fill stays empty.
                self.deliberate.append({"code": "missing-signoff", "subject": key})
                self.no_review.add(path)
                return f"Add {approver.name}'s sign-off for {key}", ops, ident(model.owner)
            if flat:
                self.pending_moves.append(path)
            return f"Sign off {key} for {data['stage']}", ops, ident(approver)
        if event.kind == "promote":
            version.stage = data["stage"]
            put(self._model_path(model), self._model_text(model))
            return f"Promote {key} to {data['stage']}", ops, ident(model.owner)
        if event.kind == "retrain":
            version.content["artifact"] = {
                **version.content["artifact"],
                "sha256": f"{rng.getrandbits(256):064x}",
            }
            put(self._model_path(model), self._model_text(model))
            for path in version.signoffs:
                self.no_review.add(path)
            self.deliberate.append({"code": "stale-signoff", "subject": key})
            self.deliberate.append({"code": "stale-check", "subject": key})
            self.deliberate.append({"code": "missing-signoff", "subject": key})
            author = next(p for p in self.people if p.id == version.content["author"])
            return f"Retrain {key} on the corrected extract", ops, ident(author)
        if event.kind == "retire":
            model.versions.remove(version)
            put(self._model_path(model), self._model_text(model))
            for path in version.signoffs + version.verifications:
                current = self.moved.get(path, path)
                if current in state.files:
                    state.remove(current)
                    ops.append(f"D {current}\n")
                self.signoff_records.pop(current, None)
            return f"Retire {key}", ops, ident(model.owner)
        raise AssertionError(event.kind)

    def _due(self, path: str, when: int) -> None:
        """Schedule the re-approval of the sign-off at ``path`` (dated ``when``)."""
        self.review_seq += 1
        due = when + REVIEW_EVERY_DAYS * DAY
        heapq.heappush(self.reviews, (due, self.review_seq, path, self._day(when).text))

    def signoff_approver(self, path: str) -> str:
        record = self.signoff_records.get(self.moved.get(path, path))
        return record[1].id if record else ""

    def _maintenance(
        self, state: _State, when: int
    ) -> tuple[str, list[str], tuple[str, str]] | None:
        """Sign-off upkeep due by ``when``: a re-approval or a move into a version folder."""
        while self.reviews and self.reviews[0][0] <= when:
            _due, _seq, path, dated = heapq.heappop(self.reviews)
            entry = self.signoff_records.get(path)
            if entry is None or path in self.no_review or path not in state.files:
                continue
            record, approver = entry
            if record["date"].text != dated:
                continue
            record["date"] = self._day(when)
            self._due(path, when)
            record["comment"] = f"Annual re-approval of {record['model']}@{record['version']}."
            text = _dump(record)
            state.put(path, text)
            return (
                f"Re-approve {record['model']}@{record['version']} for {record['stage']}",
                [self._modify(path, text)],
                (approver.name, approver.email),
            )
        while self.pending_moves:
            old = self.pending_moves.pop(0)
            if old not in state.files or old not in self.signoff_records:
                continue
            record, approver = self.signoff_records.pop(old)
            folder, name = old.rsplit("/", 1)
            version, _, rest = name.partition("-")
            new = f"{folder}/{version}/{rest}"
            state.put(new, state.remove(old))
            self.signoff_records[new] = (record, approver)
            self.moved[old] = new
            for item in list(self.reviews):
                if item[2] == old:
                    heapq.heappush(self.reviews, (item[0], item[1], new, item[3]))
            return (
                f"Move my sign-off of {record['model']}@{version} into its folder",
                [f"R {old} {new}\n"],
                (approver.name, approver.email),
            )
        return None

    # -- fast-import --------------------------------------------------------------------

    def _modify(self, path: str, content: str) -> str:
        raw = content.encode("utf-8")
        return f"M 100644 inline {path}\ndata {len(raw)}\n{content}\n"

    def _commit(
        self,
        ref: str,
        message: str,
        ops: list[str],
        parent: int,
        who: tuple[str, str],
        when: int,
        merge: int | None = None,
    ) -> int:
        self.mark += 1
        self.commits_written += 1
        self.out.write(f"commit {ref}\nmark :{self.mark}\n")
        self.out.write(f"author {who[0]} <{who[1]}> {when} +0000\n")
        self.out.write(f"committer {who[0]} <{who[1]}> {when} +0000\n")
        raw = message.encode("utf-8")
        self.out.write(f"data {len(raw)}\n{message}\n")
        if parent:
            self.out.write(f"from :{parent}\n")
        if merge:
            self.out.write(f"merge :{merge}\n")
        for op in ops:
            self.out.write(op)
        self.out.write("\n")
        return self.mark

    def _when(self, fraction: float) -> int:
        when = max(START + int(fraction * self.span), self.last_time + 1)
        self.last_time = when
        return when

    def generate(self) -> str:
        events = self.plan()
        self.experiment_ids: list[str] = []
        self.dataset_ids_live: list[str] = []
        self.signoff_records: dict[str, tuple[dict[str, Any], _Person]] = {}
        self.pending_moves: list[str] = []
        self.moved: dict[str, str] = {}
        self.no_review: set[str] = set()
        self.reviews: list[tuple[int, int, str, str]] = []
        self.review_seq = 0
        self.out.write("reset refs/heads/main\n")
        people = {
            "people": [
                {"id": p.id, "name": p.name, "emails": [p.email], "roles": [p.role]}
                for p in self.people
            ],
            # The CI bot that commits the data validations, declared (issue 9): a check
            # counts only when committed by its performer.
            "pipelines": [{"id": "data-validation", "name": BOT[0], "emails": [BOT[1]]}],
        }
        policy = _without_environments(
            (Path(__file__).resolve().parent.parent / RECORDS / "policy.yaml").read_text(
                encoding="utf-8"
            )
        )
        initial = {
            f"{RECORDS}/people.yaml": _dump(people),
            f"{RECORDS}/policy.yaml": policy,
            "docs/index.md": "# Bank model governance\n\nThe wiki is under Governance.\n",
            "README.md": "A generated governance repository (scripts/generate_repo.py).\n",
        }
        for path, text in initial.items():
            self.main.put(path, text)
        ops = [self._modify(p, c) for p, c in initial.items()]
        risk = self.by_role["model-risk"][0]
        self.main_tip = self._commit(
            "refs/heads/main",
            "Initial governance records",
            ops,
            0,
            (risk.name, risk.email),
            self._when(0.0),
        )
        queue = list(events)
        index = 0
        while index < len(queue):
            event = queue[index]
            index += 1
            if event.kind == "pull-request":
                index = self._pull_request(queue, index, event)
                continue
            self._main_commit(event)
        end = self.last_time
        self.main.put("mkdocs.yml", _mkdocs_yml(self._day(end).text))
        self.out.write("reset refs/heads/main\n")
        self.out.write(f"from :{self.main_tip}\n\n")
        self.end_day = self._day(end).text
        return self.out.getvalue()

    def _main_commit(self, event: _Event) -> None:
        when = self._when(event.time)
        upkeep = self._maintenance(self.main, when) if event.kind in FILLERS else None
        if upkeep is not None:
            message, ops, who = upkeep
        else:
            message, ops, who = self._apply(event, self.main, when)
        self.main_tip = self._commit("refs/heads/main", message, ops, self.main_tip, who, when)

    def _pull_request(self, queue: list[_Event], index: int, event: _Event) -> int:
        """The next 1-3 events land through a side branch; main moves on in code meanwhile."""
        taken = []
        while index < len(queue) and len(taken) < self.rng.randint(1, 3):
            if queue[index].kind == "pull-request":
                break
            taken.append(queue[index])
            index += 1
        if not taken:
            # Nothing to carry: two code commits keep the commit count exact.
            self._main_commit(_Event(event.time, "code"))
            self._main_commit(_Event(event.time, "code"))
            return index
        self.pr_number += 1
        ref = f"refs/heads/pr-{self.pr_number}"
        side = self.main.copy()
        tip = self.main_tip
        touched: set[str] = set()
        for item in taken:
            when = self._when(item.time)
            upkeep = self._maintenance(side, when) if item.kind in FILLERS else None
            message, ops, who = upkeep if upkeep is not None else self._apply(item, side, when)
            tip = self._commit(ref, message, ops, tip, who, when)
            touched.update(_op_paths(ops))
        code = f"src/service/handler_{self.rng.randint(1, 20)}.py"
        self.main.put(code, f"X = {self.mark}\n")
        coder = self.rng.choice(self.people)
        self.main_tip = self._commit(
            "refs/heads/main",
            "Tune service handler",
            [self._modify(code, f"X = {self.mark}\n")],
            self.main_tip,
            (coder.name, coder.email),
            self._when(taken[-1].time),
        )
        side.put(code, self.main.files[code])
        merge_ops = []
        for path in sorted(touched):
            if path in side.files:
                merge_ops.append(self._modify(path, side.files[path]))
            elif path in self.main.files:
                merge_ops.append(f"D {path}\n")
        self.main = side
        merger = self.rng.choice(self.people)
        self.main_tip = self._commit(
            "refs/heads/main",
            f"Merge pull request #{self.pr_number}",
            merge_ops,
            self.main_tip,
            (merger.name, merger.email),
            self._when(taken[-1].time),
            tip,
        )
        self.out.write(f"reset {ref}\n\n")
        return index


FILLERS = ("code", "card-edit", "conclusion-edit")


def _op_paths(ops: list[str]) -> list[str]:
    paths = []
    for op in ops:
        head = op.split("\n", 1)[0].split(" ")
        if head[0] == "M":
            paths.append(head[3])
        elif head[0] == "D":
            paths.append(head[1])
        elif head[0] == "R":
            paths.extend(head[1:3])
    return paths


def _without_environments(policy: str) -> str:
    """The example's policy without its deployment ``environments:`` (and the comment
    lines just above): the generated repository has no deployments or serving logs."""
    lines = policy.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("environments:")), None)
    if start is None:
        return policy
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    return "".join(lines[:start] + lines[end:])


def _mkdocs_yml(as_of: str) -> str:
    return f"""site_name: Bank model governance
theme:
  name: material
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
plugins:
  - search
  - governance:
      records_dir: governance_records
      gate: warn
      as_of: {as_of}
nav:
  - Home: index.md
"""


def generate_repo(
    out_dir: Path,
    *,
    commits: int = 20_000,
    files: int = 3_000,
    authors: int = 25,
    seed: int = 7,
    years: float = 5.0,
) -> Path:
    """Create the repository in ``out_dir`` (which must not exist or be empty).

    Returns ``out_dir``. Deterministic: the same arguments give the same hashes.
    Beside the records it writes ``mkdocs.yml``, ``docs/index.md`` (committed) and
    ``deliberate-findings.json`` (untracked, outside the records: what the gate
    must report, see [`deliberate_findings`][scripts.generate_repo.deliberate_findings]).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise SystemExit(f"{out_dir} is not empty; choose a new folder")
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "PATH": _path()}
    subprocess.run(["git", "init", "-q", "-b", "main", str(out_dir)], check=True, env=env)
    generator = _Generator(commits, files, authors, seed, years)
    stream = generator.generate()
    subprocess.run(
        ["git", "fast-import", "--quiet", "--done"],
        input=(stream + "done\n").encode("utf-8"),
        cwd=out_dir,
        check=True,
        env=env,
    )
    for ref in subprocess.run(
        ["git", "for-each-ref", "--format=%(refname)", "refs/heads/pr-*"],
        cwd=out_dir,
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split():
        subprocess.run(["git", "update-ref", "-d", ref], cwd=out_dir, check=True, env=env)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out_dir, check=True, env=env)
    # mkdocs.yml names the last commit's day (as_of), known only at the end: it is
    # written into the work tree, outside the records, and left uncommitted.
    (out_dir / "mkdocs.yml").write_text(generator.main.files["mkdocs.yml"], encoding="utf-8")
    (out_dir / "deliberate-findings.json").write_text(
        json.dumps(generator.deliberate, indent=2) + "\n", encoding="utf-8"
    )
    (out_dir / ".git" / "info" / "exclude").write_text(
        "mkdocs.yml\ndeliberate-findings.json\nsite/\n.governance-cache/\n", encoding="utf-8"
    )
    return out_dir


def _path() -> str:
    import os

    return os.environ.get("PATH", "/usr/bin:/bin")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to create the repository in")
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=3_000)
    parser.add_argument("--authors", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", type=float, default=5.0)
    args = parser.parse_args(argv)
    generate_repo(
        args.out_dir,
        commits=args.commits,
        files=args.files,
        authors=args.authors,
        seed=args.seed,
        years=args.years,
    )
    records = sum(1 for p in (args.out_dir / RECORDS).rglob("*") if p.is_file())
    print(f"generated {args.out_dir}: {records} record files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
