"""Streamlit's real OpenID Connect login (``st.login``) with the app's access control, end to end.

The app runs as its own process with an ``[auth]`` section in a secrets file of its own (never
the repository's or the home folder's ``.streamlit``) pointing at ``tests.oidc_provider``, a real
provider on 127.0.0.1: Authlib discovers it, sends the browser to ``/authorize``, exchanges the
code (PKCE, client secret) at ``/token`` and checks the RS256 identity token against ``/jwks``.
Headless chromium clicks the app's "Log in" and "Log out" buttons; the ``groups`` claim of the
identity token decides which statements each user may see, cite and list.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from core.settings import load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests import test_browser
from tests.oidc_provider import OIDCProvider, OIDCUser
from tests.test_browser import app_env, free_port, running_app, screenshot

# The same Chromium and page fixtures as the other browser tests.
browser = test_browser.browser
page = test_browser.page

TITLE_A = "Ruritania Herring Quota Communique"
TITLE_B = "Vistral Canal Toll Declaration"
DOC_A = f"""---
title: "{TITLE_A}"
issuer: "Fisheries Board of Ruritania"
date: 2025-02-11
kind: communique
audience: desk-a
---

# {TITLE_A}

The fisheries board of Ruritania will cut the herring quota by 17 percent from next season.
Trawlers that exceed the herring quota lose their licence for a year.
"""
DOC_B = f"""---
title: "{TITLE_B}"
issuer: "Canal Authority of Sylvania"
date: 2024-08-30
kind: declaration
audience: desk-b
---

# {TITLE_B}

The canal authority of Sylvania declared that the toll for barges on the Vistral Canal will
rise to 40 crowns per lock. Passenger boats keep passing the locks free of charge.
"""
FILE_A, FILE_B = "ruritania-herring", "vistral-canal"  # the documents' ids are the file names
FACT_A, FACT_B = "17 percent", "40 crowns"
QUESTION_A = "By how much will Ruritania cut the herring quota?"
QUESTION_B = "What will the toll for barges on the Vistral Canal be?"

ALICE = OIDCUser("alice-sub", "alice@example.org", "Alice of Desk A", ("desk-a", "staff"))
BOB = OIDCUser("bob-sub", "bob@example.org", "Bob of Desk B", ("desk-b",))
ROOT = OIDCUser("root-sub", "root@example.org", "Rita Admin", ("brief-admins",))


@dataclass(frozen=True)
class LoginApp:
    url: str
    idp: OIDCProvider
    log: Path


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[LoginApp]:
    """The app with login configured, a desk-a and a desk-b statement, and the provider."""
    folder = tmp_path_factory.mktemp("login-corpus")
    (folder / f"{FILE_A}.md").write_text(DOC_A, encoding="utf-8")
    (folder / f"{FILE_B}.md").write_text(DOC_B, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("login-store")
    with open_index(load_settings(data_dir=data_dir), embeddings) as index:
        report = ingest_paths(index, [folder])
        assert not report.errors, report
        audiences = {d: e.meta.audience for d, e in index.documents().items()}
    assert audiences == {f"{FILE_A}.md": "desk-a", f"{FILE_B}.md": "desk-b"}, audiences

    port = free_port()
    with OIDCProvider(client_id="briefing-assistant") as idp:
        # The app's working folder holds its secrets; --secrets.files keeps ~/.streamlit out.
        work = tmp_path_factory.mktemp("login-cwd")
        secrets_toml = work / ".streamlit" / "secrets.toml"
        secrets_toml.parent.mkdir()
        auth = {
            "redirect_uri": f"http://127.0.0.1:{port}/oauth2callback",
            "cookie_secret": secrets.token_hex(32),
            "client_id": idp.client_id,
            "client_secret": idp.client_secret,
            "server_metadata_url": idp.metadata_url,
        }
        lines = [f"{k} = {json.dumps(v)}" for k, v in auth.items()]
        secrets_toml.write_text("[auth]\n" + "\n".join(lines) + "\n", encoding="utf-8")

        env = app_env(
            BRIEF_DATA_DIR=str(data_dir),
            BRIEF_RUNS_DIR=str(tmp_path_factory.mktemp("login-runs")),
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        log = tmp_path_factory.mktemp("login-log") / "streamlit.log"
        extra = ["--secrets.files", str(secrets_toml)]
        with running_app(port, env, log, cwd=work, extra_args=extra) as url:
            yield LoginApp(url, idp, log)


def expect_logged_out(page: Page) -> None:
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_text("Sign in to see the statements your groups may read.")).to_be_visible()
    expect(page.get_by_test_id("stChatInput")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def log_in(page: Page, app: LoginApp, user: OIDCUser) -> None:
    """Click "Log in" as ``user``: the provider's round trip ends back in the app, signed in."""
    tokens = app.idp.count("/token")
    app.idp.current_user = user
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("stChatInputTextArea")).to_be_editable()
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Signed in as {user.name}")
    assert app.idp.count("/token") == tokens + 1  # one code, exchanged once
    assert page.url.rstrip("/") == app.url, page.url  # back home, no code or state in the URL
    names = {c["name"] for c in page.context.cookies(app.url)}
    assert "_streamlit_user" in names, names


