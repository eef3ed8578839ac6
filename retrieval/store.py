"""The Chroma store of chunks and their sentences, written through LangChain's ``Chroma``.

Each chunk is stored with the exact document text; what is embedded is the chunk's sentences
(each prefixed with nothing) plus its context header. The chunk's vector is the normalised
mean of those, and every sentence vector is kept in a sibling collection, so the extractive
answerer scores sentences without embedding anything at question time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from langchain_chroma import Chroma

from retrieval.embeddings import OnnxMiniLMEmbeddings
from retrieval.sentences import split_sentences

SENTENCE_SUFFIX = "__sentences"
META_KEYS_FOR_SENTENCES = ("doc_id", "date_int", "issuer", "kind")


def context_header(md: dict[str, Any] | None) -> str:
    """Title, date and section of a chunk's metadata, as one line."""
    if not md:
        return ""
    parts = [str(md.get("title", "")), str(md.get("date", "")), str(md.get("section", ""))]
    return " | ".join(p for p in parts if p)


class StatementStore(Chroma):
    """``Chroma`` whose chunk vectors come from sentence vectors kept beside them."""

    def __init__(
        self,
        *,
        client: Any,
        collection_name: str,
        embeddings: OnnxMiniLMEmbeddings,
        collection_metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            collection_name=collection_name,
            embedding_function=embeddings,
            client=client,
            collection_metadata=collection_metadata,
        )
        self.embedder = embeddings
        self.sentences = client.get_or_create_collection(
            name=collection_name + SENTENCE_SUFFIX,
            embedding_function=None,
            metadata=collection_metadata,
        )
        self._max_batch = int(getattr(client, "get_max_batch_size", lambda: 5000)())

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Embed each text's sentences and header; store chunk and sentence vectors."""
        texts = list(texts)
        if not texts:
            return []
        metadatas = metadatas or [{} for _ in texts]
        if ids is None:
            import uuid

            ids = [str(uuid.uuid4()) for _ in texts]
        headers = [context_header(md) for md in metadatas]
        unique_headers = sorted({h for h in headers if h})
        spans = [split_sentences(t) or [] for t in texts]
        sentence_texts = [s.text for group in spans for s in group]
        vectors = self.embedder.embed_array(sentence_texts + unique_headers)
        header_vec = dict(zip(unique_headers, vectors[len(sentence_texts) :], strict=True))

        chunk_vecs: list[list[float]] = []
        sent_ids: list[str] = []
        sent_docs: list[str] = []
        sent_vecs: list[np.ndarray] = []
        sent_meta: list[dict[str, Any]] = []
        cursor = 0
        for text, md, cid, header, group in zip(texts, metadatas, ids, headers, spans, strict=True):
            own = vectors[cursor : cursor + len(group)]
            cursor += len(group)
            parts = list(own)
            if header:
                parts.append(header_vec[header])
            if not parts:  # text without any sentence (whitespace): embed as is
                parts = [self.embedder.embed_array([text or " "])[0]]
            mean = np.mean(parts, axis=0)
            chunk_vecs.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).tolist())
            base = int(md.get("start", 0)) if md else 0
            for i, (span, vec) in enumerate(zip(group, own, strict=True)):
                sent_ids.append(f"{cid}#{i}")
                sent_docs.append(span.text)
                sent_vecs.append(vec)
                extra = {k: md[k] for k in META_KEYS_FOR_SENTENCES if md and k in md}
                sent_meta.append(
                    {"chunk_id": cid, "start": base + span.start, "end": base + span.end, **extra}
                )
        for lo in range(0, len(texts), self._max_batch):
            hi = lo + self._max_batch
            self._collection.upsert(
                ids=ids[lo:hi],
                embeddings=chunk_vecs[lo:hi],  # type: ignore[arg-type]
                metadatas=metadatas[lo:hi],  # type: ignore[arg-type]
                documents=texts[lo:hi],
            )
        for lo in range(0, len(sent_ids), self._max_batch):
            hi = lo + self._max_batch
            self.sentences.upsert(
                ids=sent_ids[lo:hi],
                embeddings=np.asarray(sent_vecs[lo:hi], dtype=np.float32),
                metadatas=sent_meta[lo:hi],
                documents=sent_docs[lo:hi],
            )
        return ids

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> None:
        """Delete chunks and their sentences."""
        if not ids:
            return
        for lo in range(0, len(ids), self._max_batch):
            batch = ids[lo : lo + self._max_batch]
            self.sentences.delete(where={"chunk_id": {"$in": batch}})
            self._collection.delete(ids=batch)

    def sentence_vectors(
        self, chunk_ids: Sequence[str]
    ) -> dict[str, list[tuple[int, int, np.ndarray]]]:
        """For each chunk id: its sentences as (start, end, vector), in document order."""
        if not chunk_ids:
            return {}
        got = self.sentences.get(
            where={"chunk_id": {"$in": list(chunk_ids)}}, include=["metadatas", "embeddings"]
        )
        out: dict[str, list[tuple[int, int, np.ndarray]]] = {}
        metas = got.get("metadatas") or []
        vecs = got.get("embeddings")
        vecs = [] if vecs is None else vecs
        for md, vec in zip(metas, vecs, strict=True):
            out.setdefault(str(md["chunk_id"]), []).append(
                (int(md["start"]), int(md["end"]), np.asarray(vec, dtype=np.float32))
            )
        for group in out.values():
            group.sort(key=lambda item: item[0])
        return out

    def query_sentences(
        self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest sentences as (chunk id, cosine similarity), best first."""
        count = self.sentences.count()
        if not count:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids is not None else None
        if doc_ids is not None and not doc_ids:
            return []
        res = self.sentences.query(
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=min(k, count),
            where=where,
            include=["metadatas", "distances"],
        )
        metas = (res.get("metadatas") or [[]])[0]
        dists = (res.get("distances") or [[]])[0]
        return [(str(md["chunk_id"]), 1.0 - float(d)) for md, d in zip(metas, dists, strict=True)]

    def query_chunks(
        self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity), best first."""
        count = self._collection.count()
        if not count or (doc_ids is not None and not doc_ids):
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids is not None else None
        res = self._collection.query(
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=min(k, count),
            where=where,  # type: ignore[arg-type]
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=True)]
