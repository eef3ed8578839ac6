"""What a clause of a sentence says of the event and the things a question asks about.

A sentence of several clauses ("The NCG will be held quarterly ..., and the next meeting will
take place ... in the United States") answers a question only in the clause about what the
question asks: the event it numbers ("the next meeting": ``same_event``), and its nouns as the
question qualifies them ("the finance ministers": ``qualified_otherwise``). Used by
``kinds.holding``, with ``owners.owner`` (whose figure a clause gives).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from retrieval.answer.parties import PARTIES
from retrieval.store.lexical import tokenize, word_terms

# Words that make no kind of a thing ("new jobs", "total investment").
VAGUE = frozenset("new more total additional other different separate major such".split())

# A sentence's clauses: "The NCG will be held quarterly …, and the next meeting will take place
# later this year in the United States" (a list's "Japanese, Korean, and U.S." is one clause).
CLAUSE = re.compile(
    r";|,?\s+as well as\s+|,\s+(?:but|while|whereas)\s+|,\s+and\s+(?=(?:the|we|it|its|they|"
    r"their|our|this|these|each|both|all)\b)",
    re.I,
)


# "On what date is the next NCG meeting?" is not answered by "the inaugural meeting of the NCG
# on July 18": a clause that numbers its event otherwise than the question does holds no answer.
_ORDINAL = re.compile(
    r"\b(?:first|inaugural|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|1st|2nd|"
    r"3rd|[4-9]th|10th|next|follow-on|follow-up|subsequent|upcoming)\b(?! (?:readout|statement|"
    r"declaration|document|fact sheet|year|time|anniversary)\b)",
    re.I,
)
EVENT_KINDS = frozenset({"date", "day", "place", "person"})  # what one event of several has
_RANK = {"first": 1, "inaugural": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_RANK |= {w: i for i, w in enumerate("fourth fifth sixth seventh eighth ninth tenth".split(), 4)}
_RANK |= {f"{i}th": i for i in range(4, 11)}
LATER = 0  # "next", "follow-on": any event after the first


def ordinals(text: str) -> set[int]:
    """The ranks a text gives its events: 1 for "first" or "inaugural", ``LATER`` for "next"."""
    return {_RANK.get(m.group(0).lower(), LATER) for m in _ORDINAL.finditer(text)}


def same_event(asked: set[int], text: str, sentence: str = "") -> bool:
    """Whether a clause's ordinals (its sentence's, when it has none) agree with the question's
    (``ordinals``): either names none, they share one, or one says "next" and the other a rank
    after the first."""
    said = ordinals(text) or ordinals(sentence)
    if not asked or not said or asked & said:
        return True
    return (LATER in asked and any(r > 1 for r in said)) or (
        LATER in said and any(r > 1 for r in asked)
    )


# "How often will the finance ministers meet?" is not answered by "… our leaders, foreign
# ministers, defense ministers … at least annually", nor by "… as well as launch a new commerce
# and industry ministers track that will meet annually": the figure's clause qualifies the
# question's noun (ministers) by another word (defense, industry) and never by the question's.
# Words that say whose a thing is, not which kind: no qualifier ("the trilateral ministers").
_WHOSE = frozenset(
    {a for names in PARTIES.values() for a in names if " " not in a}
    | {"korea", "korean", "koreans", "american", "americans", "u.s", "us", "allied", "trilateral"}
)


def _stems(text: str) -> list[str | None]:
    """Each word's term (None for a stop word, a number or a word of ``_WHOSE``; "and" for "and"
    or "or"), in order."""
    out: list[str | None] = []
    for word in re.findall(r"[\w.'’-]+|,", text):
        bare = re.sub(r"['’]s?$", "", word.lower()).rstrip(".")
        if bare in ("and", "or"):
            out.append("and")
            continue
        terms = tokenize(word, compounds=False)
        term = terms[-1] if terms and bare not in _WHOSE and bare not in VAGUE else None
        out.append(None if term is None or term[0].isdigit() else term)
    return out


def _qualifiers(said: list[str | None], noun: str) -> set[str | None]:
    """The words right before each mention of a noun in a clause, and before an "and" there:
    "foreign ministers, defense ministers"; "commerce and industry ministers"."""
    found: set[str | None] = set()
    for i, term in enumerate(said):
        if term == noun and i > 0:
            found.add(said[i - 1])
            if i > 2 and said[i - 2] == "and" and said[i - 1] is not None:
                found.add(said[i - 3])
    return found


def qualified_otherwise(question: str, clause: str) -> bool:
    """Whether the clause lists several qualifiers of a noun of the question ("foreign
    ministers, defense ministers"), none of them the question's own ("finance ministers")."""
    asked = [t for t in _stems(question) if t != "and"]
    said = _stems(clause)
    mine, theirs = {t for t in asked if t}, {t for t in said if t}
    for qualifier, noun in pairwise(asked):
        if not qualifier or not noun or qualifier in theirs or noun not in theirs:
            continue
        others = _qualifiers(said, noun)
        if len(others) >= 2 and not others & {None, "and"} and not others & mine:
            return True
    return False


# "Section 232 tariff rate on Korean steel" is not answered by "For any Section 232 tariffs
# imposed on semiconductors … no greater than 15 percent": the figure's clause says what its
# tariff (investment, duty …) is on, and it is not what the question names.
_LEVIED = (
    r"\b(?:tariffs?|duties|duty|taxes|tax|investments?|exports?|imports?|sales|purchases?|"
    r"subsid(?:y|ies))(?:\s+(?:rates?|levels?|imposed|applied|applicable))?\s+(?:on|in|for|into)"
    r"\s+(?P<on>[^.;:()]+)"
)
_LEVIED_ON = re.compile(_LEVIED, re.I)
# The question may name it apart from its tariff: "what tariff will Korean steel face", "what
# tariff rate did the fact sheet set for Korean steel", "… rate applies to Korean steel".
_TARIFF = r"\b(?:tariffs?|duties|duty)\b"
_ASKED_ON = (
    _LEVIED_ON,
    re.compile(
        rf"{_TARIFF}[^?]*?\b(?:apply|applies|applied|set|sets|impose[sd]?|levy|levied|charged?)"
        r"\s+(?:to|on|for)\s+(?P<on>[^.;:()?]+)",
        re.I,
    ),
    re.compile(
        rf"{_TARIFF}[^?]*?\b(?:will|would|does|do|did|shall)\s+(?P<on>(?:[\w'’-]+\s+){{0,3}}?"
        r"[\w'’-]+)\s+(?:face|pay|get|receive)\b",
        re.I,
    ),
)
_TARIFF_SAID = re.compile(_TARIFF, re.I)
# Sectors a tariff is put on, by their other names ("cars" are automobiles).
_SECTORS = (
    "car cars auto autos automobile automobiles vehicle vehicles automotive",
    "chip chips semiconductor semiconductors",
    "drug drugs medicine medicines pharmaceutical pharmaceuticals",
    "wood timber lumber",
    "ship ships vessel vessels shipbuilding",
)


def _sectors(terms: set[str]) -> set[str]:
    """The terms with the other names of the sectors among them."""
    return terms.union(*(group for words in _SECTORS if (group := word_terms(words)) & terms))


_ENDS = re.compile(
    r"\s(?:under|in|at|by|from|per|according|during|after|before|with|is|are|was|were|will|"
    r"would|did|does|do|has|have|that|which)\b.*",
    re.I,
)
_ANY = "goods products items originating all other imports exports"  # no sector of its own
ON_WORDS = 8  # the words of a clause that say what its tariff is on


def _same(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


@lru_cache(maxsize=256)
def _levied_wanted(question: str) -> frozenset[str]:
    """What the question's tariff or investment is on (its terms, sectors by all their names);
    read once per question, however many sentences are checked against it."""
    asked = next((m for pattern in _ASKED_ON if (m := pattern.search(question))), None)
    wanted = {t for t in _stems(_ENDS.sub("", asked["on"])) if t and t != "and"} if asked else set()
    return frozenset(_sectors(wanted) if wanted else ())


def levied_on_asked(question: str, text: str) -> bool:
    """Whether the text says its tariff or investment is on what the question's is on."""
    wanted = _levied_wanted(question)
    return bool(wanted) and any(
        any(_same(w, t) for w in wanted for t in _stems(" ".join(m["on"].split()[:ON_WORDS])) if t)
        for m in _LEVIED_ON.finditer(text)
    )


def levied_otherwise(question: str, clause: str) -> bool:
    """Whether the clause says what its tariff or investment is on, and never what the
    question's is on ("steel" against "semiconductors"; "autos" is "automobiles")."""
    wanted = _levied_wanted(question)
    if not wanted:
        return False
    said = [
        {t for t in _stems(" ".join(m["on"].split()[:ON_WORDS])) if t and t != "and"}
        for m in _LEVIED_ON.finditer(clause)
    ]
    said = [s for s in said if s]
    if not said:
        # "For such products …, no additional Section 232 tariff shall apply": a tariff that
        # names neither what the question's is on nor all goods is another one.
        words = {t for t in _stems(re.sub(r"\bsuch\s+\w+", "", clause)) if t}  # not "all" goods
        return (
            _TARIFF_SAID.search(clause) is not None
            and not words & word_terms(_ANY)
            and not any(_same(w, t) for w in wanted for t in words)
        )
    return not any(
        s & word_terms(_ANY) or any(_same(w, t) for w in wanted for t in s) for s in said
    )
