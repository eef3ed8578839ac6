"""Dated questions: "as of", "before", "since", "latest", parsed and answered end to end.

The parsing is checked on its own; the answers on a small invented corpus (six statements,
2019-2024, ingested with the real pipeline into real Chroma) where each dated question has
one right answer, and on the sample corpus for the note about newer statements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from brief.service import BriefingService
from core.answers import Answer
from core.models import Chunk, DocumentMeta, Passage
from core.settings import load_settings
from ingest.pipeline import ingest_paths
from retrieval.answer.citations import cite, sources_first
from retrieval.search.plan import date_bounds, full_month, plan_query, spell_months, undated
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests.fixtures.lake import write_lake_corpus

D = dt.date


@pytest.mark.parametrize(
    ("question", "intent", "date_from", "date_to"),
    [
        ("What was the U.S.-ROK position on X as of 2023?", "latest", None, D(2023, 12, 31)),
        ("What was said about the NCG as of March 2024?", "latest", None, D(2024, 3, 31)),
        ("What was said about the NCG as of February 2024?", "latest", None, D(2024, 2, 29)),
        ("As of April 26, 2023, what was agreed?", "latest", None, D(2023, 4, 26)),
        ("as of 2024-07-11, what about the NCG?", "latest", None, D(2024, 7, 11)),
        ("What did statements say about X before 2022?", "lookup", None, D(2021, 12, 31)),
        ("What was said prior to March 2024 on X?", "lookup", None, D(2024, 2, 29)),
        ("What was agreed after 2021 on X?", "lookup", D(2022, 1, 1), None),
        ("What was agreed after April 26, 2023 on X?", "lookup", D(2023, 4, 27), None),
        ("What was said on X since April 2023?", "lookup", D(2023, 4, 1), None),
        ("What did they say on X until the end of 2022?", "lookup", None, D(2022, 12, 31)),
        ("How has the wording on X changed since 2018?", "comparison", D(2018, 1, 1), None),
        ("How did X change from 2018 to 2023?", "comparison", D(2018, 1, 1), D(2023, 12, 31)),
        ("X between May 2022 and the end of 2023", "comparison", D(2022, 5, 1), D(2023, 12, 31)),
        ("What is the latest statement on X?", "latest", None, None),
        ("What is the current position on X?", "latest", None, None),
    ],
)
def test_dates_named_in_a_question_bound_the_search(
    question: str, intent: str, date_from: dt.date | None, date_to: dt.date | None
) -> None:
    plan = plan_query(question)
    assert plan.intent == intent
    assert (plan.filters.date_from, plan.filters.date_to) == (date_from, date_to)


def test_as_of_is_the_end_of_the_period_named() -> None:
    assert plan_query("What was the position as of March 2024?").as_of == D(2024, 3, 31)
    assert plan_query("What was the position before 2022?").as_of is None
    assert plan_query("As of the latest statement, what is the position?").as_of is None


def test_a_month_shortened_before_a_day_or_year_is_spelled_out() -> None:
    assert (
        spell_months("the Nov 2025 fact sheet of Sept. 19")
        == "the november 2025 fact sheet of september 19"
    )
    assert spell_months("March on, as may 2021 showed") == "March on, as may 2021 showed"
    assert full_month("Nov.") == "november"
    assert full_month("Lima") == "Lima"


@pytest.mark.parametrize(
    "question",
    [
        "Compare the 2021 and 2025 statements on North Korea",  # years compared, not bounds
        "Trace it from the April 2023 statement to Camp David",  # a statement, not a date
        "What did the 2019 statement say?",
        "What did the statement of February 30, 2023 say?",  # no such day
        "The ministers agreed to cut the quota by 12 percent",
    ],
)
def test_years_without_a_bounding_word_restrict_nothing(question: str) -> None:
    plan = plan_query(question)
    assert (plan.filters.date_from, plan.filters.date_to) == (None, None)


def test_a_comparison_of_named_years_keeps_those_years() -> None:
    plan = plan_query("Compare the 2021 and 2025 statements on North Korea")
    assert plan.intent == "comparison"
    assert plan.only_years == (2021, 2025)
    assert plan_query("How has X changed since 2018?").only_years == ()


def test_how_a_plan_moved_from_one_statement_to_another_is_a_comparison() -> None:
    plan = plan_query("How did data sharing move from Camp David in 2023 to Lima in 2024?")
    assert plan.intent == "comparison"
    assert plan.only_years == (2023, 2024)
    assert plan_query("Where did the leaders go from Seoul?").intent == "lookup"
    assert plan_query("The office moved from Seoul to Busan: when?").intent == "lookup"


def test_how_each_of_several_statements_put_it_is_asked_of_each() -> None:
    plan = plan_query(
        "Maritime claims: Biden-Moon (2021) and Camp David (2023): how pointed was each?"
    )
    assert plan.intent == "list"
    assert plan.parts == ()
    assert plan_query("The Boeing and GE deals: how much was each?").intent == "lookup"


def test_now_asks_for_the_latest_unless_the_question_is_dated_to_a_year() -> None:
    assert plan_query("What is the current status of the OPCON transfer?").intent == "latest"
    assert plan_query("Where do things stand now on the NCG?").intent == "latest"
    # "current developments" of 2018 are what a 2018 text said, not the newest statement.
    dated = "2018 texts: what did the Pyongyang declaration hope current developments bring?"
    assert plan_query(dated).intent == "lookup"
    assert plan_query("What was the latest word on it in 2023?").intent == "latest"


def test_the_same_statement_is_no_comparison() -> None:
    # "Same fact sheet: …" points at one statement; "the same wording" compares two.
    plan = plan_query("Same WH fact sheet: what is the deal worth, and where is it built?")
    assert plan.intent == "lookup"
    assert plan.asks_several
    assert plan_query("Is the wording the same as in 2021?").intent == "comparison"
    assert plan_query("Did both statements say the same thing?").intent == "comparison"


def test_what_two_named_statements_each_say_is_asked_of_each() -> None:
    plan = plan_query("Mekong: what did the 2021 statement and the Camp David one each say?")
    assert plan.intent == "list"  # several statements, each quoted, of whatever year
    assert plan.only_years == ()
    assert plan_query("How often will they meet each year?").intent == "lookup"
    # However each of them is said to have put it.
    addressed = "How did the 2021 statement and the Camp David one each address the Strait?"
    assert plan_query(addressed).intent == "list"
    assert plan_query("Each party noted it: what did they agree?").intent == "lookup"
    # "… in the statements of 2021, 2022 and 2023: what did Washington welcome each time?"
    times = "How did the quota show up in 2021, 2022 and 2023 - what was welcomed each time?"
    assert plan_query(times).intent == "list"


def test_whether_a_statement_repeated_anothers_wording_is_a_comparison() -> None:
    asked = "Did the readout and the 2024 statement repeat the Washington line?"
    assert plan_query(asked).intent == "comparison"
    assert plan_query("Does the 2022 text reuse that phrase?").intent == "comparison"
    assert plan_query("What did they say about repeated launches?").intent == "lookup"
    after = "How did Choe describe the G7 after it repeated its call?"
    assert plan_query(after).intent == "lookup"


def test_what_a_question_asks_across_several_statements_is_a_list() -> None:
    across = "Quota pledges across the 2021 statement, the Lima trilateral and the Oslo readout?"
    assert plan_query(across).intent == "list"
    across = "Quota pledges across the leaders' texts?"
    assert plan_query(across).intent == "list"
    assert plan_query("What did they say about fishing across the strait?").intent == "lookup"
    assert plan_query("Calm across the Taiwan Strait: what did the statement say?").intent == (
        "lookup"
    )


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Which statements back the audacious plan?", "list"),
        ("Which leaders' documents call for resolving the abductions issue?", "list"),
        ("What joint fact sheets mention shipbuilding?", "list"),
        ("Which U.S.-ROK statements name the NCG?", "list"),
        ("What do the statements say about the NCG?", "lookup"),
        ("Which of the leaders said it first?", "lookup"),
        ("What did the statements of 2023 say about it?", "lookup"),
        # "Last" asks for the newest only as an adjective; the verb asks how long.
        ("What did the last harbour meeting decide?", "latest"),
        ("when was the last trilateral summit", "latest"),
        ("How long did the 2018 harbour summit last?", "lookup"),
        ("How long did the summit last, and who attended?", "lookup"),
        ("How long will the quota last for?", "lookup"),
        # A change made, not one between statements; a change of wording is one.
        ("Does the pledge override or change the treaty commitments?", "lookup"),
        ("What did they say about attempts to change the status quo?", "lookup"),
        ("Did they change the wording on herring?", "comparison"),
        ("Did Seoul change its position?", "comparison"),
        # A change asked in other words than "change" or "compare".
        ("Trace the quota from the 2021 statement to the 2023 one.", "comparison"),
        ("Follow the wording on herring through the three statements.", "comparison"),
        ("How has the quota wording developed since 2021?", "comparison"),
        ("How does the 2022 quota stack up against the 2023 one?", "comparison"),
        ("Did the 2023 statement depart from the 2021 line on herring?", "comparison"),
        ("Where do the two declarations diverge on tolls?", "comparison"),
        ("Did the Sylvania declaration echo the fisheries statement?", "comparison"),
        ("Has the tone on poaching hardened since 2021?", "comparison"),
        ("Did the wording on tolls become more forceful?", "comparison"),
        ("Is the 2023 language tougher than the 2021 language?", "comparison"),
        ("What's new on patrols in 2023 relative to 2021?", "comparison"),
        ("How consistent was the quota wording across the statements?", "comparison"),
        ("When will the trace of the catch data be complete?", "lookup"),
        ("How did the ministers rate the progress made?", "lookup"),
        ("what does the readout say that goes beyond the treaty?", "lookup"),
        # A sum split between two parties asks each one's share, not a comparison.
        ("How is the $20 million split between Sylvania and Freedonia?", "lookup"),
        ("How did the quota differ between the 2021 and 2023 statements?", "comparison"),
    ],
)
def test_the_intent_a_question_asks(question: str, intent: str) -> None:
    assert plan_query(question).intent == intent


def test_undated_removes_the_bounds_only() -> None:
    assert undated("How has the wording on X changed since 2020?") == (
        "How has the wording on X changed?"
    )
    assert undated("What was said as of March 2024 about X?") == "What was said about X?"
    assert undated("the 2021 and 2025 statements") == "the 2021 and 2025 statements"
    assert len(date_bounds("from 2018 to 2023 on X").spans) == 2


# ---------------------------------------------------------------- end to end, invented corpus


@pytest.fixture(scope="module")
def lake(
    tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[BriefingService]:
    root = tmp_path_factory.mktemp("lake")
    corpus = write_lake_corpus(root / "corpus")
    with open_index(load_settings(data_dir=root / "store"), embeddings) as index:
        assert not ingest_paths(index, [corpus]).errors
        yield BriefingService(index)


def _docs(answer: object) -> list[str]:
    return [c.doc_id for c in answer.citations]  # type: ignore[attr-defined]


def _statements(answer: object) -> list[str]:
    """The documents quoted, in order, each once."""
    return list(dict.fromkeys(_docs(answer)))


def test_latest_answers_from_the_newest_statement_on_the_topic(lake: BriefingService) -> None:
    answer = lake.ask("What is the latest position on the Silver Lake Commission?")
    assert answer.intent == "latest"
    assert set(_docs(answer)) == {"2024-11-30-third-summit.md"}
    assert "Silver Lake Authority" in answer.text
    assert not any("newer" in n for n in answer.notes)  # nothing newer in the corpus
    _assert_sources_lead_with_the_quotes(answer)


def _assert_sources_lead_with_the_quotes(answer: Answer) -> None:
    """The passages start with those quoted, then the quoted statement's others, ranked 1..n."""
    [doc] = {c.doc_id for c in answer.citations}

    def quoted(p: Passage) -> bool:
        return any(
            p.chunk.doc_id == doc and p.chunk.start <= c.start < p.chunk.end
            for c in answer.citations
        )

    groups = [0 if quoted(p) else 1 if p.chunk.doc_id == doc else 2 for p in answer.passages]
    assert groups[0] == 0, [p.chunk.doc_id for p in answer.passages]
    assert groups == sorted(groups)
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))


