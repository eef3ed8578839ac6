"""The kind of thing a question asks for (an amount, a number, a date, a place, a person or
body) and whether a sentence holds one: one of the "not stated" signals (``answerability``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.answer.anchors import anchored, of_countries_asked
from retrieval.answer.clauses import (
    CLAUSE,
    EVENT_KINDS,
    levied_otherwise,
    ordinals,
    qualified_otherwise,
    same_event,
)
from retrieval.answer.counted import HOW_MUCH, MONEY_OR_SHARE, counted_words, counts
from retrieval.answer.names import COUNTRIES
from retrieval.answer.owners import asked_owner, asked_person_owner, owner, titled_otherwise
from retrieval.answer.roles import holds_role, role_asked
from retrieval.search.intent import SPLIT_WORDS
from retrieval.store.lexical import tokenize

# What a question asks for, by the words that ask it.
# Where an ask opens: the question's start, or after a colon, a semicolon or an "and" that joins
# its asks ("The Dialogue from Camp David: who leads it?", "… and when is its first meeting?").
# (Or after a lead-in: "Under the Korea TPD, who heads it?", "… to CFC. Who heads it?")
_OPENS = (
    r"(?:^\W*|[:;]\s*|\b(?:and|or)\s+|^(?!\W*(?:what|which|who|whom|whose|when|where|why|how|"
    r"is|are|was|were|do|does|did|has|have|had|will|can)\b)(?:[^,?]{3,80},|[^?]{3,200}?[a-z0-9)]\.)"
    r"\s+)"
)
_ASKS: dict[str, re.Pattern[str]] = {
    "amount": re.compile(
        r"\bhow much (?:money|funding|financing|investment|capital)\b|\bwhat (?:[\w-]+ ){0,3}?"
        r"(?:amount|sum|value|price|cost)\b|\bhow (?:big|large) (?:[\w'’-]+ ){0,3}?(?:investment|"
        r"fund|funding|package|pledge|contribution|commitment|grant|loan|budget|deal|purchase)s?\b"
        r"|\b(?:pledge|investment|funding|contribution|dollar) amount\b|\bprice tag\b"
        r"|\bdollar (?:figure|value)\b|\btotal value\b|\bsize of the (?:[\w-]+ )?(?:fund|"
        r"investment|package|pledge|deal|order|purchase)s?\b|\b(?:fund|funding)['’]s size\b"
        r"|\b(?:amount|sum|cost|value)\W*$"  # terse: "amazon cloud investment amount"
        # "How much of the initiative is Korea paying for?": money, not "2,023 Koreans".
        r"|\bhow much\b[^?]*?\b(?:pay|pays|paying|paid|spend|spends|spending|spent|cost|costs|"
        r"put|puts|putting|contribut\w*|invest|invests|investing|invested)\b"
        # "How is the $60 million split between them?": each side's money, not the total.
        rf"|\bhow (?:is|are|was|were|will)\b[^?]{{0,80}}?\b(?:{'|'.join(SPLIT_WORDS)})\b",
        re.I,
    ),
    "number": re.compile(
        r"\bhow many\b|\bhow much\b|\b(?:what|which) (?:[\w-]+ ){0,3}?(?:number|percentage|share|"
        r"proportion|figure|rate|target|tariff|cap)\b|\bby how (?:much|many)\b"
        # "What tariff level" asks a figure; "at what level were they led", "what level?" a rank.
        r"|(?<!\bat )\b(?:what|which) (?:[\w-]+ ){1,3}?level\b"
        r"|\bnumber of\b|\b(?:tariff|exchange|interest) rates?\b"
        r"|\b(?:what|which) (?:[\w-]+ ){0,3}?(?:turnout|quantity|tonnage|headcount|volume)\b",
        re.I,
    ),
    "frequency": re.compile(
        r"\bhow (?:often|frequently|regularly)\b|\b(?:at|in) what (?:intervals?|frequency)\b"
        r"|\bwhat (?:[\w-]+ )?(?:frequency|interval|cadence)\b|\b(?:frequency|cadence)\W*$"
        r"|\bfrequency of\b",
        re.I,
    ),
    # "On what date", "start date": a day, not a year or "later this year".
    "day": re.compile(
        r"\b(?:what|which) (?:exact )?(?:date|day)s?\b"
        r"|\b(?:exact|specific|precise) (?:date|day)s?\b|\b(?:start|starting|opening|expiry|"
        r"expiration|signing|effective|launch) dates?\b|\bdates? of\b",
        re.I,
    ),
    "date": re.compile(
        rf"{_OPENS}when\b|\b(?:what|which) (?:date|day|month|year|time)\b|\bby when\b|\bhow long\b"
        r"|\bdeadline\b|\b(?:in|by) (?:what|which) (?:year|date|month)\b"
        r"|\bwhen (?:did|does|will|was|is|were)\b|\b(?:start|starting|opening|expiry|expiration|"
        r"closing|signing|launch|effective|due|target) date\b|\bdate (?:of|for)\b"
        r"|\bhow soon\b|\b(?:what|which) (?:[\w-]+ ){0,2}?(?:timeframe|time frame)\b"
        r"|\b(?:date|timing|timeline|year)\W*$",  # terse: "ncg next meeting date"
        re.I,
    ),
    "place": re.compile(
        rf"{_OPENS}where\b|\bwhere (?:did|does|will|was|is|were)\b"
        r"|\b(?:what|which) (?:[\w.-]+ ){0,2}(?:city|cities|capitals?|country|countries|place|"
        # "Which State Visit": an event, not a state.
        r"location|venue|port|base|region|island|province|"
        r"state(?! (?:visits?|department|media|dinners?)\b))"
        r"\b"
        r"|\b(?:is|are|be|was|were) (?:based|headquartered|located)\b"
        # "Who will host it?", "hosted by which country?"; not "what office did Seoul host?"
        r"|^(?!.*\b(?:what|which) (?:[\w.-]+ ){1,3}?(?:did|does|do|will|would|is|are|was|were)\b"
        r"[^?]*\bhost).*?\bhost(?:s|ed)?\b(?!-)",
        re.I,
    ),
    "person": re.compile(
        rf"{_OPENS}who\b|\bwhom\b|\bwho (?:did|does|will|was|is|were|led|chaired|signed|spoke|"
        r"represented|attended)\b|\bwhich (?:[\w.-]+ ){0,3}?(?:officials?|ministers?|leaders?|"
        r"secretar(?:y|ies)|ambassadors?|advis[eo]rs?|coordinators?|directors?|spokes\w+|"
        r"person|envoys?|representatives?|body|bodies|agency|agencies|committee|organi[sz]ations?|"
        r"company|companies|firms?|universit(?:y|ies)|institutions?)\b(?!['’])"
        r"|\bwhat (?:new )?(?:body|agency|committee|organi[sz]ation|company)\b"
        # "name of the South Korean foreign minister"
        r"|\bnames? of (?:the |each |every )?(?:[\w.-]+ ){0,3}?(?:officials?|ministers?|"
        r"secretar(?:y|ies)|ambassadors?|envoys?|representatives?|leaders?|signator(?:y|ies))\b",
        re.I,
    ),
    # "Which shipyards will it modernize?": a named one ("Philly Shipyard"), not "American
    # shipyards" (``names_one``).
    "name": re.compile(
        r"\bwhich (?:[\w.-]+ ){0,3}?(?P<noun>shipyards?|facilit(?:y|ies)|models?|plants?|programs?|"
        r"programmes?|projects?|sites?|engines?|submarines?|ssbns?)\b"
        r"(?!['’])",
        re.I,
    ),
}
_CONTRACTED = re.compile(r"\b(what|who|where|when|how)['’]s\b", re.I)
_CITY = re.compile(r"\b(?:city|cities|capitals?|town|port|venue|where in)\b", re.I)
# "By what percentage …" is answered by a percentage (or a plain share), not by "1.5 degrees".
_PERCENTAGE = re.compile(
    r"\b(?:what|which|how many|by how much) (?:[\w-]+ )?(?:percentage|percent)\b", re.I
)
_PERCENT = re.compile(
    r"\d\s?(?:%|percent\b|per cent\b|percentage points?\b)|\b(?:half|one-third|two-thirds|"
    r"a third|a quarter)\b",
    re.I,
)
# A country, the Koreas, the U.S. or the region: no answer to "which city" or "which port".
_COUNTRY = re.compile(
    rf"\b(?:{'|'.join(COUNTRIES.values())}|Korean?|American?|United States|DPRK|ROK|U\.S|"
    r"Peninsula|Indo-Pacific)\b"
)
_COUNTRY_ROLE = re.compile(
    rf"(?P<who>{_COUNTRY.pattern})(?:['’]s (?:chair\w*|presidency|leadership)\b| as (?:the )?"
    r"(?:[\w-]+ )?(?:[Cc]hair|[Pp]resident|[Hh]ost|[Ll]ead)\b)"
)
_VENUE = re.compile(  # people meeting; not "where were the exercises held?" ("off the Peninsula")
    r"\bwhere\b[^?]*\b(?:meet|met|meeting|convene|convened|gather|gathered|sign|signed)\b",
    re.I,
)
_REGION = re.compile(r"\b(?:Peninsula|Indo-Pacific|Pacific|region|Asia)\b")
_NATION = re.compile(r"\b(?:which|what) (?:[\w-]+ )?(?:country|countries|nations?)\b", re.I)
_STANDS = re.compile(r"\bwhere\b[^?]*\bstands?\b", re.I)  # "where does it stand": a status
_READ_KINDS = {"when": "date", "where": "place", "who": "person"}
_READ_WORD = re.compile(rf"\b(?:{'|'.join(_READ_KINDS)})\b", re.I)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)"
)
_HOLDS: dict[str, re.Pattern[str]] = {
    "day": re.compile(
        rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"
        r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}(?:st|nd|rd|th) day\b"
        r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    ),
    "frequency": re.compile(
        r"\b(?:annual(?:ly)?|yearly|monthly|weekly|daily|quarterly|biennial(?:ly)?|"
        r"bi-?annual(?:ly)?|semi-?annual(?:ly)?|twice|once|regular(?:ly)?|periodic(?:ally)?|"
        r"routine(?:ly)?|recurring|standing)\b|\b(?:every|each) (?:\w+ )?(?:years?|months?|"
        r"weeks?|quarters?|days?|sessions?)\b|\b(?:a|per) (?:year|month|week)\b",
        re.I,
    ),
    "amount": re.compile(
        r"[$€£₩¥]\s?\d|\b\d[\d,.]*\s*(?:million|billion|trillion)\b|\b(?:dollars?|won|yen|"
        r"euros?)\b",
        re.I,
    ),
    # Whole numbers: "40,000" is new to a question that names 2024, though its digits are not.
    "number": re.compile(
        r"\d[\d,.]*\d|\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
        r"forty|fifty|hundred|thousand|million|billion|dozen|half|double|percent)\b",
        re.I,
    ),
    "date": re.compile(
        # A month with its day ("May 30-31", "30 May") is more than the month a question names.
        r"\b(?:19|20)\d\d\b|\b(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|August|"
        r"September|October|November|December)\b(?:\s+\d{1,2}(?:\s*[-–]\s*\d{1,2})?\b)?"
        r"|\b(?:annual(?:ly)?|every year|each year|next year|this "
        r"year|by the end of)\b|\b\d{1,2}(?:st|nd|rd|th) day\b",
        re.I,
    ),
    "place": re.compile(
        r"\b(?:in|at|to|from|near|across|off|outside|inside|within|along|into|on|such as)\s+"
        r"(?:the\s+)?"
        r"(?:(?:city|town|port|harbou?r|island|capital|province|region|state|coast|waters) of\s+)?"
        r"(?!(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
        # A name of several words, read whole; not an owner ("to the DPRK’s advancing threats").
        r"(?>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'.-]+)*)(?<![’'])(?<![’']s)"
        r"|\b(?:Seoul|Washington|Pyongyang|Tokyo|Beijing|Panmunjom|Singapore|Hanoi|Busan|Lima)\b"
    ),
    "person": re.compile(
        r"\b(?:President|Prime Minister|Minister|Secretary|Chairman|Chair|Ambassador|Director|"
        r"Deputy|Vice|Leader|General|Admiral|Senator|Commander|Spokes(?:person|man|woman)|Mr\.|"
        r"Ms\.|Dr\.)\s+[A-Z]|\b(?:Secretary|Minister|Director|Coordinator|Advis[eo]r)(?:-General)? "
        r"(?:of|for) (?:the )?[A-Z]|\b[A-Z][\w-]+\s+(?:[A-Z][\w-]+\s+)*(?:Group|Committee|Council|"
        r"Secretariat|Ministry|Department|Agency|Commission|Forum|Office|Corporation|Company|Technologies|"
        r"Team|Panel|Board|Network|Cent(?:er|re)|Task Force|Mechanism|"
        r"Industries|Systems|Aerospace|Holdings|Electronics|Airlines|Management|Partners|Corp\.?|"
        r"LLC|Ltd\.?|Institute|Foundation|Motors|"
        r"Inc\.?|Bank|Command|Forces|Assembly|Party)\b|\b(?:KCNA|NSC|USFK|UN|IAEA|NATO)\b"
        r"|\b(?:[Mm]inisters?|[Oo]fficials?|[Ll]eaders?|[Rr]epresentatives?|[Dd]elegations?)"
        r" (?:of|from) (?:the )?[A-Z]"
        r"|\b(?:representatives?|officials?|ministers?|leaders?|experts?|members?|envoys?|[Aa]dvis[eo]rs?|"
        r"delegations?|delegates?|staff|both sides|the two (?:leaders|presidents|sides))\b"
    ),
}


def asked_kind(question: str, reading: bool = False) -> str | None:
    """The kind of thing a question asks for (amount, number, date, place, person), if any;
    ``reading``: a Korean question's English reading ("Secretariat where 두고?")."""
    question = _CONTRACTED.sub(r"\1 is", question)  # "What's the dollar value …?"
    # The ask that comes first ("at what venue are the events on special dates staged?").
    found = []
    for order, (kind, pattern) in enumerate(_ASKS.items()):
        m = pattern.search(question)
        if m and not (kind == "place" and _STANDS.search(question)):
            found.append((m.start(), order, kind))
    if found:
        return min(found)[2]
    word = _READ_WORD.search(question) if reading else None
    return _READ_KINDS[word.group(0).lower()] if word else None


