"""The chat page: questions in, answers with sources beside them, one conversation per URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from brief.service import BriefingService, Mode
from brief.state.audit import AuditRecord
from brief.web.filters import filter_controls
from brief.web.markup import escape
from brief.web.render import render_answer
from brief.web.session import (
    auth_configured,
    get_audit,
    get_limiter,
    get_stores,
    page_language,
    service_for,
    signed_in_user,
)
from brief.web.strings import text
from core.answers import Answer
from core.errors import BriefError
from core.models import Filters
from retrieval.search.plan import Turn

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator


def sidebar_filters(service: BriefingService) -> tuple[Filters, Mode]:
    """Issuer, kind, date range and document filters, and the answerer choice."""
    filters = filter_controls(service)
    language = page_language()
    with st.sidebar:
        st.subheader(text("answerer", language))
        mode: Mode = "extractive"
        if service.generative_available:
            mode = st.radio(
                text("answerer", language),
                ["extractive", "generative"],
                format_func=lambda m: text("verbatim" if m == "extractive" else m, language),
                index=0 if service.settings.answerer == "extractive" else 1,
                label_visibility="collapsed",
                key="answerer",
            )
            endpoint = service.settings.llm_base_url or "OpenAI"
            model = service.model_label or text("endpoint_default", language)
            st.caption(escape(text("model_at", language).format(model=model, endpoint=endpoint)))
        else:
            st.caption(text("verbatim_only", language))
    return filters, mode


def sidebar_conversations(user: str) -> None:
    """New conversation, and the user's earlier conversations."""
    conversations, _ = get_stores()
    language = page_language()
    with st.sidebar:
        st.subheader(text("conversations", language))
        new = text("new_conversation", language)
        if st.button(new, key="new_conversation", disabled=st.session_state.get("busy", False)):
            st.query_params.pop("c", None)
            st.rerun()
        for conv in conversations.list(user, limit=10):
            label = (conv.title or text("untitled", language))[:48]
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
    language = page_language()
    if not turns:
        intro.caption(text("intro", language).format(count=len(service.index.documents())))
    for i, turn in enumerate(turns):
        with st.chat_message(turn.role):
            if turn.role == "user" or turn.answer is None:
                st.text(turn.content)
            else:
                with st.empty().container():
                    render_answer(turn.answer, f"{cid}-{i}")
    busy = st.session_state.get("busy", False)
    question = st.chat_input(text("ask_placeholder", language), disabled=busy)
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
                get_audit().append(AuditRecord.from_answer(answer, account))
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
        with st.spinner(text("searching", page_language())):
            for event in service.stream(question, history=history, filters=filters, answerer=mode):
                if isinstance(event, Answer):
                    placeholder.empty()
                    return event
                streamed += event
                placeholder.markdown(escape(streamed) + " ▌")
    except BriefError as exc:
        placeholder.error(str(exc))
    return None
