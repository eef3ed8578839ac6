"""The answering server's HTTP API (FastAPI): health, documents, ask, timeline, doctor under /v1.

Every endpoint but health answers for the caller ``Guard`` identified, through the service over
what that caller may see (one per distinct set of groups). Questions are answered one at a time
(the store and the model are shared): waiting requests hold no thread, only a place in the
queue, so health checks and document lists are answered at once however many wait.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Callable, Iterable
from typing import Annotated, Any, Protocol, TypeVar

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from brief.access import RateLimitedError, RateLimiter, User
from brief.api.guards import INTERNAL_ERROR, Authenticator, Guard
from brief.api.models import (
    AskRequest,
    DoctorReport,
    Documents,
    ErrorBody,
    Health,
    TimelineRequest,
    document_rows,
    one_line,
)
from brief.service import BriefingService, QuestionError, ScopedServices
from brief.state.audit import AuditRecord
from core.answers import Answer
from core.errors import BriefError
from retrieval.answer.timeline import Timeline
from retrieval.store.health import run_checks

MAX_BODY_BYTES = 64 * 1024
NDJSON = "application/x-ndjson"
PUBLIC_PATHS = ("/v1/health", "/openapi.json")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": what}
    for code, what in {
        400: "The question or topic cannot be asked (empty, too long).",
        401: "No valid bearer token.",
        403: "Addressed to another host name, or sent by a web page of another origin.",
        413: f"The body is larger than {MAX_BODY_BYTES} bytes.",
        422: "The body is not valid JSON or not of the expected shape (the field is named).",
        429: "Too many questions: wait and ask again.",
        500: "Unexpected failure (the details are in the server's log).",
    }.items()
}

log = logging.getLogger("brief.api")
T = TypeVar("T")


class Limiter(Protocol):
    """Questions per user (the state database's ``RateLimits``, shared by replicas, or the
    in-process ``RateLimiter``)."""

    def take(self, user_id: str) -> None:
        """Spend one question, or raise ``RateLimitedError``."""


class Answering:
    """What the endpoints share: a service per view, the one-at-a-time turn, the hooks."""

    def __init__(
        self,
        service: BriefingService,
        audit: Callable[[AuditRecord], object] | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.services = ScopedServices(service)
        self.audit = audit
        self.limiter = limiter or RateLimiter(service.settings.rate_limit_per_minute)
        self.turn = asyncio.Semaphore(1)

    async def run(self, func: Callable[[], T], request: Request | None = None) -> T:
        """``func()`` in a worker thread when its turn comes (one at a time).

        A caller that hung up while waiting (``request`` given) is not worked for.
        """
        async with self.turn:
            if request is not None and await request.is_disconnected():
                raise ClientGone
            return await anyio.to_thread.run_sync(func)

    def record(self, user: User, request: AskRequest, answer: Answer) -> None:
        """Give the audit hook the answer just given (a failing hook is logged, not shown).

        Called in a worker thread during the answer's turn: one call at a time.
        """
        if self.audit is None:
            return
        try:
            self.audit(AuditRecord.from_answer(answer, user))
        except Exception:
            log.exception("the audit hook failed")

    async def stream(self, user: User, request: AskRequest) -> AsyncGenerator[bytes, None]:
        """NDJSON lines of one answer: tokens, then the answer (or one error line).

        The turn is taken when the first line is wanted and held to the last line or a hang-up.
        """
        service = self.services.for_user(user)
        async with self.turn:
            events = service.stream(
                request.question, request.history, request.filters, request.answerer
            )
            try:
                while (event := await anyio.to_thread.run_sync(next, events, None)) is not None:
                    if isinstance(event, Answer):
                        await anyio.to_thread.run_sync(self.record, user, request, event)
                        yield _line({"answer": event.model_dump(mode="json")})
                    else:
                        yield _line({"token": event})
            except Exception:
                log.exception("streaming an answer failed")
                yield _line({"error": INTERNAL_ERROR})
            finally:
                with anyio.CancelScope(shield=True):  # a hang-up: stop generating, then free
                    await anyio.to_thread.run_sync(events.close)


class ClientGone(Exception):  # noqa: N818 (not an error: the caller left)
    """The caller hung up before its turn came."""


class ClosingStream(StreamingResponse):
    """A streamed response that always closes its lines, even when the client hangs up first
    (so the turn an answer holds is given back at once, not when the garbage is collected)."""

    body_iterator: AsyncGenerator[bytes, None]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


def _line(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode() + b"\n"


def _json(payload: Any, status: int = 200) -> Response:
    """A JSON response of data already made plain (no second validation)."""
    return Response(json.dumps(payload, ensure_ascii=False), status, media_type="application/json")


BEARER = HTTPBearer(
    auto_error=False,
    description="The server's owner token (in DATA_DIR/server.json, for `brief` on the same "
    "machine) or a user's token.",
)


def caller(
    request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> User:
    """The user ``Guard`` identified from the bearer token (declared here for the schema)."""
    user: User = request.state.user
    return user


Caller = Annotated[User, Depends(caller)]


def create_app(
    service: BriefingService,
    authenticator: Authenticator,
    *,
    audit: Callable[[AuditRecord], object] | None = None,
    limiter: Limiter | None = None,
    allowed_hosts: Iterable[str] = (),
    max_body: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The API over ``service``: callers identified by ``authenticator``, answers audited."""
    app = FastAPI(
        title="Briefing assistant",
        version="1",
        summary="Cited answers from diplomatic statements: every quote verbatim, with its source.",
        docs_url=None,  # the interactive pages load scripts from a CDN: none offline
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    answering = Answering(service, audit, limiter)
    app.state.answering = answering

    @app.get("/v1/health", response_model=Health, tags=["server"])
    async def health() -> Health:
        """The server is up (no token needed; it says nothing else)."""
        return Health()

    @app.get("/v1/documents", response_model=Documents, responses=ERRORS, tags=["corpus"])
    async def documents(user: Caller) -> Response:
        """The indexed documents the caller may see, oldest first."""
        view = answering.services.for_user(user).index
        rows = await anyio.to_thread.run_sync(
            lambda: document_rows(view.documents().values(), paths=user.all_access)
        )
        return _json({"documents": rows})

    @app.get("/v1/doctor", response_model=DoctorReport, responses=ERRORS, tags=["corpus"])
    async def doctor(user: Caller) -> Response:
        """The store's checks, as ``brief doctor`` makes them (counting what the caller sees)."""
        view = answering.services.for_user(user).index
        checks = await answering.run(lambda: run_checks(view, whole_store=user.all_access))
        return _json({"ok": all(c.ok for c in checks), "checks": [c.to_dict() for c in checks]})

    @app.post(
        "/v1/ask",
        response_model=Answer,
        responses={
            **ERRORS,
            200: {
                "description": "The answer; with stream: true, NDJSON lines "
                '{"token": ...} as it is written, then {"answer": {...}}.',
                "content": {NDJSON: {"schema": {"type": "string"}}},
            },
        },
        tags=["answers"],
    )
    async def ask(body: AskRequest, user: Caller, request: Request) -> Response:
        """Answer a question with cited, verbatim quotes."""
        if not user.all_access:
            await anyio.to_thread.run_sync(answering.limiter.take, user.id)
        service = answering.services.for_user(user)
        service.check(body.question, body.answerer)  # a question that cannot be asked: 400
        if body.stream:
            return ClosingStream(answering.stream(user, body), media_type=NDJSON)

        def answer_and_record() -> Answer:
            found = service.ask(body.question, body.history, body.filters, body.answerer)
            answering.record(user, body, found)
            return found

        try:
            answer = await answering.run(answer_and_record, request)
        except ClientGone:
            return _json({"error": "the client went away"}, 499)
        return Response(answer.model_dump_json(), media_type="application/json")

    @app.post("/v1/timeline", response_model=Timeline, responses=ERRORS, tags=["answers"])
    async def timeline(body: TimelineRequest, user: Caller) -> Response:
        """The statements that address a topic, oldest first, one quoted sentence each."""
        service = answering.services.for_user(user)
        found = await answering.run(lambda: service.timeline(body.topic, body.filters))
        return Response(found.model_dump_json(), media_type="application/json")

    _handle_errors(app)
    app.add_middleware(
        Guard,
        authenticator=authenticator,
        allowed_hosts=allowed_hosts,
        max_body=max_body,
        public_paths=PUBLIC_PATHS,
    )
    return app


def _handle_errors(app: FastAPI) -> None:
    """Every error as ``{"error": "one line"}`` with its status."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"error": one_line(exc.errors())}, 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            message = f"no such endpoint: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        else:
            message = str(exc.detail).splitlines()[0] if exc.detail else "error"
        return JSONResponse({"error": message}, exc.status_code, headers=exc.headers)

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, exc: QuestionError) -> Response:
        return JSONResponse({"error": str(exc).splitlines()[0]}, 400)

    @app.exception_handler(RateLimitedError)
    async def too_many(request: Request, exc: RateLimitedError) -> Response:
        return JSONResponse({"error": str(exc)}, 429)

    @app.exception_handler(BriefError)
    async def unavailable(request: Request, exc: BriefError) -> Response:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"error": str(exc).splitlines()[0]}, 503)
