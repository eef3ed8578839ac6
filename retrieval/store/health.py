"""Store health: the checks behind ``brief doctor``, each a verdict with a fix."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from core.errors import BriefError
from core.settings import Settings
from retrieval.store.index import StatementIndex, connect
from retrieval.store.lexical import LexicalIndex, ids_signature
from retrieval.store.records import get_all

REBUILD = "rebuild the store: `brief ingest --rebuild PATH` (re-embeds every document)"


@dataclass(frozen=True)
class Check:
    """One verdict: what was checked, whether it passed, what was seen, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return asdict(self)


def check_vectors(index: StatementIndex) -> Check:
    """The collection's embedding model and dimension match the configured model's."""
    meta = index.store.collection.metadata or {}
    got = index.store.collection.get(limit=1, include=["embeddings"])
    vectors = got.get("embeddings")
    seen = len(vectors[0]) if vectors is not None and len(vectors) else index.dimension
    detail = f"{meta.get('embedding_model')} ({meta.get('dimension')} dimensions; vectors {seen})"
    ok = (
        meta.get("embedding_model") == index.model_name
        and int(meta.get("dimension", 0)) == index.dimension == seen
    )
    if not ok:
        detail += f"; configured: {index.model_name} ({index.dimension})"
    return Check("embedding model", ok, detail, "" if ok else REBUILD)


def check_records(index: StatementIndex) -> Check:
    """Every chunk has a record in the record manager, and every record a chunk."""
    chunk_ids = set(index.chunk_ids())
    record_ids = set(index.record_manager.list_keys())
    orphans, ghosts = chunk_ids - record_ids, record_ids - chunk_ids
    ok = not orphans and not ghosts
    detail = f"{len(chunk_ids):,} chunks, {len(record_ids):,} records"
    if orphans:
        detail += f"; {len(orphans):,} chunks without a record (e.g. {min(orphans)})"
    if ghosts:
        detail += f"; {len(ghosts):,} records without a chunk (e.g. {min(ghosts)})"
    return Check("chunks match the record manager", ok, detail, "" if ok else REBUILD)


def check_catalog(index: StatementIndex) -> Check:
    """The catalog's documents and chunk counts match the records' groups."""
    rows = get_all(index.record_manager.collection)
    per_doc = Counter(str(md.get("group_id", "")) for _, md in rows)
    entries = index.documents()
    wrong = sorted(
        doc_id
        for doc_id in set(per_doc) | set(entries)
        if per_doc.get(doc_id, 0) != (entries[doc_id].chunks if doc_id in entries else 0)
    )
    ok = not wrong
    aliases = sum(len(e.aliases) for e in entries.values())
    detail = f"{len(entries):,} documents ({aliases} duplicate names recorded)"
    if wrong:
        detail += f"; {len(wrong)} disagree with the records (e.g. {wrong[0]})"
    fix = "" if ok else "re-run `brief ingest` on the same folders, or " + REBUILD
    return Check("catalog matches the chunks", ok, detail, fix)


def check_lexical(index: StatementIndex) -> Check:
    """The BM25 index on disk is current (a stale one is rebuilt on the next question)."""
    saved = LexicalIndex.load(index.settings.data_dir / "bm25" / index.collection)
    current = saved is not None and saved.signature == ids_signature(index.chunk_ids())
    detail = "current" if current else "missing or stale: rebuilt on the next question"
    return Check("BM25 index", True, detail, warning=not current)


def check_query(index: StatementIndex) -> Check:
    """A sample query returns passages."""
    started = time.perf_counter()
    vector = index.embeddings.embed_query("joint statement on the alliance")
    hits = index.query_chunks(vector, 3)
    ms = (time.perf_counter() - started) * 1000
    ok = bool(hits) or index.count() == 0
    detail = f"{len(hits)} passages in {ms:.0f} ms" + ("" if hits else " (the store is empty)")
    return Check("sample query", ok, detail, "" if ok else REBUILD, warning=not hits)


def diagnose(settings: Settings) -> list[Check]:
    """Open the store and run every check; an unopenable store is one failed check."""
    try:
        index = connect(settings)
    except BriefError as exc:
        return [Check("open the store", False, str(exc), _open_fix(str(exc)))]
    try:
        return run_checks(index)
    finally:
        index.close()


def run_checks(index: StatementIndex, *, whole_store: bool = True) -> list[Check]:
    """The checks on an open store (``brief doctor``, or ``GET /v1/doctor`` of ``brief serve``).

    ``whole_store=False`` (a user's view of the store): only what that view holds is counted,
    and the checks that count the whole store (records, catalog, BM25) are left out.
    """
    where = (index.settings.chroma_url or str(index.settings.data_dir)) if whole_store else "store"
    mode = " (server mode)" if index.server_mode else " (embedded)"
    checks: tuple[Callable[[StatementIndex], Check], ...]
    if whole_store:
        opened = Check("open the store", True, f"{index.location}: {index.count():,} chunks" + mode)
        checks = (check_vectors, check_records, check_catalog, check_lexical, check_query)
    else:
        opened = Check("open the store", True, f"{index.count():,} chunks visible to you" + mode)
        checks = (check_vectors, check_query)
    found = [opened]
    for check in checks:
        try:
            found.append(check(index))
        except Exception as exc:  # a check that cannot run is a failed check, not a crash
            found.append(
                Check(check.__name__.removeprefix("check_"), False, f"{where}: {exc}", REBUILD)
            )
    if not whole_store:
        found.append(Check("records, catalog and BM25", True, "checked for all-access users only"))
    return found


def _open_fix(message: str) -> str:
    if "busy" in message:
        return "stop the process holding the store, or move to server mode (BRIEF_CHROMA_URL)"
    if "rebuild" in message:
        return REBUILD
    return ""
