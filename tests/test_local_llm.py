"""The generative path end to end against llama.cpp's real server with SmolLM2-135M-Instruct.

`make test` installs the server and the model (`scripts/setup.sh --local-llm`). A 135M model
answers poorly; these tests check what must hold whatever it writes: tokens stream, citations
quote their documents verbatim, invented sources are removed, every sentence has a verdict.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from brief.local_llm import server_command, smollm2_gguf
from brief.service import BriefingService
from core.answers import Answer
from core.settings import Settings
from ingest.loaders import FoundFile, load_file
from retrieval.answer.citations import is_verbatim
from retrieval.search.plan import Turn
from retrieval.store.index import StatementIndex


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on 127.0.0.1, serving the bundled SmolLM2."""
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            server_command(smollm2_gguf(), port, n_ctx=4096), stdout=out, stderr=out
        )
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"llama.cpp server exited: {log.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(base_url + "/models", timeout=2) as resp:
                        if json.load(resp).get("data"):
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"llama.cpp server not ready: {log.read_text()[-2000:]}")
                time.sleep(0.5)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def local_service(
    llama_server: str, corpus_index: StatementIndex, corpus_settings: Settings
) -> BriefingService:
    settings = corpus_settings.model_copy(
        update={
            "llm_base_url": llama_server,
            "llm_timeout_s": 120.0,
            "llm_max_retries": 0,
            "llm_max_tokens": 160,
        }
    )
    return BriefingService(corpus_index, settings=settings)


def _document_text(index: StatementIndex, doc_id: str) -> str:
    entry = index.documents()[doc_id]
    return load_file(FoundFile(path=Path(entry.source_path), doc_id=doc_id)).text


def _check_answer(answer: Answer, index: StatementIndex) -> None:
    assert answer.answerer == "generative", answer.notes
    sources = min(len(answer.passages), 5)
    for c in answer.citations:
        assert 1 <= c.n <= sources
        assert f"[{c.n}]" in answer.text
        assert is_verbatim(c.quote, _document_text(index, c.doc_id))
    for n in answer.invalid_citations:
        assert n > sources or n < 1
    if not answer.refused:
        assert answer.sentences
        assert answer.text.count("[unsupported]") == len(answer.unsupported)


def test_streams_and_cites_verbatim(
    local_service: BriefingService, corpus_index: StatementIndex
) -> None:
    events = list(
        local_service.stream(
            "What did the joint fact sheet say about Singapore?", answerer="generative"
        )
    )
    tokens = [e for e in events if isinstance(e, str)]
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert len(tokens) > 3, "tokens must arrive one by one"
    assert answer.model.endswith(".gguf") or answer.model
    assert answer.timings["first_token_s"] < answer.timings["total_s"]
    _check_answer(answer, corpus_index)


def test_follow_up_is_condensed_by_the_model(
    local_service: BriefingService, corpus_index: StatementIndex
) -> None:
    history = [
        Turn(role="user", content="What did the Biden-Moon statement say about vaccines?"),
        Turn(role="assistant", content="They launched a comprehensive vaccine partnership [1]."),
    ]
    answer = local_service.ask(
        "And how much did the U.S. give COVAX?", history=history, answerer="generative"
    )
    assert "condense_s" in answer.timings
    _check_answer(answer, corpus_index)


def test_unrelated_question_never_reaches_the_model(local_service: BriefingService) -> None:
    answer = local_service.ask(
        "What is the best recipe for sourdough bread with rye flour?", answerer="generative"
    )
    assert answer.refused
    assert "first_token_s" not in answer.timings
    assert any("model was not called" in n for n in answer.notes)


def test_stopping_serve_llm_with_sigterm_stops_its_model_server(tmp_path: Path) -> None:
    """The model server never outlives `brief serve-llm` (it would keep holding its port)."""
    pid_file = tmp_path / "child.pid"
    child = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    )
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from brief.local_llm import run_server; "
            f"sys.exit(run_server([sys.executable, '-c', {child!r}]))",
        ]
    )
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.1)
    child_pid = int(pid_file.read_text())
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=30) == 0
    for _ in range(100):  # the child is gone (reaped by its parent)
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(child_pid, signal.SIGKILL)
        raise AssertionError("the model server outlived serve-llm")
