"""Settings: defaults, environment variables, typo hints, validation, documentation."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core.paths import PROJECT_ROOT
from core.settings import (
    ENV_PREFIX,
    Settings,
    SettingsError,
    load_settings,
    unknown_keys,
)

README = PROJECT_ROOT / "README.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No BRIEF_* variables and no .env file leak in from the machine running the tests."""
    for key in list(os.environ):
        if key.upper().startswith((ENV_PREFIX, "OPENAI_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_defaults():
    s = load_settings()
    assert s.top_k == 8
    assert s.candidate_k == 80
    assert s.chunk_max_chars == 1500
    assert s.chunk_min_chars == 600
    assert s.collection == "statements"
    assert s.refusal_threshold == pytest.approx(0.45)
    assert s.data_dir == PROJECT_ROOT / "data"
    assert s.corpus_dir == PROJECT_ROOT.parent / "shared" / "corpus"
    assert s.chroma_dir == s.data_dir / "chroma"


def test_env_var_is_read(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEF_TOP_K", "3")
    assert load_settings().top_k == 3


def test_several_env_vars_of_different_types(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("BRIEF_REFUSAL_THRESHOLD", "0.6")
    monkeypatch.setenv("BRIEF_SECONDARY_SOURCE_WEIGHT", "0.5")
    monkeypatch.setenv("BRIEF_DATA_DIR", str(tmp_path / "d"))
    s = load_settings()
    assert s.refusal_threshold == pytest.approx(0.6)
    assert s.secondary_source_weight == pytest.approx(0.5)
    assert s.data_dir == tmp_path / "d"


def test_keyword_overrides(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEF_TOP_K", "3")
    assert load_settings(top_k=5).top_k == 5


def test_unknown_setting_gets_a_did_you_mean_hint(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEF_TOPK", "3")
    with pytest.raises(SettingsError, match=r"BRIEF_TOPK \(did you mean BRIEF_TOP_K\?\)"):
        load_settings()


def test_unknown_setting_without_a_close_match(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEF_ZZZZZZZZ", "1")
    with pytest.raises(SettingsError, match="unknown setting") as info:
        load_settings()
    assert "BRIEF_ZZZZZZZZ" in str(info.value)
    assert "did you mean" not in str(info.value)


def test_unknown_keys_lists_only_brief_variables():
    env = {"BRIEF_TOP_K": "1", "BRIEF_TOPK": "1", "brief_chunkmax": "1", "PATH": "/bin"}
    assert unknown_keys(env) == ["BRIEF_TOPK", "brief_chunkmax"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("BRIEF_TOP_K", "0"),
        ("BRIEF_TOP_K", "101"),
        ("BRIEF_TOP_K", "three"),
        ("BRIEF_REFUSAL_THRESHOLD", "1.5"),
        ("BRIEF_ANSWERER", "magic"),
        ("BRIEF_COLLECTION", "a"),
        ("BRIEF_COLLECTION", "bad name!"),
        ("BRIEF_EMBEDDING_BATCH_SIZE", "0"),
        ("BRIEF_CHUNK_MAX_CHARS", "100"),
    ],
)
def test_invalid_values_raise_settings_error(monkeypatch: pytest.MonkeyPatch, key, value):
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError):
        load_settings()


@pytest.mark.parametrize(("min_chars", "max_chars"), [(900, 900), (1000, 900), (500, 400)])
def test_chunk_min_must_be_below_chunk_max(min_chars: int, max_chars: int):
    with pytest.raises(SettingsError, match="chunk_min_chars must be smaller"):
        load_settings(chunk_min_chars=min_chars, chunk_max_chars=max_chars)


def test_chunk_min_below_max_from_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEF_CHUNK_MIN_CHARS", "1500")
    with pytest.raises(SettingsError, match="chunk_min_chars"):
        load_settings()
    monkeypatch.setenv("BRIEF_CHUNK_MIN_CHARS", "1499")
    assert load_settings().chunk_min_chars == 1499


def test_settings_error_is_a_value_error():
    assert issubclass(SettingsError, ValueError)


def test_every_field_has_a_description():
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_every_setting_is_documented_in_readme():
    assert README.is_file(), f"{README} is missing"
    text = README.read_text(encoding="utf-8")
    missing = [
        f"{ENV_PREFIX}{name.upper()}"
        for name in Settings.model_fields
        if not re.search(rf"\b{ENV_PREFIX}{name.upper()}\b", text)
    ]
    assert missing == [], f"settings not in README.md: {missing}"


def test_openai_api_key_alone_selects_openai(monkeypatch: pytest.MonkeyPatch):
    from retrieval.answer.chains import OPENAI_DEFAULT_MODEL, resolve_model

    assert not load_settings().generative_configured
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    s = load_settings()
    assert s.generative_configured
    assert s.llm_base_url == ""
    assert resolve_model(s) == OPENAI_DEFAULT_MODEL
    assert "sk-test-secret" not in repr(s)
    assert "sk-test-secret" not in s.model_dump_json()


def test_base_url_selects_a_compatible_server(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEF_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("BRIEF_LLM_MODEL", "qwen2.5-7b")
    monkeypatch.setenv("BRIEF_LLM_TIMEOUT_S", "2.5")
    s = load_settings()
    assert s.generative_configured
    assert s.llm_api_key is None
    assert s.llm_timeout_s == pytest.approx(2.5)
    from retrieval.answer.chains import make_chat_model

    llm = make_chat_model(s, "qwen2.5-7b")
    assert llm.openai_api_base == "http://127.0.0.1:9/v1"  # type: ignore[attr-defined]
    assert llm.request_timeout == pytest.approx(2.5)  # type: ignore[attr-defined]


def test_timeout_must_be_positive(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEF_LLM_TIMEOUT_S", "0")
    with pytest.raises(SettingsError, match="llm_timeout_s"):
        load_settings()
