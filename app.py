"""The chat app: questions in, quoted answers with their sources beneath. Thin over the core."""

from __future__ import annotations

from typing import Any

import streamlit as st

from retrieval.embeddings import ModelUnavailableError
from retrieval.index import StoreBusyError, StoreMismatchError, connect
from retrieval.models import Answer, Filters
from retrieval.queries import Turn
from retrieval.service import BriefingService, QuestionError
from retrieval.settings import SettingsError, load_settings


@st.cache_resource(show_spinner="Opening the statement store…")
def get_service() -> BriefingService:
    """One open store and service per app process."""
    return BriefingService(connect(load_settings()))


def render_sources(answer: Answer) -> None:
    """Citations beneath an answer: title, issuer, date, section and the exact quote."""
    if answer.refused:
        if answer.passages:
            st.caption("Closest passages (not an answer):")
            for p in answer.passages[:3]:
                meta = p.chunk.meta
                st.markdown(f"**{meta.title}** · {meta.issuer} · {meta.date_label()}")
                st.text(p.chunk.text[:400] + ("…" if len(p.chunk.text) > 400 else ""))
        return
    for c in answer.citations:
        with st.container(border=True):
            head = f"[{c.n}] {c.title}"
            st.markdown(f"**{_escape(head)}**")
            st.caption(_escape(" · ".join(x for x in (c.issuer, c.date_label, c.section) if x)))
            st.text(c.quote)
            if c.source_url.startswith(("http://", "https://")):
                st.link_button("Source", c.source_url)
    with st.expander("Copy for brief (Markdown with footnotes)"):
        st.code(answer.to_markdown(), language="markdown")


def _escape(text: str) -> str:
    """Escape Markdown so document text never renders as markup or links."""
    for ch in "\\`*_{}[]()#+-.!|<>":
        text = text.replace(ch, "\\" + ch)
    return text


def main() -> None:
    """The page."""
    st.set_page_config(page_title="Briefing assistant", layout="wide")
    st.title("Briefing assistant")
    try:
        service = get_service()
    except (SettingsError, ModelUnavailableError, StoreBusyError, StoreMismatchError) as exc:
        st.error(str(exc))
        st.stop()
        return
    messages: list[dict[str, Any]] = st.session_state.setdefault("messages", [])
    with st.sidebar:
        st.subheader("Filters")
        docs = service.index.documents()
        issuers = sorted({e.meta.issuer for e in docs.values()})
        chosen = st.multiselect("Issuer", issuers)
        if st.button("New conversation"):
            messages.clear()
            st.rerun()
        st.caption(f"{len(docs)} statements indexed")
    filters = Filters(issuers=tuple(chosen))
    for msg in messages:
        with st.chat_message(msg["role"]):
            if msg["role"] == "user":
                st.text(msg["content"])
            else:
                st.markdown(_escape(msg["content"]))
            if msg.get("answer") is not None:
                render_sources(msg["answer"])
    question = st.chat_input("Ask about the statements…")
    if question:
        history = [Turn(role=m["role"], content=m["content"]) for m in messages]
        with st.chat_message("user"):
            st.text(question)
        with st.chat_message("assistant"):
            try:
                answer = service.ask(question, history=history, filters=filters)
            except QuestionError as exc:
                st.error(str(exc))
                return
            st.markdown(_escape(answer.text))
            render_sources(answer)
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": answer.text, "answer": answer})


main()
