"""The parts of a question that asks several things.

"When was the Washington Declaration issued and what body did it create?", "HD Hyundai's
shipyard program: who is the partner, how big is it, and which shipyards will it modernize?",
"What is the NCG for? Give the declaration's purpose and the first readout's." Each part is
searched and answered on its own, so the answer covers every part, in the order asked.
"""

from __future__ import annotations

import re

_ASKS = (
    r"what|when|who|whom|whose|which|where|why|how|is|are|was|were|does|did|do|has|have|had|"
    r"will|would|can|could|should|give|list|name"
)
# Where one ask ends and the next begins: ", and what…", " and when…", ", how…", "? Give…"
# (not "did Biden and Moon name …": a name before the verb is its subject).
# "…, and by the Lima summit what was it called?": a time or place before the next ask.
_SETTING = r"(?-i:(?:by|in|at|after|since|during|before|under|from)\s+[^,?;:]{1,40}?\s+)"
_WH_ASKS = r"what|when|who|whom|whose|which|where|why|how"
_BOUNDARY = re.compile(
    rf",?\s+and\s+(?=(?-i:[a-z]+\s+)?(?:{_ASKS})\b)|,\s+and\s+(?={_SETTING}(?:{_WH_ASKS})\b)"
    rf"|,\s+(?=(?:{_ASKS})\b)|\?\s+(?=\S)",
    re.I,
)
# After a lead-in ("The Dialogue: purpose, how often, and who leads it?") short items count too.
_ITEM = re.compile(r",\s*(?:and\s+)?|\s+and\s+(?=(?:" + _ASKS + r")\b)", re.I)
_LEAD = re.compile(r"^(?P<lead>[^:?]{3,120}):\s+(?P<body>\S.*)$")
# "Camp David promised annual exercises. What are they called, and when was the first held?"
_CONTEXT = re.compile(rf"^(?P<lead>[^?]{{3,200}}?[a-z0-9)]\.)\s+(?P<body>(?:{_ASKS})\b.*)$", re.I)
_ASK_START = re.compile(rf"^(?:[\w’'-]+\s+){{0,2}}(?:{_ASKS})\b", re.I)  # "By how much…"
_SOURCE = re.compile(r"^(?:according to|per|as (?:stated|said|set out) in|citing)\b", re.I)
_COMMAND = re.compile(r"^(?:give|list|name)\b", re.I)
_BARE_ASK = re.compile(rf"^(?:{_ASKS})$", re.I)
_EACH = re.compile(r"\beach\b(?!\s+(?:year|month|week|quarter|time|side|country|other)\b)", re.I)
MAX_LEAD_WORDS = 14
MIN_PART_WORDS = 3  # without a lead-in, shorter pieces are not asks of their own
# "…: the 2022 dialogue — what level; the 2023 one — who leads it?": asks of several subjects,
# one segment each, its subject before a dash.
_SEGMENT = re.compile(r"\s*;\s+")
_DASH_LEAD = re.compile(r"^(?P<lead>[^?;]{3,120}?)\s+(?:—|–|--?)\s+(?P<body>\S.*)$")
_POINTER = re.compile(
    r"\b(?:it|its|they|them|their|this|that|these|those|there|he|she|him|her|his)\b"
    # "…, and where did each meeting take place?": the meetings named before.
    r"|\b(?:each|both|either)(?: of)?(?: the)? (?:meetings?|summits?|visits?|sessions?)\b",
    re.I,
)