_NAMED_KINDS = ("person", "name", "place")  # kinds a "which …" question calls by a noun


def asked_noun(question: str, kind: str | None) -> str:
    """The noun a "which …" question calls the thing it asks for ("which US company": company):
    a sentence answers with one by name ("L3Harris Technologies"), not with the word."""
    m = _ASKS[kind].search(_CONTRACTED.sub(r"\1 is", question)) if kind in _NAMED_KINDS else None
    if not m or not re.match(r"(?i)(?:which|what)\b", m.group(0)):
        return ""
    return m.group(0).split()[-1]


_NAME = re.compile(r"\b(?:[A-Z][\w&-]*[A-Za-z0-9]|[A-Z]|\d{2,}[A-Za-z-]*)\b")
_NATIONAL = re.compile(
    r"^(?:American|Korean|Japanese|Chinese|Russian|European|U\.?S|ROK|DPRK|Korea|Japan|United|"
    r"States|The|A|An|This|These|Both|Its|Their|Our)$"
)
NAME_WINDOW = 3  # words between the thing asked ("shipyards") and the name it is called by


def names_one(text: str, question: str) -> bool:
    """Whether a sentence names one of the things a "which …" question asks for: a proper name
    the question does not say, within a few words of the thing ("the Philly Shipyard")."""
    m = _ASKS["name"].search(question)
    if not m:
        return True
    stems = set(tokenize(m["noun"], compounds=False))
    asked = question.lower()
    words = [w.strip(".") for w in re.findall(r"[\w’'.&-]+", text)]
    for i, word in enumerate(words):
        if not stems & set(tokenize(word, compounds=False)):
            continue
        near = words[max(0, i - NAME_WINDOW) : i] + words[i + 1 : i + 1 + NAME_WINDOW]
        if any(
            _NAME.fullmatch(w) and not _NATIONAL.match(w) and w.lower() not in asked for w in near
        ):
            return True
    return False


