"""The scripted OpenAI server, driven by the real ``openai`` and ``langchain_openai`` clients."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator

import openai
import pytest
from langchain_openai import ChatOpenAI
from openai import OpenAI

from tests.scripted_openai import Reply, ScriptedOpenAIServer

MESSAGES: list[openai.types.chat.ChatCompletionMessageParam] = [
    {"role": "user", "content": "What was agreed?"}
]


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """Every test must leave no serving or handler thread behind."""
    yield
    leftovers = [
        thread.name
        for thread in threading.enumerate()
        if "scripted-openai" in thread.name or "process_request" in thread.name
    ]
    assert leftovers == []


def client(server: ScriptedOpenAIServer, *, timeout: float = 2.0, max_retries: int = 0) -> OpenAI:
    """An ``openai`` client for ``server``; no retries and a short timeout unless told."""
    return OpenAI(
        base_url=server.base_url, api_key="EMPTY", timeout=timeout, max_retries=max_retries
    )


def drain(chunks: Iterable[object], into: list[str]) -> None:
    """Append each chunk's text to ``into`` until the stream ends or fails."""
    for chunk in chunks:
        if isinstance(chunk, openai.types.chat.ChatCompletionChunk):
            into.append(chunk.choices[0].delta.content or "")
        else:
            into.append(str(getattr(chunk, "content", "")))


def chat_model(server: ScriptedOpenAIServer) -> ChatOpenAI:
    """A LangChain chat model for ``server``."""
    return ChatOpenAI(
        base_url=server.base_url,
        api_key="EMPTY",  # type: ignore[arg-type]
        model="scripted-model",
        timeout=2,
        max_retries=0,
        stream_usage=True,
    )


def test_plain_reply_and_recorded_request() -> None:
    with ScriptedOpenAIServer([Reply(text="Fisheries were agreed.")]) as server:
        completion = client(server).chat.completions.create(
            model="scripted-model", messages=MESSAGES
        )
        assert completion.choices[0].message.content == "Fisheries were agreed."
        assert completion.choices[0].finish_reason == "stop"
        assert completion.usage is not None
        assert completion.usage.total_tokens > 0
        assert len(server.requests) == 1
        assert server.requests[0]["messages"] == MESSAGES
        assert server.requests[0]["model"] == "scripted-model"


def test_default_reply_when_queue_is_empty() -> None:
    with ScriptedOpenAIServer(default=Reply(text="fallback")) as server:
        server.queue(Reply(text="first"))
        api = client(server)
        texts = [
            api.chat.completions.create(model="m", messages=MESSAGES).choices[0].message.content
            for _ in range(3)
        ]
        assert texts == ["first", "fallback", "fallback"]


