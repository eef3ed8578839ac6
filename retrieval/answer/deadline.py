"""A time limit for a whole stream of tokens, however many requests and retries it takes."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def within(tokens: Iterator[T], seconds: float) -> Iterator[T]:
    """``tokens`` drawn in a worker thread, ending in ``TimeoutError`` once ``seconds`` have
    passed in all: the model's time limit is one limit for the whole answer, retries included,
    not one per request. Closing it tells the worker to close ``tokens`` at its next item."""
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in tokens:
                if stop.is_set():
                    break
                items.put(("item", item))
            items.put(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            items.put(("error", exc))
        finally:
            close = getattr(tokens, "close", None)
            if close is not None:
                close()

    deadline = time.monotonic() + seconds
    threading.Thread(target=work, daemon=True, name="model-stream").start()
    try:
        while True:
            try:
                kind, value = items.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"no complete answer within {seconds:g} s") from None
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
