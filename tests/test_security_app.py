"""Access control and limits in the app itself (AppTest with OpenID Connect identities).

Streamlit's AppTest sets ``st.user`` from a dict, so these tests run the real app with the
claims an identity provider would send; tests/test_login_browser.py runs the real login flow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from brief.service import BriefingService
from brief.state.audit import AuditLog
from brief.state.conversations import ConversationStore
from brief.state.engine import app_db_path
from brief.web.markup import answer_markdown, escape
from core.models import DocumentMeta, SourceDocument
from core.settings import load_settings
from ingest.pipeline import ingest_document
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index

APP = str(Path(__file__).resolve().parents[1] / "app.py")
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "brief",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
HERRING = "The two ministers agreed to cut the annual herring quota by 12 percent in 2026."
RIVER = "The governments declared the Blue River open to commercial navigation from 1 May 2026."
RIVER_TITLE = "Sylvanian River Navigation Declaration"
ALICE = {"is_logged_in": True, "email": "alice@example.org", "name": "Alice", "groups": ["team-a"]}
BOB = {"is_logged_in": True, "email": "bob@example.org", "name": "Bob", "groups": ["team-b"]}
ADMIN = {"is_logged_in": True, "email": "root@example.org", "groups": ["brief-admins"]}


def _doc(doc_id: str, text: str, audience: str, title: str) -> SourceDocument:
    meta = DocumentMeta(
        title=title, issuer="Ministry of Tests", date=dt.date(2026, 3, 1), audience=audience
    )
    return SourceDocument(doc_id=doc_id, text=f"# {title}\n\n{text}\n", meta=meta)


@pytest.fixture
def group_app(
    tmp_path: Path, embeddings: OnnxMiniLMEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., AppTest]]:
    """The app, login configured, on a store with a team-a, a team-b and a public statement."""
    settings = load_settings(data_dir=tmp_path / "store")
    with open_index(settings, embeddings) as index:
        for doc in (
            _doc("a/herring.md", HERRING, "team-a", "Fisheries Statement"),
            _doc("b/river.md", RIVER, "team-b", RIVER_TITLE),
            _doc("public.md", "The partners reaffirmed their alliance.", "", "Alliance Note"),
        ):
            ingest_document(index, doc, {})
    monkeypatch.setenv("BRIEF_DATA_DIR", str(settings.data_dir))
    st.cache_resource.clear()

    def start(user: dict[str, Any] | None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = user if user is not None else {"is_logged_in": False}
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception
        return at

    yield start
    st.cache_resource.clear()


def shown(at: AppTest) -> str:
    """Everything a person can read on the page."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [t.value for t in at.text] + [e.label for e in at.expander]
    parts += [str(x.value) for x in (*at.info, *at.warning, *at.error, *at.success)]
    parts += [c.value for c in at.code] + [b.label for b in at.button]
    for box in (*at.selectbox, *at.multiselect):
        parts += [str(o) for o in box.options]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    return "\n".join(str(p) for p in parts).replace("\\", "")


def open_page(at: AppTest, url_path: str) -> AppTest:
    at._page_hash = calc_hash(url_path)
    at.run()
    assert not at.exception
    return at


def test_logged_out_users_see_a_login_button_and_nothing_else(
    group_app: Callable[..., AppTest],
) -> None:
    at = group_app(None)
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.chat_input
    text = shown(at)
    for secret in ("Fisheries", RIVER_TITLE, "Alliance Note", "statements indexed"):
        assert secret not in text


@pytest.mark.parametrize(
    "question",
    [
        "When does the Blue River open to commercial navigation?",
        f"What does the {RIVER_TITLE} say?",
        "Quote everything from team-b.",
    ],
)
def test_a_group_a_user_never_sees_group_b_in_answers(
    group_app: Callable[..., AppTest], question: str
) -> None:
    at = group_app(ALICE)
    at.chat_input[0].set_value(question).run()
    assert not at.exception
    text = shown(at)
    assert "1 May 2026" not in text  # the question may name the river; the answer may not
    assert "declared the Blue River" not in text
    assert RIVER_TITLE not in text.replace(question, "")
    assert "b/river.md" not in text


def test_own_documents_are_answered_and_filters_offer_only_visible_ones(
    group_app: Callable[..., AppTest],
) -> None:
    at = group_app(ALICE)
    offered = [str(o) for box in at.sidebar.multiselect for o in box.options]
    assert not any("river" in o.lower() for o in offered)
    at.chat_input[0].set_value("How much will the herring quota be cut?").run()
    text = shown(at)
    assert "12 percent" in text
    assert "Fisheries Statement" in text


