"""The chat app: quoted answers with their sources beside them; corpus and evaluation pages.

Thin over the core: answering is ``BriefingService``, history and feedback live in SQLite beside
the store (``brief.conversations``, ``brief.feedback``), exports are ``brief.export``.
Document and model text is always escaped: nothing renders as HTML, links only to http(s) sources.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from brief.access import (
    LOCAL_USER,
    RateLimiter,
    User,
    scoped,
    user_from_claims,
)
from brief.conversations import ConversationStore, app_db_path
from brief.export import answer_docx
from brief.feedback import FeedbackStore
from brief.service import BriefingService, Mode
from core.audience import check_audience
from core.errors import BriefError
from core.models import UNSUPPORTED_MARK, Answer, Chunk, Citation, Filters, WordingChange
from core.settings import load_settings
from retrieval.answer.timeline import Timeline
from retrieval.search.plan import Turn
from retrieval.store.index import StatementIndex, connect

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

UPLOAD_TYPES = ["md", "markdown", "txt", "html", "htm", "pdf", "docx"]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"\*\*|__")


# ---------------------------------------------------------------- resources


@st.cache_resource(show_spinner="Opening the statement store…")
def get_service() -> BriefingService:
    """One open store and service per app process."""
    return BriefingService(connect(load_settings()))


@st.cache_resource
def get_stores() -> tuple[ConversationStore, FeedbackStore]:
    """Conversation history and feedback, durable, beside the store."""
    path = app_db_path(get_service().settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return ConversationStore(path), FeedbackStore(path)


@st.cache_resource
def get_limiter() -> RateLimiter:
    """Questions per user per minute, shared by every session of this process."""
    return RateLimiter(get_service().settings.rate_limit_per_minute)


def auth_configured() -> bool:
    """Whether the OpenID Connect login is configured (``[auth]`` in secrets.toml)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError):
        return False


def current_user() -> User | None:
    """The signed-in user (login configured), the single local user (not), or None."""
    if not auth_configured():
        return LOCAL_USER
    if not st.user.is_logged_in:
        return None
    settings = get_service().settings
    return user_from_claims(
        st.user.to_dict(), settings.auth_groups_claim, settings.auth_admin_group
    )


def signed_in_user() -> User:
    """The current user; every page runs after the login gate in ``main``."""
    user = current_user()
    if user is None:  # pragma: no cover - main() stops logged-out sessions first
        st.stop()
        raise RuntimeError("not signed in")
    return user


@st.cache_resource(show_spinner=False, max_entries=256)
def _scoped_service(scope_key: str, groups: tuple[str, ...]) -> BriefingService:
    base = get_service()
    return BriefingService(scoped(base.index, User(id=scope_key, groups=frozenset(groups))))


def service_for(user: User) -> BriefingService:
    """The answering service over what ``user`` may see (one per distinct set of groups)."""
    if user.all_access:
        return get_service()
    return _scoped_service(user.scope_key, tuple(sorted(user.groups)))


# ---------------------------------------------------------------- safe text


def escape(text: str) -> str:
    """Escape Markdown so document text never renders as markup, links or images."""
    for ch in "\\`*_{}[]()#+-.!|<>~:$":
        text = text.replace(ch, "\\" + ch)
    return text


def answer_markdown(text: str) -> str:
    """Answer text as safe Markdown, with unsupported sentences visibly flagged."""
    return escape(text).replace(escape(UNSUPPORTED_MARK), ":orange-badge[unsupported]")


def safe_url(url: str) -> str | None:
    """The URL when it is http(s), else None (no javascript:, data: or file: links)."""
    return url if re.match(r"^https?://[^\s]+$", url or "") else None


# ---------------------------------------------------------------- answer rendering


