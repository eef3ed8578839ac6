"""An answer on the page: its text, exports and feedback, and a card per quoted paragraph."""

from __future__ import annotations

import re

import streamlit as st

from brief.export import answer_docx
from brief.web.markup import answer_markdown, escape, safe_url
from brief.web.session import get_stores, signed_in_user
from brief.web.strings import text
from core.answers import Answer, Citation, WordingChange
from core.labels import label
from core.models import Chunk

MODES = ("extractive_mode", "generative_mode")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"\*\*|__")


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
    language = answer.language
    if answer.refused and not answer.citations:
        if answer.passages:
            st.caption(label("closest", language))
            for p in answer.passages[:3]:
                meta = p.chunk.meta
                with st.container(border=True):
                    st.markdown(f"**{escape(meta.title)}**")
                    st.caption(escape(f"{meta.issuer} · {meta.date_label(language)}"))
                    st.text(p.chunk.text[:400] + ("…" if len(p.chunk.text) > 400 else ""))
        return
    for group in card_groups(answer):
        c = group[0]
        with st.container(border=True):
            numbers = " ".join(f"\\[{x.n}\\]" for x in group)
            st.markdown(f"**{numbers} {escape(c.title)}**")
            parts = (c.issuer, c.dated(language), c.section, c.where(language))
            st.caption(escape(" · ".join(x for x in parts if x)))
            if any(x.related for x in group):
                st.markdown(f":gray-badge[{label('related_badge', language)}]")
            unsupported = [f"\\[{x.n}\\]" for x in group if not x.supported]
            if unsupported:
                which = f" ({', '.join(unsupported)})" if len(group) > 1 else ""
                st.markdown(f":orange-badge[{text('does_not_support', language)}]{which}")
            st.markdown(highlighted_paragraph(answer, group))
            url = safe_url(c.source_url)
            if url:
                st.link_button(text("open_source", language), url)


def render_answer(answer: Answer, key: str) -> None:
    """An answer with its sources beside it, the brief exports and the feedback control."""
    language = answer.language
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(answer_markdown(answer.text, language))
        answerer = f"{answer.answerer}_mode"
        mode = text(answerer, language) if answerer in MODES else answer.answerer
        mode += f" · {answer.model}" if answer.model else ""
        searched = text("searched", language)
        st.caption(escape(searched.format(filters=answer.filters.describe(language), mode=mode)))
        for note in answer.notes:
            st.caption("ⓘ " + escape(note))
        if answer.changes:
            with st.expander(text("changes", language), expanded=True):
                for change in answer.changes:
                    st.markdown(change_markdown(change))
        if answer.searched_as != answer.question:
            with st.expander(text("searched_as", language)):
                st.text(answer.searched_as)
        if not answer.refused:
            with st.expander(text("copy_for_brief", language)):
                st.code(answer.to_markdown(), language="markdown")
                docx = st.session_state.setdefault("docx", {})
                if key not in docx:  # built once per answer, not on every rerun
                    docx[key] = answer_docx(answer)
                st.download_button(
                    text("download_docx", language),
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
    language = answer.language
    sent = st.session_state.setdefault("feedback_sent", set())
    if key in sent:
        st.caption(text("feedback_thanks", language))
        return
    rating = st.feedback("thumbs", key=f"thumbs-{key}")
    if rating is not None:
        comment = st.text_input(text("comment", language), key=f"comment-{key}", max_chars=2000)
        if st.button(text("send_feedback", language), key=f"send-{key}"):
            feedback.record(
                signed_in_user().id,
                answer,
                1 if rating == 1 else -1,
                comment,
                st.query_params.get("c", ""),
            )
            sent.add(key)
            st.rerun()
