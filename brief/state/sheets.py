"""Exports that other tools open safely: CSV whose text cells no spreadsheet runs as a formula,
and JSON Lines whose lines no reader splits (U+2028 and U+2029 escaped)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# A spreadsheet evaluates a cell that starts with one of these (tab and CR per OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A text cell that no spreadsheet runs as a formula (leading apostrophe)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """Header and one line per row; text cells guarded, other cells (numbers, flags) as they are;
    lists and dicts as JSON text (guarded too)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            if isinstance(value, list | tuple | dict):
                value = json.dumps(value, ensure_ascii=False)
            cells.append(spreadsheet_safe(value) if isinstance(value, str) else value)
        writer.writerow(cells)
    return out.getvalue()


def jsonl_text(rows: Iterable[Mapping[str, Any]]) -> str:
    """One JSON object per line."""
    lines = [
        json.dumps(dict(row), ensure_ascii=False)
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
        for row in rows
    ]
    return "".join(line + "\n" for line in lines)
