"""Question sets in the shared format (``../shared/eval/README.md``).

The project's sets, all in that format and run by ``brief eval --questions FILE``:

- ``eval/questions.yaml``: the project's own held-out set (English, every category).
- ``eval/questions_ko.yaml``: the 30 development questions (``../shared/eval/dev_questions.yaml``)
  and 44 of the own set's in Korean, the latter written by meaning, for multilingual retrieval
  (``BRIEF_EMBEDDING_MODEL=multilingual-e5-small``). Each keeps its original's id, category,
  answerability, gold passages and key facts (the corpus and the quoted answers stay English);
  the notes start with the English original. ``tests/test_eval_korean.py`` checks the link.
- ``eval/near_miss_tune.yaml`` and ``eval/near_miss_test.yaml``: near misses (unanswerable
  questions right next to real passages, each with an answerable twin on the same passage),
  multi-part questions and terse or acronym questions, for the "not stated" decision. The tune
  half fits and checks it; the test half is held out until a change is reported. They add three
  optional keys to the shared format: ``near_miss`` (the class), ``twin`` and ``parts``.
- ``eval/calibration_ko.yaml`` is no question set: 30 corpus sentences with Korean translations,
  the parallel sample that calibrates e5's similarities across scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import BriefError
from retrieval.search.plan import Turn

Category = Literal["single_doc", "multi_doc", "comparison", "latest", "unanswerable", "follow_up"]
NearMiss = Literal["detail", "qualifier", "reaction", "absent"]


class GoldPassage(BaseModel):
    """A passage that supports the answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str
    quote: str


class Part(BaseModel):
    """One part of a question that asks several things."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ask: str
    answerable: bool


class Question(BaseModel):
    """One evaluation question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str
    category: Category
    answerable: bool
    history: list[Turn] = Field(default_factory=list)
    gold: list[GoldPassage] = Field(default_factory=list)
    key_facts: list[list[str]] = Field(default_factory=list)
    notes: str = ""
    near_miss: NearMiss | None = Field(
        default=None, description="On an unanswerable question next to a real passage: its class."
    )
    twin: str = Field(default="", description="The id of the question's near-miss pair.")
    parts: list[Part] = Field(
        default_factory=list, description="The parts of a question that asks several things."
    )


class QuestionSetError(BriefError, ValueError):
    """The question file cannot be read."""


def load_questions(path: Path) -> list[Question]:
    """Read and validate a question set; ids must be unique."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: cannot read the question set: {exc}") from exc
    if not isinstance(raw, list):
        raise QuestionSetError(f"{path}: expected a YAML list of questions")
    questions = []
    for i, item in enumerate(raw):
        try:
            questions.append(Question.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise QuestionSetError(f"{path}: question #{i + 1} ({where}): {first['msg']}") from exc
    ids = [q.id for q in questions]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise QuestionSetError(f"{path}: duplicate ids: {', '.join(dupes)}")
    return questions