def quote_paragraph(answer: Answer, c: Citation) -> tuple[Chunk, int, int] | None:
    """The passage holding a quote, and the line (paragraph or list item) around it."""
    for p in answer.passages:
        chunk = p.chunk
        if chunk.doc_id != c.doc_id or not (chunk.start <= c.start < chunk.end):
            continue
        lo, hi = c.start - chunk.start, min(c.end, chunk.end) - chunk.start
        if chunk.text[lo:hi] != c.quote:
            return None
        para_lo = chunk.text.rfind("\n", 0, lo) + 1
        para_hi = chunk.text.find("\n", hi)
        return chunk, para_lo, len(chunk.text) if para_hi < 0 else para_hi
    return None


def card_groups(answer: Answer) -> list[list[Citation]]:
    """The citations, with consecutive quotes from one paragraph on one card."""
    groups: list[list[Citation]] = []
    last: tuple[str, int, int] | None = None
    for c in answer.citations:
        found = quote_paragraph(answer, c)
        where = (c.doc_id, found[0].start + found[1], found[0].start + found[2]) if found else None
        if groups and where is not None and where == last and c.start >= groups[-1][-1].end:
            groups[-1].append(c)
        else:
            groups.append([c])
        last = where
    return groups


def _plain_text(text: str) -> str:
    return escape(" ".join(_EMPHASIS.sub("", text).split()))


def highlighted_paragraph(answer: Answer, group: list[Citation]) -> str:
    """The paragraph around a card's quotes, escaped, each quote highlighted and numbered."""
    found = quote_paragraph(answer, group[0])
    if found is None:
        return " ".join(f":orange-background[{escape(' '.join(c.quote.split()))}]" for c in group)
    chunk, para_lo, para_hi = found
    pieces = []
    cursor = para_lo
    for c in sorted(group, key=lambda c: c.start):
        lo, hi = c.start - chunk.start, min(c.end, chunk.end) - chunk.start
        before = chunk.text[cursor:lo]
        if cursor == para_lo:
            before = _LIST_MARK.sub("", before)
        pieces.append(_plain_text(before))
        mark = f" \\[{c.n}\\]" if len(group) > 1 else ""
        pieces.append(f":orange-background[{escape(' '.join(c.quote.split()))}]{mark}")
        cursor = hi
    pieces.append(_plain_text(chunk.text[cursor:para_hi]))
    return " ".join(x for x in pieces if x)


def change_markdown(change: WordingChange) -> str:
    """A word-level diff as safe Markdown: added words green, dropped words struck through."""

    def styled(op: str, text: str) -> str:
        if op == "+":
            return f":green-background[{text}]"
        if op == "-":
            return f":red-background[~~{text}~~]"
        return text

    body = " ".join(styled(p.op, escape(p.text)) for p in change.pieces)
    return f"**\\[{change.before}\\] → \\[{change.after}\\]** {body}"


def render_sources(answer: Answer) -> None:
    """A card per quoted paragraph: title, issuer, date, section, the quotes highlighted."""
    if answer.refused:
        if answer.passages:
            st.caption("Closest passages (not an answer):")
            for p in answer.passages[:3]:
                meta = p.chunk.meta
                with st.container(border=True):
                    st.markdown(f"**{escape(meta.title)}**")
                    st.caption(escape(f"{meta.issuer} · {meta.date_label()}"))
                    st.text(p.chunk.text[:400] + ("…" if len(p.chunk.text) > 400 else ""))
        return
    for group in card_groups(answer):
        c = group[0]
        with st.container(border=True):
            numbers = " ".join(f"\\[{x.n}\\]" for x in group)
            st.markdown(f"**{numbers} {escape(c.title)}**")
            parts = (c.issuer, c.date_label, c.section, c.location)
            st.caption(escape(" · ".join(x for x in parts if x)))
            unsupported = [f"\\[{x.n}\\]" for x in group if not x.supported]
            if unsupported:
                which = f" ({', '.join(unsupported)})" if len(group) > 1 else ""
                st.markdown(f":orange-badge[does not support the sentence that cites it]{which}")
            st.markdown(highlighted_paragraph(answer, group))
            url = safe_url(c.source_url)
            if url:
                st.link_button("Open source", url)


