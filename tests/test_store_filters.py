"""Dense search with a document filter: the wide-search path gives what Chroma's filter gives."""

from __future__ import annotations

import pytest

import retrieval.store.chroma as store_module
from retrieval.store.index import StatementIndex


@pytest.mark.parametrize("share", [0.2, 0.5, 1.0])
def test_filtering_after_a_wider_search_matches_chromas_filter(
    corpus_index: StatementIndex, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    docs = sorted(corpus_index.documents())
    allowed = docs[: max(1, int(len(docs) * share))]
    vector = corpus_index.embeddings.embed_query("extended deterrence and the NCG")
    store = corpus_index.store
    by_chroma = store.query_chunks(vector, 10, allowed)  # few ids: Chroma's `$in` filter
    monkeypatch.setattr(store_module, "WIDE_FILTER_DOCS", 0)  # every filter takes the wide path
    widened = store.query_chunks(vector, 10, allowed)
    assert [c for c, _ in widened] == [c for c, _ in by_chroma]
    assert all(c.rsplit(":", 2)[0] in allowed for c, _ in widened)
    assert [round(s, 5) for _, s in widened] == [round(s, 5) for _, s in by_chroma]


def test_a_filter_no_wide_search_satisfies_falls_back_to_chroma(
    corpus_index: StatementIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = sorted(corpus_index.documents())
    vector = corpus_index.embeddings.embed_query("Artemis Accords and space cooperation")
    store = corpus_index.store
    expected = store.query_chunks(vector, 3, docs[:1])
    monkeypatch.setattr(store_module, "WIDE_FILTER_DOCS", 0)
    monkeypatch.setattr(store_module, "WIDEN_STEPS", (1,))  # too narrow to find 3 of one doc
    assert store.query_chunks(vector, 3, docs[:1]) == expected
