"""Everything on disk for one collection: Chroma, record manager, catalog, BM25, and a lock.

One process at a time may open an embedded store: two processes on one ``PersistentClient``
folder corrupt it silently, so a lock is taken before the client opens.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from retrieval.embeddings import DIMENSION, MODEL_NAME, OnnxMiniLMEmbeddings
from retrieval.errors import BriefError
from retrieval.lexical import LexicalIndex, ids_signature
from retrieval.models import Chunk, DocumentMeta, SourceDocument
from retrieval.settings import Settings
from retrieval.store import StatementStore, context_header


class StoreBusyError(BriefError, RuntimeError):
    """Another process holds the embedded store."""


class StoreMismatchError(BriefError, RuntimeError):
    """The collection was built with another embedding model."""


_LOCKS: dict[str, tuple[IO[str], int]] = {}
_LOCKS_GUARD = threading.Lock()


def _acquire(data_dir: Path) -> None:
    key = str(data_dir.resolve())
    with _LOCKS_GUARD:
        if key in _LOCKS:
            fh, count = _LOCKS[key]
            _LOCKS[key] = (fh, count + 1)
            return
        data_dir.mkdir(parents=True, exist_ok=True)
        fh = (data_dir / ".lock").open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreBusyError(
                f"store busy: {data_dir} is in use by {holder}; stop it first "
                "(one process per embedded store)"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        _LOCKS[key] = (fh, 1)


def _release(data_dir: Path) -> None:
    key = str(data_dir.resolve())
    with _LOCKS_GUARD:
        if key not in _LOCKS:
            return
        fh, count = _LOCKS[key]
        if count > 1:
            _LOCKS[key] = (fh, count - 1)
            return
        del _LOCKS[key]
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


@dataclass(frozen=True)
class CatalogEntry:
    """One indexed document as the catalog records it."""

    doc_id: str
    meta: DocumentMeta
    source_path: str
    content_hash: str
    chunks: int
    ingested_at: str


class Catalog:
    """The documents in the store (SQLite beside the record manager)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            """CREATE TABLE IF NOT EXISTS documents (
                collection TEXT NOT NULL, doc_id TEXT NOT NULL, meta TEXT NOT NULL,
                source_path TEXT NOT NULL, content_hash TEXT NOT NULL, chunks INTEGER NOT NULL,
                ingested_at TEXT NOT NULL, PRIMARY KEY (collection, doc_id))"""
        )
        self._db.commit()

    def upsert(
        self, collection: str, doc: SourceDocument, chunks: int, fingerprint: str = ""
    ) -> None:
        """Record a document after its chunks are stored.

        ``fingerprint`` identifies what was stored (content plus chunking settings); it
        defaults to the document's content hash.
        """
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    collection,
                    doc.doc_id,
                    doc.meta.model_dump_json(),
                    doc.source_path,
                    fingerprint or doc.content_hash,
                    chunks,
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                ),
            )
            self._db.commit()

    def remove(self, collection: str, doc_id: str) -> None:
        """Forget a document."""
        with self._lock:
            self._db.execute(
                "DELETE FROM documents WHERE collection = ? AND doc_id = ?", (collection, doc_id)
            )
            self._db.commit()

    def entries(self, collection: str) -> list[CatalogEntry]:
        """All documents, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id, meta, source_path, content_hash, chunks, ingested_at "
                "FROM documents WHERE collection = ?",
                (collection,),
            ).fetchall()
        entries = [
            CatalogEntry(r[0], DocumentMeta.model_validate_json(r[1]), r[2], r[3], r[4], r[5])
            for r in rows
        ]
        return sorted(entries, key=lambda e: (e.meta.date, e.doc_id))

    def close(self) -> None:
        """Close the database."""
        self._db.close()


class StatementIndex:
    """The open store: vectors, records, catalog and BM25 for one collection."""

    def __init__(self, settings: Settings, embeddings: OnnxMiniLMEmbeddings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_classic.indexes import SQLRecordManager

        self.settings = settings
        self.embeddings = embeddings
        self.collection = settings.collection
        _acquire(settings.data_dir)
        try:
            self.client = chromadb.PersistentClient(
                path=str(settings.chroma_dir),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
            self.store = StatementStore(
                client=self.client,
                collection_name=settings.collection,
                embeddings=embeddings,
                collection_metadata={
                    "hnsw:space": "cosine",
                    "embedding_model": MODEL_NAME,
                    "dimension": DIMENSION,
                },
            )
            found = (self.store._collection.metadata or {}).get("embedding_model")
            if found and found != MODEL_NAME:
                raise StoreMismatchError(
                    f"collection {settings.collection!r} was built with {found!r}, not "
                    f"{MODEL_NAME!r}: rebuild it (`brief ingest --rebuild PATH`)"
                )
            self.record_manager = SQLRecordManager(
                namespace=f"chroma/{settings.collection}",
                db_url=f"sqlite:///{settings.record_db}",
            )
            self.record_manager.create_schema()
            self.catalog = Catalog(settings.record_db)
        except BaseException:
            _release(settings.data_dir)
            raise
        self._lexical: LexicalIndex | None = None
        self._chunk_cache: dict[str, Chunk] = {}
        self._documents: dict[str, CatalogEntry] | None = None
        self._closed = False

    # ------------------------------------------------------------------ reading
    def documents(self) -> dict[str, CatalogEntry]:
        """Indexed documents by id (read once, kept until the next write)."""
        if self._documents is None:
            self._documents = {e.doc_id: e for e in self.catalog.entries(self.collection)}
        return self._documents

    def record_document(self, doc: SourceDocument, chunks: int, fingerprint: str) -> None:
        """Enter a document in the catalog after its chunks are stored."""
        self.catalog.upsert(self.collection, doc, chunks, fingerprint)
        self._documents = None

    def count(self) -> int:
        """Number of stored chunks."""
        return int(self.store._collection.count())

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Chunks by id (cached; the store is the source of truth)."""
        missing = [i for i in ids if i not in self._chunk_cache]
        if missing:
            got = self.store._collection.get(ids=missing, include=["documents", "metadatas"])
            for cid, text, md in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
            ):
                self._chunk_cache[cid] = Chunk.from_metadata(text, dict(md))
        return {i: self._chunk_cache[i] for i in ids if i in self._chunk_cache}

    def all_chunks(self) -> list[Chunk]:
        """Every stored chunk (for BM25 and evaluation baselines)."""
        got = self.store._collection.get(include=["documents", "metadatas"])
        out = []
        for cid, text, md in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
        ):
            chunk = Chunk.from_metadata(text, dict(md))
            self._chunk_cache[cid] = chunk
            out.append(chunk)
        return out

    def lexical(self) -> LexicalIndex:
        """The BM25 index, loaded from disk or rebuilt when it disagrees with the store."""
        if self._lexical is not None:
            return self._lexical
        folder = self.settings.data_dir / "bm25" / self.collection
        ids = self.store._collection.get(include=[])["ids"]
        signature = ids_signature(ids)
        index = LexicalIndex.load(folder)
        if index is None or index.signature != signature:
            chunks = self.all_chunks()
            index = LexicalIndex.build(
                [c.chunk_id for c in chunks],
                [f"{context_header(c.to_metadata())}\n{c.text}" for c in chunks],
            )
            index.save(folder)
        self._lexical = index
        return index

    def invalidate(self) -> None:
        """Forget derived state after a write."""
        self._lexical = None
        self._documents = None
        self._chunk_cache.clear()

    # ------------------------------------------------------------------ writing
    def delete_document(self, doc_id: str) -> int:
        """Remove a document's chunks, records and catalog entry; returns chunks removed."""
        keys = self.record_manager.list_keys(group_ids=[doc_id])
        if keys:
            self.store.delete(keys)
            self.record_manager.delete_keys(keys)
        self.catalog.remove(self.collection, doc_id)
        self.invalidate()
        return len(keys)

    def close(self) -> None:
        """Release the store (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.catalog.close()
        _release(self.settings.data_dir)

    def __enter__(self) -> StatementIndex:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(settings: Settings, embeddings: OnnxMiniLMEmbeddings | None = None) -> StatementIndex:
    """Open the store for a long-lived process (close it with ``close()``)."""
    return StatementIndex(
        settings,
        embeddings
        or OnnxMiniLMEmbeddings(
            batch_size=settings.embedding_batch_size, threads=settings.embedding_threads
        ),
    )


@contextmanager
def open_index(
    settings: Settings, embeddings: OnnxMiniLMEmbeddings | None = None
) -> Iterator[StatementIndex]:
    """Open the store for the duration of a ``with`` block."""
    index = connect(settings, embeddings)
    try:
        yield index
    finally:
        index.close()
