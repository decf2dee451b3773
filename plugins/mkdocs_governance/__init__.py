"""mkdocs-governance: a governance wiki and build gate for ML models kept in Git.

The public API is small: load the records, read the history, evaluate the policy,
and render the site. Each layer lives in its own sub-package:

- [`records`][mkdocs_governance.records]: record files -> typed registry
- [`history`][mkdocs_governance.history]: one git pass -> per-file history
- [`policy`][mkdocs_governance.policy]: registry + history -> findings (the gate)
- [`site`][mkdocs_governance.site]: registry + history + findings -> pages
"""

from __future__ import annotations

__version__ = "0.1.0"
