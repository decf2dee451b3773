"""Trust decisions, made in one place (docs/trust.md).

A verdict may depend only on what the trusted side controls: the base branch's people,
policy and configuration, signatures by keys registered there, and commits whose
content is really the content judged. The rules never re-derive these facts; they call
the small functions here:

- [`identity`][mkdocs_governance.policy.trust.identity]: the person or declared pipeline
  a record names, from the judging side's ``people.yaml``;
- [`content_writers`][mkdocs_governance.policy.trust.content_writers]: the commits that
  wrote a record file's current content (its blob), not the commits that touched its
  path;
- [`authorship_problem`][mkdocs_governance.policy.trust.authorship_problem]: whether
  those commits show that the record comes from the identity it names;
- [`withdrawals`][mkdocs_governance.policy.trust.withdrawals]: sign-offs replaced or
  deleted by someone other than their approver.

Pure: the facts come from the history layer (``history.content``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..history.identity import normalise_email
from ..history.model import Commit
from ..history.requirements import RequirementChange
from ..records.model import Person, Pipeline, SignOff
from .context import Context

PIPELINE_PREFIX = "pipeline:"

Identity = Person | Pipeline


@dataclass(frozen=True, slots=True)
class Writer:
    """A commit that wrote a record's current content.

    ``commit`` is the history pass's commit (with its signature) when the pass has it.
    """

    sha: str
    author_name: str
    author_email: str
    commit: Commit | None

    @property
    def text(self) -> str:
        """``commit abc1234567 by Name <email>`` for messages."""
        return f"commit {self.sha[:10]} by {self.author_name} <{self.author_email}>"


def identity(ctx: Context, reference: str) -> Identity | None:
    """The person id or ``pipeline:<id>`` ``reference`` names, on the judging side."""
    if reference.startswith(PIPELINE_PREFIX):
        return ctx.pipelines.get(reference.removeprefix(PIPELINE_PREFIX))
    return ctx.people.get(reference)


def identity_text(who: Identity) -> str:
    """``Name (id)`` of a person, ``Name (pipeline:id)`` of a pipeline."""
    return f"{who.name} ({who.reference if isinstance(who, Pipeline) else who.id})"


def content_writers(ctx: Context, path: str) -> list[Writer] | None:
    """The commits that wrote ``path``'s current content, newest first.

    None when content provenance was not read in this run (callers then fall back on
    the commits that touched the path); an empty list when no commit of the history
    wrote the blob the file has at HEAD.
    """
    if ctx.content is None:
        return None
    writers = []
    for sha in ctx.content.writers(path):
        commit = ctx.history.commit(sha)
        author = ctx.content.authors.get(sha)
        if commit is not None:
            writers.append(Writer(sha, commit.author_name, commit.author_email, commit))
        elif author is not None:
            writers.append(Writer(sha, author.name, author.email, None))
    return writers


def authored_by(writer: Writer, who: Identity) -> bool:
    """True when the writer commit's author email is one of ``who``'s."""
    emails = {normalise_email(e) for e in who.emails}
    return normalise_email(writer.author_email) in emails


def authorship_problem(
    ctx: Context, path: str, who: Identity, *, record: str, fix: str, role: str = "approver"
) -> str | None:
    """Why the commits that wrote ``path``'s content do not show it comes from ``who``.

    Every commit that wrote the current content must be authored by one of ``who``'s
    emails. None when content provenance was not read (see ``content_writers``).

    Args:
        record: what the record is, for the message ("sign-off", "verification").
        fix: the sentence that says how to fix it.
        role: what ``who`` is to the record ("approver", "performer").
    """
    writers = content_writers(ctx, path)
    if writers is None:
        return None
    if not writers:
        return (
            f"No commit in this history wrote the content this {record} has now, so "
            f"nothing shows that {identity_text(who)} gave it. {fix}"
        )
    for writer in writers:
        if authored_by(writer, who):
            continue
        if _wrote_earlier(ctx, path, who):
            return (
                f"This {record} was edited after its {role} {identity_text(who)} wrote it: "
                f"its current content was written in {writer.text}, not by its {role}; an "
                f"edit by someone else may change what was given. {fix}"
            )
        return (
            f"The content of this {record} was written in {writer.text}, not by its "
            f"{role} {identity_text(who)}; only the commit that wrote a record's current "
            f"content shows who gave it. {fix}"
        )
    return None


def _wrote_earlier(ctx: Context, path: str, who: Identity) -> bool:
    """True when a commit by ``who`` wrote an earlier content of ``path``."""
    if ctx.content is None:
        return False
    for change in ctx.content.changes.get(path, ()):
        author = ctx.content.authors.get(change.sha)
        if change.new and author is not None:
            emails = {normalise_email(e) for e in who.emails}
            if normalise_email(author.email) in emails:
                return True
    return False


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A sign-off someone other than its approver replaced or deleted.

    Attributes:
        signoff: the sign-off as it was (parsed from the replaced content).
        path: the file it was in.
        removed_by: the commits that replaced or deleted it (empty: it vanished in a
            merge that took the other side).
    """

    signoff: SignOff
    path: str
    removed_by: tuple[Writer, ...]