# "on the Trilateral Security Cooperation Framework" is no place: a name that ends in what an
# agreement, a meeting or a body is called.
_INSTITUTION = re.compile(
    r"\b(?:Framework|Agreement|Arrangement|Declaration|Statement|Summit|Dialogue|Group|Meeting|"
    r"Committee|Initiative|Council|Cooperation|Memorandum|Act|Order|Guidelines|Partnership|"
    r"Strategy|Plan|Programm?e?|Principles|Commitment|Consultations?|Forum|Conference|Treaty|"
    r"Alliance|Deal|Fund|Mechanism|Talks|Exercises?|Review|Report|Charter|Vision)\.?$"
)
_PREPOSITION = re.compile(r"^\W*(?:[a-z]+\s+)?(?:the\s+)?(?:[a-z]+ of\s+)?")


def _value(kind: str, found: str) -> str:
    """What a match of ``_HOLDS[kind]`` says, without the words that lead to it ("in Virginia":
    Virginia, which a question about "which Virginia city" already names)."""
    return _PREPOSITION.sub("", found.strip()).rstrip(".") if kind == "place" else found.strip()


def holds_kind(kind: str, text: str, question: str = "", reading: bool = False) -> bool:
    """Whether a sentence holds something of that kind that the question does not already say
    (a year the question names is no answer to "what date")."""
    if kind == "name":
        return names_one(text, question)
    if kind == "number" and _PERCENTAGE.search(question):
        return _PERCENT.search(text) is not None
    # (A Korean question's reading does not put the thing counted after "how many": 몇 대.)
    counted = counted_words(question) if kind == "number" and not reading else []
    if counted:
        # "How much tariff relief": a count of it, or money or a percentage.
        much = HOW_MUCH.search(question) is not None and MONEY_OR_SHARE.search(text) is not None
        return much or counts(text, counted, question)
    kinds = (kind, "amount") if kind == "number" else (kind,)
    asked = question.lower()
    # A city asked for is not answered by a country ("which Japanese city" — "in Japan"), nor
    # the date of one event ("when is the first exhibition?") by how often they recur ("annual").
    finer = kind == "place" and _CITY.search(question) is not None
    # Where people met is a venue, not "on the Korean Peninsula".
    venue = kind == "place" and _VENUE.search(question) is not None
    once = kind == "date" and bool(ordinals(question))
    # "Which country hosts APEC?": the ROK, wherever the sentence names it.
    nations = _COUNTRY.finditer(text) if kind == "place" and _NATION.search(question) else ()
    if any(m.group(0).lower() not in asked for m in nations):
        return True
    # "Who chairs the MSP?": a country may ("the ROK's chairmanship", "Japan as the Vice Chair").
    chairs = _COUNTRY_ROLE.finditer(text) if kind == "person" and role_asked(question) else ()
    if any(m["who"].lower() not in asked for m in chairs):
        return True
    whose = asked_person_owner(question) if kind == "person" else None
    return any(
        _value(k, m.group(0)).lower() not in asked
        and not (whose and (titled_otherwise(text, m.start(), whose) or _GENERIC.match(m[0])))
        and not (k == "place" and _INSTITUTION.search(m.group(0)))
        and not (finer and _COUNTRY.search(m.group(0)))
        and not (venue and _REGION.search(m.group(0)))
        and not (once and _HOLDS["frequency"].fullmatch(m.group(0).strip()))
        for k in kinds
        for m in _HOLDS[k].finditer(text)
        if not (k == "number" and _label_at(text, m))
    )


