"""The statements a comparison names side by side (``retrieval.search.compared``)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from retrieval.search.compared import (
    compared_statements,
    coordinated_statements,
    side_statements,
    sides,
)

CARDS = {
    "2021-leaders": ("biden-moon", "2021 leaders"),
    "2022-leaders": ("biden-yoon", "2022 leaders"),
    "2025-fact-sheet": ("trump-lee", "fact sheet"),
    "2023-principles": ("camp david",),
    "2023-spirit": ("camp david",),
    "2025-analysis": ("denuclearization",),
}


def shares(text: str, cards: Mapping[str, tuple[str, ...]] = CARDS) -> Mapping[str, float]:
    """A stand-in for the card match: the share of a text's words a card's phrases cover."""
    low = text.lower()
    words = max(len(low.split()), 1)
    return {
        doc: sum(len(p.split()) for p in phrases if p in low) / words
        for doc, phrases in cards.items()
        if any(p in low for p in phrases)
    }


@pytest.mark.parametrize(
    ("question", "split"),
    [
        (
            "From the Biden-Moon statement to the Trump-Lee fact sheet: what changed?",
            ["From the Biden-Moon statement", "Trump-Lee fact sheet", "what changed"],
        ),
        (
            "the 2021 Biden-Moon and 2022 Biden-Yoon statements",
            ["the 2021 Biden-Moon", "2022 Biden-Yoon statements"],
        ),
        ("Ri Son Gwon vs. Choe Son Hui", ["Ri Son Gwon", "Choe Son Hui"]),
        (
            "Trace it from the 2021 statement to Camp David",
            ["Trace it", "2021 statement", "Camp David"],
        ),
        ("the Commitment to Consult vs Camp David", ["the Commitment to Consult", "Camp David"]),
        (
            "Did the Trump-Lee fact sheet repeat what the 2021 statement said?",
            ["Did the Trump-Lee fact sheet", "repeat what the 2021 statement", "said"],
        ),
    ],
)
def test_sides_are_split_where_a_comparison_joins_them(question: str, split: list[str]) -> None:
    assert sides(question) == split


def test_each_side_names_one_statement() -> None:
    question = (
        "How did the wording change from the Biden-Moon statement to the Trump-Lee fact sheet?"
    )
    assert compared_statements(question, shares) == ["2021-leaders", "2025-fact-sheet"]


def test_a_side_two_statements_fit_alike_names_neither() -> None:
    # "Camp David" is the name of two statements: that side says which one only with more.
    assert compared_statements("Camp David vs the Biden-Moon statement", shares) == []


def test_one_named_statement_is_no_comparison_of_statements() -> None:
    assert compared_statements("How did the Biden-Moon statement change things?", shares) == []


def test_a_statement_of_a_year_not_compared_is_never_named() -> None:
    question = "Biden-Moon vs Biden-Yoon wording"
    assert compared_statements(question, shares) == ["2021-leaders", "2022-leaders"]
    assert compared_statements(question, shares, lambda side, d: d != "2022-leaders") == []


def test_a_side_may_name_one_statement_only() -> None:
    # "… from the 2021 statement to Camp David": the second side fits two statements alike.
    found = side_statements("Trace it from the 2021 leaders statement to Camp David", shares)
    assert found == ["2021-leaders"]
    assert (
        compared_statements("Trace it from the 2021 leaders statement to Camp David", shares) == []
    )


def test_a_topic_after_a_colon_is_no_side() -> None:
    # The news analysis has "denuclearization" in its title; "denuclearization of whom" asks
    # about the topic of the statements compared, it names none of them.
    question = "Biden-Moon vs the 2022 leaders statement: denuclearization of whom?"
    assert side_statements(question, shares) == ["2021-leaders", "2022-leaders"]
    assert side_statements(question.lower(), shares) == [
        "2021-leaders",
        "2022-leaders",
        "2025-analysis",
    ]  # typed all in lower case, any side may name one


def test_statements_are_set_side_by_side_by_comparisons_and_each_say() -> None:
    from retrieval.search.plan import plan_query

    assert plan_query(
        "What did the Biden-Moon statement and the Lima statement each say?"
    ).side_by_side
    assert plan_query("Compare the 2021 and 2022 statements on Myanmar").side_by_side
    # "Which statements …" lists statements by what they say: their names are the topic.
    assert not plan_query(
        "Which statements come from North Korea's foreign ministers?"
    ).side_by_side


def titles(text: str) -> list[str]:
    """A stand-in for the distinctive titles a text quotes."""
    return ["2023-commitment"] if "commitment to consult" in text.lower() else []


def test_two_statements_joined_by_and_are_compared() -> None:
    question = "The Biden-Moon statement and the Trump-Lee fact sheet: what on chips?"
    assert coordinated_statements(question, shares, titles) == ["2021-leaders", "2025-fact-sheet"]
    # Named by a distinctive title, without a document word.
    cards = {**CARDS, "2023-commitment": ("commitment to consult",)}

    def with_title(text: str) -> Mapping[str, float]:
        return shares(text, cards)

    asked = "Commitment to Consult and the Trump-Lee fact sheet: what did they add?"
    assert coordinated_statements(asked, with_title, titles) == [
        "2023-commitment",
        "2025-fact-sheet",
    ]


def test_a_series_of_statements_closed_by_and_is_compared_whole() -> None:
    question = (
        "Chips in the Biden-Yoon statement, the Biden-Moon statement and the Trump-Lee fact sheet?"
    )
    assert coordinated_statements(question, shares, titles) == [
        "2022-leaders",
        "2021-leaders",
        "2025-fact-sheet",
    ]
    # The last name ends at its document word: what follows is the topic.
    each = (
        "The Biden-Moon statement and the Trump-Lee fact sheet each describe the chip supply "
        "chains of both countries in detail?"
    )
    assert coordinated_statements(each, shares, titles) == ["2021-leaders", "2025-fact-sheet"]
    # The series ends where a side names no statement ("Chips") or one named already.
    again = "The Biden-Moon statement, the Biden-Moon text and the Trump-Lee fact sheet?"
    assert coordinated_statements(again, shares, titles) == ["2021-leaders", "2025-fact-sheet"]


@pytest.mark.parametrize(
    "question",
    [
        # One statement, and a topic joined to its name.
        "The Biden-Moon statement: what on chips and the Trump-Lee deal?",
        # Two names, but neither side says it means a statement.
        "Biden-Moon and Trump-Lee: what did they agree?",
        # "Camp David" fits two statements alike.
        "The Biden-Moon statement and the Camp David statement: what did they say?",
        "What did the Biden-Moon statement say about chips?",
    ],
)
def test_no_two_statements_joined_by_and(question: str) -> None:
    assert coordinated_statements(question, shares, titles) == []
