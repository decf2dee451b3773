"""``python -m mkdocs_governance``: the same command line as ``mkdocs-governance``."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
