"""Answers over the sample corpus: verbatim citations, refusals, filters, dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from brief.service import BriefingService, QuestionError
from core.models import Filters
from core.settings import Settings
from ingest.pipeline import ingest_paths
from retrieval.answer.citations import is_verbatim
from retrieval.answer.names import unknown_subject
from retrieval.answer.readings import naming_phrases
from retrieval.search.cards import card_text
from retrieval.search.hybrid import NAMED_DOC_MIN, HybridRetriever
from retrieval.search.plan import Turn, condense, refers_back
from retrieval.sentences import word_count
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex, open_index

QUESTIONS = [
    "What did the joint fact sheet say about Singapore?",
    "What did the U.S. commit to on nuclear-powered submarines?",
    "Which statements mention the Indo-Pacific Economic Framework?",
    "How did the wording on Taiwan change between 2022 and 2023?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_citations_are_exact_spans_of_their_documents(
    service: BriefingService, corpus_index: StatementIndex, question: str
) -> None:
    answer = service.ask(question)
    assert not answer.refused
    assert answer.citations
    texts = {c.doc_id: c for c in corpus_index.all_chunks()}
    from ingest.loaders import FoundFile, load_file

    for c in answer.citations:
        entry = corpus_index.documents()[c.doc_id]
        doc = load_file(
            FoundFile(path=__import__("pathlib").Path(entry.source_path), doc_id=c.doc_id)
        )
        assert doc.text[c.start : c.end] == c.quote
        assert is_verbatim(c.quote, doc.text)
        assert f"[{c.n}]" in answer.text
        assert c.title
        assert c.issuer
        assert c.date.year > 1900
        assert c.doc_id in texts


def test_short_answers_quote_sentences_not_whole_chunks(service: BriefingService) -> None:
    answer = service.ask("What defense spending target did President Lee share?")
    assert not answer.refused
    assert word_count(answer.text) <= 140
    assert "3.5%" in answer.text
    for c in answer.citations:
        assert len(c.quote) < max(len(p.chunk.text) for p in answer.passages)


def test_unrelated_question_is_refused_with_closest_passages(service: BriefingService) -> None:
    answer = service.ask("What is the best recipe for sourdough bread with rye flour?")
    assert answer.refused
    assert answer.citations == []
    assert "do not answer" in answer.text
    assert answer.passages


def test_multi_document_answers_are_in_date_order(service: BriefingService) -> None:
    answer = service.ask("How has the wording on denuclearization changed since 2021?")
    assert not answer.refused
    dates = [c.date for c in answer.citations]
    assert dates == sorted(dates)
    assert len({c.doc_id for c in answer.citations}) >= 2
    assert all(c.date >= dt.date(2021, 1, 1) for c in answer.citations)


def test_issuer_filter_restricts_every_passage(service: BriefingService) -> None:
    answer = service.ask("denuclearization", filters=Filters(issuers=("KCNA",)))
    assert answer.passages
    assert all("KCNA" in p.chunk.meta.issuer for p in answer.passages)


def test_date_and_document_filters(service: BriefingService) -> None:
    window = Filters(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))
    answer = service.ask("extended deterrence", filters=window)
    assert answer.passages
    assert all(p.chunk.meta.date.year == 2023 for p in answer.passages)
    one = Filters(doc_ids=("2023-04-26-washington-declaration.md",))
    answer = service.ask("extended deterrence", filters=one)
    assert {p.chunk.doc_id for p in answer.passages} == {"2023-04-26-washington-declaration.md"}
    none = Filters(issuers=("No Such Issuer",))
    answer = service.ask("extended deterrence", filters=none)
    assert answer.refused
    assert not answer.passages


def test_latest_question_prefers_the_newest_statement_on_the_topic(
    service: BriefingService,
) -> None:
    answer = service.ask("What is the latest statement on the Nuclear Consultative Group?")
    assert not answer.refused
    first = answer.passages[0].chunk
    mentioning = [
        p.chunk.meta.date
        for p in answer.passages
        if "Nuclear Consultative Group" in p.chunk.text or "NCG" in p.chunk.text
    ]
    assert first.meta.date == max(mentioning)
    assert answer.intent == "latest"
    # The newer news report is no statement: it is not named as one that is silent.
    assert not any("news article" in n for n in answer.notes if "newer statement" in n)


def test_follow_up_uses_the_conversation(service: BriefingService) -> None:
    history = [
        Turn(role="user", content="What did the Biden-Moon statement say about vaccines?"),
        Turn(role="assistant", content="It set up a KORUS Global Vaccine Partnership."),
    ]
    answer = service.ask("And how much did the U.S. give COVAX, according to it?", history)
    assert "Biden-Moon" in answer.searched_as
    assert any("COVAX" in c.quote for c in answer.citations)


def test_a_follow_up_that_names_another_statement_asks_it_the_same_thing(
    service: BriefingService,
) -> None:
    """The subject is the one asked before; the statement is the one named now, not the one
    the conversation named (which the search text still carries)."""
    history = [
        Turn(
            role="user",
            content="How does the Washington Declaration describe the response to a DPRK "
            "nuclear attack?",
        ),
        Turn(role="assistant", content="Any nuclear attack will be met with a decisive response."),
    ]
    answer = service.ask("What about the joint readout of the inaugural NCG meeting?", history)
    assert not answer.refused
    assert {c.date.isoformat() for c in answer.citations if not c.related} == {"2023-07-18"}
    assert any("end of that regime" in c.quote for c in answer.citations if not c.related)
    # A follow-up naming a person several statements name keeps the conversation's statement.
    history = [
        Turn(role="user", content="What did Choe Son Hui say about the G7 foreign ministers?"),
        Turn(role="assistant", content="She said the G7 has no right to oppose the DPRK."),
    ]
    answer = service.ask("and Kim Jong Un?", history)
    assert "2025-11-13" in {c.date.isoformat() for c in answer.citations if not c.related}


def test_bad_questions_raise_clear_errors(service: BriefingService) -> None:
    with pytest.raises(QuestionError, match="empty"):
        service.ask("   ")
    with pytest.raises(QuestionError, match="longer"):
        service.ask("x" * 5000)


def test_markdown_has_numbered_footnotes(service: BriefingService) -> None:
    answer = service.ask("Who convened the inaugural NCG meeting?")
    md = answer.to_markdown()
    for c in answer.citations:
        assert f"[^{c.n}]:" in md
        assert c.title in md


def test_langchain_retriever_returns_documents_with_metadata(
    corpus_index: StatementIndex, service: BriefingService
) -> None:
    retriever = HybridRetriever(searcher=service.searcher, k=4)
    docs = retriever.invoke("Trilateral Secretariat")
    assert 0 < len(docs) <= 4
    assert all(d.metadata["doc_id"] and d.metadata["date"] for d in docs)
    assert any("Trilateral Secretariat" in d.page_content for d in docs)


def test_comparison_of_named_years_quotes_only_those_years(service: BriefingService) -> None:
    answer = service.ask("Taiwan Strait wording: 2022 vs 2023 U.S.-ROK statements")
    assert answer.intent == "comparison"
    assert {p.chunk.meta.date.year for p in answer.passages} <= {2022, 2023}
    assert {c.date.year for c in answer.citations} == {2022, 2023}
    assert any("Taiwan Strait" in c.quote for c in answer.citations)


def test_a_file_name_counts_as_a_name_of_its_statement(service: BriefingService) -> None:
    # "Lima" is in neither the title nor the text, only in the file name.
    meta = service.index.documents()["2024-11-15-japan-rok-us-joint-statement-lima.md"].meta
    card = card_text(meta, "folder/2024-11-15-japan-rok-us-joint-statement-lima.md")
    assert card.endswith(" japan rok us joint statement lima")
    named = service.searcher.named_documents("What did the Lima statement say about Taiwan?")
    top = max(named, key=lambda d: named[d])
    assert top == "2024-11-15-japan-rok-us-joint-statement-lima.md"


def test_two_statements_a_question_joins_by_and_are_each_quoted(service: BriefingService) -> None:
    # Asked of one statement alone, the other's sentences would be "not stated" evidence.
    answer = service.ask(
        "What did the Washington Declaration and the Spirit of Camp David say about extended "
        "deterrence?"
    )
    assert not answer.refused
    assert answer.intent == "comparison"
    assert {c.doc_id for c in answer.citations} == {
        "2023-04-26-washington-declaration.md",
        "2023-08-18-spirit-of-camp-david-joint-statement.md",
    }
    assert all("deterrence" in c.quote for c in answer.citations)
    assert not answer.changes  # what each said was asked, not what changed


def test_two_statements_asked_how_each_put_it_are_each_quoted_on_the_topic(
    service: BriefingService,
) -> None:
    # "each describe": a list of what each said; each is quoted on the topic, not on its name.
    answer = service.ask(
        "How do the Washington Declaration and the readout of the first NCG meeting each "
        "describe what would follow a North Korean nuclear attack?"
    )
    assert answer.intent == "comparison"
    by_doc = {c.doc_id: c.quote for c in answer.citations}
    assert set(by_doc) == {
        "2023-04-26-washington-declaration.md",
        "2023-07-18-us-rok-ncg-inaugural-meeting-joint-readout.md",
    }
    assert "swift, overwhelming and decisive" in by_doc["2023-04-26-washington-declaration.md"]
    assert "end of that regime" in " ".join(c.quote for c in answer.citations)


def test_a_tariff_rate_is_the_one_on_the_sector_asked(service: BriefingService) -> None:
    # The fact sheet gives Section 232 rates for automobiles, pharmaceuticals and chips; none
    # for aluminum. "Cars" are automobiles.
    for asked in (
        "Per the Trump-Lee fact sheet, what Section 232 tariff will Korean cars pay?",
        # The rates for chips and pharmaceuticals rank above it: the one for cars is lifted.
        "What Section 232 tariff applies to Korean cars in the newest statement?",
    ):
        cars = service.ask(asked)
        assert not cars.refused, asked
        assert any("automobiles" in c.quote for c in cars.citations), asked
    aluminum = service.ask(
        "Per the Trump-Lee fact sheet, what Section 232 tariff will Korean aluminum pay?"
    )
    assert aluminum.refused


def test_a_reaction_is_quoted_from_the_reacting_partys_own_statement(
    service: BriefingService,
) -> None:
    # The G7 statement outranks the DPRK's answer to it on every word of the question; the
    # reaction asked for is the DPRK's own.
    answer = service.ask("How did the DPRK react to what the G7 foreign ministers said at Niagara?")
    assert not answer.refused
    cited = {c.doc_id for c in answer.citations}
    assert "2025-11-13-choe-son-hui-press-statement-g7.md" in cited


def test_a_heading_before_the_question_names_its_statement(service: BriefingService) -> None:
    # "Singapore joint statement: …": the heading names the statement, though the rest of the
    # question ("the North Korean side") weighs more than its name.
    question = "Singapore joint statement: who leads the talks on the North Korean side?"
    named = service.searcher.named_documents(question).at_least(NAMED_DOC_MIN)
    assert "2018-06-12-singapore-joint-statement.md" in named
    plain = "Who leads the talks on the North Korean side after the Singapore summit?"
    assert "2018-06-12-singapore-joint-statement.md" not in (
        service.searcher.named_documents(plain).at_least(NAMED_DOC_MIN)
    )
    # Cited as the source ("in the …", "according to the …"), a statement is named too; by a
    # name no card holds whole ("Nov"), when its card explains the name clearly best.
    for cited, doc in (
        (
            "Who leads the talks on the North Korean side in the Singapore joint statement?",
            "2018-06-12-singapore-joint-statement.md",
        ),
        (
            "In the Nov 2025 Trump-Lee fact sheet, what is the yearly cap on dollars?",
            "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md",
        ),
    ):
        assert doc in service.searcher.named_documents(cited).at_least(NAMED_DOC_MIN), cited
    # The clearly best explains it: not the White House's own fact sheet of two weeks before.
    assert "2025-10-29-white-house-fact-sheet-trump-state-visit-rok.md" not in (
        service.searcher.named_documents(
            "In the Nov 2025 Trump-Lee fact sheet, what is the yearly cap on dollars?"
        ).at_least(NAMED_DOC_MIN)
    )


def test_naming_a_statement_does_not_bring_in_a_report_that_repeats_its_name(
    service: BriefingService,
) -> None:
    # The news analysis's title ends "… in joint fact sheet"; the question asks for the statement.
    answer = service.ask("What did the joint fact sheet say about Singapore?")
    assert {c.doc_id for c in answer.citations} == {
        "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md"
    }
    assert any("Singapore" in c.quote for c in answer.citations)
    # Asking for the report by name still gets the report.
    report = service.ask("What did the news analysis say about the joint fact sheet?")
    assert {c.doc_id for c in report.citations} == {
        "2025-11-14-news-analysis-fact-sheet-denuclearization.md"
    }


def test_a_named_statement_that_does_not_address_the_question_is_said_so(
    service: BriefingService,
) -> None:
    # It holds nothing near the question: what other statements say is related, not the answer.
    answer = service.ask("What did the Washington Declaration say about Myanmar?")
    assert answer.refused
    assert answer.not_stated
    assert answer.text.startswith("The statements do not say")
    assert answer.citations
    assert all(c.related for c in answer.citations)
    assert "2023-04-26-washington-declaration.md" not in {c.doc_id for c in answer.citations}
    assert (
        "Washington Declaration (April 26, 2023) does not address this: the quotes are from "
        "other statements"
    ) in answer.notes
    # A part that borrows the statement's name from the part before it is still answered.
    parts = service.ask(
        "What body did the Washington Declaration create for nuclear planning, and when and "
        "where did it first meet?"
    )
    assert not parts.not_stated
    assert "2023-07-18-us-rok-ncg-inaugural-meeting-joint-readout.md" in {
        c.doc_id for c in parts.citations
    }
    # When it does address the question, no such note.
    quoted = service.ask("What did the Washington Declaration say about the NCG?")
    assert "2023-04-26-washington-declaration.md" in {c.doc_id for c in quoted.citations}
    assert not any("does not address this" in n for n in quoted.notes)


@pytest.mark.parametrize(
    ("question", "back"),
    [
        ("Did it say anything about APEC?", True),
        ("And how much did the U.S. give COVAX, according to it?", True),
        ("Does that statement mention Japan?", True),
        ("Was there a military aircraft deal in there too?", True),
        ("How did she characterize the G7 itself?", True),  # the person of the last exchange
        ("Is there a cap on how much Korea has to put up?", False),  # "is there": does it exist
        ("What about vaccines?", False),
        ("Did the leaders mention Japan?", False),
    ],
)
def test_a_follow_up_that_points_back_at_the_statement(question: str, back: bool) -> None:
    assert refers_back(question) is back


def test_a_follow_up_searches_for_the_thing_the_previous_answer_defined_first() -> None:
    history = [
        Turn(role="user", content="What did the Washington Declaration set up?"),
        Turn(
            role="assistant",
            content="“… a new Nuclear Consultative Group (NCG) to strengthen deterrence against "
            "the Democratic People’s Republic of Korea (DPRK).” [1]",
        ),
    ]
    text = condense("How often is it supposed to meet?", history)
    assert text.endswith(
        "What did the Washington Declaration set up? Nuclear Consultative Group NCG"
    )
    # Named by the question already, or no answer to go by: the previous question alone.
    assert "Consultative" not in condense("Does the NCG meet often?", history)
    assert condense("How often does it meet?", history[:1]).endswith("set up?")


WASHINGTON = "2023-04-26-washington-declaration.md"


def _after(answer_text: str, doc_ids: tuple[str, ...] = ()) -> list[Turn]:
    return [
        Turn(role="user", content="What did that statement set up?"),
        Turn(role="assistant", content=answer_text, doc_ids=doc_ids),
    ]


def test_it_in_a_follow_up_is_the_statement_the_previous_answer_quoted(
    service: BriefingService,
) -> None:
    question = "Does it mention space cooperation?"
    alone = service.ask(question)
    assert {c.doc_id for c in alone.citations} - {WASHINGTON}  # others mention space too
    for history in (
        _after("It set up a consultative group.", doc_ids=(WASHINGTON,)),  # as the app records it
        _after("The Washington Declaration of April 26, 2023 set up the NCG."),  # named in text
    ):
        answer = service.ask(question, history=history)
        assert {c.doc_id for c in answer.citations} == {WASHINGTON}
        assert any(
            n.startswith("a follow-up: answered from the statement the previous answer")
            and "Washington Declaration (April 26, 2023)" in n
            for n in answer.notes
        )
        assert answer.passages[0].chunk.doc_id == WASHINGTON


def test_she_in_a_follow_up_is_the_person_of_the_statement_the_last_question_named(
    service: BriefingService,
) -> None:
    """Neither recorded nor named in the answer's text: the statement the question named."""
    choe = "2025-11-13-choe-son-hui-press-statement-g7.md"
    history = [
        Turn(role="user", content="What was Choe Son Hui's November 2025 press statement about?"),
        Turn(role="assistant", content="She rejected what the ministers had said."),
    ]
    answer = service.ask("How did she characterize the G7 itself?", history=history)
    assert {c.doc_id for c in answer.citations} == {choe}