def log_out(page: Page) -> None:
    page.get_by_test_id("stSidebar").get_by_role("button", name="Log out").click()
    expect_logged_out(page)
    names = {c["name"] for c in page.context.cookies()}
    assert "_streamlit_user" not in names, names


def ask(page: Page, question: str) -> Locator:
    """Ask in the chat; the answer's message once it is complete and the input is free."""
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_editable()
    before = page.get_by_test_id("stChatMessage").count()
    box.fill(question)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(before + 1)
    expect(answer.get_by_text(re.compile(r"^Searched: "))).to_be_visible()
    expect(box).to_be_editable()  # the run after the answer has finished
    expect(page.get_by_test_id("stChatMessage")).to_have_count(before + 2)
    return answer


def assert_never_shown(page: Page, *secrets_: str) -> None:
    """None of ``secrets_`` anywhere in the page, hidden parts included; no error either."""
    html = page.content()
    for text in secrets_:
        assert text not in html, f"{text!r} is on the page"
    assert "Traceback" not in html
    expect(page.get_by_test_id("stException")).to_have_count(0)


def check_desk(
    page: Page,
    app: LoginApp,
    own: tuple[str, str, str, str],
    other: tuple[str, str, str, str],
    shot: str,
) -> None:
    """Signed in: ``own`` (title, fact, file, question) answered and listed, ``other`` never."""
    title, fact, file, question = own
    other_title, other_fact, other_file, other_question = other
    expect(page.get_by_text(re.compile(r"^1 statements indexed"))).to_be_visible()

    answer = ask(page, question)
    sources = answer.get_by_test_id("stColumn").nth(1)
    expect(sources).to_contain_text(f"[1] {title}")
    expect(answer).to_contain_text(fact)
    page.get_by_test_id("stChatMessage").first.evaluate("m => m.scrollIntoView({block: 'start'})")
    screenshot(page, shot)

    # The other desk's topic: no citation, no quote, no title, not even the file name.
    answer = ask(page, other_question)
    assert not re.search(r"\[\d+\] " + re.escape(other_title), answer.inner_text())
    assert_never_shown(page, other_title, other_fact, other_file)

    # The corpus page lists the user's one statement and nothing of the other desk.
    page.goto(f"{app.url}/corpus")
    expect(page.get_by_role("heading", name="Corpus")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^1 documents, \d+ chunks$"))).to_be_visible()
    expect(page.get_by_text("Administrators add and remove statements.")).to_be_visible()
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    expect(grid).to_contain_text(title)  # the grid's accessible table holds the cells
    expect(grid).to_contain_text(file)
    assert_never_shown(page, other_title, other_fact, other_file)
    # The sidebar's document filter offers the user's statement only.
    page.goto(app.url)
    sidebar = page.get_by_test_id("stSidebar")
    document_filter = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Document")
    document_filter.get_by_role("combobox").click()
    options = page.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(title[:40])
    page.keyboard.press("Escape")
    assert_never_shown(page, other_title, other_fact, other_file)


def test_logged_out_visitors_see_only_the_login_button(app: LoginApp, page: Page) -> None:
    page.goto(app.url)
    expect_logged_out(page)
    assert_never_shown(page, TITLE_A, TITLE_B, FACT_A, FACT_B, "statements indexed")
    screenshot(page, "login-page.png")
    # Other pages are behind the same gate.
    page.goto(f"{app.url}/corpus")
    expect_logged_out(page)
    assert_never_shown(page, TITLE_A, TITLE_B, FILE_A, FILE_B)


def test_each_desk_sees_only_its_own_statements_after_a_real_login(
    app: LoginApp, page: Page
) -> None:
    a = (TITLE_A, FACT_A, FILE_A, QUESTION_A)
    b = (TITLE_B, FACT_B, FILE_B, QUESTION_B)
    page.goto(app.url)
    expect_logged_out(page)

    log_in(page, app, ALICE)
    check_desk(page, app, a, b, "login-desk-a.png")
    log_out(page)

    log_in(page, app, BOB)
    check_desk(page, app, b, a, "login-desk-b.png")
    # Bob's chat history is his own: Alice's conversation is not in his sidebar.
    expect(page.get_by_test_id("stSidebar")).not_to_contain_text("herring")
    log_out(page)

    # The provider was used for real: discovery, keys, one authorization and token per login.
    assert app.idp.count("/.well-known/openid-configuration") >= 1
    assert app.idp.count("/jwks") >= 1
    assert app.idp.count("/authorize") == app.idp.count("/token") >= 2


def test_an_administrator_sees_both_desks(app: LoginApp, page: Page) -> None:
    page.goto(app.url)
    log_in(page, app, ROOT)
    expect(page.get_by_text(re.compile(r"^2 statements indexed"))).to_be_visible()
    page.goto(f"{app.url}/corpus")
    expect(page.get_by_text(re.compile(r"^2 documents, \d+ chunks$"))).to_be_visible()
    expect(page.get_by_test_id("stFileUploader")).to_be_visible()
    assert_never_shown(page)
    log_out(page)


def test_the_app_logged_no_traceback(app: LoginApp) -> None:
    log = app.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
