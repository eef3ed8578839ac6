"""Whose reaction a question asks for, and whether the closest sentences are theirs.

"How did Pyongyang react to the policy review?" is not answered by a U.S.–ROK sentence that
mentions the DPRK: the reacting party must be the one speaking, the issuer of the statement, the
subject a sentence begins with, followed by a verb of speech or position ("President Moon
welcomes the conclusion of ..."), or the one a quote is attributed to; not a party a sentence
says is expected to act, or may. "What did X say?" asks the same of a person or a party. A
party is known by its names, capitals, leaders and acronyms (``PARTIES``); a party not listed
by the capitalised words the question gives it (a speaker by a full name). A reaction answers
what it reacts to (``reacted_to``) and is no older than it (``reacted_since``). Whose figure a
sentence gives is read in ``retrieval.answer.owners``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from retrieval.answer.names import MONTH_NAMES
from retrieval.search.cards import DOCUMENT_WORDS
from retrieval.store.lexical import tokenize

PARTIES: dict[str, tuple[str, ...]] = {
    "DPRK": (
        "dprk", "north korea", "north korean", "pyongyang", "kcna", "kim jong un",
        "choe son hui", "ri son gwon", "democratic people's republic",
    ),
    "ROK": (
        "rok", "south korea", "south korean", "seoul", "president yoon", "yoon suk yeol",
        "president moon", "moon jae-in", "president lee", "lee jae myung",
    ),
    "US": (
        "united states", "u.s.", "washington", "america", "white house", "president biden",
        "joseph r. biden", "president trump", "donald j. trump",
    ),
    "China": ("china", "chinese", "beijing", "prc", "people's republic of china"),
    "Japan": ("japan", "japanese", "tokyo", "prime minister kishida", "fumio kishida", "ishiba"),
    "India": ("india", "indian", "new delhi"),
    "Russia": ("russia", "russian", "moscow", "kremlin"),
    "G7": ("g7",),
    "EU": ("european union",),
}  # fmt: skip


@cache
def party_words() -> frozenset[str]:
    """The words parties and leaders are named by (tokenized once, at first use)."""
    named = (t for names in PARTIES.values() for n in names for t in tokenize(n, compounds=False))
    return frozenset(named) | {
        *tokenize("korea korean american americans", compounds=False),
        *("unit", "state", "kim", "lee", "moon", "yoon"),
    }


# A party's stand on something is asked like its reaction ("Kishida's position on AUKUS").
_STANCE = r"position|stance|views?"
# "How did Korean businesses view the efforts?": a view asked of those the statements do not
# speak for (not "how did Biden and Yoon view …", which "the two leaders" answer).
_VIEWED = re.compile(r"\bhow did (?:the )?(?P<x>.+?) (?:view|see|assess|regard|feel about)\b", re.I)
# What a party does to what it reacts to ("condemned the statement").
_JUDGES = (
    r"condemn\w*|critici[sz]\w*|denounc\w*|reject\w*|oppos(?:e|ed|es)|welcom\w*|prais\w*|"
    r"hail(?:s|ed)?|applaud\w*|slam(?:s|med)?"
)
# What a party does when it reacts ("Did Russia condemn …?", "Has Beijing pushed back?").
_REACTS = (
    r"react(?!ivat)\w*|respon(?!sib)\w*|repl(?:y|ied|ies)|comment\w*|object(?:s|ed)?|protest\w*|"
    rf"push(?:ed|es)? back|weigh(?:s|ed)? in|{_JUDGES}"
)
# What a party's reaction is called ("Tokyo's take", "any pushback from Russia").
_REACTION_NOUNS = (
    r"reactions?|responses?|repl(?:y|ies)|comments?|remarks|take(?= on)|push-?back|objections?|"
    r"criticism|protests?|rebuttal|condemnation"
)
# A party by a known name, in any case ("china response to THAAD").
_KNOWN = r"|".join(
    re.escape(n) for n in sorted({n for ns in PARTIES.values() for n in ns}, key=len, reverse=True)
)
_CAPS = r"[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}"
_ASKED = (
    # "How did Choe Son Hui describe the G7 in her reply?": the party, not what it described.
    re.compile(
        r"\bhow did (?:the )?(?P<x>[^,;:?]+?) (?:describe|characteri[sz]e|portray|call|frame|"
        r"depict|label|put)\b[^?]*?\b(?:in|with) (?:his|her|its|their) (?:reply|response|"
        r"reaction|rebuttal|answer)\b",
        re.I,
    ),
    re.compile(r"\bhow did (?:the )?(?P<x>.+?) (?:react|respond|reply|answer|receive)\b", re.I),
    _VIEWED,
    # "Did Russia condemn …?", "Has Beijing pushed back?" (the party itself, in a few words;
    # not "What did the G7 condemn?", which asks what was condemned)
    re.compile(
        r"(?<!what )(?<!which )\b(?:did|does|do|has|have|had) (?:the )?(?P<x>(?:(?!\b(?:is|are|"
        rf"was|were|be|to|expect\w*)\b)[\w.'’-]+\s+){{1,4}}?)(?:{_REACTS})\b",
        re.I,
    ),
    # "How was the declaration received in Beijing?"
    re.compile(rf"\breceived (?:in|by) (?:the )?(?P<x>{_CAPS}|(?i:{_KNOWN}))\b"),
    # "Any pushback from Russia on …?", "the reaction by the Kremlin"
    re.compile(rf"\b(?:{_REACTION_NOUNS}) (?:from|by) (?:the )?(?P<x>{_CAPS}|(?i:{_KNOWN}))\b"),
    # The ask itself: "Tokyo's take on …", "china response to THAAD", "Beijing reaction
    # Camp David" (at the question's start).
    re.compile(rf"^\W*(?:[Tt]he )?(?P<x>(?i:{_KNOWN})|{_CAPS})(?:['’]s?)? (?:{_REACTION_NOUNS})\b"),
    re.compile(
        r"\bwhat (?:was|is|were) (?:the )?(?P<x>.+?)['’]s? (?:reaction|response|reply|stance|"
        r"position|view)\b",
        re.I,
    ),
    re.compile(r"\bdid (?:the )?(?P<x>.+?) (?:react|respond|reply|comment)\b", re.I),
    # "ROK plan to raise defense spending - Pyongyang's reaction?", "Pyongyang's reaction to
    # Seoul's plan?": the reaction is the ask.
    re.compile(
        r"(?P<x>\b[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})['’]s? (?:reaction|response|reply|"
        rf"comments?|remarks|{_STANCE})\s*(?:\?|$)"
    ),
    re.compile(
        r"(?:^|[-–—:;]\s*)(?P<x>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})['’]s? (?:reaction|"
        rf"response|reply|comments?|remarks|{_STANCE}) (?:to|on|about|toward|towards|regarding)\b"
    ),
)
# "How did Korean companies respond": a party's companies, public or press are not the party.
_NOT_THE_PARTY = re.compile(
    r"\b(?:compan(?:y|ies)|business(?:es)?|firms?|industr(?:y|ies)|markets?|investors?|public|"
    r"people|citizens|media|press|lawmakers|legislators|opposition(?: part(?:y|ies))?|activists|"
    r"workers|analysts|experts|scholars|students|voters)$",
    re.I,
)
# Not a party: a question's own words, and those the statements speak as ("the Alliance's
# response", "What response …").
_NOT_A_PARTY = re.compile(
    r"(?:what|which|who|whose|how|when|where|why|any|did|does|do|is|was|the|a|an|alliance|"
    r"allies|leaders|presidents|sides|parties|governments|ministers)",
    re.I,
)
_REFLEXIVE = re.compile(r"\s+(?:themselves|itself|himself|herself)$", re.I)
_NAME = re.compile(r"\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*")
# "What did Bae Kyung-hoon say about …": a speaker's own word, asked of a person or a party
# (not of a document, a meeting or a pronoun: "what did the 2021 statement say").
_SAID = re.compile(r"\bwhat did (?:the )?(?P<x>.+?) (?:say|state|declare|tell)\b", re.I)
# A document's own position is what it says ("the Lima statement's position on …"), not a
# party's reaction.
_NOT_SPEAKER = re.compile(
    r"\d|\b(?:agreements?|deals?|principles|spirit|commitments?|analys\w+|mou|treat(?:y|ies)|"
    r"accords?|guidelines|joint|summit|meetings?|talks|camp david|it|they|she|he|them|each|"
    r"and|or)\b",
    re.I,
)
# An attributed quote: "… ,” said Michael Kratsios; Kratsios said …
_ATTRIBUTED = r"(?:said|says|stated|added|noted)"


def _found(alias: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", text) is not None


# "What did the 2023 Biden-Yoon summit welcome?": what a meeting welcomes is what its statement
# says, as for a statement named.
_MEETING = re.compile(r"\b(?:summit|meeting|talks|conference)s?\b", re.I)


def reacting_party(question: str) -> tuple[str, ...]:
    """The names of the party whose reaction (or own word) the question asks for (none if it
    asks for none)."""
    for pattern in (*_ASKED, _SAID):
        m = pattern.search(question)
        if (
            not m
            or DOCUMENT_WORDS.search(m["x"])
            or _MEETING.search(m["x"])
            or (pattern is _SAID and _NOT_SPEAKER.search(m["x"]))
        ):
            continue
        who = _REFLEXIVE.sub("", m["x"])  # "Korean businesses themselves"
        if _NOT_A_PARTY.fullmatch(re.sub(r"^(?:the|two|both) ", "", who.strip(), flags=re.I)):
            continue
        lowered = who.lower().replace("’", "'")
        if _NOT_THE_PARTY.search(lowered):
            return (re.sub(r"^(?:the|its|their) ", "", lowered),)
        if pattern is _VIEWED:
            continue
        aliases = [a for names in PARTIES.values() if any(_found(n, lowered) for n in names)
                   for a in names]  # fmt: skip
        if not aliases:  # by its capitalised names; a speaker, by a full name ("Bae Kyung-hoon")
            names = _NAME.findall(who)
            aliases = [n.lower() for n in names if pattern is not _SAID or len(n.split()) >= 2]
        if aliases:
            return tuple(dict.fromkeys(aliases))
    return ()


# What a reaction is to: "How did the Moon government respond to Ri Son Gwon's statement?" is
# not answered by Moon welcoming the U.S. policy review. The first name of what was reacted to
# (not a country or a capital: those are everywhere) must stand in the sentences or their cards.
_REACTED_TO = re.compile(
    r"\b(?:(?:react(?:ed|ion)?|respon(?:d|ded|se)|repl(?:y|ied)|answer(?:ed)?) (?:to|when|after)|"
    r"receiv(?:e|ed)|answer(?:ed)?|view(?:ed)?|see|saw|assess(?:ed)?|regard(?:ed)?|feel about|"
    rf"(?:{_STANCE}|{_REACTION_NOUNS}|push(?:ed|es)? back|weigh(?:s|ed)? in|object(?:s|ed)?) "
    rf"(?:on|to|toward|towards|about|regarding|over|of)|received|{_JUDGES}|protest(?:s|ed)?) "
    r"(?P<x>[^?;]+)",
    re.I,
)
_PLACES = frozenset(
    a for key in ("DPRK", "ROK", "US", "China", "Japan", "India", "Russia") for a in PARTIES[key]
    if " " not in a or a in ("north korea", "south korea", "united states", "new delhi")
) | {"korea", "korean"}  # fmt: skip


def _reacted(question: str, party: Sequence[str] | None) -> str:
    """What a question asks a reaction to: after "react to" in English; in a Korean question's
    reading, what stands before the reacting party ("Choe Son Hui press statement G7 Foreign
    Ministers how react?")."""
    if party is None:
        m = _REACTED_TO.search(question)
        return m["x"] if m else ""
    lowered = question.lower().replace("’", "'")
    starts = [m.start() for a in party for m in re.finditer(rf"(?<![\w-]){re.escape(a)}", lowered)]
    return question[: min(starts)] if starts else ""


def reaction_words(question: str, party: Sequence[str] | None = None) -> list[str]:
    """The words of what a question asks a reaction to ("Seoul ending its missile guidelines"),
    without the parties and places; for a target with no name of its own."""
    words = tokenize(_reacted(question, party), compounds=False)
    return [w for w in words if w not in party_words() and not w.isdigit()]


def reacted_to(question: str, party: Sequence[str] | None = None) -> str:
    """The name (capitalised words) of what a question asks a reaction to, if any: its first
    one, or all the owners before a possessive ("Trump and Lee's pledge"); ``party``: the
    reacting party of a Korean question's reading (see ``_reacted``)."""
    x = _reacted(question, party)
    owners = _OWNERS.match(x)
    names = _NAME.findall(owners["x"]) if owners else []
    if len(names) > 1:
        return " ".join(n for n in names if n.lower() not in _PLACES)
    pieces = (p for name in _NAME.findall(x) for p in re.split(r"['’]s?(?:\s+|$)", name))
    for name in pieces:
        lowered = name.lower().replace("’", "'")
        if name and lowered not in {*_PLACES, *MONTH_NAMES} and name not in ("The", "A", "An"):
            return name
    return ""


# "Trump and Lee's pledge", "Biden-Moon's …": the owners of what a reaction is to.
_OWNERS = re.compile(r"(?:the )?(?P<x>[A-Z][\w.-]*(?:(?: and |\s*[-–]\s*)[A-Z][\w.-]*)+)['’]s?\s")
_DATED = re.compile(r"\b(?:(?P<m>" + "|".join(MONTH_NAMES) + r")\s+)?(?P<y>(?:19|20)\d\d)\b", re.I)


def reacted_since(question: str, party: Sequence[str] | None = None) -> tuple[int, int] | None:
    """The (year, month) of what a question asks a reaction to, when it dates it ("Biden's May
    2021 endorsement"): a reaction is no older than what it answers."""
    dates = [
        (int(d["y"]), MONTH_NAMES.index(d["m"].lower()) + 1 if d["m"] else 1)
        for d in _DATED.finditer(_reacted(question, party))
    ]
    return max(dates) if dates else None


# A name after one of these is not the sentence's subject ("any nuclear attack by North Korea",
# "foreign ministers of G7").
PREPOSITIONS = r"of|against|to|from|with|on|at|in|for|toward|towards|about|into|upon|over|between"
_GOVERNED = re.compile(rf"\b(?:by|{PREPOSITIONS})(?:\s+(?:the|its|their))?\s*$")


# What a speaking subject does next ("President Moon welcomes …"; not "Bae Kyung-hoon signed").
_SPEAKS = re.compile(
    r"\b(?:said|says|stat|welcom|reaffirm|affirm|express|emphasi|underscor|stress|call|urg|"
    r"note|declar|announc|commit|pledg|condemn|criticiz|denounc|reject|reiterat|highlight|"
    r"outlin|share|agree|support|oppos|hail|applaud|warn|vow|insist|accus|demand|respon|react|"
    r"repl|protest|regret|recogni|acknowledg|appreciat|remain|seek|intend|will|releas|issu)\w*"
)
SPEECH_WINDOW = 6  # words between a subject and what it does
SUBJECT_WORDS = 8  # a sentence's subject stands in its first words


# What a party is expected or believed to do is not what it did ("North Korea … is expected to
# respond forcefully"; "Some analysts believe Pyongyang may escalate its response").
_HEDGED = re.compile(
    r"\b(?:is|are|was|were) (?:widely )?(?:expected|likely|unlikely|poised) to\b|\b(?:may|might|"
    r"could)\b|\b(?:[Aa]nalysts?|[Ee]xperts?|[Oo]bservers?) (?:\w+ )?(?:believe|say|expect|"
    r"predict|suggest)|\b(?:possibly|potentially|perhaps|reportedly)\b"
)


def _subject(alias: str, head: str, sentence: str) -> bool:
    """Whether the alias stands in the sentence's first words as a subject (not after a
    preposition) that speaks: a verb of speech or position follows within a few words."""
    for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", head):
        if _GOVERNED.search(head[: m.start()]):
            continue
        after = sentence[m.end() :].split()[:SPEECH_WINDOW]
        if any(_SPEAKS.match(w) for w in after):
            return True
    return False


# "… the ROK's plan to increase its defense spending, which President Trump welcomed."
# "…, and President Biden expresses his gratitude for …": a clause of its own counts too.
_RELATIVE = (
    r"(?:\b(?:which|that|whom|as)|,\s*(?:and|while|but)|;)\s+"
    r"(?:(?:the|president|prime minister|chairman|secretary)\s+)*"
)


def _relative(alias: str, sentence: str) -> bool:
    """Whether the alias speaks in a clause of its own: "which <alias> welcomed", "…, and
    <alias> expresses"."""
    for m in re.finditer(rf"{_RELATIVE}{re.escape(alias)}(?![\w-])", sentence):
        after = sentence[m.end() :].split()[:1]
        if after and _SPEAKS.match(after[0]):
            return True
    return False


def _said(alias: str, text: str) -> bool:
    """Whether the sentence quotes the alias: "said <alias>" or "<alias> said" (titles and
    first names between)."""
    name = re.escape(alias)
    return bool(
        re.search(rf"\b{_ATTRIBUTED}\s+(?:[\w.,'-]+\s+){{0,6}}?{name}(?![\w-])", text)
        or re.search(rf"(?<![\w-]){name}(?:,[^,]{{0,80}},)?\s+{_ATTRIBUTED}\b", text)
    )


def party_speaks(aliases: Sequence[str], sentences: Sequence[str], issuers: Sequence[str]) -> bool:
    """Whether the party speaks in one of the sentences: its subject, early, with a verb of
    speech or position; quoted ("…," said X); or its statement issued by it."""
    for sentence, issuer in zip(sentences, issuers, strict=True):
        issued = issuer.lower().replace("’", "'")
        head = " ".join(sentence.split()[:SUBJECT_WORDS]).lower().replace("’", "'")
        lowered = sentence.lower().replace("’", "'")
        hedged = _HEDGED.search(sentence) is not None
        if any(_found(a, issued) or (not hedged and _subject(a, head, lowered)) for a in aliases):
            return True
        if not hedged and any(_relative(a, lowered) for a in aliases):
            return True
        if any(_said(a, lowered) for a in aliases):
            return True
    return False


_ASKS_REACTION_KO = re.compile(r"\b(?:react|stance|position)\b")


def subject_party(question: str, subjects: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The reacting party of a Korean question (read in English): the party it marks as its
    subject (북한은 어떻게 반응했나, 중국의 입장, 북한 반응), when it asks for a reaction or
    position; one ``PARTIES`` does not list by its English name."""
    if not _ASKS_REACTION_KO.search(question):
        return ()
    names = [form.lower().replace("’", "'") for forms in subjects for form in forms]
    known = tuple(
        dict.fromkeys(
            alias
            for aliases in PARTIES.values()
            if any(_found(a, n) for a in aliases for n in names)
            for alias in aliases
        )
    )
    # A party not listed by the name it is read as ("G7 외교장관들은": Foreign Ministers).
    named = [form.lower() for forms in subjects for form in forms if form[:1].isupper()]
    return known or tuple(dict.fromkeys(named))
