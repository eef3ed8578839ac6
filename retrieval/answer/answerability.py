"""Whether the closest sentences answer a question, or only sit next to it ("not stated").

A near miss scores as high as an answer on any one measure: the sentence is about the subject,
but holds no number when the question asks "how many", or gives the figure for shipbuilding when
the question asks about semiconductors. So the decision weighs several signals (``signals``):
how strong the evidence is, whether the sentences hold the kind of thing asked for, which of the
question's distinctive terms the passage lacks and whether the corpus has them elsewhere. A small
logistic model fitted on the team's labelled questions combines them
(``scripts/fit_answerability.py`` writes ``answerability.json`` beside this module: the weights,
the threshold and the cross-validated precision and recall they gave).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core.labels import label
from core.models import Chunk
from retrieval.answer.contents import asked_content_of, source_held
from retrieval.answer.kinds import asked_kind, asked_noun, holding
from retrieval.answer.names import absent_countries, unmatched_numbers
from retrieval.answer.parties import (
    party_speaks,
    reacted_since,
    reacted_to,
    reacting_party,
    reaction_words,
)
from retrieval.search.plan import DATED_YEARS
from retrieval.store.lexical import tokenize

MODEL_FILE = Path(__file__).with_name("answerability.json")
_QUESTION_WORD = re.compile(
    r"^(?:What|Which|Who|Whom|Whose|When|Where|Why|How|Is|Are|Was|Were|Do|Does|Did|Has|Have|"
    r"Had|Will|Would|Can|Could|Should|In|At|By|On|For|From|To|According)\b"
)
TOP_SENTENCES = 3  # the sentences an answer would quote first
KIND_SHARE = 0.6  # of the best sentence's score: a sentence close enough to hold what is asked

_ISSUED = re.compile(
    r"\b(?:issued|released|signed|published|adopted|announced|put out|made public|dated)\b", re.I
)
_REACTION = re.compile(
    r"\b(?:react(?!ivat)\w*|respon(?!sib)\w*|rebut\w*|reply|replied|condemn\w*|criticiz\w*|denounc\w*|"
    r"welcom\w*|protest\w*|retaliat\w*)\b",
    re.I,
)


FEATURES = (
    "strength",
    "dense",
    "coverage",
    "missing_names",
    "kind_asked",
    "kind_missing",
    "gap_idf",
    "gap_terms",
    "asks_reaction",
    "numbers_unmatched",
    "reactor_silent",
    "source_unheld",
)


def not_stated_text(ask: str, related: str = "", language: str = "en") -> str:
    """The answer when the statements do not say what was asked: that, first, in one sentence;
    then the closest quotes, marked as related, not an answer (in the question's language)."""
    ask = " ".join(ask.split())
    if _QUESTION_WORD.match(ask):
        ask = ask[0].lower() + ask[1:]
    text = label("not_stated", language).format(ask=ask)
    return f"{text}\n\n{label('related', language)}\n\n{related}" if related else text


class Scored(Protocol):
    """A candidate sentence as the extractive answerer scores it."""

    chunk: Chunk
    score: float
    dense: float
    lexical: float

    @property
    def strength(self) -> float: ...

    @property
    def text(self) -> str: ...

    @property
    def issuer(self) -> str: ...

    @property
    def card(self) -> str: ...


class Terms(Protocol):
    """What the decision needs of the BM25 index: term statistics and acronyms."""

    df: dict[str, int]

    def idf(self, term: str) -> float: ...

    def with_synonyms(self, terms: set[str]) -> set[str]: ...


def _by_statement(ranked: Sequence[Scored]) -> list[list[Scored]]:
    groups: dict[str, list[Scored]] = {}
    for c in ranked:
        groups.setdefault(c.chunk.doc_id, []).append(c)
    return list(groups.values())


def _reacts(
    party: Sequence[str],
    group: Sequence[Scored],
    target: str,
    since: tuple[int, int] | None,
    expand: Any,
) -> bool:
    """Whether one statement's sentences give the party's reaction to the target."""
    meta = group[0].chunk.meta
    if since and meta.date_known and (meta.date.year, meta.date.month) < since:
        return False
    words = set(tokenize(" ".join([*(c.text for c in group), group[0].card])))
    return set(tokenize(target, compounds=False)) <= expand(words) and party_speaks(
        party, [c.text for c in group], [c.issuer for c in group]
    )


def _without(text: str, phrases: Sequence[str]) -> str:
    for phrase in phrases:
        text = text.replace(phrase, " ")
    return text


def signals(
    question: str,
    topic: str,
    ranked: Sequence[Scored],
    context: Sequence[str],
    lexical: Terms,
    missing: Sequence[str],
    named_statement: bool = False,
    alternatives: Sequence[Sequence[str]] = (),
    party: Sequence[str] | None = None,
    thing: str | None = None,
    reading: bool = False,
    compares: bool = False,
    subject: str = "",
    naming: Sequence[str] = (),
) -> dict[str, float]:
    """The signals of one question (or part) against its best-scored sentences.

    ``ranked`` are the candidate sentences best first; ``missing`` the question's names no
    statement holds (``names.unknown_terms``); ``context`` the texts of the passages the
    best come from (a term a sentence lacks may stand beside it); ``topic`` the question without
    its framing words; ``named_statement``: the question names the statement the best sentences
    come from (then "when was it issued?" is answered by its date); ``alternatives``: the
    English forms each word of a Korean question was read as (one is enough: a passage that
    says "inaugural" holds 출범, though it never says "launch"); ``party``: the names of the
    party whose reaction is asked for (a reaction must be its own: it issued the statement or
    begins the sentence), when the caller knows it (a Korean question's subject), else read
    from the question; ``thing``: the document or meeting whose own content is asked for (a
    statement whose card names it must be among the best), likewise; ``reading``: the question
    is a Korean question's English reading (see ``asked_kind``); ``compares``: the question
    compares statements (the kind it asks for, "the target date vs what Lima reported", and a
    party's position are asked of one of them, not of the best sentences); ``subject``: the
    topic without the names of the statements the question names (a figure or a frequency
    must stand in a sentence about it: ``anchors.anchored``), the topic if not given;
    ``naming``: the phrases that name the statements a question asks of several (their dates
    say which statements, not what their sentences hold). The kind of
    thing asked for is looked for in the best three sentences that score at least
    ``KIND_SHARE`` of the best (checking it in the sentences an answer would quote caught fewer
    near misses in cross-validation; a far third's date answered "when is the exhibition?").
    """
    top = list(ranked[:TOP_SENTENCES])
    expand = lexical.with_synonyms
    held = [*(c.text for c in top), *context]
    kind = None if compares else asked_kind(question, reading)
    strength = max((c.strength for c in ranked), default=0.0)
    best = ranked[0] if ranked else None
    # The kind asked for counts in sentences nearly as close as the best, not in a far third.
    near = [c for c in top if c.score >= KIND_SHARE * top[0].score]
    held_in, cards = [c.text for c in near], [c.card for c in near]
    if kind in ("date", "day") and named_statement and _ISSUED.search(question):
        held_in += context  # when the statement was issued: its own date (in its header)
        cards += [""] * len(context)
    have: set[str] = set()
    for text in held:
        have |= set(tokenize(text))
    have = lexical.with_synonyms(have)
    terms = set(tokenize(topic, compounds=False)) - set(tokenize(asked_noun(question, kind)))
    ceiling = max((lexical.idf(t) for t in terms), default=1.0) or 1.0
    gaps = []
    for forms in alternatives:
        words = [set(tokenize(f, compounds=False)) for f in forms]
        asked = set().union(*words) & terms
        if not asked:
            continue
        terms -= asked
        known = [t for t in asked if t in lexical.df]
        if known and not any(w and w <= have for w in words):
            gaps.append((max(lexical.idf(t) for t in known), " ".join(forms)))
    gaps += [(lexical.idf(t), t) for t in terms - have if t in lexical.df]
    gaps.sort(reverse=True)
    read = party if reading and party else None  # a Korean question's reacting party
    party = reacting_party(question) if party is None else party
    # What the reaction is to: its name; else the rarest word the question gives it ("Seoul
    # ending its missile guidelines": guidelines; not in a Korean reading, whose words before
    # its party are its topic, read loosely).
    target = reacted_to(question, read) if party else ""
    if party and not target and not read:
        said = [w for w in reaction_words(question, read) if w in lexical.df]
        target = max(said, key=lambda w: (lexical.idf(w), w)) if said else ""
    # A comparison's position is asked of the statements compared, not of the best sentences.
    # A reaction is the party's own, in a statement that names what it reacts to (and is no
    # older than it).
    silent = (
        not compares
        and bool(party)
        and not any(
            _reacts(party, group, target, reacted_since(question, read), expand)
            for group in _by_statement(top)
        )
    )
    thing = asked_content_of(question) if thing is None else thing
    unknown = set(tokenize(" ".join(missing), compounds=False))
    # A comparison names the statements it sets side by side, not one whose content is asked.
    unheld = (
        not compares
        and bool(thing)
        and not source_held(
            thing, [c.card for c in top], lexical.with_synonyms, lambda t: t not in unknown
        )
    )
    return {
        "strength": strength,
        "dense": best.dense if best else 0.0,
        "coverage": best.lexical if best else 0.0,
        # A country the best sentences and their statements do not name is as missing.
        "missing_names": float(
            len(missing)
            + absent_countries(question, [*(c.text for c in top), *(c.card for c in top)])
        ),
        "kind_asked": float(kind is not None),
        "kind_missing": float(
            kind is not None
            and not any(
                holding(
                    kind, held_in, question, subject or topic, lexical.idf, reading, expand, cards
                )
            )
        ),
        "gap_idf": gaps[0][0] / ceiling if gaps else 0.0,
        "gap_terms": float(len(gaps)),
        "asks_reaction": float(bool(_REACTION.search(question))),
        # A comparison's dates say which statements it compares, not what their sentences hold.
        "numbers_unmatched": float(
            unmatched_numbers(
                DATED_YEARS.sub(" ", question) if compares else _without(question, naming),
                [*held, *(c.card for c in top)],  # "the April 2023 statement": its date
            )
        ),
        "reactor_silent": float(silent),
        "source_unheld": float(unheld),
    }


@dataclass(frozen=True)
class AnswerabilityModel:
    """A logistic model over standardised signals: P(the sentences answer the question)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    floor: float  # evidence weaker than nearly every answer it was fitted on: not an answer
    report: dict[str, Any]

    def probability(self, found: dict[str, float]) -> float:
        """How likely the sentences answer the question (0-1)."""
        z = self.bias + sum(
            w * (found[name] - m) / s
            for name, m, s, w in zip(
                self.features, self.mean, self.scale, self.weights, strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def answers(self, found: dict[str, float]) -> bool:
        """Whether to answer (else: say the statements do not state it)."""
        return found["strength"] >= self.floor and self.probability(found) >= self.threshold

    def to_json(self) -> str:
        """The model as the JSON file the fitting script writes."""
        data = {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
            "floor": self.floor,
            "report": self.report,
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> AnswerabilityModel | None:
        """The fitted model, or None when none has been fitted."""
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(
                f"{path} was fitted on other signals: run scripts/fit_answerability.py"
            )
        return cls(
            tuple(data["features"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["weights"]),
            float(data["bias"]),
            float(data["threshold"]),
            float(data["floor"]),
            dict(data.get("report", {})),
        )


# The direction each signal may push the decision: more evidence never argues for "not stated",
# and a missing name, kind or term never argues for an answer. A fit that gives a signal the
# other sign (correlated signals do, on a few hundred questions) drops it instead, so that the
# model extrapolates sensibly to questions unlike those it was fitted on.
SIGNS = {
    "strength": 1,
    "dense": 1,
    "coverage": 1,
    "missing_names": -1,
    "kind_missing": -1,
    "gap_idf": -1,
    "gap_terms": -1,
    "numbers_unmatched": -1,
    "reactor_silent": -1,
    "source_unheld": -1,
}


def fit_signed(
    x: np.ndarray, y: np.ndarray, features: Sequence[str], l2: float = 1.0
) -> tuple[np.ndarray, float]:
    """``fit_logistic`` keeping every weight on its side of ``SIGNS`` (the signal most on the
    wrong side is dropped, and the rest fitted again, until none is)."""
    kept = list(range(len(features)))
    while True:
        w, b = fit_logistic(x[:, kept], y, l2)
        wrong = [
            (w[i] * SIGNS.get(features[k], 0), k)
            for i, k in enumerate(kept)
            if w[i] * SIGNS.get(features[k], 0) < 0
        ]
        if not wrong:
            full = np.zeros(len(features))
            full[kept] = w
            return full, b
        kept.remove(min(wrong)[1])


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method).

    ``x`` is standardised (rows: examples); the bias is not penalised.
    """
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (p - y) + penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta[:-1], float(beta[-1])
