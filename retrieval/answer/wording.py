"""How the wording of a position changed between statements: word-level diffs of quotes.

For a comparison answer, the quotes of consecutive statements (in date order) are paired by
similarity, and each pair is diffed word by word: what the later statement added, dropped or
kept. Pure functions over citations; no model.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence

from core.answers import Citation, DiffPiece, WordingChange
from core.labels import label
from prompts import load_prompt
from retrieval.search.plan import formal_names
from retrieval.store.lexical import tokenize

_WORD = re.compile(r"\S+")
MIN_SHARED = 0.2  # quotes sharing less than this share of terms are not the same position


def word_diff(before: str, after: str) -> list[DiffPiece]:
    """Word-level diff: runs of kept, dropped and added words, in reading order."""
    a, b = _WORD.findall(before), _WORD.findall(after)
    key_a = [w.lower().strip(".,;:“”\"'()") for w in a]
    key_b = [w.lower().strip(".,;:“”\"'()") for w in b]
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(a=key_a, b=key_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece(op="=", text=" ".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece(op="-", text=" ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece(op="+", text=" ".join(b[j1:j2])))
    return pieces


def _shared(a: str, b: str) -> float:
    ta, tb = set(tokenize(a, compounds=False)), set(tokenize(b, compounds=False))
    return len(ta & tb) / max(1, min(len(ta), len(tb)))


def _terms(text: str) -> set[str]:
    return set(tokenize(formal_names(text), compounds=False))


def wording_changes(citations: Sequence[Citation], topic: str = "") -> list[WordingChange]:
    """Changes between consecutive statements' quotes (citations in date order).

    For each pair of consecutive documents, their quotes are paired most similar first, each
    quote used once, and every pair is diffed; pairs that share too little are different
    points, not a changed wording, and are skipped, unless both quotes hold every term of the
    ``topic`` (the same subject, worded differently).
    """
    topic_terms = _terms(topic) if topic else set()
    docs: list[list[Citation]] = []
    for c in sorted(citations, key=lambda c: (c.date, c.doc_id, c.start)):
        if docs and docs[-1][0].doc_id == c.doc_id:
            docs[-1].append(c)
        else:
            docs.append([c])
    changes = []
    for earlier, later in itertools.pairwise(docs):
        scored = sorted(
            ((_shared(x.quote, y.quote), x, y) for x in earlier for y in later),
            key=lambda t: -t[0],
        )
        used: set[int] = set()
        pairs = []
        for score, a, b in scored:
            if a.n in used or b.n in used:
                continue
            on_topic = bool(topic_terms) and topic_terms <= _terms(a.quote) & _terms(b.quote)
            if score >= MIN_SHARED or on_topic:
                used |= {a.n, b.n}
                pairs.append((a, b))
        for a, b in sorted(pairs, key=lambda p: (p[1].n, p[0].n)):
            changes.append(WordingChange(before=a.n, after=b.n, pieces=word_diff(a.quote, b.quote)))
    return changes


SUMMARY_LEAD = label("summary_lead")  # before a comparison's summary (English)
MAX_CHANGE_CHARS = 300  # of each difference listed in the request


def change_request(question: str, changes: Sequence[WordingChange]) -> str:
    """What the model is asked for a comparison: a short summary of the listed changes."""
    listed = []
    for change in changes:
        line = change.summary()
        listed.append(line if len(line) <= MAX_CHANGE_CHARS else line[:MAX_CHANGE_CHARS] + "…")
    return (
        load_prompt("change_summary").format(question=question, changes="; ".join(listed)).strip()
    )
