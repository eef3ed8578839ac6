"""A read-only view of an open store, limited to the documents one viewer may see.

Access control wraps the store once, here: the view's catalog, chunks, dense and BM25 rankings
and sentence vectors all leave out what the viewer may not see, so nothing built on the view can
retrieve, cite or list a hidden document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from core.audience import AccessError
from core.models import Chunk, DocumentMeta
from retrieval.store.chroma import SentenceVectors, StatementStore
from retrieval.store.index import StatementIndex, indexed_text
from retrieval.store.lexical import LexicalIndex, find_acronyms, initialisms, tokenize
from retrieval.store.records import CatalogEntry


class Viewer(Protocol):
    """Whoever the view is for: anything that says which documents it may see."""

    def can_see(self, meta: DocumentMeta) -> bool:
        """Whether a document with this metadata is visible."""
        ...


class _ScopedLexical(LexicalIndex):
    """The BM25 index restricted to the chunks one user may see.

    Its term statistics (document frequencies, the acronyms defined, the number of chunks) are
    those of the visible chunks alone: what "no indexed statement mentions …" and every weight
    derived from them say must not reveal a word of a document the user may not see.
    """

    def __init__(self, base: LexicalIndex, visible: set[str], texts: Sequence[str]) -> None:
        self.__dict__.update(base.__dict__)
        self._visible = visible
        self.df = {}
        self.acronyms = {}
        for text in texts:
            for term in set(tokenize(text)):
                self.df[term] = self.df.get(term, 0) + 1
            for short, long_form in find_acronyms(text).items():
                self.acronyms.setdefault(short, long_form)
        self.spelled = initialisms(texts)

    @property
    def counted(self) -> int:
        """The visible chunks, which the term statistics count."""
        return len(self._visible)

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

    def __init__(self, base: StatementIndex, viewer: Viewer) -> None:  # no super(): a view
        self.base = base
        self.viewer = viewer
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
            self._visible = {d: e for d, e in source.items() if self.viewer.can_see(e.meta)}
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
        self.documents()  # a changed store renews the view
        base = self.base.lexical()
        if self._lexical_view is None or self._lexical_view[0] is not base:
            chunks = self.all_chunks()
            visible = {c.chunk_id for c in chunks} & set(base.ids)
            texts = [indexed_text(c) for c in chunks if c.chunk_id in visible]
            self._lexical_view = (base, _ScopedLexical(base, visible, texts))
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

    def write_chunks(self, chunks: Sequence[Chunk]) -> dict[str, int]:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")

    def write_documents(self, *args: Any, **kwargs: Any) -> list[dict[str, int]]:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")

    def delete_document(self, doc_id: str) -> int:
        """A scoped view never writes."""
        raise AccessError("a user's view of the store is read-only")
