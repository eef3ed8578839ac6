"""Hybrid retrieval: dense and BM25 over the same chunks, fused by reciprocal rank, re-ranked.

Filters are resolved to document ids from the catalog and applied to every ranking before
fusion. BM25 reads Latin script only: a question in another script (Korean) counts its lexical
signals (BM25's ranking, term coverage) by the share of its words BM25 can read, and the dense
side carries the rest. Dates are first-class: years named in the question and "latest"
questions shift the ranking toward the matching statements, and per-document caps keep
multi-document questions from being crowded out by one long statement.
"""

from __future__ import annotations

import time
from collections import defaultdict
from functools import cached_property
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from core.models import Filters, Passage
from retrieval.search.cards import (
    DOCUMENT_WORDS,
    REPORT_WORDS,
    Cards,
    NamedShares,
    named_shares,
    quoted_titles,
)
from retrieval.search.compared import coordinated_statements, side_statements
from retrieval.search.korean import KoreanBridge
from retrieval.search.plan import YEARS, QueryPlan, plan_query, topic_text
from retrieval.search.recency import apply_dates, newest_first
from retrieval.store.embeddings import E5_MODEL_NAME
from retrieval.store.index import StatementIndex
from retrieval.store.lexical import lexical_share, script_profile, tokenize

LINK_LIST_WEIGHT = 0.8
RERANK_POOL = 60
RERANK_DENSE = 0.3
RERANK_LEXICAL = 0.7
RERANK_PRIOR = 0.3
TITLE_BOOST = 1.0
NAMED_DOC_MIN = 0.3
CAPS = {"comparison": 1, "list": 2}


NAMED_MEMO = 8  # texts whose shares are kept (an array per document each: keep it small)


def doc_of(chunk_id: str) -> str:
    """Document id of a chunk id (``doc:start-end:hash``)."""
    return chunk_id.rsplit(":", 2)[0]


def spelled_out(plan: QueryPlan, lexical: Any) -> list[tuple[str, ...]]:
    """The English forms of the acronyms an English question uses that no statement does but
    the glossary spells out ("OPCON": wartime operational control, OPCON)."""
    if plan.language != "en":
        return []
    out = []
    for forms in plan.alternatives:
        acronyms = [f for f in forms if f.isupper()]
        if acronyms and not any(t in lexical.df for a in acronyms for t in tokenize(a)):
            out.append(forms)
    return out


