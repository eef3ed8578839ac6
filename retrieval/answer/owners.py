"""Whose figure a sentence gives, and whose a question asks for.

A figure a party gives is the one named last before it: "the ROK pledges … $220 million" is no
answer to "the U.S. pledge" (``asked_owner``, ``owner``); "Korea", "Japanese", "Americans" stand
for their party (``party_key``).
"""

from __future__ import annotations

import re

from retrieval.answer.parties import PARTIES, PREPOSITIONS

# "How much did the U.S. pledge for development in the Northern Triangle?" is not answered by
# "the ROK pledges to increase its financial commitment … to $220 million": a figure is the
# last party's named before it in its clause, and the question asks another's.
_ALIASES = sorted(  # "Korea" alone is the ROK ("North Korea" is read whole, first)
    [*((alias, key) for key, names in PARTIES.items() for alias in names), ("korea", "ROK")],
    key=lambda a: -len(a[0]),
)
PARTY_NAME = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(a) for a, _ in _ALIASES) + r")(?![\w-])", re.I
)
_KEY = dict(_ALIASES)
_OBJECT = re.compile(rf"\b(?:{PREPOSITIONS})\s+(?:the\s+)?$", re.I)  # not "by": the giver


def _key(alias: str) -> str:
    return _KEY[alias.lower().replace("’", "'")]


# What a party's people and things are called ("American jobs", "Koreans").
_DEMONYMS = {"american": "US", "americans": "US", "korean": "ROK", "koreans": "ROK"}


def party_key(word: str) -> str | None:
    """The party a name or an adjective stands for ("U.S", "Korea", "Japanese", "Americans"),
    if any."""
    w = word.lower().replace("’", "'")
    return _KEY.get(w) or _KEY.get(f"{w}.") or _DEMONYMS.get(w)


_GIVES = re.compile(
    r"\b(?:pledg|commit|contribut|invest|provid|spend|spent|pay|paid|fund|donat|grant|offer|"
    r"allocat|earmark|devot|lend|lent|loan)\w*|\bput(?:s|ting)? (?:\w+ )?(?:toward|towards|into)\b",
    re.I,
)
_MEASURED = re.compile(r"\bhow (?:much|many)\s+(?:the\s+)?$", re.I)  # "how much U.S. LNG"


def asked_owner(question: str) -> str | None:
    """The one party a question asks a figure it gives of ("how much did the U.S. pledge",
    "Korea's pledge", "the contribution by the U.S."), not one it names as an object ("invest
    in Japan") or as the origin of what is measured ("how much U.S. LNG")."""
    if not _GIVES.search(question):
        return None
    keys = {
        _key(m.group(0))
        for m in PARTY_NAME.finditer(question)
        if not _OBJECT.search(question[: m.start()]) and not _MEASURED.search(question[: m.start()])
    }
    return keys.pop() if len(keys) == 1 else None


def owner(text: str) -> str | None:
    """The party a text names last (the owner of a figure that follows it), if any."""
    found = [_key(m.group(0)) for m in PARTY_NAME.finditer(text)]
    return found[-1] if found else None


# "Which North Korean official", "the name of the South Korean foreign minister", "who leads on
# the DPRK side", "who signed on Britain's behalf": a person of that party, not of another.
_WHICH_PARTYS = re.compile(
    rf"\b(?:which|what|name of)\s+(?:the\s+)?(?P<x>{PARTY_NAME.pattern})\s"
    rf"|\b(?:on|for)\s+(?:the\s+)?(?P<y>{PARTY_NAME.pattern})(?:['’]s)?\s+(?:side|behalf)\b"
    rf"|\bthe\s+(?P<z>{PARTY_NAME.pattern})\s+(?:side|delegation)\b",
    re.I,
)


def asked_person_owner(question: str) -> str | None:
    """The party whose person a question asks for ("which North Korean official"), if any."""
    m = _WHICH_PARTYS.search(question)
    return party_key(m["x"] or m["y"] or m["z"]) if m else None


def titled_otherwise(text: str, at: int, whose: str) -> bool:
    """Whether the words just before ``at`` give the person there to another party than
    ``whose`` ("the U.S. Secretary of State" is no "North Korean official")."""
    title: list[str] = []  # "the U.S. Secretary of State, [Mike Pompeo]", not "ROK … selected"
    for word in reversed(text[:at].split()[-6:]):
        if not (word[0].isupper() or word.lower() in ("of", "the", "for")):
            break
        title.insert(0, word)
    found = owner(" ".join(title))
    return found is not None and found != whose
