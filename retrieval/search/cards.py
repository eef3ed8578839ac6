"""What identifies each document when a question names it: its card (title, issuer, kind,
date, file name) as BM25 terms, and the share of a question's weight each document takes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from core.models import DocumentMeta
from retrieval.store.lexical import tokenize

_FILE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[-_ ]*")


def card_text(meta: DocumentMeta, doc_id: str = "") -> str:
    """What identifies a document when a question names it (its principals too).

    The file's name counts too (without its folder, extension and leading date): files are
    often named for how people refer to them ("...-joint-statement-lima.md": the Lima statement).
    """
    stem = _FILE_DATE.sub("", PurePosixPath(doc_id).stem).replace("-", " ").replace("_", " ")
    return (
        f"{meta.title} {meta.issuer} {meta.principals} {meta.kind} {meta.date_label()} "
        f"{meta.date.year} {stem}"
    )


@dataclass(frozen=True)
class Cards:
    """Card terms of every document, with postings for fast lookups at any corpus size."""

    source: Mapping[str, Any]  # the catalog they were built from (identity marks staleness)
    cards: dict[str, set[str]]
    df: dict[str, int]
    docs: list[str]
    position: dict[str, int]
    postings: dict[str, np.ndarray]
    vocabulary: frozenset[str]
    principals: frozenset[str]  # the words of every document's principals (people's names)
    # Distinctive titles as a question writes them ("Commitment to Consult"), by their first
    # word: a question that quotes one names its document, however common its words are.
    titles: dict[str, list[tuple[tuple[str, ...], str]]]

    @classmethod
    def build(cls, docs: Mapping[str, Any]) -> Cards:
        cards = {d: set(tokenize(card_text(e.meta, d))) for d, e in docs.items()}
        order = list(cards)
        lists: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(order):
            for t in cards[d]:
                lists[t].append(i)
        df = {t: len(v) for t, v in lists.items()}
        return cls(
            source=docs,
            cards=cards,
            df=df,
            docs=order,
            position={d: i for i, d in enumerate(order)},
            postings={t: np.asarray(v, dtype=np.int64) for t, v in lists.items()},
            vocabulary=frozenset(lists),
            principals=frozenset(
                t for e in docs.values() for t in tokenize(e.meta.principals, compounds=False)
            ),
            titles=_distinctive_titles(docs, df),
        )


TITLE_SHARE = 0.6  # a document whose distinctive title a question quotes is named by it
LEAD_SHARE, LEAD = 0.35, 1.4  # a cited name's card, not whole: this much, this far ahead
_TITLE_MIN_WORDS = 2
_TITLE_RARE_CARDS = 2  # a title term on at most this many cards makes the title distinctive


def _distinctive_titles(
    docs: Mapping[str, Any], df: dict[str, int]
) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """The titles that name one document when quoted, as words, listed under their first word:
    of two words or more, with a term few cards hold ("Commitment to Consult"; not "U.S.-ROK
    Leaders' Joint Statement", which three years' statements share)."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for d, e in docs.items():
        # The title, and its head before a colon or parenthesis ("The Spirit of Camp David:
        # Joint Statement of ...", quoted as "the Spirit of Camp David").
        for head in {e.meta.title, re.split(r"[:(]", e.meta.title, maxsplit=1)[0]}:
            words = tuple(_words(head))
            words = words[1:] if words[:1] == ("the",) else words
            terms = tokenize(head, compounds=False)
            if len(words) >= _TITLE_MIN_WORDS and any(
                df.get(t, 0) <= _TITLE_RARE_CARDS for t in terms
            ):
                out[words[0]].append((words, d))
    return dict(out)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().replace("’", "'"))


def quoted_titles(cards: Cards, text: str) -> list[str]:
    """The documents whose distinctive title the text quotes."""
    words = _words(text)
    found = {
        d
        for i, w in enumerate(words)
        for title, d in cards.titles.get(w, ())
        if tuple(words[i : i + len(title)]) == title
    }
    return [d for d in cards.docs if d in found]


