"""Write the example's deployments and its small serving log (Larkspur Lending, prod-eu).

The story: on 2026-12-01 evening Larkspur moved model serving to a new cluster. The
deployment pipeline (``pipeline:deploy``, committing as ci-deploy@larkspur-lending.example)
redeployed each serving version through ``mkdocs-governance allow`` and recorded it;
the serving log of prod-eu covers the first 72 hours. Deployment moments are judged
against the records as the branch had them then (its newest first-parent commit
committed by that moment), so the deployments are dated after the example's records
were committed: after the records that prove the data-validation pipeline ran its
checks (issue 9: a verification counts only when committed by its performer) reached
the main line on 2026-12-01, and after the environments and the deployment pipeline
joined the policy and people register there. The story's day (as_of 2026-11-26)
stays the day every other rule is judged on.

Run from the repository root: ``python scripts/example_production.py [--commit]``.
With ``--commit`` each record is committed as the pipeline (author date = the
deployment's time plus a minute), and the log by the platform team's data steward.
Seeded: the same log every time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "governance_records"
LOG = ROOT / "serving_logs" / "prod-eu" / "2026-12-01.jsonl"
PIPELINE = ("Deployment pipeline", "ci-deploy@larkspur-lending.example")
STEWARD = ("Grace Liu", "grace.liu@larkspur-lending.example")

# (environment, model, version, artifact sha256, service, started)
DEPLOYMENTS = [
    (
        "prod-eu",
        "credit-default-pd",
        "2.0",
        "75cda7a1aa4f2a210a19804ad047143117287e69899b9bd6ae389230398b257b",
        "credit-default-pd-api",
        "2026-12-01T23:20:00Z",
    ),
    (
        "prod-eu",
        "fraud-card-txn",
        "1.10",
        "d996b79a409857c846ff811bf4e163286f3ebc9b85673e3be7b8764d36af7afa",
        "fraud-card-scoring",
        "2026-12-01T23:25:00Z",
    ),
    (
        "prod-eu",
        "collections-early-arrears",
        "1.2",
        "6eecdca62361a94c22a3df1d7dcca18fc9c446afad8f122d50a8028a526fe466",
        "collections-queue",
        "2026-12-01T23:30:00Z",
    ),
    (
        "staging-eu",
        "credit-default-pd",
        "2.1",
        "2eafdc10545d360943a9db1e6c352ed7e492659d102fc42ff8c714e22b3758de",
        "credit-default-pd-api",
        "2026-12-01T23:35:00Z",
    ),
]
# Requests per hour at the daily peak, per prod-eu service.
PEAK = {"credit-default-pd": 9, "fraud-card-txn": 30, "collections-early-arrears": 4}
VERSION = {"credit-default-pd": "2.0", "fraud-card-txn": "1.10", "collections-early-arrears": "1.2"}


def _git(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True, env={**os.environ, **(env or {})})


def _commit(paths: list[Path], message: str, who: tuple[str, str], when: datetime) -> None:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    _git("add", "--", *(str(p) for p in paths))
    _git(
        "commit",
        "-q",
        "-m",
        message,
        "--author",
        f"{who[0]} <{who[1]}>",
        env={"GIT_AUTHOR_DATE": stamp},
    )


def write_log() -> int:
    """The prod-eu serving log: 72 hours from the redeployment, a daily cycle, seeded."""
    rng = random.Random(20261126)
    start = datetime(2026, 12, 1, 23, 50, tzinfo=UTC)
    lines = []
    for hour in range(72):
        base = start.replace(minute=0) + timedelta(hours=hour)
        daily = 0.35 + 0.65 * max(0.0, math.sin(math.pi * ((base.hour - 6) % 24) / 18))
        for model, peak in PEAK.items():
            for _ in range(max(1, round(peak * daily + rng.uniform(-1, 1)))):
                moment = base + timedelta(seconds=rng.randrange(0, 3600))
                if moment < start:
                    continue
                lines.append(
                    (
                        moment,
                        {
                            "timestamp": moment.isoformat().replace("+00:00", "Z"),
                            "model": model,
                            "version": VERSION[model],
                            "endpoint": f"{model}-prod-eu",
                            "status": 200,
                            "latency_ms": round(rng.lognormvariate(3, 0.4), 1),
                        },
                    )
                )
    lines.sort(key=lambda item: item[0])
    LOG.parent.mkdir(parents=True, exist_ok=True)
    LOG.write_text("".join(json.dumps(obj) + "\n" for _, obj in lines), encoding="utf-8")
    return len(lines)


def main() -> None:
    """Write (and with ``--commit``, commit) the example's deployments and serving log."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commit", action="store_true")
    args = parser.parse_args()
    for environment, model, version, sha, service, started in DEPLOYMENTS:
        moment = datetime.fromisoformat(started.replace("Z", "+00:00"))
        folder = RECORDS / "deployments" / environment
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{moment.strftime('%Y%m%dT%H%M%SZ')}-{model}-{version}.yaml"
        target.write_text(
            f'environment: "{environment}"\nmodel: "{model}"\nversion: "{version}"\n'
            f'artifact_sha256: {sha}\nstarted: {started}\nby: "pipeline:deploy"\n'
            f'service: "{service}"\nstatus: deployed\n'
            f'run_url: "https://argocd.larkspur-lending.example/applications/{service}"\n'
            f'comment: "Redeployed on the new serving cluster, through mkdocs-governance allow"\n',
            encoding="utf-8",
        )
        if args.commit:
            _commit(
                [target],
                f"Deploy {model}@{version} to {environment} (pipeline run)",
                PIPELINE,
                moment + timedelta(minutes=1),
            )
    count = write_log()
    if args.commit:
        _commit(
            [LOG],
            "Serving log of prod-eu, first 72 hours on the new cluster",
            STEWARD,
            datetime(2026, 12, 4, 23, 55, tzinfo=UTC),
        )
    print(f"{len(DEPLOYMENTS)} deployments, {count} requests in {LOG.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
