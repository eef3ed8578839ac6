"""The sentences an answer wraps around its quotes, in the language of the question.

Quotes stay verbatim in the statement's language; what the system itself says (that the
statements do not answer, that a quote is related and not an answer, headings) follows the
question: English, or Korean for a question asked in Korean.
"""

from __future__ import annotations

import datetime as dt

LANGUAGES = ("en", "ko")

_LABELS: dict[str, dict[str, str]] = {
    "not_answered": {
        "en": "The indexed statements do not answer this question. "
        "The closest passages are listed below.",
        "ko": "색인된 성명에는 이 질문에 대한 답이 없습니다. 가장 가까운 구절을 아래에 보입니다.",
    },
    "not_stated": {
        "en": "The statements do not say: “{ask}”",
        "ko": "성명에는 다음에 대한 내용이 없습니다: “{ask}”",
    },
    "related": {"en": "Related, not an answer:", "ko": "관련 구절(답변 아님):"},
    "related_label": {"en": "Related, not an answer", "ko": "관련 구절, 답변 아님"},
    "related_badge": {"en": "related, not an answer", "ko": "관련 구절, 답변 아님"},
    "unmentioned": {
        "en": "no indexed statement mentions: {names}",
        "ko": "색인된 성명 어디에도 나오지 않는 말: {names}",
    },
    "elsewhere": {
        "en": "{titles} does not address this: the quotes are from other statements",
        "ko": "{titles}에는 이 내용이 없습니다: 인용은 다른 성명에서 왔습니다",
    },
    "previous_silent": {
        "en": "the statement the previous answer quoted ({named}) does not address this: "
        "the quotes are from other statements",
        "ko": "앞의 답변이 인용한 성명({named})에는 이 내용이 없습니다: 인용은 다른 성명에서 "
        "왔습니다",
    },
    "previous_used": {
        "en": "a follow-up: answered from the statement the previous answer quoted ({named})",
        "ko": "후속 질문: 앞의 답변이 인용한 성명({named})에서 답했습니다",
    },
    "closest": {
        "en": "Closest passages (not an answer):",
        "ko": "가장 가까운 구절(답변 아님):",
    },
    # Answer text the system writes itself.
    "latest_lead": {"en": "Most recent statement on this: ", "ko": "이 주제에 관한 최근 성명: "},
    "no_filter_match_answer": {
        "en": "No indexed statement matches the filters.",
        "ko": "필터에 맞는 색인된 성명이 없습니다.",
    },
    "empty_store": {
        "en": "The store holds no statements yet: ingest some with `brief ingest PATH`.",
        "ko": "저장소에 아직 성명이 없습니다: `brief ingest PATH`로 추가하십시오.",
    },
    "summary_lead": {"en": "\n\nWhat changed: ", "ko": "\n\n달라진 점: "},
    # Notes on an answer or a timeline.
    "omitted": {
        "en": "also on this topic, not quoted (word budget; see `brief timeline`): {documents}",
        "ko": "이 주제를 다룬 다른 성명(분량 제한으로 인용하지 않음, `brief timeline` 참조): "
        "{documents}",
    },
    "newer_silent": {
        "en": "{count} newer statement(s) in the corpus do not mention this: {documents}",
        "ko": "이보다 최근 성명 {count}건은 이 내용을 언급하지 않습니다: {documents}",
    },
    "newer_reports": {
        "en": "newer reports discuss this (not statements): {documents}",
        "ko": "이보다 최근의 보도·분석(성명 아님)이 이 내용을 다룹니다: {documents}",
    },
    "and_more": {"en": "; and {count} more", "ko": "; 외 {count}건"},
    "no_filter_match": {
        "en": "no statement matches the filters",
        "ko": "필터에 맞는 성명이 없습니다",
    },
    "no_topic_match": {
        "en": "no indexed statement addresses this topic",
        "ko": "이 주제를 다룬 색인된 성명이 없습니다",
    },
    "condense_failed": {
        "en": "the model could not rewrite the follow-up ({reason}); "
        "searched with the conversation's terms instead",
        "ko": "모델이 후속 질문을 다시 쓰지 못했습니다({reason}). 대화의 용어로 대신 검색했습니다",
    },
    "answer_withheld": {
        "en": "the model's answer was withheld: it repeated its confidential instructions "
        "(a sign of a planted instruction); showing the extractive answer",
        "ko": "모델의 답변을 보류했습니다: 비공개 지시문을 되풀이했습니다(삽입된 지시의 징후). "
        "원문 인용 답변을 보입니다",
    },
    "too_weak": {
        "en": "the evidence is too weak to answer: the model was not called",
        "ko": "근거가 약해 답할 수 없습니다: 모델을 호출하지 않았습니다",
    },
    "generative_failed": {
        "en": "generative answer failed: {reason}; showing the extractive answer",
        "ko": "생성형 답변에 실패했습니다({reason}). 원문 인용 답변을 보입니다",
    },
    "connection_closed": {
        "en": "the connection closed mid-answer",
        "ko": "답변 도중 연결이 끊겼습니다",
    },
    "cut_off": {
        "en": "the answer was cut off ({reason}); the part that arrived is kept and checked",
        "ko": "답변이 중간에 끊겼습니다({reason}). 받은 부분만 남겨 검증했습니다",
    },
    "none_supported": {
        "en": "none of the model's {count} sentence(s) is supported by the sources it cites; "
        "showing the extractive answer",
        "ko": "모델이 쓴 문장 {count}개 모두 인용한 출처의 뒷받침을 받지 못합니다. "
        "원문 인용 답변을 보입니다",
    },
    "no_shared_wording": {
        "en": "the quotes share no wording to compare: the model was not asked for a summary",
        "ko": "인용문 사이에 비교할 공통 표현이 없어 모델에 요약을 요청하지 않았습니다",
    },
    "summary_withheld": {
        "en": "the model's summary was withheld: it repeated its confidential instructions "
        "(a sign of a planted instruction); showing the quotes alone",
        "ko": "모델의 요약을 보류했습니다: 비공개 지시문을 되풀이했습니다(삽입된 지시의 징후). "
        "인용만 보입니다",
    },
    "summary_failed": {
        "en": "the summary of the change failed: {reason}; showing the quotes alone",
        "ko": "달라진 점 요약에 실패했습니다({reason}). 인용만 보입니다",
    },
    "summary_cut_off": {
        "en": "the summary was cut off; the part that arrived is kept and checked",
        "ko": "요약이 중간에 끊겼습니다. 받은 부분만 남겨 검증했습니다",
    },
    "no_summary": {
        "en": "the model wrote no summary of the change",
        "ko": "모델이 달라진 점을 요약하지 않았습니다",
    },
    "invalid_citations": {
        "en": "removed citation(s) to sources that do not exist: {numbers}",
        "ko": "없는 출처를 가리킨 인용 번호를 지웠습니다: {numbers}",
    },
    "model_no_answer": {
        "en": "the model found no answer in the sources",
        "ko": "모델이 출처에서 답을 찾지 못했습니다",
    },
    "attributed": {
        "en": "{count} sentence(s) cited no source; the check found one that supports each "
        "and added its number",
        "ko": "출처를 밝히지 않은 문장 {count}개에 검증에서 찾은 뒷받침 출처 번호를 붙였습니다",
    },
    "unsupported": {
        "en": "{count} of {total} sentences are not supported by the sources they cite "
        "(marked {mark})",
        "ko": "문장 {total}개 중 {count}개는 인용한 출처의 뒷받침을 받지 못합니다({mark} 표시)",
    },
    # References, filters and dates as a brief writes them.
    "undated": {"en": "undated", "ko": "날짜 미상"},
    "page": {"en": "p. {page}", "ko": "{page}쪽"},
    "filter_issuer": {"en": "issuer: {values}", "ko": "발표 기관: {values}"},
    "filter_kind": {"en": "kind: {values}", "ko": "유형: {values}"},
    "filter_documents": {"en": "documents: {values}", "ko": "문서: {values}"},
    "filter_dates": {"en": "dates: {start} to {end}", "ko": "기간: {start} ~ {end}"},
    "all_statements": {"en": "all statements", "ko": "전체 성명"},
    "change_added": {"en": "added {phrases}", "ko": "추가: {phrases}"},
    "change_dropped": {"en": "dropped {phrases}", "ko": "삭제: {phrases}"},
    "same_wording": {"en": "same wording", "ko": "표현 동일"},
    "does_not_support": {
        "en": " (does not support the sentence citing it)",
        "ko": " (이를 인용한 문장을 뒷받침하지 않음)",
    },
    # Timelines and the command line's headings.
    "timeline_empty": {
        "en": "No indexed statement addresses “{topic}”.",
        "ko": "다음 주제를 다룬 색인된 성명이 없습니다: “{topic}”",
    },
    "timeline_empty_filtered": {
        "en": "No indexed statement addresses “{topic}” ({filters}).",
        "ko": "다음 주제를 다룬 색인된 성명이 없습니다({filters}): “{topic}”",
    },
    "timeline_heading": {
        "en": "Statements on “{topic}” ({filters}):",
        "ko": "“{topic}” 관련 성명({filters}):",
    },
    "timeline_count": {
        "en": "{count} statement(s) on “{topic}” ({filters}), oldest first:",
        "ko": "“{topic}” 관련 성명 {count}건({filters}), 오래된 순:",
    },
    "checked_answer": {"en": "Checked answer:", "ko": "검증한 답변:"},
    "closest_heading": {"en": "Closest passages:", "ko": "가장 가까운 구절:"},
    "changes_heading": {
        "en": "What changed between consecutive statements:",
        "ko": "연이은 성명 사이에 달라진 표현:",
    },
}


def label(key: str, language: str = "en") -> str:
    """One label in ``language`` (English when it has no translation)."""
    texts = _LABELS[key]
    return texts.get(language) or texts["en"]


def label_keys() -> list[str]:
    """Every label's key (for the tests that check each has both languages)."""
    return list(_LABELS)


def date_text(date: dt.date, language: str = "en") -> str:
    """A date as a brief writes it: ``November 13, 2025``, or ``2025년 11월 13일``."""
    if language == "ko":
        return f"{date.year}년 {date.month}월 {date.day}일"
    return f"{date:%B} {date.day}, {date.year}"
