"""`did_you_mean` suggests the same names against a large candidate list (indexed)
as difflib does against a small one."""

from __future__ import annotations

import difflib

from mkdocs_governance.records.schema import did_you_mean


def _difflib(word: str, names: list[str]) -> str:
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def test_large_candidate_lists_get_the_suggestion_difflib_gives_for_a_typo() -> None:
    names = [f"{kind}-{n:04d}" for kind in ("loan-book", "card-txn", "macro") for n in range(400)]
    for typo in (
        "loan-bok-0042",
        "card-txm-0107",
        "macro-0399x",
        "loan-book-00420",
        "cardtxn-0005",
    ):
        assert did_you_mean(typo, names) == _difflib(typo, names), typo
        assert did_you_mean(typo, names), typo


def test_a_word_far_from_every_candidate_gets_no_suggestion() -> None:
    names = [f"dataset-{n:05d}" for n in range(5000)]
    assert did_you_mean("pricing-curve", names) == ""
    assert did_you_mean("x" * 10_000, names) == ""


def test_small_lists_still_use_difflib_for_distant_matches() -> None:
    assert did_you_mean("productoin", ["development", "staging", "production"]) == (
        " (did you mean `production`?)"
    )
