"""Whose own latest word a question asks for, and which statements are theirs.

"What is Pyongyang's latest official word on its nukes?" and "latest North Korean line on
denuclearization" ask for the newest statement the DPRK issued on the topic, not the newest
statement that mentions the DPRK (a U.S.–ROK fact sheet of the same day). "What did Washington
and Seoul most recently call on North Korea to do?" asks for the newest statement both issued.
A statement is a party's when its issuer names the party (``PARTIES``: names, capitals,
leaders, acronyms). The people a question asks to have said or done something ("How did Trump
and Lee put it?") are who speaks too, not what a quoted sentence must address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.answer.owners import PARTY_NAME, party_key
from retrieval.answer.parties import PARTIES
from retrieval.store.lexical import tokenize

_NEWEST = r"(?:latest|most recent|newest|most current|current)"
_WORD = (
    r"(?:line|statements?|word|position|stance|views?|message|remarks|comments?|response|reaction)"
)
_PARTY = PARTY_NAME.pattern
_ASKED = (
    # "Pyongyang's latest official word", "North Korea's most recent stated position"
    re.compile(rf"(?P<x>{_PARTY})['’]s? (?:[\w-]+ ){{0,2}}?{_NEWEST}\b", re.I),
    # "latest North Korean line on …", "the most recent official DPRK statement"
    re.compile(
        rf"\b{_NEWEST} (?:[\w-]+ ){{0,2}}?(?P<x>{_PARTY}) (?:[\w-]+ )?{_WORD}\b(?!['’])", re.I
    ),
    # "the latest statement from Pyongyang", "the most recent word by the DPRK"
    re.compile(
        rf"\b{_NEWEST} (?:[\w-]+ ){{0,2}}?{_WORD} (?:from|by|out of) (?:the )?(?P<x>{_PARTY})\b",
        re.I,
    ),
    # "What did Washington and Seoul most recently call for?"
    re.compile(
        rf"\b(?:did|has|have) (?:the )?(?P<x>(?:{_PARTY})(?: and (?:the )?(?:{_PARTY}))?) "
        r"(?:most )?(?:recently|lately|last)\b",
        re.I,
    ),
)
# An issuer names the ROK as "Republic of Korea", which the DPRK's long name also ends with.
_ISSUER_NAMES = {"ROK": (r"(?<!people's )republic of korea",)}


def _speakers(question: str) -> str:
    q = question.replace("’", "'")
    for pattern in _ASKED:
        m = pattern.search(q)
        if m:
            return m["x"]
    return ""


def speaking_parties(question: str) -> tuple[str, ...]:
    """The parties whose own newest word a "latest" question asks for (none if it asks for
    the newest statement on a topic, whoever issued it)."""
    keys = (party_key(n.group(0)) for n in PARTY_NAME.finditer(_speakers(question)))
    return tuple(dict.fromkeys(k for k in keys if k))


def speaker_terms(question: str) -> frozenset[str]:
    """Stemmed words of the parties whose own word is asked: who speaks, not what about
    ("What did Washington and Seoul most recently call on North Korea to do?")."""
    return frozenset(tokenize(_speakers(question)))


def _names(text: str, party: str) -> bool:
    aliases = [re.escape(a) for a in PARTIES[party]] + list(_ISSUER_NAMES.get(party, ()))
    return any(re.search(rf"(?<!\w){a}(?!\w)", text) for a in aliases)


def issued_by(parties: Sequence[str], issuer: str) -> bool:
    """Whether an issuer line names every one of these parties."""
    text = issuer.lower().replace("’", "'").replace("–", "-")
    return bool(parties) and all(_names(text, p) for p in parties)


# "How did Trump and Lee put it?", "What mechanism did Biden and Yoon create?": the people who
# speak or act, by name, as the subject of the question's verb.
_DONE_BY = re.compile(
    r"\b(?i:how|what|which|when|where|why)\b[^?]*?\b(?i:did|do|does|has|have|had|will|would) "
    r"(?:the )?(?P<x>[A-Z][\w.'’-]*(?:(?:\s+|\s+and\s+)[A-Z][\w.'’-]*){0,5}) [a-z]+\b"
)


def principal_speakers(question: str, principals: frozenset[str]) -> frozenset[str]:
    """Stemmed names of the people a question asks to have said or done something, when all
    are people statements are named by ("How did Trump and Lee put it?": who, not what)."""
    m = _DONE_BY.search(question)
    said = set(tokenize(m["x"], compounds=False)) if m else set()
    return frozenset(said) if said and said <= principals else frozenset()
