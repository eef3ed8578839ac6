"""The English reading of Korean questions: glossary terms, dates, intents (no store needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.labels import label
from retrieval.answer.answerability import not_stated_text
from retrieval.search.korean import KoreanBridge, has_hangul, split_korean
from retrieval.search.plan import Turn, plan_query

TODAY = dt.date(2026, 12, 5)
BRIDGE = KoreanBridge(
    {
        "핵협의그룹": ("Nuclear Consultative Group", "NCG"),
        "팩트시트": ("fact sheet",),
        "싱가포르": ("Singapore",),
        "비핵화": ("denuclearization",),
        "북": ("DPRK",),
        "북한": ("DPRK",),
        "공동성명": ("joint statement",),
        "성명": ("statement",),
    }
)


def read(question: str) -> str:
    return BRIDGE.read(question, TODAY)


def test_english_questions_are_left_alone() -> None:
    assert read("What did the fact sheet say about Singapore?") == (
        "What did the fact sheet say about Singapore?"
    )
    assert not has_hangul("NCG 2023")


def test_glossary_terms_match_with_particles_and_spacing() -> None:
    assert "fact sheet Singapore" in read("팩트시트는 싱가포르에 대해 무엇을 말했나요?")
    assert "Nuclear Consultative Group NCG" in read("핵 협의 그룹은 언제 처음 회의했나요?")


def test_a_one_letter_term_is_a_word_of_its_own_only() -> None:
    assert "DPRK" in read("공동성명에서 북은 무엇을 요구했나?")
    assert "DPRK" not in read("북대서양 조약기구에 대해 말했나?")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("2021년 이후 비핵화 표현은 어떻게 달라졌나?", "since 2021"),
        ("2023년 기준 가장 최근 성명은?", "as of 2023"),
        ("2023년 4월 26일 공동성명은?", "April 26, 2023"),
        ("2022년 5월 공동성명은?", "May 2022"),
        ("작년 북한 관련 공동성명은?", "in 2025"),
        ("2018년 전 성명은?", "before 2018"),
    ],
)
def test_dates_and_periods_become_english_bounds(question: str, expected: str) -> None:
    assert expected in read(question)


def test_the_plan_reads_intents_and_bounds_from_korean() -> None:
    latest = plan_query("NCG에 관한 가장 최근 성명은?", bridge=BRIDGE)
    assert latest.intent == "latest"
    assert latest.language == "ko"
    assert latest.asked == "NCG에 관한 가장 최근 성명은?"
    compared = plan_query("2021년 이후 비핵화 표현은 어떻게 달라졌나?", bridge=BRIDGE)
    assert compared.intent == "comparison"
    assert compared.filters.date_from == dt.date(2021, 1, 1)
    # "Which ones" in Korean asks for a list of statements, each quoted.
    listed = plan_query("북한 외무상이 낸 담화는 어떤 것들이 있나?", bridge=BRIDGE)
    assert listed.intent == "list"
    assert "DPRK" in listed.search_text  # the DPRK's foreign minister, not any
    english = plan_query("What is the latest statement on the NCG?", bridge=BRIDGE)
    assert english.language == "en"
    assert english.asked == ""


def test_a_korean_follow_up_is_condensed_with_the_earlier_korean_turn() -> None:
    history = [
        Turn(role="user", content="팩트시트는 싱가포르에 대해 무엇을 말했나요?"),
        Turn(role="assistant", content="The two leaders ... Singapore Summit."),
    ]
    plan = plan_query("그리고 비핵화는?", history, bridge=BRIDGE)
    assert plan.follow_up
    assert "Singapore" in plan.search_text
    assert plan.history == tuple(history)


def test_what_the_answer_says_itself_follows_the_question() -> None:
    assert not_stated_text("NCG 예산은?", language="ko").startswith("성명에는")
    assert not_stated_text("the NCG's budget").startswith("The statements do not say")
    assert label("not_answered", "ko") != label("not_answered", "en")
    assert label("not_answered", "xx") == label("not_answered", "en")


def test_a_korean_question_with_two_asks_has_two_parts() -> None:
    plan = plan_query("워싱턴 선언은 언제 발표되었으며, 어떤 기구를 신설했습니까?", bridge=BRIDGE)
    assert plan.parts == ("워싱턴 선언은 언제 발표되었으며?", "어떤 기구를 신설했습니까?")
    assert plan_query("팩트시트는 싱가포르에 대해 무엇을 말했나요?", bridge=BRIDGE).parts == ()
    assert split_korean("NCG는 언제 출범했나 그리고 누가 주재했나?") == [
        "NCG는 언제 출범했나?",
        "누가 주재했나?",
    ]


def test_a_term_is_not_read_across_a_word_boundary_it_does_not_begin() -> None:
    bridge = KoreanBridge(
        {"상한": ("cap",), "한미일": ("trilateral",), "공동성명": ("joint statement",)}
    )
    reading = bridge.reading("공동성명상 한미일 정상은?", TODAY)
    assert "cap" not in reading.english
    assert reading.english.startswith("joint statement trilateral")
    # Spacing inside a term is still read: the match begins a word.
    assert "Nuclear Consultative Group" in read("핵 협의 그룹은 언제 출범했나요?")


def test_each_word_read_keeps_the_english_forms_it_stands_for() -> None:
    reading = BRIDGE.reading("핵협의그룹 팩트시트는 비핵화에 대해?", TODAY)
    assert reading.alternatives == (
        ("Nuclear Consultative Group", "NCG"),
        ("fact sheet",),
        ("denuclearization",),
    )
    plan = plan_query("핵협의그룹 팩트시트는 비핵화에 대해?", bridge=BRIDGE)
    assert plan.alternatives == reading.alternatives
    assert plan_query("What did the NCG say?", bridge=BRIDGE).alternatives == ()


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("정상들은 얼마나 자주 만나기로 했나요?", "how often"),
        ("NCG는 몇 년마다 열리나요?", "how often"),
        ("협정은 얼마 동안 유효합니까?", "how long"),
        ("종료까지 얼마나 걸려요?", "how long"),
        ("얼마를 투자하기로 했나요?", "how much"),
        ("회담 뒤 며칠이 지났다고 했나요?", "how many days"),
        ("회담은 며칠에 열렸나요?", "when"),
    ],
)
def test_how_often_and_how_long_are_not_how_much(question: str, words: str) -> None:
    english = read(question)
    assert words in english
    if words != "how much":
        assert "how much" not in english
    if words != "when":
        assert "when" not in english  # 며칠이 지났 counts days; 며칠에 asks for a date


def test_a_body_asked_for_by_where_is_a_body_not_a_place() -> None:
    # "기구로 꼽은 곳은 어디?" asks which organisation; "어디에 두기로" asks where.
    assert "which body" in read("태평양 지역의 대표 기구로 꼽은 곳은 어디?")
    assert "where" not in read("태평양 지역의 대표 기구로 꼽은 곳은 어디?")
    assert "where" in read("새로 만든 기구는 어디에 두기로 했나?")
    # "어디까지 왔나": how far along it is, a status, not a place.
    assert "where" not in read("미사일 경보정보 공유는 어디까지 왔나요?")


def test_korean_ordinals_read_as_the_statements_write_them() -> None:
    bridge = KoreanBridge({"회의": ("meeting",), "협정": ("Agreement",)})
    assert bridge.read("2차 회의는?", TODAY) == "second meeting?"
    assert bridge.read("제11차 협정", TODAY) == "11th Agreement?"
    assert bridge.read("3번째 회의", TODAY) == "third meeting?"


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        ("6천만 달러 규모", "$60 million"),
        ("2천억 달러 투자", "$200 billion"),
        ("362억 달러 규모의 구매", "$36.2 billion"),
        ("3,500억 달러", "$350 billion"),
        ("170만 명이 넘는 학생", "1.7 million"),
        ("13만 5천 개의 일자리", "135,000"),
        ("5만 대 상한", "50,000"),
        ("1조 원", "1 trillion won"),
    ],
)
def test_korean_amounts_read_as_the_statements_write_them(question: str, amount: str) -> None:
    assert amount in read(question)


def test_jo_is_an_article_or_section_unless_a_currency_follows() -> None:
    assert "232" in read("232조 관세는?")
    assert "trillion" not in read("232조 관세는?")
    assert "trillion" not in read("평양공동선언 1조에서 합의한 내용은?")
    assert read("2025년 성명") == "2025 statement?"  # a year is no amount


def test_each_say_asks_for_each_statement_side_by_side() -> None:
    # "A와 B는 각각 어떤 입장을 냈나" asks what each said; "각각 얼마씩" asks how much each pays.
    each = plan_query(
        "싱가포르 공동성명과 팩트시트는 비핵화에 대해 각각 뭐라고 했나?", bridge=BRIDGE
    )
    assert each.intent == "list"
    assert each.side_by_side
    assert "each say" in read("공동성명과 팩트시트는 각각 어떤 입장을 냈습니까?")
    assert "each say" in read("공동성명과 팩트시트는 각각 어떻게 평가했어?")
    assert "each say" not in read("한미가 각각 얼마씩 내는 건가요?")
    assert "each say" not in read("각각 무엇에 대한 반응이었습니까?")


def test_the_documents_and_meetings_a_question_names_keep_their_particle() -> None:
    bridge = KoreanBridge(
        {"하노이": ("Hanoi",), "정상회담": ("summit",), "워싱턴선언": ("Washington Declaration",)}
    )
    hanoi = bridge.reading("하노이 정상회담에서는 무엇이 논의되었나요?", TODAY)
    assert hanoi.things == (("Hanoi summit", "에서는", " 무엇이 논의되었나요?"),)
    declaration = bridge.reading("워싱턴 선언의 주요 원칙은?", TODAY)
    assert declaration.things == (("Washington Declaration", "의", " 주요 원칙은?"),)
    assert bridge.reading("정상회담 일정", TODAY).things == ()  # no particle: not its subject


def test_content_words_the_glossary_cannot_read_are_kept_apart() -> None:
    reading = BRIDGE.reading("싱가포르 공동성명은 해조류 양식장에 대해 무엇이라고 했나요?", TODAY)
    assert reading.unread == ("해조류", "양식장")  # its framing and verb forms are not
    plan = plan_query("싱가포르 공동성명은 해조류 양식장에 대해 무엇이라고 했나요?", bridge=BRIDGE)
    assert plan.unread == reading.unread
    assert BRIDGE.reading("싱가포르 공동성명은 비핵화에 대해 무엇이라고 했나요?").unread == ()
