"""Probes of `brief serve` (issue 17, items 1, 2 and 8): who gets in, what each token sees, what
a user can learn of another group's words, the HTTP edge cases, load, and the commands that go
through the server while it holds the store."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

from probes import Result, Target, brief, call, call_json, check, raw, traceback_in

MADE_UP = "Drostgate"  # a word no statement holds, of the same shape as the hidden one
ASK_Q = "What was said about the {} Canal?"
TOPIC = "{} Canal navigation"


def _answer(target: Target, token: str, question: str) -> dict[str, Any]:
    status, body = call_json(target, "/v1/ask", body={"question": question}, token=token)
    if status != 200:
        raise RuntimeError(f"/v1/ask answered {status}: {body}")
    return dict(body)


def _restricted(target: Target) -> set[str]:
    """The documents a team-a user may not see, from the owner's listing."""
    _, body = call_json(target, "/v1/documents")
    return {d["doc_id"] for d in body["documents"] if d["audience"] not in ("", "team-a")}


def word_oracle(target: Target) -> list[Result]:
    """Item 1: a hidden word must read exactly like a made-up one, in every endpoint."""
    if not (target.hidden_word and "team-a" in target.users):
        return [Result("1 word oracle", None, "needs the probe's own store (run without --url)")]
    word, alice = target.hidden_word, target.users["team-a"]
    hidden_docs = _restricted(target)
    results = []

    def same(a: Any, b: Any) -> bool:
        return json.dumps(a).replace(word, MADE_UP) == json.dumps(b)

    problems = []
    hidden = _answer(target, alice, ASK_Q.format(word))
    made_up = _answer(target, alice, ASK_Q.format(MADE_UP))
    note = f"no indexed statement mentions: {word}"
    if not any(note in n for n in hidden["notes"]):
        problems.append(f"no '{note}' note: {hidden['notes']}")
    for key in ("notes", "refused", "not_stated"):
        if not same(hidden[key], made_up[key]):
            problems.append(f"{key} differ: {hidden[key]} vs {made_up[key]}")
    if [c["doc_id"] for c in hidden["citations"]] != [c["doc_id"] for c in made_up["citations"]]:
        problems.append("the two answers cite different statements")
    shown = json.dumps([hidden[k] for k in ("citations", "passages", "sentences", "changes")])
    if word in shown or any(d in shown for d in hidden_docs):
        problems.append("a citation or passage holds the hidden word or a hidden statement")
    if "team-b" in target.users:  # the control: the word is there, for those who may see it
        owner = _answer(target, target.users["team-b"], ASK_Q.format(word))
        if not any(c["doc_id"] in hidden_docs for c in owner["citations"]):
            problems.append("control failed: team-b's own question does not cite its statement")
    results.append(
        check(
            "1 word oracle: /v1/ask",
            problems,
            f"'{word}' (team-b only) and '{MADE_UP}' (made up) get the same notes "
            f"({len(hidden['notes'])}), refusal and {len(hidden['citations'])} citation(s); "
            "team-b's token gets its statement cited",
        )
    )

    problems = []
    timelines = []
    for w in (word, MADE_UP):
        status, found = call_json(
            target, "/v1/timeline", body={"topic": TOPIC.format(w)}, token=alice
        )
        if status != 200:
            raise RuntimeError(f"/v1/timeline answered {status}")
        timelines.append(found)
    a, b = timelines
    if not same(a["notes"], b["notes"]) or a["considered"] != b["considered"]:
        problems.append(f"notes or documents considered differ: {a['notes']} vs {b['notes']}")
    if [e["doc_id"] for e in a["entries"]] != [e["doc_id"] for e in b["entries"]]:
        problems.append("the two timelines list different statements")
    if word in json.dumps(a["entries"]) or any(e["doc_id"] in hidden_docs for e in a["entries"]):
        problems.append("an entry holds the hidden word or a hidden statement")
    results.append(
        check(
            "1 word oracle: /v1/timeline",
            problems,
            f"same notes, {len(a['entries'])} entries and {a['considered']} documents considered",
        )
    )

    problems = []
    status, listed = call_json(target, "/v1/documents", token=alice)
    rows = listed["documents"]
    if word in json.dumps(listed) or {d["doc_id"] for d in rows} & hidden_docs:
        problems.append("alice's listing shows a team-b statement or its word")
    status, report = call_json(target, "/v1/doctor", token=alice)
    visible = sum(d["chunks"] for d in rows)
    detail = report["checks"][0]["detail"] if report and report.get("checks") else str(report)
    if not detail.startswith(f"{visible:,} chunks visible to you"):
        problems.append(f"doctor says '{detail}', her documents hold {visible} chunks")
    if word in json.dumps(report):
        problems.append("doctor's report holds the hidden word")
    results.append(
        check(
            "1 word oracle: /v1/documents and /v1/doctor",
            problems,
            f"{len(rows)} documents listed, doctor counts {visible} chunks visible (her own)",
        )
    )
    return results


