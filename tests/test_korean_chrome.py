"""What the system itself says around a Korean answer is in Korean; around an English one, in
English as before. Real MiniLM, real Chroma, the real CLI in a subprocess, a scripted
OpenAI-compatible server for the generative answerer."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from brief.export import KOREAN_STYLES, STYLES, answer_docx
from brief.service import BriefingService
from core.labels import label
from core.settings import Settings
from ingest.pipeline import ingest_paths
from retrieval.answer.chains import REFUSAL
from retrieval.search.korean import has_hangul
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex, open_index
from tests.scripted_openai import Reply, ScriptedOpenAIServer
from tests.test_cli import brief
from tests.test_generative import generative
from tests.test_korean_search import mixed_settings

LATEST_KO = "청어 할당량에 관한 가장 최근 성명은 무엇인가요?"
LATEST_EN = "What is the most recent statement on the herring quota?"
UNANSWERED_KO = "우주 탐사 협력에 대해 무엇이라고 했나요?"


@pytest.fixture(scope="module")
def mixed(
    tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[tuple[StatementIndex, Settings]]:
    """Two English statements and a Korean one, with an office glossary for the herring."""
    folder, settings = mixed_settings(tmp_path_factory)
    with open_index(settings, embeddings) as index:
        assert not ingest_paths(index, [folder]).errors
        yield index, settings


@pytest.fixture(scope="module")
def service(mixed: tuple[StatementIndex, Settings]) -> BriefingService:
    return BriefingService(mixed[0])


def test_newer_statements_are_named_in_the_question_language(service: BriefingService) -> None:
    korean = service.ask(LATEST_KO)
    assert (korean.language, korean.intent, korean.refused) == ("ko", "latest", False)
    assert korean.text.startswith("이 주제에 관한 최근 성명: ")
    assert korean.notes, korean.notes
    assert korean.notes[-1].startswith("이보다 최근 성명 2건은 이 내용을 언급하지 않습니다: ")
    assert "(2023년 9월 10일)" in korean.notes[-1]
    assert "“The two ministers agreed to cut the annual herring quota by 12 percent.”" in (
        korean.text
    )  # the quote verbatim, in its own language
    english = service.ask(LATEST_EN)
    assert english.text.startswith("Most recent statement on this: ")
    assert english.notes[-1].startswith("2 newer statement(s) in the corpus do not mention this: ")
    assert "(September 10, 2023)" in english.notes[-1]


def test_a_korean_timeline_is_found_and_speaks_korean(service: BriefingService) -> None:
    found = service.timeline("청어 할당량")
    assert found.language == "ko"
    assert [e.doc_id for e in found.entries] == ["2021-03-04-fisheries.md"]
    assert found.to_markdown().startswith("“청어 할당량” 관련 성명(전체 성명):")
    empty = service.timeline("우주 탐사 협력")
    assert empty.entries == []
    assert empty.notes
    assert all(has_hangul(n, share=0.1) for n in empty.notes), empty.notes
    assert service.timeline("space exploration").notes == [
        "no indexed statement addresses this topic"
    ]


def test_the_word_document_of_a_korean_answer(service: BriefingService) -> None:
    answer = service.ask(LATEST_KO)
    with zipfile.ZipFile(io.BytesIO(answer_docx(answer))) as zf:
        notes = zf.read("word/footnotes.xml").decode("utf-8")
        styles = zf.read("word/styles.xml").decode("utf-8")
        document = zf.read("word/document.xml").decode("utf-8")
    assert "Joint Statement on Fisheries Cooperation, Ministry of Oceans of Freedonia, " in notes
    assert "2021년 3월 4일" in notes
    assert styles == KOREAN_STYLES != STYLES
    assert 'w:eastAsia="ko-KR"' in styles
    assert "Malgun Gothic" in styles
    assert LATEST_KO in document  # the question as asked is the heading
    english = service.ask(LATEST_EN)
    with zipfile.ZipFile(io.BytesIO(answer_docx(english))) as zf:
        assert zf.read("word/styles.xml").decode("utf-8") == STYLES
        assert "March 4, 2021" in zf.read("word/footnotes.xml").decode("utf-8")


def test_brief_ask_and_timeline_headings_in_korean(small_corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "store"
    assert brief("ingest", str(small_corpus), data_dir=data).returncode == 0
    korean = brief("ask", UNANSWERED_KO, data_dir=data)
    assert korean.returncode == 0, korean.stderr
    assert korean.stdout.startswith(label("not_answered", "ko"))
    assert "\n가장 가까운 구절:\n" in korean.stdout
    assert "Closest passages" not in korean.stdout
    english = brief("ask", "How do I bake sourdough bread with rye flour?", data_dir=data)
    assert "\nClosest passages:\n" in english.stdout
    timeline = brief("timeline", "우주 탐사 협력", data_dir=data)
    assert timeline.returncode == 0, timeline.stderr
    empty = "다음 주제를 다룬 색인된 성명이 없습니다(전체 성명): “우주 탐사 협력”\n"
    assert timeline.stdout == empty
    assert "note: 이 주제를 다룬 색인된 성명이 없습니다" in timeline.stderr


def test_generative_notes_in_korean(
    mixed: tuple[StatementIndex, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, settings = mixed
    for key in ("OPENAI_API_KEY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(key, raising=False)
    with ScriptedOpenAIServer([Reply(text=REFUSAL), Reply(text=REFUSAL)]) as server:
        svc = generative(index, settings, server.base_url)
        weak = svc.ask(UNANSWERED_KO, answerer="generative")
        refused = svc.ask("청어 할당량은 얼마나 줄이기로 했나요?", answerer="generative")
    assert weak.refused
    assert weak.language == "ko"
    assert label("too_weak", "ko") in weak.notes, weak.notes
    assert refused.refused
    assert refused.language == "ko"
    assert label("model_no_answer", "ko") in refused.notes, refused.notes
    assert all(has_hangul(n, share=0.1) for n in [*weak.notes, *refused.notes])
