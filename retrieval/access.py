"""Who sees what: users, their groups, and a read-only view of the store scoped to one user.

Every document carries an audience (a group name; empty means every signed-in user). A user's
groups come from the identity provider (the app's OpenID Connect login), never from anything the
user types. ``ScopedIndex`` is the only way the answering code reaches the store for a user: its
catalog, chunks, dense and BM25 rankings all leave out what the user may not see, so no question,
filter or follow-up can retrieve, cite or list another group's documents.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from retrieval.errors import BriefError
from retrieval.index import StatementIndex
from retrieval.lexical import LexicalIndex
from retrieval.models import Chunk, DocumentMeta
from retrieval.records import CatalogEntry
from retrieval.store import SentenceVectors, StatementStore

_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$")


class AccessError(BriefError, PermissionError):
    """The user may not do this."""


class RateLimitedError(BriefError, RuntimeError):
    """Too many questions in too short a time."""


def check_audience(value: str) -> str:
    """A valid audience (group) name, or an error that says what is allowed."""
    value = value.strip()
    if value and not _GROUP.match(value):
        raise AccessError(
            f"invalid audience {value!r}: use letters, digits and . _ @ : - (at most 64)"
        )
    return value


class User(BaseModel):
    """A person using the app: a stable id, a display name and the groups they belong to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str = ""
    groups: frozenset[str] = frozenset()
    all_access: bool = Field(
        default=False, description="Sees every document (the single-user local mode)."
    )

    def can_see(self, meta: DocumentMeta) -> bool:
        """Whether a document with this metadata is visible to the user."""
        return self.all_access or not meta.audience or meta.audience in self.groups

    @property
    def scope_key(self) -> str:
        """Users with equal keys see exactly the same documents."""
        return "*" if self.all_access else ",".join(sorted(self.groups))


LOCAL_USER = User(id="local", name="Local user", all_access=True)


def user_from_claims(
    claims: Mapping[str, Any], groups_claim: str = "groups", admin_group: str = ""
) -> User:
    """The user an OpenID Connect identity token describes (``st.user`` in the app).

    Members of ``admin_group`` see every document and manage the corpus.
    """
    subject = str(claims.get("email") or claims.get("sub") or "").strip()
    if not subject:
        raise AccessError("the identity provider sent no subject or e-mail for this login")
    raw = claims.get(groups_claim) or []
    if isinstance(raw, str):
        raw = [g for g in re.split(r"[,\s]+", raw) if g]
    groups = frozenset(str(g).strip() for g in raw if _GROUP.match(str(g).strip()))
    return User(
        id=subject,
        name=str(claims.get("name") or subject),
        groups=groups,
        all_access=bool(admin_group) and admin_group in groups,
    )


class _ScopedLexical(LexicalIndex):
    """The BM25 index restricted to the chunks one user may see."""

    def __init__(self, base: LexicalIndex, visible: set[str]) -> None:
        self.__dict__.update(base.__dict__)
        self._visible = visible

    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """BM25 top chunks among the visible ones (and ``allowed``, when given)."""
        scope = self._visible if allowed is None else allowed & self._visible
        return super().search(query, k, scope)


