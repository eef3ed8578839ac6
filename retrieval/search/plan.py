"""What a question asks for: its intent, the dates it names, and its standalone form."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from core.models import Filters
from retrieval.search.intent import YEAR_DIGITS, asks_each, question_intent
from retrieval.search.korean import KoreanBridge, has_hangul, split_korean
from retrieval.search.parts import asks_its_own, split_parts
from retrieval.store.lexical import STOPWORDS, find_acronyms

_YEAR = rf"({YEAR_DIGITS})"
_MONTH_NAMES = (  # each month's names, by number
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
    "august aug", "september sept sep", "october oct", "november nov", "december dec",
)  # fmt: skip
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_MONTH = r"\b(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_FULL_MONTH = {name: names.split()[0] for names in _MONTH_NAMES for name in names.split()}
_DATED_MONTH = re.compile(_MONTH + r"(?=\s*\d)", re.I)


def full_month(word: str) -> str:
    """A month's full name for its short form ("Nov": "november"); any other word as it is."""
    return _FULL_MONTH.get(word.rstrip(".").lower(), word)


def spell_months(text: str) -> str:
    """The text with each month shortened before a day or year spelled out ("Nov 2025":
    "november 2025"), as a statement's card gives it."""
    return _DATED_MONTH.sub(lambda m: full_month(m[0]), text)


_DAY = r"\b\d{1,2}(?:st|nd|rd|th)?\b"
_Y = rf"\b{YEAR_DIGITS}\b"
YEARS = re.compile(_Y)  # the years a question names (plan.years), wherever read
# A year with the month (and day) before it: "April 2023", "Nov 13, 2025".
DATED_YEARS = re.compile(rf"(?:{_MONTH}\s+(?:{_DAY},?\s+)?)?{_Y}", re.I)
# A period a question names: a day, a month, the start or end of a year, or a year.
_PERIOD = re.compile(
    rf"(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}),?\s+(?P<y1>{_Y})"
    rf"|(?P<d2>{_DAY})\s+(?P<m2>{_MONTH}),?\s+(?P<y2>{_Y})"
    rf"|\b(?P<y3>{YEAR_DIGITS})-(?P<mo3>[01]\d)-(?P<d3>[0-3]\d)\b"
    rf"|(?P<m4>{_MONTH})\s+(?:of\s+)?(?P<y4>{_Y})"
    rf"|\b(?:the\s+)?(?P<side>end|start|beginning)\s+of\s+(?P<y5>{_Y})"
    rf"|(?P<y6>{_Y})",
    re.I,
)
# The word(s) right before a period that make it a bound of the dates searched.
_BOUND = re.compile(
    r"\b(?P<op>since|after|from|starting|beginning|before|prior to|until|till|up to|up until|"
    r"through|thru|as of|as at|by|between|to|and)\s+$",
    re.I,
)
_FROM_START = frozenset({"since", "from", "starting", "beginning", "between"})
_TO_END = frozenset(
    {"until", "till", "up to", "up until", "through", "thru", "as of", "as at", "by"}
)
_AS_OF = frozenset({"as of", "as at"})
_RANGE_OPENERS = frozenset({"from", "between"})
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
    the a an of on in about to and or for with since between vs versus anything something
    position positions stance stated timeline""".split()
)

# Common names of the parties and the formal names (acronyms) the statements use.
_COMMON_NAMES = (
    (re.compile(r"\bNorth[ -]Korea(?:ns?)?\b", re.I), "DPRK"),
    (re.compile(r"\bSouth[ -]Korea(?:ns?)?\b", re.I), "ROK"),
)


def formal_names(text: str) -> str:
    """The text with common names of the Koreas replaced by the acronyms statements use
    ("North Korea" -> "DPRK"), so that term matching treats both alike."""
    for pattern, formal in _COMMON_NAMES:
        text = pattern.sub(formal, text)
    return text


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


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def _period(m: re.Match[str]) -> tuple[dt.date, dt.date]:
    """First and last day of the period a ``_PERIOD`` match names (ValueError if no such day)."""
    if m["y1"] or m["y2"]:
        day = dt.date(int(m["y1"] or m["y2"]), _month(m["m1"] or m["m2"]), _day(m["d1"] or m["d2"]))
        return day, day
    if m["y3"]:
        day = dt.date(int(m["y3"]), int(m["mo3"]), int(m["d3"]))
        return day, day
    if m["y4"]:
        year, month = int(m["y4"]), _month(m["m4"])
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    if m["y5"]:
        year = int(m["y5"])
        day = dt.date(year, 12, 31) if m["side"].lower() == "end" else dt.date(year, 1, 1)
        return day, day
    year = int(m["y6"])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


class Turn(BaseModel):
    """One earlier message of the conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str
    content: str
    doc_ids: tuple[str, ...] = Field(
        default=(), description="The statements an assistant turn quoted (when known)."
    )


