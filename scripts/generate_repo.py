"""Generate a synthetic governance repository, deterministically, for benchmarks and tests.

    python scripts/generate_repo.py --commits 20000 --files 3000 --authors 25 --seed 7 OUT_DIR

The repository has ``--commits`` commits by ``--authors`` people spread over
several years, ``--files`` record files under ``governance_records/`` (models,
datasets, experiments, sign-offs, verifications: plausible YAML), code commits
outside the records, renames across folders, deletions, and pull-request style
side branches merged with ``--no-ff`` merges. The same arguments always give the
same commit hashes.

It is written with one ``git fast-import`` process (one ``git commit`` per commit
would take many minutes at 20,000 commits), then checked out. Import it from a
test or a benchmark: ``from scripts.generate_repo import generate_repo``.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

RECORDS = "governance_records"
# Share of record files per folder (the rest of SPEC §3's layout is a few fixed files).
FOLDERS = (
    ("models", 0.08),
    ("datasets", 0.05),
    ("experiments", 0.22),
    ("signoffs", 0.35),
    ("verifications", 0.30),
)
START = int(datetime(2021, 1, 4, 9, 0, tzinfo=UTC).timestamp())
FIRST_NAMES = ("Ada", "Bo", "Chen", "Dara", "Emeka", "Fatima", "Gustav", "Hana", "Ines", "José",
               "Kai", "Lena", "Mateo", "Nadia", "Oren", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
               "Uma", "Vera", "Wen", "Xavier", "Yara", "Zoë")  # fmt: skip
LAST_NAMES = ("Abara", "Berg", "Costa", "Dubois", "Eze", "Fischer", "García", "Haddad", "Ito",
              "Jensen", "Khan", "Lopez", "Müller", "Novak", "Okafor", "Petrov", "Quist", "Rossi",
              "Sato", "Tan", "Usman", "Varga", "Weber", "Xu", "Yilmaz", "Zhou")  # fmt: skip
CHECKS = ("data-validation", "performance", "fairness-audit", "model-card", "robustness")
ROLES = ("ml-lead", "model-risk", "product-owner")
STAGES = ("development", "staging", "production")


@dataclass
class _Author:
    name: str
    email: str


@dataclass
class _State:
    """The records of one line of history: path -> content, plus a list of the
    paths for O(1) random picks (sorting thousands of paths per commit is slow)."""

    files: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    slots: dict[str, int] = field(default_factory=dict)

    def put(self, path: str, content: str) -> None:
        if path not in self.files:
            self.slots[path] = len(self.paths)
            self.paths.append(path)
        self.files[path] = content

    def remove(self, path: str) -> str:
        slot = self.slots.pop(path)
        last = self.paths.pop()
        if last != path:
            self.paths[slot] = last
            self.slots[last] = slot
        return self.files.pop(path)

    def copy(self) -> _State:
        return _State(dict(self.files), list(self.paths), dict(self.slots))


class _Generator:
    def __init__(self, commits: int, files: int, authors: int, seed: int, years: float) -> None:
        self.rng = random.Random(seed)
        self.total_commits = commits
        self.total_files = files
        self.authors = [
            _Author(
                f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}",
                f"person{i:03d}@bank.example",
            )
            for i in range(authors)
        ]
        self.span = int(years * 365 * 86400)
        self.step = max(1, self.span // max(commits, 1))
        self.time = START
        self.mark = 0
        self.commits_written = 0
        self.created = 0
        self.serial = 0
        self.main = _State()
        self.main_tip = 0
        self.models: list[str] = []
        self.out = io.StringIO()

    # -- content ------------------------------------------------------------------------

    def _folder(self) -> str:
        pick = self.rng.random()
        for folder, share in FOLDERS:
            if pick < share:
                return folder
            pick -= share
        return FOLDERS[-1][0]

    def _new_record(self, state: _State) -> tuple[str, str]:
        self.serial += 1
        folder = self._folder()
        if folder == "models" or not self.models:
            model_id = f"model-{self.serial:05d}"
            self.models.append(model_id)
            return f"{RECORDS}/models/{model_id}.yaml", self._model(model_id)
        model = self.rng.choice(self.models)
        version = f"{self.rng.randint(1, 4)}.{self.rng.randint(0, 12)}"
        person = self.rng.choice(self.authors)
        day = datetime.fromtimestamp(self.time, UTC).date().isoformat()
        if folder == "datasets":
            body = (f"id: dataset-{self.serial:05d}\nname: Loan book extract {self.serial}\n"
                    f"owner: {person.email.split('@')[0]}\nsource: s3://lake/loans/{self.serial}\n"
                    f"version: '{version}'\nsha256: {self.rng.getrandbits(256):064x}\n"
                    f"personal_data: {str(self.rng.random() < 0.4).lower()}\nlicense: internal\n")  # fmt: skip
            return f"{RECORDS}/datasets/dataset-{self.serial:05d}.yaml", body
        if folder == "experiments":
            body = (f"id: exp-{self.serial:05d}\nmodel: {model}\ntitle: Try {self.rng.choice(('xgboost', 'lightgbm', 'logit', 'mlp'))}\n"
                    f"author: {person.email.split('@')[0]}\ndate: {day}\nparams:\n  learning_rate: {self.rng.random():.4f}\n"
                    f"  depth: {self.rng.randint(2, 12)}\nmetrics:\n  auc: {0.6 + self.rng.random() * 0.35:.4f}\n"
                    f"outcome: {self.rng.choice(('adopted', 'rejected', 'inconclusive'))}\n")  # fmt: skip
            return f"{RECORDS}/experiments/exp-{self.serial:05d}.yaml", body
        if folder == "signoffs":
            stage = self.rng.choice(STAGES[1:])
            body = (f"model: {model}\nversion: '{version}'\nstage: {stage}\n"
                    f"approver: {person.email.split('@')[0]}\nrole: {self.rng.choice(ROLES)}\n"
                    f"decision: {'approved' if self.rng.random() < 0.9 else 'rejected'}\ndate: {day}\n"
                    f"comment: Reviewed evidence pack {self.serial}.\n"
                    f"subject: sha256:{self.rng.getrandbits(256):064x}\n")  # fmt: skip
            return f"{RECORDS}/signoffs/{model}/{version}-{stage}-{self.serial:05d}.yaml", body
        check = self.rng.choice(CHECKS)
        body = (f"model: {model}\nversion: '{version}'\ncheck: {check}\n"
                f"status: {'passed' if self.rng.random() < 0.85 else 'failed'}\ndate: {day}\n"
                f"performed_by: pipeline-{self.rng.randint(1, 9)}\nevidence: reports/{self.serial}.html\n"
                f"summary: Automated run {self.serial}.\nsubject: sha256:{self.rng.getrandbits(256):064x}\n")  # fmt: skip
        return f"{RECORDS}/verifications/{model}/{check}-{self.serial:05d}.yaml", body

    def _model(self, model_id: str) -> str:
        owner = self.rng.choice(self.authors).email.split("@")[0]
        return (f"id: {model_id}\nname: Credit model {model_id[-5:]}\nowner: {owner}\n"
                f"description: Scores applications.\nrisk_tier: {self.rng.choice(('low', 'medium', 'high'))}\n"
                f"versions:\n  - version: '1.0'\n    created: 2021-01-04\n    stage: development\n")  # fmt: skip

    # -- fast-import --------------------------------------------------------------------

    def _data(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.out.write(f"data {len(raw)}\n")
        self.out.write(text)
        self.out.write("\n")

    def _commit(
        self,
        ref: str,
        message: str,
        ops: list[str],
        parent: int,
        merge: int | None = None,
        author: _Author | None = None,
    ) -> int:
        self.mark += 1
        self.commits_written += 1
        self.time += self.rng.randint(1, 2 * self.step)
        who = author or self.rng.choice(self.authors)
        self.out.write(f"commit {ref}\nmark :{self.mark}\n")
        self.out.write(f"author {who.name} <{who.email}> {self.time} +0000\n")
        self.out.write(f"committer {who.name} <{who.email}> {self.time} +0000\n")
        self._data(message)
        if parent:
            self.out.write(f"from :{parent}\n")
        if merge:
            self.out.write(f"merge :{merge}\n")
        for op in ops:
            self.out.write(op)
        self.out.write("\n")
        return self.mark

    def _modify_ops(self, path: str, content: str) -> str:
        raw = content.encode("utf-8")
        return f"M 100644 inline {path}\ndata {len(raw)}\n{content}\n"

    def _changes(self, state: _State, remaining_commits: int) -> tuple[str, list[str], list[str]]:
        """One commit's worth of record changes on ``state``: (message, ops, touched)."""
        ops: list[str] = []
        touched: list[str] = []
        # Spread file creation so that every file exists by the end.
        remaining_files = self.total_files - self.created
        adds = 0
        if remaining_files > 0:
            expected = remaining_files / max(remaining_commits, 1)
            adds = int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)
        pick = self.rng.random()
        if adds:
            for _ in range(adds):
                path, content = self._new_record(state)
                state.put(path, content)
                ops.append(self._modify_ops(path, content))
                touched.append(path)
                self.created += 1
            kind = touched[0].split("/")[1]
            return f"Add {kind} record {touched[0].rsplit('/', 1)[-1]}", ops, touched
        if not state.paths or pick < 0.30:
            path = f"src/pipeline/step_{self.rng.randint(1, 40)}.py"
            ops.append(
                self._modify_ops(
                    path, f"# step revision {self.mark}\nVALUE = {self.rng.random()}\n"
                )
            )
            return "Refactor pipeline step", ops, touched
        paths = state.paths
        if pick < 0.35:  # rename, sometimes across folders
            old = self.rng.choice(paths)
            folder = self.rng.choice(("archive", "signoffs/moved", "verifications/moved"))
            new = f"{RECORDS}/{folder}/{old.rsplit('/', 1)[-1]}"
            if new not in state.files and new != old:
                state.put(new, state.remove(old))
                ops.append(f"R {old} {new}\n")
                return f"Move {old.rsplit('/', 1)[-1]} to {folder}", ops, [old, new]
        if pick < 0.37:  # delete (the slot is refilled by a later add)
            old = self.rng.choice(paths)
            state.remove(old)
            ops.append(f"D {old}\n")
            self.created -= 1
            return f"Remove {old.rsplit('/', 1)[-1]}", ops, [old]
        for path in self.rng.sample(paths, min(len(paths), self.rng.randint(1, 3))):
            state.files[path] = (
                state.files[path] + f"revision_{self.mark}: {self.rng.randint(0, 999)}\n"
            )
            ops.append(self._modify_ops(path, state.files[path]))
            touched.append(path)
        return f"Update {touched[0].rsplit('/', 1)[-1]}", ops, touched

    def generate(self) -> str:
        self.out.write("reset refs/heads/main\n")
        people = "people:\n" + "".join(
            f"  - id: {a.email.split('@')[0]}\n    name: {a.name}\n    emails: [{a.email}]\n    roles: [{self.rng.choice(ROLES)}]\n"
            for a in self.authors
        )  # fmt: skip
        policy = "stages: [development, staging, production]\nchecks:\n" + "".join(
            f"  {check}: {{title: {check}}}\n" for check in CHECKS
        )
        self.main.files[f"{RECORDS}/people.yaml"] = people
        self.main.files[f"{RECORDS}/policy.yaml"] = policy
        ops = [self._modify_ops(p, c) for p, c in self.main.files.items()]
        self.main_tip = self._commit("refs/heads/main", "Initial governance records", ops, 0)
        branch = 0
        while self.commits_written < self.total_commits:
            remaining = self.total_commits - self.commits_written
            # About one commit in six lands through a pull request (side branch + merge).
            if remaining >= 4 and self.rng.random() < 0.06:
                branch += 1
                self._pull_request(branch, remaining)
                continue
            message, ops, _ = self._changes(self.main, remaining)
            self.main_tip = self._commit("refs/heads/main", message, ops, self.main_tip)
        self.out.write("reset refs/heads/main\n")
        self.out.write(f"from :{self.main_tip}\n\n")
        return self.out.getvalue()

    def _pull_request(self, number: int, remaining: int) -> None:
        ref = f"refs/heads/pr-{number}"
        side = self.main.copy()
        tip = self.main_tip
        author = self.rng.choice(self.authors)
        touched: set[str] = set()
        for _ in range(self.rng.randint(1, min(3, remaining - 2))):
            message, ops, paths = self._changes(side, remaining)
            tip = self._commit(ref, message, ops, tip, author=author)
            touched.update(paths)
            remaining -= 1
        # Main moves on meanwhile, but only in code, so the merge has no conflicts.
        path = f"src/service/handler_{self.rng.randint(1, 20)}.py"
        self.main_tip = self._commit(
            "refs/heads/main", "Tune service handler", [self._modify_ops(path, f"X = {self.mark}\n")],
            self.main_tip,
        )  # fmt: skip
        ops = []
        for path in sorted(touched):
            if path in side.files:
                ops.append(self._modify_ops(path, side.files[path]))
            elif path in self.main.files:
                ops.append(f"D {path}\n")
        self.main = side
        merger = self.rng.choice(self.authors)
        self.main_tip = self._commit(
            "refs/heads/main", f"Merge pull request #{number}", ops, self.main_tip, tip, merger
        )
        self.out.write(f"reset {ref}\n\n")  # fast-import must not leave the branch behind
        # Drop the side ref: merged branches are deleted after a pull request.


