"""Questions about what a named document or event itself says or decided.

"What do the Artemis Accords require?" or "What was agreed at the first Korea-Pacific Islands
Summit?" ask for the content of a thing the statements may only mention ("... cooperate towards
the ROK signing the Artemis Accords"). Such a question is answered by that document (or the
statement of that meeting), so when none of the closest sentences comes from a statement whose
title names the thing, the sentences only sit next to the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.answer.clauses import ordinals, same_event
from retrieval.answer.names import spelled_in
from retrieval.answer.parties import party_words
from retrieval.search.cards import DOCUMENT_WORDS, HEADING
from retrieval.search.korean import THING_NAMES as _THINGS
from retrieval.search.plan import spell_months
from retrieval.store.lexical import tokenize, word_terms

# Instruments whose own text a question may ask about, beside the meetings and documents the
# Korean glossary names (``THING_NAMES``).
_INSTRUMENTS = (
    r"communiqu[eé]s?|(?:Executive )?Orders?|Acts?|Resolutions?|Memorand(?:um|a)|MOUs?|MOCs?|"
    r"Protocols?"
)
# What a document itself does, asked of it.
_SAYS = (
    r"require|commit|say|state|provide|stipulate|decide|agree|adopt|declare|conclude|produce|"
    r"set out|call|oblige|obligate|mandate|cover|include|contain|address|outline|list"
)
_CONTENT_OF = (
    re.compile(
        r"\bwhat (?:was|were|is|has been) (?:agreed|decided|adopted|announced|discussed|signed|"
        r"achieved|concluded) (?:at|in|during|by|under) (?:the )?(?P<x>[^?]+)",
        re.I,
    ),
    re.compile(r"\bwhat came out of (?:the )?(?P<x>[^?]+)", re.I),
    # Terse, as typed in a search box: "P4G Seoul Summit outcome".
    re.compile(
        r"^\W*(?!(?:what|which|who|how|when|where|why|did|does|do|is|are|was|were)\b)"
        r"(?P<x>[^?:;,]+?) (?:outcomes?|results?|deliverables?)\W*$",
        re.I,
    ),
    # "What did the working group agree at its first meeting?": the group's first meeting.
    re.compile(
        r"\bwhat did (?:the )?(?P<owner>[^?]+?) (?:agree|decide|discuss|sign|announce|adopt)\b"
        r"[^?]*? (?:at|during) its (?P<x>[^?,;]*?\b(?:summit|meeting|session|conference)s?)\b",
        re.I,
    ),
    # "What did Trump and Lee agree at their first White House meeting?": that meeting's own.
    re.compile(
        r"\bwhat did (?:the )?[^?]+? (?:agree|decide|discuss|sign|announce|adopt)(?: on| to| upon)?"
        r" (?:at|during|in) (?:their |the |its )?(?P<x>[^?]+?)(?=\s+(?:about|regarding|concerning|"
        r"over|for|to|on (?![A-Z][a-z]+ \d|\d))\b|[?.,;]|$)",
        re.I,
    ),
    # "What did Trump and Kim agree on remains at their Hanoi summit?": that summit's own.
    re.compile(
        r"\bwhat did (?:the )?[^?]+? (?:agree|decide|discuss|sign|announce|adopt)\b[^?]*? "
        r"(?:at|during) (?:their |the )?(?P<x>[^?,;]*?\b(?:summit|meeting|talks|"
        r"conference|dialogue)s?)\b",
        re.I,
    ),
    re.compile(
        r"\bwhat (?:are|were|is|was) the (?:main |key |core )?(?:principles|provisions|terms|"
        r"outcomes?|results?|contents?|commitments|pillars|goals|aims|findings) of (?:the )?"
        r"(?P<x>[^?]+)",
        re.I,
    ),
    re.compile(
        r"\bwhat (?:[\w-]+ ){0,3}?(?:does|do|did) (?:the )?"
        rf"(?P<x>[^?]*?\b(?:{_THINGS}|{_INSTRUMENTS})\b[^?]*?) (?:{_SAYS})\b",
        re.I,
    ),
    # "Does the Memorandum of Cooperation supersede the treaties?": what that one says.
    re.compile(
        r"^\W*(?:does|do|did|will) (?:the )?"
        rf"(?P<x>[^?]*?\b(?:{_THINGS}|{_INSTRUMENTS})\b[^?]*?) (?:{_SAYS}|supersede|replace|"
        r"bind|apply|allow|permit|prohibit|ban)\b",
        re.I,
    ),
    # "What did its first report find?": that report's own findings.
    re.compile(
        r"\bwhat (?:[\w-]+ ){0,2}?(?:does|do|did) (?:the )?(?P<x>[^?]*?\breports?) (?:find|"
        r"conclude|say|show|reveal|document|recommend|cover)\b",
        re.I,
    ),
)
# "G7 Hiroshima Summit: what did the leaders say about …?": a heading (``cards.HEADING``) that
# names a document or a meeting asks for what that one says.
_AGREED = r"agreement|accords?|treaty|guidelines|principles"  # what is agreed, not where
_HEADED = re.compile(
    r"\b(?:summit|meeting|statement|declaration|fact sheet|readout|communiqu[eé]|talks|"
    rf"conference|{_AGREED})$",
    re.I,
)
_INSTRUMENT_HEAD = re.compile(rf"\b(?:{_AGREED}|deal)$", re.I)
_ACTOR_ASKED = re.compile(
    r"\b(?:did|do|does|will|would|have|has)\s+(?:the\s+)?(?:[A-Z][\w.'’-]*|they|both|two|three|"
    r"leaders?|sides?|countries|governments?)\b"
)
# "What sanctions relief did the U.S. offer in the Singapore joint statement?": what a statement
# it names holds; it is named by the words before its kind ("Singapore").
_IN_STATEMENT = re.compile(
    r"\b(?:in|per|under|according to) (?:the )?(?P<x>(?:(?!(?:in|per|under|for)\b)[\w.'’–-]+ )"
    r"{1,5}?)(?:joint |leaders['’] )?(?:statement|declaration|fact sheet|readout|"
    r"communiqu[eé])s?\b",
    re.I,
)
# How a Korean question asks for a thing's own content, by the particle after the thing: what it
# requires or says (X는 무엇을 요구), what was agreed or came out there (X에서 합의), its principles
# or terms (X의 원칙) -- the senses of the English forms above, not every question naming it.
_CONTENT_KO = {
    "subject": re.compile(
        r"요구|규정|명시|말했|말하|밝혔|언급|결정|합의|채택|약속|라고\s*(?:했|하)"
    ),
    "place": re.compile(r"합의|결정|논의|채택|나왔|결과|성과"),
    "owner": re.compile(r"^\s*(?:주요\s*|핵심\s*)?(?:원칙|내용|골자|결과|성과|조항|요지)"),
}
_PARTICLE_ROLE = {"은": "subject", "는": "subject", "이": "subject", "가": "subject",
                  "에서": "place", "에서는": "place", "에선": "place", "의": "owner"}  # fmt: skip


TITLE_SHARE = 0.5  # the share of the thing's words a title must hold to be that thing's


_PRONOUN = re.compile(r"^\s*(?:its|it|their|they)\b", re.I)


def asked_content_of(question: str) -> str:
    """The document or event whose own content the question asks for ("" if it asks none): one
    it names (capitalised), or a meeting by its year ("their 2025 trilateral summit")."""
    heading = HEADING.match(question)
    for pattern in (*_CONTENT_OF, _IN_STATEMENT):
        m = pattern.search(question)
        named = r"[A-Z]" if pattern is _IN_STATEMENT else r"[A-Z]|\b(?:19|20)\d\d\b"
        thing = f"{m['owner']} {m['x']}" if m and m.groupdict().get("owner") else m and m["x"]
        if thing and heading:  # "MSMT: what did its first report find?": the MSMT's
            thing = _PRONOUN.sub(heading["name"].strip(), thing)
        if thing and re.search(named, thing):
            return thing.strip()
    # "RDP agreement: what did the 2022 statement say?": the heading is the topic, not the source.
    if not heading or DOCUMENT_WORDS.search(question, heading.end()):
        return ""
    name = re.sub(r"^\W+", "", heading["name"]).strip()
    # "RDP agreement: what did Biden and Yoon start?" asks what they did about it, not what it
    # says (what is said at a meeting is the meeting's own).
    if _INSTRUMENT_HEAD.search(name) and _ACTOR_ASKED.search(question, heading.end()):
        return ""
    return name if _HEADED.search(name) and re.search(r"[A-Z]", name) else ""


def korean_content_of(asked: str, things: Sequence[tuple[str, str, str]]) -> str:
    """The thing a Korean question asks the content of: a document or meeting it names (read in
    English, with its particle and what follows it) as subject, place or owner of what it asks
    (its principles: right after the thing; what was agreed there: anywhere in the question)."""
    for english, particle, after in things:
        role = _PARTICLE_ROLE.get(particle, "")
        if role and _CONTENT_KO[role].search(after if role == "owner" else asked):
            return english
    return ""


# Words that say which of several statements, or when, not what one is called ("the two late-2025
# fact sheets", "the Biden-era statements").
_DESCRIPTORS = (
    "two three four both several late early mid era recent latest earlier later last previous prior"
)
_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")
_CODE = re.compile(r"\b(?!(?:19|20)\d\d\b)(?=[\w-]*(?:\d|[A-Z]{2}))[A-Z][\w-]*\b")


def source_held(
    thing: str,
    titles: Sequence[str],
    expand: Callable[[set[str]], set[str]] = lambda t: t,
    known: Callable[[str], bool] = lambda t: True,
) -> bool:
    """Whether one of the titles names the thing (most of its words; ``expand`` adds what an
    acronym stands for). The parties and leaders a thing is called by ("the Biden-Moon
    statement", "the U.S.-led summit") are left out: a card names a statement by its kind and
    issuer, not always by its signatories. A capitalised word no statement uses (not
    ``known``) must be on the card, as a code must; a number the thing is given ("the second
    meeting") must not differ from the card's ("inaugural")."""
    # "The Nov 2025 fact sheet" is the card's "November 13, 2025".
    words = (
        set(tokenize(spell_months(thing), compounds=False))
        - party_words()
        - word_terms(_DESCRIPTORS)
    )
    if not words:
        return True
    # A code or an acronym ("P4G", "AUKUS") is the thing's own name: "P4G Seoul Summit" is not
    # named by a card that says "Seoul" and "Summit" only.
    codes = set(tokenize(" ".join(_CODE.findall(thing)), compounds=False)) & words
    # A name no statement uses ("their Hanoi summit") is held by none.
    codes |= {w for w in tokenize(" ".join(_CAPITALISED.findall(thing)), compounds=False)
              if w in words and not known(w)}  # fmt: skip
    # "The WH fact sheet": a code may be the initials of words the card spells out ("The White
    # House").
    held = [
        expand(set(tokenize(title, compounds=False)))
        | {c for c in codes if spelled_in(c.upper(), [title])}
        for title in titles
    ]
    # "The second NCG meeting" is not the inaugural one.
    asked = ordinals(thing)
    return any(
        len(words & title) / len(words) >= TITLE_SHARE and codes <= title and same_event(asked, raw)
        for title, raw in zip(held, titles, strict=True)
    )
