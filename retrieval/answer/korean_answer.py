"""What a generated answer for a Korean question is asked with and read by.

The model is given the Korean rules and question (``prompts/answer_system_ko.txt``,
``answer_user_ko.txt``); it answers in Korean, refuses with ``REFUSAL_KO`` and names a part the
sources do not answer on a line starting ``NOT_STATED_KO``. The parser of that line reads the
English marker too, so a model that keeps "Not stated:" in a Korean answer is understood.
"""

from __future__ import annotations

import re

REFUSAL_KO = "출처에는 이 질문에 대한 답이 없습니다."
NOT_STATED_KO = "명시되지 않음:"
# A short reply that the sources do not answer (… 답이 없습니다, … 언급되지 않습니다).
_REFUSAL_HINTS_KO = re.compile(
    r"(?:출처|자료|성명|문서)[^.\n]{0,40}(?:답이\s*없|답하지\s*않|(?:언급|나와\s*있|명시)[^.\n]{0,8}않)"
)
_REFUSAL_MAX_CHARS_KO = 80


def is_korean_refusal(text: str) -> bool:
    """Whether a Korean reply says that its sources do not answer (the rule's sentence, or a
    short reply saying so)."""
    flat = " ".join(text.split())
    if REFUSAL_KO.rstrip(".") in flat:
        return True
    return len(flat) <= _REFUSAL_MAX_CHARS_KO and bool(_REFUSAL_HINTS_KO.search(flat))
