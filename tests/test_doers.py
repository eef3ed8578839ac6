"""Who did what a question asks about (retrieval/answer/doers.py)."""

from __future__ import annotations

import pytest

from retrieval.answer.doers import deed_asked, names_doer


@pytest.mark.parametrize(
    ("question", "deed"),
    [
        ("Who signed the harbour accord?", "sign"),
        ("who convened the first council meeting", "conven"),
        ("Who will lead the working group?", "lead"),
        ("The accord was signed by whom?", "sign"),
        ("Who is the harbour master?", None),  # a person asked, no deed
        ("What did the council sign?", None),
    ],
)
def test_the_deed_a_who_question_asks_the_doer_of(question: str, deed: str | None) -> None:
    assert deed_asked(question) == deed


def test_a_sentence_names_the_doer_after_the_deed() -> None:
    assert names_doer("The accord was signed by Director Vale and Minister Oru.", "sign")
    assert names_doer("The meeting was convened by Dr. Kim.", "conven")
    assert not names_doer("During the minister's trip, Marrow signed two accords.", "sign")
    assert not names_doer("The accord was signed by both sides.", "sign")  # no one named
    assert not names_doer("The talks were led by Director Vale.", "sign")  # another deed
