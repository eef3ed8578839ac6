"""Who did what a question asks about: "Who signed the deal?" is answered by the sentence that
names the signers ("… was signed by Director Kratsios and Minister Bae"), not by one in which a
country signs during a president's trip."""

from __future__ import annotations

import re

from retrieval.store.lexical import tokenize

# "Who signed …?", "who will lead …", "who was it convened by?", "signed by whom?"
_ASKED = re.compile(
    r"\bwho (?:(?:will|would|did|is to|was to|was it|were they) )?(?P<a>[a-z]+)\b"
    r"|\b(?P<b>[a-z]+) by whom\b",
    re.I,
)
# A named doer after the deed: "signed by Director Kratsios", "convened by Dr. Kim".
_BY = re.compile(r"\b(?P<deed>[A-Za-z]+) by (?:the )?[A-Z]")


def deed_asked(question: str) -> str | None:
    """The stem of the deed a "who" question asks the doer of ("sign"), if it asks one ("Who is
    …?" asks none: a stop word has no stem)."""
    m = _ASKED.search(question)
    if m is None:
        return None
    stems = tokenize(m["a"] or m["b"])
    return stems[0] if len(stems) == 1 else None


def names_doer(sentence: str, deed: str) -> bool:
    """Whether the sentence names who did the deed ("… was signed by Director Kratsios")."""
    return any(tokenize(m["deed"]) == [deed] for m in _BY.finditer(sentence))
