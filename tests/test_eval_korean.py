"""The Korean question set and the parallel calibration sample stay linked to what they translate.

``eval/questions_ko.yaml`` renders the 30 development questions (first, in their order) and at
least 36 of the project's own questions in Korean: same ids, categories, answerability, gold
passages and key facts as the English original, questions (and earlier user turns) in Korean.
``eval/calibration_ko.yaml`` holds corpus sentences with Korean translations, from which the
cross-script centers of multilingual-e5-small's ``relevance`` were measured; recomputing them
with the real model must give the pinned constants back.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pytest
import yaml

from eval.questions import Category, Question, load_questions
from ingest.loaders import FoundFile, load_file
from retrieval.store.embeddings import E5_RELEVANCE_CENTERS, E5Embeddings
from retrieval.store.lexical import lexical_share, main_script

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_SET = SHARED / "eval" / "dev_questions.yaml"
OWN_SET = ROOT / "eval" / "questions.yaml"
KO_SET = ROOT / "eval" / "questions_ko.yaml"
CALIBRATION = ROOT / "eval" / "calibration_ko.yaml"

needs_shared = pytest.mark.skipif(
    not (DEV_SET.is_file() and (SHARED / "corpus").is_dir()), reason="../shared is missing"
)


def calibration() -> list[dict[str, Any]]:
    rows = yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))
    assert isinstance(rows, list)
    return rows


def originals() -> dict[str, Question]:
    """The English questions a Korean one may render: the development and the own set."""
    return {q.id: q for path in (DEV_SET, OWN_SET) for q in load_questions(path)}


@needs_shared
def test_every_development_question_has_its_korean_translation() -> None:
    dev = [q.id for q in load_questions(DEV_SET)]
    assert [q.id for q in load_questions(KO_SET)][: len(dev)] == dev


@needs_shared
def test_every_korean_question_renders_an_english_original() -> None:
    english = originals()
    for q in load_questions(KO_SET):
        original = english[q.id]  # the same id: a development or an own question
        assert (q.category, q.answerable) == (original.category, original.answerable), q.id
        assert q.gold == original.gold, q.id  # the English passages that answer it
        assert q.key_facts == original.key_facts, q.id  # the answer quotes English text
        assert main_script(q.question) == "hangul", q.id
        assert lexical_share(q.question) < 0.5, q.id
        assert q.notes.startswith(f"Korean translation of {q.id}: {original.question}")
        assert len(q.history) == len(original.history), q.id
        for turn, before in zip(q.history, original.history, strict=True):
            assert turn.role == before.role
            if turn.role == "user":
                assert main_script(turn.content) == "hangul", q.id
            else:
                assert turn.content == before.content  # the system's English answer


@needs_shared
def test_the_own_questions_in_korean_cover_every_category() -> None:
    own = {q.id for q in load_questions(OWN_SET)}
    ko = load_questions(KO_SET)
    assert len(ko) >= 66
    assert len({q.question for q in ko}) == len(ko)
    rendered = [q for q in ko if q.id in own]
    assert len(rendered) >= 36
    counts = Counter(q.category for q in rendered)
    assert set(counts) == set(get_args(Category))
    assert counts["unanswerable"] >= 5  # near misses among them
    assert all(counts[c] >= 3 for c in counts), counts


@needs_shared
def test_calibration_sentences_stand_in_the_corpus_and_answer_no_question() -> None:
    rows = calibration()
    assert len(rows) == 30
    sets = (DEV_SET, ROOT / "eval" / "questions.yaml")
    gold = [g.quote for path in sets for q in load_questions(path) for g in q.gold]
    for row in rows:
        text = load_file(FoundFile(SHARED / "corpus" / row["doc"], row["doc"])).text
        assert row["en"] in text, row["en"]
        assert main_script(row["ko"]) == "hangul"
        assert not any(row["en"][:50] in g or g[:50] in row["en"] for g in gold), row["en"]


@needs_shared
def test_the_cross_script_centers_follow_from_the_parallel_sample() -> None:
    e5 = E5Embeddings(batch_size=16)
    rows = calibration()
    sentences = {
        "latin": e5.embed_array([r["en"] for r in rows]),
        "hangul": e5.embed_array([r["ko"] for r in rows]),
    }
    dev = load_questions(DEV_SET)
    ids = {q.id for q in dev}  # the centers were measured on the development questions only
    questions = {
        "latin": e5.embed_queries([q.question for q in dev]),
        "hangul": e5.embed_queries([q.question for q in load_questions(KO_SET) if q.id in ids]),
    }
    median = {
        (qs, ss): float(np.median(questions[qs] @ sentences[ss].T))
        for qs in questions
        for ss in sentences
    }
    base = E5_RELEVANCE_CENTERS["latin", "latin"]
    for pair, center in E5_RELEVANCE_CENTERS.items():
        # Each center sits where the English-English one does, moved by its pair's median.
        expected = base + median[pair] - median["latin", "latin"]
        assert center == pytest.approx(expected, abs=0.003), pair
    # A Korean question sits closer to any Korean sentence than to the English ones...
    assert median["hangul", "hangul"] > median["hangul", "latin"] + 0.03
    # ... which the centers take back out: every pair's median lands on the same relevance.
    levels = [e5.relevance(median[pair], *pair) for pair in E5_RELEVANCE_CENTERS]
    assert max(levels) - min(levels) < 0.02


@pytest.mark.parametrize(
    "name", ["fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7"]
)
def test_every_fresh_korean_question_has_its_english_twin(name: str) -> None:
    from eval.baselines import twin_questions

    korean = load_questions(ROOT / "eval" / f"{name}_ko.yaml")
    english = load_questions(ROOT / "eval" / f"{name}_en.yaml")
    twins = twin_questions(korean, english)
    assert set(twins) == {q.id for q in korean}
    assert all(main_script(q.question) == "hangul" for q in korean)
    assert all(main_script(twins[q.id].question) == "latin" for q in korean)


def test_a_twin_must_be_scored_alike() -> None:
    from eval.baselines import twin_questions

    asked = Question(
        id="x1", question="NCG는?", category="single_doc", answerable=True, key_facts=[["NCG"]]
    )
    other = asked.model_copy(update={"question": "The NCG?", "key_facts": [["group"]]})
    with pytest.raises(ValueError, match="x1: its twin has other gold"):
        twin_questions([asked], [other])
    with pytest.raises(ValueError, match="x1 has no twin"):
        twin_questions([asked], [])
