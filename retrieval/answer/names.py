"""Names and numbers a question gives that no statement or passage holds ("the Hanoi summit",
"OPCON", "the fifth round").

A question about something the corpus never mentions is not answered by its nearest passage;
the extractive answerer raises its evidence threshold for each such name and says which names no
statement mentions, and a timeline names the topic words no statement holds. The numbers and
ordinals a question names that its closest passages lack are one of the "not stated" signals.
An acronym the statements never use is no unknown name when the passages spell it out by its
initials (``spelled_in``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.models import Passage
from retrieval.store.everyday import everyday_forms
from retrieval.store.lexical import LexicalIndex, tokenize

# Latin-script boundaries rather than \b, so "NCG를" or "2019년" (a Korean particle or counter
# attached) still yield the name or number; ASCII text splits exactly as with \b.
_SPECIFIC = re.compile(
    r"(?<![A-Za-z0-9_])(?:[A-Z][a-zA-Z]+|[A-Z]{2,}s?|\d+(?:st|nd|rd|th)?"
    r"|[A-Z][A-Za-z]*\d+[A-Za-z]*|\d+[A-Z]+)(?![A-Za-z0-9_])"  # COP28, G20, 6G
)


MONTH_NAMES = (
    "january february march april may june july august september october november december".split()
)
_MONTH_ABBREVIATIONS = "jan feb mar apr jun jul aug sep sept oct nov dec".split()
_MONTHS = frozenset(MONTH_NAMES + _MONTH_ABBREVIATIONS)


_SENTENCE_START = re.compile(r"(?:^|[.?!][\"”’')\]]*\s+)\W*?(\w+)")


def unknown_terms(
    question: str,
    lexical: LexicalIndex,
    known: set[str],
    first_is_grammar: bool = True,
    alternatives: Sequence[Sequence[str]] = (),
) -> list[str]:
    """Specific words of the question (names, acronyms, numbers) that no statement contains.

    ``known`` holds stemmed words of document titles, issuers and dates, which also count.
    ``first_is_grammar``: a capitalised first word is no name (not so in a Korean question's
    English reading, whose words are the glossary's, capitals and all). ``alternatives``: the
    English forms of a Korean question's words; a form the statements lack (OPCON) is no
    unknown name when another form of the same word (wartime operational control) stands there.
    """
    held: set[str] = set()
    # "Beijing" where the statements say "China" (``everyday_forms``) is a word they hold.
    for forms in (*alternatives, *everyday_forms(question)):
        words = [tokenize(f) for f in forms]
        if any(w and all(t in lexical.df or t in known for t in w) for w in words):
            held.update(t for w in words for t in w)
    out = []
    # A capitalised first word of the question, or of a sentence in it ("… Peninsula". Accurate?")
    starts = {m.start(1) for m in _SENTENCE_START.finditer(question)} if first_is_grammar else set()
    for match in _SPECIFIC.finditer(question):
        word = match.group(0)
        if match.start() in starts and not word.isupper():
            continue  # is grammar, not a name
        if word.lower().rstrip(".") in _MONTHS or (word.isdigit() and int(word) <= 31):
            continue
        terms = tokenize(word)
        unknown = all(t not in lexical.df and t not in known for t in terms)
        if terms and unknown and not all(t in held for t in terms):
            out.append(word)
    return out


# "BMD" in a question, "ballistic missile defense" in a passage: an acronym the statements never
# use names what the passages spell out by its initials (little words may stand between).
_LITTLE = frozenset("of the and on for to in".split())
ACRONYM_LETTERS = (2, 6)


def passage_texts(passages: Sequence[Passage]) -> list[str]:
    """What may spell an acronym out: the passages and their statements' titles and issuers
    ("the WH fact sheet": by the White House)."""
    metas = {p.chunk.doc_id: p.chunk.meta for p in passages}
    return [
        *(p.chunk.text for p in passages),
        *(m.title for m in metas.values()),
        *(m.issuer for m in metas.values()),
    ]


def unspelled(names: Sequence[str], passages: Sequence[Passage]) -> list[str]:
    """The names none of the passages (or their statements' cards) spell out: an acronym no
    statement uses is no unknown name when they do ("RDP": Reciprocal Defense Procurement)."""
    texts = passage_texts(passages)
    return [n for n in names if not spelled_in(n, texts)]


def spelled_in(acronym: str, texts: Sequence[str]) -> bool:
    """Whether one of the texts spells the acronym out: consecutive words whose initials are its
    letters ("ballistic missile defense" for BMD)."""
    core = acronym[:-1] if acronym.endswith("s") else acronym  # "SSBNs"
    letters = re.sub(r"[^a-z]", "", core.lower())
    if (
        not core.isupper()
        or any(ch.isdigit() for ch in core)  # "COP28" is a name with its number, no acronym
        or not ACRONYM_LETTERS[0] <= len(letters) <= ACRONYM_LETTERS[1]
    ):
        return False
    for text in texts:
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", text)]
        for start, word in enumerate(words):
            if word[0] != letters[0]:
                continue
            matched, i = 0, start
            while i < len(words) and matched < len(letters):
                if words[i][0] == letters[matched]:
                    matched += 1
                elif not (matched and words[i] in _LITTLE):
                    break
                i += 1
            if matched == len(letters):
                return True
    return False


_NUMBER = re.compile(r"\b\d[\d,.]*\b")


_ORDINALS = "second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
_ORDINAL = re.compile(r"\b(?:" + "|".join(_ORDINALS) + r"|(?:[2-9]|1[0-2])(?:nd|rd|th))\b", re.I)


def _ordinal_forms(word: str) -> tuple[str, ...]:
    """ "fifth" -> ("fifth", "5th"); "5th" -> ("5th", "fifth")."""
    word = word.lower()
    if word in _ORDINALS:
        n = _ORDINALS.index(word) + 2
        return word, f"{n}{'nd' if n == 2 else 'rd' if n == 3 else 'th'}"
    return word, _ORDINALS[int(word[:-2]) - 2]


_MONTH_STEMS = [name[:3] for name in MONTH_NAMES]
# A month a question names: by its name (capitalised; "May" only before a day or a year, as
# "may" is also a verb), or abbreviated or lower-cased before a day or a year ("nov 2025").
_DATED = r"(?=\.?\s+(?:\d{1,2}\b|(?:19|20)\d\d\b))"
_MONTH_ASKED = re.compile(
    r"\b(?:(January|February|March|April|June|July|August|September|October|November|December)"
    r"|(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    rf"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?){_DATED})\b"
)
_MONTH_HELD = re.compile(
    rf"\b({'|'.join(MONTH_NAMES)}|(?:{'|'.join(_MONTH_ABBREVIATIONS)})\.?(?=\s+\d))\b", re.I
)


def _months(pattern: re.Pattern[str], text: str) -> set[int]:
    return {_MONTH_STEMS.index(m.group(0).lower()[:3]) for m in pattern.finditer(text)}


def unmatched_numbers(question: str, texts: Sequence[str]) -> int:
    """Numbers, years, ordinals ("the fifth round") and months ("in December 2023") the question
    names that none of the texts holds ("first" is left out: statements say "inaugural" as
    often). The texts' own dates count (their headers)."""
    joined = " ".join(texts)
    lowered = joined.lower()
    numbers = sum(1 for n in set(_NUMBER.findall(question)) if n not in joined)
    ordinals = {_ordinal_forms(m) for m in _ORDINAL.findall(question)}
    months = len(_months(_MONTH_ASKED, question) - _months(_MONTH_HELD, joined))
    return (
        numbers
        + months
        + sum(1 for forms in ordinals if not any(re.search(rf"\b{f}\b", lowered) for f in forms))
    )


# Countries other than the two Koreas and the U.S., by name or adjective, read as one.
COUNTRIES = {
    "japan": r"Japan(?:ese)?",
    "china": r"China|Chinese|PRC",
    "russia": r"Russian?",
    "india": r"India(?:n)?",
    "belarus": r"Belarus(?:ian)?",
    "britain": r"Britain|British|United Kingdom|UK",
    "ukraine": r"Ukrain(?:e|ian)",
    "canada": r"Canad(?:a|ian)",
    "france": r"France|French",
    "germany": r"German[y]?",
    "italy": r"Ital(?:y|ian)",
    "australia": r"Australian?",
    "vietnam": r"Vietnam(?:ese)?",
    "philippines": r"Philippines?|Filipino",
    "indonesia": r"Indonesian?",
    "taiwan": r"Taiwan(?:ese)?",
    "iran": r"Iran(?:ian)?",
    "israel": r"Israeli?",
    "mexico": r"Mexic(?:o|an)",
    "brazil": r"Brazil(?:ian)?",
    "myanmar": r"Myanmar|Burm(?:a|ese)",
    "mongolia": r"Mongolian?",
}
_COUNTRY = re.compile("|".join(rf"(?P<{key}>\b(?:{forms})\b)" for key, forms in COUNTRIES.items()))
_ANY_CASE = re.compile(_COUNTRY.pattern, re.I)  # a question's "amazon cloud japan how much"


def countries(text: str, question: bool = False) -> set[str]:
    """The countries a text names, other than the Koreas and the U.S. (``COUNTRIES``); a
    ``question`` may name them in lower case."""
    found = (_ANY_CASE if question else _COUNTRY).finditer(text)
    return {m.lastgroup for m in found if m.lastgroup}


def absent_countries(question: str, texts: Sequence[str]) -> int:
    """Countries the question names ("Japan's cloud infrastructure", "on Britain's behalf") that
    none of the texts names: a figure or a signature given for another country is no answer."""
    return len(countries(question, question=True) - countries(" ".join(texts)))


SUBJECT_UNKNOWN_SHARE = 1 / 3  # of the subject's words: names no statement holds


def unknown_subject(missing: Sequence[str], subject: str) -> bool:
    """Whether names no statement holds make up much of what the question asks about ("What
    did the 2022 Biden-Yoon statement say about THAAD?"): then no sentence answers it, however
    close; one such name beside several known words ("the THAAD battery's missile defense of
    Korea") is for the decision to weigh."""
    words = set(tokenize(subject, compounds=False))
    unknown = set(tokenize(" ".join(missing), compounds=False)) & words
    return bool(words) and len(unknown) / len(words) >= SUBJECT_UNKNOWN_SHARE - 1e-9