def test_latest_names_the_newer_statements_that_do_not_mention_the_topic(
    lake: BriefingService,
) -> None:
    answer = lake.ask("What is the most recent statement on wool tariffs?")
    assert set(_docs(answer)) == {"2023-05-20-wool-trade.md"}
    _assert_sources_lead_with_the_quotes(answer)
    [note] = [n for n in answer.notes if "newer" in n]
    assert note.startswith("2 newer statement(s) in the corpus do not mention this:")
    assert "Fact Sheet on the Third Summit (November 30, 2024)" in note
    assert "Joint Statement on Energy Cooperation (February 14, 2024)" in note
    assert "Statement on Wool Trade" not in note


def _passage(doc: str, start: int, year: int, rank: int) -> Passage:
    text = f"Sentence {rank} of {doc}."
    meta = DocumentMeta(title=doc, date=D(year, 1, 1))
    chunk = Chunk(doc_id=doc, text=text, start=start, end=start + len(text), meta=meta)
    return Passage(chunk=chunk, rank=rank, score=1.0 / rank)


def test_sources_lead_with_the_quoted_passage_of_the_statement_answered() -> None:
    # Retrieval ranked an older statement first; the answer quotes the newer one's 2nd passage.
    found = [
        _passage("old.md", 0, 2021, 1),
        _passage("new.md", 0, 2025, 2),
        _passage("old.md", 100, 2021, 3),
        _passage("new.md", 100, 2025, 4),
    ]
    quote = cite(1, found[3].chunk, 100, 108, found[3].chunk.text[:8])
    ranked = sources_first(found, "new.md", [quote])
    assert [(p.chunk.doc_id, p.chunk.start) for p in ranked] == [
        ("new.md", 100),
        ("new.md", 0),
        ("old.md", 0),
        ("old.md", 100),
    ]
    assert [p.rank for p in ranked] == [1, 2, 3, 4]
    assert [p.rank for p in found] == [1, 2, 3, 4]  # the list given is left as it was


