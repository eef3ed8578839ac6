"""Citation checking for generated answers: markers, sentences, and support by the cited passages.

Pure functions parse and rewrite ``[n]`` markers and split an answer into claims. The
``SupportChecker`` scores each claim against the passages it cites with the local embedding
model (best sentence of the passage) plus word overlap (the claim's content words found in the
cited text), and requires every figure in the claim to stand in a cited passage. The best-matching
sentence of each cited passage becomes the citation's verbatim quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from core.models import Chunk, Passage
from retrieval.search.korean import has_hangul
from retrieval.sentences import is_abbreviation, split_sentences
from retrieval.store.lexical import tokenize

SentenceVectors = dict[str, list[tuple[int, int, np.ndarray]]]
OtherLanguageCheck = Callable[[Sequence["Claim"], dict[int, Passage]], list["Verdict"]]

_NUM = r"\d{1,3}"
_SEP = r"\s*(?:,|;|and|&|-|–|to)\s*(?:(?:sources?|src|doc)\s*)?"
_MAX_RANGE = 20
MARKER = re.compile(
    rf"\[\s*(?:(?:sources?|src|doc)\s*)?({_NUM}(?:{_SEP}{_NUM})*)\s*\]", re.IGNORECASE
)
_CANONICAL = re.compile(r"\[(\d+)\]")
_CLAIM_END = re.compile(r"[.!?][\"'”’)]*(?:\s*\[\d+\])*(?=\s|$)")
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
# A sentence without a citation gets one from the check only when support is this much clearer.
ATTRIBUTION_MARGIN = 0.1
W_DENSE = 0.5
W_COVER = 0.5


def _numbers(inside: str) -> list[int]:
    """The numbers of one marker's inside: ``"1, 3-5"`` -> ``[1, 3, 4, 5]``."""
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", inside):
        ends = [int(n) for n in re.findall(r"\d+", part)]
        if len(ends) == 2 and 0 < ends[1] - ends[0] <= _MAX_RANGE:
            out.extend(range(ends[0], ends[1] + 1))
        else:
            out.extend(ends)
    return out


def marker_numbers(text: str) -> list[int]:
    """Every source number a text cites, in order of appearance, repeats kept."""
    return [n for m in MARKER.finditer(text) for n in _numbers(m.group(1))]


