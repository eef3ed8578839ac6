"""Bootstrap intervals and the proxy citation recall / precision, on inputs worked out by hand."""

from __future__ import annotations

import pytest

from eval.metrics import (
    answer_statements,
    bootstrap_ci,
    bootstrap_mean_ci,
    citation_precision_proxy,
    citation_recall_proxy,
    half_width,
    is_supported,
    mean,
    quoted_spans,
    term_overlap,
)

# ---------------------------------------------------------------- bootstrap


def test_bootstrap_is_deterministic_and_brackets_the_mean():
    values = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.5, 1.0, 0.0, 1.0]
    lo, hi = bootstrap_mean_ci(values)
    assert (lo, hi) == bootstrap_mean_ci(values)  # fixed seed
    assert 0.0 <= lo < mean(values) < hi <= 1.0


def test_bootstrap_of_constant_values_has_no_width():
    assert bootstrap_mean_ci([0.7] * 12) == pytest.approx((0.7, 0.7))
    assert half_width(bootstrap_mean_ci([1.0] * 5)) == 0.0


def test_bootstrap_of_nothing_is_zero():
    assert bootstrap_mean_ci([]) == (0.0, 0.0)


def test_bootstrap_interval_narrows_with_more_questions_and_lower_level():
    few = [1.0, 0.0] * 5
    many = [1.0, 0.0] * 100
    assert half_width(bootstrap_mean_ci(many)) < half_width(bootstrap_mean_ci(few))
    assert half_width(bootstrap_mean_ci(many, level=0.8)) < half_width(bootstrap_mean_ci(many))


def test_bootstrap_of_a_proportion_matches_the_normal_approximation():
    values = [1.0] * 60 + [0.0] * 40  # p = 0.6, n = 100: 1.96 * sqrt(.24 / 100) = 0.096
    assert half_width(bootstrap_mean_ci(values, resamples=2000)) == pytest.approx(0.096, abs=0.015)


def test_bootstrap_ci_takes_any_statistic_over_items():
    rows = [(1, 2), (0, 1), (3, 3), (1, 4)]  # ratio of sums: 5 / 10

    def ratio(sample):
        return sum(a for a, _ in sample) / sum(b for _, b in sample)

    lo, hi = bootstrap_ci(rows, ratio, resamples=500)
    assert lo <= 0.5 <= hi


def test_half_width():
    assert half_width((0.2, 0.6)) == pytest.approx(0.2)
    assert half_width([0.5, 0.5]) == 0.0


# ---------------------------------------------------------------- statements


PIPELINE_ANSWER = (
    "Washington Declaration (April 26, 2023): “The two Presidents announced the establishment "
    "of a new Nuclear Consultative Group (NCG).” [1] “The United States commits to make "
    "every effort to consult.” [2][3]\n\n"
    "Spirit of Camp David (August 18, 2023): “We support a unified Korean Peninsula.” [4]"
)
CITES = [
    "The two Presidents announced the establishment of a new Nuclear Consultative Group (NCG) "
    "to strengthen extended deterrence.",
    "The United States commits to make every effort to consult with the ROK.",
    "An unrelated passage about fisheries quotas.",
    "We support a unified Korean Peninsula that is free and at peace.",
]


def test_answer_statements_split_on_markers_and_lines():
    statements = answer_statements(PIPELINE_ANSWER, len(CITES))
    assert [numbers for _, numbers in statements] == [[1], [2, 3], [4]]
    assert statements[0][0].startswith("Washington Declaration")
    assert statements[1][0] == "“The United States commits to make every effort to consult.”"


def test_trailing_text_without_a_marker_is_an_uncited_statement():
    statements = answer_statements("“Quota cut by 12 percent.” [1] Talks resume in May.", 1)
    assert statements == [("“Quota cut by 12 percent.”", [1]), ("Talks resume in May.", [])]


def test_statements_without_content_are_dropped():
    assert answer_statements("“Herring quota cut.” [1] .\n\n  \n—", 1) == [
        ("“Herring quota cut.”", [1])
    ]
    assert answer_statements("", 0) == []


