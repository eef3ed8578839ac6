"""Ingest files into the index: idempotent, incremental, and safe on bad input.

LangChain's ``index()`` with a SQL record manager decides what to embed: unchanged chunks are
skipped, an edited file's old chunks are removed, and files that disappeared from an ingested
folder are dropped. A file that fails to load keeps whatever was stored for it before.
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
from core.models import STORE_FORMAT, SourceDocument
from ingest.chunking import chunk_document
from ingest.loaders import FoundFile, LoadError, LoadLimits, discover, load_file
from retrieval.store.connection import describe_store_error
from retrieval.store.index import StatementIndex
from retrieval.store.records import text_hash

CHUNKER_VERSION = "1"


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


def ingest_document(
    index: StatementIndex, doc: SourceDocument, known: dict[str, str]
) -> FileResult:
    """Store one document's chunks, replacing its earlier version."""
    fingerprint = _fingerprint(doc, index)
    result = FileResult(doc.doc_id, doc.source_path, "added", warnings=list(doc.warnings))
    if known.get(doc.doc_id) == fingerprint:
        entry = index.documents()[doc.doc_id]
        result.status, result.chunks_unchanged = "unchanged", entry.chunks
        return result
    chunks = chunk_document(
        doc, max_chars=index.settings.chunk_max_chars, min_chars=index.settings.chunk_min_chars
    )
    stats = index.write_chunks(chunks)
    if doc.doc_id in known:
        result.status = "updated"
    result.chunks_added = int(stats["num_added"]) + int(stats["num_updated"])
    result.chunks_unchanged = int(stats["num_skipped"])
    result.chunks_deleted = int(stats["num_deleted"])
    index.record_document(doc, len(chunks), fingerprint)
    return result


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
) -> IngestReport:
    """Ingest files and folders; report per file. Never raises for a bad file.

    ``audience`` is given to documents that name none (to every document with
    ``force_audience``); ``root`` names files given directly by their path below it.
    """
    started = time.perf_counter()
    report = IngestReport()
    audience = None if audience is None else check_audience(audience)
    files, missing = discover(paths, root)
    for err in missing:
        report.files.append(FileResult(Path(err.path).name, err.path, "error", message=err.reason))
    known = {e.doc_id: e.content_hash for e in index.documents().values()}
    seen: set[str] = set()
    for i, found in enumerate(files):
        if progress:
            progress(i, len(files), found.doc_id)
        try:
            report.files.append(
                _ingest_one(index, found, known, seen, audience, force=force_audience)
            )
        except Exception as exc:
            if not store_failure(exc):  # this file alone: say so, go on with the rest
                where = log_exception(exc)
                message = f"could not be ingested (unexpected {type(exc).__name__}; see {where})"
                report.files.append(
                    FileResult(found.doc_id, str(found.path), "error", message=message)
                )
                continue
            # The store failed: stop, keep what was written.
            reason = describe_store_error(exc, index.settings)
            report.files.append(FileResult(found.doc_id, str(found.path), "error", message=reason))
            report.files += [
                FileResult(f.doc_id, str(f.path), "error", message="not ingested: the run stopped")
                for f in files[i + 1 :]
            ]
            report.stopped = reason
            report.seconds = time.perf_counter() - started
            index.invalidate()
            return report
        seen.add(found.doc_id)
    for doc_id in _stale_documents(index, paths, seen):
        removed = index.delete_document(doc_id)
        report.files.append(FileResult(doc_id, "", "deleted", chunks_deleted=removed))
    if progress:
        progress(len(files), len(files), "")
    index.invalidate()
    index.lexical()  # rebuild BM25 now, not on the first question
    report.seconds = time.perf_counter() - started
    return report


def store_failure(exc: BaseException) -> bool:
    """Whether an error is the store's (stop the run) rather than one file's (go on)."""
    library = type(exc).__module__.split(".")[0]
    return isinstance(exc, OSError | BriefError) or library in _STORE_LIBRARIES


_STORE_LIBRARIES = frozenset({"chromadb", "sqlite3", "langchain_core", "langchain_chroma"})


def _ingest_one(
    index: StatementIndex,
    found: FoundFile,
    known: dict[str, str],
    seen: set[str],
    audience: str | None,
    *,
    force: bool,
) -> FileResult:
    try:
        doc = load_file(found, LoadLimits.from_settings(index.settings))
    except LoadError as exc:
        return FileResult(found.doc_id, str(found.path), "error", message=exc.reason)
    if audience is not None and (force or not doc.meta.audience):
        doc = doc.model_copy(update={"meta": doc.meta.model_copy(update={"audience": audience})})
    twin = None if doc.doc_id in known else index.find_text(text_hash(doc.text))
    if (
        twin is not None
        and twin.doc_id != doc.doc_id
        and twin.meta.audience == doc.meta.audience
        and (twin.doc_id in seen or Path(twin.source_path).exists())
    ):
        index.add_alias(twin.doc_id, doc.doc_id)
        return FileResult(
            doc.doc_id,
            str(found.path),
            "duplicate",
            message=f"same text as {twin.doc_id}: stored once, both names recorded",
        )
    index.drop_alias(doc.doc_id)  # a former duplicate whose text now differs
    return ingest_document(index, doc, known)


def remove_documents(index: StatementIndex, doc_ids: list[str]) -> IngestReport:
    """Remove documents by id."""
    report = IngestReport()
    for doc_id in doc_ids:
        removed = index.delete_document(doc_id)
        report.files.append(FileResult(doc_id, "", "deleted", chunks_deleted=removed))
    index.lexical()
    return report
