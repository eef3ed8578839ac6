"""What a question asks for: its intent, the dates it names, and its standalone form."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from retrieval.lexical import STOPWORDS
from retrieval.models import Filters

_YEAR = r"(19[5-9]\d|20[0-4]\d)"
_LATEST = re.compile(
    r"\b(latest|most recent|newest|recent(?:ly)?|current(?:ly)?|now|today|last)\b", re.I
)
_COMPARE = re.compile(
    r"\b(chang\w*|compar\w*|differ\w*|evolv\w*|evolution|shift\w*|over time|vs\.?|versus|"
    r"same|contrast|between .+ and)\b",
    re.I,
)
_LIST = re.compile(r"\b(which|what) (statements|documents|texts|declarations|ones)\b|\ball\b", re.I)
_SINCE = re.compile(rf"\b(since|after|from) {_YEAR}\b", re.I)
_RANGE = re.compile(rf"\b(?:from|between) {_YEAR} (?:to|and|until) {_YEAR}\b", re.I)
_UNTIL = re.compile(rf"\b(before|until|up to|as of|by) {_YEAR}\b", re.I)
_FOLLOW_UP = re.compile(
    r"^\s*(and|also|what about|how about|but|so|then)\b|\b(it|its|they|them|their|that|"
    r"this|those|these|he|she|his|her)\b",
    re.I,
)


# Words that frame a question rather than name its topic.
META_WORDS = frozenset(
    """wording word words language phrase phrasing phrased text texts changed change changes
    changing compare compared comparison differ differs different difference differences evolve
    evolved evolution shift shifted latest recent recently newest most current currently
    corpus document documents statement statements say said says mention mentions mentioned
    according tell what which when how who where does did do is are was were has have had
    the a an of on in about to and or for with since between vs versus anything something""".split()
)


_SUB_QUESTION = re.compile(
    r",?\s+and\s+(?=(?:what|when|who|whom|which|where|why|how|is|are|was|were|does|did|do)\b)",
    re.I,
)


def sub_questions(question: str) -> list[str]:
    """The parts of a compound question ("When was X issued and what did it create?")."""
    parts = [p.strip(" ?,") for p in _SUB_QUESTION.split(question)]
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts if len(parts) > 1 else []


def topic_text(question: str) -> str:
    """The question without its framing words (the topic a sentence must address)."""
    words = re.findall(r"[\w’'.-]+", question)
    # Years are dates, handled by date filters and boosts, not words to match.
    kept = []
    for word in words:
        bare = re.sub(r"['’]s$", "", word.lower().strip("."))
        if bare in META_WORDS or bare in STOPWORDS or re.fullmatch(_YEAR, bare):
            continue
        kept.append(word)
    return " ".join(kept) or question


class Turn(BaseModel):
    """One earlier message of the conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str
    content: str


@dataclass(frozen=True)
class QueryPlan:
    """How to search for a question."""

    question: str
    search_text: str
    intent: str  # lookup | latest | comparison | list
    follow_up: bool = False
    years: tuple[int, ...] = ()
    only_years: tuple[int, ...] = ()  # a comparison of named years: only those statements
    filters: Filters = field(default_factory=Filters)

    @property
    def multi_document(self) -> bool:
        """Whether the answer should draw on several statements."""
        return self.intent in ("comparison", "list")


def condense(question: str, history: list[Turn]) -> str:
    """A standalone search text for a follow-up: the question plus the last user turn.

    Without a model, the previous question carries the topic that pronouns point to; the
    current question comes first so its own terms dominate.
    """
    previous = [t.content for t in history if t.role == "user"]
    if not previous:
        return question
    if not _FOLLOW_UP.search(question) and len(question.split()) > 12:
        return question
    return f"{question} {previous[-1]}"


def plan_query(question: str, history: list[Turn] | None = None) -> QueryPlan:
    """Intent and date restrictions of a question."""
    search_text = condense(question, history or [])
    follow_up = search_text != question
    years = tuple(sorted({int(y) for y in re.findall(rf"\b{_YEAR}\b", question)}))
    date_from = date_to = None
    since = _SINCE.search(question)
    if since:
        date_from = dt.date(int(since.group(2)), 1, 1)
    until = _UNTIL.search(question)
    if until:
        date_to = dt.date(int(until.group(2)), 12, 31)
    span = _RANGE.search(question)
    if span:
        date_from = dt.date(int(span.group(1)), 1, 1)
        date_to = dt.date(int(span.group(2)), 12, 31)
    only_years: tuple[int, ...] = ()
    if _COMPARE.search(question):
        intent = "comparison"
        if years and not (since or until or span):
            only_years = years  # "the 2022 and 2023 statements", "April vs September 2018"
    elif _LATEST.search(question):
        intent = "latest"
    elif _LIST.search(question):
        intent = "list"
    else:
        intent = "lookup"
    return QueryPlan(
        question=question,
        search_text=search_text,
        intent=intent,
        follow_up=follow_up,
        years=years,
        only_years=only_years,
        filters=Filters(date_from=date_from, date_to=date_to),
    )
