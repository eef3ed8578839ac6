"""Whose reaction a question asks for, and whether the closest sentences are theirs.

"How did Pyongyang react to the policy review?" is not answered by a U.S.–ROK sentence that
mentions the DPRK: the reacting party must be the one speaking, the issuer of the statement or
the subject a sentence begins with ("President Moon welcomes the conclusion of ..."). A party is
known by its names, capitals, leaders and acronyms (``PARTIES``); a party not listed by the
capitalised words the question gives it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PARTIES: dict[str, tuple[str, ...]] = {
    "DPRK": (
        "dprk", "north korea", "north korean", "pyongyang", "kcna", "kim jong un",
        "choe son hui", "ri son gwon", "democratic people's republic",
    ),
    "ROK": (
        "rok", "south korea", "south korean", "seoul", "president yoon", "yoon suk yeol",
        "president moon", "moon jae-in", "president lee", "lee jae myung",
    ),
    "US": (
        "united states", "u.s.", "washington", "america", "white house", "president biden",
        "joseph r. biden", "president trump", "donald j. trump",
    ),
    "China": ("china", "chinese", "beijing", "prc", "people's republic of china"),
    "Japan": ("japan", "japanese", "tokyo", "prime minister kishida", "fumio kishida", "ishiba"),
    "India": ("india", "indian", "new delhi"),
    "Russia": ("russia", "russian", "moscow", "kremlin"),
    "G7": ("g7",),
    "EU": ("european union",),
}  # fmt: skip
SUBJECT_WORDS = 8  # a sentence's subject stands in its first words
_ASKED = (
    re.compile(r"\bhow did (?:the )?(?P<x>.+?) (?:react|respond|reply|answer)\b", re.I),
    re.compile(
        r"\bwhat (?:was|is|were) (?:the )?(?P<x>.+?)['’]s? (?:reaction|response|reply|stance|"
        r"position|view)\b",
        re.I,
    ),
    re.compile(r"\bdid (?:the )?(?P<x>.+?) (?:react|respond|reply|comment)\b", re.I),
)
_NAME = re.compile(r"\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*")


def _found(alias: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text) is not None


def reacting_party(question: str) -> tuple[str, ...]:
    """The names of the party whose reaction the question asks for (none if it asks for none)."""
    for pattern in _ASKED:
        m = pattern.search(question)
        if not m:
            continue
        who = m["x"]
        lowered = who.lower().replace("’", "'")
        aliases = [a for names in PARTIES.values() if any(_found(n, lowered) for n in names)
                   for a in names]  # fmt: skip
        if not aliases:
            aliases = [n.lower() for n in _NAME.findall(who)]
        if aliases:
            return tuple(dict.fromkeys(aliases))
    return ()


# A name after one of these is not the sentence's subject ("any nuclear attack by North Korea",
# "foreign ministers of G7").
_GOVERNED = re.compile(
    r"\b(?:by|of|against|to|from|with|on|at|in|for|toward|towards|about|into|upon|over)"
    r"(?:\s+(?:the|its|their))?\s*$"
)


def _subject(alias: str, head: str) -> bool:
    """Whether the alias stands in the head as a subject, not after a preposition."""
    return any(
        not _GOVERNED.search(head[: m.start()])
        for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", head)
    )


def party_speaks(aliases: Sequence[str], sentences: Sequence[str], issuers: Sequence[str]) -> bool:
    """Whether the party speaks in one of the sentences: names it as a subject in its first
    words, or the sentence's statement is issued by it."""
    for sentence, issuer in zip(sentences, issuers, strict=True):
        head = " ".join(sentence.split()[:SUBJECT_WORDS]).lower().replace("’", "'")
        issued = issuer.lower().replace("’", "'")
        if any(_subject(a, head) or _found(a, issued) for a in aliases):
            return True
    return False


_ASKS_REACTION_KO = re.compile(r"\b(?:react|stance|position)\b")


def subject_party(question: str, subjects: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The reacting party of a Korean question (read in English): the party it marks as its
    subject (북한은 어떻게 반응했나, 중국의 입장), when it asks for a reaction or position."""
    if not _ASKS_REACTION_KO.search(question):
        return ()
    names = [form.lower().replace("’", "'") for forms in subjects for form in forms]
    return tuple(
        dict.fromkeys(
            alias
            for aliases in PARTIES.values()
            if any(_found(a, n) for a in aliases for n in names)
            for alias in aliases
        )
    )
