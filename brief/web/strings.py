"""The app's own words in English and Korean: page chrome, and the chrome around an answer.

Page chrome (sidebar, page titles, inputs, buttons) follows the language the user chose in
the sidebar; the chrome around an answer or a timeline follows that answer's language. What
an answer itself says is in ``core.labels``.
"""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}

_STRINGS: dict[str, dict[str, str]] = {
    # Page chrome.
    "language": {"en": "Language / 언어", "ko": "Language / 언어"},
    "app_title": {"en": "Briefing assistant", "ko": "브리핑 도우미"},
    "page_chat": {"en": "Chat", "ko": "질의응답"},
    "page_timeline": {"en": "Timeline", "ko": "연표"},
    "page_corpus": {"en": "Corpus", "ko": "자료"},
    "page_evaluation": {"en": "Evaluation", "ko": "평가"},
    "unexpected_error": {
        "en": "Something went wrong ({name}). Nothing you entered was lost; "
        "the details are in the error log of the people who run this app.",
        "ko": "오류가 발생했습니다({name}). 입력한 내용은 그대로 있습니다. "
        "자세한 내용은 앱 운영자의 오류 기록에 남았습니다.",
    },
    "sign_in_prompt": {
        "en": "Sign in to see the statements your groups may read.",
        "ko": "소속 그룹이 열람할 수 있는 성명을 보려면 로그인하십시오.",
    },
    "log_in": {"en": "Log in", "ko": "로그인"},
    "log_out": {"en": "Log out", "ko": "로그아웃"},
    "signed_in_as": {"en": "Signed in as {name}", "ko": "로그인 사용자: {name}"},
    "filters": {"en": "Filters", "ko": "필터"},
    "issuer": {"en": "Issuer", "ko": "발표 기관"},
    "kind": {"en": "Kind", "ko": "유형"},
    "years": {"en": "Years", "ko": "연도"},
    "document": {"en": "Document", "ko": "문서"},
    "answerer": {"en": "Answerer", "ko": "답변 방식"},
    "verbatim": {"en": "Verbatim quotes", "ko": "원문 인용"},
    "generative": {"en": "Generative", "ko": "생성형"},
    "model_at": {"en": "Model: {model} at {endpoint}", "ko": "모델: {model} ({endpoint})"},
    "endpoint_default": {"en": "(endpoint default)", "ko": "(엔드포인트 기본값)"},
    "verbatim_only": {
        "en": "Verbatim quotes. For generative answers set BRIEF_LLM_BASE_URL.",
        "ko": "원문 인용으로 답합니다. 생성형 답변을 쓰려면 BRIEF_LLM_BASE_URL을 설정하십시오.",
    },
    "conversations": {"en": "Conversations", "ko": "대화 기록"},
    "new_conversation": {"en": "New conversation", "ko": "새 대화"},
    "untitled": {"en": "(untitled)", "ko": "(제목 없음)"},
    "intro": {
        "en": "{count} statements indexed. Ask about them.",
        "ko": "색인된 성명 {count}건. 성명에 관해 질문하십시오.",
    },
    "ask_placeholder": {"en": "Ask about the statements…", "ko": "성명에 관해 질문하십시오…"},
    "searching": {"en": "Searching the statements…", "ko": "성명을 검색하고 있습니다…"},
    "topic": {"en": "Topic", "ko": "주제"},
    "topic_placeholder": {
        "en": "e.g. denuclearization · Nuclear Consultative Group · Taiwan Strait since 2021",
        "ko": "예: 비핵화 · 핵협의그룹 · 2021년 이후 대만해협",
    },
    "timeline_help": {
        "en": "The statements that address a topic, oldest first, each with the sentence that "
        "shows it. Dates in the topic restrict it (“since 2021”), as do the sidebar filters.",
        "ko": "주제를 다룬 성명을 오래된 순으로, 각각 그 근거 문장과 함께 보입니다. "
        "주제에 넣은 날짜(“2021년 이후”)와 사이드바 필터로 범위를 좁힐 수 있습니다.",
    },
    "add_statements": {"en": "Add statements", "ko": "성명 추가"},
    "remove_document": {"en": "Remove a document", "ko": "문서 삭제"},
    "ingest": {"en": "Ingest", "ko": "색인"},
    "remove": {"en": "Remove", "ko": "삭제"},
    "admins_only_corpus": {
        "en": "Administrators add and remove statements.",
        "ko": "성명 추가와 삭제는 관리자가 합니다.",
    },
    "admins_only_evaluation": {
        "en": "The evaluation runs, the feedback of every user and the audit trail are for "
        "administrators.",
        "ko": "평가 결과, 전체 사용자 의견, 감사 기록은 관리자만 볼 수 있습니다.",
    },
    "feedback": {"en": "Feedback", "ko": "사용자 의견"},
    "audit_trail": {"en": "Audit trail", "ko": "감사 기록"},
    # Around an answer or a timeline.
    "searched": {"en": "Searched: {filters} · {mode}", "ko": "검색 범위: {filters} · {mode}"},
    "extractive_mode": {"en": "extractive", "ko": "원문 인용"},
    "generative_mode": {"en": "generative", "ko": "생성형"},
    "changes": {"en": "What changed between statements", "ko": "성명 사이에 달라진 표현"},
    "searched_as": {"en": "Question as searched", "ko": "검색에 쓴 질문"},
    "copy_for_brief": {"en": "Copy for brief", "ko": "보고서용 복사"},
    "download_docx": {"en": "Download .docx (footnotes)", "ko": ".docx 내려받기(각주 포함)"},
    "feedback_thanks": {
        "en": "Thanks: feedback recorded.",
        "ko": "의견을 기록했습니다. 감사합니다.",
    },
    "comment": {"en": "Comment (optional)", "ko": "의견(선택)"},
    "send_feedback": {"en": "Send feedback", "ko": "의견 보내기"},
    "open_source": {"en": "Open source", "ko": "원문 보기"},
    "does_not_support": {
        "en": "does not support the sentence that cites it",
        "ko": "이를 인용한 문장을 뒷받침하지 않음",
    },
    "unsupported_badge": {"en": "unsupported", "ko": "근거 없음"},
    "timeline_found": {
        "en": "{count} statements address “{topic}” · {filters} · {considered} checked",
        "ko": "“{topic}” 관련 성명 {count}건 · {filters} · {considered}건 검토",
    },
    "as_table": {"en": "As a table", "ko": "표로 보기"},
    "citation": {"en": "Citation", "ko": "인용"},
    "date": {"en": "Date", "ko": "날짜"},
    "title": {"en": "Title", "ko": "제목"},
    "quote": {"en": "Quote", "ko": "인용문"},
}


def text(key: str, language: str = "en") -> str:
    """One of the app's strings in ``language`` (English when it has no translation)."""
    texts = _STRINGS[key]
    return texts.get(language) or texts["en"]


def string_keys() -> list[str]:
    """Every string's key (for the tests that check each has both languages)."""
    return list(_STRINGS)
