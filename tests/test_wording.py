"""Wording changes between statements: word-level diffs of quotes, pairing, and the answer."""

from __future__ import annotations

import datetime as dt

from brief.service import BriefingService
from core.answers import Citation
from retrieval.answer.wording import word_diff, wording_changes

PENINSULA = "We reaffirm our commitment to the complete denuclearization of the Korean Peninsula."
DPRK = "The leaders reiterated their commitment to the complete denuclearization of the DPRK."


def cite(n: int, doc: str, year: int, quote: str) -> Citation:
    return Citation(
        n=n,
        doc_id=doc,
        title=doc,
        issuer="The White House",
        date=dt.date(year, 1, 1),
        section="",
        quote=quote,
        start=0,
        end=len(quote),
    )


def test_word_diff_marks_what_the_later_quote_added_and_dropped() -> None:
    pieces = word_diff(PENINSULA, DPRK)
    added = [p.text for p in pieces if p.op == "+"]
    dropped = [p.text for p in pieces if p.op == "-"]
    kept = " ".join(p.text for p in pieces if p.op == "=")
    assert "DPRK." in added
    assert "Korean Peninsula." in dropped
    assert "commitment to the complete denuclearization of the" in kept
    # Reading the later quote back from the diff gives it exactly.
    assert " ".join(p.text for p in pieces if p.op != "-") == DPRK


def test_identical_quotes_differ_only_in_case_and_punctuation() -> None:
    pieces = word_diff("The Alliance is ironclad.", "the alliance is ironclad")
    assert [p.op for p in pieces] == ["="]


def test_changes_pair_consecutive_statements_in_date_order() -> None:
    citations = [
        cite(2, "b.md", 2025, DPRK),
        cite(1, "a.md", 2021, PENINSULA),
        cite(3, "a.md", 2021, "Both sides will share catch data monthly."),
    ]
    changes = wording_changes(citations)
    assert len(changes) == 1
    change = changes[0]
    assert (change.before, change.after) == (1, 2)  # the matching quote of a.md, not [3]
    assert "DPRK." in change.added
    assert change.summary().startswith("[1] → [2]: added")


def test_unrelated_quotes_are_not_a_change_of_wording() -> None:
    citations = [
        cite(1, "a.md", 2021, PENINSULA),
        cite(2, "b.md", 2023, "Tolls will be set by a joint commission that meets in Marrow."),
    ]
    assert wording_changes(citations) == []


def test_a_comparison_answer_carries_the_changes(service: BriefingService) -> None:
    answer = service.ask("How has the wording on denuclearization changed since 2021?")
    assert answer.intent == "comparison"
    assert answer.changes
    numbers = {c.n for c in answer.citations}
    dates = {c.n: c.date for c in answer.citations}
    for change in answer.changes:
        assert {change.before, change.after} <= numbers
        assert dates[change.before] <= dates[change.after]
        assert change.added or change.dropped


def test_a_lookup_answer_has_no_changes(service: BriefingService) -> None:
    assert service.ask("What did the joint fact sheet say about Singapore?").changes == []
