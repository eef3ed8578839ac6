"""What the CLI prints: text from documents and model endpoints never reaches the terminal as
control or escape sequences (colour codes, OSC title changes, carriage returns)."""

from __future__ import annotations

import re
from typing import Any

import click

# C0 controls but tab and newline, DEL, and the C1 controls (CSI 0x9b, OSC 0x9d, …).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile(r"[\x7f-\x9f]")


def visible(text: str) -> str:
    """The text with every control character shown as an escape (ESC -> ``\\x1b``)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def echo(message: Any = None, **kwargs: Any) -> None:
    """``click.echo`` for text that may hold what documents say."""
    click.echo(None if message is None else visible(str(message)), **kwargs)


def echo_json(text: str, **kwargs: Any) -> None:
    """Print JSON whose strings may hold any character: C0 controls are already escaped by the
    encoder; C1 controls, which it leaves raw, are escaped as ``\\u009b`` (still valid JSON)."""
    click.echo(_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text), **kwargs)


_DATA_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def echo_data(text: str) -> None:
    """Print exported data (CSV) as it is, but for control characters other than tab, LF and
    CR (which CSV uses), shown as escapes: a question cannot drive the terminal."""
    click.echo(_DATA_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text), nl=False)
