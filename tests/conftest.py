"""Shared fixtures: the real embedding model, real Chroma in temporary folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brief.service import BriefingService
from core.settings import Settings, load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex, open_index
from tests.postgres import MISSING, Cluster, server_bin

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL server for the session (skipped where Debian's server binaries are
    absent, but never in CI, where `make test` installs them)."""
    bin_dir = server_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    cluster = Cluster.start(bin_dir)
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty state database: a SQLite file, or a new database on the test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state' / 'app.sqlite'}"
        return
    cluster: Cluster = request.getfixturevalue("postgres")
    name = cluster.create_database()
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture(scope="session")
def embeddings() -> OnnxMiniLMEmbeddings:
    """One model instance for the whole run."""
    return OnnxMiniLMEmbeddings()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared sample corpus."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at a session-wide store of the sample corpus."""
    return load_settings(data_dir=tmp_path_factory.mktemp("corpus-store"))


@pytest.fixture(scope="session")
def corpus_index(
    corpus_settings: Settings, corpus_dir: Path, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[StatementIndex]:
    """The sample corpus, ingested once."""
    with open_index(corpus_settings, embeddings) as index:
        report = ingest_paths(index, [corpus_dir])
        assert not report.errors
        yield index


@pytest.fixture(scope="session")
def service(corpus_index: StatementIndex) -> BriefingService:
    """The answering service over the sample corpus."""
    return BriefingService(corpus_index)


STATEMENT_A = """---
title: "Joint Statement on Fisheries Cooperation"
issuer: "Ministry of Oceans of Freedonia"
date: 2021-03-04
kind: joint statement
source_url: https://example.org/fisheries
---

# Joint Statement on Fisheries Cooperation

**SUSTAINABLE FISHERIES:** The two ministers agreed to cut the annual herring quota by 12 percent. They will review the quota every two years.

- Both sides will share catch data monthly.
- A joint patrol of the northern waters begins in May.
"""

STATEMENT_B = """---
title: "Declaration on River Navigation"
issuer: "Government of Sylvania"
date: 2023-09-10
kind: declaration
---

The governments declared the Blue River open to commercial navigation from 1 January 2024. Vessels under 40 metres need no pilot.

Tolls will be set by a joint commission that meets in the city of Marrow.
"""


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A tiny corpus of two invented statements."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "2021-03-04-fisheries.md").write_text(STATEMENT_A, encoding="utf-8")
    (folder / "2023-09-10-river.md").write_text(STATEMENT_B, encoding="utf-8")
    return folder


@pytest.fixture
def small_settings(tmp_path: Path) -> Settings:
    """Settings with a fresh store folder."""
    return load_settings(data_dir=tmp_path / "store")


APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app(
    corpus_index: StatementIndex, corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    """The app (AppTest) on the sample corpus's store, first page run."""
    monkeypatch.setenv("BRIEF_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at