def test_an_answer_without_markers_cites_all_its_citations():
    passage = "The two ministers agreed to cut the annual herring quota.\nA second line."
    assert answer_statements(passage, 2) == [(passage, [1, 2])]
    assert answer_statements(passage, 0) == [
        ("The two ministers agreed to cut the annual herring quota.", []),
        ("A second line.", []),
    ]


def test_quoted_spans_curly_and_straight():
    text = 'He said “no more war” and "peace has begun", then “ . ”.'
    assert quoted_spans(text) == ["no more war", "peace has begun"]
    assert quoted_spans("“It has begun.”") == ["It has begun"]


# ---------------------------------------------------------------- support


def test_supported_when_the_quoted_text_stands_verbatim_in_a_cited_text():
    statement = "Title (2023): “The United States commits to make every effort to consult.”"
    assert is_supported(statement, [CITES[1]])
    assert is_supported(statement, [CITES[2], CITES[1]])  # any cited text may hold it
    assert not is_supported(statement, [CITES[2]])
    assert not is_supported(statement, [])
    assert not is_supported(statement, ["   "])


def test_a_quote_with_an_edited_word_falls_back_to_term_overlap():
    # "commit" vs "commits" stems alike, so the terms still overlap fully.
    edited = "“The United States commit to make every effort to consult.”"
    assert is_supported(edited, [CITES[1]])
    wrong = "“The United Kingdom refuses any talks on fisheries.”"
    assert not is_supported(wrong, [CITES[1]])


def test_term_overlap_threshold_is_six_tenths_of_the_statement_terms():
    cited = ["alpha bravo charlie"]
    # Terms: alpha bravo charlie delta echo -> 3 of 5 = 0.6 (supported), 3 of 6 = 0.5 (not).
    assert term_overlap("alpha bravo charlie delta echo", cited) == pytest.approx(0.6)
    assert is_supported("alpha bravo charlie delta echo", cited)
    assert not is_supported("alpha bravo charlie delta echo foxtrot", cited)
    assert is_supported("alpha bravo charlie delta echo foxtrot", cited, threshold=0.5)
    assert term_overlap("the of and", cited) == 0.0  # stop words only: no terms


# ---------------------------------------------------------------- recall / precision


def test_citation_recall_and_precision_by_hand():
    # Statements: [1] supported; [2][3] supported (by [2]); [4] supported -> recall 3/3.
    assert citation_recall_proxy(PIPELINE_ANSWER, CITES) == 1.0
    # Attachments: 1 ok, 2 ok, 3 (fisheries) does not support alone, 4 ok -> 3/4.
    assert citation_precision_proxy(PIPELINE_ANSWER, CITES) == pytest.approx(0.75)


def test_uncited_and_unsupported_statements_lower_recall():
    answer = (
        "“The herring quota is cut.” [1] The ministers also discussed whales.\n“Tolls rise.” [2]"
    )
    cites = ["The herring quota is cut by 12 percent.", "Vessels under 40 metres need no pilot."]
    # Statements: supported+cited; uncited; cited but unsupported -> 1/3.
    assert citation_recall_proxy(answer, cites) == pytest.approx(1 / 3)
    assert citation_precision_proxy(answer, cites) == pytest.approx(1 / 2)


def test_a_marker_without_a_citation_supports_nothing():
    assert (
        citation_recall_proxy("“The herring quota is cut.” [3]", ["The herring quota is cut."])
        == 0.0
    )
    assert citation_precision_proxy("“The herring quota is cut.” [3]", ["x"]) == 0.0


def test_a_baseline_passage_is_fully_supported_by_itself():
    passage = "The two ministers agreed to cut the annual herring quota by 12 percent."
    assert citation_recall_proxy(passage, [passage]) == 1.0
    assert citation_precision_proxy(passage, [passage]) == 1.0


def test_nothing_to_judge_gives_none():
    assert citation_recall_proxy("", []) is None
    assert citation_precision_proxy("", []) is None
    assert citation_precision_proxy("An answer with no citation at all.", []) is None
    assert citation_recall_proxy("An answer with no citation at all.", []) == 0.0