class HybridSearcher:
    """Ranks chunks for a query plan."""

    def __init__(self, index: StatementIndex) -> None:
        self.index = index
        self.embeddings = index.embeddings  # the model the store's vectors were made with
        self.settings = index.settings
        self._cards: Cards | None = None
        self._doc_chunks: tuple[Any, dict[str, list[str]]] | None = None
        # named_documents is asked of one question several times while it is answered.
        self._named: tuple[Cards, Any, dict[str, NamedShares]] | None = None

    @cached_property
    def bridge(self) -> KoreanBridge:
        """How Korean questions are read in English (the glossaries of the settings)."""
        extra = tuple(self.settings.glossary_files)
        return KoreanBridge.for_glossaries(extra, self.index.model_name == E5_MODEL_NAME)

    def _card_terms(self) -> Cards:
        docs = self.index.documents()
        if self._cards is None or self._cards.source is not docs:
            self._cards = Cards.build(docs)
        return self._cards

    def named_documents(self, text: str) -> NamedShares:
        """How much of the question's informative weight each document's card explains."""
        cards = self._card_terms()
        lexical = self.index.lexical()
        if self._named is None or self._named[0] is not cards or self._named[1] is not lexical:
            self._named = (cards, lexical, {})
        memo = self._named[2]
        found = memo.get(text)
        if found is None:  # (safe across threads: a lost entry is only computed again)
            found = named_shares(cards, lexical, text)
            if len(memo) >= NAMED_MEMO:
                memo.clear()
            memo[text] = found
        return found

    def names_its_own(self, plan: QueryPlan) -> bool:
        """Whether a follow-up names a statement of its own ("And what did the readout of the
        first NCG meeting say?"; not "and Kim Jong Un?", a person several statements name)."""
        if not plan.follow_up or plan.points_back:
            return False
        named = list(self.named_documents(plan.question).at_least(NAMED_DOC_MIN))
        if not named:
            return False
        # "And at Lima?": no word for a statement, but every word asked is its name (not only
        # a person's: "and Kim Jong Un?" asks about him, wherever he is named).
        words = set(tokenize(topic_text(plan.question), compounds=False))
        place = bool(words - self.principal_words()) and words <= self.card_words(named)
        return bool(DOCUMENT_WORDS.search(plan.question)) or place

    def named_in(self, plan: QueryPlan) -> NamedShares:
        """The statements a question names: a follow-up that names one of its own asks that one,
        not the one asked of before; one that names none asks what the conversation did."""
        text = plan.question if self.names_its_own(plan) else plan.search_text
        return self.named_documents(text)

    def titled_documents(self, text: str) -> list[str]:
        """The documents whose distinctive title the text quotes whole."""
        return quoted_titles(self._card_terms(), text)

    def card_words(self, doc_ids: list[str]) -> set[str]:
        """Stemmed card terms of these documents."""
        cards = self._card_terms().cards
        return set().union(*(cards.get(d, set()) for d in doc_ids)) if doc_ids else set()

    def discriminating(self, plan: QueryPlan, text: str) -> str:
        """The text without the names of what a comparison compares: the statements it names
        and their principals ("the 2022 and 2023 Biden-Yoon statements ...", "Ri Son Gwon in
        2020 vs Choe Son Hui in 2025": what they said is the topic)."""
        if not plan.side_by_side:
            return text
        named = self.named_in(plan).at_least(NAMED_DOC_MIN)
        names = self.principal_words() | self.card_words([*named, *self.compared(plan)])
        kept = [w for w in text.split() if not set(tokenize(w, compounds=False)) <= names]
        return " ".join(kept) or text

    def compared(self, plan: QueryPlan) -> list[str]:
        """The statements a comparison names side by side (of the years it names), if two or
        more are named clearly (``side_statements``), or the two it joins by "and"."""
        if plan.joined:
            return list(plan.joined)
        named = self.named_sides(plan, plan.years)
        return named if len(named) >= 2 else []

    def named_sides(self, plan: QueryPlan, years: tuple[int, ...] | None = None) -> list[str]:
        """The statements a comparison's sides name clearly, however few: of ``years``, or
        (None) of the year each side names, if it names one."""
        if plan.intent != "comparison":
            return []
        docs = self.index.documents()

        def eligible(side: str, doc_id: str) -> bool:
            of = set(years) if years is not None else set(map(int, YEARS.findall(side)))
            meta = docs[doc_id].meta
            # A report whose title repeats a statement's name ("… in joint fact sheet") is a
            # side only when the side asks for a report ("the news analysis").
            report = not meta.secondary or REPORT_WORDS.search(side) is not None
            return report and (not of or meta.date.year in of)

        return side_statements(
            plan.question, lambda text: self.named_documents(text).at_least(0.0), eligible
        )

    def coordinated(self, plan: QueryPlan) -> list[str]:
        """The two statements a question joins by "and" (``coordinated_statements``)."""
        return coordinated_statements(
            plan.question,
            lambda text: self.named_documents(text).at_least(0.0),
            self.titled_documents,
        )

    def principal_words(self) -> frozenset[str]:
        """The words of the people statements are named by (their principals)."""
        return self._card_terms().principals

    def all_card_words(self) -> frozenset[str]:
        """Stemmed card terms of every document."""
        return self._card_terms().vocabulary

    def _chunks_of(self, lexical: Any, doc_ids: set[str]) -> set[str]:
        """Chunk ids of these documents in the BM25 index (a map built once per index)."""
        if self._doc_chunks is None or self._doc_chunks[0] is not lexical:
            by_doc: dict[str, list[str]] = defaultdict(list)
            for cid in lexical.ids:
                by_doc[doc_of(cid)].append(cid)
            self._doc_chunks = (lexical, dict(by_doc))
        table = self._doc_chunks[1]
        return {cid for d in doc_ids for cid in table.get(d, ())}

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
        # "the Biden-Moon statement vs the Trump-Lee fact sheet": those two only.
        compared = self.compared(plan)
        if compared:
            allowed_docs = [d for d in compared if allowed_docs is None or d in allowed_docs]
        elif plan.only_years:  # the years compared, and a statement a side names by name
            docs = self.index.documents()
            pool = list(docs) if allowed_docs is None else allowed_docs
            sided = self.named_sides(plan)  # "from the April 2023 statement to the Lima statement"
            narrowed = [d for d in pool if docs[d].meta.date.year in plan.only_years or d in sided]
            allowed_docs = narrowed or allowed_docs  # no statement of those years: keep all
        if allowed_docs is not None and not allowed_docs:
            return []
        n = self.settings.candidate_k
        lexical = self.index.lexical()
        allowed_set = None if allowed_docs is None else set(allowed_docs)
        allowed_chunks = None if allowed_set is None else self._chunks_of(lexical, allowed_set)
        queries = [plan.search_text] + ([plan.question] if plan.follow_up else [])
        # The asks, as words to match (a Korean question's, read in English).
        queries += [self.bridge.read(p).rstrip("?.") for p in plan.parts]
        # An acronym no statement uses, by the long forms the glossary gives it (OPCON).
        spelled = [f for g in spelled_out(plan, lexical) for f in g]
        queries[0] = " ".join([queries[0], *spelled])
        runs = [(q, 1.0, lexical_share(q)) for q in queries]  # 1.0 and 1.0 in English
        if plan.language == "ko":
            # The Korean as asked, for Korean statements: its syllable pairs in BM25, and its
            # vector where the model reads Korean.
            runs.append((plan.asked, 1.0 if self.bridge.keep_korean else 0.0, 1.0))
        fused: dict[str, float] = defaultdict(float)
        ranks: dict[str, dict[str, int]] = defaultdict(dict)
        t_embed = t_dense = t_bm25 = 0.0
        main_vector: list[float] | None = None
        for query, w_dense, w_bm25 in runs:
            expanded = lexical.expand(query)
            t0 = time.perf_counter()
            vector = self.embeddings.embed_query(query) if w_dense else None
            main_vector = main_vector if main_vector is not None else vector
            t1 = time.perf_counter()
            dense = self.index.query_chunks(vector, n, allowed_docs) if vector is not None else []
            t2 = time.perf_counter()
            bm25 = lexical.search(
                self.discriminating(plan, topic_text(expanded)), n, allowed_chunks
            )
            t3 = time.perf_counter()
            t_embed, t_dense, t_bm25 = t_embed + t1 - t0, t_dense + t2 - t1, t_bm25 + t3 - t2
            weights = {"dense": w_dense, "bm25": w_bm25}
            for name, ranking in (("dense", dense), ("bm25", bm25)):
                for rank, (cid, _score) in enumerate(ranking):
                    fused[cid] += weights[name] / (self.settings.rrf_k + rank + 1)
                    ranks[cid].setdefault(name, rank + 1)
        timings.update(embed_s=t_embed, dense_s=t_dense, bm25_s=t_bm25)
        if not fused:
            return []
        # Only the best-fused candidates are fetched and ranked further: fetching a chunk costs
        # the store a lookup per id, and candidates below the pool never reach the top k.
        pool = sorted(fused, key=lambda c: -fused[c])[:RERANK_POOL]
        chunks = self.index.chunks(pool)
        fused = defaultdict(float, {c: fused[c] for c in pool if c in chunks})
        coverage = self._rerank(plan, fused, chunks, main_vector)
        named = self.named_in(plan)
        for cid in fused:
            fused[cid] *= 1 + TITLE_BOOST * named.get(chunks[cid].doc_id, 0.0)
            if chunks[cid].meta.secondary:
                fused[cid] *= self.settings.secondary_source_weight
            if "http://" in chunks[cid].text or "https://" in chunks[cid].text:
                fused[cid] *= LINK_LIST_WEIGHT  # reference lists and link notes, not statement text
        apply_dates(plan, fused, chunks)

        ordered = sorted(fused, key=lambda c: -fused[c])
        if plan.intent == "latest":
            ordered = newest_first(ordered, fused, chunks, coverage)
        cap = min(self.settings.max_per_document, CAPS.get(plan.intent, 99))
        picked: list[str] = []
        top_doc = chunks[ordered[0]].doc_id if ordered else ""
        per_doc: dict[str, int] = defaultdict(int)
        overflow: list[str] = []
        for cid in ordered:
            doc = chunks[cid].doc_id
            # For a single-document lookup, neither a document the question names nor the best
            # matching one is capped: all its relevant passages may be needed.
            uncapped = plan.intent == "lookup" and (
                named.get(doc, 0.0) >= NAMED_DOC_MIN or doc == top_doc
            )
            if uncapped or per_doc[doc] < cap:
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
                dense_rank=ranks[cid].get("dense"),
                lexical_rank=ranks[cid].get("bm25"),
            )
            for i, cid in enumerate(picked)
        ]

    def _rerank(
        self, plan: QueryPlan, fused: dict[str, float], chunks: dict[str, Any], vector: Any
    ) -> dict[str, float]:
        """Rescore the fused pool by its best sentence and its coverage of the topic's terms.

        Returns each pooled chunk's coverage of the topic terms (idf-weighted share). The
        sentence similarity is put on the common scale of the embedding model (``relevance``, for
        the scripts of the question and of the chunk). Coverage counts only as far as BM25's
        tokens can read both the question and the chunk (their Latin-script shares: 1.0 in
        English); the rest of its weight goes to the similarity. So does the fused prior's, by
        the question's share: without BM25 the prior is only the ranking by chunk vectors (means
        of sentences), which the best sentence measures more sharply.
        """
        lexical = self.index.lexical()
        script, q_share = script_profile(plan.search_text)
        w_prior = RERANK_PRIOR * q_share
        relevance = self.embeddings.relevance
        pool = sorted(fused, key=lambda c: -fused[c])[:RERANK_POOL]
        qvec = np.asarray(vector, dtype=np.float32)
        terms = set(tokenize(self.discriminating(plan, plan.search_topic), compounds=False))
        weight = lexical.weight(terms) or 1.0
        sentences = self.index.sentence_vectors(pool)
        top = max(fused[c] for c in pool)
        covered: dict[str, float] = {}
        for cid in list(fused):
            if cid not in sentences:
                fused[cid] = 0.0 if cid not in pool else w_prior * fused[cid] / top
                continue
            best = max(float(vec @ qvec) for _s, _e, vec in sentences[cid])
            chunk = chunks[cid]
            have = lexical.with_synonyms(set(tokenize(chunk.context_header() + " " + chunk.text)))
            coverage = lexical.weight(terms & have) / weight
            covered[cid] = coverage
            chunk_script, chunk_share = script_profile(chunk.text)
            share = q_share * chunk_share
            w_dense = RERANK_DENSE + RERANK_LEXICAL * (1.0 - share)
            fused[cid] = (
                w_dense * relevance(best, script, chunk_script)
                + RERANK_LEXICAL * share * coverage
                + w_prior * fused[cid] / top
            )
        return covered


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
        passages = self.searcher.search(
            plan_query(query, bridge=self.searcher.bridge), self.filters, k=k
        )
        return [
            Document(
                page_content=p.chunk.text,
                metadata={**p.chunk.to_metadata(), "rank": p.rank, "score": p.score},
                id=p.chunk.chunk_id,
            )
            for p in passages
        ]