def split_parts(question: str) -> list[str]:
    """The asks of a question, each readable alone (a lead-in is repeated before each); a
    question that asks one thing has none."""
    text = " ".join(question.split()).strip()
    lead = ""
    m = _LEAD.match(text)
    context = None if m else _CONTEXT.match(text)
    if m and len(m["lead"].split()) <= MAX_LEAD_WORDS:
        lead, text = m["lead"].strip(), m["body"]
    elif context:  # a sentence that sets the scene, then the asks
        lead, text = context["lead"].strip(), context["body"]
    segments = [re.sub(r"^and\s+", "", g.strip(" ?.,;")) for g in _SEGMENT.split(text)]
    if len(segments) > 1 and all(_asks(g, bool(lead)) for g in segments):
        asks = [a for g in segments for a in _segment_asks(g)]
        if context:
            return [f"{lead} {a[0].upper()}{a[1:]}" for a in asks]
        return [f"{lead}{', ' if ':' in a or not m else ': '}{a}" if lead else a for a in asks]
    pieces = [p.strip(" ?.,;") for p in _BOUNDARY.split(text)]
    for i in range(len(pieces) - 2, -1, -1):  # "When and where did it meet?": one ask of two
        if _BARE_ASK.match(pieces[i]):
            pieces[i : i + 2] = [f"{pieces[i]} and {pieces[i + 1]}"]
    # (Not the statements one ask names, each to be quoted: "how did A, B and C each put it?")
    if lead and len(pieces) == 1 and not _EACH.search(text):
        pieces = [p.strip(" ?.,;") for p in _ITEM.split(text)]
        for i in range(len(pieces) - 1, 0, -1):  # "…, according to the 2023 statement": a source
            if _SOURCE.match(pieces[i]):
                pieces[i - 1 : i + 1] = [f"{pieces[i - 1]}, {pieces[i]}"]
    if not lead and len(pieces) > 1 and not _ASK_START.match(pieces[0]):
        lead = pieces.pop(0)  # "In the fact sheet, what…, and what…?": a lead-in, not an ask
    floor = 1 if lead else MIN_PART_WORDS
    pieces = [p for p in pieces if len(p.split()) >= floor]
    if len(pieces) < 2:
        return []
    if context:  # each ask its own sentence after the scene's
        pieces = [p[0].upper() + p[1:] for p in pieces]
    joiner = " " if context else ", " if lead and not m else ": "
    return [f"{lead}{joiner}{p}{_end(p)}" if lead else f"{p}{_end(p)}" for p in pieces]


def _asks(segment: str, led: bool) -> bool:
    """Whether a segment is an ask of its own (after a lead-in, a word is enough)."""
    if led:
        return bool(segment)
    dash = _DASH_LEAD.match(segment)
    return bool(_ASK_START.match(dash["body"] if dash else segment))


def _segment_asks(segment: str) -> list[str]:
    """The asks of one segment of a question: its subject before a dash is their lead-in."""
    dash = _DASH_LEAD.match(segment)
    if dash:
        segment = f"{dash['lead']}: {dash['body']}"
    return split_parts(segment) or [f"{segment}{_end(segment)}"]


def _end(piece: str) -> str:
    return "." if _COMMAND.match(piece) else "?"


def lead_of(parts: list[str] | tuple[str, ...]) -> str:
    """The lead-in every part repeats ("The Dialogue: how often?": The Dialogue), if any."""
    if len(parts) < 2:
        return ""
    same = (i for i, chars in enumerate(zip(*parts, strict=False)) if len(set(chars)) > 1)
    shared = parts[0][: next(same, min(map(len, parts)))]
    cut = max(shared.rfind(": "), shared.rfind(", "), shared.rfind(". "))
    return shared[:cut] if cut > 0 else ""


def without_lead(parts: list[str] | tuple[str, ...]) -> list[str]:
    """The parts without the lead-in they all repeat ("The Dialogue: how often?": how often)."""
    lead = lead_of(parts)
    return [p[len(lead) + 2 :] for p in parts] if lead else list(parts)


def pointing(part: str) -> bool:
    """Whether a part names its subject by a pronoun ("what body did it create?")."""
    return bool(_POINTER.search(part))


def points_elsewhere(part: str) -> bool:
    """Whether a part leans on another for its subject ("what body did it create?", "how
    many jobs?")."""
    return pointing(part) or len(part.split()) <= MIN_PART_WORDS


_WH = re.compile(r"^(?:what|when|who|whom|whose|which|where|why|how)\b", re.I)


def asks_its_own(part: str) -> bool:
    """Whether a later part asks its own question of its own subject ("what did the G7
    condemn?"), not of what an earlier part found ("what does it say?")."""
    return _WH.match(part) is not None and not points_elsewhere(part)


# "…, and what did they add a year later?": a year counted from the one named before.
_RELATIVE_YEAR = re.compile(
    r"\b(?P<n>a|one|two|three|four|five|\d)\s+years?\s+(?P<way>later|on|after|earlier|before)\b"
    r"|\bthe (?P<next>following|next|previous) year\b|\bthe year (?P<way2>after|before)\b",
    re.I,
)
_COUNT = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def relative_year(part: str, before: int) -> int | None:
    """The year a part names relative to the year named before it ("a year later": before + 1;
    "two years earlier": before - 2), if it names one so."""
    m = _RELATIVE_YEAR.search(part)
    if m is None:
        return None
    if m["next"] or m["way2"]:
        back = m["next"] == "previous" or m["way2"] == "before"
        return before - 1 if back else before + 1
    n = _COUNT.get(m["n"].lower()) or int(m["n"])
    return before - n if m["way"].lower() in ("earlier", "before") else before + n


def dated_part(part: str, year: int) -> str:
    """The part with its relative year written out ("… a year later?": "… in 2022?")."""
    return _RELATIVE_YEAR.sub(f"in {year}", part, count=1)
