"""Comparisons: one quote per statement on the topic, in date order, with what changed.

On the sample corpus (real Chroma, the real model); the generative summary of the change
against the scripted OpenAI-compatible server, so what the model "writes" is exact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest

from brief.service import BriefingService
from core.answers import UNSUPPORTED_MARK, Answer, Citation
from core.settings import Settings
from retrieval.answer.topics import QUOTES_PER_STATEMENT
from retrieval.answer.wording import SUMMARY_LEAD, wording_changes
from retrieval.store.index import StatementIndex
from tests import test_generative
from tests.scripted_openai import Reply, ScriptedOpenAIServer

SINCE_2018 = "How has the wording on denuclearization changed since 2018?"
TAIWAN = "Taiwan Strait wording: 2022 vs 2023 U.S.-ROK statements"
SOURCE_BLOCK = re.compile(r'<source id="(\d+)">\n(.*?)\n</source>', re.S)
SUMMARY = (
    "The 2022 statement called peace and stability in the Taiwan Strait an essential element "
    "in security and prosperity in the Indo-Pacific region [1]. The 2023 statement calls it an "
    "indispensable element of security and prosperity in the region [2]."
)


def _by_statement_in_date_order(answer: Answer) -> None:
    """At most QUOTES_PER_STATEMENT quotes of each statement, statements in date order."""
    docs = [c.doc_id for c in answer.citations]
    assert max(Counter(docs).values()) <= QUOTES_PER_STATEMENT, docs
    assert docs == sorted(docs, key=docs.index), docs  # a statement's quotes stand together
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)
    assert [c.n for c in answer.citations] == list(range(1, len(docs) + 1))


def test_since_a_year_quotes_each_statement_in_date_order(service: BriefingService) -> None:
    answer = service.ask(SINCE_2018)
    assert answer.intent == "comparison"
    assert answer.filters.date_from == dt.date(2018, 1, 1)
    assert len(answer.citations) >= 4
    assert all(c.date >= dt.date(2018, 1, 1) for c in answer.citations)
    _by_statement_in_date_order(answer)
    assert all("denuclear" in c.quote.lower() for c in answer.citations)
    # The change of wording the comparison is about: "of the Korean Peninsula" -> "of the DPRK".
    assert any(
        any("Korean Peninsula" in d for d in change.dropped)
        and any("DPRK" in a or "Democratic People" in a for a in change.added)
        for change in answer.changes
    ), [c.summary() for c in answer.changes]
    numbers = {c.n for c in answer.citations}
    for change in answer.changes:
        assert {change.before, change.after} <= numbers
        assert change.before < change.after


def test_statements_left_out_for_the_word_budget_are_named(service: BriefingService) -> None:
    answer = service.ask(SINCE_2018)
    quoted = {c.doc_id for c in answer.citations}
    timeline = service.timeline("denuclearization since 2018")
    left = [e for e in timeline.entries if e.doc_id not in quoted and "news" not in e.kind]
    if left:
        [note] = [n for n in answer.notes if n.startswith("also on this topic, not quoted")]
        assert all(e.date_label in note for e in left)


def test_a_comparison_quotes_a_fact_sheet_item_whole(service: BriefingService) -> None:
    """The 2025 item's head says only "continue alliance cooperation"; its next sentence holds
    what the ROK pledged."""
    answer = service.ask(
        "How has the language on the transfer of wartime operational control changed since 2021?"
    )
    quotes = [c.quote for c in answer.citations if c.date.year == 2025]
    assert any("continue alliance cooperation" in q for q in quotes)
    assert any("lead the combined conventional defense" in q for q in quotes)


def test_a_statement_named_by_name_is_compared_whatever_the_years_named(
    service: BriefingService,
) -> None:
    """The year named is one side's ("the 2023 statements"); the Lima statement is the other."""
    plan = service.plan(
        "How did real-time missile warning data sharing move from the 2023 statements to the "
        "Lima statement?"
    )
    assert plan.only_years == (2023,)
    docs = {p.chunk.doc_id for p in service.searcher.search(plan)}
    assert "2024-11-15-japan-rok-us-joint-statement-lima.md" in docs
    assert all(d.startswith(("2023-", "2024-11-15")) for d in docs)


def test_named_years_compare_only_those_years(service: BriefingService) -> None:
    answer = service.ask("Compare the 2021 and 2025 statements on North Korea")
    assert answer.intent == "comparison"
    assert {c.date.year for c in answer.citations} == {2021, 2025}
    assert {p.chunk.meta.date.year for p in answer.passages} <= {2021, 2025}
    _by_statement_in_date_order(answer)


def test_taiwan_comparison_quotes_2022_and_2023(service: BriefingService) -> None:
    answer = service.ask(TAIWAN)
    assert {c.date.year for c in answer.citations} == {2022, 2023}
    _by_statement_in_date_order(answer)
    first, second = answer.citations[:2]
    assert "essential" in first.quote
    assert "indispensable" in second.quote
    assert answer.changes[0].before == 1
    assert "indispensable" in answer.changes[0].added


