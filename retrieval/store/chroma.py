"""The Chroma store of chunks, written through LangChain's ``Chroma``.

Each chunk is stored with the exact document text. What is embedded is the chunk's sentences
plus its context header (title, date, section); the chunk's vector is the normalised mean of
those. The sentence spans and vectors (float16) travel in the chunk's own metadata, so they are
written, replaced and deleted atomically with the chunk, and the extractive answerer scores
sentences without embedding anything at question time.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from langchain_chroma import Chroma

from retrieval.sentences import sentence_reading, split_sentences
from retrieval.store.embeddings import SentenceEmbeddings

SPANS_KEY = "sentence_spans"
VECTORS_KEY = "sentence_vectors"

SentenceVectors = dict[str, list[tuple[int, int, np.ndarray]]]
SENTENCE_CACHE = 4096  # chunks whose encoded sentence vectors are kept in memory
WIDE_FILTER_DOCS = 500  # above this many documents, filter after a wider search (see query_chunks)
WIDEN_STEPS = (8, 32)  # how much wider, in turn, before handing the filter to Chroma


def context_header(md: dict[str, Any] | None) -> str:
    """Title, date and section of a chunk's metadata, as one line."""
    if not md:
        return ""
    parts = [str(md.get("title", "")), str(md.get("date", "")), str(md.get("section", ""))]
    return " | ".join(p for p in parts if p)


def encode_vectors(vectors: np.ndarray) -> str:
    """Sentence vectors as a compact metadata string (float16, base64)."""
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def decode_vectors(text: str, dimension: int) -> np.ndarray:
    """Inverse of ``encode_vectors``: a (n, dimension) float32 array."""
    raw = np.frombuffer(base64.b64decode(text), dtype=np.float16)
    return raw.reshape(-1, dimension).astype(np.float32)


class StatementStore(Chroma):
    """``Chroma`` whose chunk vectors come from sentence vectors kept beside them."""

    def __init__(
        self,
        *,
        client: Any,
        collection_name: str,
        embeddings: SentenceEmbeddings,
        collection_metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            collection_name=collection_name,
            embedding_function=embeddings,
            client=client,
            collection_metadata=collection_metadata,
        )
        self.embedder = embeddings
        self._sentences: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._max_batch = int(getattr(client, "get_max_batch_size", lambda: 5000)())

    @property
    def collection(self) -> Any:
        """The Chroma collection of the chunks (for reads the store itself does not wrap)."""
        return self._collection

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Embed each text's sentences and header; store the chunk with its sentence vectors."""
        texts = list(texts)
        if not texts:
            return []
        metadatas = [dict(md) for md in metadatas] if metadatas else [{} for _ in texts]
        ids = list(ids) if ids is not None else [str(uuid.uuid4()) for _ in texts]
        headers = [context_header(md) for md in metadatas]
        unique_headers = sorted({h for h in headers if h})
        spans = [split_sentences(t) for t in texts]
        sentence_texts = [
            sentence_reading(t, span.start, span.end)
            for t, group in zip(texts, spans, strict=True)
            for span in group
        ]
        vectors = self.embedder.embed_array(sentence_texts + unique_headers)
        header_vec = dict(zip(unique_headers, vectors[len(sentence_texts) :], strict=True))
        chunk_vecs: list[list[float]] = []
        cursor = 0
        for text, md, header, group in zip(texts, metadatas, headers, spans, strict=True):
            own = vectors[cursor : cursor + len(group)]
            cursor += len(group)
            parts = list(own) + ([header_vec[header]] if header else [])
            if not parts:  # no sentence at all (whitespace): embed the text as it is
                parts = [self.embedder.embed_array([text or " "])[0]]
            mean = np.mean(parts, axis=0)
            chunk_vecs.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).tolist())
            base = int(md.get("start", 0))
            md[SPANS_KEY] = json.dumps([[base + sp.start, base + sp.end] for sp in group])
            md[VECTORS_KEY] = encode_vectors(own) if len(group) else ""
        for lo in range(0, len(texts), self._max_batch):
            hi = lo + self._max_batch
            self._collection.upsert(
                ids=ids[lo:hi],
                embeddings=chunk_vecs[lo:hi],  # type: ignore[arg-type]
                metadatas=metadatas[lo:hi],  # type: ignore[arg-type]
                documents=texts[lo:hi],
            )
        return ids

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> None:
        """Delete chunks (their sentence vectors go with them)."""
        if not ids:
            return
        for lo in range(0, len(ids), self._max_batch):
            self._collection.delete(ids=ids[lo : lo + self._max_batch])

    def remember(self, chunk_id: str, md: Mapping[str, Any]) -> None:
        """Keep a fetched chunk's encoded sentence vectors (ids are content hashes: never stale)."""
        self._sentences[chunk_id] = (str(md.get(SPANS_KEY) or "[]"), str(md.get(VECTORS_KEY) or ""))
        self._sentences.move_to_end(chunk_id)
        while len(self._sentences) > SENTENCE_CACHE:
            self._sentences.popitem(last=False)

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> SentenceVectors:
        """For each chunk id: its sentences as (start, end, vector), in document order."""
        if not chunk_ids:
            return {}
        missing = [c for c in chunk_ids if c not in self._sentences]
        if missing:
            got = self._collection.get(ids=missing, include=["metadatas"])
            for cid, md in zip(got["ids"], got.get("metadatas") or [], strict=True):
                self.remember(cid, md)
        out: SentenceVectors = {}
        for cid in chunk_ids:
            spans_json, encoded = self._sentences.get(cid, ("[]", ""))
            spans = json.loads(spans_json)
            if not spans or not encoded:
                continue
            vecs = decode_vectors(encoded, self.embedder.dimension)
            out[cid] = [(int(a), int(b), v) for (a, b), v in zip(spans, vecs, strict=True)]
        return out

    def query_chunks(
        self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity), best first."""
        if k <= 0 or (doc_ids is not None and not doc_ids):
            return []
        if doc_ids is not None and len(doc_ids) > WIDE_FILTER_DOCS:
            # A `$in` over thousands of ids makes Chroma's filtered search slow (0.5-1 s at 1M
            # chunks); a wider search without the filter, then the filter here, is exact and
            # usually enough. Only when it is not is the filter given to Chroma.
            allowed = set(doc_ids)
            for widen in WIDEN_STEPS:
                found = self._nearest(vector, k * widen, None)
                kept = [(cid, sim) for cid, sim in found if cid.rsplit(":", 2)[0] in allowed]
                if len(kept) >= k or len(found) < k * widen:
                    return kept[:k]
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids is not None else None
        return self._nearest(vector, k, where)

    def _nearest(
        self, vector: Sequence[float], n: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]:
        res = self._collection.query(
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=n,
            where=where,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=True)]
