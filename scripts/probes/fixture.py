"""The probes' own world: a temporary store of invented statements (two groups' restricted ones,
a public one, one with bare addresses, one with terminal escapes) and a few of the sample corpus,
tokens made with `brief token create`, a scripted model endpoint, and `brief serve` on a free
port. Everything is made with the `brief` command, as a new user would."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from probes import BRIEF, ROOT, Target, brief, clean_env

HIDDEN = "Vellmoor"  # the word only the team-b statement holds
CORPUS = ROOT.parent / "shared" / "corpus"
FROM_CORPUS = (
    "2018-06-12-singapore-joint-statement.md",
    "2023-04-26-washington-declaration.md",
    "2023-07-18-us-rok-ncg-inaugural-meeting-joint-readout.md",
)
LLM_TIMEOUT_S = 3.0

STATEMENTS = {
    "team-a-herring.md": (
        'title: "Fisheries Statement"\nissuer: "Ministry of Tests"\ndate: 2025-03-01\n'
        "audience: team-a\n",
        "The two ministers agreed to cut the annual herring quota by 12 percent. "
        "They will review the quota of the northern waters every two years.",
    ),
    "team-b-canal.md": (
        'title: "River Navigation Declaration"\nissuer: "Ministry of Tests"\ndate: 2025-06-01\n'
        "audience: team-b\n",
        f"The governments declared the {HIDDEN} Canal open to commercial navigation from "
        f"1 May 2026. Tolls on the {HIDDEN} Canal will be set by a joint commission.",
    ),
    "public-alliance.md": (
        'title: "Alliance Statement"\nissuer: "Ministry of Tests"\ndate: 2025-09-01\n',
        "The alliance partners reaffirmed their commitment to peace and to navigation on open "
        "waters.",
    ),
    "links.md": (
        'title: "Harbour Notice https://evil.example.org/phish"\nissuer: "www.evil-issuer.org"\n'
        "date: 2025-04-02\nsource_url: https://example.org/harbour-notice\n",
        "The harbour committee approved the repair of the lighthouse at Cape Orm in March 2025. "
        "Questions go to https://evil.example.org/body or to press@evil.example.org.",
    ),
    "hostile-terminal.md": (
        'title: "Harbour \\e]0;pwned\\aNotice"\nissuer: "Port \\e[31mAuthority"\n'
        "date: 2024-01-01\n",
        "The harbour authority will dredge the \x1b[31mnorth channel\x1b[0m in "
        "\x1b]0;pwned\x07spring 2024.",
    ),
}


def write_corpus(folder: Path) -> list[str]:
    """The invented statements and a few of the sample corpus, in ``folder``; their names."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (front, body) in STATEMENTS.items():
        (folder / name).write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
    for name in FROM_CORPUS:
        if (CORPUS / name).is_file():
            shutil.copy(CORPUS / name, folder / name)
    return sorted(p.name for p in folder.iterdir())


def create_token(target: Target, user: str, group: str) -> tuple[str, str]:
    """``brief token create``: the token's id and secret."""
    out = brief(target, "token", "create", "--user", user, "--group", group)
    if out.returncode != 0:
        raise RuntimeError(f"brief token create failed: {out.stderr.decode()[:300]}")
    said = out.stderr.decode()
    token_id = said.split("created ", 1)[1].split()[0]
    return token_id, out.stdout.decode().strip()


@contextmanager
def local_target(work: Path, log: list[str]) -> Iterator[Target]:
    """A store built with `brief ingest`, tokens, a scripted model and `brief serve` on it."""
    from brief.api.client import running_server
    from tests.scripted_openai import ScriptedOpenAIServer

    data_dir, corpus = work / "store", work / "corpus"
    names = write_corpus(corpus)
    target = Target(url="", token="", data_dir=data_dir, env=clean_env(), work=work)
    started = time.monotonic()
    ingested = brief(target, "ingest", str(corpus))
    if ingested.returncode != 0:
        raise RuntimeError(f"brief ingest failed: {ingested.stderr.decode()[-400:]}")
    log.append(f"ingested {len(names)} files in {time.monotonic() - started:.0f} s")
    target.users = {
        group: create_token(target, f"{user}@probe.example", group)[1]
        for user, group in (("alice", "team-a"), ("bob", "team-b"))
    }
    target.revocable = create_token(target, "carol@probe.example", "team-a")
    target.hidden_word = HIDDEN
    llm = ScriptedOpenAIServer().start()
    target.llm, target.llm_timeout_s = llm, LLM_TIMEOUT_S
    serve_env = clean_env(
        {
            "BRIEF_LLM_BASE_URL": llm.base_url,
            "BRIEF_LLM_TIMEOUT_S": str(LLM_TIMEOUT_S),
            "BRIEF_LLM_MAX_RETRIES": "2",
            "BRIEF_RATE_LIMIT_PER_MINUTE": "600",
        }
    )
    server_log = (work / "serve.log").open("wb")
    proc = subprocess.Popen(
        [BRIEF, "serve", "--port", "0", "--data-dir", str(data_dir)],
        env=serve_env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while (found := running_server(data_dir)) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (work / "serve.log").read_text(errors="replace")[-400:]
                raise RuntimeError(f"brief serve did not start: {tail}")
            time.sleep(0.3)
        target.url, target.token = found.url, found.token
        log.append(f"brief serve on {found.url} (pid {proc.pid})")
        yield target
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        server_log.close()
        llm.stop()
        log.append(f"brief serve stopped (exit {proc.returncode})")
