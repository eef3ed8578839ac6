"""The sentences an answer wraps around its quotes, in the language of the question.

Quotes stay verbatim in the statement's language; what the system itself says (that the
statements do not answer, that a quote is related and not an answer, headings) follows the
question: English, or Korean for a question asked in Korean.
"""

from __future__ import annotations

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
}


def label(key: str, language: str = "en") -> str:
    """One label in ``language`` (English when it has no translation)."""
    texts = _LABELS[key]
    return texts.get(language) or texts["en"]
