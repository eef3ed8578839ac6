"""What kind of answer a question asks for, by its words: a comparison, the latest, a list."""

from __future__ import annotations

import re

_LATEST = re.compile(  # "the last statement", not the verb: "how long did the summit last?"
    r"\b(latest|most recent|newest|recent(?:ly)?|last(?!\s*(?:[?.!,;:]|"
    r"$)|\s+(?:for|until|through|into|beyond|longer|past)\b))\b",
    re.I,
)
# "Where do things stand now?"; not in a question dated to a year ("the 2018 texts: what did
# they hope current developments would lead to?").
_NOW = re.compile(r"\b(?:current(?:ly)?|now|today)\b", re.I)
YEAR_DIGITS = r"(?:19[5-9]\d|20[0-4]\d)"  # a year a question names (plan.years)
_YEAR = re.compile(rf"\b{YEAR_DIGITS}\b")
# How a sum is shared out: "split between Washington and Seoul" asks each one's share.
SPLIT_WORDS = ("split", "divided", "shared", "distributed", "allocated", "apportioned")
_NOT_SPLIT = "".join(f"(?<!{w} )" for w in SPLIT_WORDS)
_COMPARE = re.compile(
    # "Does the pledge change the treaties?", "attempts to change the status quo": a change
    # made, not one between statements (but "did they change the wording?" is one).
    r"\b(chang\w*\b(?!\s+(?:the|its|their|any|existing|an?)\s+(?!(?:wording|language|tone|"
    r"position|stance|phrasing|line|message)\b))|"
    r"compar\w*|differ\w*|evolv\w*|evolution|shift\w*|over time|vs\.?|versus|"
    r"same(?!\s+(?:[\w.’'-]+\s+){0,2}(?:fact sheets?|statements?|documents?|declarations?|"
    r"readouts?|texts?|day|week|month|year|meeting|summit|visit|trip)\b)|contrast|"
    rf"{_NOT_SPLIT}between .+ and|"  # not a sum split between two: a share of each
    r"(?:that|which) (?:was|were|is|are)(?:n't| not) in|"
    r"how (?:did|has|have) .{0,80}?\b(?:move|moved|progress|progressed|develop|developed) "
    r"(?:from|since)|stack(?:s|ed)? up|relative to|diverg\w*|"
    r"converg\w*|depart\w* from|echo(?:es|ed)?|harden\w*|soften\w*|(?:become|became|grow|grew|"
    r"got|gotten) (?:more|less)|(?:tough|strong|weak|soft|harsh|firm|bold|broad|narrow)er than|"
    r"consistent\b.{0,80}\bacross|^\W*(?:trace|track|follow|chart)\b|"
    # "Did the 2024 statement repeat the Washington line?" (not "after it repeated its …")
    r"\b(?:did|does|do)\b[^?.]{0,100}?\b(?:repeat|reuse|carry over)\s+(?:the|its|their|that|"
    r"this|those|these|it|them|what|any)\b)",
    re.I,
)
# "What did A and B each say?": several statements, each quoted (of whatever year each is).
_EACH = re.compile(
    r"\beach (?:say|said|put|word\w*|stat\w*|describ\w*|frame\w*|address\w*|handl\w*|"
    r"treat\w*|mention\w*|cover\w*|characteri[sz]\w*|portray\w*|refer\w*|discuss\w*|"
    r"approach\w*|phras\w*|defin\w*|express\w*|call\w*|commit\w*|pledg\w*|promis\w*|"
    r"announc\w*|affirm\w*|reaffirm\w*|report\w*|not(?:e|ed|es)|deal\w*|tackl\w*)\b"
    # "A, B and C: how pointed was each?" (not "how much was each?": a figure of each thing)
    r"|\bhow (?!much\b|many\b|long\b|often\b)\w+ (?:was|were|is|are) each\s*[?.]"
    # "… in the statements of 2021, 2022 and 2023: what did Washington welcome each time?"
    r"|\beach time\b",
    re.I,
)
_LIST = re.compile(  # "which statements", "which leaders' documents", "what joint fact sheets"
    r"\b(which|what)\s+(?:(?!(?:do|does|did|is|are|was|were|has|have|had|the|of)\b)[\w.'’-]+\s+)"
    r"{0,2}(statements|documents|texts|declarations|fact sheets|ones)\b|\ball\b"
    # "… across the 2022 statement, the Lima trilateral and the October fact sheet"
    r"|\bacross\s+(?:the|these|those|their|both|every)\s+(?:[\w.'’‐‑–—-]+,?\s+){0,6}?"
    r"(?:statements?|declarations?|fact sheets?|readouts?|texts?|documents?|communiqu\w*)\b",
    re.I,
)


def question_intent(question: str, as_of: bool = False) -> str:
    """The kind of answer asked: a comparison, the latest (also when the question asks
    ``as_of`` a date: the most recent statement up to then), a list, or a lookup."""
    if _COMPARE.search(question):
        return "comparison"
    now = _NOW.search(question) is not None and not _YEAR.search(question)
    if _LATEST.search(question) or now or as_of:
        return "latest"
    if _LIST.search(question) or asks_each(question):
        return "list"
    return "lookup"


def asks_each(question: str) -> bool:
    """Whether the question asks what several statements each said ("What did A and B each
    say?")."""
    return bool(_EACH.search(question))