def generate_repo(
    out_dir: Path,
    *,
    commits: int = 20_000,
    files: int = 3_000,
    authors: int = 25,
    seed: int = 7,
    years: float = 5.0,
) -> Path:
    """Create the synthetic repository in ``out_dir`` (which must not exist or be empty).

    Returns ``out_dir``. Deterministic: the same arguments give the same hashes.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise SystemExit(f"{out_dir} is not empty; choose a new folder")
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "PATH": _path()}
    subprocess.run(["git", "init", "-q", "-b", "main", str(out_dir)], check=True, env=env)
    stream = _Generator(commits, files, authors, seed, years).generate()
    subprocess.run(
        ["git", "fast-import", "--quiet", "--done"],
        input=(stream + "done\n").encode("utf-8"), cwd=out_dir, check=True, env=env,
    )  # fmt: skip
    for ref in subprocess.run(
        ["git", "for-each-ref", "--format=%(refname)", "refs/heads/pr-*"],
        cwd=out_dir, check=True, env=env, capture_output=True, text=True,
    ).stdout.split():  # fmt: skip
        subprocess.run(["git", "update-ref", "-d", ref], cwd=out_dir, check=True, env=env)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out_dir, check=True, env=env)
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
        args.out_dir, commits=args.commits, files=args.files, authors=args.authors,
        seed=args.seed, years=args.years,
    )  # fmt: skip
    print(f"generated {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
