"""A comparison whose sides name their statements: each side's own quotes (``side_quotes``;
the answers on the sample corpus are in ``test_compare``)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from core.models import Chunk, DocumentMeta
from retrieval.answer.candidates import Candidate
from retrieval.answer.sides import side_quotes
from retrieval.answer.topics import QUOTES_PER_STATEMENT
from retrieval.sentences import is_framing

TEXT = (
    "Pyongyang, June 12 (KCNA) -- The minister released the following statement on June 11. "
    "We will never give up our deterrent. "
    "Our deterrent is not a bargaining chip. "
    "The deterrent will never be given up by us. "
    "Trade with neighbours will grow."
)


def _sentences() -> list[Candidate]:
    meta = DocumentMeta(title="Statement", issuer="Ministry", date=dt.date(2020, 6, 12))
    chunk = Chunk(doc_id="doc.md", text=TEXT, start=0, end=len(TEXT), meta=meta)
    # Directions: sentences 1 and 3 say the same thing (one vector), the others differ.
    vectors = [np.eye(4)[i] for i in (0, 1, 2, 1, 3)]
    scores = [0.9, 0.8, 0.6, 0.7, 0.5]
    out, start = [], 0
    for vector, score, sentence in zip(vectors, scores, _split(TEXT), strict=True):
        start = TEXT.index(sentence, start)
        cand = Candidate(chunk, 0, start, start + len(sentence), vector, score=score)
        cand.framing = is_framing(sentence)
        out.append(cand)
    return out


def _split(text: str) -> list[str]:
    parts = [p.strip() + "." for p in text.split(". ")]
    parts[-1] = parts[-1].rstrip(".")
    return parts


def test_a_side_quotes_its_best_sentences_that_say_different_things() -> None:
    quoted = [c.text for c in side_quotes(_sentences(), budget=100, redundant=0.9)]
    assert len(quoted) == QUOTES_PER_STATEMENT
    # The dateline scores best but frames the statement; the near repeat of the best is left.
    assert quoted == [
        "We will never give up our deterrent.",
        "Our deterrent is not a bargaining chip.",
    ]


def test_a_side_keeps_to_its_budget_and_quotes_a_dateline_only_when_it_has_nothing_else() -> None:
    cands = _sentences()
    quoted = side_quotes(cands, budget=7, redundant=0.9)
    assert [c.text for c in quoted] == ["We will never give up our deterrent."]
    assert [c.framing for c in side_quotes(cands[:1], budget=100, redundant=0.9)] == [True]
    assert side_quotes([], budget=100, redundant=0.9) == []


def test_a_quote_heading_a_list_item_brings_the_rest_of_the_item_however_weak() -> None:
    text = "- The leaders will continue the transition. The ROK will lead the defense.\n"
    meta = DocumentMeta(title="Fact sheet", issuer="White House", date=dt.date(2025, 11, 13))
    chunk = Chunk(doc_id="fs.md", text=text, start=0, end=len(text), meta=meta)
    head = Candidate(chunk, 0, 2, 43, np.eye(4)[0], score=0.9)
    rest = Candidate(chunk, 0, 44, 74, np.eye(4)[1], score=0.2)  # too weak to be quoted alone
    assert rest.text == "The ROK will lead the defense."
    assert side_quotes([head], budget=100, redundant=0.9) == [head]
    assert side_quotes([head], budget=100, redundant=0.9, around=[head, rest]) == [head, rest]
    assert side_quotes([head], budget=8, redundant=0.9, around=[head, rest]) == [head]  # budget