def withdrawals(
    ctx: Context, former: Iterable[tuple[SignOff, tuple[str, ...]]]
) -> list[Withdrawal]:
    """The former sign-offs whose removal is not shown to be their approver's.

    ``former`` holds each replaced sign-off with the commits that replaced or removed
    it. A removal counts as the approver's when one of those commits is authored by
    them. A former sign-off also stops mattering once its approver has given a newer
    word on the same version and stage that stands on its own (a committed sign-off,
    written by them, dated on or after it).
    """
    found = []
    for signoff, removers in former:
        who = ctx.person(signoff.approver)
        if who is None or ctx.registry.version(signoff.key) is None:
            continue
        writers = [w for w in (_writer(ctx, sha) for sha in removers) if w is not None]
        if any(authored_by(w, who) for w in writers):
            continue
        if _decided_again(ctx, signoff, who):
            continue
        found.append(Withdrawal(signoff, signoff.location.file, tuple(writers)))
    return found


def _writer(ctx: Context, sha: str) -> Writer | None:
    commit = ctx.history.commit(sha)
    if commit is not None:
        return Writer(sha, commit.author_name, commit.author_email, commit)
    author = ctx.content.authors.get(sha) if ctx.content else None
    return Writer(sha, author.name, author.email, None) if author else None


def _decided_again(ctx: Context, former: SignOff, who: Person) -> bool:
    for current in ctx.registry.signoffs:
        if (current.key, current.stage, current.approver) != (
            former.key,
            former.stage,
            former.approver,
        ):
            continue
        if current.date < former.date:
            continue
        signed, problem = record_signature_problem(ctx, current.location.file, who)
        if signed and not problem:
            return True
        writers = content_writers(ctx, current.location.file)
        if writers and all(authored_by(w, who) for w in writers):
            return True
    return False


def bar_lowered_after(ctx: Context, signoff: SignOff) -> RequirementChange | None:
    """The newest change that lowered the model's bar after ``signoff`` was written.

    ``risk_tier`` (lowered) and ``owner`` (changed) decide what a version needs and
    who may approve it, but are not in the version digest; an approval given before
    such a change did not review it. Commits are ordered as the history lists them
    (children before parents). None when the approval came after every such change.
    """
    changes = ctx.requirement_changes.get(signoff.model)
    if not changes:
        return None
    writers = content_writers(ctx, signoff.location.file)
    shas = [w.sha for w in writers] if writers else []
    if not shas:
        last = ctx.last_commit(signoff.location.file)
        shas = [last.sha] if last else []
    positions = [p for p in (ctx.position(sha) for sha in shas) if p is not None]
    if not positions:
        return None
    written = min(positions)
    for change in changes:
        position = ctx.position(change.sha)
        if position is not None and position < written:
            return change
    return None


def _fingerprint_matches(declared: str, observed: str) -> bool:
    """A declared key names the observed fingerprint: SSH ``SHA256:`` exactly, GPG hex
    ids by suffix (a long id or a full fingerprint), case-insensitively."""
    wanted = declared.strip().replace(" ", "")
    seen = observed.strip().replace(" ", "")
    if not wanted or not seen:
        return False
    if wanted.upper().startswith("SHA256:"):
        return seen.upper().startswith("SHA256:") and seen[7:] == wanted[7:]
    wanted_hex, seen_hex = wanted.upper().removeprefix("0X"), seen.upper()
    return len(wanted_hex) >= 8 and seen_hex.endswith(wanted_hex)


def record_signature_problem(ctx: Context, path: str, who: Identity) -> tuple[bool, str | None]:
    """What the record signature of ``path`` says about ``who``.

    Returns ``(signed, problem)``: ``signed`` is True when a good signature by one of
    ``who``'s ``signing_keys`` (in the trusted people.yaml) covers the record, which
    then stands in for commit authorship; ``problem`` says why a signature present
    does not count (bad, unknown key, tool missing), or why one is missing when the
    policy requires it. ``(False, None)``: no signature, none required.
    """
    mode = ctx.policy.rules.record_signatures if ctx.policy else "accepted"
    if mode == "ignored":
        return False, None
    checked = ctx.record_signatures.get(path)
    sign_fix = f"Have {identity_text(who)} sign it again: `mkdocs-governance sign {path}`."
    if checked is None:
        if mode == "required":
            return False, (
                "The policy requires a record signature by the person or pipeline a record "
                f"names (record_signatures: required), and this record has none. {sign_fix}"
            )
        return False, None
    if not checked.is_good:
        reasons = {
            "bad": f"its {checked.method or 'record'} signature does not match the record "
            "(the content was changed after signing, or it was signed for another purpose)",
            "no-tool": f"its {checked.method} signature cannot be checked: {checked.detail}; "
            "install it where the gate runs",
            "unknown-key": f"its GPG signature cannot be checked: {checked.detail}; import "
            "the signer's public key where the gate runs",
            "malformed": checked.detail,
        }
        return False, f"This record is signed, but {reasons[checked.status.value]}. {sign_fix}"
    if any(_fingerprint_matches(key, checked.fingerprint) for key in who.signing_keys):
        return True, None
    return False, (
        f"This record is signed with {checked.fingerprint or 'an unknown key'}, which is not "
        f"among the signing_keys of {identity_text(who)} in the trusted people.yaml; only "
        "their own key binds a record to them. " + sign_fix
    )
