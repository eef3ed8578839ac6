"""The timeline page: a topic's statements over time, as a chart, cards and a table."""

from __future__ import annotations

from typing import Any

import streamlit as st

from brief.web.filters import filter_controls
from brief.web.markup import escape, safe_url
from brief.web.session import (
    auth_configured,
    get_limiter,
    page_language,
    service_for,
    signed_in_user,
)
from brief.web.strings import text
from core.errors import BriefError
from core.labels import label
from retrieval.answer.timeline import Timeline

DATE_FORMATS = {"en": "%B %-d, %Y", "ko": "%Y년 %-m월 %-d일"}


def timeline_page() -> None:
    """A topic's statements over time: a chart (the quote in each point's tooltip) and a table.

    A page of its own rather than a chat answer: a timeline is a view of the corpus for a topic,
    with its own input, filters and chart, kept apart from the conversation's turns.
    """
    account = signed_in_user()
    service = service_for(account)
    filters = filter_controls(service)
    language = page_language()
    st.header(text("page_timeline", language))
    topic = st.text_input(
        text("topic", language),
        key="timeline_topic",
        max_chars=200,
        placeholder=text("topic_placeholder", language),
    )
    if not topic.strip():
        st.caption(text("timeline_help", language))
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
    language = found.language
    described = found.filters.describe(language)
    for note in found.notes:
        st.caption("ⓘ " + escape(note))
    if not found.entries:
        empty = label("timeline_empty_filtered", language)
        st.info(escape(empty.format(topic=found.topic, filters=described)))
        return
    heading = text("timeline_found", language).format(
        count=len(found.entries), topic=found.topic, filters=described, considered=found.considered
    )
    st.caption(escape(heading))
    st.altair_chart(timeline_chart(found), width="stretch")
    for e in found.entries:  # readable in full, unlike a table cell
        with st.container(border=True):
            dated = e.citation().dated(language)
            st.markdown(f"**\\[{e.n}\\] {escape(dated)} · {escape(e.title)}**")
            where = e.citation().where(language) or e.section
            st.caption(escape(" · ".join(x for x in (e.kind, e.issuer, where) if x)))
            st.markdown(f":orange-background[{escape(' '.join(e.quote.split()))}]")
            url = safe_url(e.source_url)
            if url:
                st.link_button(text("open_source", language), url)
    rows = [
        {
            "n": f"[{e.n}]",
            "date": e.date.isoformat(),
            "quote": e.quote,
            "title": e.title,
            "issuer": e.issuer,
            "kind": e.kind,
            "where": e.citation().where(language) or e.section,
            "source": safe_url(e.source_url),
        }
        for e in found.entries
    ]
    with st.expander(text("copy_for_brief", language)):
        st.code(found.to_markdown(), language="markdown")
    with st.expander(text("as_table", language)):
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={
                "quote": st.column_config.TextColumn("quote", width="large"),
                "source": st.column_config.LinkColumn(
                    "source", display_text=text("open_source", language)
                ),
            },
        )


def timeline_chart(found: Timeline) -> Any:
    """Points on a date axis, one row per kind of statement; the quote is in the tooltip."""
    import altair as alt
    import pandas as pd

    language = found.language

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
            alt.Tooltip("citation:N", title=text("citation", language)),
            alt.Tooltip("date:T", title=text("date", language), format=DATE_FORMATS[language]),
            alt.Tooltip("title:N", title=text("title", language)),
            alt.Tooltip("issuer:N", title=text("issuer", language)),
            alt.Tooltip("quote:N", title=text("quote", language)),
        ],
    )
    points = base.mark_circle(size=180, opacity=0.85).encode(color=alt.Color("kind:N", legend=None))
    labels = base.mark_text(dy=-14).encode(text="citation:N")
    return (points + labels).properties(height=max(160, 60 * len({e.kind for e in found.entries})))