def render_answer(answer: Answer, key: str) -> None:
    """An answer with its sources beside it, the brief exports and the feedback control."""
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(answer_markdown(answer.text))
        mode = answer.answerer + (f" · {answer.model}" if answer.model else "")
        st.caption(escape(f"Searched: {answer.filters.describe()} · {mode}"))
        for note in answer.notes:
            st.caption("ⓘ " + escape(note))
        if answer.changes:
            with st.expander("What changed between statements", expanded=True):
                for change in answer.changes:
                    st.markdown(change_markdown(change))
        if answer.searched_as != answer.question:
            with st.expander("Question as searched"):
                st.text(answer.searched_as)
        if not answer.refused:
            with st.expander("Copy for brief"):
                st.code(answer.to_markdown(), language="markdown")
                docx = st.session_state.setdefault("docx", {})
                if key not in docx:  # built once per answer, not on every rerun
                    docx[key] = answer_docx(answer)
                st.download_button(
                    "Download .docx (footnotes)",
                    docx[key],
                    file_name="brief-answer.docx",
                    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    key=f"docx-{key}",
                    on_click="ignore",  # a download changes nothing on the page: no rerun
                )
        render_feedback(answer, key)
    with right:
        render_sources(answer)


def render_feedback(answer: Answer, key: str) -> None:
    """Thumbs up/down with an optional comment, stored with the question and answer."""
    _, feedback = get_stores()
    sent = st.session_state.setdefault("feedback_sent", set())
    if key in sent:
        st.caption("Thanks: feedback recorded.")
        return
    rating = st.feedback("thumbs", key=f"thumbs-{key}")
    if rating is not None:
        comment = st.text_input("Comment (optional)", key=f"comment-{key}", max_chars=2000)
        if st.button("Send feedback", key=f"send-{key}"):
            feedback.record(
                signed_in_user().id,
                answer,
                1 if rating == 1 else -1,
                comment,
                st.query_params.get("c", ""),
            )
            sent.add(key)
            st.rerun()


# ---------------------------------------------------------------- pages


def sidebar_filters(service: BriefingService) -> tuple[Filters, Mode]:
    """Issuer, kind, date range and document filters, and the answerer choice."""
    filters = filter_controls(service)
    with st.sidebar:
        st.subheader("Answerer")
        mode: Mode = "extractive"
        if service.generative_available:
            mode = st.radio(
                "Answerer",
                ["extractive", "generative"],
                format_func=lambda m: "Verbatim quotes" if m == "extractive" else "Generative",
                index=0 if service.settings.answerer == "extractive" else 1,
                label_visibility="collapsed",
            )
            endpoint = service.settings.llm_base_url or "OpenAI"
            model = service.model_label or "(endpoint default)"
            st.caption(escape(f"Model: {model} at {endpoint}"))
        else:
            st.caption("Verbatim quotes. For generative answers set BRIEF_LLM_BASE_URL.")
    return filters, mode


def filter_controls(service: BriefingService) -> Filters:
    """Issuer, kind, date range and document filters in the sidebar."""
    docs = service.index.documents()
    with st.sidebar:
        st.subheader("Filters")
        issuers = st.multiselect("Issuer", sorted({e.meta.issuer for e in docs.values()}))
        kinds = st.multiselect("Kind", sorted({e.meta.kind for e in docs.values()}))
        years = sorted({e.meta.date.year for e in docs.values() if e.meta.date_known})
        date_range: tuple[int, int] | None = None
        if len(years) > 1:
            chosen = st.slider("Years", years[0], years[-1], (years[0], years[-1]))
            if chosen != (years[0], years[-1]):
                date_range = (int(chosen[0]), int(chosen[1]))
        titles = {d: f"{e.meta.date} · {e.meta.title[:60]}" for d, e in docs.items()}
        picked = st.multiselect(
            "Document", sorted(titles, key=lambda d: titles[d]), format_func=lambda d: titles[d]
        )
    return Filters(
        issuers=tuple(issuers),
        kinds=tuple(kinds),
        doc_ids=tuple(picked),
        date_from=dt.date(date_range[0], 1, 1) if date_range else None,
        date_to=dt.date(date_range[1], 12, 31) if date_range else None,
    )


