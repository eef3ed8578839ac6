"""The app in two languages (AppTest on the sample corpus's store): the page chrome follows the
sidebar's language choice; the chrome around an answer follows the answer's language."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.test_app import _texts, open_page

SINGAPORE_KO = "팩트시트는 싱가포르에 대해 무엇을 말했나요?"
SINGAPORE_EN = "What did the joint fact sheet say about Singapore?"


def _expanders(at: AppTest) -> list[str]:
    return [e.label for e in at.expander]


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption).replace("\\", "")


def test_a_korean_answer_has_korean_chrome_and_an_english_one_english(app: AppTest) -> None:
    app.chat_input[0].set_value(SINGAPORE_KO).run()
    assert not app.exception
    captions = _captions(app)
    assert "검색 범위: 전체 성명 · 원문 인용" in captions
    assert "Searched:" not in captions
    assert "보고서용 복사" in _expanders(app)
    assert "검색에 쓴 질문" in _expanders(app)  # the Korean was searched in its English reading
    assert [b.proto.label for b in app.get("download_button")] == [".docx 내려받기(각주 포함)"]
    assert "2025년 11월 1" in captions  # the source card's date
    assert "Singapore" in _texts(app)  # the quotes stay verbatim
    code = "\n".join(c.value for c in app.code)
    footnotes = [line for line in code.splitlines() if line.startswith("[^")]
    assert footnotes
    assert all("2025년 11월 1" in f and "November" not in f for f in footnotes)
    assert app.chat_input[0].placeholder == "Ask about the statements…"  # the page's: English

    app.chat_input[0].set_value(SINGAPORE_EN).run()
    assert not app.exception
    captions = _captions(app)
    assert "Searched: all statements · extractive" in captions
    assert "Copy for brief" in _expanders(app)
    assert "Download .docx (footnotes)" in [b.proto.label for b in app.get("download_button")]


def test_the_sidebar_language_changes_the_page_chrome(app: AppTest) -> None:
    assert app.chat_input[0].placeholder == "Ask about the statements…"
    assert [s.value for s in app.sidebar.subheader][:1] == ["Filters"]
    app.chat_input[0].set_value(SINGAPORE_EN).run()

    app.sidebar.radio(key="ui_language").set_value("ko").run()
    assert not app.exception
    assert app.chat_input[0].placeholder == "성명에 관해 질문하십시오…"
    subheaders = [s.value for s in app.sidebar.subheader]
    assert "필터" in subheaders
    assert "대화 기록" in subheaders
    assert [m.label for m in app.sidebar.multiselect][:2] == ["발표 기관", "유형"]
    assert any(b.label == "새 대화" for b in app.sidebar.button)
    # The English answer keeps its English chrome under a Korean page.
    assert "Searched: all statements · extractive" in _captions(app)
    assert "Copy for brief" in _expanders(app)

    open_page(app, "timeline")
    assert [h.value for h in app.header] == ["연표"]
    assert app.text_input(key="timeline_topic").label == "주제"

    app.sidebar.radio(key="ui_language").set_value("en").run()
    assert [h.value for h in app.header] == ["Timeline"]


def test_a_korean_timeline_has_korean_chrome(app: AppTest) -> None:
    open_page(app, "timeline")
    app.text_input(key="timeline_topic").set_value("비핵화").run()
    assert not app.exception
    captions = _captions(app)
    assert "“비핵화” 관련 성명" in captions, captions
    assert "건 검토" in captions
    assert {"보고서용 복사", "표로 보기"} <= set(_expanders(app))
    assert app.header[0].value == "Timeline"  # the page's chrome stays English
