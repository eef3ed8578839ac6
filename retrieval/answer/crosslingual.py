"""The support check of a Korean answer sentence against the English source it cites.

The store's English model cannot compare a Korean sentence with an English one, and word overlap
means nothing across scripts. A Korean sentence is scored instead with multilingual-e5-small (both
sides embedded as ``query: …``, e5's form for comparing two texts of the same kind), loaded only
when a Korean sentence is checked, plus a little for the share of its words whose English reading
(the glossary's, as for questions) stands in the source. As for English, what a similarity cannot
see is checked by rule: every figure of the sentence must stand in the cited source (Korean units
read: 170만 = 1.7 million, 362억 = 36.2 billion), every country, person, body and place it names
must stand there in one of its English forms (the glossary's), and it must make the source's
negation. The threshold was chosen on ``eval/support_ko.yaml`` (scripts/calibrate_support_ko.py;
tests/test_crosslingual.py checks its precision and recall).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, partial
from pathlib import Path

import numpy as np

from core.models import Passage
from core.settings import Settings
from retrieval.answer.support import (
    Claim,
    SpanMatch,
    Verdict,
    attribute,
    negated,
)
from retrieval.search.glossary import Glossary, load_glossary
from retrieval.search.korean import KoreanBridge
from retrieval.sentences import split_sentences
from retrieval.store.embeddings import E5_SENTENCE_SCALE, E5Embeddings, SentenceEmbeddings
from retrieval.store.lexical import tokenize

# A Korean sentence is supported when e5's cosine with the best sentence of the cited source
# ("query:" on both sides), plus READING_WEIGHT times the share of its words whose English reading
# (the glossary's) stands in the cited source, reaches CROSS_SUPPORT_COS. Measured on
# eval/support_ko.yaml (40 supported, 50 unsupported pairs): with the reading, the supported
# sentences score 0.857 and up, the unsupported ones the rules let through (other than a party
# swapped for one the source also names) 0.838 at most; the threshold is the middle of that gap.
# The cosine alone leaves no gap (0.826 and up against 0.830: framed sentences such as "2022년
# 성명은 …라고 했다" score low); "passage:" on both sides or query/passage separate less.
CROSS_SUPPORT_COS = 0.8475
READING_WEIGHT = 0.075
NAME_KINDS = frozenset({"country", "person", "body", "place"})
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")

_KO_NEGATION = re.compile(
    r"않|없|(?<!잘)못|아니|지\s*말(?:고|아|라|\s*것|자|도록)|(?<![가-힣])안\s+(?:하|했|한|할|되|된|될|돼)"
    r"|거부|거절|배격|불참|불응|기각"
)
# Words that hold a negation's syllable but say nothing is not so: "unwavering" (흔들림 없는),
# "constantly", "eliminate" (없애다), "not only … but also" (뿐만 아니라), "including but not
# limited to" (국한되지 않는), "earnestly" (마지않는), and two negations that make a yes:
# "indispensable" (없어서는 안 될), "must" (하지 않을 수 없다).
_KO_NOT_NEGATION = re.compile(
    r"(?:끊임|변함|빈틈|흔들림|차질|틀림|아낌|어김|다름|유례|여지|지체|예외)\s*없|없애|없앴|없앨"
    r"|뿐\s*(?:만\s*)?아니|(?:국한|제한|한정)되지\s*않|마지않"
    r"|없어서는\s*안\s*(?:될|되|돼|된)|지\s*않을\s*수\s*(?:없|밖에)|빼놓을\s*수\s*없"
)
_EN_NOT_NEGATION = re.compile(
    r"\b(?:not limited to|not only|not least|no later than|without delay)\b", re.I
)

_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_EN_FIGURE = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s*(thousand|million|billion|trillion)\b)?", re.I
)
_EN_WORDS = {
    **dict.fromkeys(("one", "first", "single"), 1),
    **dict.fromkeys(("two", "second", "bilateral", "both"), 2),
    **dict.fromkeys(("three", "third", "trilateral"), 3),
    **{w: i for i, w in enumerate("four five six seven eight nine ten".split(), start=4)},
    **{m: i for i, m in enumerate("january february march april may june".split(), start=1)},
    **{m: i for i, m in enumerate("july august september october november december".split(), 7)},
}
_KO_SCALES = {"천": 1e3, "만": 1e4, "억": 1e8, "조": 1e12}
_KO_FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*([천만억조])?")


def korean_negated(text: str) -> bool:
    """Whether a Korean sentence says something is not so (않다, 없다, 못하다, 아니다, 거부)."""
    return bool(_KO_NEGATION.search(_KO_NOT_NEGATION.sub(" ", text)))


def source_negated(text: str) -> bool:
    """``negated`` of an English source sentence, without the idioms that deny nothing
    ("including but not limited to", "not only … but also")."""
    return negated(_EN_NOT_NEGATION.sub(" ", text))


def _key(value: float) -> str:
    return f"{value:.6g}"


def english_values(text: str) -> set[str]:
    """The numbers an English text gives: figures, scaled ("1.7 million"), months and small
    number words ("June" 6, "trilateral" 3)."""
    out: set[str] = set()
    for m in _EN_FIGURE.finditer(text):
        number = float(m.group(1).replace(",", ""))
        out.add(_key(number))
        if m.group(2):
            out.add(_key(number * _EN_SCALES[m.group(2).lower()]))
    out.update(_key(v) for w, v in _EN_WORDS.items() if re.search(rf"\b{w}\b", text, re.I))
    return out


def korean_figures(text: str) -> list[tuple[str, set[str]]]:
    """Each figure of a Korean sentence with the values it may stand for: "13만 5천" is
    135,000; "232조" is 232 (제232조) or 232 trillion."""
    found: list[tuple[str, set[str]]] = []
    end, total, last_scale = -1, 0.0, 0.0
    for m in _KO_FIGURE.finditer(text):
        number = float(m.group(1).replace(",", ""))
        scale = _KO_SCALES.get(m.group(2) or "", 0.0)
        if found and scale and m.start() - end <= 1 and scale < last_scale:  # "13만 5천"
            total += number * scale
            found[-1][1].add(_key(total))
        else:
            total = number * scale if scale else number
            found.append((m.group(0).strip(), {_key(number), _key(total)}))
        end, last_scale = m.end(), scale
    return found


@cache
def _glossary(extra_paths: tuple[Path, ...]) -> Glossary:
    return load_glossary(extra_paths=extra_paths)


def bilingual_model(embeddings: SentenceEmbeddings, settings: Settings) -> E5Embeddings:
    """The store's model when it is e5, else one e5 shared by the process (not yet loaded)."""
    if isinstance(embeddings, E5Embeddings):
        return embeddings
    return _shared_e5(settings.embedding_batch_size, settings.embedding_threads)