def sidebar_conversations(user: str) -> None:
    """New conversation, and the user's earlier conversations."""
    conversations, _ = get_stores()
    with st.sidebar:
        st.subheader("Conversations")
        if st.button("New conversation", disabled=st.session_state.get("busy", False)):
            st.query_params.pop("c", None)
            st.rerun()
        for conv in conversations.list(user, limit=10):
            label = (conv.title or "(untitled)")[:48]
            if st.button(label, key=f"conv-{conv.id}", type="tertiary"):
                st.query_params["c"] = conv.id
                st.rerun()


def chat_page() -> None:
    """Questions in, answers with sources beside them; follow-ups use the conversation."""
    account = signed_in_user()
    service = service_for(account)
    conversations, _ = get_stores()
    user = account.id
    filters, mode = sidebar_filters(service)
    sidebar_conversations(user)
    cid = st.query_params.get("c", "")
    turns = conversations.turns(cid, user) if cid else []
    if cid and not turns:
        st.query_params.pop("c", None)  # unknown, or another user's: start afresh
        cid = ""
    # The page keeps one layout across the run that answers and the rerun after it: a slot
    # for the intro, then one message per turn, the answer in the message's first slot. The
    # answer on screen is then the same element after the rerun, so an expander opened in the
    # meantime stays open instead of being redrawn shut.
    intro = st.empty()
    if not turns:
        intro.caption(f"{len(service.index.documents())} statements indexed. Ask about them.")
    for i, turn in enumerate(turns):
        with st.chat_message(turn.role):
            if turn.role == "user" or turn.answer is None:
                st.text(turn.content)
            else:
                with st.empty().container():
                    render_answer(turn.answer, f"{cid}-{i}")
    busy = st.session_state.get("busy", False)
    question = st.chat_input("Ask about the statements…", disabled=busy)
    if question and not busy:
        st.session_state.pending = question
        st.session_state.busy = True
        st.rerun()
    pending = st.session_state.pop("pending", None) if busy else None
    if busy and pending is None:
        st.session_state.busy = False
        st.rerun()
    if pending is None:
        return
    try:
        if auth_configured():  # a shared app; local mode has one user on their own machine
            get_limiter().take(user)
    except BriefError as exc:
        st.session_state.busy = False
        st.warning(str(exc))
        return
    try:
        with st.chat_message("user"):
            st.text(pending)
        history = [
            Turn(
                role=t.role,
                content=t.content,
                doc_ids=tuple(c.doc_id for c in t.answer.citations) if t.answer else (),
            )
            for t in turns
        ]
        with st.chat_message("assistant"):
            slot = st.empty()
            answer = stream_answer(service, pending, history, filters, mode, slot)
            if answer is not None:
                if not cid:
                    cid = conversations.create(user)
                    st.query_params["c"] = cid
                conversations.append(cid, user, "user", pending)
                conversations.append(cid, user, "assistant", answer.text, answer)
                with slot.container():  # on screen now, where the rerun draws it again
                    render_answer(answer, f"{cid}-{len(turns) + 1}")
    finally:
        st.session_state.busy = False
    if answer is not None:
        st.rerun()  # enable the input again


def stream_answer(
    service: BriefingService,
    question: str,
    history: list[Turn],
    filters: Filters,
    mode: Mode,
    placeholder: DeltaGenerator,
) -> Answer | None:
    """Show tokens in ``placeholder`` as they arrive, then return the checked answer.

    None on a bad question, whose error is left in ``placeholder``.
    """
    streamed = ""
    try:
        with st.spinner("Searching the statements…"):
            for event in service.stream(question, history=history, filters=filters, answerer=mode):
                if isinstance(event, Answer):
                    placeholder.empty()
                    return event
                streamed += event
                placeholder.markdown(escape(streamed) + " ▌")
    except BriefError as exc:
        placeholder.error(str(exc))
    return None


