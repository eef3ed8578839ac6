"""Question sets: both load, the project set covers every category, gold quotes are exact."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import get_args

import pytest

from eval.questions import Category, Question, QuestionSetError, load_questions
from ingest.loaders import FoundFile, load_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
PROJECT_SET = ROOT / "eval" / "questions.yaml"
DEV_SET = SHARED / "eval" / "dev_questions.yaml"
NEAR_MISS_SETS = [
    ROOT / "eval" / "near_miss_tune.yaml",
    ROOT / "eval" / "near_miss_test.yaml",
    ROOT / "eval" / "near_miss2.yaml",
    ROOT / "eval" / "near_miss3.yaml",
    ROOT / "eval" / "near_miss4.yaml",
    ROOT / "eval" / "near_miss5.yaml",
    ROOT / "eval" / "near_miss6.yaml",
    ROOT / "eval" / "near_miss7.yaml",
    ROOT / "eval" / "near_miss8.yaml",
    ROOT / "eval" / "near_miss9.yaml",
    ROOT / "eval" / "near_miss10.yaml",
    ROOT / "eval" / "near_miss11.yaml",
    ROOT / "eval" / "near_miss12.yaml",
    ROOT / "eval" / "near_miss13.yaml",
    ROOT / "eval" / "near_miss14.yaml",
    ROOT / "eval" / "near_miss15.yaml",
    ROOT / "eval" / "near_miss16.yaml",
    ROOT / "eval" / "near_miss17.yaml",
    ROOT / "eval" / "near_miss18.yaml",
    ROOT / "eval" / "near_miss19.yaml",
    ROOT / "eval" / "near_miss20.yaml",
    ROOT / "eval" / "near_miss21.yaml",
    ROOT / "eval" / "near_miss22.yaml",
    ROOT / "eval" / "near_miss23.yaml",
    ROOT / "eval" / "near_miss24.yaml",
]
FRESH_ENGLISH_ONLY = [
    ROOT / "eval" / "fresh8_en.yaml",
    ROOT / "eval" / "fresh9_en.yaml",
    ROOT / "eval" / "fresh10_en.yaml",
    ROOT / "eval" / "fresh11_en.yaml",
    ROOT / "eval" / "fresh12_en.yaml",
    ROOT / "eval" / "fresh13_en.yaml",
    ROOT / "eval" / "fresh14_en.yaml",
    ROOT / "eval" / "fresh15_en.yaml",
]
CATEGORIES = set(get_args(Category))

needs_shared = pytest.mark.skipif(
    not (CORPUS.is_dir() and DEV_SET.is_file()), reason="../shared is missing"
)


@cache
def body(doc: str) -> str:
    """A corpus document's text after its front matter."""
    return load_file(FoundFile(CORPUS / doc, doc)).text


def gold_items(path: Path) -> list[tuple[str, str, str]]:
    if not path.is_file():
        return []
    return [(q.id, g.doc, g.quote) for q in load_questions(path) for g in q.gold]


# ---------------------------------------------------------------- the two sets


def test_project_set_loads_with_enough_questions_in_every_category():
    questions = load_questions(PROJECT_SET)
    assert len(questions) >= 60
    counts = Counter(q.category for q in questions)
    assert set(counts) == CATEGORIES
    assert len(CATEGORIES) == 6


@needs_shared
def test_dev_set_loads():
    questions = load_questions(DEV_SET)
    assert len(questions) == 30
    assert all(isinstance(q, Question) for q in questions)


@needs_shared
def test_project_set_does_not_repeat_the_dev_set():
    project = load_questions(PROJECT_SET)
    dev = load_questions(DEV_SET)
    assert not {q.id for q in project} & {q.id for q in dev}
    assert not {q.question.strip().lower() for q in project} & {
        q.question.strip().lower() for q in dev
    }


@pytest.mark.parametrize(
    "path",
    [PROJECT_SET, DEV_SET, *NEAR_MISS_SETS, *FRESH_ENGLISH_ONLY],
    ids=[
        "project",
        "dev",
        "near-miss-tune",
        "near-miss-test",
        "near-miss-2",
        "near-miss-3",
        "near-miss-4",
        "near-miss-5",
        "near-miss-6",
        "near-miss-7",
        "near-miss-8",
        "near-miss-9",
        "near-miss-10",
        "near-miss-11",
        "near-miss-12",
        "near-miss-13",
        "near-miss-14",
        "near-miss-15",
        "near-miss-16",
        "near-miss-17",
        "near-miss-18",
        "near-miss-19",
        "near-miss-20",
        "near-miss-21",
        "near-miss-22",
        "near-miss-23",
        "near-miss-24",
        "fresh8-en",
        "fresh9-en",
        "fresh10-en",
        "fresh11-en",
        "fresh12-en",
        "fresh13-en",
        "fresh14-en",
        "fresh15-en",
    ],
)
def test_questions_are_consistent(path: Path):
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    for q in load_questions(path):
        assert q.question.strip(), q.id
        if q.category == "unanswerable":
            assert not q.answerable, q.id
        if q.answerable:
            assert q.gold, f"{q.id}: answerable without gold"
            assert q.key_facts, f"{q.id}: answerable without key facts"
        else:
            assert not q.gold, f"{q.id}: unanswerable with gold"
        if q.category == "follow_up":
            assert q.history, f"{q.id}: follow-up without history"
        for alternatives in q.key_facts:
            assert alternatives, f"{q.id}: empty key fact"
            assert all(alt.strip() for alt in alternatives), q.id