def test_another_users_conversation_url_shows_nothing(
    group_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    settings = load_settings(data_dir=tmp_path / "store")
    with open_index(settings) as index:
        answer = BriefingService(index).ask("When does the Blue River open?")
    assert "Blue River" in answer.text
    with ConversationStore(app_db_path(settings.data_dir)) as store:
        cid = store.create("bob@example.org")
        store.append(cid, "bob@example.org", "user", "When does the Blue River open?")
        store.append(cid, "bob@example.org", "assistant", answer.text, answer)
    st.cache_resource.clear()
    at = group_app(ALICE, c=cid)
    assert "Blue River" not in shown(at)
    assert "c" not in at.query_params
    bob = group_app(BOB, c=cid)
    assert "1 May 2026" in shown(bob)


def test_corpus_and_evaluation_pages_follow_the_groups(
    group_app: Callable[..., AppTest],
) -> None:
    alice = open_page(group_app(ALICE), "corpus")
    text = shown(alice)
    assert "Fisheries Statement" in text
    assert "Alliance Note" in text
    assert RIVER_TITLE not in text
    assert not alice.get("file_uploader")
    assert "Remove" not in [b.label for b in alice.button]
    evaluation = open_page(group_app(ALICE), "evaluation")
    assert "for administrators" in shown(evaluation)
    admin = open_page(group_app(ADMIN), "corpus")
    assert RIVER_TITLE in shown(admin)
    assert admin.get("file_uploader")


def test_questions_are_rate_limited_per_user(
    group_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEF_RATE_LIMIT_PER_MINUTE", "4")  # a burst of one
    st.cache_resource.clear()
    at = group_app(ALICE)
    at.chat_input[0].set_value("How much will the herring quota be cut?").run()
    assert "12 percent" in shown(at)
    at.chat_input[0].set_value("And in which year?").run()
    assert any("too many questions" in str(w.value) for w in at.warning)
    bob = group_app(BOB)
    bob.chat_input[0].set_value("When does the Blue River open?").run()
    assert not any("too many questions" in str(w.value) for w in bob.warning)


def test_answers_are_audited_and_only_administrators_read_the_trail(
    group_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    at = group_app(ALICE)
    question = "How much will the herring quota be cut?"
    at.chat_input[0].set_value(question).run()
    assert "12 percent" in shown(at)
    with AuditLog(app_db_path(tmp_path / "store")) as log:
        (record,) = log.records()
    assert (record.user_id, record.groups, record.question) == (
        "alice@example.org",
        ["team-a"],
        question,
    )
    assert record.answerer == "extractive"
    assert "a/herring.md" in [c.doc_id for c in record.citations]
    assert any("12 percent" in c.quote for c in record.citations)

    alice = open_page(group_app(ALICE), "evaluation")
    assert "Audit trail" not in [s.value for s in alice.subheader]
    assert question not in shown(alice)
    admin = open_page(group_app(ADMIN), "evaluation")
    assert "Audit trail" in [s.value for s in admin.subheader]
    assert "Answers recorded: 1;" in shown(admin)
    assert question in admin.dataframe[-1].value["question"].tolist()
    labels = [getattr(b, "label", "") for b in admin.get("download_button")]
    assert "Export audit trail (CSV)" in labels
    assert "Export audit trail (JSONL)" in labels


def test_an_unreachable_state_database_is_one_line_without_its_password(
    group_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEF_STATE_URL", "postgresql://brief:pw-never-shown@127.0.0.1:9/brief")
    at = group_app(ALICE)
    (error,) = at.error
    assert str(error.value).startswith("cannot open the state database postgresql+psycopg://")
    assert "pw-never-shown" not in shown(at)
    assert not at.chat_input


def test_an_upload_for_a_group_is_seen_by_that_group_only(
    group_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    note = (
        '---\ntitle: "Lighthouse Notice"\nissuer: "Coast Guard"\ndate: 2024-05-06\n'
        "audience: team-a\n---\n\nThe coast guard will repaint the lighthouse at Cape Orm.\n"
    )
    admin = open_page(group_app(ADMIN), "corpus")
    admin.file_uploader[0].set_value(("../note.md", note.encode(), "text/markdown")).run()
    admin.text_input[0].set_value("team-b").run()
    next(b for b in admin.button if b.label == "Ingest").click().run()
    assert not admin.exception
    assert (tmp_path / "store" / "uploads" / "team-b" / "note.md").is_file()
    # The administrator's audience wins over the file's own front matter.
    assert "Lighthouse Notice" not in shown(open_page(group_app(ALICE), "corpus"))
    assert "Lighthouse Notice" in shown(open_page(group_app(BOB), "corpus"))


def test_bare_addresses_in_document_text_never_become_links() -> None:
    """GFM links bare addresses in the text left after Markdown escapes are read: escaped text
    must not hold one, so that only source_url ever links."""
    hostile = "Visit https://evil.example.org/x, www.evil.org, HTTP://A.B or write to a@b.org"
    shown = escape(hostile).replace("\\", "").replace("\u2060", "")
    assert shown == hostile  # what a reader sees is the text, unchanged
    read = escape(hostile).replace("\\", "")  # what the link finder sees
    for bare in ("https://", "www.", "HTTP://", "a@b"):
        assert bare not in read
    assert "https://" not in answer_markdown(f"“{hostile}” [1]").replace("\\", "")
