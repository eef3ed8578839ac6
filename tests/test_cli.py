"""The ``brief`` command end to end, as a user runs it (subprocesses, real store)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

BRIEF = [sys.executable, "-m", "brief.cli"]


def brief(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BRIEF, *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_ask_json_and_reingest(small_corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "store"
    first = brief("ingest", str(small_corpus), data_dir=data)
    assert first.returncode == 0, first.stderr
    assert "2 files ingested" in first.stdout
    assert "added" in first.stdout

    again = brief("ingest", str(small_corpus), data_dir=data)
    assert "0 added" in again.stdout
    assert "unchanged" in again.stdout

    asked = brief(
        "ask", "What did the ministers agree on the herring quota?", "--json", data_dir=data
    )
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["refused"] is False
    assert answer["citations"][0]["doc_id"] == "2021-03-04-fisheries.md"
    assert "12 percent" in answer["text"]
    assert answer["passages"]
    body = (small_corpus / "2021-03-04-fisheries.md").read_text()
    for c in answer["citations"]:
        assert c["quote"] in body

    filtered = brief("ask", "herring quota", "--json", "--issuer", "Sylvania", data_dir=data)
    passages = json.loads(filtered.stdout)["passages"]
    assert {p["chunk"]["doc_id"] for p in passages} == {"2023-09-10-river.md"}

    human = brief("ask", "Where does the joint commission meet?", data_dir=data)
    assert "Marrow" in human.stdout
    assert "[1]" in human.stdout

    docx_file = tmp_path / "brief.docx"
    written = brief(
        "ask", "Where does the joint commission meet?", "--docx", str(docx_file), data_dir=data
    )
    assert written.returncode == 0, written.stderr
    assert written.stdout == human.stdout  # the usual answer, and the file beside it
    assert f"wrote {docx_file}" in written.stderr
    with zipfile.ZipFile(docx_file) as package:
        body = package.read("word/document.xml").decode()
        notes = package.read("word/footnotes.xml").decode()
    assert "Marrow" in body
    quoted = next(ln.strip() for ln in human.stdout.splitlines() if ln.startswith("    “"))
    assert quoted.strip("“”") in notes  # each citation's quote is a footnote
    assert not list(tmp_path.glob("*.partial"))

    nowhere = brief("ask", "herring", "--docx", str(tmp_path / "no" / "b.docx"), data_dir=data)
    assert nowhere.returncode == 1
    assert "does not exist" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr

    # Each answer given here is in the audit trail, to the local user (the refused .docx: not).
    exported = brief("audit", "export", data_dir=data)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["question"] for r in records] == [
        "What did the ministers agree on the herring quota?",
        "herring quota",
        "Where does the joint commission meet?",
        "Where does the joint commission meet?",
    ]
    assert {r["user_id"] for r in records} == {"local"}
    assert records[1]["filters"]["issuers"] == ["Sylvania"]
    assert records[0]["citations"][0]["doc_id"] == "2021-03-04-fisheries.md"


def test_a_bad_file_fails_the_ingest_but_the_others_are_stored(
    small_corpus: Path, tmp_path: Path
) -> None:
    data = tmp_path / "store"
    (small_corpus / "empty.md").write_bytes(b"")
    partial = brief("ingest", str(small_corpus), data_dir=data)
    assert partial.returncode == 1  # a script running the ingest sees the failure
    assert "empty.md: the file is empty" in partial.stderr
    assert "2 files ingested, 1 errors" in partial.stdout
    assert "Traceback" not in partial.stderr
    asked = brief("ask", "What did the ministers agree on the herring quota?", data_dir=data)
    assert asked.returncode == 0, asked.stderr
    assert "12 percent" in asked.stdout


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    data = tmp_path / "store"
    missing = brief("ingest", str(tmp_path / "nope"), data_dir=data)
    assert "no such file or folder" in missing.stderr
    assert "Traceback" not in missing.stderr + missing.stdout
    assert missing.returncode == 1

    bad_date = brief("ask", "anything", "--from", "2023-13-45", data_dir=data)
    assert bad_date.returncode != 0
    assert "not a date" in bad_date.stderr
    assert "Traceback" not in bad_date.stderr

    empty = brief("ask", "   ", data_dir=data)
    assert empty.returncode == 1
    assert "question is empty" in empty.stderr

    env_typo = subprocess.run(
        [*BRIEF, "docs"],
        capture_output=True,
        text=True,
        env={"BRIEF_TOPK": "3", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert env_typo.returncode == 1
    assert "did you mean BRIEF_TOP_K" in env_typo.stderr
    assert "Traceback" not in env_typo.stderr


def test_eval_writes_the_shared_results_format(small_corpus: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        """
- id: t1
  question: "By how much will the herring quota be cut?"
  category: single_doc
  answerable: true
  history: []
  gold:
    - doc: 2021-03-04-fisheries.md
      quote: "The two ministers agreed to cut the annual herring quota by 12 percent."
  key_facts: [["12 percent"]]
