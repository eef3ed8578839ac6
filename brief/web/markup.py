"""Safe text for the page: document and model text as escaped Markdown, links only to http(s)."""

from __future__ import annotations

import re

from core.answers import UNSUPPORTED_MARK


def escape(text: str) -> str:
    """Escape Markdown so document text never renders as markup, links or images."""
    for ch in "\\`*_{}[]()#+-.!|<>~:$":
        text = text.replace(ch, "\\" + ch)
    return text


def answer_markdown(text: str) -> str:
    """Answer text as safe Markdown, with unsupported sentences visibly flagged."""
    return escape(text).replace(escape(UNSUPPORTED_MARK), ":orange-badge[unsupported]")


def safe_url(url: str) -> str | None:
    """The URL when it is http(s), else None (no javascript:, data: or file: links)."""
    return url if re.match(r"^https?://[^\s]+$", url or "") else None