class NamedShares(Mapping[str, float]):
    """Per-document shares of a question's weight; holds only the nonzero ones."""

    def __init__(self, docs: list[str], position: dict[str, int], shares: np.ndarray) -> None:
        self._docs, self._position, self._shares = docs, position, shares

    def __getitem__(self, doc_id: str) -> float:
        i = self._position[doc_id]
        if self._shares[i] <= 0:
            raise KeyError(doc_id)
        return float(self._shares[i])

    def __iter__(self) -> Iterator[str]:
        return (self._docs[i] for i in np.flatnonzero(self._shares > 0))

    def __len__(self) -> int:
        return int(np.count_nonzero(self._shares > 0))

    def at_least(self, floor: float) -> dict[str, float]:
        """Documents whose share is at least ``floor`` (and above zero)."""
        hits = np.flatnonzero(self._shares >= max(floor, np.nextafter(0.0, 1.0)))
        return {self._docs[i]: float(self._shares[i]) for i in hits}


# What a text calls a document ("the readout", "their fact sheets", "the article").
DOCUMENT_WORDS = re.compile(
    r"\b(?:statements?|declarations?|fact sheets?|readouts?|communiqu\w*|documents?|texts?|"
    r"reports?|articles?)\b",
    re.I,
)
# What a text calls a report about statements ("the news analysis", "the Korean press"; not
# "Choe Son Hui's press statement").
REPORT_WORDS = re.compile(
    r"\b(?:news|analys[ie]s|articles?|reports?|commentar(?:y|ies)|op-eds?|"
    r"press(?!\s+(?:statements?|releases?|conferences?|briefings?)))\b",
    re.I,
)
# "70th anniversary statement: …": a heading before the question (what it names, in ``name``).
HEADING = re.compile(r"^\s*(?P<name>[^:?]{3,80}?)\s*:\s+\S")
# "According to the first NCG readout, …", "In the Nov 2025 fact sheet, …": a statement the
# question cites as its source.
CITED = re.compile(
    r"\b(?:(?:according to|per) (?:the |their |its )?|(?:in|from|under) (?:the|their|its) )"
    r"(?P<name>(?:[\w.'’-]+ ){1,6}?"
    r"(?:joint )?(?:statement|declaration|fact sheet|readout|communiqu[eé]))s?\b",
    re.I,
)


def _shares(cards: Cards, lexical: Any, text: str) -> np.ndarray:
    shares = np.zeros(len(cards.docs), dtype=np.float64)
    terms = set(tokenize(text))
    total = lexical.weight(terms) or 1.0
    n = len(cards.docs)
    for t in sorted(terms & cards.vocabulary):  # a fixed order: the same sums every run
        shares[cards.postings[t]] += lexical.idf(t) * (1 - cards.df[t] / n)
    return shares / total


def named_shares(cards: Cards, lexical: Any, text: str) -> NamedShares:
    """How much of the text's informative weight each document's card explains; a statement
    whose distinctive title the text quotes, or whose card explains a heading before the
    question ("Singapore joint statement: who leads …?") or the statement it cites ("according
    to the first NCG readout"), is named by it."""
    shares = np.zeros(len(cards.docs), dtype=np.float64)
    if cards.docs:
        shares = _shares(cards, lexical, text)
        heading = HEADING.match(text)
        cited = [m["name"] for m in CITED.finditer(text)]
        for name in ([heading["name"]] if heading else []) + cited:
            of_name = _shares(cards, lexical, name)
            named = of_name >= TITLE_SHARE
            if not named.any() and len(of_name) > 1 and DOCUMENT_WORDS.search(name):
                # No card explains a statement's name whole ("the Nov 2025 Trump-Lee fact
                # sheet": "Nov" is no card word): one that explains it clearly best is named.
                first, second = np.sort(of_name)[::-1][:2]
                named = (of_name == first) & (first >= LEAD_SHARE) & (first >= LEAD * second)
            shares[named] = np.maximum(shares[named], TITLE_SHARE)
        for d in quoted_titles(cards, text):
            i = cards.position[d]
            shares[i] = max(shares[i], TITLE_SHARE)
    return NamedShares(cards.docs, cards.position, shares)
