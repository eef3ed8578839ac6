"""Ingest in batches (many small files embedded and written together) keeps the per-file
guarantees: the same store as file by file, a bad file fails alone, a store failure keeps what
was stored, duplicates inside a batch are stored once, progress is reported per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.settings import Settings
from ingest.pipeline import IngestReport, ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex, open_index

TOPICS = ["ferries", "fisheries", "ports", "rail links", "grain", "lighthouses", "pilots"]


def _statement(i: int, extra: str = "") -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (
        f'---\ntitle: "Notice {i} on {topic}"\nissuer: "Harbour Board"\n'
        f"date: 2024-01-{i + 1:02d}\nkind: statement\n---\n\n"
        f"The board agreed on {topic} for district {i}. Fees for {topic} stay at {10 + i} "
        f"euros.{extra}\n"
    )


@pytest.fixture
def many(tmp_path: Path) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(7):
        (folder / f"notice-{i:02d}.md").write_text(_statement(i), encoding="utf-8")
    return folder


def _state(index: StatementIndex) -> tuple[dict[str, Any], dict[str, Any]]:
    chunks = {c.chunk_id: c.to_metadata() | {"text": c.text} for c in index.all_chunks()}
    docs = {d: (e.meta, e.chunks, e.content_hash) for d, e in index.documents().items()}
    return chunks, docs


def _outcomes(report: IngestReport) -> list[tuple[str, str, int, int, int]]:
    return [
        (f.doc_id, f.status, f.chunks_added, f.chunks_unchanged, f.chunks_deleted)
        for f in report.files
    ]


def test_batches_store_what_file_by_file_stores(
    many: Path, tmp_path: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    one_by_one = small_settings.model_copy(update={"data_dir": tmp_path / "one"})
    runs = []
    for settings, batch in ((small_settings, 3), (one_by_one, 1)):
        with open_index(settings, embeddings) as index:
            first = ingest_paths(index, [many], batch_files=batch)
            (many / "notice-01.md").write_text(_statement(1, " Ferries run daily."), "utf-8")
            second = ingest_paths(index, [many], batch_files=batch)
            (many / "notice-01.md").write_text(_statement(1), encoding="utf-8")
            runs.append((_outcomes(first), _outcomes(second), _state(index)))
    assert runs[0] == runs[1]
    added, updated, (chunks, docs) = runs[0]
    assert {status for _, status, *_ in added} == {"added"}
    assert len(docs) == len(chunks) == 7
    changed = [row for row in updated if row[1] != "unchanged"]
    assert changed == [("notice-01.md", "updated", 1, 0, 1)]


def test_an_error_inside_a_batch_fails_that_file_only(
    many: Path,
    small_settings: Settings,
    embeddings: OnnxMiniLMEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (many / "notice-03.md").write_text(_statement(3, " POISON."), encoding="utf-8")
    real = embeddings.embed_array

    def embed(texts: Any) -> np.ndarray:
        if any("POISON" in t for t in texts):
            raise ValueError("a bug in the model")
        return real(texts)

    monkeypatch.setattr(embeddings, "embed_array", embed)
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [many], batch_files=10)
        assert not report.stopped
        [failed] = report.errors
        assert failed.doc_id == "notice-03.md"
        assert "unexpected ValueError" in failed.message
        assert [f.doc_id for f in report.files] == sorted(p.name for p in many.iterdir())
        assert sorted(index.documents()) == sorted(
            {p.name for p in many.iterdir()} - {failed.doc_id}
        )
        assert index.count() == 6
        (many / "notice-03.md").write_text(_statement(3), encoding="utf-8")
        again = ingest_paths(index, [many], batch_files=10)
        assert [f.doc_id for f in again.files if f.status != "unchanged"] == ["notice-03.md"]
        assert index.count() == 7


def test_a_store_failure_mid_run_keeps_what_was_stored(
    many: Path,
    small_settings: Settings,
    embeddings: OnnxMiniLMEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [many])
        before = _state(index)
        for path in many.iterdir():
            path.write_text(path.read_text("utf-8").replace("board", "council"), "utf-8")
        real, calls = index.store.add_texts, []

        def add_texts(*args: Any, **kwargs: Any) -> list[str]:
            calls.append(1)
            if len(calls) == 2:
                raise OSError(28, "No space left on device")
            return real(*args, **kwargs)

        monkeypatch.setattr(index.store, "add_texts", add_texts)
        report = ingest_paths(index, [many], batch_files=2)
        assert "is full" in report.stopped
        statuses = [(f.doc_id, f.status, f.message) for f in report.files]
        assert [s[1] for s in statuses[:2]] == ["updated", "updated"]
        assert all(s[1] == "error" and "is full" in s[2] for s in statuses[2:4])
        assert all(s[2] == "not ingested: the run stopped" for s in statuses[4:])
        # The files not written keep their stored chunks and catalog entries.
        chunks, docs = _state(index)
        for doc_id in [s[0] for s in statuses[2:]]:
            assert docs[doc_id] == before[1][doc_id]
            old = {k: v for k, v in before[0].items() if v["doc_id"] == doc_id}
            assert {k: v for k, v in chunks.items() if v["doc_id"] == doc_id} == old
        monkeypatch.undo()
        again = ingest_paths(index, [many], batch_files=2)
        assert not again.errors
        assert [f.status for f in again.files] == ["unchanged"] * 2 + ["updated"] * 5
        assert all("council" in c.text for c in index.all_chunks())


def test_twins_inside_one_batch_are_stored_once(
    many: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    (many / "notice-02b.md").write_text(_statement(2), encoding="utf-8")
    seen: list[tuple[int, int, str]] = []
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [many], progress=lambda *a: seen.append(a))
        by_doc = {f.doc_id: f for f in report.files}
        assert by_doc["notice-02b.md"].status == "duplicate"
        assert by_doc["notice-02.md"].status == "added"
        assert index.documents()["notice-02.md"].aliases == ("notice-02b.md",)
        assert index.count() == 7
    names = sorted(p.name for p in many.iterdir())
    assert seen == [(i, 8, name) for i, name in enumerate(names)] + [(8, 8, "")]
