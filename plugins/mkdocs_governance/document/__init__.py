"""The model document: one reproducible document per model version.

What auditors, validators and regulators are handed about one model version (a bank's
model-validation file, the EU AI Act's Annex IV technical documentation): who it is,
what it is for, the data, the experiments and decisions behind it, its performance
against the policy's bounds, what was verified, who signed it off, what changed since
the previous version, open findings and deployments. Every section comes from the
records, the Git history and the gate's report of one run; nothing is typed twice.

    document/
      model.py      GovernanceRun + version -> ModelDocument (pure, no I/O)
      figures.py    the performance figure (matplotlib, imported only when drawn)
      html.py       ModelDocument -> one self-contained HTML file (print styles)
      docx.py       ModelDocument -> .docx (python-docx; docxtpl for a company template)
      pdf.py        the HTML through WeasyPrint
      reproducible.py  fixed zip metadata, so a .docx is byte-identical per commit

The same [`ModelDocument`][mkdocs_governance.document.model.ModelDocument] feeds the
wiki's document page, so the page and the filed document cannot disagree.
"""

from __future__ import annotations

from .model import MadeFrom, ModelDocument, build_document

__all__ = ["MadeFrom", "ModelDocument", "build_document"]
