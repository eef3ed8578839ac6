"""A `brief ingest` killed with SIGKILL mid-run, then run again, ends with the same store.

Black-box: the real CLI in subprocesses, compared through the public index API afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from brief.service import BriefingService
from core.settings import load_settings
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests.fixtures.documents import make_docx, make_pdf

BRIEF = Path(sys.executable).with_name("brief")
QUESTION = "What did the Washington Declaration establish?"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}
    return env | {"BRIEF_DATA_DIR": str(data_dir)}


def _store_bytes(data_dir: Path) -> int:
    folder = data_dir / "chroma"
    if not folder.is_dir():
        return 0
    total = 0
    for file in folder.rglob("*"):
        try:
            total += file.stat().st_size if file.is_file() else 0
        except FileNotFoundError:  # a journal file came and went
            continue
    return total


def _ingest(corpus: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BRIEF), "ingest", str(corpus)],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _kill_mid_run(corpus: Path, data_dir: Path, writes: int = 5) -> None:
    """Start an ingest, SIGKILL it once the store has grown ``writes`` times."""
    proc = subprocess.Popen(
        [str(BRIEF), "ingest", str(corpus)],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        grown, last = 0, 0
        while proc.poll() is None and grown < writes:
            size = _store_bytes(data_dir)
            if last and size > last:
                grown += 1
            last = size or last
            time.sleep(0.1)
        assert proc.poll() is None, "the ingest finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def _snapshot(data_dir: Path, embeddings: OnnxMiniLMEmbeddings) -> dict[str, Any]:
    settings = load_settings(data_dir=data_dir, chroma_url="")
    with open_index(settings, embeddings) as index:
        chunks = {c.chunk_id: c.to_metadata() | {"text": c.text} for c in index.all_chunks()}
        documents = {
            doc_id: (e.meta, e.chunks, e.content_hash, e.source_path)
            for doc_id, e in index.documents().items()
        }
        answer = BriefingService(index).ask(QUESTION)
        return {
            "chunks": chunks,
            "documents": documents,
            "answer": answer.text,
            "citations": [c.model_dump() for c in answer.citations],
        }


@pytest.mark.slow
def test_killed_ingest_converges_to_an_uninterrupted_one(
    corpus_dir: Path, tmp_path: Path, embeddings: OnnxMiniLMEmbeddings
) -> None:
    assert BRIEF.is_file(), f"{BRIEF} is missing: install the project (make setup)"
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    (corpus / "2024-05-01-harbour-notice.pdf").write_bytes(
        make_pdf([["The harbour of Marrow reopens in May."], ["Fees rise to 40 euros."]])
    )
    (corpus / "2024-05-02-fisheries-memo.docx").write_bytes(make_docx(title="Fisheries Memo"))
    (corpus / "2024-05-03-lighthouse.html").write_text(
        "<html><head><title>Lighthouse Notice</title></head><body><main>"
        "<p>The lighthouse at Cape Wren will close in June.</p></main></body></html>",
        encoding="utf-8",
    )

    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    first = _ingest(corpus, reference)
    assert first.returncode == 0, first.stderr
    _kill_mid_run(corpus, resumed, writes=2)  # ingest writes in batches: a few writes in all
    again = _ingest(corpus, resumed)
    assert again.returncode == 0, again.stderr
    assert "0 errors" in again.stdout
    counts = re.search(r"chunks: (\d+) added, (\d+) unchanged", again.stdout)
    assert counts, again.stdout
    # Killed in the middle: some chunks were stored before the kill, some were not.
    assert int(counts.group(1)) > 0, again.stdout
    assert int(counts.group(2)) > 0, again.stdout

    expected = _snapshot(reference, embeddings)
    got = _snapshot(resumed, embeddings)
    assert len(expected["documents"]) == 24
    assert sorted(got["chunks"]) == sorted(expected["chunks"])
    assert got["chunks"] == expected["chunks"]
    assert got["documents"] == expected["documents"]
    assert expected["citations"]
    assert (got["answer"], got["citations"]) == (expected["answer"], expected["citations"])
    # A third run finds nothing to do.
    third = _ingest(corpus, resumed)
    assert third.returncode == 0, third.stderr
    assert " 0 added" in third.stdout
