"""Ingest against real Chroma and the real model: idempotence, updates, deletes, bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings, load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests.fixtures.documents import encrypt_pdf, make_docx, make_pdf, scanned_pdf


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
    small_corpus: Path, tmp_path: Path, embeddings: OnnxMiniLMEmbeddings
) -> None:
    settings = load_settings(data_dir=tmp_path / "store", max_file_mb=0.05)
    with open_index(settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
        before = {c.chunk_id for c in index.all_chunks()}
        bad: dict[str, bytes] = {
            "empty.md": b"",
            "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
            "noise.txt": bytes(range(128, 256)) * 3,
            "broken.md": b"---\ntitle: [unclosed\n---\nBody text here.\n",
            "huge.md": b"Words. " * 10_000,
            "fake.pdf": b"<html><body>Not found</body></html>",
            "cut.pdf": make_pdf([["Some text."]])[:300],
            "scan.pdf": scanned_pdf(2),
            "secret.pdf": encrypt_pdf(make_pdf([["Some text."]]), "pw"),
            "fake.docx": b"Plain text named docx.",
            "sidecar-broken.md": b"Body of a good file.\n",
            "sidecar-broken.meta.yaml": b"title: [unclosed\n",
            # A file that was good becomes unreadable: its stored chunks must stay.
            "2023-09-10-river.md": b"\x00\x01\x02binary",
        }
        for name, data in bad.items():
            (small_corpus / name).write_bytes(data)
        (small_corpus / "2021-05-06-ports.txt").write_bytes(
            "The “Café Accord” on ports was signed in Genève.\n".encode("cp1252")
        )
        (small_corpus / "lighthouse.html").write_text(
            "<html><head><title>Lighthouse Notice</title></head><body><nav>Menu</nav>"
            "<main><p>The lighthouse at Cape Wren will close in June.</p></main></body></html>",
            encoding="utf-8",
        )
        (small_corpus / "memo.docx").write_bytes(make_docx(title="Fisheries Memo"))
        (small_corpus / "report.pdf").write_bytes(
            make_pdf([["Page one text."], ["The harbour fee rises to 40 euros."]])
        )
        report = ingest_paths(index, [small_corpus])
        errors = {Path(f.path).name: f.message for f in report.errors}
        assert errors == {
            "empty.md": "the file is empty",
            "binary.md": "binary content (a PNG image), not a text file",
            "noise.txt": "not valid UTF-8 (byte 0x80 at offset 0) and no other text encoding "
            "reads it; re-save the file as UTF-8",
            "broken.md": "broken front matter (line 2): expected ',' or ']', but got "
            "'<stream end>'",
            "huge.md": "too large (68.4 KB; the limit is 0.05 MB, BRIEF_MAX_FILE_MB)",
            "fake.pdf": "not a PDF: no %PDF- header (the content is an HTML page)",
            "cut.pdf": "truncated PDF: the file ends before its %%EOF marker (copy it again)",
            "scan.pdf": "scanned PDF without a text layer (2 pages): run OCR first",
            "secret.pdf": "encrypted PDF: it needs a password; save a copy without protection "
            "and ingest it",
            "fake.docx": "not a .docx file: not a ZIP package (text or other data)",
            "sidecar-broken.md": "broken sidecar sidecar-broken.meta.yaml (line 2): expected ',' "
            "or ']', but got '<stream end>'",
            "2023-09-10-river.md": "binary content (NUL bytes), not a text file",
        }
        added = {f.doc_id for f in report.files if f.status == "added"}
        assert added == {"2021-05-06-ports.txt", "lighthouse.html", "memo.docx", "report.pdf"}
        # The store stays consistent: old chunks kept, records and catalog agree with chunks.
        chunks = index.all_chunks()
        assert before <= {c.chunk_id for c in chunks}
        docs = index.documents()
        assert "2023-09-10-river.md" in docs
        assert set(docs) == {c.doc_id for c in chunks}
        for doc_id, entry in docs.items():
            stored = sorted(c.chunk_id for c in chunks if c.doc_id == doc_id)
            assert entry.chunks == len(stored)
            assert sorted(index.record_manager.list_keys(group_ids=[doc_id])) == stored
        ports = [c for c in chunks if c.doc_id == "2021-05-06-ports.txt"]
        assert [c.text for c in ports] == ["The “Café Accord” on ports was signed in Genève."]
        fee = next(c for c in chunks if "harbour fee" in c.text)
        assert (fee.page, fee.paragraph) == (2, 1)
        assert docs["memo.docx"].meta.title == "Fisheries Memo"
        assert docs["lighthouse.html"].meta.title == "Lighthouse Notice"
        assert index.lexical().search("Cape Wren lighthouse", 3)


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
        "from retrieval.store.index import open_index\n"
        "from retrieval.store.connection import StoreBusyError\n"
        "from core.settings import load_settings\n"
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


def test_an_impossible_date_is_a_warning_and_the_rest_of_the_folder_is_ingested(
    tmp_path: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    folder = tmp_path / "dated"
    folder.mkdir()
    (folder / "a-bad.md").write_text(
        '---\ntitle: "Bad Date"\ndate: 2025-13-45\n---\n\nThe ministers agreed to meet again.\n',
        encoding="utf-8",
    )
    (folder / "b-good.md").write_text(
        '---\ntitle: "Good"\ndate: 2024-01-02\n---\n\nThe two sides agreed on ferries.\n',
        encoding="utf-8",
    )
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [folder])
        assert not report.stopped
        assert not report.errors
        bad = next(f for f in report.files if f.doc_id == "a-bad.md")
        assert "unreadable date '2025-13-45' in front matter" in bad.warnings
        assert set(index.documents()) == {"a-bad.md", "b-good.md"}
        assert index.documents()["b-good.md"].meta.date.isoformat() == "2024-01-02"


def test_an_unexpected_error_in_one_file_fails_that_file_only(
    small_corpus: Path,
    small_settings: Settings,
    embeddings: OnnxMiniLMEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ingest.chunking import chunk_document

    def chunk(doc: Any, **kwargs: Any) -> Any:
        if doc.doc_id.startswith("2021"):
            raise ValueError("a bug in the chunker")
        return chunk_document(doc, **kwargs)

    monkeypatch.setattr("ingest.pipeline.chunk_document", chunk)
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [small_corpus])
    assert not report.stopped
    [failed] = report.errors
    assert failed.doc_id == "2021-03-04-fisheries.md"
    assert "unexpected ValueError" in failed.message
    assert [f.doc_id for f in report.files if f.status == "added"] == ["2023-09-10-river.md"]
