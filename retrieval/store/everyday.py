"""Everyday words for what statements call by their formal words: a question may say "nukes",
"drills" or "Seoul" where the statements say "nuclear weapons", "exercises", "the ROK". The
search adds the formal words to the query (``LexicalIndex.expand``); the "not stated" decision
reads the everyday word as held by a passage that holds any of its formal forms."""

from __future__ import annotations

import re

EVERYDAY = tuple(
    (re.compile(pattern, re.I), formal)
    for pattern, formal in (
        (r"\bnukes?\b", "nuclear weapons"),
        (r"\bnuclear weapons?\b", "nukes"),
        (r"\bdrills?\b|\bwar ?games\b", "exercises"),
        (r"\btroops\b", "forces"),
        (r"\bchips?\b|\bchipmakers?\b", "semiconductors"),
        (r"\b(?:cars?|autos?|automakers?|carmakers?)\b", "automobiles|vehicles"),
        (r"\bhack(?:s|ing|ers?)?\b", "cyber"),
        (r"\bcrypto\b", "cryptocurrency"),
        (r"\batomic\b", "nuclear"),
        (r"\bmissile tests?\b", "missile launches"),
        (r"\bsubs\b", "submarines"),
        (r"\b(?:kids|youngsters)\b", "children"),
        (r"\b(?:jets|warplanes)\b", "aircraft"),
        (r"\bEVs?\b", "electric vehicles"),
        (r"\btech\b", "technology"),
        (r"\bvets\b", "veterans"),
        # The U.S.-ROK agreement on Korea's share of the cost of stationing U.S. forces.
        (r"\b(?:cost|burden)[- ]?shar\w*|\bhost[- ]nation support\b", "Special Measures Agreement"),
        (r"\bspy satellites?\b", "reconnaissance satellite"),
        # A body or mechanism a statement set up is "established" ("What body did it create?").
        (r"\b(?:creat(?:e|ed|es|ing)|set(?:s|ting)? up)\b", "established"),
        (r"\bSeoul\b", "ROK"),
        (r"\bTokyo\b", "Japan"),
        (r"\bBeijing\b", "China"),
        (r"\bMoscow\b", "Russia"),
        (r"\bKyiv\b", "Ukraine"),
        (r"\b(?:yearly|annually)\b", "annual|year"),
    )
)  # "|" separates formal words that each stand for the everyday one


def everyday_forms(text: str) -> list[tuple[str, ...]]:
    """The everyday words of the text that ``EVERYDAY`` maps, each with its formal forms
    ("Seoul", "ROK"): a passage that holds a formal form holds the everyday word."""
    out = []
    for pattern, formal in EVERYDAY:
        said = tuple(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))
        if said:
            out.append((*said, *formal.split("|")))
    return out
