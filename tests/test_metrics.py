"""Evaluation metrics on hand-made inputs whose answers are worked out by hand."""

from __future__ import annotations

import math

import pytest

from eval.metrics import (
    citation_on_gold,
    citation_valid,
    gold_hits,
    hit_at_k,
    key_fact_recall,
    mean,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    quote_in_text,
    recall_at_k,
    word_count,
)

LONG_QUOTE = (
    "The two leaders solemnly declared before the 80 million Korean people and the whole "
    "world that there will be no more war on the Korean Peninsula"
)  # 26 words
WORDS = LONG_QUOTE.split()


# ---------------------------------------------------------------- quote_in_text


def test_long_quote_matches_on_any_twelve_word_run():
    run = " ".join(WORDS[5:17])  # exactly 12 words from the middle
    text = f"Some preamble. {run} and then something else entirely."
    assert quote_in_text(LONG_QUOTE, text)


def test_long_quote_needs_twelve_consecutive_words():
    eleven = " ".join(WORDS[5:16])
    text = f"Some preamble. {eleven} and then something else entirely."
    assert not quote_in_text(LONG_QUOTE, text)


def test_long_quote_with_a_changed_word_every_eleven_words_fails():
    words = list(WORDS)
    for i in range(0, len(words), 11):
        words[i] = "CHANGED"
    assert not quote_in_text(LONG_QUOTE, " ".join(words))


def test_run_length_is_a_parameter():
    eleven = " ".join(WORDS[5:16])
    assert quote_in_text(LONG_QUOTE, eleven, run=11)
    assert not quote_in_text(LONG_QUOTE, eleven, run=12)


def test_short_quote_must_appear_whole():
    text = "There will be no more war on the Korean Peninsula."
    assert quote_in_text("no more war", text)
    assert quote_in_text("There will be no more war on the Korean Peninsula.", text)
    assert not quote_in_text("no more peace", text)
    assert not quote_in_text("no war", text)


def test_twelve_word_quote_counts_as_short_and_must_appear_whole():
    quote = " ".join(WORDS[:12])
    assert quote_in_text(quote, LONG_QUOTE)
    assert not quote_in_text(quote, " ".join(WORDS[:11]))


def test_whitespace_differences_are_ignored():
    text = LONG_QUOTE.replace(" ", "\n", 5).replace("Korean", "Korean  \t")
    assert quote_in_text(LONG_QUOTE, text)
    assert quote_in_text("the whole world", "the\nwhole\n\nworld")


def test_curly_quote_and_case_differences_are_ignored():
    assert quote_in_text(
        "the ‘Peace House’ at Panmunjom", "held at the 'Peace House' at PANMUNJOM."
    )
    assert quote_in_text('He said "peace."', "and he said “peace.” now")
    assert quote_in_text("People’s Republic", "People's Republic of Korea")


def test_gold_hits_returns_one_based_ranks_within_k():
    gold = [("a.md", "alpha beta gamma"), ("b.md", "delta epsilon")]
    retrieved = [
        ("b.md", "nothing here"),
        ("a.md", "x alpha beta gamma y"),
        ("c.md", "delta epsilon"),  # right words, wrong document
        ("b.md", "then delta epsilon"),
    ]
    assert gold_hits(gold, retrieved, k=5) == [2, 4]
    assert gold_hits(gold, retrieved, k=3) == [2, None]


# ---------------------------------------------------------------- ranking metrics

GOLD = [("a.md", "alpha beta gamma"), ("b.md", "delta epsilon zeta")]
RANKING = [
    ("b.md", "an unrelated passage"),  # 1: not relevant
    ("a.md", "text with alpha beta gamma inside"),  # 2: gold 1
    ("c.md", "delta epsilon zeta"),  # 3: wrong document
    ("b.md", "the delta epsilon zeta passage"),  # 4: gold 2
    ("a.md", "more filler"),  # 5: not relevant
]


def test_hit_at_k():
    assert hit_at_k(GOLD, RANKING, k=5) == 1.0
    assert hit_at_k(GOLD, RANKING, k=4) == 1.0
    assert hit_at_k(GOLD, RANKING, k=3) == 0.0  # gold 2 only at rank 4
    assert hit_at_k(GOLD, RANKING, k=1) == 0.0
    assert hit_at_k([], RANKING, k=5) == 0.0
    assert hit_at_k(GOLD, [], k=5) == 0.0


def test_recall_at_k():
    assert recall_at_k(GOLD, RANKING, k=5) == 1.0
    assert recall_at_k(GOLD, RANKING, k=3) == 0.5
    assert recall_at_k(GOLD, RANKING, k=1) == 0.0
    assert recall_at_k([], RANKING, k=5) == 0.0


def test_mrr_at_k():
    assert mrr_at_k(GOLD, RANKING, k=5) == 0.5  # first relevant passage at rank 2
    assert mrr_at_k(GOLD, RANKING, k=1) == 0.0
    assert mrr_at_k(GOLD, RANKING[1:], k=5) == 1.0
    assert mrr_at_k(GOLD, [RANKING[0], RANKING[2], RANKING[3]], k=5) == pytest.approx(1 / 3)
    assert mrr_at_k([], RANKING, k=5) == 0.0


