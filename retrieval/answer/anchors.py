"""Whether a sentence is about what a question asks a figure of: its rarest names."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.answer.names import countries
from retrieval.answer.parties import party_words
from retrieval.store.lexical import tokenize

# A figure answers "how much did KHNP put into Centrus?" only in a sentence that names what the
# question names (KHNP or Centrus, its rarest names the sentences hold), not in one about a
# neighbouring deal ("$681 million"). Parties do not count (a sentence about "our ministers"
# speaks for Japan, Korea and the U.S.), nor do the statements the question names (the caller
# leaves those out: "how often will the ministers meet under the Spirit of Camp David?").
ANCHORS = 2
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w.&'’-]*")


def anchored(
    texts: Sequence[str],
    topic: str,
    idf: Callable[[str], float],
    expand: Callable[[set[str]], set[str]] = lambda t: t,
    cards: Sequence[str] = (),
) -> list[bool]:
    """Which sentences name one of the topic's ``ANCHORS`` rarest names (capitalised words, not
    parties) that the sentences hold (all of them, when they hold none); ``expand`` adds the
    acronyms a sentence's words stand for ("U.S. Forces Korea": USFK); ``cards``: the names of
    the sentences' statements, which count as theirs (the TPD's "180 days after notice")."""
    cards = list(cards) or [""] * len(texts)
    words = [
        expand(set(tokenize(f"{t} {c}", compounds=False)))
        for t, c in zip(texts, cards, strict=True)
    ]
    names = set(tokenize(" ".join(_CAPITALISED.findall(topic)), compounds=False))
    present = {t for t in names - party_words() if any(t in w for w in words)}
    anchors = set(sorted(present, key=lambda t: (-idf(t), t))[:ANCHORS])
    # "How much will Amazon invest in Japan's cloud?": not "$5 billion … the ROK's cloud".
    return [
        (bool(w & anchors) or not anchors) and country
        for w, country in zip(words, of_countries_asked(texts, topic, cards), strict=True)
    ]


def of_countries_asked(texts: Sequence[str], topic: str, cards: Sequence[str] = ()) -> list[bool]:
    """Which sentences, with their statements' ``cards``, name every country the topic names
    ("Who signed the UK TPD?": not a sentence and statement that never name Britain)."""
    asked = countries(topic, question=True)
    cards = list(cards) or [""] * len(texts)
    return [asked <= countries(f"{t} {c}") for t, c in zip(texts, cards, strict=True)]
