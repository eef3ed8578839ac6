"""The systems an evaluation run compares: the project's pipeline and two stock baselines.

Every system is a callable ``Question -> SystemAnswer`` with a name and a ``prepare`` step (build
what it needs once, before the first question), so the runner treats them all alike:

- ``pipeline``: the project's ``BriefingService`` (hybrid retrieval, extractive cited answer).
- ``stock``: the stock recipe of ``../shared/eval/README.md``: 1,000-character recursive chunks
  with 200 overlap over each document's body, the store's embedding model (MiniLM by default;
  questions embedded as queries), dense top-5 by cosine;
  the answer is the top passage, cited whole; it never refuses.
- ``bm25``: BM25 alone (bm25s, the project's tokenizer) over the same chunks; same answer rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import numpy as np

from core.answers import Answer
from core.models import SourceDocument
from eval.questions import Question

if TYPE_CHECKING:
    from brief.service import BriefingService
    from retrieval.store.embeddings import SentenceEmbeddings
    from retrieval.store.lexical import LexicalIndex

STOCK_CHUNK_SIZE = 1000
STOCK_CHUNK_OVERLAP = 200
STOCK_TOP_K = 5


@dataclass(frozen=True)
class SystemAnswer:
    """What a system returns for one question: the fields of a results line."""

    text: str
    refused: bool = False
    citations: list[tuple[str, str]] = field(default_factory=list)  # (doc, exact text)
    retrieved: list[tuple[str, str]] = field(default_factory=list)  # (doc, text), ranked
    not_stated: list[str] = field(default_factory=list)  # the parts the answer says are not stated


@runtime_checkable
class System(Protocol):
    """A question-answering system under evaluation."""

    name: str

    def prepare(self) -> None:
        """Build indexes or load models; called once, before the first question is asked."""

    def __call__(self, question: Question) -> SystemAnswer | Answer:
        """Answer one question."""


def from_answer(answer: Answer) -> SystemAnswer:
    """The pipeline's ``Answer`` as a ``SystemAnswer``."""
    return SystemAnswer(
        text=answer.text,
        refused=answer.refused,
        citations=[(c.doc_id, c.quote) for c in answer.citations],
        retrieved=[(p.chunk.doc_id, p.chunk.text) for p in answer.passages],
        not_stated=list(answer.not_stated),
    )


class PipelineSystem:
    """The project's pipeline: ``BriefingService.ask`` with the question's history."""

    name = "pipeline"

    def __init__(
        self, service: BriefingService, answerer: Literal["extractive", "generative"] | None = None
    ) -> None:
        self.service = service
        self.answerer = answerer

    def prepare(self) -> None:
        """Nothing to build: the service's index is open."""

    def __call__(self, question: Question) -> Answer:
        return self.service.ask(question.question, question.history, answerer=self.answerer)


class TwinSystem(PipelineSystem):
    """The pipeline asked each question's twin instead: the same question in another language
    (same id, gold and key facts), so both languages are scored on the same questions."""

    name = "twin"

    def __init__(
        self,
        service: BriefingService,
        twins: dict[str, Question],
        answerer: Literal["extractive", "generative"] | None = None,
    ) -> None:
        super().__init__(service, answerer)
        self.twins = twins

    def __call__(self, question: Question) -> Answer:
        twin = self.twins[question.id]
        return self.service.ask(twin.question, twin.history, answerer=self.answerer)


def twin_questions(
    questions: Iterable[Question], twin_sets: Iterable[Question]
) -> dict[str, Question]:
    """Each question's twin by id; ValueError names a question without one, or a twin whose
    gold or key facts differ (then the two would not be scored alike)."""
    by_id = {t.id: t for t in twin_sets}
    twins: dict[str, Question] = {}
    for q in questions:
        twin = by_id.get(q.id)
        if twin is None:
            raise ValueError(f"question {q.id} has no twin in the --twins sets")
        if twin.gold != q.gold or twin.key_facts != q.key_facts or twin.answerable != q.answerable:
            raise ValueError(
                f"question {q.id}: its twin has other gold, key facts or answerability"
            )
        twins[q.id] = twin
    return twins


@dataclass(frozen=True)
class BaselineChunk:
    """A stock chunk: a piece of one document's body text."""

    doc: str
    text: str


def stock_chunks(
    documents: Iterable[SourceDocument],
    chunk_size: int = STOCK_CHUNK_SIZE,
    chunk_overlap: int = STOCK_CHUNK_OVERLAP,
) -> list[BaselineChunk]:
    """``RecursiveCharacterTextSplitter`` chunks of every document's body, in document order."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    return [
        BaselineChunk(doc.doc_id, piece)
        for doc in documents
        for piece in splitter.split_text(doc.text)
        if piece.strip()
    ]


def _top_passage_answer(ranked: Sequence[BaselineChunk]) -> SystemAnswer:
    """The stock answer rule: the top passage, cited whole; never a refusal."""
    if not ranked:
        return SystemAnswer(text="")
    top = ranked[0]
    return SystemAnswer(
        text=top.text,
        refused=False,
        citations=[(top.doc, top.text)],
        retrieved=[(c.doc, c.text) for c in ranked],
    )


class StockRecipe:
    """Dense top-k by cosine over stock chunks, embedded with the project's model instance."""

    name = "stock"

    def __init__(
        self,
        chunks: Sequence[BaselineChunk],
        embeddings: SentenceEmbeddings,
        top_k: int = STOCK_TOP_K,
    ) -> None:
        self.chunks = list(chunks)
        self.embeddings = embeddings
        self.top_k = top_k
        self._matrix: np.ndarray | None = None

    def prepare(self) -> None:
        """Embed every chunk once (rows L2-normalised, so a dot product is the cosine)."""
        if self._matrix is None:
            self._matrix = _normalise(self.embeddings.embed_array([c.text for c in self.chunks]))

    def __call__(self, question: Question) -> SystemAnswer:
        self.prepare()
        assert self._matrix is not None
        if not self.chunks:
            return _top_passage_answer([])
        query = _normalise(self.embeddings.embed_queries([question.question]))[0]
        scores = self._matrix @ query
        order = np.argsort(-scores, kind="stable")[: self.top_k]
        return _top_passage_answer([self.chunks[int(i)] for i in order])


class BM25Baseline:
    """BM25 alone (``retrieval.store.lexical.LexicalIndex``) over the stock chunks."""

    name = "bm25"

    def __init__(self, chunks: Sequence[BaselineChunk], top_k: int = STOCK_TOP_K) -> None:
        self.chunks = list(chunks)
        self.top_k = top_k
        self._index: LexicalIndex | None = None

    def prepare(self) -> None:
        """Build the BM25 index once."""
        if self._index is None:
            from retrieval.store.lexical import LexicalIndex

            self._index = LexicalIndex.build(
                [str(i) for i in range(len(self.chunks))], [c.text for c in self.chunks]
            )

    def __call__(self, question: Question) -> SystemAnswer:
        self.prepare()
        assert self._index is not None
        hits = self._index.search(question.question, self.top_k)
        return _top_passage_answer([self.chunks[int(cid)] for cid, _ in hits])


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.clip(norms, 1e-12, None), dtype=np.float32)


def baseline_systems(
    documents: Iterable[SourceDocument], embeddings: SentenceEmbeddings
) -> list[System]:
    """The stock recipe and BM25 over the same 1,000/200 chunks."""
    chunks = stock_chunks(documents)
    return [StockRecipe(chunks, embeddings), BM25Baseline(chunks)]
