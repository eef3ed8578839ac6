"""The logs, secrets redacted, for those who run brief.

- The error log: users see one line; the traceback of an unexpected failure goes to
  ``DATA_DIR/logs/errors.log``.
- The running log of long-lived commands (``brief serve``): standard ``logging``, configured once
  at start by ``configure_logging``, to stderr and the rotating ``DATA_DIR/logs/brief.log``.

Values of secret-looking environment variables, bearer tokens and API keys are replaced by
``***`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import os
import re
import tempfile
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.settings import Settings

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


# The project's own loggers (its top-level packages) and the HTTP server's: logged at the
# configured level. Everything else (libraries) at WARNING, so their chatter stays out.
OWN_LOGGERS = ("brief", "core", "retrieval", "ingest", "eval", "uvicorn")
LOG_FORMAT = "%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_COUNT = 5


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback included, with secrets replaced by ``***`` (the record itself
    is left as it is, for any other handler)."""

    def format(self, record: logging.LogRecord) -> str:
        """The line (and traceback) as written."""
        return redact(super().format(record))


def configure_logging(settings: Settings) -> Path:
    """Log to stderr and to ``DATA_DIR/logs/brief.log`` (rotated); returns the file's path.

    Called once when a long-running command starts, never at import. Calling it again replaces
    the handlers it installed (no line is written twice).
    """
    path = settings.data_dir / "logs" / "brief.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = RedactingFormatter(LOG_FORMAT, "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime  # UTC, as the Z of each stamp says
    handlers: list[logging.Handler] = [
        logging.StreamHandler(),
        logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_COUNT, encoding="utf-8"
        ),
    ]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "brief_handler", False)]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.brief_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(settings.log_level)
    return path
