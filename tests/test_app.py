"""The chat app through Streamlit's AppTest, on a real store of the sample corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from retrieval.index import StatementIndex
from retrieval.settings import Settings

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app(
    corpus_index: StatementIndex, corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    monkeypatch.setenv("BRIEF_DATA_DIR", str(corpus_settings.data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.text]
    parts += [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def test_question_gets_quoted_answer_with_sources(app: AppTest) -> None:
    app.chat_input[0].set_value("What did the joint fact sheet say about Singapore?").run()
    assert not app.exception
    text = _texts(app)
    assert "Singapore" in text
    assert "[1]" in text
    # A source card per citation: a bold title line, a caption with issuer and date.
    assert any("2025" in c.value for c in app.caption)
    assert len(app.chat_message) == 2
    code = "\n".join(c.value for c in app.code)
    assert "[^1]:" in code


def test_follow_up_keeps_the_conversation(app: AppTest) -> None:
    app.chat_input[0].set_value("What did the Biden-Moon statement say about vaccines?").run()
    app.chat_input[0].set_value("And how much did the U.S. give COVAX, according to it?").run()
    assert not app.exception
    assert len(app.chat_message) == 4
    assert "4 billion" in _texts(app)


def test_unrelated_question_is_refused(app: AppTest) -> None:
    app.chat_input[0].set_value("How do I bake sourdough bread with rye flour?").run()
    assert "do not answer" in _texts(app)


def test_issuer_filter_and_new_conversation(app: AppTest) -> None:
    app.sidebar.multiselect[0].set_value(
        ["KCNA (press statement by Choe Son Hui, Minister of Foreign Affairs of the DPRK)"]
    ).run()
    app.chat_input[0].set_value("What is the position on denuclearization?").run()
    assert "Choe" in _texts(app) or "G7 has no right" in _texts(app)
    assert "The White House" not in "\n".join(str(c.value) for c in app.caption)
    app.sidebar.button[0].click().run()
    assert len(app.chat_message) == 0


def test_empty_or_huge_question_shows_an_error_not_a_traceback(app: AppTest) -> None:
    app.chat_input[0].set_value("x" * 5000).run()
    assert not app.exception
    assert any("longer than" in e.value for e in app.error)