@dataclass(frozen=True)
class DateBounds:
    """The dates a question restricts itself to (``None``: open on that side)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    as_of: dt.date | None = None  # "as of March 2024": the end of the period named
    spans: tuple[tuple[int, int], ...] = ()  # where the bounds stand in the question


def date_bounds(question: str) -> DateBounds:
    """Bounds from "since 2021", "after April 2023", "before 2022", "as of March 2024",
    "from 2018 to 2023", "between May 2022 and the end of 2023", "by 26 April 2023".

    "since"/"from" start at the beginning of the period named, "after" the day after it ends;
    "until"/"through"/"as of"/"by" end at the end of the period, "before"/"prior to" the day
    before it starts. A period with no such word before it ("the 2021 and 2025 statements")
    restricts nothing.
    """
    date_from = date_to = as_of = None
    open_range = False
    spans: list[tuple[int, int]] = []
    for m in _PERIOD.finditer(question):
        try:
            start, end = _period(m)
        except ValueError:  # "February 30, 2023"
            continue
        window = max(0, m.start() - 16)
        bound = _BOUND.search(question[window : m.start()])
        op = " ".join(bound["op"].lower().split()) if bound else ""
        if op and (op not in ("to", "and") or open_range):
            spans.append((window + bound.start() if bound else m.start(), m.end()))
        if op in ("to", "and"):
            if open_range:
                date_to = end
            open_range = False
            continue
        open_range = op in _RANGE_OPENERS
        if op in _FROM_START:
            date_from = start
        elif op == "after":
            date_from = end + dt.timedelta(days=1)
        elif op in ("before", "prior to"):
            date_to = start - dt.timedelta(days=1)
        elif op in _TO_END:
            date_to = end
            if op in _AS_OF:
                as_of = end
    return DateBounds(date_from, date_to, as_of, tuple(spans))


def undated(question: str) -> str:
    """The question without the date bounds it names ("since 2020", "as of March 2024"):
    what is left to match against the statements' words."""
    out = question
    for start, end in reversed(date_bounds(question).spans):
        out = out[:start] + " " + out[end:]
    return re.sub(r"\s+([?.!,;:])", r"\1", " ".join(out.split()))


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks, worked out once and passed down to search and answering.

    ``question`` is the standalone question searched (a follow-up the model rewrote, in
    generative mode); ``asked`` the question as the user typed it, when that differs.
    The derived readings (topic, parts, ...) are computed on first use and kept.
    """

    question: str
    search_text: str
    intent: str  # lookup | latest | comparison | list
    follow_up: bool = False
    years: tuple[int, ...] = ()
    only_years: tuple[int, ...] = ()  # a comparison of named years: only those statements
    joined: tuple[str, ...] = ()  # "What did A and B say …?": the statements it compares
    filters: Filters = field(default_factory=Filters)
    as_of: dt.date | None = None  # "as of DATE": the latest statement up to that date
    asked: str = ""  # the question as asked ("": the same as ``question``)
    history: tuple[Turn, ...] = ()  # the conversation before it
    language: str = "en"  # "ko": asked in Korean, ``question`` is its English reading
    # A Korean question's words as read: the English forms each stands for (any one will do).
    alternatives: tuple[tuple[str, ...], ...] = ()
    subjects: tuple[tuple[str, ...], ...] = ()  # the names a Korean question marks as subject
    # The documents or meetings a Korean question names: English, particle, what follows.
    things: tuple[tuple[str, str, str], ...] = ()
    unread: tuple[str, ...] = ()  # a Korean question's content words the glossary cannot read
    part: bool = False  # one ask of a question with several (``QuotingAnswerer.part_plans``)

    @property
    def multi_document(self) -> bool:
        """Whether the answer should draw on several statements."""
        return self.intent in ("comparison", "list")

    @property
    def side_by_side(self) -> bool:
        """A comparison, or "what did A and B each say?": the statements it names say which,
        not what to quote from them."""
        return self.intent == "comparison" or asks_each(self.question)

    @cached_property
    def topic(self) -> str:
        """The question without its framing words: what a sentence must address."""
        return topic_text(self.question)

    @cached_property
    def asked_topic(self) -> str:
        """The topic of the question as asked (what a comparison's wording is compared on)."""
        return topic_text(self.own_words)

    @cached_property
    def search_topic(self) -> str:
        """The topic of the search text (a follow-up's included)."""
        return topic_text(self.search_text)

    @cached_property
    def undated_question(self) -> str:
        """The question without the date bounds it names."""
        return undated(self.question)

    @cached_property
    def undated_topic(self) -> str:
        """The topic without date bounds ("as of March 2024" dropped)."""
        return topic_text(self.undated_question)

    @cached_property
    def parts(self) -> tuple[str, ...]:
        """The parts of a compound question (none for a simple one); a Korean question's parts
        are split from the Korean as asked (each is read in English when it is planned)."""
        if self.language == "ko" and has_hangul(self.asked):
            return tuple(split_korean(self.asked))
        return tuple(split_parts(self.question))

    @property
    def asks_several(self) -> bool:
        """Whether the question is answered ask by ask: it has several, and is no comparison or
        "most recent …, and what does it say?" (those ask about statements chosen together)."""
        if len(self.parts) < 2:
            return False
        # "The most recent X, and what did the G7 condemn?": a part with its own subject is its own.
        independent = self.intent == "latest" and any(map(asks_its_own, self.parts[1:]))
        return self.intent in ("lookup", "list") or independent

    @cached_property
    def points_back(self) -> bool:
        """A follow-up that points back at the statement(s) the previous answer quoted."""
        return bool(self.history) and refers_back(self.own_words)

    @property
    def own_words(self) -> str:
        """The question as asked, in English (a Korean question's English reading)."""
        return self.question if self.language != "en" else self.asked or self.question


# A follow-up that points back at the statement just quoted ("did it say anything about APEC?").
# ("She", "his": the person of the previous exchange, whose words the statement quoted holds;
# "is there" asks whether something exists, "in there" points back.)
_BACK_REFERENCE = re.compile(
    r"\b(?:it|its|(?<!is )(?<!was )(?<!are )(?<!were )there|she|he|her|his|"
    r"(?:this|that|the same) (?:statement|document|declaration|"
    r"fact sheet|readout|one))\b",
    re.I,
)


def refers_back(question: str) -> bool:
    """Whether a follow-up points back at the statement(s) of the previous answer."""
    return bool(_BACK_REFERENCE.search(question))


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
    # "What did the declaration set up?" — "... a new Nuclear Consultative Group (NCG) ...":
    # "how often does it meet?" is asked of the thing the answer named first, defined.
    defined = find_acronyms(history[-1].content) if history[-1].role == "assistant" else {}
    short, long_form = next(iter(defined.items()), ("", ""))
    named = f" {long_form} {short.upper()}" if short and short not in question.lower() else ""
    return f"{question} {previous[-1]}{named}"


def plan_query(
    question: str,
    history: list[Turn] | None = None,
    *,
    asked: str = "",
    bridge: KoreanBridge | None = None,
) -> QueryPlan:
    """The plan of a question: intent, dates, search text and the conversation before it.

    ``asked`` is the question as the user typed it when ``question`` is its standalone rewrite
    (the conversation then already lives in ``question``: ``history`` only records it).
    A question in Korean is planned on its English reading (``bridge``, by default the
    project's glossary); the plan keeps the Korean as asked.
    """
    bridge = bridge or KoreanBridge.for_glossaries()
    read = bridge.reading(question)
    reading = read.english
    if reading != question:
        read_history = [
            t.model_copy(update={"content": bridge.read(t.content)}) if t.role == "user" else t
            for t in history or []
        ]
        # A standalone rewrite (``asked`` given) is planned without the conversation.
        plan = plan_query(reading, None if asked else read_history, bridge=bridge)
        return replace(
            plan,
            asked=asked or question,
            history=tuple(history or ()),
            language="ko",
            alternatives=read.alternatives,
            subjects=read.subjects,
            things=read.things,
            unread=read.unread,
        )
    search_text = condense(question, history or []) if not asked else question
    follow_up = search_text != question
    spelled = bridge.acronyms_in(question)  # acronyms the statements may only spell out
    years = tuple(sorted({int(y) for y in YEARS.findall(question)}))
    bounds = date_bounds(question)
    bounded = bool(bounds.date_from or bounds.date_to)
    intent = question_intent(question, as_of=bool(bounds.as_of))
    # "the 2022 and 2023 statements", "April vs September 2018"
    only_years = years if intent == "comparison" and not bounded else ()
    return QueryPlan(
        question=question,
        search_text=search_text,
        intent=intent,
        follow_up=follow_up,
        years=years,
        only_years=only_years,
        filters=Filters(date_from=bounds.date_from, date_to=bounds.date_to),
        as_of=bounds.as_of,
        asked=asked if asked != question else "",
        history=tuple(history or ()),
        language="ko" if has_hangul(asked) else "en",  # a rewrite of a Korean question
        alternatives=spelled,
    )
