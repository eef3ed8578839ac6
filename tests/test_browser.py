"""The real app in a real browser: `streamlit run app.py` driven by Debian's chromium.

The app runs as its own process on a store of its own (the session store is locked by this
process). Screenshots go to ``SCREENSHOTS_DIR`` or ``tests/screenshots/``. The browser is
``/usr/bin/chromium`` (``make setup-test``); playwright's own browser download is never used.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import time
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect, sync_playwright

from brief.cli.serving import app_command
from brief.state.audit import AuditLog
from brief.state.engine import app_db_path
from core.settings import load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests.test_app import write_fake_run

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "") or ROOT / "tests" / "screenshots")
QUESTION = "What did the joint fact sheet say about Singapore?"
START_TIMEOUT_S = 60.0
TIMEOUT_MS = 60_000  # the first page load opens the store and the embedding model
expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class Server:
    url: str
    documents: int
    data_dir: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the app exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    tail = log.read_text()[-3000:]
    pytest.fail(f"the app was not healthy after {START_TIMEOUT_S:.0f} s:\n{tail}")


def app_env(**extra: str) -> dict[str, str]:
    """This environment without the machine's brief and OpenAI settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BRIEF_") and k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    env.update(extra)
    return env


@contextmanager
def running_app(
    port: int, env: dict[str, str], log: Path, *, cwd: Path = ROOT, extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """`streamlit run app.py` on 127.0.0.1:``port`` until the block ends; yields its URL."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*app_command(port), *extra_args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[Server]:
    """The app on a store of the sample corpus (built here, then closed) and one eval run."""
    data_dir = tmp_path_factory.mktemp("browser-store")
    with open_index(load_settings(data_dir=data_dir), embeddings) as index:
        assert not ingest_paths(index, [corpus_dir]).errors
        documents = len(index.documents())
    runs = write_fake_run(tmp_path_factory.mktemp("browser-eval")).parent
    env = app_env(BRIEF_DATA_DIR=str(data_dir), BRIEF_RUNS_DIR=str(runs))
    log = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    with running_app(free_port(), env, log) as url:
        yield Server(url, documents, data_dir)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup-test` to install chromium")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=path, full_page=True, animations="disabled")
    assert path.stat().st_size > 0
    return path


# Records every chat message the page removes from the DOM (a message redrawn from scratch).
WATCH_REMOVED_MESSAGES = """() => {
  window.removedMessages = 0;
  new MutationObserver(records => {
    for (const record of records) for (const node of record.removedNodes) {
      if (node.nodeType === 1 && (node.matches('[data-testid=stChatMessage]')
          || node.querySelector('[data-testid=stChatMessage]'))) window.removedMessages += 1;
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


def test_chat_answer_with_sources_and_exports(
    server: Server, page: Page, capsys: pytest.CaptureFixture[str]
) -> None:
    page.goto(server.url)
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_editable()
    page.evaluate(WATCH_REMOVED_MESSAGES)
    box.fill(QUESTION)
    started = time.perf_counter()
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    sources = answer.get_by_test_id("stColumn").nth(1)
    first_card = sources.get_by_text(re.compile(r"^\[1\] "))
    first_card.wait_for(state="visible")
    first_answer_s = time.perf_counter() - started
    expect(answer.get_by_text("Copy for brief")).to_be_visible()
    with capsys.disabled():
        print(f"\nfirst answer on screen: {first_answer_s:.2f} s after Enter")
    # The rerun that enables the input again keeps the answer on screen as it is: an expander
    # opened in the meantime would be redrawn shut if the messages were redrawn.
    expect(box).to_be_editable()
    assert page.evaluate("window.removedMessages") == 0

    # The answer quotes the fact sheet; a card holds the quote, the issuer and the date.
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    expect(answer.get_by_test_id("stColumn").nth(0)).to_contain_text("Singapore")
    cards = [
        text
        for text in sources.get_by_test_id("stLayoutWrapper").all_inner_texts()
        if re.match(r"\[\d+\] ", text.strip())
    ]
    assert cards, "no source cards"
    assert any("Singapore" in c and "The White House" in c for c in cards), cards
    assert answer.get_by_role("link", name="Open source").count() >= 1
    for href in answer.get_by_role("link", name="Open source").evaluate_all(
        "links => links.map(a => a.href)"
    ):
        assert href.startswith(("https://", "http://")), href
    assert re.search(r"[?&]c=[\w-]+", page.url), page.url  # the conversation is in the URL
    # The page scrolls to the newest message; show the question and the top of the answer.
    page.get_by_test_id("stChatMessage").first.evaluate("m => m.scrollIntoView({block: 'start'})")
    shot = screenshot(page, "chat-with-sources.png")

    # Copy for brief: Markdown with footnotes, and the .docx with real footnotes.
    answer.get_by_text("Copy for brief").click()
    code = answer.get_by_test_id("stCode")
    expect(code).to_be_visible()
    assert "[^1]:" in code.inner_text()
    with page.expect_download() as download_info:
        answer.get_by_test_id("stDownloadButton").get_by_role("button").click()
    download = download_info.value
    assert download.suggested_filename == "brief-answer.docx"
    data = Path(download.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        assert "word/footnotes.xml" in docx.namelist()
        footnotes = docx.read("word/footnotes.xml").decode("utf-8")
    assert "Joint Fact Sheet" in footnotes
    assert shot.is_file()


def test_a_follow_up_answers_below_and_leaves_the_first_answer_in_place(
    server: Server, page: Page
) -> None:
    page.goto(server.url)
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_editable()
    box.fill(QUESTION)
    box.press("Enter")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.nth(1).get_by_text("Copy for brief")).to_be_visible()
    expect(box).to_be_editable()
    messages.nth(1).get_by_text("Copy for brief").click()  # opened, it must stay open
    expect(messages.nth(1).get_by_test_id("stCode")).to_be_visible()
    page.evaluate(WATCH_REMOVED_MESSAGES)
    box.fill("And what did it say about shipbuilding?")
    box.press("Enter")
    expect(messages).to_have_count(4)
    expect(messages.nth(3).get_by_text("Copy for brief")).to_be_visible()
    expect(box).to_be_editable()
    expect(messages.nth(3).get_by_test_id("stColumn").nth(0)).to_contain_text("shipbuilding")
    assert page.evaluate("window.removedMessages") == 0
    expect(messages.nth(1).get_by_test_id("stCode")).to_be_visible()


UPLOAD = """---
title: "Communique on Lighthouse Maintenance"
issuer: "Coast Guard of Ruritania"
date: 2024-05-06
kind: communique
---

The coast guard will repaint the lighthouse at Cape Orm every four years.
"""


def test_corpus_page_lists_and_ingests(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/corpus")
    expect(page.get_by_role("heading", name="Corpus")).to_be_visible()
    counts = re.compile(rf"^{server.documents} documents, \d+ chunks$")
    expect(page.get_by_text(counts)).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()

    uploader = page.get_by_test_id("stFileUploader")
    upload: FilePayload = {
        "name": "lighthouse.md",
        "mimeType": "text/markdown",
        "buffer": UPLOAD.encode(),
    }
    uploader.locator("input[type=file]").set_input_files(files=[upload])
    page.get_by_role("button", name="Ingest").click()
    expect(page.get_by_text("1 files ingested.")).to_be_visible()
    assert (server.data_dir / "uploads" / "lighthouse.md").is_file()
    screenshot(page, "corpus.png")


def test_evaluation_page_shows_the_run(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/evaluation")
    expect(page.get_by_role("heading", name="Evaluation")).to_be_visible()
    expect(page.get_by_role("heading", name="Questions that failed (1)")).to_be_visible()
    expect(page.get_by_text("When do the joint herring patrols start?")).to_be_visible()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    with AuditLog(app_db_path(server.data_dir)) as log:
        answered = log.count()  # the answers the earlier tests of this module asked for
    # The scores, the categories, and the audit trail's latest answers when there are any.
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2 + (answered > 0))
    screenshot(page, "evaluation.png")


COMPARISONS = [
    "How has the wording on denuclearization changed since 2018?",
    "Compare what the 2021 and 2022 U.S.-ROK leaders' statements said on Myanmar.",
    "How has the wording on the Taiwan Strait changed between 2021 and 2025?",
]


@pytest.mark.parametrize("n", range(len(COMPARISONS)))
def test_a_comparison_shows_dated_quotes_and_the_word_diff(
    server: Server, page: Page, n: int
) -> None:
    page.goto(server.url)
    box = page.get_by_test_id("stChatInputTextArea")
    expect(box).to_be_editable()
    box.fill(COMPARISONS[n])
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_text("Copy for brief")).to_be_visible()
    changes = answer.get_by_text("What changed between statements")
    expect(changes).to_be_visible()
    shown = answer.get_by_test_id("stExpander").first.inner_text()
    assert re.search(r"\[\d+\] → \[\d+\]", shown), shown
    # Dropped words are struck through; the cards name each quoted statement and its date.
    assert answer.locator("del, s").count() >= 1
    sources = answer.get_by_test_id("stColumn").nth(1)
    quoted = answer.get_by_test_id("stColumn").nth(0).inner_text()
    last = max(int(n) for n in re.findall(r"\[(\d+)\]", quoted))
    # The cards are drawn last: wait for the card of the last citation (it may share a card).
    expect(sources.get_by_text(re.compile(rf"^(?:\[\d+\] )*\[{last}\] ")).first).to_be_visible()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:  # the cards of later statements may still be arriving
        cards = sources.inner_text()
        if len(set(re.findall(r"\b(?:19|20)\d\d\b", cards))) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(set(re.findall(r"\b(?:19|20)\d\d\b", cards))) >= 2, cards
    page.get_by_test_id("stChatMessage").first.evaluate("m => m.scrollIntoView({block: 'start'})")
    screenshot(page, f"comparison-{n + 1}.png")


def test_timeline_page_draws_the_chart_and_the_table(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/timeline")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    topic = page.get_by_label("Topic")
    topic.fill("Nuclear Consultative Group")
    topic.press("Enter")
    expect(
        page.get_by_text(re.compile(r"^\d+ statements address “Nuclear Consultative Group”"))
    ).to_be_visible()
    chart = page.get_by_test_id("stVegaLiteChart")
    expect(chart).to_be_visible()
    marks = chart.locator("svg .mark-symbol path, canvas")
    expect(marks.first).to_be_attached()
    box = chart.bounding_box()
    assert box is not None
    assert box["height"] > 100, box
    assert box["width"] > 300, box
    # Each statement's quote is readable in full below the chart; the table is one click away.
    expect(page.get_by_text(re.compile(r"^\[4\] .*Joint Fact Sheet"))).to_be_visible()
    expect(page.get_by_text("Nuclear Consultative Group", exact=False).first).to_be_visible()
    screenshot(page, "timeline.png")
    page.get_by_text("As a table").click()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
