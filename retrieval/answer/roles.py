"""Who holds a role: "Who chairs the working group?" asks for its head, not any person named.

A sentence that names the working group and the ministers who announced it holds a person, but
not the one asked for; it answers only when it says who leads, chairs, heads or convenes something.
"""

from __future__ import annotations

import re

_ROLE_VERB = (
    r"heads?|headed|chairs?|chaired|co-?chairs?|co-?chaired|vice[- ]chairs?|leads?|led|"
    r"directs?|directed|presides?|presided|oversees?|oversaw"
)
_ASKED = re.compile(
    rf"\bwho\s+(?:(?:is|was|will|would|is to|was to|are|were)\s+)?(?:(?:be|to)\s+)?"
    rf"(?:{_ROLE_VERB}|lead|head|chair|direct|preside|oversee)\b"
    r"|\bwho\s+(?:is|was|will be|are|were)\s+(?:the\s+)?(?:head|chair|co-?chair|vice[- ]chair|"
    r"director|leader|chief)s?\b",
    re.I,
)
_HELD = re.compile(
    # "leading the talks", not "the region's leading institution"
    r"\b(?:led|leads?|leading (?:the|a|an|our|its|their|this|these)\b|headed|heads?|head of|"
    r"chair\w*|co-?chair\w*|vice[- ]chair\w*|"
    r"presided|presides|directed|director|convened by|oversee\w*|oversaw|in charge|"
    r"co-?led|at the (?:\w+[- ])?level)\b",
    re.I,
)


def role_asked(question: str) -> bool:
    """Whether the question asks who holds a role ("who heads it?", "who is vice chair?")."""
    return _ASKED.search(question) is not None


def holds_role(text: str) -> bool:
    """Whether a sentence says who leads, chairs, heads or convenes something."""
    return _HELD.search(text) is not None
