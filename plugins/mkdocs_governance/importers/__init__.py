"""Importers: other tools' data -> record files (SPEC §9 ``import``).

Each source has one module, a pure mapping from the objects its own client library
returns to record dicts, plus a thin reader:

- [`mlflow`][mkdocs_governance.importers.mlflow]: runs -> experiments, registered
  model versions -> model versions (through ``mlflow``'s ``MlflowClient``);
- [`hf_card`][mkdocs_governance.importers.hf_card]: a Hugging Face model card ->
  a model record and dataset records (through ``huggingface_hub``'s ``ModelCard``);
- [`gto`][mkdocs_governance.importers.gto]: GTO registration and assignment tags ->
  model versions (the tags themselves are read by ``history.tags``);
- [`dvc`][mkdocs_governance.importers.dvc]: ``dvc.yaml`` artifacts, params, metrics
  and plots -> models and an experiment.

All of them hand an [`ImportBatch`][mkdocs_governance.importers.ImportBatch] to the
one [`writer`][mkdocs_governance.importers.writer], which validates every record
through the records layer's schema, merges it with the file already there (never
overwriting fields a person wrote) and reports what changed. Importers write records
and never judge: the gate judges what they wrote like any other record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ImportedRecord:
    """One record an importer produced.

    Attributes:
        kind: ``model``, ``experiment`` or ``dataset`` (the records schema to check).
        path: where it goes, relative to the records folder (``experiments/x.yaml``).
        data: the record's fields, as they will be written.
        source: what it came from, for the report (``mlflow run 8716…``).
    """

    kind: str
    path: str
    data: dict[str, Any]
    source: str = ""


@dataclass(slots=True)
class ImportBatch:
    """What one import produced: records, plus what it skipped or dropped and why.

    Attributes:
        records: the records to write.
        notes: things the user should know (skipped deleted runs, dropped NaN values,
            unmapped user names); printed, never fatal.
        problems: ``file:line: what is wrong, how to fix it`` for source data that
            could not be imported; the command exits 1 when any exist.
    """

    records: list[ImportedRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def extend(self, other: ImportBatch) -> None:
        """Add another batch's records, notes and problems to this one."""
        self.records.extend(other.records)
        self.notes.extend(other.notes)
        self.problems.extend(other.problems)


# Fields a person writes after the import (the governance judgement, the prose):
# a re-import never overwrites them once the record has a value.
PERSON_FIELDS: dict[str, frozenset[str]] = {
    "experiment": frozenset({"conclusion", "hypothesis", "outcome", "datasets", "date"}),
    "model": frozenset(
        {
            "description",
            "owner",
            "risk_tier",
            "intended_use",
            "out_of_scope_use",
            "limitations",
            "ethical_considerations",
            "datasets",
        }
    ),
    # `created` too: an importer that defaults it to the day of the import (a model
    # card) must not move it, and with it the digest, on every re-import.
    "model-version": frozenset({"description", "datasets", "created"}),
    "dataset": frozenset({"description", "owner", "personal_data", "license"}),
}