def test_as_of_a_year_answers_from_statements_up_to_its_end(lake: BriefingService) -> None:
    answer = lake.ask("What was the position on the Silver Lake Commission as of 2023?")
    assert answer.intent == "latest"
    assert answer.filters.date_to == D(2023, 12, 31)
    assert set(_docs(answer)) == {"2022-09-01-second-summit.md"}
    assert all(p.chunk.meta.date <= D(2023, 12, 31) for p in answer.passages)
    [note] = [n for n in answer.notes if "newer" in n]
    assert "Statement on Wool Trade (May 20, 2023)" in note
    assert "2024" not in note  # later statements are outside the question's dates


def test_as_of_a_month_ends_with_that_month(lake: BriefingService) -> None:
    answer = lake.ask("What was said about the Silver Lake Commission as of March 2024?")
    assert answer.filters.date_to == D(2024, 3, 31)
    assert set(_docs(answer)) == {"2022-09-01-second-summit.md"}
    [note] = [n for n in answer.notes if "newer" in n]
    assert "Joint Statement on Energy Cooperation (February 14, 2024)" in note
    assert "Statement on Wool Trade (May 20, 2023)" in note
    assert "Third Summit" not in note


def test_before_a_year_excludes_that_year(lake: BriefingService) -> None:
    answer = lake.ask("What did the statements say about the Silver Lake Commission before 2022?")
    assert answer.filters.date_to == D(2021, 12, 31)
    assert not answer.refused
    assert set(_docs(answer)) == {"2019-03-10-lake-commission.md"}
    assert all(p.chunk.meta.date.year < 2022 for p in answer.passages)


