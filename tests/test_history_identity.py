"""Mapping a commit author to a person: by listed e-mail only."""

from __future__ import annotations

from mkdocs_governance.history import match_person
from mkdocs_governance.records.model import Location, Person


def person(person_id: str, *emails: str) -> Person:
    return Person(
        person_id, person_id.title(), tuple(emails), ("model-risk",), (), Location("people.yaml")
    )


PEOPLE = {
    "alice": person("alice", "Alice@Bank.example", "alice-gh@users.noreply.github.com"),
    "bob": person("bob", "12345+bobdev@users.noreply.github.com"),
}


def test_email_matches_ignoring_case_and_angle_brackets() -> None:
    assert match_person(PEOPLE, "anything", "alice@bank.EXAMPLE") is PEOPLE["alice"]
    assert match_person(PEOPLE, "anything", " <alice@bank.example> ") is PEOPLE["alice"]


def test_github_noreply_with_numeric_prefix_matches_listed_plain_noreply() -> None:
    assert match_person(PEOPLE, "a", "98765+alice-gh@users.noreply.github.com") is PEOPLE["alice"]


def test_github_plain_noreply_matches_listed_numeric_noreply() -> None:
    assert match_person(PEOPLE, "b", "bobdev@users.noreply.github.com") is PEOPLE["bob"]
    assert match_person(PEOPLE, "b", "12345+BobDev@users.noreply.github.com") is PEOPLE["bob"]


def test_author_with_a_known_name_but_unknown_email_stays_unmapped() -> None:
    assert match_person(PEOPLE, "Alice", "alice@evil.example") is None


def test_empty_email_matches_nobody() -> None:
    assert match_person(PEOPLE, "Alice", "") is None


def test_similar_but_different_address_does_not_match() -> None:
    assert match_person(PEOPLE, "x", "alice@bank.example.org") is None
    assert match_person(PEOPLE, "x", "other+alice-gh@users.noreply.github.com") is None
