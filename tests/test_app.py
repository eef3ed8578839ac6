"""The chat app through Streamlit's AppTest, on a real store of the sample corpus.

The corpus and evaluation pages are functions given to ``st.navigation``; ``AppTest.switch_page``
only reaches page *files*, so ``open_page`` asks for the page by the hash ``st.navigation`` keys
it with (the hash of its ``url_path``). Tests that need a store of their own (uploads, hostile
documents) clear ``st.cache_resource`` so the app reopens the store named by ``BRIEF_DATA_DIR``,
and clear it again afterwards so later tests get the session store back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from brief.state.audit import AuditLog
from brief.state.conversations import ConversationStore
from brief.state.engine import app_db_path
from brief.state.feedback import FeedbackStore
from core.settings import Settings
from eval.baselines import SystemAnswer
from eval.questions import GoldPassage, Question
from eval.runner import run as run_eval
from eval.runs import write_run_info
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex, open_index
from tests.conftest import APP

USER = "local"  # the app's user without OpenID Connect login
SINGAPORE = "What did the joint fact sheet say about Singapore?"
FACT_SHEET_DOC = "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md"


@pytest.fixture
def store_app(
    small_corpus: Path,
    small_settings: Settings,
    embeddings: OnnxMiniLMEmbeddings,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[dict[str, str]], AppTest]]:
    """The app on a fresh store of ``small_corpus`` plus the given files (name: text)."""

    def start(extra: dict[str, str]) -> AppTest:
        for name, text in extra.items():
            (small_corpus / name).write_text(text, encoding="utf-8")
        with open_index(small_settings, embeddings) as index:
            assert not ingest_paths(index, [small_corpus]).errors
        monkeypatch.setenv("BRIEF_DATA_DIR", str(small_settings.data_dir))
        st.cache_resource.clear()  # the app opens the store once per process
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception
        return at

    yield start
    st.cache_resource.clear()  # the next test's app reopens the session store


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Run one of the app's callable pages (``st.Page(fn, url_path=...)``)."""
    at._page_hash = calc_hash(url_path)
    at.run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.text]
    parts += [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _plain(markdown: str) -> str:
    """Markdown with its backslash escapes undone: the text a reader sees (the invisible word
    joiners that keep bare addresses from becoming links dropped)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


_CARD_TITLE = re.compile(r"\*\*((?:\\\[\d+\\\] )+)(.*)\*\*", re.DOTALL)


def _cards(at: AppTest) -> list[tuple[list[int], str]]:
    """The source cards' numbers and titles (``**[n] [m] title**``), as shown."""
    cards = []
    for m in at.markdown:
        found = _CARD_TITLE.fullmatch(m.value)
        if found:
            numbers = [int(n) for n in re.findall(r"\d+", found.group(1))]
            cards.append((numbers, _plain(found.group(2))))
    return cards


def _card_titles(at: AppTest) -> list[str]:
    """Titles of the source cards, as shown."""
    return [title for _, title in _cards(at)]


def _sidebar_multiselect(at: AppTest, label: str) -> Any:
    return next(m for m in at.sidebar.multiselect if m.label == label)


def _stored_answers(data_dir: Path, conversation_id: str) -> list[Any]:
    """The answers the app kept for a conversation, read from its SQLite file."""
    with ConversationStore(app_db_path(data_dir)) as store:
        return [t.answer for t in store.turns(conversation_id, USER) if t.answer is not None]


def test_question_gets_quoted_answer_with_sources(app: AppTest, corpus_settings: Settings) -> None:
    question = "What did the joint fact sheet say about Singapore?"
    app.chat_input[0].set_value(question).run()
    assert not app.exception
    with AuditLog(app_db_path(corpus_settings.data_dir)) as log:
        (audited,) = log.records(limit=1)  # the answer just given, in the audit trail
    assert (audited.user_id, audited.question, audited.refused) == (USER, question, False)
    assert audited.citations
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
    assert [e.label for e in app.expander] == ["Copy for brief"]  # a first question: as asked
    follow_up = "And how much did the U.S. give COVAX, according to it?"
    app.chat_input[0].set_value(follow_up).run()
    assert not app.exception
    assert len(app.chat_message) == 4
    assert "4 billion" in _texts(app)
    # Only the follow-up was searched differently, and its search carries the first question.
    assert "Question as searched" not in [e.label for e in app.chat_message[1].expander]
    searched = [e for e in app.chat_message[3].expander if e.label == "Question as searched"]
    assert len(searched) == 1
    searched_as = searched[0].text[0].value
    assert searched_as != follow_up
    assert "COVAX" in searched_as
    assert "vaccines" in searched_as or "Biden" in searched_as


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


# ---------------------------------------------------------------- chat: sources, exports, reload


def test_answer_has_source_cards_exports_and_survives_a_reload(
    app: AppTest, corpus_settings: Settings
) -> None:
    app.chat_input[0].set_value(SINGAPORE).run()
    assert not app.exception
    assistant = app.chat_message[1]
    assert "Singapore" in _plain(assistant.markdown[0].value)
    # Source cards: "[n] title" in bold, then a caption with issuer and date.
    titles = _card_titles(app)
    assert titles
    assert any("Joint Fact Sheet" in t for t in titles)
    captions = [_plain(c.value) for c in assistant.caption]
    assert any("The White House" in c and "November 13, 2025" in c for c in captions)
    # The brief exports: Markdown with footnotes, and a .docx download.
    assert [e.label for e in assistant.expander] == ["Copy for brief"]
    code = assistant.expander[0].code[0].value
    assert re.search(r"\[\^1\]", code.split("\n\n")[0])  # marker in the text
    assert "\n[^1]: " in code  # and its footnote
    downloads = assistant.download_button
    assert [d.label for d in downloads] == ["Download .docx (footnotes)"]
    assert downloads[0].proto.url.endswith(".docx")

    # The conversation lives on the server; the URL names it.
    cid = app.query_params.get("c")
    assert isinstance(cid, str)
    assert cid
    stored = _stored_answers(corpus_settings.data_dir, cid)
    assert [a.question for a in stored] == [SINGAPORE]

    reloaded = AppTest.from_file(APP, default_timeout=60)
    reloaded.query_params["c"] = cid
    reloaded.run()
    assert not reloaded.exception
    assert len(reloaded.chat_message) == 2
    assert reloaded.chat_message[0].text[0].value == SINGAPORE
    assert _card_titles(reloaded) == titles
    assert reloaded.query_params.get("c") == cid

    # An unknown id starts afresh instead of showing anything.
    stranger = AppTest.from_file(APP, default_timeout=60)
    stranger.query_params["c"] = "no-such-conversation"
    stranger.run()
    assert not stranger.exception
    assert len(stranger.chat_message) == 0
    assert "c" not in stranger.query_params


# ---------------------------------------------------------------- filters


def test_kind_filter_restricts_the_citations(
    app: AppTest, corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    docs = corpus_index.documents()
    fact_sheets = {d for d, e in docs.items() if e.meta.kind == "fact sheet"}
    assert len(fact_sheets) >= 2
    _sidebar_multiselect(app, "Kind").set_value(["fact sheet"]).run()
    app.chat_input[0].set_value("What was agreed about shipbuilding and investment?").run()
    assert not app.exception
    assert _plain(app.chat_message[1].caption[0].value).startswith("Searched: kind: fact sheet ·")
    titles = _card_titles(app)
    assert titles
    assert set(titles) <= {docs[d].meta.title for d in fact_sheets}
    (answer,) = _stored_answers(corpus_settings.data_dir, app.query_params["c"])
    assert answer.citations
    assert {c.doc_id for c in answer.citations} <= fact_sheets


def test_document_filter_restricts_the_citations(
    app: AppTest, corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    _sidebar_multiselect(app, "Document").set_value([FACT_SHEET_DOC]).run()
    # Unfiltered, this question is answered from the 2018 Singapore statement and others.
    app.chat_input[0].set_value("What did the leaders commit to on denuclearization?").run()
    assert not app.exception
    caption = _plain(app.chat_message[1].caption[0].value)
    assert caption.startswith(f"Searched: documents: {FACT_SHEET_DOC} ·")
    title = corpus_index.documents()[FACT_SHEET_DOC].meta.title
    titles = _card_titles(app)
    assert titles
    assert set(titles) == {title}
    (answer,) = _stored_answers(corpus_settings.data_dir, app.query_params["c"])
    assert answer.citations
    assert {c.doc_id for c in answer.citations} == {FACT_SHEET_DOC}


def test_source_card_shows_no_stray_markdown_markers(
    store_app: Callable[[dict[str, str]], AppTest],
) -> None:
    at = store_app({})
    at.chat_input[0].set_value("How much will the herring quota be cut?").run()
    paragraphs = [_plain(m.value) for m in at.markdown if ":orange-background[" in m.value]
    assert any("herring quota" in p for p in paragraphs)
    lead_in = next(p for p in paragraphs if "herring quota" in p)
    assert lead_in.startswith("SUSTAINABLE FISHERIES: ")
    assert "*" not in lead_in


LIGHTHOUSE = """---
title: "Notice on the Cape Orm Lighthouse"
issuer: "Coast Guard of Ruritania"
date: 2024-05-06
kind: notice
---

The coast guard will repaint the lighthouse at Cape Orm every four years. The lighthouse at \
Cape Orm will get a new lamp in 2025. Visitors may tour the Cape Orm lighthouse on Sundays.
"""


def test_quotes_from_one_paragraph_share_a_card(
    store_app: Callable[[dict[str, str]], AppTest],
) -> None:
    at = store_app({"lighthouse.md": LIGHTHOUSE})
    at.chat_input[0].set_value("What did the notice say about the Cape Orm lighthouse?").run()
    assert not at.exception
    cards = _cards(at)
    numbers = [n for ns, _ in cards for n in ns]
    assert numbers == list(range(1, len(numbers) + 1))  # every citation on a card, in order
    shared = [ns for ns, _ in cards if len(ns) > 1]
    assert shared, cards  # the notice's sentences come from one paragraph: one card
    paragraph = next(
        _plain(m.value) for m in at.markdown if m.value.count(":orange-background[") > 1
    )
    assert paragraph.count("[") >= 2 * len(shared[0])  # each quote highlighted and numbered
    assert f"] [{shared[0][1]}]" in paragraph


def test_a_topic_that_is_also_the_title_is_not_refused(
    store_app: Callable[[dict[str, str]], AppTest],
) -> None:
    # "Cape Orm lighthouse" names the notice (its title) and is also what the question is about.
    at = store_app({"lighthouse.md": LIGHTHOUSE})
    at.chat_input[0].set_value("What is planned for the Cape Orm lighthouse?").run()
    assert not at.exception
    text = _texts(at)
    assert "do not answer this question" not in text
    assert "will get a new lamp in 2025" in text


# ---------------------------------------------------------------- feedback


@pytest.mark.parametrize(("thumb", "rating"), [(1, 1), (0, -1)])
def test_feedback_is_stored_with_question_rating_and_comment(
    app: AppTest, corpus_settings: Settings, thumb: int, rating: int
) -> None:
    app.chat_input[0].set_value(SINGAPORE).run()
    cid = app.query_params["c"]
    assert len(app.feedback) == 1
    assert not app.text_input  # the comment box comes with a rating
    app.feedback[0].set_value(thumb).run()
    comment = f"Rated {thumb}: check the date of the second quote."
    app.text_input(key=f"comment-{cid}-1").set_value(comment).run()
    app.button(key=f"send-{cid}-1").click().run()
    assert not app.exception
    assert "Thanks: feedback recorded." in [c.value for c in app.caption]
    assert not app.feedback  # one rating per answer

    with FeedbackStore(app_db_path(corpus_settings.data_dir)) as store:
        mine = [r for r in store.records(USER) if r.conversation_id == cid]
    assert len(mine) == 1
    record = mine[0]
    assert record.question == SINGAPORE
    assert record.rating == rating
    assert record.comment == comment
    assert record.citations
    assert record.answer_text == _stored_answers(corpus_settings.data_dir, cid)[0].text


# ---------------------------------------------------------------- corpus page


def test_corpus_page_lists_every_document(app: AppTest, corpus_index: StatementIndex) -> None:
    open_page(app, "corpus")
    assert [h.value for h in app.header] == ["Corpus"]
    docs = corpus_index.documents()
    table = app.dataframe[0].value
    assert len(table) == len(docs)
    assert set(table["document"]) == set(docs)
    assert app.caption[0].value.startswith(f"{len(docs)} documents, ")
    assert not app.chat_input  # not the chat page
    assert app.file_uploader[0].allowed_type == [
        ".md",
        ".markdown",
        ".txt",
        ".html",
        ".htm",
        ".pdf",
        ".docx",
    ]


UPLOADED = """---
title: "Communique on Lighthouse Maintenance"
issuer: "Coast Guard of Ruritania"
date: 2024-05-06
kind: communique
---

The coast guard will repaint the lighthouse at Cape Orm every four years.
"""


def test_corpus_page_uploads_ingests_and_removes(
    store_app: Callable[[dict[str, str]], AppTest], small_settings: Settings, tmp_path: Path
) -> None:
    at = open_page(store_app({}), "corpus")
    assert len(at.dataframe[0].value) == 2
    at.file_uploader[0].set_value(
        [
            ("../../lighthouse notice.md", UPLOADED.encode(), "text/markdown"),
            ("empty.txt", b"", "text/plain"),
        ]
    ).run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["1 of 2 files could not be ingested."]
    report = at.dataframe[1].value.to_dict("records")
    assert [(r["file"], r["status"]) for r in report] == [
        ("../../lighthouse notice.md", "added"),
        ("empty.txt", "error"),
    ]
    # Saved under the store's uploads folder with a plain name; a failed file is not kept.
    uploads = small_settings.data_dir / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["lighthouse-notice.md"]
    assert not list(tmp_path.rglob("lighthouse notice.md"))

    at.run()
    table = at.dataframe[0].value
    assert "lighthouse-notice.md" in set(table["document"])
    assert len(table) == 3

    assert [s.label for s in at.selectbox] == ["Document"]
    at.selectbox[0].set_value("lighthouse-notice.md").run()
    next(b for b in at.button if b.label == "Remove").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Removed lighthouse-notice.md (")
    assert not (uploads / "lighthouse-notice.md").exists()
    at.run()
    assert set(at.dataframe[0].value["document"]) == {
        "2021-03-04-fisheries.md",
        "2023-09-10-river.md",
    }


def test_corpus_page_lists_a_new_document_right_after_ingest(
    store_app: Callable[[dict[str, str]], AppTest],
) -> None:
    at = open_page(store_app({}), "corpus")
    at.file_uploader[0].set_value(("lighthouse.md", UPLOADED.encode(), "text/markdown")).run()
    next(b for b in at.button if b.label == "Ingest").click().run()
    assert at.success[0].value == "1 files ingested."
    assert at.caption[0].value.startswith("3 documents, ")
    assert "lighthouse.md" in set(at.dataframe[0].value["document"])


# ---------------------------------------------------------------- evaluation page

EVAL_DOC = "The ministers agreed to cut the herring quota by 12 percent. Patrols begin in May."
QUOTA = "The ministers agreed to cut the herring quota by 12 percent."


def write_fake_run(root: Path) -> Path:
    """A finished run of three questions in the layout ``brief eval`` writes; one fails."""
    gold = [GoldPassage(doc="a.md", quote="cut the herring quota by 12 percent")]
    questions = [
        Question(
            id="q-quota",
            question="By how much will the herring quota be cut?",
            category="single_doc",
            answerable=True,
            gold=gold,
            key_facts=[["12 percent"]],
        ),
        Question(
            id="q-patrol",
            question="When do the joint herring patrols start?",
            category="single_doc",
            answerable=True,
            gold=[GoldPassage(doc="a.md", quote="Patrols begin in May")],
            key_facts=[["May"]],
        ),
        Question(
            id="q-weather",
            question="What will the weather be in Marrow tomorrow?",
            category="unanswerable",
            answerable=False,
        ),
    ]
    qfile = root / "questions.yaml"
    qfile.write_text(
        yaml.safe_dump([q.model_dump(mode="json") for q in questions]), encoding="utf-8"
    )

    def ask(q: Question) -> SystemAnswer:
        if q.id == "q-quota":
            return SystemAnswer(
                text=f"“{QUOTA}” [1]", citations=[("a.md", QUOTA)], retrieved=[("a.md", EVAL_DOC)]
            )
        return SystemAnswer(text="The statements do not say.", refused=True)

    run_dir = root / "runs" / "20261128T100000Z-questions-pipeline-test"
    run_eval(ask, questions, {"a.md": EVAL_DOC}, run_dir)
    write_run_info(
        run_dir,
        {
            "started_utc": "2026-11-28T10:00:00+00:00",
            "questions_file": str(qfile),
            "questions": len(questions),
            "documents": 1,
            "systems": ["pipeline"],
            "config": {"answerer": "extractive"},
        },
    )
    return run_dir


def test_evaluation_page_shows_scores_categories_and_failures(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = write_fake_run(tmp_path)
    scores = json.loads((run_dir / "scores.json").read_text(encoding="utf-8"))
    monkeypatch.setenv("BRIEF_RUNS_DIR", str(run_dir.parent))
    open_page(app, "evaluation")
    assert [h.value for h in app.header] == ["Evaluation"]
    assert not app.info
    assert app.selectbox[0].label == "Run"
    assert run_dir.name in app.selectbox[0].format_func(app.selectbox[0].value)

    overall = app.dataframe[0].value.to_dict("records")
    assert [r["system"] for r in overall] == ["pipeline"]
    assert overall[0]["hit@5"] == round(scores["overall"]["hit@5"], 3)
    assert overall[0]["refusal recall"] == 1.0
    categories = app.dataframe[1].value.to_dict("records")
    assert [(r["category"], r["questions"]) for r in categories] == [
        ("single_doc", 2),
        ("unanswerable", 1),
    ]

    subheaders = [s.value for s in app.subheader]
    assert "By category" in subheaders
    assert "Questions that failed (1)" in subheaders
    failed = [_plain(e.label) for e in app.expander]
    assert failed == ["q-patrol · single_doc · When do the joint herring patrols start?"]
    assert "refused an answerable question" in _plain(app.expander[0].caption[0].value)


def test_evaluation_page_without_runs_says_so(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-runs-yet"
    empty.mkdir()
    monkeypatch.setenv("BRIEF_RUNS_DIR", str(empty))
    open_page(app, "evaluation")
    assert [i.value for i in app.info] == [f"No evaluation runs in {empty}. Run `make eval`."]
    assert not app.selectbox
    assert "Feedback" in [s.value for s in app.subheader]


# ---------------------------------------------------------------- safe rendering

HOSTILE = """---
title: "Harbour notice <script>alert(1)</script> [click](javascript:alert(1))"
issuer: "Port Authority of Grelling ![x](http://evil.example/i.png)"
date: 2022-02-02
kind: notice
source_url: "javascript:alert(1)"
---

The harbour of Grelling closes for dredging on 3 March <script>alert(1)</script> until 12 March.

Ships may anchor ![x](http://evil.example/a.png) outside the harbour of Grelling meanwhile.

The dredging schedule for Grelling is posted at [click](javascript:alert(1)) by the port authority.
"""


def _unescaped(markdown: str) -> str:
    """What Markdown would parse as syntax: every backslash-escaped character blanked out."""
    return re.sub(r"\\.", "\x00", markdown, flags=re.DOTALL)


def test_document_text_never_renders_as_markup_or_links(
    store_app: Callable[[dict[str, str]], AppTest], small_settings: Settings
) -> None:
    at = store_app({"2022-02-02-grelling.md": HOSTILE})
    # Two quotes, each with hostile markup; the document's image link stands in its issuer.
    at.chat_input[0].set_value("What does the Grelling harbour notice say about dredging?").run()
    assert not at.exception
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    rendered += [e.label for e in at.expander]
    shown = "\n".join(_plain(m) for m in rendered)
    # The hostile text reached the page (so the checks below are not vacuous)...
    assert "<script>alert(1)</script>" in shown
    assert "[click](javascript:alert(1))" in shown
    assert "![x](http://evil.example/" in shown
    # ...but only escaped: no raw HTML, no link or image syntax.
    for markdown in rendered:
        syntax = _unescaped(markdown)
        assert "<" not in syntax, markdown
        assert "![" not in syntax, markdown
        assert "](" not in syntax, markdown
    assert not any(m.proto.allow_html for m in at.markdown)
    assert not any(c.proto.allow_html for c in at.caption)
    # Links only to http(s) sources; the document's javascript: URL gets no button.
    urls = [b.proto.url for b in at.link_button]
    assert all(re.match(r"https?://", u) for u in urls), urls
    # Copy for brief is plain text in a code block, as the document wrote it, its markup escaped:
    # pasted into a Markdown editor it links nothing (issue 17).
    assert "\\<script\\>alert(1)\\</script\\>" in at.code[0].value
    assert "\\[click\\](javascript:alert(1))" in at.code[0].value

    # Ingest drops non-http(s) source URLs, so only a tampered or older store holds one: the
    # app still links to none of them when it shows such a stored answer.
    (answer,) = _stored_answers(small_settings.data_dir, at.query_params["c"])
    assert len(answer.citations) >= 2
    bad = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"]
    good = "https://port.example/notice"
    citations = [
        c.model_copy(update={"source_url": good if i % 2 else bad[i // 2 % 2]})
        for i, c in enumerate(answer.citations)
    ]
    with ConversationStore(app_db_path(small_settings.data_dir)) as store:
        cid = store.create(USER)
        store.append(cid, USER, "user", answer.question)
        tampered = answer.model_copy(update={"citations": citations})
        store.append(cid, USER, "assistant", answer.text, tampered)
    reloaded = AppTest.from_file(APP, default_timeout=60)
    reloaded.query_params["c"] = cid
    reloaded.run()
    assert not reloaded.exception
    assert len(_card_titles(reloaded)) == len(citations)
    assert [b.proto.url for b in reloaded.link_button] == [good] * (len(citations) // 2)


def test_app_source_never_allows_html() -> None:
    pages = sorted((Path(APP).parent / "brief" / "web").glob("*.py"))
    assert pages, "the app's pages moved: point this test at them"
    source = "\n".join(p.read_text(encoding="utf-8") for p in [Path(APP), *pages])
    assert "unsafe_allow_html" not in source
    assert "st.html(" not in source
    assert "components.v1" not in source


def test_comparison_shows_what_changed_between_statements(app: AppTest) -> None:
    app.chat_input[0].set_value("How has the wording on denuclearization changed since 2021?").run()
    assert not app.exception
    assert any(e.label == "What changed between statements" for e in app.expander)
    diffs = [str(m.value) for m in app.markdown if "→" in str(m.value)]
    assert diffs
    assert any(":green-background[" in d or ":red-background[" in d for d in diffs)


def test_an_unexpected_error_shows_one_line_and_is_logged_redacted(
    app: AppTest, corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brief.service import BriefingService

    secret = "sk-" + "T3stSecretValue" * 2
    monkeypatch.setenv("BRIEF_LLM_API_KEY", "an-api-key-from-the-environment")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"upstream refused Bearer abcdefghijklmnop, key {secret}, "
            "env an-api-key-from-the-environment"
        )

    monkeypatch.setattr(BriefingService, "stream", broken)
    app.chat_input[0].set_value(SINGAPORE).run()
    assert not app.exception  # no traceback element on the page
    shown = [e.value for e in app.error]
    assert any("Something went wrong (RuntimeError)" in e for e in shown), shown
    assert not any(s in e for e in shown for s in ("Traceback", secret, "abcdefghijklmnop"))
    log = (corpus_settings.data_dir / "logs" / "errors.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log
    assert "Traceback" in log
    for leaked in (secret, "abcdefghijklmnop", "an-api-key-from-the-environment"):
        assert leaked not in log
