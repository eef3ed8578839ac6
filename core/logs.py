"""The error log: details of unexpected failures, secrets redacted, for those who run brief.

Users see one line; the traceback goes here. Values of secret-looking environment variables,
bearer tokens and API keys are replaced by ``***`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import traceback
from pathlib import Path

_SECRET_NAMES = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|COOKIE|CREDENTIAL", re.IGNORECASE)
_SECRET_SHAPES = re.compile(
    r"(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}|\bsk-[A-Za-z0-9_-]{8,}|(api[_-]?key[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"',}]{4,}",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """The text with secrets replaced by ``***``."""
    for name, value in os.environ.items():
        if _SECRET_NAMES.search(name) and len(value) >= 4:
            text = text.replace(value, "***")
    return _SECRET_SHAPES.sub(lambda m: (m.group(1) or m.group(2) or "") + "***", text)


def log_path() -> Path:
    """``BRIEF_DATA_DIR/logs/errors.log`` (the system's temp folder if settings are unusable)."""
    try:
        from core.settings import load_settings

        folder = load_settings().data_dir / "logs"
    except Exception:
        folder = Path(tempfile.gettempdir()) / "brief-logs"
    return folder / "errors.log"


def log_exception(exc: BaseException) -> Path:
    """Append the exception with its traceback, redacted; returns the log's path."""
    path = log_path()
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    body = "".join(traceback.format_exception(exc))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {stamp} pid {os.getpid()}\n{redact(body)}\n")
    except OSError:
        pass  # a full disk must not turn one error into two
    return path