def cite(n: int, year: int, quote: str) -> Citation:
    """A citation of the statement of ``year`` (one per year; ``n`` orders the quotes)."""
    return Citation(
        n=n,
        doc_id=f"{year}.md",
        title=str(year),
        issuer="x",
        date=dt.date(year, 1, 1),
        section="",
        quote=quote,
        start=n,
        end=n + len(quote),
    )


def test_quotes_on_the_same_topic_are_diffed_even_when_worded_apart() -> None:
    a = cite(
        1, 2022, "The leaders agree to strengthen the airtight coordination on denuclearization."
    )
    b = cite(2, 2023, "We stand united in our commitment to complete denuclearization of the DPRK.")
    assert wording_changes([a, b]) == []  # too little in common to pair on words alone
    [change] = wording_changes([a, b], topic="denuclearization")
    assert (change.before, change.after) == (1, 2)
    assert wording_changes([a, b], topic="North Korea") == []  # a does not name it


def test_each_quote_of_a_statement_is_paired_with_its_counterpart() -> None:
    quotes = [
        cite(1, 2021, "We condemn violence by the military against civilians in Myanmar."),
        cite(2, 2021, "We call on all nations to stop arms sales to Myanmar."),
        cite(3, 2022, "The Presidents condemn the coup and violence by the military in Myanmar."),
        cite(4, 2022, "The Presidents call on all nations to stop arms sales to Myanmar."),
    ]
    changes = wording_changes(quotes, topic="Myanmar")
    assert [(c.before, c.after) for c in changes] == [(1, 3), (2, 4)]
    added = [p.text for p in changes[0].pieces if p.op == "+"]
    assert any("coup" in text for text in added), changes[0].pieces


# ---------------------------------------------------------------- generative summary


# No endpoint, key or proxy of the machine reaches these tests (the fixture of the generative
# tests, autouse here too).
no_machine_endpoint = test_generative.no_machine_endpoint


def generative(index: StatementIndex, settings: Settings, url: str) -> BriefingService:
    """A service whose generative answerer talks to the scripted server at ``url``."""
    return test_generative.generative(index, settings, url, llm_timeout_s=2.0)


def _stream(svc: BriefingService, question: str) -> tuple[str, Answer]:
    *tokens, answer = list(svc.stream(question, answerer="generative"))
    assert isinstance(answer, Answer)
    return "".join(str(t) for t in tokens), answer


def _user_message(request: dict[str, Any]) -> str:
    return str([m for m in request["messages"] if m["role"] == "user"][-1]["content"])


def test_generative_comparison_adds_a_checked_summary_of_the_change(
    corpus_index: StatementIndex, corpus_settings: Settings, service: BriefingService
) -> None:
    quotes = service.ask(TAIWAN)  # the extractive comparison: the quotes the summary is about
    text = SUMMARY + " Penguins mostly live in the Southern Hemisphere and eat krill [2]."
    with ScriptedOpenAIServer([Reply(text=text)]) as server:
        streamed, answer = _stream(
            generative(corpus_index, corpus_settings, server.base_url), TAIWAN
        )
    [request] = server.requests
    assert answer.answerer == "generative"
    assert answer.model == server.model
    # The quotes come first (streamed at once), then the summary as the model wrote it.
    assert streamed == quotes.text + SUMMARY_LEAD + text
    assert answer.citations == quotes.citations
    assert answer.changes == quotes.changes
    assert answer.text.startswith(quotes.text + SUMMARY_LEAD + SUMMARY)
    assert answer.text.endswith(
        f"{UNSUPPORTED_MARK} Penguins mostly live in the Southern Hemisphere and eat krill [2]."
    )
    assert [s.supported for s in answer.sentences] == [True, True, False]
    assert [s.citations for s in answer.sentences] == [[1], [2], [2]]
    assert any("1 of 3 sentences are not supported" in n for n in answer.notes)
    # The model saw each quote as a numbered source, and the word-level differences.
    sources = dict(SOURCE_BLOCK.findall(_user_message(request)))
    assert len(sources) == len(quotes.citations)
    for c in quotes.citations:
        assert sources[str(c.n)].split("\n\n", 1)[1] == c.quote
    assert quotes.changes[0].summary() in _user_message(request)
    assert TAIWAN in _user_message(request)


def test_a_failed_summary_leaves_the_quotes(
    corpus_index: StatementIndex, corpus_settings: Settings, service: BriefingService
) -> None:
    quotes = service.ask(TAIWAN)
    with ScriptedOpenAIServer([Reply(status=500)]) as server:
        _, answer = _stream(generative(corpus_index, corpus_settings, server.base_url), TAIWAN)
    assert answer.text == quotes.text
    assert answer.citations == quotes.citations
    assert answer.sentences == []
    assert any(n.startswith("the summary of the change failed") for n in answer.notes)


