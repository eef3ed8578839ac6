"""Questions in Korean with multilingual-e5-small: real model, real Chroma in a temporary folder.

The store holds two invented English statements (``tests/conftest.py``) and one invented Korean
statement. A Korean question must find the English statement that answers it and quote it
verbatim, find the Korean statement when that is the one that answers, and leave BM25 out of a
ranking it cannot read.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brief.service import BriefingService
from core.settings import Settings, load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import E5_MODEL_NAME, E5Embeddings
from retrieval.store.index import StatementIndex
from retrieval.store.lexical import lexical_share, main_script
from tests.conftest import STATEMENT_A, STATEMENT_B

STATEMENT_KO = """---
title: "철도 협력에 관한 공동 언론 발표문"
issuer: "프리도니아 국토교통부"
date: 2024-02-15
kind: joint statement
language: ko
---

# 철도 협력에 관한 공동 언론 발표문

양국 장관은 국경을 잇는 고속철도 노선을 2027년까지 개통하기로 합의하였다.
노선의 총연장은 320킬로미터이며, 공사비는 양국이 절반씩 부담한다.

양측은 철도 안전 기준을 공동으로 마련하기 위하여 실무협의체를 설치하기로 하였다.
"""

RIVER = "The governments declared the Blue River open to commercial navigation from 1 January 2024."
HERRING = "The two ministers agreed to cut the annual herring quota by 12 percent."
RAILWAY = "양국 장관은 국경을 잇는 고속철도 노선을 2027년까지 개통하기로 합의하였다."
SAFETY_BODY = "양측은 철도 안전 기준을 공동으로 마련하기 위하여 실무협의체를 설치하기로 하였다."


@pytest.fixture(scope="module")
def e5_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(
        data_dir=tmp_path_factory.mktemp("e5-store"), embedding_model="multilingual-e5-small"
    )


@pytest.fixture(scope="module")
def e5_index(
    e5_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StatementIndex]:
    folder = tmp_path_factory.mktemp("mixed-corpus")
    (folder / "2021-03-04-fisheries.md").write_text(STATEMENT_A, encoding="utf-8")
    (folder / "2023-09-10-river.md").write_text(STATEMENT_B, encoding="utf-8")
    (folder / "2024-02-15-railway-ko.md").write_text(STATEMENT_KO, encoding="utf-8")
    embeddings = E5Embeddings(batch_size=8)
    # StatementIndex is annotated with the MiniLM class until it takes any SentenceEmbeddings.
    index = StatementIndex(e5_settings, embeddings)
    try:
        report = ingest_paths(index, [folder])
        assert not report.errors
        yield index
    finally:
        index.close()


@pytest.fixture(scope="module")
def e5_service(e5_index: StatementIndex) -> BriefingService:
    return BriefingService(e5_index)


def test_the_store_records_the_model_that_embedded_it(e5_index: StatementIndex) -> None:
    meta = e5_index.store._collection.metadata or {}
    assert meta["embedding_model"] == E5_MODEL_NAME
    assert int(meta["dimension"]) == 384


def test_a_korean_question_is_answered_with_the_english_quote(
    e5_service: BriefingService,
) -> None:
    # The Korean statement is in the store too, and closer in language: the calibration per
    # pair of scripts keeps it from crowding out the English statement that answers.
    answer = e5_service.ask("블루강은 언제부터 상업 항행에 개방됩니까?")
    assert not answer.refused
    assert answer.passages[0].chunk.doc_id == "2023-09-10-river.md"
    assert RIVER in [c.quote for c in answer.citations]
    assert f"“{RIVER}”" in answer.text  # quoted verbatim, in English
    # The glossary reads 상업 항행 ... 개방 as "commercial navigation ... open": BM25 finds it too.
    assert answer.passages[0].lexical_rank is not None


def test_a_korean_question_finds_the_korean_statement(e5_service: BriefingService) -> None:
    answer = e5_service.ask("국경 고속철도 노선은 언제까지 개통됩니까?")
    assert not answer.refused
    assert answer.passages[0].chunk.doc_id == "2024-02-15-railway-ko.md"
    citation = next(c for c in answer.citations if c.quote == RAILWAY)
    assert citation.doc_id == "2024-02-15-railway-ko.md"
    assert citation.end - citation.start == len(RAILWAY)


def test_an_english_question_finds_english_and_korean_statements(
    e5_service: BriefingService,
) -> None:
    herring = e5_service.ask("By how much will the herring quota be cut?")
    assert not herring.refused
    assert HERRING in [c.quote for c in herring.citations]
    safety = e5_service.ask("What railway safety body will the two sides set up?")
    assert not safety.refused
    assert safety.passages[0].chunk.doc_id == "2024-02-15-railway-ko.md"
    assert SAFETY_BODY in [c.quote for c in safety.citations]


def test_a_question_names_its_script_and_lexical_share() -> None:
    assert lexical_share("When was the NCG created?") == 1.0
    assert lexical_share("워싱턴 선언은 언제 발표되었습니까?") == 0.0
    assert lexical_share("NCG 출범 회의는 누가 주재했습니까?") == pytest.approx(0.2)
    assert main_script(STATEMENT_KO) == "hangul"
    assert main_script(STATEMENT_A) == "latin"
