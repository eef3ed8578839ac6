"""Korean questions on the default (English) embedding model: real MiniLM, real Chroma.

The glossary reads a Korean question in English for the English statements; the Korean as
asked is searched too, in BM25's syllable pairs, for a Korean statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from brief.service import BriefingService
from core.models import Filters
from core.settings import Settings, load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests.conftest import STATEMENT_A, STATEMENT_B
from tests.test_multilingual import RAILWAY, STATEMENT_KO


def mixed_settings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings]:
    """Two English statements and a Korean one in a folder, with an office glossary for the
    herring: the folder to ingest and the settings that read the glossary."""
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "2021-03-04-fisheries.md").write_text(STATEMENT_A, encoding="utf-8")
    (folder / "2023-09-10-river.md").write_text(STATEMENT_B, encoding="utf-8")
    (folder / "2024-02-15-railway-ko.md").write_text(STATEMENT_KO, encoding="utf-8")
    glossary = tmp_path_factory.mktemp("office") / "terms.yaml"
    glossary.write_text(
        "source: test office\nentries:\n"
        "  - {korean: [청어], english: [herring]}\n"
        "  - {korean: [어획 할당량, 할당량], english: [quota]}\n",
        encoding="utf-8",
    )
    data = tmp_path_factory.mktemp("store")
    return folder, load_settings(data_dir=data, glossary_files=[glossary])


@pytest.fixture(scope="module")
def mixed_service(
    tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[BriefingService]:
    folder, settings = mixed_settings(tmp_path_factory)
    with open_index(settings, embeddings) as index:
        assert not ingest_paths(index, [folder]).errors
        yield BriefingService(index)


def test_a_korean_question_finds_the_english_statement_through_the_glossary(
    mixed_service: BriefingService,
) -> None:
    answer = mixed_service.ask("청어 할당량은 얼마나 줄이기로 했나요?")
    assert answer.language == "ko"
    assert answer.question == "청어 할당량은 얼마나 줄이기로 했나요?"
    assert not answer.refused
    assert "herring quota by 12 percent" in answer.citations[0].quote


def test_a_korean_question_finds_the_korean_statement_by_its_words(
    mixed_service: BriefingService,
) -> None:
    answer = mixed_service.ask("고속철도 노선은 언제까지 개통하기로 합의했나요?")
    assert answer.passages[0].chunk.doc_id.startswith("2024-02-15-railway-ko")
    assert any(RAILWAY in c.quote for c in answer.citations)


def test_a_korean_refusal_is_in_korean(mixed_service: BriefingService) -> None:
    answer = mixed_service.ask("우주 탐사 협력에 대해 무엇이라고 했나요?")
    assert answer.refused
    assert answer.text.startswith("색인된 성명에는")
    assert "The indexed statements" not in answer.text


def test_an_office_glossary_must_exist(tmp_path: Path) -> None:
    from retrieval.search.glossary import GlossaryError, load_glossary

    with pytest.raises(GlossaryError, match=r"missing\.yaml"):
        load_glossary(extra_paths=[tmp_path / "missing.yaml"])


def test_an_english_question_is_planned_as_asked(mixed_service: BriefingService) -> None:
    plan = mixed_service.plan("By how much will the herring quota be cut?")
    assert plan.language == "en"
    assert plan.question == "By how much will the herring quota be cut?"
    assert plan.asked == ""


def test_a_korean_question_gets_its_notes_in_korean(mixed_service: BriefingService) -> None:
    answer = mixed_service.ask("하노이 정상회담에서는 무엇이 논의되었습니까?")
    assert answer.refused
    assert any(n.startswith("색인된 성명 어디에도 나오지 않는 말: Hanoi") for n in answer.notes)
    english = mixed_service.ask("What was discussed at the Hanoi summit?")
    assert any(n.startswith("no indexed statement mentions: Hanoi") for n in english.notes)


def test_a_word_the_glossary_cannot_read_is_a_term_no_sentence_covers(
    mixed_service: BriefingService,
) -> None:
    """Like an English word no statement uses, it lowers the best sentence's coverage."""

    def coverage(question: str) -> float:
        plan = mixed_service.plan(question)
        passages = mixed_service.searcher.search(plan, Filters())
        return mixed_service.extractive.assess(plan, passages).signals["coverage"]

    plain = coverage("청어 할당량은 얼마나 줄이기로 했나요?")
    assert plain > 0
    assert coverage("해조류 양식장 청어 할당량은 얼마나 줄이기로 했나요?") < plain


def test_a_korea_desk_topic_no_statement_mentions_is_named_as_such(
    mixed_service: BriefingService,
) -> None:
    """사드 is read as THAAD (the glossary's Korea-desk section), which no statement holds."""
    answer = mixed_service.ask("청어 할당량 협의에서 사드 배치 얘기도 나왔나요?")
    assert any("THAAD" in note for note in answer.notes)
