"""Ingest files into the index: idempotent, incremental, and safe on bad input.

LangChain's ``index()`` with a SQL record manager decides what to embed: unchanged chunks are
skipped, an edited file's old chunks are removed, and files that disappeared from an ingested
folder are dropped. A file that fails to load keeps whatever was stored for it before.

Files are read one at a time but written in batches: the chunks of many small files are
embedded in one call and written to Chroma, the record manager and the catalog in one pass each,
and BM25 is rebuilt once per run. The catalog entry of a document is written after its chunks,
so a run that stops midway leaves nothing half-recorded: the next run writes it again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.audience import check_audience
from core.errors import BriefError
from core.logs import log_exception
from core.models import STORE_FORMAT, Chunk, SourceDocument
from ingest.chunking import chunk_document
from ingest.loaders import FoundFile, LoadError, LoadLimits, discover, load_file
from retrieval.store.connection import describe_store_error
from retrieval.store.index import StatementIndex
from retrieval.store.records import text_hash

CHUNKER_VERSION = "1"
BATCH_FILES = 64  # documents embedded and written together (one pass through the store)
BATCH_CHUNKS = 64  # ... or fewer, once their chunks reach this many (big files: one each)


@dataclass
class FileResult:
    """What happened to one file."""

    doc_id: str
    path: str
    status: str  # added | updated | unchanged | duplicate | error | deleted
    chunks_added: int = 0
    chunks_unchanged: int = 0
    chunks_deleted: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    """Summary of one ingest run."""

    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str = ""  # why the run stopped early (the store failed), if it did

    def total(self, attr: str) -> int:
        """Sum of a per-file counter."""
        return sum(int(getattr(f, attr)) for f in self.files)

    @property
    def errors(self) -> list[FileResult]:
        """Files that could not be ingested."""
        return [f for f in self.files if f.status == "error"]

    def summary(self) -> str:
        """One line for people."""
        seen = sum(1 for f in self.files if f.status not in ("error", "deleted"))
        deleted_docs = sum(1 for f in self.files if f.status == "deleted")
        return (
            f"{seen} files ingested, {len(self.errors)} errors, {deleted_docs} removed; chunks: "
            f"{self.total('chunks_added')} added, {self.total('chunks_unchanged')} unchanged, "
            f"{self.total('chunks_deleted')} deleted ({self.seconds:.1f} s)"
        )


def _fingerprint(doc: SourceDocument, index: StatementIndex) -> str:
    s = index.settings
    raw = (
        f"{doc.content_hash}|{s.chunk_max_chars}|{s.chunk_min_chars}|{CHUNKER_VERSION}"
        f"|{STORE_FORMAT}|{','.join(map(str, doc.page_starts))}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class _Pending:
    """A document read and chunked, waiting for its batch to be written."""

    doc: SourceDocument
    chunks: list[Chunk]
    fingerprint: str
    result: FileResult
    digest: str = ""
    slot: int = -1


def _plan(
    index: StatementIndex, doc: SourceDocument, known: dict[str, str]
) -> FileResult | _Pending:
    """What a document needs: nothing (unchanged: its result), or its chunks written."""
    fingerprint = _fingerprint(doc, index)
    result = FileResult(doc.doc_id, doc.source_path, "added", warnings=list(doc.warnings))
    if known.get(doc.doc_id) == fingerprint:
        entry = index.documents()[doc.doc_id]
        result.status, result.chunks_unchanged = "unchanged", entry.chunks
        return result
    if doc.doc_id in known:
        result.status = "updated"
    chunks = chunk_document(
        doc, max_chars=index.settings.chunk_max_chars, min_chars=index.settings.chunk_min_chars
    )
    return _Pending(doc, chunks, fingerprint, result)


def _write(index: StatementIndex, batch: list[_Pending]) -> None:
    """Write a batch of documents; fill in each one's counts."""
    stats = index.write_documents([(p.doc, p.chunks, p.fingerprint) for p in batch])
    for p, counts in zip(batch, stats, strict=True):
        p.result.chunks_added = int(counts["num_added"]) + int(counts["num_updated"])
        p.result.chunks_unchanged = int(counts["num_skipped"])
        p.result.chunks_deleted = int(counts["num_deleted"])


