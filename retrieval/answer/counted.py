"""The thing a "how many" question counts ("jobs") and whether a sentence gives a number of
it: part of the kind-of-answer check (``kinds``)."""

from __future__ import annotations

import re

from retrieval.answer.clauses import VAGUE
from retrieval.answer.owners import party_key
from retrieval.store.lexical import tokenize, word_terms

# "How many jobs will it create?": the words after "how many" up to the verb or a preposition
# name the thing counted; a number answers only when it counts that thing ("3,000 jobs").
_COUNTED = re.compile(
    r"\b(?:how many (?:of )?|number of |(?P<much>how much )(?!(?:is|are|was|were|will|would|did|"
    r"does|do|has|have|can|could|of|more|less)\b)(?=[a-z]))"
    r"(?:(?:the|its|their|these|those) )?(?P<words>[^?,:;]*)",
    re.I,
)
_MONEY = re.compile(
    r"^(?:\S+ ){0,2}?(?:money|funding|financing|investments?|capital|aid|assistance|"
    r"contributions?|support|spending|dollars|won|yen)\b",
    re.I,
)
HOW_MUCH = re.compile(r"\bhow much\b", re.I)
MONEY_OR_SHARE = re.compile(
    r"[$€£₩¥]\s?\d|\b(?:dollars?|won|yen|euros?)\b|\d\s?(?:%|percent\b)", re.I
)
_BOUNDARY = frozenset(
    "will would did does do are is were was have has had can could should shall in of at to for "
    "from under on by the it they be been".split()
)
_TIMES = re.compile(r"\b(?:once|twice|thrice)\b", re.I)
_NUMERAL = re.compile(
    r"^(?:\$?\d[\d,.]*\+?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|"
    r"dozens|scores)$",
    re.I,
)
COUNTED_WORDS = 3  # the words after "how many" that may name the thing counted
COUNTED_WINDOW = 4  # words between a number and the thing it counts ("3,000 new U.S. jobs")


def counted_words(question: str) -> list[str]:
    """The words a "how many" question names the thing counted by ("jobs"), if it asks one."""
    m = _COUNTED.search(question)
    if m and m["much"] and _MONEY.search(m["words"]):
        return []  # "how much Korean investment": an amount, of no thing counted
    words: list[str] = []
    for word in m["words"].split() if m else []:
        if word.lower() in _BOUNDARY or len(words) == COUNTED_WORDS:
            break
        if word.lower() not in VAGUE:
            words.append(word.rstrip("."))
    return words


_PER = re.compile(r"^(?:per|a|an|each|every)$", re.I)
# The nation a counted thing is qualified by: "how many American students" is not answered by
# "1.7 million Korean students … in United States institutions", nor "how many jobs in Korea" by
# "6,000 American jobs".
_IN_COUNTRY = (
    r"(?:in|across|throughout|within)\s+(?:the\s+)?(?P<c>south korea|korea|rok|united states|"
    r"u\.s\.?|america|japan|china)(?![\w-])"
)
_PLACED = re.compile(rf"^{_IN_COUNTRY}", re.I)
_ASKED_IN = re.compile(rf"\b(?:how many|number of)\s+(?:[\w'’-]+\s+){{1,3}}?{_IN_COUNTRY}", re.I)


_PEOPLE = "people persons individuals"
_HUMANS = (
    f"{_PEOPLE} citizens nationals residents students grantees workers participants members "
    "officials scholars trainees visitors fellows"
)


def _demonyms(word: str) -> bool:
    """Whether a word names a nation's people ("Americans", "Koreans")."""
    return re.fullmatch(r"[A-Z][a-z]+s", word) is not None and party_key(word) is not None


def counts(text: str, things: list[str], question: str = "") -> bool:
    """Whether a sentence gives a number of that thing (one of its words soon after, not a
    rate of it, and of the nation asked, when the question names one)."""
    nation = {k for w in things if (k := party_key(w))}
    if (m := _ASKED_IN.search(question)) and (k := party_key(m["c"])):
        nation.add(k)
    stems = set(tokenize(" ".join(w for w in things if not party_key(w)), compounds=False))
    stems = stems or set(tokenize(" ".join(things), compounds=False))
    # People are counted by what they are: "how many people" by "2,023 Koreans", "how many
    # Americans live in Korea" by "200,000 U.S. citizens" (the word after "Americans" is a verb).
    people = bool(stems & word_terms(_PEOPLE))
    if things and _demonyms(things[0]):
        people, stems = True, set(tokenize(things[0], compounds=False))
    if people:
        stems |= word_terms(_HUMANS)
    # "How many times": "twice" counts them.
    if "time" in stems and _TIMES.search(text):
        return True
    # Punctuation ends what a number counts: "2,023 Americans, symbolic of the year 2023".
    words = re.findall(r"\$?\d[\d,.]*\d\+?|\$?\d\+?|[\w’'./-]*\w|[,;:()]", text)
    for i, word in enumerate(words):
        if not _NUMERAL.match(word):
            continue
        window = words[i + 1 : i + 2 + COUNTED_WINDOW]
        window = window[: next((j for j, w in enumerate(window) if w in ",;:()"), len(window))]
        # A rate is no count of its unit: "3.3 million tons/year", "twice per year".
        kept = [
            (j, w.split("/")[0])
            for j, w in enumerate(window)
            if not (j and _PER.match(window[j - 1]))
        ]
        hit = next(
            (
                j
                for j, w in kept
                if stems & set(tokenize(w, compounds=False)) or (people and _demonyms(w))
            ),
            None,
        )
        if hit is None:
            continue
        said = {k for w in window[: hit + 1] if (k := party_key(w))}
        placed = _PLACED.match(" ".join(words[i + 2 + hit : i + 6 + hit]))
        if placed and (k := party_key(placed["c"])):
            said.add(k)
        if not (nation and said and not nation & said):
            return True
    return False
