"""Generated answers: the "Not stated" protocol and negations the sources do not make."""

from __future__ import annotations

from typing import Any

from core.answers import UNSUPPORTED_MARK
from core.settings import Settings
from retrieval.answer.claims import not_stated_parts
from retrieval.store.index import StatementIndex
from tests.scripted_openai import Reply, ScriptedOpenAIServer
from tests.test_generative import QUESTION, SPENDING, generative, no_machine_endpoint

__all__ = ["no_machine_endpoint"]  # the fixture that keeps the machine's endpoints out

TWO_PARTS = "What did President Lee say about defense spending, and who will chair the NCG in 2030?"


def ask(index: StatementIndex, settings: Settings, reply: str, question: str) -> Any:
    with ScriptedOpenAIServer([Reply(text=reply)]) as server:
        answer = generative(index, settings, server.base_url).ask(question, answerer="generative")
        prompt = server.requests[-1]["messages"][0]["content"]
    return answer, prompt


def test_the_model_is_told_to_answer_every_part_and_name_what_is_not_stated(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    _, system = ask(corpus_index, corpus_settings, SPENDING, QUESTION)
    assert "Answer every part of the question" in system
    assert 'starts with "Not stated:"' in system


def test_a_part_the_model_says_is_not_stated_is_named_after_the_checked_answer(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    reply = f"{SPENDING} Not stated: who will chair the NCG in 2030."
    answer, _ = ask(corpus_index, corpus_settings, reply, TWO_PARTS)
    assert not answer.refused
    assert answer.not_stated == ["who will chair the NCG in 2030"]
    assert answer.text.endswith("The statements do not say: “who will chair the NCG in 2030”")
    assert [s.supported for s in answer.sentences] == [True]  # "Not stated" is no claim
    assert UNSUPPORTED_MARK not in answer.text


def test_every_part_not_stated_is_a_refusal_that_names_them(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    reply = "Not stated: who will chair the NCG in 2030.\nNot stated: where it will meet."
    answer, _ = ask(corpus_index, corpus_settings, reply, TWO_PARTS)
    assert answer.refused
    assert answer.not_stated == ["who will chair the NCG in 2030", "where it will meet"]
    assert answer.text.splitlines() == [
        "The statements do not say: “who will chair the NCG in 2030”",
        "The statements do not say: “where it will meet”",
    ]


def test_a_negation_the_source_does_not_make_is_unsupported(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    negated = SPENDING.replace("shared a plan", "did not share any plan")
    answer, _ = ask(corpus_index, corpus_settings, f"{SPENDING} {negated}", QUESTION)
    assert [s.supported for s in answer.sentences] == [True, False]
    assert "negation" in answer.sentences[1].reason
    assert f"{UNSUPPORTED_MARK} President Lee did not share" in answer.text


def test_an_answer_whose_every_sentence_fails_the_check_is_replaced_by_the_quotes(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    negated = SPENDING.replace("shared a plan", "did not share any plan")
    answer, _ = ask(corpus_index, corpus_settings, negated, QUESTION)
    assert answer.answerer == "extractive"
    assert UNSUPPORTED_MARK not in answer.text
    assert "did not share" not in answer.text
    assert answer.citations  # the quotes, verbatim
    assert any("none of the model's 1 sentence(s) is supported" in n for n in answer.notes)


def test_not_stated_lines_and_sentences_are_read_but_not_the_words_inside_a_claim() -> None:
    assert not_stated_parts("A [1]. Not stated: who chairs it.") == ("A [1].", ["who chairs it"])
    assert not_stated_parts("A [1].\n- Not stated: when?") == ("A [1].", ["when?"])
    assert not_stated_parts("It is not stated: here [1].") == ("It is not stated: here [1].", [])


def test_an_html_page_or_a_broken_stream_ends_in_the_extractive_answer(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    """What a misconfigured proxy or a broken server sends (status 200) is no crash."""
    html = b"<html><body><h1>Sign in to the proxy</h1></body></html>"
    broken = b'data: {"id": "x", "choices": [{"delta": {"content": "Pres'
    for reply in (
        Reply(raw=html),
        Reply(raw=broken, raw_type="text/event-stream"),
        Reply(raw=b"data: not json\n\n", raw_type="text/event-stream"),
    ):
        with ScriptedOpenAIServer([reply]) as server:
            answer = generative(corpus_index, corpus_settings, server.base_url).ask(
                QUESTION, answerer="generative"
            )
        assert answer.answerer == "extractive", reply.raw
        assert answer.citations
        assert any(
            n.startswith("generative answer failed") and "not an OpenAI-compatible answer" in n
            for n in answer.notes
        ), answer.notes
