"""The Korean question set and the parallel calibration sample stay linked to what they translate.

``eval/questions_ko.yaml`` translates the development questions: same ids, categories,
answerability, gold passages and key facts, questions (and earlier user turns) in Korean.
``eval/calibration_ko.yaml`` holds corpus sentences with Korean translations, from which the
cross-script centers of multilingual-e5-small's ``relevance`` were measured; recomputing them
with the real model must give the pinned constants back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from eval.questions import load_questions
from ingest.loaders import FoundFile, load_file
from retrieval.store.embeddings import E5_RELEVANCE_CENTERS, E5Embeddings
from retrieval.store.lexical import lexical_share, main_script

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_SET = SHARED / "eval" / "dev_questions.yaml"
KO_SET = ROOT / "eval" / "questions_ko.yaml"
CALIBRATION = ROOT / "eval" / "calibration_ko.yaml"

needs_shared = pytest.mark.skipif(
    not (DEV_SET.is_file() and (SHARED / "corpus").is_dir()), reason="../shared is missing"
)


def calibration() -> list[dict[str, Any]]:
    rows = yaml.safe_load(CALIBRATION.read_text(encoding="utf-8"))
    assert isinstance(rows, list)
    return rows


@needs_shared
def test_every_development_question_has_its_korean_translation() -> None:
    dev = {q.id: q for q in load_questions(DEV_SET)}
    ko = load_questions(KO_SET)
    assert [q.id for q in ko] == list(dev)
    for q in ko:
        original = dev[q.id]
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
    questions = {
        "latin": e5.embed_queries([q.question for q in load_questions(DEV_SET)]),
        "hangul": e5.embed_queries([q.question for q in load_questions(KO_SET)]),
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