def test_near_miss_sets_pair_every_near_miss_with_an_answerable_twin():
    sets = [load_questions(p) for p in NEAR_MISS_SETS]
    tune, test = sets[:2]
    assert not {q.id for q in tune} & {q.id for q in test}
    for questions in sets:
        by_id = {q.id: q for q in questions}
        near = [q for q in questions if q.near_miss]
        assert len(near) >= 24
        for q in near:
            assert not q.answerable, q.id
            twin = by_id[q.twin]  # in the same half
            assert twin.answerable, q.id
            assert twin.twin == q.id, q.id
            assert twin.gold, q.id
        assert sum(len(q.parts) >= 2 for q in questions) >= 10
    every = tune + test
    assert Counter(q.near_miss for q in every if q.near_miss) == dict.fromkeys(
        ("detail", "qualifier", "reaction", "absent"), 17
    )
    partial = [q for q in every if any(not p.answerable for p in q.parts)]
    assert len(partial) >= 8
    assert all(q.answerable for q in partial)
    # Each later set was written blind to the ones before it, with as many pairs of each class.
    per_class = [9, 8, 7, 6, 6, 6, 6, 6, 8, 8, 8, 8, 8, 8, 8]
    for questions, n in zip(sets[2:-8], per_class, strict=True):
        assert Counter(q.near_miss for q in questions if q.near_miss) == dict.fromkeys(
            ("detail", "qualifier", "reaction", "absent"), n
        )
    # near_miss17 to near_miss24: 30 pairs each, 7 or 8 of each class.
    for questions in sets[-8:-6]:
        assert Counter(q.near_miss for q in questions if q.near_miss) == {
            "detail": 8,
            "qualifier": 8,
            "reaction": 7,
            "absent": 7,
        }
    for questions in sets[-6:]:
        assert Counter(q.near_miss for q in questions if q.near_miss) == {
            "detail": 8,
            "qualifier": 7,
            "reaction": 7,
            "absent": 8,
        }


# ---------------------------------------------------------------- gold quotes


@needs_shared
@pytest.mark.parametrize(
    ("qid", "doc", "quote"),
    gold_items(PROJECT_SET)
    + gold_items(DEV_SET)
    + [g for p in [*NEAR_MISS_SETS, *FRESH_ENGLISH_ONLY] for g in gold_items(p)],
    ids=lambda v: v if isinstance(v, str) and len(v) < 12 else "",
)
def test_gold_quote_is_an_exact_substring_of_its_document_body(qid: str, doc: str, quote: str):
    assert (CORPUS / doc).is_file(), f"{qid}: no corpus document {doc}"
    assert quote.strip(), f"{qid}: empty gold quote"
    assert quote in body(doc), f"{qid}: gold quote not verbatim in {doc}: {quote[:80]!r}"


@needs_shared
def test_gold_quotes_are_not_in_the_front_matter_only():
    # The body excludes the front matter: a quote of a title field alone would not count.
    doc = "2023-04-26-washington-declaration.md"
    raw = (CORPUS / doc).read_text(encoding="utf-8")
    assert raw.startswith("---\n")
    assert "issuer:" in raw
    assert "issuer:" not in body(doc)


# ---------------------------------------------------------------- load_questions errors

GOOD_ITEM = """- id: q1
  question: "What did the leaders declare?"
  category: single_doc
  answerable: true
  history: []
  gold:
    - doc: a.md
      quote: "no more war"
  key_facts:
    - ["no more war"]
  notes: "They declared no more war."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_small_valid_set_loads(tmp_path: Path):
    follow_up = (
        "- id: q2\n  question: And then?\n  category: follow_up\n  answerable: false\n"
        "  history:\n    - {role: user, content: 'What did they declare?'}\n"
    )
    questions = load_questions(write(tmp_path, GOOD_ITEM + follow_up))
    assert [q.id for q in questions] == ["q1", "q2"]
    assert questions[0].gold[0].doc == "a.md"
    assert questions[0].key_facts == [["no more war"]]
    assert questions[1].history[0].content == "What did they declare?"
    assert questions[1].gold == []


def test_duplicate_ids_raise(tmp_path: Path):
    text = GOOD_ITEM + GOOD_ITEM.replace("q1", "q2") + GOOD_ITEM
    with pytest.raises(QuestionSetError, match="duplicate ids: q1") as info:
        load_questions(write(tmp_path, text))
    assert "q2" not in str(info.value)
    assert str(tmp_path / "questions.yaml") in str(info.value)


@pytest.mark.parametrize(
    ("item", "where"),
    [
        (GOOD_ITEM.replace("category: single_doc", "category: trivia"), "category"),
        (GOOD_ITEM.replace("  answerable: true\n", ""), "answerable"),
        (GOOD_ITEM.replace('  question: "What did the leaders declare?"\n', ""), "question"),
        (GOOD_ITEM.replace("  notes:", "  comment:"), "comment"),
        (GOOD_ITEM.replace("      quote:", "      text:"), "gold"),
        ('- "just a string"\n', "dictionary"),
    ],
    ids=["bad-category", "no-answerable", "no-question", "extra-key", "bad-gold", "not-a-map"],
)
def test_malformed_item_raises_with_its_position(tmp_path: Path, item: str, where: str):
    with pytest.raises(QuestionSetError) as info:
        load_questions(write(tmp_path, GOOD_ITEM.replace("q1", "q0") + item))
    message = str(info.value)
    assert "questions.yaml" in message
    assert "question #2" in message
    assert where in message


def test_top_level_must_be_a_list(tmp_path: Path):
    with pytest.raises(QuestionSetError, match="expected a YAML list"):
        load_questions(write(tmp_path, "id: q1\nquestion: x\n"))


def test_broken_yaml_and_missing_file_raise(tmp_path: Path):
    with pytest.raises(QuestionSetError, match="cannot read"):
        load_questions(write(tmp_path, "- id: [unclosed\n"))
    with pytest.raises(QuestionSetError, match="cannot read"):
        load_questions(tmp_path / "nope.yaml")