def no_token(target: Target) -> list[Result]:
    """Item 2: every request but health needs a valid bearer token."""
    problems = []
    asks = {"/v1/ask": {"question": "x"}, "/v1/timeline": {"topic": "x"}}
    for path in ("/v1/documents", "/v1/doctor", "/v1/ask", "/v1/timeline"):
        for token in (None, "not-a-token"):
            status, body, headers = call(target, path, body=asks.get(path), token=token)
            if status != 401 or headers.get("www-authenticate") != "Bearer":
                problems.append(f"{path} with token {token!r}: {status}")
            if b"doc_id" in body:
                problems.append(f"{path} leaked documents")
    health = call(target, "/v1/health", token=None)[0]
    if health != 200:
        problems.append(f"/v1/health without a token: {health}")
    return [check("2 serve: no or wrong token → 401", problems, "4 endpoints × 2, health 200")]


def group_tokens(target: Target) -> list[Result]:
    """Item 2: a state-database token sees its group's documents and the no-audience ones."""
    if not target.users:
        return [Result("2 serve: group tokens", None, "no group tokens (run without --url)")]
    _, owner = call_json(target, "/v1/documents")
    problems, counts = [], []
    for group, token in sorted(target.users.items()):
        status, body = call_json(target, "/v1/documents", token=token)
        seen = {d["doc_id"] for d in body["documents"]} if status == 200 else set()
        allowed = {d["doc_id"] for d in owner["documents"] if d["audience"] in ("", group)}
        if status != 200 or seen != allowed:
            problems.append(f"{group}: {status}, sees {sorted(seen ^ allowed)} wrongly")
        counts.append(f"{group} {len(seen)}/{len(owner['documents'])}")
    return [check("2 serve: group tokens see their groups", problems, ", ".join(counts))]


def revoked_token(target: Target) -> list[Result]:
    """Item 2: a token revoked with the CLI while the server runs is refused at once."""
    token_id, secret = target.revocable
    if not secret:
        return [Result("2 serve: revoked token → 401", None, "no token to revoke (--url)")]
    before = call(target, "/v1/documents", token=secret)[0]
    done = brief(target, "token", "revoke", token_id)
    after = call(target, "/v1/documents", token=secret)[0]
    problems = [] if done.returncode == 0 else [f"revoke failed: {done.stderr.decode()[:200]}"]
    if (before, after) != (200, 401):
        problems.append(f"before revoking {before}, after {after}")
    return [
        check(
            "2 serve: revoked token → 401", problems, "200 before `brief token revoke`, 401 after"
        )
    ]


def hosts_and_origins(target: Target) -> list[Result]:
    """Item 2: a foreign Host header (DNS rebinding) or a web page of another origin: 403."""
    auth = f"Authorization: Bearer {target.token}\r\n".encode()
    host = target.authority
    cases = {
        "Host evil.example": b"GET /v1/documents HTTP/1.1\r\nHost: evil.example:%d\r\n%s"
        b"Connection: close\r\n\r\n" % (target.port, auth),
        "Origin evil.example": b"GET /v1/documents HTTP/1.1\r\nHost: %s\r\n"
        b"Origin: http://evil.example\r\n%sConnection: close\r\n\r\n" % (host, auth),
        "Origin on a POST": b"POST /v1/ask HTTP/1.1\r\nHost: %s\r\n"
        b"Origin: http://evil.example\r\n%sContent-Type: application/json\r\n"
        b'Content-Length: 17\r\nConnection: close\r\n\r\n{"question": "x"}' % (host, auth),
    }
    problems = []
    for name, request in cases.items():
        reply = raw(target, request)
        if not reply.startswith(b"HTTP/1.1 403") or b"doc_id" in reply:
            problems.append(f"{name}: {reply[:40]!r}")
    return [check("2 serve: foreign Host or Origin → 403", problems, "3 requests refused")]


