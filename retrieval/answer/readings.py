"""What a quoted sentence must address: the readings of a question's topic.

The topic is the question without its framing words. A sentence is scored on two readings:
without the names of the statements the question names (a statement's sentences need not repeat
its title) and as asked (a sentence scores by the reading it matches best, so "the Cape Orm
lighthouse" still counts when the notice's title holds it). Who speaks is not what about
("What did Seoul most recently say?"), and a follow-up that names another statement asks it
what was asked before.
"""

from __future__ import annotations

import re
from collections import Counter

from retrieval.answer.speakers import principal_speakers, speaker_terms
from retrieval.search.compared import SIDE_MARGIN, SIDE_MIN
from retrieval.search.hybrid import NAMED_DOC_MIN, HybridSearcher, spelled_out
from retrieval.search.plan import QueryPlan, full_month, plan_query
from retrieval.store.lexical import tokenize

_PAIRED = re.compile(r"\w[-‐‑–—/]\w")
# "the 2021, 2022 and April 2023 U.S.-ROK leaders' statements", "the Lima trilateral", "the
# October 29 state-visit fact sheet": a phrase that names statements, however many.
_NAME_PHRASE = re.compile(
    r"\b(?:the|their|its|both|all|these|those)\s+(?P<name>(?:[\w.'’‐‑–—/&-]+,?\s+){0,8}?)"
    r"(?P<head>(?:statements?|declarations?|fact\s+sheets?|readouts?|communiqu\w*|texts?"
    r"|trilateral(?=\s*(?:[,.;:?)]|and\b|$))))",
    re.I,
)
_JOINING = frozenset({"and", "or", "&", "the", "both"})
_ORDINALS = frozenset("first second third fourth fifth inaugural last latest".split())


def sentence_topics(plan: QueryPlan, searcher: HybridSearcher) -> list[str]:
    """The topic without the names of the statements it names, then as asked (one if alike)."""
    # "What did Seoul most recently say?", "How did Trump and Lee put it?": who, not what.
    spoken = speaker_terms(plan.question) | principal_speakers(
        plan.question, searcher.principal_words()
    )
    full = " ".join(w for w in plan.topic.split() if {*tokenize(w)} - spoken or not spoken)
    # An acronym no statement uses, by its long forms (OPCON: wartime operational control).
    spelled = spelled_out(plan, searcher.index.lexical())
    full = " ".join([full, *(f for g in spelled for f in g if f not in full)])
    card = searcher.card_words(list(searcher.named_in(plan).at_least(NAMED_DOC_MIN)))
    # Statements set side by side: the people they are named by ("Biden-Yoon") too.
    principals = searcher.principal_words()
    people = principals if plan.side_by_side else frozenset()

    # "FM Choe Son Hui": an acronym whose long form the card holds ("Foreign Minister").
    long_forms = {f: g for g in spelled for f in g if f.isupper()}

    def names_a_statement(word: str) -> bool:
        if any(set(tokenize(f)) <= card for f in long_forms.get(word, ()) if not f.isupper()):
            return True
        word = full_month(word)  # "the Nov 2025 statement": the card's "November 13, 2025"
        terms, parts = set(tokenize(word)), set(tokenize(word, compounds=False))
        # "the 2021 Biden-Moon statement": a pair of principals names their meeting.
        paired = len(parts) > 1 and bool(_PAIRED.search(word)) and parts <= principals
        return bool(terms) and (
            terms <= card or paired or (bool(people) and parts <= card | people)
        )

    kept = without_names(
        " ".join(w for w in full.split() if not names_a_statement(w)),
        naming_phrases(plan.question, searcher),
    ).split()
    asked_before = [t.content for t in plan.history if t.role == "user"]
    dated = plan.follow_up and bool(plan.years)  # "and the 2023 one?"
    if len(kept) <= 1 and asked_before and (dated or searcher.names_its_own(plan)):
        # "And what did the readout of the first NCG meeting say?", "and at Lima?", "and the
        # 2023 one?": the subject asked before, of the statement (or year) named now.
        before = plan_query(asked_before[-1])
        card |= searcher.card_words(
            list(searcher.named_documents(before.search_text).at_least(NAMED_DOC_MIN))
        )
        kept += [w for w in before.topic.split() if not names_a_statement(w)]
        full = f"{full} {before.topic}"
    return list(dict.fromkeys((" ".join(kept) or plan.question, full or plan.question)))


def without_names(topic: str, phrases: list[str]) -> str:
    """The topic without the phrases of the question that name statements (``naming_phrases``),
    unless a statement named is what is asked about ("How did the 2021 and 2025 texts each
    treat the Singapore Joint Statement?": one word would be left)."""
    spans = Counter(w.strip(".").lower() for p in phrases for w in re.findall(r"[\w’'.-]+", p))
    kept = []
    for w in topic.split():
        key = w.strip(".").lower()
        if spans.get(key, 0) > 0:
            spans[key] -= 1
        else:
            kept.append(w)
    return " ".join(kept) if len(kept) >= 2 else topic


def naming_phrases(question: str, searcher: HybridSearcher) -> list[str]:
    """The phrases of a question asking several statements that name them by their cards'
    words, dates and kinds ("the 2022 Yoon–Biden statement, the Lima trilateral and the
    October 29 fact sheet"); none when it names one (whether its sentences are found counts)."""
    phrases = list(_NAME_PHRASE.finditer(question))
    if len(phrases) < 2 and not any(re.search(r"s$", m["head"], re.I) for m in phrases):
        return []
    card_words = searcher.all_card_words() | searcher.principal_words()
    return [
        m[0]
        for m in phrases
        if (name := re.findall(r"[\w’'.-]+", m["name"]))
        and all(
            w.lower() in _JOINING
            or w.isdigit()
            or w.isupper()  # "the first NCG readout": an acronym, an ordinal
            or w.lower() in _ORDINALS
            or full_month(w) != w
            or set(tokenize(w, compounds=False)) <= card_words
            for w in name
        )
    ]


def phrase_named(question: str, searcher: HybridSearcher) -> list[str]:
    """The statements the phrases of a question asking several name, each clearly."""
    found: list[str] = []
    for phrase in naming_phrases(question, searcher):
        shares = searcher.named_documents(phrase).at_least(0.0)
        ranked = sorted(shares.values(), reverse=True)
        if (
            ranked
            and ranked[0] >= SIDE_MIN
            and (len(ranked) < 2 or ranked[0] >= SIDE_MARGIN * ranked[1])
        ):
            found += [d for d, v in shares.items() if v == ranked[0] and d not in found]
    return found
