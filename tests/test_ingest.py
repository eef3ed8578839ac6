"""Ingest against real Chroma and the real model: idempotence, updates, deletes, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ingest.pipeline import ingest_paths
from retrieval.embeddings import OnnxMiniLMEmbeddings
from retrieval.index import open_index
from retrieval.settings import Settings


def test_first_ingest_then_reingest_embeds_nothing(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    with open_index(small_settings, embeddings) as index:
        first = ingest_paths(index, [small_corpus])
        assert not first.errors
        added = first.total("chunks_added")
        assert added == index.count() > 0
        second = ingest_paths(index, [small_corpus])
        assert second.total("chunks_added") == 0
        assert second.total("chunks_unchanged") == added
        assert index.count() == added
        assert {f.status for f in second.files} == {"unchanged"}


def test_edited_file_replaces_its_chunks(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    river = small_corpus / "2023-09-10-river.md"
    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
        river.write_text(
            river.read_text().replace("city of Marrow", "town of Quill"), encoding="utf-8"
        )
        report = ingest_paths(index, [small_corpus])
        by_doc = {f.doc_id: f for f in report.files}
        assert by_doc["2023-09-10-river.md"].status == "updated"
        assert by_doc["2023-09-10-river.md"].chunks_deleted >= 1
        assert by_doc["2021-03-04-fisheries.md"].status == "unchanged"
        texts = [c.text for c in index.all_chunks()]
        assert any("town of Quill" in t for t in texts)
        assert not any("city of Marrow" in t for t in texts)
        # The record manager and the store agree after the update.
        keys = index.record_manager.list_keys(group_ids=["2023-09-10-river.md"])
        stored = [c for c in index.all_chunks() if c.doc_id == "2023-09-10-river.md"]
        assert sorted(keys) == sorted(c.chunk_id for c in stored)


def test_deleted_file_loses_its_chunks(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
        (small_corpus / "2023-09-10-river.md").unlink()
        report = ingest_paths(index, [small_corpus])
        assert [f.doc_id for f in report.files if f.status == "deleted"] == ["2023-09-10-river.md"]
        assert {c.doc_id for c in index.all_chunks()} == {"2021-03-04-fisheries.md"}
        assert set(index.documents()) == {"2021-03-04-fisheries.md"}
        hits = index.lexical().search("Blue River navigation", 5)
        assert hits == []


def test_bad_files_get_one_line_errors_and_lose_nothing(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
        before = index.count()
        (small_corpus / "empty.md").write_text("", encoding="utf-8")
        (small_corpus / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
        (small_corpus / "latin1.md").write_bytes("Caf\xe9 statement".encode("latin-1"))
        (small_corpus / "broken.md").write_text(
            "---\ntitle: [unclosed\n---\nBody text here.\n", encoding="utf-8"
        )
        # A file that was good becomes unreadable: its stored chunks must stay.
        (small_corpus / "2023-09-10-river.md").write_bytes(b"\xff\xfe\x00bad")
        report = ingest_paths(index, [small_corpus])
        errors = {Path(f.path).name: f.message for f in report.errors}
        assert set(errors) == {
            "empty.md",
            "binary.md",
            "latin1.md",
            "broken.md",
            "2023-09-10-river.md",
        }
        assert "empty" in errors["empty.md"]
        assert "binary" in errors["binary.md"]
        assert "UTF-8" in errors["latin1.md"]
        assert "front matter" in errors["broken.md"]
        assert all("\n" not in m for m in errors.values())
        assert index.count() == before
        assert "2023-09-10-river.md" in index.documents()


def test_missing_front_matter_fields_get_defaults_and_warnings(
    tmp_path: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "2020-01-02-note.md").write_text(
        "# A Note on Trade\n\nThe parties agreed to lower tariffs on steel.\n", encoding="utf-8"
    )
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [folder])
        (result,) = report.files
        assert result.status == "added"
        assert any("issuer" in w for w in result.warnings)
        entry = index.documents()["2020-01-02-note.md"]
        assert entry.meta.title == "A Note on Trade"
        assert entry.meta.date.isoformat() == "2020-01-02"


def test_second_process_gets_store_busy(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    code = (
        "import sys\n"
        "from retrieval.index import open_index, StoreBusyError\n"
        "from retrieval.settings import load_settings\n"
        f"s = load_settings(data_dir={str(small_settings.data_dir)!r})\n"
        "try:\n"
        "    with open_index(s):\n"
        "        sys.exit(0)\n"
        "except StoreBusyError as e:\n"
        "    print(e); sys.exit(3)\n"
    )
    with open_index(small_settings, embeddings):
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
    assert proc.returncode == 3, proc.stderr
    assert "store busy" in proc.stdout
    # Once released, another process can open it.
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert again.returncode == 0


def test_lock_is_reentrant_within_one_process(
    small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    with open_index(small_settings, embeddings) as a, open_index(small_settings, embeddings) as b:
        assert a.count() == b.count() == 0
