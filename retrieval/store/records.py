"""Ingest bookkeeping kept in Chroma itself: LangChain's record manager and the document catalog.

Both live in small collections beside the chunks (``NAME-records``, ``NAME-catalog``), so an
embedded store is one folder and a Chroma server holds everything that several app replicas
and ingest jobs share. Their vectors are a dummy ``[0.0]``: Chroma is used as a key-value store
with metadata filters. Times come from the Chroma server's clock (``heartbeat``), so writers on
several machines agree on what "before this run" means.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.indexing import RecordManager

from core.models import DocumentMeta, SourceDocument

_DUMMY = [0.0]
_PAGE = 5000  # ids per Chroma call (below every client's max batch size)
_GROUPS_PER_CALL = 500  # values of one `$in` filter


def text_hash(text: str) -> str:
    """Hash of a document's words (whitespace folded): equal for the same text under two names."""
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().encode()).hexdigest()


def _where_all(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _server_time(client: Any) -> float:
    return float(client.heartbeat()) / 1e9


def get_all(
    collection: Any, where: dict[str, Any] | None = None, include: Sequence[str] = ("metadatas",)
) -> list[tuple[str, dict[str, Any]]]:
    """Every (id, metadata) a ``get`` matches, fetched in pages: one get of a few hundred
    thousand rows is "too many SQL variables" for Chroma."""
    rows: list[tuple[str, dict[str, Any]]] = []
    while True:
        got = collection.get(where=where, include=list(include), limit=_PAGE, offset=len(rows))
        metadatas = got.get("metadatas") or [{}] * len(got["ids"])
        rows += zip(got["ids"], metadatas, strict=True)
        if len(got["ids"]) < _PAGE:
            return rows


class ChromaRecordManager(RecordManager):
    """A LangChain ``RecordManager`` whose records are a Chroma collection."""

    def __init__(self, client: Any, namespace: str, collection_name: str) -> None:
        super().__init__(namespace=namespace)
        self._client = client
        self._collection_name = collection_name
        self._col: Any = None

    @property
    def collection(self) -> Any:
        """The records collection (created on first use)."""
        if self._col is None:
            self.create_schema()
        return self._col

    def create_schema(self) -> None:
        """Create the records collection if it is missing."""
        self._col = self._client.get_or_create_collection(
            self._collection_name, embedding_function=None, metadata={"role": "records"}
        )

    def get_time(self) -> float:
        """Seconds since the epoch by the store's clock."""
        return _server_time(self._client)

    def update(
        self,
        keys: Sequence[str],
        *,
        group_ids: Sequence[str | None] | None = None,
        time_at_least: float | None = None,
    ) -> None:
        """Record that ``keys`` were written now (by the store's clock)."""
        if not keys:
            return
        if group_ids is None:
            group_ids = [None] * len(keys)
        if len(group_ids) != len(keys):
            raise ValueError("keys and group_ids differ in length")
        now = self.get_time()
        if time_at_least is not None and now < time_at_least:
            raise ValueError(f"the store's clock went back: {now} < {time_at_least}")
        for lo in range(0, len(keys), _PAGE):
            part = list(keys[lo : lo + _PAGE])
            self.collection.upsert(
                ids=part,
                embeddings=[_DUMMY] * len(part),
                metadatas=[
                    {"namespace": self.namespace, "group_id": g or "", "updated_at": now}
                    for g in group_ids[lo : lo + _PAGE]
                ],
            )

    def exists(self, keys: Sequence[str]) -> list[bool]:
        """Whether each key is recorded."""
        found: set[str] = set()
        for lo in range(0, len(keys), _PAGE):
            got = self.collection.get(ids=list(keys[lo : lo + _PAGE]), include=[])
            found.update(got["ids"])
        return [k in found for k in keys]

    def list_keys(
        self,
        *,
        before: float | None = None,
        after: float | None = None,
        group_ids: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[str]:
        """Keys updated in a time window and/or belonging to groups."""
        clauses: list[dict[str, Any]] = []
        if before is not None:
            clauses.append({"updated_at": {"$lt": before}})
        if after is not None:
            clauses.append({"updated_at": {"$gt": after}})
        if group_ids is not None:
            if not group_ids:
                return []
            clauses.append({"group_id": {"$in": list(group_ids)}})
        if limit is not None:
            got = self.collection.get(where=_where_all(clauses), include=[], limit=limit)
            return list(got["ids"])
        return [key for key, _ in get_all(self.collection, _where_all(clauses), include=[])]

    def keys_by_group(self, group_ids: Sequence[str]) -> dict[str, set[str]]:
        """The recorded keys of each group (in a few calls, whatever the number of groups)."""
        out: dict[str, set[str]] = {g: set() for g in group_ids}
        unique = sorted(out)
        for lo in range(0, len(unique), _GROUPS_PER_CALL):
            where = {"group_id": {"$in": unique[lo : lo + _GROUPS_PER_CALL]}}
            for key, md in get_all(self.collection, where):
                out.setdefault(str(md.get("group_id", "")), set()).add(key)
        return out

    def delete_keys(self, keys: Sequence[str]) -> None:
        """Forget keys."""
        for lo in range(0, len(keys), _PAGE):
            self.collection.delete(ids=list(keys[lo : lo + _PAGE]))

    def count(self) -> int:
        """Number of records."""
        return int(self.collection.count())

    async def acreate_schema(self) -> None:
        """Async ``create_schema``."""
        await asyncio.to_thread(self.create_schema)

    async def aget_time(self) -> float:
        """Async ``get_time``."""
        return await asyncio.to_thread(self.get_time)

    async def aupdate(
        self,
        keys: Sequence[str],
        *,
        group_ids: Sequence[str | None] | None = None,
        time_at_least: float | None = None,
    ) -> None:
        """Async ``update``."""
        await asyncio.to_thread(
            lambda: self.update(keys, group_ids=group_ids, time_at_least=time_at_least)
        )

    async def aexists(self, keys: Sequence[str]) -> list[bool]:
        """Async ``exists``."""
        return await asyncio.to_thread(self.exists, keys)

    async def alist_keys(
        self,
        *,
        before: float | None = None,
        after: float | None = None,
        group_ids: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[str]:
        """Async ``list_keys``."""
        return await asyncio.to_thread(
            lambda: self.list_keys(before=before, after=after, group_ids=group_ids, limit=limit)
        )

    async def adelete_keys(self, keys: Sequence[str]) -> None:
        """Async ``delete_keys``."""
        await asyncio.to_thread(self.delete_keys, keys)


@dataclass(frozen=True)
class CatalogEntry:
    """One indexed document as the catalog records it."""

    doc_id: str
    meta: DocumentMeta
    source_path: str
    content_hash: str
    chunks: int
    ingested_at: str
    text_hash: str = ""
    aliases: tuple[str, ...] = ()


_GENERATION_ID = "generation"


class Catalog:
    """The documents in the store, plus a generation number bumped by every write."""

    def __init__(self, client: Any, collection_name: str) -> None:
        self._client = client
        self._col = client.get_or_create_collection(
            collection_name, embedding_function=None, metadata={"role": "catalog"}
        )

    def upsert(
        self, doc: SourceDocument, chunks: int, fingerprint: str, aliases: Sequence[str] = ()
    ) -> None:
        """Record a document after its chunks are stored."""
        self.upsert_many([(doc, chunks, fingerprint)], aliases)

    def upsert_many(
        self, rows: Sequence[tuple[SourceDocument, int, str]], aliases: Sequence[str] = ()
    ) -> None:
        """Record documents (``(document, chunks, fingerprint)`` rows) in a few calls."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for lo in range(0, len(rows), _PAGE):
            part = rows[lo : lo + _PAGE]
            self._col.upsert(
                ids=[doc.doc_id for doc, _, _ in part],
                embeddings=[_DUMMY] * len(part),
                metadatas=[
                    {
                        "type": "document",
                        "meta": doc.meta.model_dump_json(),
                        "source_path": doc.source_path,
                        "content_hash": fingerprint,
                        "text_hash": text_hash(doc.text),
                        "chunks": chunks,
                        "ingested_at": now,
                        "aliases": json.dumps(sorted(aliases)),
                    }
                    for doc, chunks, fingerprint in part
                ],
            )
        self.bump()

    def set_aliases(self, doc_id: str, aliases: Sequence[str]) -> None:
        """Replace the other names a document's text was found under."""
        self._col.update(ids=[doc_id], metadatas=[{"aliases": json.dumps(sorted(set(aliases)))}])
        self.bump()

    def remove(self, doc_id: str) -> None:
        """Forget a document."""
        self._col.delete(ids=[doc_id])
        self.bump()

    def entries(self) -> list[CatalogEntry]:
        """All documents, oldest first."""
        entries = []
        for doc_id, md in get_all(self._col, {"type": "document"}):
            entries.append(
                CatalogEntry(
                    doc_id=doc_id,
                    meta=DocumentMeta.model_validate_json(str(md["meta"])),
                    source_path=str(md["source_path"]),
                    content_hash=str(md["content_hash"]),
                    chunks=int(md["chunks"]),
                    ingested_at=str(md["ingested_at"]),
                    text_hash=str(md.get("text_hash", "")),
                    aliases=tuple(json.loads(str(md.get("aliases") or "[]"))),
                )
            )
        return sorted(entries, key=lambda e: (e.meta.date, e.doc_id))

    def generation(self) -> float:
        """When the store was last written (by the store's clock); 0 when never."""
        got = self._col.get(ids=[_GENERATION_ID], include=["metadatas"])
        metas = got["metadatas"] or []
        return float(metas[0]["at"]) if metas else 0.0

    def bump(self) -> None:
        """Mark the store as changed, so other processes reload what they derived from it."""
        self._col.upsert(
            ids=[_GENERATION_ID],
            embeddings=[_DUMMY],
            metadatas=[{"type": "state", "at": _server_time(self._client)}],
        )
