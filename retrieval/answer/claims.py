"""A generated answer checked claim by claim against the sources it cites.

Citation numbers that name no source are removed; every sentence is checked for support
(``retrieval.answer.support``); unsupported sentences are marked, uncited ones given the source
the check found; the citations quote the sentences of each source that best match.
"""

from __future__ import annotations

import re

from core.answers import UNSUPPORTED_MARK, Answer, AnswerSentence, Citation
from core.labels import label
from core.models import Filters, Passage
from retrieval.answer.answerability import not_stated_text
from retrieval.answer.chains import is_refusal
from retrieval.answer.citations import cite
from retrieval.answer.support import (
    Claim,
    SpanMatch,
    SupportChecker,
    Verdict,
    normalize_markers,
    split_claims,
    with_marker,
)
from retrieval.search.plan import QueryPlan


def checked_answer(
    checker: SupportChecker,
    plan: QueryPlan,
    filters: Filters,
    passages: list[Passage],
    sources: dict[int, Passage],
    text: str,
    notes: list[str],
    cut: bool = False,
) -> Answer:
    """The generated text with invented markers removed and every sentence checked.

    When the stream was ``cut``, a last sentence left unfinished is marked unsupported.
    """
    normalized, invalid = normalize_markers(text, set(sources))
    normalized, not_stated = not_stated_parts(normalized)
    claims = split_claims(normalized)
    answer = Answer(
        question=plan.asked or plan.question,
        searched_as=plan.search_text,
        text="",
        passages=passages,
        filters=filters.merged(plan.filters),
        intent=plan.intent,
        answerer="generative",
        invalid_citations=invalid,
        language=plan.language,
    )
    notes = answer.notes = list(notes)
    if invalid:
        numbers = ", ".join(f"[{n}]" for n in invalid)
        notes.append(label("invalid_citations", plan.language).format(numbers=numbers))
    if not claims or (is_refusal(normalized) and not any(c.numbers for c in claims)):
        notes.append(label("model_no_answer", plan.language))
        answer.not_stated = not_stated or [plan.asked or plan.question]
        answer.text = "\n".join(
            not_stated_text(p, language=plan.language) for p in not_stated
        ) or label("not_answered", plan.language)
        answer.refused = True
        return answer
    verdicts = checker.check_all(claims, sources)
    if cut and claims and not re.search(r"[.!?][\"'”’)]*(?:\s*\[\d+\])*\s*$", claims[-1].text):
        verdicts[-1] = Verdict(False, 0.0, "cut off mid-sentence")
    attributed = [v.attributed for v in verdicts if v.attributed]
    if attributed:
        notes.append(label("attributed", plan.language).format(count=len(attributed)))
    shown_claims = [
        Claim(with_marker(c.text, v.attributed), (v.attributed,)) if v.attributed else c
        for c, v in zip(claims, verdicts, strict=True)
    ]
    sentences = [
        AnswerSentence(
            text=shown.text,
            citations=[n for n in shown.numbers if n in sources],
            supported=v.supported,
            score=v.score,
            reason=v.reason,
            attributed=v.attributed is not None,
        )
        for shown, v in zip(shown_claims, verdicts, strict=True)
    ]
    unsupported = [s for s in sentences if not s.supported]
    if unsupported:
        notes.append(unsupported_note(len(unsupported), len(sentences), plan.language))
    answer.text = rewrite(normalized, claims, shown_claims, verdicts)
    if not_stated:  # the parts the model says the sources do not answer, named after the rest
        answer.text += "\n\n" + "\n".join(
            not_stated_text(p, language=plan.language) for p in not_stated
        )
        answer.not_stated = not_stated
    answer.citations = citations_for(shown_claims, verdicts, sources)
    answer.sentences = sentences
    return answer


def unsupported_note(count: int, total: int, language: str = "en") -> str:
    """The note that ``count`` of ``total`` generated sentences are not supported."""
    return label("unsupported", language).format(count=count, total=total, mark=UNSUPPORTED_MARK)


# "Not stated: who chairs the council." on a line of its own or as a sentence of a paragraph;
# in a Korean answer "명시되지 않음: …" (the Korean rules' marker; a few close forms are read too).
_NOT_STATED = re.compile(
    r"(?im)(?:^|(?<=[.!?\]]))[ \t]*(?:[-*]\s*)?"
    r"(?:not stated|명시되지\s*않음|명시되어\s*있지\s*않음|언급되지\s*않음):"
    r"\s*(?P<part>[^\n.!?]+[?]?)[.!]?"
)


def not_stated_parts(text: str) -> tuple[str, list[str]]:
    """The generated text without its "Not stated: …" ("명시되지 않음: …") lines, and the parts
    they name."""
    parts = [" ".join(m["part"].split()).strip(" .") for m in _NOT_STATED.finditer(text)]
    return _NOT_STATED.sub("", text).strip(), [p for p in parts if p]


def rewrite(text: str, claims: list[Claim], shown: list[Claim], verdicts: list[Verdict]) -> str:
    """The text with ``[unsupported]`` before every sentence that failed the check, and the
    citations the check found for uncited sentences."""
    out: list[str] = []
    cursor = 0
    for claim, new, verdict in zip(claims, shown, verdicts, strict=True):
        at = text.find(claim.text, cursor)
        if at < 0:
            continue
        end = at + len(claim.text)
        out.append(text[cursor:at])
        if not verdict.supported:
            out.append(UNSUPPORTED_MARK + " ")
        out.append(new.text)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def citations_for(
    claims: list[Claim], verdicts: list[Verdict], sources: dict[int, Passage]
) -> list[Citation]:
    """One citation per cited source, quoting the sentences of it that best match the claims."""
    order: list[int] = []
    matches: dict[int, list[tuple[SpanMatch, bool, float]]] = {}
    for claim, verdict in zip(claims, verdicts, strict=True):
        for n in claim.numbers:
            if n not in sources or n not in verdict.matches:
                continue
            if n not in order:
                order.append(n)
            matches.setdefault(n, []).append((verdict.matches[n], verdict.supported, verdict.score))
    citations = []
    for n in order:
        found = matches[n]
        supported = [m for m, ok, _ in found if ok]
        spans = {(m.start, m.end): m for m in (supported or [m for m, _, _ in found])}
        ordered = [spans[k] for k in sorted(spans)]
        quote = " … ".join(m.text for m in ordered)
        citation = cite(n, sources[n].chunk, ordered[0].start, ordered[-1].end, quote)
        citations.append(
            citation.model_copy(
                update={
                    "supported": bool(supported),
                    "support_score": max(score for _, _, score in found),
                }
            )
        )
    return citations
