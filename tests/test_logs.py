"""The running log of long-lived commands: configured once, to stderr and a rotating file,
secrets redacted, library chatter kept out."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.logs import configure_logging
from core.settings import load_settings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    own = {name: logging.getLogger(name).level for name in ("brief", "core", "uvicorn")}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, value in own.items():
        logging.getLogger(name).setLevel(value)


@pytest.mark.usefixtures("restore_logging")
def test_the_log_goes_to_a_file_once_redacted_and_without_library_chatter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(data_dir=tmp_path, log_level="info")
    path = configure_logging(settings)
    configure_logging(settings)  # a second call replaces the handlers: no line twice
    assert path == tmp_path / "logs" / "brief.log"
    logging.getLogger("brief.api").info("hello, Authorization: Bearer abcdefghijklmnopqrstuvwxyz")
    logging.getLogger("httpx").info("noise-from-httpx")
    logging.getLogger("brief.api").debug("below the level")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("core.x").exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert text.count("hello") == 1
    assert "Bearer ***" in text
    assert "abcdefghijklmnop" not in text
    assert "noise-from-httpx" not in text
    assert "below the level" not in text
    assert "RuntimeError: boom" in text
    assert text.split(" ", 1)[0].endswith("Z")  # stamps in UTC
    assert "hello" in capsys.readouterr().err


@pytest.mark.usefixtures("restore_logging")
def test_redaction_leaves_the_record_to_other_handlers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging(load_settings(data_dir=tmp_path))
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("brief.x").exception("failed")
    [record] = [r for r in caplog.records if r.name == "brief.x"]
    assert record.exc_info is not None
    assert record.getMessage() == "failed"


def test_the_level_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"
    monkeypatch.setenv("BRIEF_LOG_LEVEL", "chatty")
    with pytest.raises(ValueError, match="log_level"):
        load_settings()


def test_allowed_hosts_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_API_ALLOWED_HOSTS", " Brief.Example.org, *.corp.example ,")
    assert load_settings().api_allowed_hosts == ["brief.example.org", "*.corp.example"]
    monkeypatch.setenv("BRIEF_API_ALLOWED_HOSTS", "evil.example/path")
    with pytest.raises(ValueError, match="not a host name"):
        load_settings()