class _ScopedStore(StatementStore):
    """Dense search restricted to the documents one user may see."""

    def __init__(self, base: StatementStore, visible_docs: Sequence[str]) -> None:
        self.__dict__.update(base.__dict__)
        self._visible_docs = set(visible_docs)

    def query_chunks(
        self, vector: Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest visible chunks."""
        pool = self._visible_docs if doc_ids is None else set(doc_ids) & self._visible_docs
        return super().query_chunks(vector, k, sorted(pool))

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> SentenceVectors:
        """Sentence vectors of visible chunks only."""
        ids = [c for c in chunk_ids if c.rsplit(":", 2)[0] in self._visible_docs]
        return super().sentence_vectors(ids)

    def add_texts(self, *args: Any, **kwargs: Any) -> list[str]:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> None:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")


class ScopedIndex(StatementIndex):
    """A read-only view of an open store, limited to what one user may see."""

    def __init__(self, base: StatementIndex, user: User) -> None:  # no super(): a view
        self.base = base
        self.user = user
        self.settings = base.settings
        self.embeddings = base.embeddings
        self.collection = base.collection
        self.server_mode = base.server_mode
        self.model_name, self.dimension = base.model_name, base.dimension
        self._closed = True  # closing a view never releases the base store
        self._source: dict[str, CatalogEntry] | None = None
        self._visible: dict[str, CatalogEntry] = {}
        self._lexical_view: tuple[LexicalIndex, _ScopedLexical] | None = None
        self._store_view: _ScopedStore | None = None

    def documents(self) -> dict[str, CatalogEntry]:
        """The visible documents (the same dict object until the store changes)."""
        source = self.base.documents()
        if source is not self._source:
            self._source = source
            self._visible = {d: e for d, e in source.items() if self.user.can_see(e.meta)}
            self._store_view = None
            self._lexical_view = None
        return self._visible

    @property
    def store(self) -> StatementStore:  # type: ignore[override]
        """The dense store, restricted to visible documents."""
        docs = self.documents()
        if self._store_view is None:
            self._store_view = _ScopedStore(self.base.store, list(docs))
        return self._store_view

    def lexical(self) -> LexicalIndex:
        """The BM25 index, restricted to visible chunks."""
        docs = self.documents()
        base = self.base.lexical()
        if self._lexical_view is None or self._lexical_view[0] is not base:
            visible = {c for c in base.ids if c.rsplit(":", 2)[0] in docs}
            self._lexical_view = (base, _ScopedLexical(base, visible))
        return self._lexical_view[1]

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """Visible chunks by id; others are simply absent."""
        docs = self.documents()
        wanted = [i for i in ids if i.rsplit(":", 2)[0] in docs]
        return self.base.chunks(wanted)

    def all_chunks(self) -> list[Chunk]:
        """Every visible chunk."""
        docs = self.documents()
        return [c for c in self.base.all_chunks() if c.doc_id in docs]

    def chunk_ids(self) -> list[str]:
        """Every visible chunk id."""
        docs = self.documents()
        return [c for c in self.base.chunk_ids() if c.rsplit(":", 2)[0] in docs]

    def count(self) -> int:
        """Number of visible chunks."""
        return sum(e.chunks for e in self.documents().values())

    def find_text(self, digest: str) -> CatalogEntry | None:
        """Not available in a view."""
        raise AccessError("a user's view of the store is read-only")

    def refresh(self, *, force: bool = False) -> bool:
        """Follow the base store's changes."""
        return self.base.refresh(force=force)

    def invalidate(self) -> None:
        """Forget derived state."""
        self.base.invalidate()

    def record_document(self, *args: Any, **kwargs: Any) -> None:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")

    def add_alias(self, doc_id: str, alias: str) -> None:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")

    def drop_alias(self, alias: str) -> None:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")

    def delete_document(self, doc_id: str) -> int:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")


def scoped(index: StatementIndex, user: User) -> StatementIndex:
    """The store as ``user`` may see it (the store itself for all-access users)."""
    return index if user.all_access else ScopedIndex(index, user)


class RateLimiter:
    """A token bucket per user: ``per_minute`` questions a minute, bursts up to ``burst``."""

    def __init__(self, per_minute: int, burst: int | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 4))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, user_id: str, now: float | None = None) -> None:
        """Spend one question, or raise ``RateLimitedError`` saying how long to wait."""
        if self.rate <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(user_id, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                wait = (1.0 - tokens) / self.rate
                self._buckets[user_id] = (tokens, now)
                raise RateLimitedError(
                    f"too many questions: wait {wait:.0f} s and ask again "
                    f"(limit {round(self.rate * 60)} a minute)"
                )
            self._buckets[user_id] = (tokens - 1.0, now)