def ingest_document(
    index: StatementIndex, doc: SourceDocument, known: dict[str, str]
) -> FileResult:
    """Store one document's chunks, replacing its earlier version."""
    planned = _plan(index, doc, known)
    if isinstance(planned, FileResult):
        return planned
    _write(index, [planned])
    return planned.result


def _stale_documents(index: StatementIndex, roots: list[Path], seen: set[str]) -> list[str]:
    """Documents once ingested from one of these folders whose file is gone."""
    stale = []
    resolved = [r.resolve() for r in roots if r.is_dir()]
    for entry in index.documents().values():
        path = Path(entry.source_path)
        inside = any(path.is_relative_to(root) for root in resolved)
        if inside and entry.doc_id not in seen and not path.exists():
            stale.append(entry.doc_id)
    return stale


def ingest_paths(
    index: StatementIndex,
    paths: list[Path],
    *,
    audience: str | None = None,
    force_audience: bool = False,
    root: Path | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    batch_files: int = BATCH_FILES,
) -> IngestReport:
    """Ingest files and folders; report per file. Never raises for a bad file.

    ``audience`` is given to documents that name none (to every document with
    ``force_audience``); ``root`` names files given directly by their path below it.
    ``progress(i, n, doc_id)`` is called before file ``i`` of ``n`` is read, and with
    ``(n, n, "")`` once all are stored. Files are read one by one and written in batches of
    ``batch_files`` (embedded together, one write to the store each); a batch that fails for
    something other than the store is written again file by file, so only the culprit fails.
    """
    started = time.perf_counter()
    report = IngestReport()
    audience = None if audience is None else check_audience(audience)
    files, missing = discover(paths, root)
    for err in missing:
        report.files.append(FileResult(Path(err.path).name, err.path, "error", message=err.reason))
    run = _Run(index, files, audience, force_audience, max(1, batch_files))
    stopped = False
    for slot, found in enumerate(files):
        if progress:
            progress(slot, len(files), found.doc_id)
        try:
            run.read(slot)
        except Exception as exc:
            if not store_failure(exc):  # this file alone: say so, go on with the rest
                run.fail(slot, exc)
                continue
            report.stopped = run.stop(exc, slot)
            stopped = True
            break
    if not stopped:
        try:
            run.flush()
        except Exception as exc:  # flush raises only the store's failures
            report.stopped = run.stop(exc, None)
            stopped = True
    report.files += run.results()
    if stopped:  # the store failed: keep what was written, go no further
        report.seconds = time.perf_counter() - started
        index.invalidate()
        return report
    for doc_id in _stale_documents(index, paths, run.seen):
        removed = index.delete_document(doc_id)
        report.files.append(FileResult(doc_id, "", "deleted", chunks_deleted=removed))
    if progress:
        progress(len(files), len(files), "")
    index.invalidate()
    index.lexical()  # rebuild BM25 now (once per run), not on the first question
    report.seconds = time.perf_counter() - started
    return report


def store_failure(exc: BaseException) -> bool:
    """Whether an error is the store's (stop the run) rather than one file's (go on)."""
    library = type(exc).__module__.split(".")[0]
    return isinstance(exc, OSError | BriefError) or library in _STORE_LIBRARIES


_STORE_LIBRARIES = frozenset({"chromadb", "sqlite3", "langchain_core", "langchain_chroma"})