def timeline_page() -> None:
    """A topic's statements over time: a chart (the quote in each point's tooltip) and a table.

    A page of its own rather than a chat answer: a timeline is a view of the corpus for a topic,
    with its own input, filters and chart, kept apart from the conversation's turns.
    """
    account = signed_in_user()
    service = service_for(account)
    filters = filter_controls(service)
    st.header("Timeline")
    topic = st.text_input(
        "Topic",
        key="timeline_topic",
        max_chars=200,
        placeholder="e.g. denuclearization · Nuclear Consultative Group · Taiwan Strait since 2021",
    )
    if not topic.strip():
        st.caption(
            "The statements that address a topic, oldest first, each with the sentence that "
            "shows it. Dates in the topic restrict it (“since 2021”), as do the sidebar filters."
        )
        return
    made = st.session_state.setdefault("timelines", {})
    key = f"{account.scope_key}|{topic}|{filters.model_dump_json()}"
    if key not in made:  # computed once per topic and filters, not on every rerun
        try:
            if auth_configured():
                get_limiter().take(account.id)
            made[key] = service.timeline(topic, filters)
        except BriefError as exc:
            st.error(str(exc))
            return
    render_timeline(made[key])


def render_timeline(found: Timeline) -> None:
    """The chart, each entry with its quote and citation, the brief export and a table."""
    for note in found.notes:
        st.caption("ⓘ " + escape(note))
    if not found.entries:
        st.info(
            escape(f"No indexed statement addresses “{found.topic}” ({found.filters.describe()}).")
        )
        return
    st.caption(
        escape(
            f"{len(found.entries)} statements address “{found.topic}” · {found.filters.describe()}"
            f" · {found.considered} checked"
        )
    )
    st.altair_chart(timeline_chart(found), width="stretch")
    for e in found.entries:  # readable in full, unlike a table cell
        with st.container(border=True):
            st.markdown(f"**\\[{e.n}\\] {escape(e.date_label)} · {escape(e.title)}**")
            where = e.citation().location or e.section
            st.caption(escape(" · ".join(x for x in (e.kind, e.issuer, where) if x)))
            st.markdown(f":orange-background[{escape(' '.join(e.quote.split()))}]")
            url = safe_url(e.source_url)
            if url:
                st.link_button("Open source", url)
    rows = [
        {
            "n": f"[{e.n}]",
            "date": e.date.isoformat(),
            "quote": e.quote,
            "title": e.title,
            "issuer": e.issuer,
            "kind": e.kind,
            "where": e.citation().location or e.section,
            "source": safe_url(e.source_url),
        }
        for e in found.entries
    ]
    with st.expander("Copy for brief"):
        st.code(found.to_markdown(), language="markdown")
    with st.expander("As a table"):
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={
                "quote": st.column_config.TextColumn("quote", width="large"),
                "source": st.column_config.LinkColumn("source", display_text="Open source"),
            },
        )