def normalize_markers(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """Rewrite markers as ``[1][2]``, removing numbers not in ``valid``.

    Returns the new text and the sorted invalid numbers that were removed.
    """
    invalid: set[int] = set()

    def sub(match: re.Match[str]) -> str:
        numbers = _numbers(match.group(1))
        invalid.update(n for n in numbers if n not in valid)
        kept = list(dict.fromkeys(n for n in numbers if n in valid))
        return "".join(f"[{n}]" for n in kept)

    out = MARKER.sub(sub, text)
    out = re.sub(r"[ \t]+([.,;:!?])", r"\1", out)  # "text [9]." -> "text ."-> "text."
    out = re.sub(r"[ \t]{2,}", " ", out)
    return out.strip(), sorted(invalid)


def strip_markers(text: str) -> str:
    """The text without citation markers."""
    out = re.sub(r"\s+", " ", _CANONICAL.sub("", MARKER.sub("", text)))
    return re.sub(r" ([.,;:!?])", r"\1", out).strip()


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer with the markers that follow it."""

    text: str
    numbers: tuple[int, ...]

    @property
    def body(self) -> str:
        """The sentence without markers."""
        return strip_markers(self.text)


def split_claims(text: str) -> list[Claim]:
    """Sentences of an answer; markers written after the full stop belong to the sentence."""
    pieces: list[str] = []
    for line in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)", text):
        start = 0
        for match in _CLAIM_END.finditer(line):
            dot = match.start()
            if line[dot] == "." and is_abbreviation(line, dot):
                continue
            pieces.append(line[start : match.end()].strip())
            start = match.end()
        pieces.append(line[start:].strip())
    claims: list[Claim] = []
    carry = ""
    for piece in pieces:
        body = strip_markers(piece)
        if body and not re.search(r"[^\W\d_]", body):  # "1." or "-": a list number, not a claim
            carry += piece + " "
            continue
        piece, carry = carry + piece, ""
        if strip_markers(piece):
            claims.append(Claim(piece, tuple(dict.fromkeys(marker_numbers(piece)))))
        elif piece and claims:  # stray markers on their own: they belong to the sentence before
            last = claims.pop()
            joined = last.text + piece
            claims.append(Claim(joined, tuple(dict.fromkeys(marker_numbers(joined)))))
    return claims


def figures(text: str) -> set[str]:
    """Numbers in a text, commas dropped (``150,000`` -> ``150000``); years included."""
    return {m.group(0).replace(",", "").rstrip(".") for m in _FIGURE.finditer(text)}


@dataclass(frozen=True)
class SpanMatch:
    """The best-matching sentence of a cited passage."""

    chunk: Chunk
    start: int
    end: int
    score: float

    @property
    def text(self) -> str:
        """The sentence, verbatim from the document."""
        return self.chunk.text[self.start - self.chunk.start : self.end - self.chunk.start]


@dataclass
class Verdict:
    """Whether a claim is supported by what it cites, and the best quote of each source."""

    supported: bool
    score: float
    reason: str = ""
    matches: dict[int, SpanMatch] = field(default_factory=dict)
    attributed: int | None = None  # a source the check found for a sentence that cited none


def attribute(
    claim: Claim,
    sources: Iterable[int],
    check: Callable[[Claim], Verdict],
    threshold: float,
) -> Verdict | None:
    """For a sentence that cites nothing: the one source that clearly supports it, if any (the
    sentence checked as if it cited each source alone; the best must clear ``threshold`` by
    ``ATTRIBUTION_MARGIN``)."""
    best: tuple[Verdict, int] | None = None
    for n in sources:
        trial = check(Claim(claim.text, (n,)))
        if trial.supported and (best is None or trial.score > best[0].score):
            best = (trial, n)
    if best is None or best[0].score < threshold + ATTRIBUTION_MARGIN:
        return None
    verdict, n = best
    verdict.attributed = n
    verdict.reason = "cited nothing; the check found this source"
    return verdict


class SupportChecker:
    """Scores claims against their cited passages with embeddings and word overlap."""

    def __init__(
        self,
        embed: Callable[[Sequence[str]], np.ndarray],
        sentence_vectors: Callable[[Sequence[str]], SentenceVectors],
        threshold: float,
        attribute: bool = True,
        similarity: Callable[[float], float] = float,
        crosslingual: OtherLanguageCheck | None = None,
    ) -> None:
        self.embed = embed
        self.sentence_vectors = sentence_vectors
        self.threshold = threshold
        self.attribute = attribute
        self.similarity = similarity  # the model's cosines on the common (MiniLM) scale
        # Korean sentences, checked against the English sources by a model that reads both.
        self.crosslingual = crosslingual

    def _spans(self, chunk: Chunk, stored: SentenceVectors) -> list[tuple[int, int, np.ndarray]]:
        spans = stored.get(chunk.chunk_id)
        if spans:
            return spans
        sents = split_sentences(chunk.text)
        if not sents:
            return []
        vecs = self.embed([s.text for s in sents])
        return [
            (chunk.start + s.start, chunk.start + s.end, v)
            for s, v in zip(sents, vecs, strict=True)
        ]

    def check_all(self, claims: Sequence[Claim], sources: dict[int, Passage]) -> list[Verdict]:
        """A verdict for every claim (one embedding call for all of them); Korean sentences go
        to the cross-language check when there is one."""
        korean = [has_hangul(c.body or c.text) for c in claims] if self.crosslingual else []
        if not any(korean) or self.crosslingual is None:
            return self._check_same_language(claims, sources)
        other = iter(
            self.crosslingual([c for c, k in zip(claims, korean, strict=True) if k], sources)
        )
        same = iter(
            self._check_same_language(
                [c for c, k in zip(claims, korean, strict=True) if not k], sources
            )
        )
        return [next(other) if k else next(same) for k in korean]

    def _check_same_language(
        self, claims: Sequence[Claim], sources: dict[int, Passage]
    ) -> list[Verdict]:
        if not claims:
            return []
        stored = self.sentence_vectors([p.chunk.chunk_id for p in sources.values()])
        spans = {n: self._spans(p.chunk, stored) for n, p in sources.items()}
        vectors = self.embed([c.body or c.text for c in claims])
        verdicts = []
        for claim, vec in zip(claims, vectors, strict=True):
            verdict = self._check(claim, vec, sources, spans)
            if not any(n in sources for n in claim.numbers) and self.attribute:
                verdict = (
                    attribute(
                        claim,
                        sources,
                        partial(self._check, vector=vec, sources=sources, spans=spans),
                        self.threshold,
                    )
                    or verdict
                )
            verdicts.append(verdict)
        return verdicts

    def _check(
        self,
        claim: Claim,
        vector: np.ndarray,
        sources: dict[int, Passage],
        spans: dict[int, list[tuple[int, int, np.ndarray]]],
    ) -> Verdict:
        cited = [n for n in claim.numbers if n in sources]
        if not cited:
            return Verdict(False, 0.0, "cites no source")
        terms = set(tokenize(claim.body))
        matches: dict[int, SpanMatch] = {}
        best_dense = 0.0
        for n in cited:
            chunk = sources[n].chunk
            best: SpanMatch | None = None
            for start, end, vec in spans[n]:
                text = chunk.text[start - chunk.start : end - chunk.start]
                dense = self.similarity(float(vec @ vector))
                overlap = len(terms & set(tokenize(text))) / len(terms) if terms else dense
                score = W_DENSE * dense + W_COVER * overlap
                best_dense = max(best_dense, dense)
                if best is None or score > best.score:
                    best = SpanMatch(chunk, start, end, score)
            if best is not None:
                matches[n] = best
        # What the model saw of each source: its header (title, issuer, date, section) and text.
        cited_text = " ".join(
            f"{sources[n].chunk.context_header()} {sources[n].chunk.meta.issuer} "
            f"{sources[n].chunk.meta.date.isoformat()} {sources[n].chunk.text}"
            for n in cited
        )
        cover = len(terms & set(tokenize(cited_text))) / len(terms) if terms else best_dense
        score = round(W_DENSE * best_dense + W_COVER * cover, 4)
        missing = sorted(figures(claim.body) - figures(cited_text))
        if matches and all(negated(m.text) != negated(claim.body) for m in matches.values()):
            return Verdict(
                False, score, "the cited source does not say it with that negation", matches
            )
        if missing:
            return Verdict(False, score, f"{', '.join(missing)} not in the cited source", matches)
        if score < self.threshold:
            return Verdict(False, score, f"weak match with the cited source ({score:.2f})", matches)
        return Verdict(True, score, "", matches)


_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|none|without|cannot|refus\w*|declin\w*|reject\w*)\b|n['’]t\b",
    re.I,
)


def negated(text: str) -> bool:
    """Whether a sentence says something is not so ("did not agree", "no longer", "never")."""
    return bool(_NEGATION.search(text))


def with_marker(sentence: str, n: int) -> str:
    """The sentence with ``[n]`` before its final punctuation (``"It was." -> "It was [n]."``)."""
    match = re.search(r"([.!?][\"'”’)]*)\s*$", sentence)
    if match:
        return sentence[: match.start()].rstrip() + f" [{n}]" + sentence[match.start() :].rstrip()
    return sentence.rstrip() + f" [{n}]"