def test_a_follow_up_the_previous_statement_does_not_answer_says_so(
    service: BriefingService,
) -> None:
    answer = service.ask(
        "Did it say anything about China?", history=_after("...", doc_ids=(WASHINGTON,))
    )
    assert not answer.refused
    assert (
        "the statement the previous answer quoted (Washington Declaration (April 26, 2023)) does "
        "not address this: the quotes are from other statements"
    ) in answer.notes


def test_named_documents_see_a_statement_ingested_after_the_first_question(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    question = "What does the lighthouse notice say?"
    with open_index(small_settings, embeddings) as index:
        assert not ingest_paths(index, [small_corpus]).errors
        searcher = BriefingService(index).searcher
        assert "lighthouse.md" not in searcher.named_documents(question)
        (small_corpus / "lighthouse.md").write_text(
            "---\ntitle: Lighthouse Notice\nissuer: Coast Guard\ndate: 2024-05-06\n---\n\n"
            "The lighthouse at Cape Orm will be repainted.\n",
            encoding="utf-8",
        )
        assert not ingest_paths(index, [small_corpus]).errors
        assert searcher.named_documents(question)["lighthouse.md"] >= NAMED_DOC_MIN


def test_a_part_too_thin_to_stand_alone_is_answered_on_the_first_parts_subject(
    service: BriefingService,
) -> None:
    """ "…, and by what year?" asks about the equipment purchases: quoted, not "not stated"."""
    answer = service.ask("How much U.S. military equipment will Korea purchase, and by what year?")
    assert answer.not_stated == []
    second = answer.text.split("by what year?", 1)[1]
    assert "2030" in second
    assert "do not say" not in answer.text


def test_a_part_that_names_its_own_year_borrows_the_subject_not_the_statement(
    service: BriefingService,
) -> None:
    """ "…did the Washington Declaration attach, and how did Trump and Lee put it in 2025?" is
    searched on the dialogue, not the Declaration again; without a year of its own, "it" may be
    what the statement named before created, and the statement's name stays."""

    def second(question: str) -> str:
        return service.quoting.part_plans(service.plan(question))[1][1].search_text

    dated = second(
        "Dialogue with the DPRK: what condition did the Washington Declaration attach, and how"
        " did Trump and Lee put it in 2025?"
    )
    assert "Washington Declaration" not in dated
    assert "condition" in dated
    undated = second("What did the Washington Declaration create, and when did it first meet?")
    assert "Washington Declaration" in undated
    # A part that gives a name of its own ("the first NCG session") asks its own statement.
    named = second(
        "Strategic asset visibility: what did the Washington Declaration preview, and what did"
        " the first NCG session discuss on that front?"
    )
    assert "Washington Declaration" not in named
    assert "visibility" in named


def test_a_part_pointing_back_to_a_speaker_asks_the_statement_named_before(
    service: BriefingService,
) -> None:
    """ "What does Choe Son Hui's statement accuse the G7 of, and how does she describe the G7
    itself?": she speaks in her statement, not in the 2020 one that also says "characterized";
    "it" may be what the statement named created, in another statement."""
    choe = "2025-11-13-choe-son-hui-press-statement-g7.md"
    question = (
        "What does Choe Son Hui's statement accuse the G7 of, and how does she characterize the G7"
        " itself?"
    )
    parts = service.quoting.part_plans(service.plan(question))
    assert parts[1][1].filters.doc_ids == (choe,)
    assert {c.doc_id for c in service.ask(question).citations} == {choe}
    it = "What did the Washington Declaration create, and when did it first meet?"
    assert service.quoting.part_plans(service.plan(it))[1][1].filters.doc_ids == ()


def test_a_part_dated_by_the_year_before_it_is_searched_in_that_year(
    service: BriefingService,
) -> None:
    """ "…in 2021, and what did Biden and Yoon set up a year later?": the 2022 statement."""
    parts = service.quoting.part_plans(
        service.plan(
            "Which supply chain sectors did Biden and Moon name in 2021, and what dialogue did"
            " Biden and Yoon set up a year later?"
        )
    )
    assert [sub.years for _, sub in parts] == [(2021,), (2022,)]
    assert "a year later" in parts[1][0]  # the part is shown as asked


def test_a_part_with_its_own_subject_after_a_latest_one_is_answered_on_its_own(
    service: BriefingService,
) -> None:
    """ "The latest …, and what did the G7 condemn?": the second part is its own question (the
    G7 statement), not a second look at the newest statement; "…, and what does it say?" is."""
    answer = service.ask(
        "What is the latest statement on the NCG, and what did the G7 foreign ministers condemn?"
    )
    first, second = answer.text.split("what did the G7 foreign ministers condemn?", 1)
    assert "Nuclear Consultative Group" in first
    g7 = [c for c in answer.citations if c.quote in second]
    assert g7
    assert all(c.doc_id.startswith("2025-11-12-g7-foreign-ministers") for c in g7)
    pointing = service.plan("What is the latest statement on the NCG, and what does it say?")
    assert len(pointing.parts) == 2
    assert not pointing.asks_several  # one statement chosen, then read


def test_a_comparison_of_two_asks_is_answered_and_decided_as_one(
    service: BriefingService,
) -> None:
    """Each statement compared is quoted on both asks; the fitted decision still holds."""
    question = (
        "The Camp David Principles versus the 2024 Lima statement: "
        "denuclearization of whom, and on what grounds?"
    )
    plan = service.plan(question)
    assert len(plan.parts) == 2
    assert not plan.asks_several
    assert service.extractive._decision(plan) is not None
    several = service.plan("What body did the Washington Declaration create, and when did it meet?")
    assert several.asks_several
    assert service.extractive._decision(several) is None  # decided ask by ask
    answer = service.ask(question)
    assert not answer.refused
    assert {c.doc_id for c in answer.citations} == {
        "2023-08-18-camp-david-principles.md",
        "2024-11-15-japan-rok-us-joint-statement-lima.md",
    }
    assert "denuclearization of the Democratic People" in answer.text
    assert "denuclearization of the Korean Peninsula" in answer.text


def test_a_statement_is_named_by_its_principals(service: BriefingService) -> None:
    """'The Biden-Moon statement' is the 2021 leaders' statement (neither name is in its card)."""
    named = service.searcher.named_documents("What did the Biden-Moon statement say about Myanmar?")
    best = max(named.items(), key=lambda item: item[1])[0]
    assert best.startswith("2021-05-21-us-rok-leaders-joint-statement")


def test_a_statement_is_named_by_its_distinctive_title(service: BriefingService) -> None:
    """A question quoting a title names its document, though the title's words are common
    ("commitment", "consult" stand in the Camp David statement too); a title three years'
    statements share names none of them by itself."""
    consult = "2023-08-18-commitment-to-consult.md"
    question = "Is the trilateral Commitment to Consult from Camp David legally binding?"
    assert consult in service.searcher.named_documents(question).at_least(NAMED_DOC_MIN)
    passages = service.searcher.search(service.plan(question), Filters())
    assert consult in {p.chunk.doc_id for p in passages[:5]}
    # Answered from the statement named, not from the MOU that says "legally binding" verbatim.
    answer = service.ask("Is the Commitment to Consult legally binding?")
    assert {c.doc_id for c in answer.citations} == {consult}
    assert any("rights or obligations" in c.quote for c in answer.citations)
    # A second statement named beside the title: both answer.
    both = service.ask(
        "What do the Washington Declaration and the July 2024 nuclear guidelines statement say "
        "about South Korean conventional forces supporting U.S. nuclear operations?"
    )
    assert {c.doc_id for c in both.citations} >= {
        "2023-04-26-washington-declaration.md",
        "2024-07-11-us-rok-joint-statement-nuclear-deterrence-guidelines.md",
    }
    shared = service.searcher.named_documents("What did the U.S.-ROK Leaders' Joint Statement say?")
    assert len(shared.at_least(NAMED_DOC_MIN)) != 1


def test_a_pair_of_leaders_names_the_statement_not_its_topic(service: BriefingService) -> None:
    """'The 2021 Biden-Moon statement' says which statement, in any question: its sentences are
    chosen on the topic ("host-nation support": the Special Measures Agreement), not on the
    leaders' names, which most of its sentences hold."""
    part = "Host-nation support for U.S. forces: what did the 2021 Biden-Moon statement say?"
    plan = service.plan(part)
    assert "Biden-Moon" not in service.extractive.topics(plan)[0]
    assert "Biden-Moon" in service.extractive.topics(plan)[-1]  # as asked, still read
    answer = service.ask(part)
    assert [c.doc_id for c in answer.citations] == ["2021-05-21-us-rok-leaders-joint-statement.md"]
    assert "Special Measures Agreement" in answer.citations[0].quote
    # A single name is no pair: "What did Moon say?" asks who spoke.
    alone = service.plan("What did the statement say about Moon's visit?")
    assert "Moon" in service.extractive.topics(alone)[0]


def test_a_month_or_an_acronym_that_names_the_statement_is_not_its_topic(
    service: BriefingService,
) -> None:
    """'Her Nov 2025 press statement', 'DPRK FM Choe Son Hui': the card's 'November 13, 2025'
    and 'Foreign Minister'; sentences are chosen on the rest."""
    question = (
        "In her Nov 2025 press statement, how did DPRK FM Choe Son Hui characterize the G7 itself?"
    )
    topic = service.extractive.topics(service.plan(question))[0].split()
    assert "Nov" not in topic
    assert "FM" not in topic
    assert "characterize" in topic


def test_phrases_naming_several_statements_say_which_not_what(service: BriefingService) -> None:
    """'Across the 2022 Yoon–Biden statement, the Lima trilateral and the October 29 state-visit
    fact sheet': which statements are asked, not words their sentences must hold, and their dates
    are no numbers the sentences lack; each statement is quoted."""
    question = (
        "List every commitment on critical minerals across the 2022 Yoon–Biden statement, "
        "the Lima trilateral, and the October 29 state-visit fact sheet."
    )
    assert naming_phrases(question, service.searcher) == [
        "the 2022 Yoon–Biden statement",
        "the Lima trilateral",
        "the October 29 state-visit fact sheet",
    ]
    plan = service.plan(question)
    topic = service.extractive.topics(plan)[0].split()
    assert {"Lima", "October", "sheet."}.isdisjoint(topic)
    assert {"critical", "minerals"} <= set(topic)
    found = service.extractive.assess(plan, service.searcher.search(plan, Filters()))
    assert found.signals["numbers_unmatched"] == 0
    answer = service.ask(question)
    assert not answer.refused
    assert {c.doc_id[:10] for c in answer.citations} >= {"2022-05-21", "2024-11-15", "2025-10-29"}
    # An acronym and an ordinal name one too ("the first NCG readout": the inaugural meeting's).
    ncg = "What did the 2024 guidelines statement and the first NCG readout say on planning?"
    assert naming_phrases(ncg, service.searcher) == [
        "the 2024 guidelines statement",
        "the first NCG readout",
    ]
    # One statement named: whether its own sentences are found still counts.
    one = "What did the 2022 Yoon–Biden statement say about critical minerals?"
    assert naming_phrases(one, service.searcher) == []
    # A statement named as what is asked about stays the topic.
    treat = (
        "How did the 2021 Biden–Moon statement and the 2025 Trump–Lee fact sheet each treat "
        "the 2018 Singapore Joint Statement?"
    )
    assert "Singapore" in service.extractive.topics(service.plan(treat))[0]


def test_each_statement_a_phrase_names_clearly_is_quoted(service: BriefingService) -> None:
    """'Did the Trump–Lee joint fact sheet repeat the wording the 2021 and 2022 leaders'
    statements used?': the fact sheet is asked too, though its sentence scores below theirs."""
    answer = service.ask(
        "Did the Trump–Lee joint fact sheet repeat the 'conditions-based' OPCON wording that "
        "the 2021 and 2022 leaders' statements used?"
    )
    assert {c.doc_id[:10] for c in answer.citations} == {"2021-05-21", "2022-05-21", "2025-11-13"}


def test_a_comparison_of_leaders_statements_quotes_them_on_its_topic(
    service: BriefingService,
) -> None:
    """The leaders' names say which statements are compared, not what to quote from them."""
    question = "Compare what the 2022 and 2023 Biden-Yoon statements said about semiconductors"
    plan = service.plan(question)
    assert "Biden-Yoon" not in service.searcher.discriminating(plan, plan.search_topic)
    answer = service.ask(question)
    leaders = [
        c
        for c in answer.citations
        if c.doc_id.startswith(("2022-05-21-us-rok-leaders", "2023-04-26-us-rok-leaders"))
    ]
    assert {c.doc_id[:4] for c in leaders} == {"2022", "2023"}
    assert all("semiconductor" in c.quote for c in leaders)


def test_an_acronym_no_statement_uses_is_read_by_the_glossarys_long_form(
    service: BriefingService,
) -> None:
    """The statements say "wartime operational control", never "OPCON"."""
    answer = service.ask("What did the fact sheet say about OPCON?")
    assert not answer.refused
    assert "wartime operational control" in answer.citations[0].quote
    assert not any("OPCON" in note for note in answer.notes)  # no "no statement mentions"


def test_a_question_naming_a_year_is_answered_from_that_years_statements(
    service: BriefingService,
) -> None:
    answer = service.ask("What did they say about the Quad in 2022?")
    assert answer.citations
    assert {c.doc_id[:4] for c in answer.citations} == {"2022"}


def test_a_list_names_every_statement_that_mentions_the_thing(service: BriefingService) -> None:
    """A statement whose sentence is weaker overall is listed when it shares the question's
    terms (the TPD's long list of space projects), not when it is only near in meaning."""
    kps = service.ask("Which texts mention KPS, Korea's satellite positioning system?")
    docs = {c.doc_id for c in kps.citations}
    assert {
        "2022-05-21-us-rok-leaders-joint-statement.md",
        "2025-10-29-us-korea-technology-prosperity-deal.md",
    } <= docs
    plan = service.ask("Which statements back President Yoon's audacious plan for North Korea?")
    assert "2018-04-27-panmunjom-declaration.md" not in {c.doc_id for c in plan.citations}


def test_a_question_about_a_name_no_statement_holds_is_not_stated(
    service: BriefingService,
) -> None:
    """The 2022 statement is named and close, but what is asked about is in no statement."""
    answer = service.ask("What did the 2022 Biden-Yoon statement say about Kwangmyongsong?")
    assert answer.refused
    assert answer.not_stated
    assert all(c.related for c in answer.citations)
    # One such name among the words of a subject the statements hold is weighed, not decisive.
    assert not unknown_subject(["THAAD"], "ROK leaders THAAD missile defense battery Korea")
    assert unknown_subject(["THAAD"], "Biden-Yoon THAAD")


def test_the_latest_statement_is_read_for_what_the_later_ask_asks_of_it(
    service: BriefingService,
) -> None:
    """ "What's the newest Japan-ROK-U.S. joint statement, and what new body did it create?":
    the newest statement, quoted on the body it set up, not on its other words."""
    answer = service.ask(
        "What's the newest Japan-ROK-U.S. joint statement, and what new body did it create?"
    )
    assert not answer.refused
    assert {c.date.isoformat() for c in answer.citations} == {"2024-11-15"}
    assert "Trilateral Secretariat" in answer.citations[0].quote


def test_a_name_no_statement_holds_is_not_answered_by_its_neighbours(
    service: BriefingService,
) -> None:
    """The TPD's space items sit next to "the Lunar Gateway", which no statement names: that is
    no answer, however close the rest of the question comes (evidence that would answer had to
    be 0.3 stronger for each such name: ``UNKNOWN_TERM_PENALTY``). "Beijing" is China, which
    they do name."""
    for question in (
        "What does the Korea TPD say about Korea's part in NASA's Lunar Gateway?",
        "Which Korean firms will build the Alaska LNG pipeline?",
        "What did the G7 ministers at Niagara say about water cannons in the Yellow Sea?",
    ):
        answer = service.ask(question)
        assert answer.refused, question
        assert not [c for c in answer.citations if not c.related], question
    china = service.ask("What did Camp David say about Beijing's behavior in the South China Sea?")
    assert not china.refused
    assert any("2023-08-18-spirit-of-camp-david" in c.doc_id for c in china.citations)


def test_a_name_asked_for_is_quoted_when_a_sentence_nearly_as_close_holds_it(
    service: BriefingService,
) -> None:
    """ "Which fusion facility …?": the article's best sentences name the deal's signers and
    fields; the one nearly as close that names the facility ("… facilities, including the
    JT-60SA tokamak") ranks among them, so the question is answered, not refused."""
    answer = service.ask(
        "Which Japanese fusion facility does the White House article on the Technology "
        "Prosperity Deals name?"
    )
    assert not answer.refused
    assert any("JT-60SA" in c.quote for c in answer.citations if not c.related)


def test_a_follow_up_naming_only_another_statement_asks_it_the_same(
    service: BriefingService,
) -> None:
    """ "And at Lima?" after a question about Camp David names no statement by a word for one,
    but every word it asks is the Lima statement's: what was asked before, asked of Lima."""
    history = [
        Turn(role="user", content="What did Camp David say about the DPRK's cyber theft?"),
        Turn(
            role="assistant", content="It voiced concern about the DPRK's illicit cyber activities."
        ),
    ]
    answer = service.ask("and at Lima?", history)
    assert not answer.refused
    lima = "2024-11-15-japan-rok-us-joint-statement-lima.md"
    assert answer.citations[0].doc_id == lima
    assert "cyber" in answer.citations[0].quote