class _Run:
    """One ingest run: files read in order, their documents written in batches."""

    def __init__(
        self,
        index: StatementIndex,
        files: list[FoundFile],
        audience: str | None,
        force: bool,
        batch_files: int,
    ) -> None:
        self.index, self.files, self.audience, self.force = index, files, audience, force
        self.batch_files = batch_files
        self.limits = LoadLimits.from_settings(index.settings)
        self.known = {e.doc_id: e.content_hash for e in index.documents().values()}
        self.seen: set[str] = set()  # documents settled in this run (stored or unchanged)
        self.pending: list[_Pending] = []
        self.settled: list[FileResult | None] = [None] * len(files)

    def results(self) -> list[FileResult]:
        """Each file's result, in the order the files were found."""
        return [r for r in self.settled if r is not None]

    def settle(self, slot: int, result: FileResult, *, seen: bool = True) -> None:
        """Record a file's result."""
        self.settled[slot] = result
        if seen:
            self.seen.add(result.doc_id)

    def fail(self, slot: int, exc: Exception) -> None:
        """An unexpected error in one file: it fails alone (the details go to the error log)."""
        where = log_exception(exc)
        message = f"could not be ingested (unexpected {type(exc).__name__}; see {where})"
        found = self.files[slot]
        self.settle(
            slot, FileResult(found.doc_id, str(found.path), "error", message=message), seen=False
        )

    def stop(self, exc: Exception, current: int | None) -> str:
        """The store failed: the files being written get the reason, the rest are not read."""
        reason = describe_store_error(exc, self.index.settings)
        failed = {p.slot for p in self.pending} | ({current} if current is not None else set())
        for slot, found in enumerate(self.files):
            if self.settled[slot] is None:
                message = reason if slot in failed else "not ingested: the run stopped"
                self.settled[slot] = FileResult(
                    found.doc_id, str(found.path), "error", message=message
                )
        return reason

    def read(self, slot: int) -> None:
        """Load, check and chunk one file: settle it now, or queue it for the next batch."""
        found = self.files[slot]
        try:
            doc = load_file(found, self.limits)
        except LoadError as exc:
            result = FileResult(found.doc_id, str(found.path), "error", message=exc.reason)
            self.settle(slot, result, seen=False)
            return
        if self.audience is not None and (self.force or not doc.meta.audience):
            meta = doc.meta.model_copy(update={"audience": self.audience})
            doc = doc.model_copy(update={"meta": meta})
        digest = text_hash(doc.text)
        if any(p.digest == digest for p in self.pending):
            self.flush()  # its twin waits in this batch: store it first, then name it twice
        twin = None if doc.doc_id in self.known else self.index.find_text(digest)
        if (
            twin is not None
            and twin.doc_id != doc.doc_id
            and twin.meta.audience == doc.meta.audience
            and (twin.doc_id in self.seen or Path(twin.source_path).exists())
        ):
            self.index.add_alias(twin.doc_id, doc.doc_id)
            message = f"same text as {twin.doc_id}: stored once, both names recorded"
            self.settle(slot, FileResult(doc.doc_id, str(found.path), "duplicate", message=message))
            return
        self.index.drop_alias(doc.doc_id)  # a former duplicate whose text now differs
        planned = _plan(self.index, doc, self.known)
        if isinstance(planned, FileResult):
            self.settle(slot, planned)
            return
        planned.digest, planned.slot = digest, slot
        self.pending.append(planned)
        if (
            len(self.pending) >= self.batch_files
            or sum(len(p.chunks) for p in self.pending) >= BATCH_CHUNKS
        ):
            self.flush()

    def flush(self) -> None:
        """Write the queued documents; raises only the store's failures."""
        batch = self.pending
        if not batch:
            return
        try:
            _write(self.index, batch)
        except Exception as exc:
            if store_failure(exc):
                raise  # ``stop`` reports the batch (still pending) as not written
            self.pending = []
            if len(batch) == 1:
                self.fail(batch[0].slot, exc)
                return
            for one in batch:  # one file broke the batch: write each alone to find it
                self.pending = [one]
                self.flush()
            return
        self.pending = []
        for p in batch:
            self.settle(p.slot, p.result)


def remove_documents(index: StatementIndex, doc_ids: list[str]) -> IngestReport:
    """Remove documents by id."""
    report = IngestReport()
    for doc_id in doc_ids:
        removed = index.delete_document(doc_id)
        report.files.append(FileResult(doc_id, "", "deleted", chunks_deleted=removed))
    index.lexical()
    return report
