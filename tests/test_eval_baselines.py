"""The stock-recipe and BM25 baselines on a tiny corpus, through the same runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.answers import Answer
from core.models import SourceDocument
from eval.baselines import (
    BM25Baseline,
    StockRecipe,
    System,
    baseline_systems,
    from_answer,
    stock_chunks,
)
from eval.questions import GoldPassage, Question
from eval.runner import result_record, run
from ingest.loaders import discover, load_all
from retrieval.store.embeddings import OnnxMiniLMEmbeddings


def load(folder: Path) -> list[SourceDocument]:
    docs = [d for d in load_all(discover([folder])[0]) if isinstance(d, SourceDocument)]
    assert len(docs) == 2
    return docs


HERRING = Question(
    id="h1",
    question="By how much will the herring quota be cut?",
    category="single_doc",
    answerable=True,
    gold=[
        GoldPassage(
            doc="2021-03-04-fisheries.md",
            quote="The two ministers agreed to cut the annual herring quota by 12 percent.",
        )
    ],
    key_facts=[["12 percent"]],
)
TOLLS = Question(
    id="t1",
    question="Who sets the tolls on the Blue River?",
    category="single_doc",
    answerable=True,
    gold=[
        GoldPassage(
            doc="2023-09-10-river.md",
            quote="Tolls will be set by a joint commission that meets in the city of Marrow.",
        )
    ],
    key_facts=[["joint commission"]],
)
MOON = Question(
    id="u1",
    question="What did the treaty say about lunar mining?",
    category="unanswerable",
    answerable=False,
)


def test_stock_chunks_are_recursive_1000_200_pieces_of_the_body():
    long_text = ("The delegations met again. " * 120).strip()
    doc = SourceDocument.model_validate(
        {"doc_id": "long.md", "text": long_text, "meta": {"title": "Long"}}
    )
    chunks = stock_chunks([doc])
    assert len(chunks) >= 4
    assert all(len(c.text) <= 1000 for c in chunks)
    assert all(c.doc == "long.md" and c.text in long_text for c in chunks)
    # Consecutive pieces overlap (200 characters at most).
    assert chunks[1].text[:50] in chunks[0].text


def test_front_matter_is_not_in_the_stock_chunks(small_corpus: Path):
    chunks = stock_chunks(load(small_corpus))
    assert {c.doc for c in chunks} == {"2021-03-04-fisheries.md", "2023-09-10-river.md"}
    assert not any("issuer:" in c.text for c in chunks)


def test_stock_recipe_answers_with_its_top_passage(
    small_corpus: Path, embeddings: OnnxMiniLMEmbeddings
):
    system = StockRecipe(stock_chunks(load(small_corpus)), embeddings)
    assert isinstance(system, System)
    system.prepare()
    answer = system(HERRING)
    assert not answer.refused
    assert answer.retrieved[0][0] == "2021-03-04-fisheries.md"
    assert answer.text == answer.retrieved[0][1]
    assert answer.citations == [answer.retrieved[0]]
    assert "12 percent" in answer.text
    assert len(answer.retrieved) <= 5
    never = system(MOON)
    assert not never.refused  # the stock recipe never refuses
    assert never.text


def test_bm25_baseline_answers_with_its_top_passage(small_corpus: Path):
    system = BM25Baseline(stock_chunks(load(small_corpus)))
    answer = system(TOLLS)
    assert answer.retrieved[0][0] == "2023-09-10-river.md"
    assert "joint commission" in answer.text
    assert answer.citations == [answer.retrieved[0]]
    nothing = system(Question(id="x", question="Zebra?", category="unanswerable", answerable=False))
    assert nothing.text == ""
    assert not nothing.refused


def test_baselines_run_through_the_shared_runner(
    small_corpus: Path, embeddings: OnnxMiniLMEmbeddings, tmp_path: Path
):
    docs = load(small_corpus)
    documents = {d.doc_id: d.text for d in docs}
    systems = baseline_systems(docs, embeddings)
    assert [s.name for s in systems] == ["stock", "bm25"]
    for system in systems:
        system.prepare()
        scores = run(system, [HERRING, TOLLS, MOON], documents, tmp_path / system.name)
        records = [
            json.loads(x)
            for x in (tmp_path / system.name / "results.jsonl").read_text().splitlines()
        ]
        assert [r["id"] for r in records] == ["h1", "t1", "u1"]
        overall = scores["overall"]
        assert overall["hit@5"] == 1.0
        assert overall["citation_validity"] == 1.0  # the cited passage stands in its document
        assert overall["refusal_recall"] == 0.0
        assert overall["citation_recall_proxy"] == 1.0


def test_pipeline_answers_convert_to_the_same_record(service_answer: Answer):
    converted = from_answer(service_answer)
    assert converted.text == service_answer.text
    assert [c[1] for c in converted.citations] == [c.quote for c in service_answer.citations]
    record = result_record(HERRING, service_answer, 0.5)
    assert record == result_record(HERRING, converted, 0.5)


@pytest.fixture
def service_answer() -> Answer:
    from datetime import date

    from core.answers import Citation
    from core.models import Chunk, DocumentMeta, Passage

    meta = DocumentMeta(title="Fisheries", date=date(2021, 3, 4))
    text = "The two ministers agreed to cut the annual herring quota by 12 percent."
    chunk = Chunk(doc_id="f.md", text=text, start=0, end=len(text), meta=meta)
    citation = Citation(
        n=1,
        doc_id="f.md",
        title="Fisheries",
        issuer="x",
        date=meta.date,
        section="",
        quote=text,
        start=0,
        end=len(text),
    )
    return Answer(
        question="q",
        searched_as="q",
        text=f"“{text}” [1]",
        citations=[citation],
        passages=[Passage(chunk=chunk, rank=1, score=1.0)],
    )