- id: t2
  question: "What did the treaty say about lunar mining rights on Europa?"
  category: unanswerable
  answerable: false
  history: []
  gold: []
  key_facts: []
""",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    proc = brief(
        "eval",
        "--questions",
        str(questions),
        "--out",
        str(out),
        "--corpus",
        str(small_corpus),
        data_dir=tmp_path / "store",
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [x["id"] for x in lines] == ["t1", "t2"]
    for x in lines:
        shared = {"id", "answer", "refused", "citations", "retrieved", "latency_s"}
        assert set(x) - {"not_stated"} == shared  # not_stated: optional in the shared format
        for c in x["citations"]:
            assert set(c) == {"doc", "text"}
    assert lines[0]["refused"] is False
    assert "12 percent" in lines[0]["answer"]
    assert lines[1]["refused"] is True
    assert lines[1]["not_stated"] == [
        "What did the treaty say about lunar mining rights on Europa?"
    ]
    assert "not_stated" not in lines[0]
    scores = json.loads((out / "scores.json").read_text())
    assert scores["overall"]["hit@5"] == 1.0
    assert scores["overall"]["key_fact_recall"] == 1.0
    assert scores["overall"]["refusal_recall"] == 1.0
    assert "hit@5 1.00" in proc.stdout


def test_escape_sequences_from_documents_never_reach_the_terminal(tmp_path: Path) -> None:
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    osc = "\x1b]0;pwned\x07"
    front = '---\ntitle: "Harbour \\e]0;pwned\\aNotice"\nissuer: "Port \\e[31mAuthority"\n'
    body = (
        f"The harbour authority will dredge the \x1b[2Jnorth channel in {osc}spring 2024 \x9b31m."
    )
    (corpus / "2024-01-01-hostile.md").write_text(
        f"{front}date: 2024-01-01\n---\n\n{body}\n", encoding="utf-8"
    )
    data = tmp_path / "store"
    assert brief("ingest", str(corpus), data_dir=data).returncode == 0
    for extra in ([], ["--markdown"], ["--json"]):
        out = brief("ask", "When will the north channel be dredged?", *extra, data_dir=data)
        assert out.returncode == 0, out.stderr
        for stream in (out.stdout, out.stderr):
            assert "\x1b" not in stream
            assert "\x07" not in stream
            assert "\x9b" not in stream
        if extra == ["--json"]:
            answer = json.loads(out.stdout)  # still valid JSON, the text intact inside
            assert "\x1b]0;pwned\x07" in answer["citations"][0]["quote"]
        elif extra == ["--markdown"]:  # shown, visibly, its bracket escaped as Markdown text
            assert "\\x1b\\]0;pwned\\x07" in out.stdout
        else:
            assert "\\x1b]0;pwned\\x07" in out.stdout  # shown, visibly
    listing = brief("docs", data_dir=data)
    assert "\x1b" not in listing.stdout
    assert "Harbour \\x1b]0;pwned\\x07Notice" in listing.stdout