# "A relevant high-level DPRK official" names no one: no answer to "who leads the DPRK side?".
_GENERIC = re.compile(
    r"(?:[Rr]epresentatives?|[Oo]fficials?|[Mm]inisters?|[Ll]eaders?|[Ee]xperts?|[Mm]embers?|"
    r"[Ee]nvoys?|[Aa]dvis[eo]rs?|[Dd]elegations?|[Dd]elegates?|staff|both sides|the two )"
)


# A number that is part of a name or a label counts nothing: COVID-19, 5G, F-35, Section 232,
# Executive Order 14257, Resolution 2270.
_LABELLED = re.compile(
    r"(?:\b(?:Section|Sections|Article|Articles|Order|Resolution|Resolutions|Paragraph|No\.|"
    r"Chapter|Title|Phase)\s+|[A-Za-z]-?)$"
)


def _label_at(text: str, m: re.Match[str]) -> bool:
    """Whether the number matched is a name's or a label's, not a figure."""
    if not m.group(0)[0].isdigit():
        return False
    after = text[m.end() : m.end() + 1]
    return bool(_LABELLED.search(text[max(0, m.start() - 14) : m.start()])) or after.isalpha()


# A figure or a frequency stands in a sentence about the topic (``anchors.anchored``).
BOUND_KINDS = frozenset({"amount", "number", "frequency"})