def test_stream_pieces_in_order_with_usage() -> None:
    with ScriptedOpenAIServer([Reply(text="The two ministers agreed.")]) as server:
        stream = client(server).chat.completions.create(
            model="scripted-model",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
        pieces: list[str] = []
        roles: list[str | None] = []
        finish: list[str | None] = []
        usage = None
        for chunk in stream:
            assert chunk.object == "chat.completion.chunk"
            if chunk.usage is not None:
                assert chunk.choices == []
                usage = chunk.usage
                continue
            choice = chunk.choices[0]
            roles.append(choice.delta.role)
            finish.append(choice.finish_reason)
            if choice.delta.content:
                pieces.append(choice.delta.content)
        assert pieces == ["The ", "two ", "ministers ", "agreed."]
        assert "".join(pieces) == "The two ministers agreed."
        assert roles[0] == "assistant"
        assert set(roles[1:]) == {None}
        assert finish[-1] == "stop"
        assert usage is not None
        assert usage.completion_tokens == 4
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
        assert server.requests[0]["stream"] is True


def test_stream_explicit_chunks_without_usage() -> None:
    with ScriptedOpenAIServer([Reply(chunks=["Fi", "sh", "eries"], chunk_delay_s=0.01)]) as server:
        stream = client(server).chat.completions.create(
            model="scripted-model", messages=MESSAGES, stream=True
        )
        chunks = list(stream)
        assert all(chunk.usage is None for chunk in chunks)
        assert [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content] == [
            "Fi",
            "sh",
            "eries",
        ]


def test_rate_limit_then_success_is_retried() -> None:
    replies = [Reply(status=429, headers={"retry-after-ms": "10"}), Reply(text="after retry")]
    with ScriptedOpenAIServer(replies) as server:
        completion = client(server, max_retries=2).chat.completions.create(
            model="scripted-model", messages=MESSAGES
        )
        assert completion.choices[0].message.content == "after retry"
        assert len(server.requests) == 2


def test_server_error_without_retries() -> None:
    with ScriptedOpenAIServer([Reply(status=500, error_message="boom")]) as server:
        with pytest.raises(openai.InternalServerError) as info:
            client(server).chat.completions.create(model="scripted-model", messages=MESSAGES)
        assert info.value.status_code == 500
        assert "boom" in str(info.value)
        assert len(server.requests) == 1


def test_cut_stream_raises_after_the_first_pieces() -> None:
    with ScriptedOpenAIServer([Reply(text="one two three four", cut_after=2)]) as server:
        stream = client(server).chat.completions.create(
            model="scripted-model", messages=MESSAGES, stream=True
        )
        received: list[str] = []
        with pytest.raises(openai.APIConnectionError) as info:
            drain(stream, received)
        # openai 3.x runs on httpx2: the cause is its RemoteProtocolError (incomplete chunked read).
        assert type(info.value.__cause__).__name__ == "RemoteProtocolError"
        assert received == ["one ", "two "]


def test_cut_stream_through_chat_openai() -> None:
    with ScriptedOpenAIServer([Reply(text="one two three four", cut_after=3)]) as server:
        received: list[str] = []
        # langchain_openai raises its OpenAIConnectionError, a subclass of APIConnectionError.
        with pytest.raises(openai.APIConnectionError):
            drain(chat_model(server).stream("hi"), received)
        assert received == ["one ", "two ", "three "]


def test_hanging_reply_times_out_and_stop_is_prompt() -> None:
    server = ScriptedOpenAIServer([Reply(hang=True)])
    with server:
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            client(server, timeout=0.5).chat.completions.create(
                model="scripted-model", messages=MESSAGES
            )
        assert time.monotonic() - started < 3
        stopping = time.monotonic()
        server.stop()
        assert time.monotonic() - stopping < 1
    server.stop()  # idempotent


def test_stop_releases_a_hanging_request_still_waiting() -> None:
    errors: list[BaseException] = []
    server = ScriptedOpenAIServer([Reply(hang=True)]).start()

    def call() -> None:
        try:
            client(server, timeout=5).chat.completions.create(model="m", messages=MESSAGES)
        except openai.APIError as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 2
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.requests
    server.stop()
    caller.join(timeout=2)
    assert not caller.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], openai.APIConnectionError)


def test_models_lists_the_model() -> None:
    with ScriptedOpenAIServer(model="my-model") as server:
        models = client(server).models.list()
        assert [model.id for model in models.data] == ["my-model"]
        assert server.requests == []


def test_unknown_path_is_404() -> None:
    with ScriptedOpenAIServer() as server:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{server.base_url}/nothing", timeout=2)
        assert info.value.code == 404
        assert b'"error"' in info.value.read()
        info.value.close()


def test_chat_openai_invoke_and_stream() -> None:
    with ScriptedOpenAIServer(
        [Reply(text="Plain answer."), Reply(text="Streamed answer here.")]
    ) as (server):
        llm = chat_model(server)
        assert llm.invoke("hi").content == "Plain answer."
        assert "".join(str(chunk.content) for chunk in llm.stream("hi")) == "Streamed answer here."
        assert server.requests[1]["stream"] is True
        assert server.requests[1]["stream_options"] == {"include_usage": True}
