"""The system's own words in English and Korean: every label in both, the same placeholders,
and the references, filters, dates and timelines a Korean reader gets."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable

import pytest

from brief.web.strings import string_keys, text
from core.answers import Citation, DiffPiece, WordingChange
from core.labels import LANGUAGES, date_text, label, label_keys
from core.models import DocumentMeta, Filters
from retrieval.answer.claims import unsupported_note
from retrieval.answer.timeline import Timeline, TimelineEntry
from retrieval.answer.topics import describe_documents
from retrieval.search.korean import has_hangul


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template fills."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


TABLES = [
    pytest.param(label_keys, label, id="answer labels"),
    pytest.param(string_keys, text, id="app strings"),
]


@pytest.mark.parametrize(("keys", "lookup"), TABLES)
def test_every_text_has_both_languages_with_the_same_placeholders(
    keys: Callable[[], list[str]], lookup: Callable[[str, str], str]
) -> None:
    missing: list[str] = []
    mismatched: list[str] = []
    untranslated: list[str] = []
    for key in keys():
        en, ko = lookup(key, "en"), lookup(key, "ko")
        if not en.strip() or not ko.strip():
            missing.append(key)
        if placeholders(en) != placeholders(ko):
            mismatched.append(f"{key}: {placeholders(en)} vs {placeholders(ko)}")
        if key != "language" and not has_hangul(ko, share=0.05):
            untranslated.append(key)
    assert (missing, mismatched, untranslated) == ([], [], [])


def test_the_placeholder_check_catches_a_mismatch() -> None:
    assert placeholders("{count} newer statement(s): {documents}") == {"count", "documents"}
    assert placeholders("최근 성명 {count}건") != placeholders("{count} newer: {documents}")


def test_an_unknown_language_falls_back_to_english() -> None:
    assert LANGUAGES == ("en", "ko")
    assert label("too_weak", "fr") == label("too_weak")
    assert text("copy_for_brief", "fr") == "Copy for brief"


def test_english_texts_are_the_ones_the_answers_always_had() -> None:
    assert label("too_weak") == "the evidence is too weak to answer: the model was not called"
    assert label("newer_silent").format(count=2, documents="A; B") == (
        "2 newer statement(s) in the corpus do not mention this: A; B"
    )
    assert unsupported_note(1, 3) == (
        "1 of 3 sentences are not supported by the sources they cite (marked [unsupported])"
    )
    assert label("summary_lead") == "\n\nWhat changed: "


def test_dates_filters_and_references_in_korean() -> None:
    day = dt.date(2025, 11, 13)
    assert date_text(day) == "November 13, 2025"
    assert date_text(day, "ko") == "2025년 11월 13일"
    assert DocumentMeta(title="x").date_label("ko") == "날짜 미상"
    filters = Filters(issuers=("White House",), date_from=dt.date(2023, 1, 1))
    assert filters.describe() == "issuer: White House; dates: 2023-01-01 to …"
    assert filters.describe("ko") == "발표 기관: White House; 기간: 2023-01-01 ~ …"
    assert Filters().describe("ko") == "전체 성명"
    c = Citation(
        n=1,
        doc_id="d",
        title="Joint Fact Sheet",
        issuer="The White House",
        date=day,
        section="Security",
        quote="q",
        start=0,
        end=1,
        page=3,
        paragraph=2,
        related=True,
    )
    assert c.footnote() == (
        "Joint Fact Sheet, The White House, November 13, 2025, Security, p. 3, ¶2. "
        "Related, not an answer."
    )
    assert c.footnote("ko") == (
        "Joint Fact Sheet, The White House, 2025년 11월 13일, Security, 3쪽, ¶2. "
        "관련 구절, 답변 아님."
    )


def test_a_wording_change_in_korean() -> None:
    change = WordingChange(
        before=1,
        after=2,
        pieces=[DiffPiece(op="=", text="the"), DiffPiece(op="+", text="complete")],
    )
    assert change.summary() == "[1] → [2]: added “complete”"
    assert change.summary("ko") == "[1] → [2]: 추가: “complete”"


def test_documents_named_in_a_note_in_korean() -> None:
    metas = [DocumentMeta(title=f"Statement {i}", date=dt.date(2024, 1, i + 1)) for i in range(7)]
    english = describe_documents(metas, limit=2)
    assert english == "Statement 0 (January 1, 2024); Statement 1 (January 2, 2024); and 5 more"
    korean = describe_documents(metas, limit=2, language="ko")
    assert korean == "Statement 0 (2024년 1월 1일); Statement 1 (2024년 1월 2일); 외 5건"


def _timeline(topic: str) -> Timeline:
    entry = TimelineEntry(
        n=1,
        doc_id="d",
        date=dt.date(2018, 6, 12),
        title="Singapore Joint Statement",
        issuer="The White House",
        kind="joint statement",
        quote="Complete denuclearization.",
        start=0,
        end=10,
        relevance=0.9,
    )
    return Timeline(topic=topic, searched_as=topic, threshold=0.5, entries=[entry])


def test_a_korean_timeline_in_markdown() -> None:
    korean = _timeline("비핵화")
    assert korean.language == "ko"
    md = korean.to_markdown()
    assert md.startswith("“비핵화” 관련 성명(전체 성명):")
    assert "Singapore Joint Statement, The White House, 2018년 6월 12일." in md
    assert "“Complete denuclearization.”" in md  # the quote verbatim
    english = _timeline("denuclearization")
    assert english.language == "en"
    assert english.to_markdown().startswith("Statements on “denuclearization” (all statements):")
    empty = Timeline(topic="우주 탐사", searched_as="우주 탐사", threshold=0.5)
    assert empty.to_markdown() == "다음 주제를 다룬 색인된 성명이 없습니다: “우주 탐사”\n"
    assert "language" not in english.model_dump()  # the JSON is as it was
