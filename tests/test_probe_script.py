"""scripts/probe.py's probes (issue 17) against an in-process server: the cheap ones, so that the
script keeps working as the server changes. The full script is run by hand (see the README)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from brief.api.server import AnswerServer
from brief.service import BriefingService
from brief.web.markup import escape
from core.settings import load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests.test_server import TOKEN
from tests.test_server_access import ALICE, BOB, DOCUMENTS, PROBE, TOKENS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from probes import Probe, Result, Target, server
from probes.content import markdown_links


@pytest.fixture(scope="module")
def target(
    tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[Target]:
    """The group statements of test_server_access behind a real server, as the probes see it."""
    folder = tmp_path_factory.mktemp("probe-corpus")
    for name, (audience, title, date, text) in DOCUMENTS.items():
        front = f'---\ntitle: "{title}"\nissuer: "Ministry of Tests"\ndate: {date}\n'
        front += f"audience: {audience}\n" if audience else ""
        (folder / name).write_text(f"{front}---\n\n# {title}\n\n{text}\n", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path_factory.mktemp("probe-store"))
    with open_index(settings, embeddings) as index:
        assert not ingest_paths(index, [folder]).errors
        srv = AnswerServer(BriefingService(index), token=TOKEN, authenticate=TOKENS.get)
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        yield Target(
            url=srv.url,
            token=TOKEN,
            users={"team-a": ALICE, "team-b": BOB},
            hidden_word=PROBE,
        )
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def passed(results: list[Result]) -> None:
    assert results
    assert all(r.ok for r in results), "\n".join(r.line() for r in results)


@pytest.mark.parametrize(
    "probe",
    [
        server.no_token,
        server.group_tokens,
        server.hosts_and_origins,
        server.malformed_length,
        server.oversize,
    ],
)
def test_the_http_probes_pass(target: Target, probe: Probe) -> None:
    passed(probe(target))


def test_the_word_oracle_probe_passes(target: Target) -> None:
    results = server.word_oracle(target)
    passed(results)
    assert [r.name for r in results] == [
        "1 word oracle: /v1/ask",
        "1 word oracle: /v1/timeline",
        "1 word oracle: /v1/documents and /v1/doctor",
    ]


def test_a_probe_fails_when_what_it_sees_is_wrong(target: Target) -> None:
    """A token that sees another group's statements is a FAIL naming them, never a PASS."""
    swapped = Target(url=target.url, token=TOKEN, users={"team-a": BOB})
    [result] = server.group_tokens(swapped)
    assert result.ok is False
    assert result.line().startswith("FAIL 2 serve: group tokens see their groups — team-a: 200")
    assert "b-river.md" in result.detail
    assert "a-herring.md" in result.detail


def test_the_link_finder_sees_what_gfm_would_link() -> None:
    bare = "Notice https://evil.example.org/x, www.evil.org and a@b.org; [m](https://e.org)"
    assert markdown_links(bare) == [
        "https://evil.example.org/x,",
        "www.evil.org",
        "a@b.org",
        "https://e.org",
    ]
    assert markdown_links(escape(bare)) == []
