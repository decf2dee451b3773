"""Git tags, and the GTO events their names encode.

GTO (iterative/gto) keeps a model registry in Git tags:

| tag | event |
| --- | --- |
| ``name@v1.2.0`` | registration of version ``v1.2.0`` at the tagged commit |
| ``name@v1.2.0!`` (``#N``) | deregistration |
| ``name#prod#3`` | stage assignment: the version registered at the tagged commit goes to ``prod`` (the 3rd stage event) |
| ``name#prod!#4`` | unassignment from ``prod`` |
| ``name@deprecated`` | the artifact is deprecated |

All tags are read in one ``git for-each-ref`` run. Names are parsed here, without the
``gto`` package (the gate must run without optional extras), with linear string
splitting; the test suite checks that this agrees with ``gto.tag.parse_name`` on
GTO's own tags. Tag text (tagger, message) is Git text: unauthenticated, escaped
wherever it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .gitcmd import GitRunner

_FIELDS = 8
_FORMAT = (
    "%00".join(
        (
            "%(refname:strip=2)",
            "%(objecttype)",
            "%(objectname)",
            "%(*objectname)",
            "%(taggername)",
            "%(taggeremail:trim)",
            "%(creatordate:iso-strict)",
            "%(contents)",
        )
    )
    + "%00%00"
)
_ARTIFACT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./=-]*")
_STAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/-]*")
_VERSION = re.compile(r"v[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.+-]*")


@dataclass(frozen=True, slots=True)
class GitTag:
    """One tag: its name, the commit it points at, and (for annotated tags) who made it.

    Attributes:
        name: the tag name (``churn#prod#2``).
        commit: the sha of the commit the tag points at.
        tagger_name: the tagger (empty for a lightweight tag).
        tagger_email: the tagger's email, without angle brackets.
        date: the tag's creation date (the commit's for a lightweight tag).
        message: the annotation message (the commit's for a lightweight tag).
    """

    name: str
    commit: str
    tagger_name: str
    tagger_email: str
    date: datetime | None
    message: str


@dataclass(frozen=True, slots=True)
class GtoEvent:
    """One GTO event read from a tag name.

    Attributes:
        action: ``register``, ``deregister``, ``assign``, ``unassign``, ``deprecate``
            or ``create``.
        artifact: the GTO artifact name (``churn``; ``dir:name`` for ``dir=name``).
        version: the version of a (de)registration (``v1.2.0``).
        stage: the stage of an (un)assignment (``prod``).
        counter: the ``#N`` of the tag, if any.
        tag: the tag itself.
    """

    action: str
    artifact: str
    version: str | None
    stage: str | None
    counter: int | None
    tag: GitTag


def read_tags(runner: GitRunner) -> tuple[GitTag, ...]:
    """Every tag of the repository, in one ``git for-each-ref`` run (empty on failure)."""
    result = runner.run(["for-each-ref", "refs/tags", f"--format={_FORMAT}"])
    if result.status != 0:
        return ()
    return parse_tag_listing(result.stdout)


def parse_tag_listing(output: bytes) -> tuple[GitTag, ...]:
    """Tags from ``git for-each-ref`` output in ``_FORMAT`` (records that miscount skipped)."""
    tags: list[GitTag] = []
    for record in output.split(b"\x00\x00\n"):
        fields = record.split(b"\x00")
        if len(fields) != _FIELDS:
            continue
        text = [f.decode("utf-8", errors="replace") for f in fields]
        name, kind, target, peeled, tagger, email, when, message = text
        commit = peeled if kind == "tag" and peeled else target
        try:
            date = datetime.fromisoformat(when) if when else None
        except ValueError:
            date = None
        tags.append(GitTag(name, commit, tagger, email, date, message.strip()))
    return tuple(tags)


def parse_gto_name(name: str) -> dict[str, object] | None:
    """The GTO event a tag name encodes, or None when it is not a GTO tag."""
    counter: int | None = None
    if "@" in name:
        artifact, _, rest = name.partition("@")
        rest, hashed, number = rest.partition("#")
        if hashed:
            if not number.isdigit():
                return None
            counter = int(number)
        cancel = rest.endswith("!")
        rest = rest.removesuffix("!")
        if not _ARTIFACT.fullmatch(artifact):
            return None
        if rest in ("deprecated", "created") and not cancel:
            action = "deprecate" if rest == "deprecated" else "create"
            return _event(action, artifact, None, None, counter)
        if _VERSION.fullmatch(rest):
            return _event("deregister" if cancel else "register", artifact, rest, None, counter)
        return None
    parts = name.split("#")
    if len(parts) not in (2, 3) or not _ARTIFACT.fullmatch(parts[0]):
        return None
    stage = parts[1]
    cancel = stage.endswith("!")
    stage = stage.removesuffix("!")
    if not _STAGE.fullmatch(stage):
        return None
    if len(parts) == 3:
        if not parts[2].isdigit():
            return None
        counter = int(parts[2])
    return _event("unassign" if cancel else "assign", parts[0], None, stage, counter)


def _event(
    action: str, artifact: str, version: str | None, stage: str | None, counter: int | None
) -> dict[str, object]:
    return {
        "action": action,
        "artifact": artifact.replace("=", ":"),
        "version": version,
        "stage": stage,
        "counter": counter,
    }


def gto_events(tags: Iterable[GitTag]) -> tuple[GtoEvent, ...]:
    """The GTO events among ``tags``, oldest first (by date, then counter, then name)."""
    events = []
    for tag in tags:
        parsed = parse_gto_name(tag.name)
        if parsed is None:
            continue
        events.append(
            GtoEvent(
                action=str(parsed["action"]),
                artifact=str(parsed["artifact"]),
                version=parsed["version"] if isinstance(parsed["version"], str) else None,
                stage=parsed["stage"] if isinstance(parsed["stage"], str) else None,
                counter=parsed["counter"] if isinstance(parsed["counter"], int) else None,
                tag=tag,
            )
        )
    return tuple(
        sorted(
            events,
            key=lambda e: (
                e.tag.date.timestamp() if e.tag.date else 0.0,
                e.counter or 0,
                e.tag.name,
            ),
        )
    )


@dataclass(frozen=True, slots=True)
class StageAssignment:
    """A version GTO currently has in a stage (the latest assignment not undone).

    Attributes:
        artifact: the GTO artifact name.
        version: the version registered at the assignment's commit (None if none is).
        stage: the GTO stage name.
        event: the assignment event (its tag has tagger, date and message).
    """

    artifact: str
    version: str | None
    stage: str
    event: GtoEvent


def registered_version(events: Iterable[GtoEvent], artifact: str, commit: str) -> str | None:
    """The version of ``artifact`` registered at ``commit`` (the latest such), if any."""
    found = None
    for event in events:
        if event.action == "register" and event.artifact == artifact and event.tag.commit == commit:
            found = event.version
    return found


def current_assignments(events: Iterable[GtoEvent]) -> tuple[StageAssignment, ...]:
    """Per artifact and stage, the latest assignment, unless an unassignment followed it.

    Deprecated artifacts have no stages (as ``gto show`` shows them).
    """
    ordered = list(events)
    latest: dict[tuple[str, str], GtoEvent | None] = {}
    deprecated = {e.artifact for e in ordered if e.action == "deprecate"}
    # GTO numbers an artifact's stage events (#N): that order wins over dates, which
    # often share a second.
    staged = sorted(
        (e for e in ordered if e.stage is not None),
        key=lambda e: (e.counter or 0, e.tag.date.timestamp() if e.tag.date else 0.0),
    )
    for event in staged:
        if event.stage is None:
            continue
        latest[(event.artifact, event.stage)] = event if event.action == "assign" else None
    result = []
    for (artifact, stage), current in sorted(latest.items()):
        if current is None or artifact in deprecated:
            continue
        version = registered_version(ordered, artifact, current.tag.commit)
        result.append(StageAssignment(artifact, version, stage, current))
    return tuple(result)
