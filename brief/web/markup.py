"""Safe text for the page: document and model text as escaped Markdown, links only to http(s)."""

from __future__ import annotations

import re

from brief.web.strings import text
from core.answers import UNSUPPORTED_MARK

# GFM finds bare links in the text left after escapes are read (an escaped "https://x" is still
# one to it): an invisible word joiner (U+2060) after the scheme, "www" and before "@" breaks it.
_BARE_LINK = re.compile(r"(?i)\b(https?|ftp|mailto|www)(?=\\[:.])|(?=@)")


def escape(text: str) -> str:
    """Escape Markdown so document text never renders as markup, links or images."""
    for ch in "\\`*_{}[]()#+-.!|<>~:$":
        text = text.replace(ch, "\\" + ch)
    return _BARE_LINK.sub(lambda m: (m.group(1) or "") + "\u2060", text)


def answer_markdown(answer_text: str, language: str = "en") -> str:
    """Answer text as safe Markdown, with unsupported sentences visibly flagged."""
    badge = f":orange-badge[{text('unsupported_badge', language)}]"
    return escape(answer_text).replace(escape(UNSUPPORTED_MARK), badge)


def safe_url(url: str) -> str | None:
    """The URL when it is http(s), else None (no javascript:, data: or file: links)."""
    return url if re.match(r"^https?://[^\s]+$", url or "") else None