def timeline_chart(found: Timeline) -> Any:
    """Points on a date axis, one row per kind of statement; the quote is in the tooltip."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(
        [
            {
                "citation": f"[{e.n}]",
                "date": e.date.isoformat(),
                "title": e.title,
                "issuer": e.issuer,
                "kind": e.kind,
                "quote": e.quote,
            }
            for e in found.entries
        ]
    )
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("kind:N", title=None),
        tooltip=[
            alt.Tooltip("citation:N", title="Citation"),
            alt.Tooltip("date:T", title="Date", format="%B %-d, %Y"),
            alt.Tooltip("title:N", title="Title"),
            alt.Tooltip("issuer:N", title="Issuer"),
            alt.Tooltip("quote:N", title="Quote"),
        ],
    )
    points = base.mark_circle(size=180, opacity=0.85).encode(color=alt.Color("kind:N", legend=None))
    labels = base.mark_text(dy=-14).encode(text="citation:N")
    return (points + labels).properties(height=max(160, 60 * len({e.kind for e in found.entries})))


def corpus_page() -> None:
    """The indexed documents; upload and ingest files; remove a document."""
    from ingest.pipeline import ingest_paths, remove_documents

    user = signed_in_user()
    service = service_for(user)
    index = service.index
    st.header("Corpus")
    listing = st.container()  # filled last, after this run's ingest or removal
    if not user.all_access:
        show_corpus(listing, index)
        st.caption("Administrators add and remove statements.")
        return

    st.subheader("Add statements")
    files = st.file_uploader(
        "Statements: Markdown or text (with YAML front matter), HTML, PDF or Word",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
    )
    audience = st.text_input(
        "Audience",
        placeholder="everyone",
        help="The group that may read these statements; empty: everyone, or the audience "
        "their front matter names.",
    )
    if files and st.button("Ingest", type="primary"):
        ingest_uploads(index, files, ingest_paths, audience.strip())

    st.subheader("Remove a document")
    docs = index.documents()
    doomed = st.selectbox(
        "Document",
        [None, *sorted(docs)],
        format_func=lambda d: "—" if d is None else f"{d} · {docs[d].meta.title[:60]}",
    )
    if doomed and st.button("Remove", type="secondary"):
        report = remove_documents(index, [doomed])
        upload = (upload_dir() / doomed).resolve()
        if upload.is_relative_to(upload_dir().resolve()) and upload.is_file():
            upload.unlink()
        st.success(f"Removed {doomed} ({report.total('chunks_deleted')} chunks).")

    show_corpus(listing, index)


def show_corpus(listing: Any, index: StatementIndex) -> None:
    """The documents the user may see, newest first."""
    listed = index.documents()  # after this run's changes
    rows: list[dict[str, Any]] = [
        {
            "date": e.meta.date.isoformat(),
            "title": e.meta.title,
            "issuer": e.meta.issuer,
            "kind": e.meta.kind,
            "chunks": e.chunks,
            "document": e.doc_id,
        }
        for e in sorted(listed.values(), key=lambda e: e.meta.date, reverse=True)
    ]
    with listing:
        st.caption(f"{len(rows)} documents, {sum(r['chunks'] for r in rows)} chunks")
        st.dataframe(rows, hide_index=True, width="stretch")


def upload_dir() -> Path:
    """Where uploaded files are kept (inside the store's folder)."""
    folder = get_service().settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def safe_file_name(name: str) -> str | None:
    """A plain file name for an upload (no folders, no odd characters), or None."""
    base = _SAFE_NAME.sub("-", Path(name).name).strip(".-")
    if not base or base.rsplit(".", 1)[-1].lower() not in UPLOAD_TYPES:
        return None
    return base[:120]


def ingest_uploads(
    index: StatementIndex, files: list[Any], ingest_paths: Any, audience: str = ""
) -> None:
    """Save each upload under the store's folder and ingest it, with progress and a report.

    Files for a group go to ``uploads/GROUP/`` (document id ``GROUP/NAME``), so two groups'
    files of the same name never replace each other; the content decides the format.
    """
    try:
        audience = check_audience(audience)
    except BriefError as exc:
        st.error(str(exc))
        return
    root = upload_dir()
    folder = root / audience if audience else root
    folder.mkdir(parents=True, exist_ok=True)
    limit_mb = index.settings.max_file_mb
    progress = st.progress(0.0, text="Ingesting…")
    results = []
    for i, f in enumerate(files, start=1):
        name = safe_file_name(f.name)
        data = f.getvalue()
        if name is None:
            kinds = ", ".join(f".{t}" for t in UPLOAD_TYPES)
            results.append({"file": f.name, "status": "error", "message": f"not one of {kinds}"})
        elif len(data) > limit_mb * 1024 * 1024:
            results.append(
                {"file": f.name, "status": "error", "message": f"larger than {limit_mb:g} MB"}
            )
        else:
            path = folder / name
            path.write_bytes(data)
            report = ingest_paths(
                index,
                [path],
                audience=audience or None,
                force_audience=bool(audience),
                root=root,
            )
            for r in report.files:
                results.append(
                    {
                        "file": f.name,
                        "status": r.status,
                        "message": r.message or "; ".join(r.warnings),
                        "chunks added": r.chunks_added,
                    }
                )
                if r.status == "error":
                    path.unlink(missing_ok=True)
        progress.progress(i / len(files), text=f"Ingested {i} of {len(files)}")
    errors = [r for r in results if r["status"] == "error"]
    if errors:
        st.error(f"{len(errors)} of {len(results)} files could not be ingested.")
    else:
        st.success(f"{len(results)} files ingested.")
    st.dataframe(results, hide_index=True, width="stretch")


def evaluation_page() -> None:
    """The latest evaluation runs: scores, categories, charts, failed questions; feedback."""
    from eval.runs import list_runs

    st.header("Evaluation")
    if not signed_in_user().all_access:
        st.info("The evaluation runs and the feedback of every user are for administrators.")
        return
    settings = load_settings()  # fresh: runs come and go while the app runs
    runs = list_runs(settings.runs_dir)
    if not runs:
        st.info(f"No evaluation runs in {settings.runs_dir}. Run `make eval`.")
    else:
        chosen = st.selectbox("Run", runs, format_func=lambda r: r.label)
        show_run(chosen)
    st.subheader("Feedback")
    _, feedback = get_stores()
    records = feedback.records()
    up = sum(r.rating > 0 for r in records)
    st.caption(f"{len(records)} ratings: {up} up, {len(records) - up} down")
    if records:
        st.dataframe(
            [
                {
                    "when": r.created,
                    "rating": "👍" if r.rating > 0 else "👎",
                    "question": r.question,
                    "comment": r.comment,
                    "user": r.user,
                }
                for r in records[:200]
            ],
            hide_index=True,
            width="stretch",
        )
        st.download_button("Export feedback (CSV)", feedback.export_csv(), "feedback.csv")
        st.download_button("Export feedback (JSONL)", feedback.export_jsonl(), "feedback.jsonl")


def show_run(run: Any) -> None:
    """One run: its scores table, categories, charts and failed questions."""
    st.caption(escape(run.describe()))
    st.dataframe(run.scores_table(), hide_index=True, width="stretch")
    st.subheader("By category")
    st.dataframe(run.category_table(), hide_index=True, width="stretch")
    charts = run.charts()
    if charts:
        cols = st.columns(min(len(charts), 2))
        for i, chart in enumerate(charts):
            cols[i % len(cols)].image(str(chart))
    failed = run.failed_questions()
    st.subheader(f"Questions that failed ({len(failed)})")
    for item in failed:
        with st.expander(escape(f"{item['id']} · {item['category']} · {item['question']}")):
            st.caption(escape(item["why"]))
            st.text(item["answer"] or "(no answer)")


def main() -> None:
    """The app: navigation between the chat, corpus and evaluation pages."""
    st.set_page_config(page_title="Briefing assistant", layout="wide")
    try:
        get_service()
        get_stores()
        user = current_user()
    except BriefError as exc:
        st.error(str(exc))
        if auth_configured() and st.user.is_logged_in:  # e.g. a token without sub or email
            st.button("Log out", on_click=st.logout)
        st.stop()
        return
    if user is None:
        st.title("Briefing assistant")
        st.write("Sign in to see the statements your groups may read.")
        st.button("Log in", type="primary", on_click=st.login)
        st.stop()
        return
    if auth_configured():
        with st.sidebar:
            st.caption(escape(f"Signed in as {user.name or user.id}"))
            st.button("Log out", on_click=st.logout)
    page = st.navigation(
        [
            st.Page(chat_page, title="Chat", icon=":material/chat:", default=True),
            st.Page(
                timeline_page, title="Timeline", icon=":material/timeline:", url_path="timeline"
            ),
            st.Page(
                corpus_page, title="Corpus", icon=":material/library_books:", url_path="corpus"
            ),
            st.Page(
                evaluation_page,
                title="Evaluation",
                icon=":material/monitoring:",
                url_path="evaluation",
            ),
        ]
    )
    try:
        page.run()
    except BriefError as exc:
        st.error(str(exc))
    except Exception as exc:  # never a traceback on screen: one line, the details in the log
        from core.logs import log_exception

        log_exception(exc)
        st.error(
            f"Something went wrong ({type(exc).__name__}). Nothing you entered was lost; "
            "the details are in the error log of the people who run this app."
        )


main()
