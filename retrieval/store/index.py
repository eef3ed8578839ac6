"""The store of one collection: chunks, record manager and catalog in Chroma, BM25 beside it.

Chroma is either embedded (a folder; one process at a time: two processes on one
``PersistentClient`` folder corrupt it silently, so a lock is taken before the client opens) or
a Chroma server (``BRIEF_CHROMA_URL``) shared by several processes and machines. Everything that
processes must agree on lives in Chroma; the BM25 index is a local cache rebuilt from it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.indexing import index as lc_index

from core.models import Chunk, SourceDocument
from core.settings import Settings
from retrieval.store.chroma import SentenceVectors, StatementStore, context_header
from retrieval.store.connection import (
    LAYOUT,
    acquire_lock,
    check_compatible,
    chroma_client,
    release_lock,
)
from retrieval.store.embeddings import SentenceEmbeddings, load_embeddings
from retrieval.store.lexical import LexicalIndex, ids_signature
from retrieval.store.records import Catalog, CatalogEntry, ChromaRecordManager

REFRESH_EVERY_S = 1.0  # how often a long-lived process checks whether others wrote the store
__all__ = ["CatalogEntry", "StatementIndex", "connect", "open_index"]


def indexed_text(chunk: Chunk) -> str:
    """What BM25 indexes of a chunk: its context header (title, date, section) and its text."""
    return f"{context_header(chunk.to_metadata())}\n{chunk.text}"


def _chunk_key(doc: Document) -> str:
    return str(doc.metadata["chunk_id"])


class StatementIndex:
    """The open store: vectors, records, catalog and BM25 for one collection."""

    def __init__(
        self, settings: Settings, embeddings: SentenceEmbeddings, *, rebuild: bool = False
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.collection = settings.collection
        self.server_mode = bool(settings.chroma_url)
        model, dimension = embeddings.model_name, embeddings.dimension
        self.model_name, self.dimension = model, dimension
        if not self.server_mode:
            acquire_lock(settings.data_dir)
        try:
            self.client = chroma_client(settings)
            names = {
                "chunks": settings.collection,
                "records": f"{settings.collection}-records",
                "catalog": f"{settings.collection}-catalog",
            }
            existing = {str(getattr(c, "name", c)) for c in self.client.list_collections()}
            if rebuild:
                for name in names.values():
                    if name in existing:
                        self.client.delete_collection(name)
                shutil.rmtree(self._bm25_dir, ignore_errors=True)
                existing = set()
            if settings.collection in existing:
                chunks = self.client.get_collection(settings.collection, embedding_function=None)
                if chunks.count() == 0 and names["records"] not in existing:
                    self.client.delete_collection(settings.collection)  # empty: just renew it
                else:
                    check_compatible(chunks, settings, model, dimension)
            self.store = StatementStore(
                client=self.client,
                collection_name=settings.collection,
                embeddings=embeddings,
                collection_metadata={
                    "hnsw:space": "cosine",
                    "embedding_model": model,
                    "dimension": dimension,
                    "layout": LAYOUT,
                },
            )
            self.record_manager = ChromaRecordManager(
                self.client, f"chroma/{settings.collection}", names["records"]
            )
            self.record_manager.create_schema()
            self.catalog = Catalog(self.client, names["catalog"])
        except BaseException:
            if not self.server_mode:
                release_lock(settings.data_dir)
            raise
        self._lexical: LexicalIndex | None = None
        self._chunk_cache: dict[str, Chunk] = {}
        self._documents: dict[str, CatalogEntry] | None = None
        self._generation = self.catalog.generation()
        self._checked_at = time.monotonic()
        self._closed = False

    @property
    def _bm25_dir(self) -> Path:
        return self.settings.data_dir / "bm25" / self.collection

    @property
    def location(self) -> str:
        """Where the store is, for messages."""
        if self.server_mode:
            return f"{self.settings.chroma_url} (collection {self.collection})"
        return f"{self.settings.data_dir} (collection {self.collection})"

    def refresh(self, *, force: bool = False) -> bool:
        """Drop derived state if another process wrote the store; True when it did."""
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_EVERY_S:
            return False
        self._checked_at = now
        generation = self.catalog.generation()
        if generation == self._generation:
            return False
        self._generation = generation
        self.invalidate()
        return True

    # ------------------------------------------------------------------ reading
    def documents(self) -> dict[str, CatalogEntry]:
        """Indexed documents by id (read once, kept until the store changes)."""
        self.refresh()
        if self._documents is None:
            self._documents = {e.doc_id: e for e in self.catalog.entries()}
        return self._documents

    def record_document(
        self, doc: SourceDocument, chunks: int, fingerprint: str, aliases: Sequence[str] = ()
    ) -> None:
        """Enter a document in the catalog after its chunks are stored."""
        self.catalog.upsert(doc, chunks, fingerprint, aliases)
        self._documents = None

    def add_alias(self, doc_id: str, alias: str) -> None:
        """Record that ``alias`` names the same text as the stored ``doc_id``."""
        entry = self.documents()[doc_id]
        self.catalog.set_aliases(doc_id, [*entry.aliases, alias])
        self._documents = None

    def drop_alias(self, alias: str) -> None:
        """Forget ``alias`` as another name of a stored document (its text changed)."""
        for entry in self.documents().values():
            if alias in entry.aliases:
                self.catalog.set_aliases(entry.doc_id, [a for a in entry.aliases if a != alias])
                self._documents = None

    def find_text(self, digest: str) -> CatalogEntry | None:
        """The stored document whose text has this hash (see ``records.text_hash``)."""
        for entry in self.documents().values():
            if entry.text_hash == digest:
                return entry
        return None

    def count(self) -> int:
        """Number of stored chunks."""
        return int(self.store.collection.count())

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id (cached; the store is the source of truth)."""
        missing = [i for i in ids if i not in self._chunk_cache]
        if missing:
            got = self.store.collection.get(ids=missing, include=["documents", "metadatas"])
            for cid, text, md in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                self._chunk_cache[cid] = Chunk.from_metadata(text, dict(md))
                self.store.remember(cid, md)
        return {i: self._chunk_cache[i] for i in ids if i in self._chunk_cache}

    def chunk_ids(self) -> list[str]:
        """Every stored chunk id."""
        ids: list[str] = []
        page = 10_000
        while True:
            got = self.store.collection.get(include=[], limit=page, offset=len(ids))
            ids.extend(got["ids"])
            if len(got["ids"]) < page:
                return ids

    def all_chunks(self) -> list[Chunk]:
        """Every stored chunk (for BM25 and evaluation baselines)."""
        out: list[Chunk] = []
        page = 5_000
        while True:
            got = self.store.collection.get(
                include=["documents", "metadatas"], limit=page, offset=len(out)
            )
            for cid, text, md in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                chunk = Chunk.from_metadata(text, dict(md))
                self._chunk_cache[cid] = chunk
                out.append(chunk)
            if len(got["ids"]) < page:
                return out

    def query_chunks(
        self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks to a query vector as (chunk id, cosine similarity), best first."""
        return self.store.query_chunks(vector, k, doc_ids)

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> SentenceVectors:
        """Each chunk's sentences as (start, end, vector), for the chunks that have them."""
        return self.store.sentence_vectors(chunk_ids)

    def lexical(self) -> LexicalIndex:
        """The BM25 index, loaded from disk or rebuilt when it disagrees with the store."""
        self.refresh()
        if self._lexical is not None:
            return self._lexical
        signature = ids_signature(self.chunk_ids())
        index = LexicalIndex.load(self._bm25_dir)
        if index is None or index.signature != signature:
            chunks = self.all_chunks()
            index = LexicalIndex.build(
                [c.chunk_id for c in chunks],
                [indexed_text(c) for c in chunks],
            )
            index.save(self._bm25_dir)
        self._lexical = index
        return index

    def invalidate(self) -> None:
        """Forget derived state after a write."""
        self._lexical = None
        self._documents = None
        self._chunk_cache.clear()

    # ------------------------------------------------------------------ writing
    def write_chunks(self, chunks: Sequence[Chunk]) -> dict[str, int]:
        """Store documents' chunks, replacing their earlier versions' (unchanged ones kept).

        Returns LangChain's indexing counts: num_added, num_updated, num_skipped, num_deleted.
        """
        docs = [Document(page_content=c.text, metadata=c.to_metadata()) for c in chunks]
        stats = lc_index(
            docs,
            self.record_manager,
            self.store,
            # One pass: every chunk is written (and embedded in one call) before any document's
            # stale chunks are deleted, so a failure midway loses nothing stored before.
            batch_size=max(1, len(docs)),
            cleanup="incremental",
            source_id_key="doc_id",
            key_encoder=_chunk_key,
        )
        return {
            "num_added": stats["num_added"],
            "num_updated": stats["num_updated"],
            "num_skipped": stats["num_skipped"],
            "num_deleted": stats["num_deleted"],
        }

    def write_documents(
        self, batch: Sequence[tuple[SourceDocument, Sequence[Chunk], str]]
    ) -> list[dict[str, int]]:
        """Store several documents' chunks at once, then enter them in the catalog.

        ``batch`` holds ``(document, its chunks, fingerprint)`` rows. The chunks of all the
        documents are embedded and written in one indexing pass (each document's earlier chunks
        that are gone are deleted after the new ones are written); the catalog is written last,
        so a failure before it leaves every document to be ingested again. Returns each
        document's counts, as ``write_chunks`` does.
        """
        if not batch:
            return []
        before = self.record_manager.keys_by_group([doc.doc_id for doc, _, _ in batch])
        chunks = [c for _, doc_chunks, _ in batch for c in doc_chunks]
        self.write_chunks(chunks)
        stats = []
        for doc, doc_chunks, _ in batch:
            new, old = {c.chunk_id for c in doc_chunks}, before.get(doc.doc_id, set())
            stats.append(
                {
                    "num_added": len(new - old),
                    "num_updated": 0,
                    "num_skipped": len(new & old),
                    # Without chunks, a document is not in the indexing pass: nothing deleted.
                    "num_deleted": len(old - new) if new else 0,
                }
            )
        self.catalog.upsert_many([(doc, len(cs), fingerprint) for doc, cs, fingerprint in batch])
        self._documents = None
        return stats

    def delete_document(self, doc_id: str) -> int:
        """Remove a document's chunks, records and catalog entry; returns chunks removed.

        An alias (another name of a stored text) is removed from its document's entry.
        """
        keys = self.record_manager.list_keys(group_ids=[doc_id])
        if keys:
            self.store.delete(keys)
            self.record_manager.delete_keys(keys)
        if doc_id in self.documents():
            self.catalog.remove(doc_id)
        else:
            for entry in self.documents().values():
                if doc_id in entry.aliases:
                    self.catalog.set_aliases(
                        entry.doc_id, [a for a in entry.aliases if a != doc_id]
                    )
        self.invalidate()
        return len(keys)

    def close(self) -> None:
        """Release the store (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if not self.server_mode:
            release_lock(self.settings.data_dir)

    def __enter__(self) -> StatementIndex:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(
    settings: Settings, embeddings: SentenceEmbeddings | None = None, *, rebuild: bool = False
) -> StatementIndex:
    """Open the store for a long-lived process (close it with ``close()``).

    Without ``embeddings``, the model ``settings.embedding_model`` names is used.
    """
    return StatementIndex(settings, embeddings or load_embeddings(settings), rebuild=rebuild)


@contextmanager
def open_index(
    settings: Settings, embeddings: SentenceEmbeddings | None = None, *, rebuild: bool = False
) -> Iterator[StatementIndex]:
    """Open the store for the duration of a ``with`` block."""
    index = connect(settings, embeddings, rebuild=rebuild)
    try:
        yield index
    finally:
        index.close()
