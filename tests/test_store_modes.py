"""The store in both modes: embedded (a folder) and a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest

from brief.service import BriefingService
from core.settings import Settings, load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.connection import StoreMismatchError, StoreUnreachableError, chroma_client
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.health import diagnose
from retrieval.store.index import connect, open_index
from retrieval.store.records import ChromaRecordManager

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on a free port of 127.0.0.1."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = None
    for _ in range(300):
        try:
            client = chromadb.HttpClient(host="127.0.0.1", port=port)
            client.heartbeat()
            break
        except Exception:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def _server_settings(url: str, tmp: Path, collection: str) -> Settings:
    return load_settings(data_dir=tmp, chroma_url=url, collection=collection)


def test_server_mode_ingest_ask_reingest(
    chroma_url: str, small_corpus: Path, tmp_path: Path, embeddings: OnnxMiniLMEmbeddings
) -> None:
    settings = _server_settings(chroma_url, tmp_path / "a", "srv-basic")
    with open_index(settings, embeddings) as index:
        first = ingest_paths(index, [small_corpus])
        assert not first.errors
        assert first.total("chunks_added") > 0
        answer = BriefingService(index).ask("How much will the herring quota be cut?")
        assert not answer.refused
        assert "12 percent" in answer.text
        again = ingest_paths(index, [small_corpus])
        assert again.total("chunks_added") == 0
        assert again.total("chunks_unchanged") == first.total("chunks_added")
    # Everything lives on the server: a fresh process folder sees the same store.
    other = _server_settings(chroma_url, tmp_path / "b", "srv-basic")
    with open_index(other, embeddings) as index:
        assert set(index.documents()) == {"2021-03-04-fisheries.md", "2023-09-10-river.md"}
        assert all(c.ok for c in diagnose(other))


def test_replicas_share_one_store_and_see_each_others_writes(
    chroma_url: str, small_corpus: Path, tmp_path: Path, embeddings: OnnxMiniLMEmbeddings
) -> None:
    """An app replica keeps its index open while an ingest job in another process writes."""
    app_settings = _server_settings(chroma_url, tmp_path / "app", "srv-replicas")
    with open_index(app_settings, embeddings) as app_index:
        service = BriefingService(app_index)
        assert service.ask("When does the Blue River open to navigation?").refused
        env = {
            **os.environ,
            "BRIEF_CHROMA_URL": chroma_url,
            "BRIEF_COLLECTION": "srv-replicas",
            "BRIEF_DATA_DIR": str(tmp_path / "job"),
        }
        brief = Path(sys.executable).with_name("brief")
        done = subprocess.run(
            [str(brief), "ingest", str(small_corpus)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        app_index.refresh(force=True)
        answer = service.ask("When does the Blue River open to navigation?")
        assert not answer.refused
        assert answer.citations[0].doc_id == "2023-09-10-river.md"


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreUnreachableError, match="cannot reach the Chroma server") as err:
        connect(_server_settings(url, tmp_path, "srv-none"))
    assert "BRIEF_CHROMA_URL" in str(err.value)
    checks = diagnose(_server_settings(url, tmp_path, "srv-none"))
    assert [c.ok for c in checks] == [False]


class _OtherModel(OnnxMiniLMEmbeddings):
    model_name = "some-other-model"


def test_changing_the_model_requires_a_rebuild(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
    with pytest.raises(StoreMismatchError, match="rebuild") as err:
        connect(small_settings, _OtherModel())
    assert "all-MiniLM-L6-v2-int8" in str(err.value)
    assert "some-other-model" in str(err.value)
    # Nothing was mixed: the store is intact and still healthy for its own model.
    assert all(c.ok for c in diagnose(small_settings))
    with open_index(small_settings, _OtherModel(), rebuild=True) as index:
        assert index.count() == 0
        assert index.documents() == {}
        meta = index.store._collection.metadata or {}
        assert meta["embedding_model"] == "some-other-model"


def test_a_store_of_an_older_layout_asks_for_a_rebuild(small_settings: Settings) -> None:
    client = chroma_client(small_settings)
    old = client.create_collection("statements", embedding_function=None)
    old.add(ids=["x"], embeddings=[[0.1] * 384], documents=["old"])
    del client
    with pytest.raises(StoreMismatchError, match="older version"), open_index(small_settings):
        pass


def test_doctor_finds_chunks_without_records(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
        keys = index.record_manager.list_keys(group_ids=["2023-09-10-river.md"])
        index.record_manager.delete_keys(keys)
    checks = {c.name: c for c in diagnose(small_settings)}
    bad = checks["chunks match the record manager"]
    assert not bad.ok
    assert "without a record" in bad.detail
    assert "--rebuild" in bad.fix
    assert not checks["catalog matches the chunks"].ok


def test_doctor_cli_reports_and_exits_nonzero_on_failure(
    small_corpus: Path, tmp_path: Path
) -> None:
    brief = str(Path(sys.executable).with_name("brief"))
    env = {**os.environ, "BRIEF_DATA_DIR": str(tmp_path / "store")}
    subprocess.run([brief, "ingest", str(small_corpus)], env=env, check=True, timeout=300)
    ok = subprocess.run(
        [brief, "doctor", "--json"], env=env, capture_output=True, text=True, timeout=300
    )
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["ok"]
    assert len(report["checks"]) >= 5
    shutil.rmtree(tmp_path / "store" / "chroma")
    client = chroma_client(load_settings(data_dir=tmp_path / "store"))
    client.create_collection("statements", embedding_function=None).add(
        ids=["x"], embeddings=[[0.1] * 384], documents=["stale"]
    )
    del client
    bad = subprocess.run([brief, "doctor"], env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert "FAIL" in bad.stdout
    assert "brief ingest --rebuild" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_record_manager_semantics(tmp_path: Path) -> None:
    client = chromadb.PersistentClient(path=str(tmp_path / "rm"))
    rm = ChromaRecordManager(client, "ns", "test-records")
    rm.create_schema()
    t0 = rm.get_time()
    rm.update(["a", "b"], group_ids=["g1", "g2"], time_at_least=t0)
    mid = rm.get_time()
    rm.update(["c"], group_ids=[None])
    assert rm.exists(["a", "c", "zzz"]) == [True, True, False]
    assert sorted(rm.list_keys(group_ids=["g1"])) == ["a"]
    assert sorted(rm.list_keys(before=mid)) == ["a", "b"]
    assert rm.list_keys(after=mid) == ["c"]
    assert len(rm.list_keys(limit=2)) == 2
    with pytest.raises(ValueError, match="clock"):
        rm.update(["d"], time_at_least=rm.get_time() + 3600)
    rm.delete_keys(["a"])
    assert rm.exists(["a", "b"]) == [False, True]
