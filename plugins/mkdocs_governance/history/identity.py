"""Who a commit author is: mapping a Git identity to a person of ``people.yaml``.

Only e-mail addresses listed in a person's ``emails`` count. Names are never
compared: a Git author name is free text, and guessing by it would let anyone
write "Alice" and be taken for her.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..records.model import Person

# GitHub's private commit address: "<id>+<login>@users.noreply.github.com"
# (older accounts: "<login>@users.noreply.github.com").
_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@+]+)@users\.noreply\.github\.com$")


def normalise_email(email: str) -> str:
    """The form two addresses are compared in: trimmed, lower-case, without ``<>``,
    and a GitHub noreply address reduced to ``<login>@users.noreply.github.com``."""
    text = email.strip().strip("<>").strip().lower()
    match = _NOREPLY.match(text)
    if match:
        return f"{match.group('login')}@users.noreply.github.com"
    return text


def match_person(people: Mapping[str, Person], name: str, email: str) -> Person | None:
    """The person whose ``emails`` list the commit's ``email``, or None.

    Comparison ignores case; a GitHub noreply address matches with or without its
    numeric ``12345+`` prefix. ``name`` is accepted for symmetry with the commit
    fields and deliberately ignored: unmapped authors stay unmapped.

    Args:
        people: the registry's people, by id.
        name: the commit's author (or committer) name; not used for matching.
        email: the commit's author (or committer) e-mail.
    """
    del name  # never guess by name: see the module docstring
    wanted = normalise_email(email)
    if not wanted:
        return None
    for person in people.values():
        if any(normalise_email(known) == wanted for known in person.emails):
            return person
    return None
