"""Numbers in Korean questions read as the statements write them: dates and periods ("2021년
이후" -> "since 2021", "작년" -> last year's number), amounts in Korean units ("6천만 달러" ->
"$60 million") and ordinals ("2차 회의" -> "second meeting")."""

from __future__ import annotations

import datetime as dt
import re

_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()

# Dates: "2023년 4월 26일", "2023년 4월", "2023년", each maybe followed by a bound word.
_DATE = re.compile(
    r"(?P<year>(?:19|20)\d\d)\s*년(?:\s*(?P<month>1[0-2]|0?[1-9])\s*월)?"
    r"(?:\s*(?P<day>3[01]|[12]\d|0?[1-9])\s*일)?"
    r"(?P<particle>[은는이가의에도]|에는|에서)?"
    r"(?:\s*(?P<bound>이후|부터|以後|이래|이전|전까지|까지|기준|현재|당시|전|후))?"
)
_RELATIVE_YEARS = {"재작년": -2, "작년": -1, "지난해": -1, "지난 해": -1, "올해": 0, "금년": 0}
_RELATIVE = re.compile(
    "(?P<word>" + "|".join(sorted(_RELATIVE_YEARS, key=len, reverse=True)) + r")"
    r"(?:\s*(?P<bound>이후|부터|이래|이전|까지|기준|현재))?"
)
_BOUND_WORDS = {
    "이후": "since",
    "부터": "since",
    "以後": "since",
    "이래": "since",
    "후": "after",
    "이전": "before",
    "전": "before",
    "까지": "until",
    "전까지": "before",
    "기준": "as of",
    "현재": "as of",
    "당시": "in",
}


# Amounts in Korean units: "6천만 달러" ($60 million), "2천억 달러", "13만 5천 개" (135,000). 조
# is a trillion only before a currency: "232조" is Section 232, "1조" Article 1.
_AMOUNT = re.compile(
    r"(?<![\d.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<small>천|백)?\s*"
    r"(?P<big>만|억|조(?=\s*(?:달러|원)))?(?:\s*(?P<rest>\d+)\s*천)?"
    r"(?:\s*(?P<currency>달러|원))?"
)
_SMALL_UNITS = {"천": 1_000, "백": 100}
_BIG_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12}
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def _english_amount(m: re.Match[str]) -> str | None:
    """ "6천만 달러" -> "$60 million", "13만 5천" -> "135,000"; None for a bare number."""
    if not (m["small"] or m["big"]):
        return None
    value = (
        float(m["n"].replace(",", ""))
        * _SMALL_UNITS.get(m["small"] or "", 1)
        * _BIG_UNITS.get(m["big"] or "", 1)
    )
    if m["rest"] and m["big"] == "만":
        value += int(m["rest"]) * 1_000
    amount = f"{value:,.0f}"
    for scale, word in _SCALES:
        if value >= scale:
            amount = f"{value / scale:g} {word}"
            break
    if m["currency"] == "달러":
        return f"${amount}"
    return f"{amount} won" if m["currency"] else amount


_ORDINAL_KO = re.compile(r"제?\s*(?P<n>\d{1,3})\s*(?:차|번째|회째)")
_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()


def _ordinal(n: int) -> str:
    """2 -> "second", 57 -> "57th" (as statements write them)."""
    if 1 <= n <= len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _english_date(m: re.Match[str]) -> str:
    """ "2021년 4월 이후" -> "since April 2021"."""
    year, month, day = m["year"], m["month"], m["day"]
    if month and day:
        when = f"{_MONTH_NAMES[int(month) - 1]} {int(day)}, {year}"
    elif month:
        when = f"{_MONTH_NAMES[int(month) - 1]} {year}"
    else:
        when = year
    bound = _BOUND_WORDS.get(m["bound"] or "", "")
    return f"{bound} {when}".strip()


def read_numbers(question: str, today: dt.date) -> tuple[str, list[tuple[int, str]]]:
    """The question with its dates, periods, amounts and ordinals blanked out, and their English
    readings with the positions they stood at."""
    found: list[tuple[int, str]] = []
    text = question

    def blank(m: re.Match[str]) -> str:
        return " " * (m.end() - m.start())

    for m in _DATE.finditer(text):
        found.append((m.start(), _english_date(m)))
    text = _DATE.sub(blank, text)
    for m in _RELATIVE.finditer(text):
        year = today.year + _RELATIVE_YEARS[m["word"]]
        bound = _BOUND_WORDS.get(m["bound"] or "", "in")
        found.append((m.start(), f"{bound} {year}"))
    text = _RELATIVE.sub(blank, text)
    for m in _AMOUNT.finditer(text):
        if (amount := _english_amount(m)) is not None:
            found.append((m.start(), amount))
            text = text[: m.start()] + blank(m) + text[m.end() :]
    for m in _ORDINAL_KO.finditer(text):  # 2차 회의 -> the second meeting
        found.append((m.start(), _ordinal(int(m["n"]))))
    text = _ORDINAL_KO.sub(blank, text)
    return text, found
