"""The chat app: questions in, quoted answers with their sources beneath. Thin over the core."""

from __future__ import annotations

from typing import Any

import streamlit as st

from retrieval.embeddings import ModelUnavailableError
from retrieval.index import StoreBusyError, StoreMismatchError, connect
from retrieval.models import UNSUPPORTED_MARK, Answer, Filters
from retrieval.queries import Turn
from retrieval.service import BriefingService, Mode, QuestionError
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
            if not c.supported:
                st.markdown(":orange-badge[does not support the sentence that cites it]")
            st.text(c.quote)
            if c.source_url.startswith(("http://", "https://")):
                st.link_button("Source", c.source_url)
    with st.expander("Copy for brief (Markdown with footnotes)"):
        st.code(answer.to_markdown(), language="markdown")


def answer_markdown(text: str) -> str:
    """Answer text as safe Markdown, with unsupported sentences visibly flagged."""
    return _escape(text).replace(_escape(UNSUPPORTED_MARK), ":orange-badge[unsupported]")


def render_notes(answer: Answer) -> None:
    """What the service noted: fallbacks, removed citations, unsupported sentences."""
    for note in answer.notes:
        st.caption("ⓘ " + _escape(note))


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
        st.subheader("Answerer")
        if service.generative_available:
            mode: Mode = st.radio(
                "Answerer",
                ["extractive", "generative"],
                format_func=lambda m: "Verbatim quotes" if m == "extractive" else "Generative",
                index=0 if service.settings.answerer == "extractive" else 1,
                label_visibility="collapsed",
            )
            endpoint = service.settings.llm_base_url or "OpenAI"
            model = service.model_label or "(endpoint default)"
            st.caption(_escape(f"Model: {model} at {endpoint}"))
        else:
            mode = "extractive"
            st.caption("Verbatim quotes. For generative answers set BRIEF_LLM_BASE_URL.")
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
                st.markdown(answer_markdown(msg["content"]))
            if msg.get("answer") is not None:
                render_notes(msg["answer"])
                render_sources(msg["answer"])
    question = st.chat_input("Ask about the statements…")
    if question:
        history = [Turn(role=m["role"], content=m["content"]) for m in messages]
        with st.chat_message("user"):
            st.text(question)
        with st.chat_message("assistant"):
            placeholder = st.empty()
            streamed = ""
            answer: Answer | None = None
            try:
                for event in service.stream(
                    question, history=history, filters=filters, answerer=mode
                ):
                    if isinstance(event, Answer):
                        answer = event
                    else:
                        streamed += event
                        placeholder.markdown(_escape(streamed) + " ▌")
            except QuestionError as exc:
                placeholder.error(str(exc))
                return
            assert answer is not None
            placeholder.markdown(answer_markdown(answer.text))
            render_notes(answer)
            render_sources(answer)
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": answer.text, "answer": answer})


main()