def holding(
    kind: str,
    texts: Sequence[str],
    question: str,
    topic: str,
    idf: Callable[[str], float],
    reading: bool = False,
    expand: Callable[[set[str]], set[str]] = lambda t: t,
    cards: Sequence[str] = (),
) -> list[bool]:
    """Which sentences hold something of the kind asked for; a figure or a frequency (one of
    ``BOUND_KINDS``), in a sentence about the topic (``anchored``) and a clause that does not
    qualify the question's noun otherwise (``qualified_otherwise``); a date, a place or a person
    (``EVENT_KINDS``), in a clause about the event the question numbers (``same_event``)."""
    bound = (
        anchored(texts, topic, idf, expand, cards)
        if kind in BOUND_KINDS
        else of_countries_asked(texts, topic, cards)  # not the Korea TPD's signers for the UK's
    )
    asked = ordinals(question) if kind in EVENT_KINDS else set()
    split = bool(asked) or kind in BOUND_KINDS
    whose = asked_owner(question) if kind in ("amount", "number") else None
    role = kind == "person" and role_asked(question)  # "Who chairs it?": its head, no other
    return [
        b
        and not (role and not holds_role(t))
        and any(
            holds_kind(kind, c, question, reading)
            and same_event(asked, c, t)
            and not (
                kind in BOUND_KINDS
                and (qualified_otherwise(question, c) or levied_otherwise(question, c))
            )
            and not (whose and _owned_otherwise(kind, c, whose))
            for c in (CLAUSE.split(t) if split else [t])
        )
        for t, b in zip(texts, bound, strict=True)
    ]


def _owned_otherwise(kind: str, clause: str, whose: str) -> bool:
    """Whether the clause's first figure is another party's (``owners.owner``) than the one
    the question asks it of."""
    kinds = (kind, "amount") if kind == "number" else (kind,)
    starts = [m.start() for k in kinds for m in _HOLDS[k].finditer(clause)]
    found = owner(clause[: min(starts)]) if starts else None
    return found is not None and found != whose
