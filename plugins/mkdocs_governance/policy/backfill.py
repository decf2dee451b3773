"""The backfill cut-over: which records are judged by the dates they record.

A team that starts using the gate with years of governance behind it commits that
history at once: every version is then "created" by today's commit, and every
sign-off and verification, dated months earlier, would be ``implausible-date``.
``rules.backfill_until`` in ``policy.yaml`` declares the cut-over: a sign-off or
verification **dated and committed on or before that day** is judged by its recorded
date (it must still be on or after the version's ``created`` date, not in the future,
and not dated after the commit that wrote it), not against the commit that added the
version.

Why this opens no hole (the person it judges would backdate a new record):

- it is declared in ``policy.yaml``, so a pull request is judged with the base's
  value and a change to it is ``policy-changed``;
- a record committed after the cut-over day is judged in full, whatever it says;
- once the day has passed, a pull request (judged with a base ref) exempts only
  records the base branch already holds: a new commit claiming an author date
  before the cut-over (Git lets anyone write any date) gains nothing;
- provenance is never taken as recorded: a backfilled sign-off still counts only
  when committed by its approver.
"""

from __future__ import annotations

from datetime import date

from .context import Context


def is_backfilled(ctx: Context, record_date: date, path: str) -> bool:
    """True when the record at ``path``, dated ``record_date``, predates the cut-over."""
    until = ctx.policy.rules.backfill_until if ctx.policy is not None else None
    if until is None or record_date > until or not ctx.history.available:
        return False
    file_history = ctx.history.file(path)
    added = file_history.created_by if file_history is not None else None
    commit = ctx.history.commit(added.sha) if added is not None else None
    if commit is None or commit.author_date.date() > until:
        return False  # uncommitted, or committed after the cut-over: judged in full
    if ctx.as_of <= until or ctx.base is None:
        return True
    # After the cut-over, only what the trusted base already held was backfilled.
    held = {s.location.file for s in ctx.base.signoffs}
    held |= {v.location.file for v in ctx.base.verifications}
    return path in held
