"""Questions about what a named document or event itself says or decided.

"What do the Artemis Accords require?" or "What was agreed at the first Korea-Pacific Islands
Summit?" ask for the content of a thing the statements may only mention ("... cooperate towards
the ROK signing the Artemis Accords"). Such a question is answered by that document (or the
statement of that meeting), so when none of the closest sentences comes from a statement whose
title names the thing, the sentences only sit next to the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.store.lexical import tokenize

_THINGS = (
    r"Summit|Accords?|Agreement|Outlook|Statement|Declaration|Conference|Forum|Dialogue|"
    r"Partnership|Initiative|Framework|Treaty|Charter|Guidelines|Plan|Strategy|Meeting|Talks"
)
_CONTENT_OF = (
    re.compile(
        r"\bwhat (?:was|were|is|has been) (?:agreed|decided|adopted|announced|discussed|signed|"
        r"achieved|concluded) (?:at|in|during|by|under) (?:the )?(?P<x>[^?]+)",
        re.I,
    ),
    re.compile(r"\bwhat came out of (?:the )?(?P<x>[^?]+)", re.I),
    re.compile(
        r"\bwhat (?:are|were|is|was) the (?:main |key |core )?(?:principles|provisions|terms|"
        r"outcomes?|results?|contents?|commitments|pillars|goals|aims|findings) of (?:the )?"
        r"(?P<x>[^?]+)",
        re.I,
    ),
    re.compile(
        rf"\bwhat (?:does|do|did) (?:the )?(?P<x>[^?]*?\b(?:{_THINGS})\b[^?]*?) (?:require|"
        r"commit|say|state|provide|stipulate|decide|agree|adopt|declare|conclude|produce|"
        r"set out|call)",
        re.I,
    ),
)
TITLE_SHARE = 0.5  # the share of the thing's words a title must hold to be that thing's


def asked_content_of(question: str) -> str:
    """The document or event whose own content the question asks for ("" if it asks none)."""
    for pattern in _CONTENT_OF:
        m = pattern.search(question)
        if m and re.search(r"[A-Z]", m["x"]):
            return m["x"].strip()
    return ""


def source_held(
    thing: str, titles: Sequence[str], expand: Callable[[set[str]], set[str]] = lambda t: t
) -> bool:
    """Whether one of the titles names the thing (most of its words; ``expand`` adds what an
    acronym stands for)."""
    words = set(tokenize(thing, compounds=False))
    if not words:
        return True
    return any(
        len(words & expand(set(tokenize(title, compounds=False)))) / len(words) >= TITLE_SHARE
        for title in titles
    )