def test_since_a_year_compares_only_the_later_statements(lake: BriefingService) -> None:
    answer = lake.ask("How has the wording on the Silver Lake Commission changed since 2020?")
    assert answer.intent == "comparison"
    assert _statements(answer) == ["2022-09-01-second-summit.md", "2024-11-30-third-summit.md"]
    assert "will be replaced by a permanent Silver Lake Authority" in answer.text
    [change] = answer.changes  # the 2022 quote and its closest 2024 counterpart
    assert answer.citations[change.before - 1].date.year == 2022
    assert answer.citations[change.after - 1].date.year == 2024
    assert not any("2020" in n for n in answer.notes)  # a date bound is not an unknown word


def test_a_comparison_of_named_years_quotes_the_statements_of_each(lake: BriefingService) -> None:
    answer = lake.ask("Compare the 2019 and 2024 statements on the Silver Lake Commission")
    # 2024 also has the energy statement, which does not address the commission.
    assert _statements(answer) == ["2019-03-10-lake-commission.md", "2024-11-30-third-summit.md"]
    assert answer.changes


# ---------------------------------------------------------------- sample corpus


def test_latest_on_the_sample_corpus_names_newer_statements(service: BriefingService) -> None:
    answer = service.ask("What is the latest on the Trilateral Secretariat?")
    assert {c.doc_id for c in answer.citations} == {
        "2024-11-15-japan-rok-us-joint-statement-lima.md"
    }
    assert any("Trilateral Secretariat" in c.quote for c in answer.citations)
    _assert_sources_lead_with_the_quotes(answer)
    [note] = [n for n in answer.notes if "newer" in n]
    assert "Joint Fact Sheet on President Donald J. Trump’s Meeting" in note
    assert "(November 13, 2025)" in note


def test_latest_prefers_a_statement_to_a_newer_news_report(service: BriefingService) -> None:
    answer = service.ask(
        "What's the most recent U.S. statement on keeping American troops in Korea?"
    )
    assert answer.citations
    assert all(not c.doc_id.startswith("2025-11-14-news") for c in answer.citations)


def test_each_year_a_question_names_has_its_statement_quoted(lake: BriefingService) -> None:
    """The 2023 statement is all about wool; the 2019 one mentions the wool tariff in passing.
    Asked of both years, both are quoted."""
    answer = lake.ask("What did the 2019 and 2023 statements say about the tariff on raw wool?")
    assert not answer.refused
    assert {"2019-03-10-lake-commission.md", "2023-05-20-wool-trade.md"} <= set(_docs(answer))
    assert "8 percent until the end of the decade" in answer.text