@cache
def _shared_e5(batch_size: int, threads: int) -> E5Embeddings:
    return E5Embeddings(batch_size=batch_size, threads=threads)


class CrossLingualCheck:
    """Verdicts for Korean sentences against English sources, on the checker's score scale:
    ``threshold`` is met where e5's cosine is ``CROSS_SUPPORT_COS``."""

    def __init__(
        self,
        model: E5Embeddings,
        threshold: float,
        attribute: bool = True,
        glossary_files: Sequence[Path] = (),
        support_cos: float = CROSS_SUPPORT_COS,
    ) -> None:
        self.model = model
        self.threshold = threshold
        self.attribute = attribute
        self.glossary_files = tuple(glossary_files)
        self.support_cos = support_cos

    def score(self, cosine: float, read: float = 0.0) -> float:
        """An e5 cosine and the share of the sentence read in the source, on the checker's scale
        (MiniLM's spread; the checker's threshold where ``CROSS_SUPPORT_COS`` is met)."""
        combined = cosine + READING_WEIGHT * read
        return round(self.threshold + (combined - self.support_cos) * E5_SENTENCE_SCALE, 4)

    def read_share(self, sentence: str, cited: str) -> float:
        """The share of a Korean sentence's words whose English reading (the glossary's) stands
        in the cited text; words the glossary cannot read count as not found."""
        bridge = KoreanBridge.for_glossaries(self.glossary_files, True)
        reading = bridge.read(sentence)
        english = set(tokenize(HANGUL_WORD.sub(" ", reading)))
        unread = [w for w in HANGUL_WORD.findall(reading) if len(w) >= 2]
        return len(english & set(tokenize(cited))) / max(1, len(english) + len(unread))

    def __call__(self, claims: Sequence[Claim], sources: dict[int, Passage]) -> list[Verdict]:
        """A verdict for every claim (one embedding call)."""
        wanted = {n for c in claims for n in c.numbers if n in sources}
        if self.attribute and any(not set(c.numbers) & set(sources) for c in claims):
            wanted = set(sources)  # a sentence that cites nothing is tried against every source
        spans = {
            n: [(s.start, s.end, s.text) for s in split_sentences(sources[n].chunk.text)]
            for n in sorted(wanted)
        }
        texts = [c.body or c.text for c in claims] + [t for n in spans for _, _, t in spans[n]]
        vectors = self.model.embed_queries(texts)
        claim_vecs, rest = vectors[: len(claims)], vectors[len(claims) :]
        span_vecs: dict[int, np.ndarray] = {}
        at = 0
        for n in spans:
            span_vecs[n], at = rest[at : at + len(spans[n])], at + len(spans[n])
        verdicts = []
        for claim, vec in zip(claims, claim_vecs, strict=True):
            verdict = self._check(claim, vec, sources, spans, span_vecs)
            if self.attribute and not any(n in sources for n in claim.numbers):
                verdict = (
                    attribute(
                        claim,
                        sources,
                        partial(
                            self._check, vec=vec, sources=sources, spans=spans, span_vecs=span_vecs
                        ),
                        self.threshold,
                    )
                    or verdict
                )
            verdicts.append(verdict)
        return verdicts

    def _check(
        self,
        claim: Claim,
        vec: np.ndarray,
        sources: dict[int, Passage],
        spans: dict[int, list[tuple[int, int, str]]],
        span_vecs: dict[int, np.ndarray],
    ) -> Verdict:
        cited = [n for n in claim.numbers if n in sources]
        if not cited:
            return Verdict(False, 0.0, "cites no source")
        body = claim.body or claim.text
        matches: dict[int, SpanMatch] = {}
        best = -1.0
        for n in cited:
            chunk = sources[n].chunk
            if not spans[n]:
                continue
            cosines = span_vecs[n] @ vec
            i = int(np.argmax(cosines))
            start, end, _ = spans[n][i]
            best = max(best, float(cosines[i]))
            score = self.score(float(cosines[i]))
            matches[n] = SpanMatch(chunk, chunk.start + start, chunk.start + end, score)
        cited_text = " ".join(
            f"{sources[n].chunk.context_header()} {sources[n].chunk.meta.issuer} "
            f"{sources[n].chunk.meta.date.isoformat()} {sources[n].chunk.text}"
            for n in cited
        )
        score = self.score(best, self.read_share(body, cited_text)) if matches else 0.0
        if matches and all(
            source_negated(m.text) != korean_negated(body) for m in matches.values()
        ):
            return Verdict(
                False, score, "the cited source does not say it with that negation", matches
            )
        values = english_values(cited_text)
        missing = [shown for shown, may_be in korean_figures(body) if not may_be & values]
        if missing:
            return Verdict(False, score, f"{', '.join(missing)} not in the cited source", matches)
        absent = self.absent_names(body, cited_text)
        if absent:
            return Verdict(False, score, f"{', '.join(absent)} not in the cited source", matches)
        if score < self.threshold:
            return Verdict(False, score, f"weak match with the cited source ({score:.2f})", matches)
        return Verdict(True, score, "", matches)

    def absent_names(self, sentence: str, cited: str) -> list[str]:
        """The countries, people, bodies and places a Korean sentence names that the cited text
        does not name in any of their English forms (the glossary's)."""
        text = _fold(cited)
        return [
            entry.korean[0]
            for entry in _glossary(self.glossary_files).find(sentence)
            if entry.kind in NAME_KINDS
            and not any(re.search(rf"(?<!\w){re.escape(_fold(e))}", text) for e in entry.english)
        ]


def _fold(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").casefold()