def test_ndcg_at_k():
    # Gains [0, 1, 0, 1, 0]: DCG = 1/log2(3) + 1/log2(5); ideal (2 gold) = 1 + 1/log2(3).
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(GOLD, RANKING, k=10) == pytest.approx(expected)
    assert ndcg_at_k(GOLD, RANKING, k=10) == pytest.approx(0.650920, abs=1e-6)


def test_ndcg_at_k_perfect_and_empty():
    perfect = [RANKING[1], RANKING[3], RANKING[0]]
    assert ndcg_at_k(GOLD, perfect, k=10) == pytest.approx(1.0)
    assert ndcg_at_k(GOLD, [RANKING[0]], k=10) == 0.0
    assert ndcg_at_k([], RANKING, k=10) == 0.0


def test_ndcg_at_k_cuts_at_k():
    # k=2: gains [0, 1]; ideal over min(2 gold, k=2) = 1 + 1/log2(3).
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(GOLD, RANKING, k=2) == pytest.approx(expected)


def test_ndcg_never_exceeds_one():
    gold = [("a.md", "alpha beta gamma")]
    retrieved = [("a.md", "x alpha beta gamma y"), ("a.md", "alpha beta gamma again")]
    assert ndcg_at_k(gold, retrieved, k=10) <= 1.0


# ---------------------------------------------------------------- key facts


def test_key_fact_recall_with_alternatives_and_case():
    facts = [["security guarantee", "security assurances"], ["Pompeo"], ["Singapore", "2018"]]
    answer = "Trump committed to provide SECURITY GUARANTEES; talks led by pompeo."
    assert key_fact_recall(facts, answer) == pytest.approx(2 / 3)
    assert key_fact_recall(facts, answer + " At the 2018 summit.") == 1.0
    assert key_fact_recall(facts, "nothing relevant") == 0.0
    assert key_fact_recall([], answer) == 0.0


def test_key_fact_recall_ignores_quote_marks_and_whitespace():
    facts = [["People's Republic"], ["no more war"]]
    assert key_fact_recall(facts, "the People’s Republic said no  more\nwar") == 1.0


def test_word_count():
    assert word_count("one two  three\nfour") == 4


# ---------------------------------------------------------------- citations

DOCUMENT = (
    "The two leaders solemnly declared that there will be no more war on the Korean "
    "Peninsula.\nThey agreed to the ‘Peace House’ talks. Both sides will cease all hostile acts."
)


def test_citation_valid_verbatim():
    assert citation_valid("there will be no more war on the Korean Peninsula.", DOCUMENT)
    assert citation_valid("Korean  Peninsula. They   agreed", DOCUMENT)
    assert citation_valid("the 'Peace House' talks", DOCUMENT)
    assert citation_valid("THE TWO LEADERS", DOCUMENT)


def test_citation_valid_with_ellipsis_parts_in_order():
    assert citation_valid("The two leaders … no more war", DOCUMENT)
    assert citation_valid("The two leaders ... no more war ... cease all hostile acts", DOCUMENT)
    assert citation_valid("solemnly declared...Peace House", DOCUMENT)


def test_citation_valid_fails_on_parts_out_of_order():
    assert not citation_valid("no more war … The two leaders", DOCUMENT)


def test_citation_valid_fails_on_an_edited_word():
    assert not citation_valid("there will be no more wars on the Korean Peninsula", DOCUMENT)
    assert not citation_valid("The three leaders solemnly declared", DOCUMENT)
    assert not citation_valid("The two leaders … no more conflict", DOCUMENT)


def test_citation_valid_fails_on_empty_text():
    assert not citation_valid("", DOCUMENT)
    assert not citation_valid("   \n", DOCUMENT)


@pytest.mark.parametrize("text", ["…", "...", " … "])
def test_citation_valid_fails_on_a_bare_ellipsis(text: str):
    assert not citation_valid(text, DOCUMENT)


def test_citation_on_gold():
    gold = [("a.md", LONG_QUOTE), ("b.md", "cease all hostile acts")]
    # The citation holds a gold quote.
    assert citation_on_gold("a.md", f"Indeed, {LONG_QUOTE}, they said.", gold)
    # The citation is held in a gold quote (a 12-word run of it).
    assert citation_on_gold("a.md", " ".join(WORDS[3:15]), gold)
    # A short citation held in a short gold quote.
    assert citation_on_gold("b.md", "hostile acts", gold)
    # Right words, wrong document.
    assert not citation_on_gold("c.md", LONG_QUOTE, gold)
    assert not citation_on_gold("b.md", LONG_QUOTE, gold)
    # Unrelated text.
    assert not citation_on_gold("a.md", "The alliance is ironclad and enduring.", gold)
    assert not citation_on_gold("a.md", LONG_QUOTE, [])


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_citation_is_not_on_gold(text: str):
    assert not citation_on_gold("a.md", text, [("a.md", LONG_QUOTE)])


# ---------------------------------------------------------------- summaries


def test_percentile_linear_interpolation():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 50) == 2.5  # order does not matter
    assert percentile([10, 20], 95) == pytest.approx(19.5)
    assert percentile(list(range(1, 21)), 95) == pytest.approx(19.05)  # pos 18.05
    assert percentile([3, 1, 2], 0) == 1
    assert percentile([3, 1, 2], 100) == 3
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) == 0.0


def test_mean():
    assert mean([1, 2, 3, 4]) == 2.5
    assert mean([0.25]) == 0.25
    assert mean([]) == 0.0
