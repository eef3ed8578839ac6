"""Hybrid retrieval: dense (chunks and sentences) and BM25, fused by reciprocal rank.

Filters are resolved to document ids from the catalog and applied to every ranking before
fusion. Dates are first-class: years named in the question and "latest" questions shift
the ranking toward the matching statements, and per-document caps keep multi-document
questions from being crowded out by one long statement.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.index import StatementIndex
from retrieval.models import Filters, Passage
from retrieval.queries import QueryPlan, plan_query

YEAR_BOOST = 0.35
LATEST_BOOST = 0.5


def doc_of(chunk_id: str) -> str:
    """Document id of a chunk id (``doc:start-end:hash``)."""
    return chunk_id.rsplit(":", 2)[0]


class HybridSearcher:
    """Ranks chunks for a query plan."""

    def __init__(self, index: StatementIndex) -> None:
        self.index = index
        self.settings = index.settings

    def allowed_documents(self, filters: Filters) -> list[str] | None:
        """Document ids that pass the filters (None: no restriction)."""
        if filters.is_empty():
            return None
        return [d for d, e in self.index.documents().items() if filters.matches(e.meta, d)]

    def search(
        self,
        plan: QueryPlan,
        filters: Filters | None = None,
        k: int | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[Passage]:
        """Top passages for the plan, best first."""
        k = k or self.settings.top_k
        timings = timings if timings is not None else {}
        merged = (filters or Filters()).merged(plan.filters)
        allowed_docs = self.allowed_documents(merged)
        if allowed_docs is not None and not allowed_docs:
            return []
        n = self.settings.candidate_k
        t0 = time.perf_counter()
        vector = self.index.embeddings.embed_query(plan.search_text)
        t1 = time.perf_counter()
        dense = self.index.store.query_chunks(vector, n, allowed_docs)
        sentence_hits = self.index.store.query_sentences(vector, n * 3, allowed_docs)
        best_sentence: dict[str, float] = {}
        for cid, sim in sentence_hits:
            best_sentence[cid] = max(sim, best_sentence.get(cid, -1.0))
        sentences = sorted(best_sentence.items(), key=lambda kv: -kv[1])
        t2 = time.perf_counter()
        lexical = self.index.lexical()
        allowed_chunks = (
            None
            if allowed_docs is None
            else {cid for cid in lexical.ids if doc_of(cid) in set(allowed_docs)}
        )
        bm25 = lexical.search(plan.search_text, n, allowed_chunks)
        t3 = time.perf_counter()
        timings.update(embed_s=t1 - t0, dense_s=t2 - t1, bm25_s=t3 - t2)

        fused: dict[str, float] = defaultdict(float)
        ranks: dict[str, dict[str, int]] = defaultdict(dict)
        for name, ranking in (("dense", dense), ("sentence", sentences), ("bm25", bm25)):
            for rank, (cid, _score) in enumerate(ranking):
                fused[cid] += 1.0 / (self.settings.rrf_k + rank + 1)
                ranks[cid][name] = rank + 1
        if not fused:
            return []
        chunks = self.index.chunks(list(fused))
        fused = defaultdict(float, {c: s for c, s in fused.items() if c in chunks})
        self._apply_dates(plan, fused, chunks)

        ordered = sorted(fused, key=lambda c: -fused[c])
        cap = min(self.settings.max_per_document, 2 if plan.multi_document else 99)
        picked: list[str] = []
        per_doc: dict[str, int] = defaultdict(int)
        overflow: list[str] = []
        for cid in ordered:
            doc = chunks[cid].doc_id
            if per_doc[doc] < cap:
                picked.append(cid)
                per_doc[doc] += 1
            else:
                overflow.append(cid)
            if len(picked) >= k:
                break
        picked += overflow[: max(0, k - len(picked))]
        return [
            Passage(
                chunk=chunks[cid],
                rank=i + 1,
                score=float(fused[cid]),
                dense_rank=ranks[cid].get("dense") or ranks[cid].get("sentence"),
                lexical_rank=ranks[cid].get("bm25"),
            )
            for i, cid in enumerate(picked)
        ]

    @staticmethod
    def _apply_dates(plan: QueryPlan, fused: dict[str, float], chunks: dict[str, Any]) -> None:
        if plan.years and plan.intent != "latest":
            for cid in fused:
                if chunks[cid].meta.date.year in plan.years:
                    fused[cid] *= 1 + YEAR_BOOST
        if plan.intent == "latest":
            dates = [chunks[c].meta.date.toordinal() for c in fused]
            lo, hi = min(dates), max(dates)
            span = max(hi - lo, 1)
            for cid in fused:
                recency = (chunks[cid].meta.date.toordinal() - lo) / span
                fused[cid] *= 1 + LATEST_BOOST * recency


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the hybrid searcher (for chains and standard tests)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int = 8
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        passages = self.searcher.search(plan_query(query), self.filters, k=k)
        return [
            Document(
                page_content=p.chunk.text,
                metadata={**p.chunk.to_metadata(), "rank": p.rank, "score": p.score},
                id=p.chunk.chunk_id,
            )
            for p in passages
        ]
