"""The timeline page: a topic's statements over time, as a chart, cards and a table."""

from __future__ import annotations

from typing import Any

import streamlit as st

from brief.web.filters import filter_controls
from brief.web.markup import escape, safe_url
from brief.web.session import auth_configured, get_limiter, service_for, signed_in_user
from core.errors import BriefError
from retrieval.answer.timeline import Timeline


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
