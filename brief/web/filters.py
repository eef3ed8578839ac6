"""The sidebar's filters (issuer, kind, years, documents), shared by the chat and timeline."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from brief.service import BriefingService
from brief.web.session import page_language
from brief.web.strings import text
from core.models import Filters


def filter_controls(service: BriefingService) -> Filters:
    """Issuer, kind, date range and document filters in the sidebar."""
    docs = service.index.documents()
    language = page_language()
    with st.sidebar:
        st.subheader(text("filters", language))
        issuers = st.multiselect(
            text("issuer", language),
            sorted({e.meta.issuer for e in docs.values()}),
            key="filter_issuer",
        )
        kinds = st.multiselect(
            text("kind", language), sorted({e.meta.kind for e in docs.values()}), key="filter_kind"
        )
        years = sorted({e.meta.date.year for e in docs.values() if e.meta.date_known})
        date_range: tuple[int, int] | None = None
        if len(years) > 1:
            chosen = st.slider(
                text("years", language),
                years[0],
                years[-1],
                (years[0], years[-1]),
                key="filter_years",
            )
            if chosen != (years[0], years[-1]):
                date_range = (int(chosen[0]), int(chosen[1]))
        titles = {d: f"{e.meta.date} · {e.meta.title[:60]}" for d, e in docs.items()}
        picked = st.multiselect(
            text("document", language),
            sorted(titles, key=lambda d: titles[d]),
            format_func=lambda d: titles[d],
            key="filter_document",
        )
    return Filters(
        issuers=tuple(issuers),
        kinds=tuple(kinds),
        doc_ids=tuple(picked),
        date_from=dt.date(date_range[0], 1, 1) if date_range else None,
        date_to=dt.date(date_range[1], 12, 31) if date_range else None,
    )