def malformed_length(target: Target) -> list[Result]:
    """Item 2: a Content-Length that is no number is a 400 at once, not a hang."""
    problems, elapsed = [], 0.0
    for length in (b"abc", b"-5", b"1x"):
        request = (
            b"POST /v1/ask HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
            b"Content-Length: %s\r\n\r\n{}" % (target.authority, target.token.encode(), length)
        )
        started = time.monotonic()
        try:
            reply = raw(target, request, timeout=10)
        except TimeoutError:
            problems.append(f"Content-Length {length.decode()}: no reply in 10 s")
            continue
        if not reply.startswith(b"HTTP/1.1 400"):
            problems.append(f"Content-Length {length.decode()}: {reply[:40]!r}")
        elapsed = max(elapsed, time.monotonic() - started)
    detail = f"3 bad lengths answered 400 (slowest in {elapsed * 1000:.0f} ms)"
    return [check("2 serve: malformed Content-Length → 400", problems, detail)]


def oversize(target: Target) -> list[Result]:
    """Item 2: a body over 64 KB (declared or chunked) is a 413."""
    problems = []
    status, body, _ = call(target, "/v1/ask", body={"question": "x" * 70_000})
    if status != 413:
        problems.append(f"70 KB body: {status} {body[:80]!r}")
    chunk = b"x" * 40_000
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    reply = raw(
        target,
        b"POST /v1/ask HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n%s"
        % (target.authority, target.token.encode(), chunked),
    )
    if not reply.startswith(b"HTTP/1.1 413"):
        problems.append(f"120 KB chunked body: {reply[:40]!r}")
    return [check("2 serve: oversize body → 413", problems, "70 KB declared and 120 KB chunked")]


def many_clients(target: Target, clients: int = 200, asks: int = 20) -> list[Result]:
    """Item 2: 200 connections open at once (health) plus 20 questions: all 200, no reset."""
    request = b"GET /v1/health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
    outcomes: list[str] = []
    questions: list[int | str] = []

    def one_ask(i: int) -> None:
        try:
            status = call(target, "/v1/ask", body={"question": f"What about herring? ({i})"})[0]
            questions.append(status)
        except Exception as exc:
            questions.append(type(exc).__name__)

    started = time.monotonic()
    askers = [threading.Thread(target=one_ask, args=(i,)) for i in range(asks)]
    for t in askers:
        t.start()
    socks = []
    try:
        for _ in range(clients):  # every connection open before any request is sent
            socks.append(socket.create_connection((target.host, target.port), timeout=60))
        for s in socks:
            s.sendall(request % target.authority)
        for s in socks:
            try:
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
                outcomes.append(data[:12].decode("latin-1"))
            except OSError as exc:
                outcomes.append(type(exc).__name__)
    finally:
        for s in socks:
            s.close()
    for t in askers:
        t.join(timeout=600)
    wall = time.monotonic() - started
    bad = [o for o in outcomes if o != "HTTP/1.1 200"] + [q for q in questions if q != 200]
    problems = [f"{len(bad)} failures: {sorted(set(map(str, bad)))}"] if bad else []
    if len(outcomes) < clients:
        problems.append(f"only {len(outcomes)} of {clients} connections answered")
    return [
        check(
            f"2 serve: {clients} connections at once",
            problems,
            f"{clients} health checks and {asks} questions all 200, no reset, {wall:.1f} s",
        )
    ]


def served_commands(target: Target) -> list[Result]:
    """Item 8: `brief docs` and `brief doctor` work while `brief serve` holds the store."""
    problems = []
    docs = brief(target, "docs", "--json")
    doctor = brief(target, "doctor")
    for name, out in (("docs", docs), ("doctor", doctor)):
        text = (out.stdout + out.stderr).decode("utf-8", "replace")
        if out.returncode != 0 or "busy" in text or traceback_in(text):
            problems.append(f"brief {name}: exit {out.returncode}: {text.strip()[:200]}")
    listed = len(json.loads(docs.stdout)) if docs.returncode == 0 else 0
    _, owner = call_json(target, "/v1/documents")
    if docs.returncode == 0 and listed != len(owner["documents"]):
        problems.append(f"brief docs lists {listed}, the server {len(owner['documents'])}")
    if b"checked by the running `brief serve`" not in doctor.stdout:
        problems.append("brief doctor did not go through the server")
    detail = f"docs lists {listed} documents, doctor checked by the running server, healthy"
    return [check("8 docs and doctor while serving", problems, detail)]
