"""Opening a store: the Chroma client, the one-writer lock, the layout check, and what store
errors mean to a user.

Chroma is either embedded (a folder; one process at a time: two processes on one
``PersistentClient`` folder corrupt it silently, so a lock is taken before the client opens) or
a Chroma server (``BRIEF_CHROMA_URL``) shared by several processes and machines.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from core.errors import BriefError
from core.settings import Settings


class StoreBusyError(BriefError, RuntimeError):
    """Another process holds the embedded store."""


class StoreMismatchError(BriefError, RuntimeError):
    """The collection was built with another embedding model or by an older version."""


class StoreUnreachableError(BriefError, RuntimeError):
    """The Chroma server does not answer."""


class StoreWriteError(BriefError, RuntimeError):
    """Writing to the store failed (disk full, server gone); what was written before is kept."""


def describe_store_error(exc: BaseException, settings: Settings) -> str:
    """One line on why a store operation failed, with what to do; no traceback, no secret."""
    text = f"{type(exc).__name__}: {exc}".lower()
    where = settings.chroma_url or str(settings.data_dir)
    if any(s in text for s in ("no space left", "disk is full", "database or disk is full")) or (
        isinstance(exc, OSError) and exc.errno == 28
    ):
        return f"the disk holding {where} is full: free some space and run the same command again"
    if "compaction" in text or "failed to apply logs" in text:
        return (
            f"the store at {where} could not write (often a full disk): free some space and run "
            "the same command again"
        )
    if settings.chroma_url and any(s in text for s in ("connect", "timed out", "timeout")):
        return (
            f"the Chroma server at {settings.chroma_url} stopped answering: start it again "
            "(`chroma run ...`) and repeat"
        )
    return f"the store at {where} failed ({type(exc).__name__})"


# Bump when the store's layout changes (collections, what their metadata means).
LAYOUT = "3"


_LOCKS: dict[str, tuple[IO[str], int]] = {}
_LOCKS_GUARD = threading.Lock()


def acquire_lock(data_dir: Path) -> None:
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


def release_lock(data_dir: Path) -> None:
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


def chroma_client(settings: Settings) -> Any:
    """A Chroma client: HTTP to ``chroma_url`` when set, else embedded in ``data_dir``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not settings.chroma_url:
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    url = urlsplit(settings.chroma_url)
    ssl = url.scheme == "https"
    try:
        client = chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreUnreachableError(
            f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
            "start it (`chroma run --path DIR --port PORT`) or unset BRIEF_CHROMA_URL to use "
            "the embedded store"
        ) from None
    return client


def check_compatible(collection: Any, settings: Settings, model: str, dimension: int) -> None:
    meta = collection.metadata or {}
    where = f"collection {settings.collection!r}" + (
        f" on {settings.chroma_url}" if settings.chroma_url else f" in {settings.data_dir}"
    )
    fix = "rebuild it: `brief ingest --rebuild PATH` (re-embeds every document)"
    found = meta.get("embedding_model")
    if found and (found != model or int(meta.get("dimension", dimension)) != dimension):
        raise StoreMismatchError(
            f"{where} holds vectors of {found!r} ({meta.get('dimension')} dimensions), "
            f"not of the configured {model!r} ({dimension}): {fix}, or set "
            f"BRIEF_EMBEDDING_MODEL={found}"
        )
    if str(meta.get("layout", "")) != LAYOUT:
        raise StoreMismatchError(f"{where} was built by an older version of brief: {fix}")
