"""The statements a comparison names, one per side ("from the Biden-Moon statement to the
Trump-Lee fact sheet", "Ri Son Gwon in 2020 vs Choe Son Hui in 2025", "what is in the 2024
Guidelines statement that wasn't in the 2023 inaugural readout?").

A name in a whole question shares its weight with the topic and with the other side's name, so
neither statement may stand out; read side by side, each side names one statement clearly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from retrieval.search.cards import DOCUMENT_WORDS

# Where one side of a comparison ends and the next begins.
_SIDES = re.compile(
    r"[:;,?]|\s(?:vs\.?|versus|compared (?:to|with)|(?:as )?against)\s"
    r"|\s(?:from|to|in|than|with|and|or|against|between) (?:the|its|their)\s"
    # "… from the 2021 statement to Camp David", not "Commitment to Consult"
    # "Did the Trump-Lee fact sheet | repeat …": a statement's name ends at its document word
    r"|(?:(?<=statement)|(?<=declaration)|(?<=sheet)|(?<=readout))"
    r"\s+(?:to\s+(?=[A-Z])|(?=(?!to\b|of\b|on\b)[a-z]))"
    r"|\s(?:and|or|to|vs\.?) (?=(?:19|20)\d\d\b)",
    re.I,
)
_NAMING = re.compile(r"[A-Z]|\b(?:19|20)\d\d\b")
SIDE_MIN = 0.25  # the share of a side's weight a statement's card must explain
SIDE_MARGIN = 1.4  # ... and by how much more than any other statement's


def sides(question: str) -> list[str]:
    """The stretches of a question between the words that join a comparison's sides."""
    return [s.strip() for s in _SIDES.split(question) if s.strip()]


def compared_statements(
    question: str,
    named: Callable[[str], Mapping[str, float]],
    eligible: Callable[[str, str], bool] = lambda side, doc_id: True,
) -> list[str]:
    """The statements the sides of a comparison name (each side naming one clearly), in the
    order named; empty unless at least two are. ``named``: a text's share per document;
    ``eligible``: whether a side may name a document (of the year the side names)."""
    found = side_statements(question, named, eligible)
    return found if len(found) >= 2 else []


def side_statements(
    question: str,
    named: Callable[[str], Mapping[str, float]],
    eligible: Callable[[str, str], bool] = lambda side, doc_id: True,
) -> list[str]:
    """The statements the sides of a question name clearly, however few, in the order named."""
    found: list[str] = []
    # A side names a statement by a name, a year or a document word ("the Lima statement"),
    # not by a topic after a colon ("denuclearization of whom"), unless nothing is capitalised.
    typed_low = question == question.lower()
    for side in sides(question):
        if not (typed_low or _NAMING.search(side) or DOCUMENT_WORDS.search(side)):
            continue
        shares = sorted(
            ((d, v) for d, v in named(side).items() if eligible(side, d)), key=lambda kv: -kv[1]
        )
        if not shares or shares[0][1] < SIDE_MIN:
            continue
        if len(shares) > 1 and shares[0][1] < SIDE_MARGIN * shares[1][1]:
            continue  # two statements fit the side alike ("Camp David"): neither is named
        if shares[0][0] not in found:
            found.append(shares[0][0])
    return found


_AND = re.compile(r"\s(?:and|&)\s+(?:(?:the|its|their)\s+)?", re.I)


def coordinated_statements(
    question: str,
    named: Callable[[str], Mapping[str, float]],
    titled: Callable[[str], list[str]],
) -> list[str]:
    """The statements a question joins by "and", each named by a document word or its title
    ("What did the Washington Declaration and the Spirit of Camp David say about …?", "… in the
    Washington Declaration, the first NCG readout and the 2024 guidelines statement"), in the
    order named; empty if it joins none."""

    def statement(side: str) -> list[str]:
        return (
            side_statements(side, named)[:1] if DOCUMENT_WORDS.search(side) or titled(side) else []
        )

    for m in _AND.finditer(question):
        before, after = sides(question[: m.start()]), sides(question[m.end() :])
        if not before or not after:
            continue
        found = statement(before[-1]) + statement(after[0])
        if len(set(found)) < 2:
            continue
        # The series the last two close ("A, B and C"): the sides before, while each names one.
        for side in reversed(before[:-1]):
            earlier = statement(side)
            if not earlier or earlier[0] in found:
                break
            found.insert(0, earlier[0])
        return found
    return []
