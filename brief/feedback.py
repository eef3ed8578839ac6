"""Moved to ``brief.state.feedback`` (the shared state database); these names stay importable
from here for code written before the move."""

from __future__ import annotations

from brief.state.feedback import (
    CSV_COLUMNS,
    MAX_COMMENT_CHARS,
    MAX_ID_CHARS,
    FeedbackError,
    FeedbackRecord,
    FeedbackStore,
    citation_rows,
)
from brief.state.sheets import spreadsheet_safe

__all__ = [
    "CSV_COLUMNS",
    "MAX_COMMENT_CHARS",
    "MAX_ID_CHARS",
    "FeedbackError",
    "FeedbackRecord",
    "FeedbackStore",
    "citation_rows",
    "spreadsheet_safe",
]