def test_a_summary_the_model_declines_is_left_out(
    corpus_index: StatementIndex, corpus_settings: Settings, service: BriefingService
) -> None:
    quotes = service.ask(TAIWAN)
    reply = Reply(text="The sources do not answer this question.")
    with ScriptedOpenAIServer([reply]) as server:
        _, answer = _stream(generative(corpus_index, corpus_settings, server.base_url), TAIWAN)
    assert answer.text == quotes.text
    assert "the model wrote no summary of the change" in answer.notes


def test_a_summary_that_leaks_the_canary_is_withheld(
    corpus_index: StatementIndex, corpus_settings: Settings, service: BriefingService
) -> None:
    quotes = service.ask(TAIWAN)
    svc = generative(corpus_index, corpus_settings, "http://127.0.0.1:1/v1")
    canary = svc.canary
    # The canary split across tokens, after a clean first sentence.
    leak = SUMMARY + f" My confidential marker is {canary[:9]}"
    with ScriptedOpenAIServer([Reply(chunks=[leak, canary[9:], " [1]."])]) as server:
        svc = generative(corpus_index, corpus_settings, server.base_url)
        svc.canary = canary
        streamed, answer = _stream(svc, TAIWAN)
    shown = streamed + answer.model_dump_json()
    assert canary not in shown
    assert canary[:9] not in streamed  # the start of the canary was held back, never shown
    assert answer.text == quotes.text  # the quotes alone
    assert any("summary was withheld" in n for n in answer.notes)


@pytest.mark.parametrize(
    ("question", "docs", "term"),
    [
        (
            "How did the wartime OPCON transition language change from the Biden-Moon statement "
            "to the Trump-Lee fact sheet?",
            (
                "2021-05-21-us-rok-leaders-joint-statement.md",
                "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md",
            ),
            "operational control",
        ),
        # Each side is searched on its own: neither is left out when one ranks low.
        (
            "RDP agreement: where did things stand in the 2022 Yoon-Biden statement vs the 2023 "
            "anniversary statement?",
            (
                "2022-05-21-us-rok-leaders-joint-statement.md",
                "2023-04-26-us-rok-leaders-joint-statement-70th-anniversary.md",
            ),
            "Reciprocal Defense Procurement",
        ),
        # "The November 2025 Trump-Lee fact sheet" is the fact sheet, not the news analysis
        # whose title repeats "joint fact sheet".
        (
            "How did the wording on denuclearization change between the May 2022 Yoon-Biden "
            "statement and the November 2025 Trump-Lee fact sheet?",
            (
                "2022-05-21-us-rok-leaders-joint-statement.md",
                "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md",
            ),
            "denuclearization",
        ),
    ],
)
def test_statements_named_side_by_side_are_the_ones_compared(
    service: BriefingService, question: str, docs: tuple[str, str], term: str
) -> None:
    """Named by their leaders or their years: only those statements are quoted, each of them,
    on the topic."""
    answer = service.ask(question)
    assert answer.intent == "comparison"
    assert {c.doc_id for c in answer.citations} == set(docs)
    for doc in docs:  # each side on the topic (a quote may be the rest of one that is)
        assert any(term in c.quote for c in answer.citations if c.doc_id == doc)
    _by_statement_in_date_order(answer)


def test_a_report_is_a_side_when_the_side_asks_for_a_report(service: BriefingService) -> None:
    plan = service.plan(
        "Compare the news analysis of the joint fact sheet with the November 2025 Trump-Lee "
        "fact sheet on denuclearization."
    )
    assert service.searcher.named_sides(plan) == [
        "2025-11-14-news-analysis-fact-sheet-denuclearization.md",
        "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md",
    ]


def test_what_one_statement_has_that_another_had_not_is_a_comparison(
    service: BriefingService,
) -> None:
    answer = service.ask(
        "NCG workstreams: what appears in the 2024 Guidelines statement that wasn't in the 2023 "
        "inaugural readout?"
    )
    assert answer.intent == "comparison"
    assert {c.date.year for c in answer.citations} == {2023, 2024}


def test_statements_named_side_by_side_are_searched_alone(service: BriefingService) -> None:
    """Whether they answer is judged on the two statements, not on others about the topic."""
    question = (
        "Ri Son Gwon in 2020 vs Choe Son Hui in 2025: how did the DPRK foreign ministry's line "
        "on nuclear weapons change?"
    )
    plan = service.plan(question)
    passages = service.searcher.search(plan)
    assert {p.chunk.doc_id for p in passages} == {
        "2020-06-12-ri-son-gwon-statement-singapore-anniversary.md",
        "2025-11-13-choe-son-hui-press-statement-g7.md",
    }
    answer = service.ask(question)
    assert not answer.refused
    assert {c.date.year for c in answer.citations} == {2020, 2025}
