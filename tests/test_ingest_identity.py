"""Who a document is for, and what it is: audiences at ingest, and duplicates under two names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index

BODY = "The two ministers agreed to cut the annual herring quota by 12 percent.\n"


def statement(title: str, audience: str | None = None, body: str = BODY) -> str:
    extra = f"audience: {audience}\n" if audience is not None else ""
    return f'---\ntitle: "{title}"\nissuer: "Ministry"\ndate: 2024-01-02\n{extra}---\n\n{body}'


def test_audience_from_front_matter_sidecar_or_the_ingest_default(
    tmp_path: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(statement("A", "team-a", "Alpha text."), encoding="utf-8")
    (folder / "b.md").write_text(statement("B", body="Bravo text."), encoding="utf-8")
    (folder / "b.meta.yaml").write_text("audience: team-b\n", encoding="utf-8")
    (folder / "c.md").write_text(statement("C", body="Charlie text."), encoding="utf-8")
    (folder / "d.html").write_text(
        '<html><head><title>D</title><meta name="audience" content="team-z"></head>'
        "<body><main><p>Delta text for everyone here.</p></main></body></html>",
        encoding="utf-8",
    )
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [folder], audience="desk")
        assert not report.errors, [f.message for f in report.errors]
        got = {d: e.meta.audience for d, e in index.documents().items()}
    # Front matter and sidecars win; the default fills the rest; a document's own metadata
    # (which its author controls) never sets who may read it.
    assert got == {"a.md": "team-a", "b.md": "team-b", "c.md": "desk", "d.html": "desk"}


def test_a_bad_audience_is_a_specific_error(
    tmp_path: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.md").write_text(statement("Bad", "team a/../b"), encoding="utf-8")
    (folder / "good.md").write_text(statement("Good", "team-a"), encoding="utf-8")
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [folder])
        [error] = report.errors
        assert "invalid audience" in error.message
        assert "front matter" in error.message
        assert set(index.documents()) == {"good.md"}


def test_cli_audience_option(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.md").write_text(statement("X"), encoding="utf-8")
    brief = str(Path(sys.executable).with_name("brief"))
    env = {**os.environ, "BRIEF_DATA_DIR": str(tmp_path / "store")}
    bad = subprocess.run(
        [brief, "ingest", "--audience", "no way", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1
    assert "invalid audience" in bad.stderr
    assert "Traceback" not in bad.stderr
    subprocess.run(
        [brief, "ingest", "--audience", "korea-desk", str(folder)], env=env, check=True, timeout=300
    )
    rows = json.loads(
        subprocess.run(
            [brief, "docs", "--json"], env=env, capture_output=True, text=True, timeout=300
        ).stdout
    )
    assert [(r["doc_id"], r["audience"]) for r in rows] == [("x.md", "korea-desk")]


def test_duplicates_are_stored_once_with_both_names(
    tmp_path: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "original.md").write_text(statement("Quota"), encoding="utf-8")
    (folder / "copy-of-original.md").write_text(statement("Quota"), encoding="utf-8")
    (folder / "other.md").write_text(statement("Other", body="A different text.\n"))
    with open_index(small_settings, embeddings) as index:
        first = ingest_paths(index, [folder])
        statuses = {f.doc_id: f.status for f in first.files}
        assert sorted(statuses.values()) == ["added", "added", "duplicate"]
        [dup] = [f for f in first.files if f.status == "duplicate"]
        assert "stored once, both names recorded" in dup.message
        docs = index.documents()
        assert len(docs) == 2
        [kept] = [e for e in docs.values() if e.aliases]
        assert set(kept.aliases) | {kept.doc_id} == {"original.md", "copy-of-original.md"}
        chunks = index.count()

        again = ingest_paths(index, [folder])  # idempotent: nothing added, still one copy
        assert again.total("chunks_added") == 0
        assert index.count() == chunks
        assert index.documents()[kept.doc_id].aliases == kept.aliases

        # The copy is edited: it becomes a document of its own, no longer an alias.
        alias = kept.aliases[0]
        (folder / alias).write_text(statement("Quota", body="An edited text.\n"), encoding="utf-8")
        ingest_paths(index, [folder])
        docs = index.documents()
        assert alias in docs
        assert docs[kept.doc_id].aliases == ()

        # The original goes away: its former twin stays as a document.
        (folder / kept.doc_id).unlink()
        ingest_paths(index, [folder])
        assert kept.doc_id not in index.documents()
        assert alias in index.documents()


@pytest.mark.parametrize("audiences", [("team-a", "team-b")])
def test_the_same_text_for_two_audiences_is_kept_twice(
    tmp_path: Path,
    small_settings: Settings,
    embeddings: OnnxMiniLMEmbeddings,
    audiences: tuple[str, str],
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, audience in zip(("one.md", "two.md"), audiences, strict=True):
        (folder / name).write_text(statement("Same", audience), encoding="utf-8")
    with open_index(small_settings, embeddings) as index:
        report = ingest_paths(index, [folder])
        assert [f.status for f in report.files] == ["added", "added"]
        assert {e.meta.audience for e in index.documents().values()} == set(audiences)


def test_files_below_a_root_are_named_by_their_relative_path(
    tmp_path: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    root = tmp_path / "uploads"
    for group in ("team-a", "team-b"):
        (root / group).mkdir(parents=True)
        (root / group / "note.md").write_text(statement(group, body=f"{group} text.\n"))
    with open_index(small_settings, embeddings) as index:
        for group in ("team-a", "team-b"):
            ingest_paths(
                index, [root / group / "note.md"], audience=group, force_audience=True, root=root
            )
        docs = index.documents()
        assert set(docs) == {"team-a/note.md", "team-b/note.md"}
        assert docs["team-b/note.md"].meta.audience == "team-b"
