"""The evaluation page: the latest evaluation runs, every user's feedback and the audit trail
(administrators)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from brief.web.markup import escape
from brief.web.session import get_audit, get_stores, page_language, signed_in_user
from brief.web.strings import text
from core.settings import load_settings


def evaluation_page() -> None:
    """The latest evaluation runs: scores, categories, charts, failed questions; feedback; the
    audit trail."""
    from eval.runs import list_runs

    language = page_language()
    st.header(text("page_evaluation", language))
    if not signed_in_user().all_access:
        st.info(text("admins_only_evaluation", language))
        return
    settings = load_settings()  # fresh: runs come and go while the app runs
    runs = list_runs(settings.runs_dir)
    if not runs:
        st.info(f"No evaluation runs in {settings.runs_dir}. Run `make eval`.")
    else:
        chosen = st.selectbox("Run", runs, format_func=lambda r: r.label)
        show_run(chosen)
    st.subheader(text("feedback", language))
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
    show_audit()


def show_audit() -> None:
    """The latest answers given (newest first) and the whole trail to download."""
    st.subheader(text("audit_trail", page_language()))
    audit = get_audit()
    latest = audit.records(limit=200)
    st.caption(f"Answers recorded: {audit.count()}; the latest {len(latest)} below, newest first.")
    if not latest:
        return
    st.dataframe(
        [
            {
                "when (UTC)": r.time[:19].replace("T", " "),
                "user": r.user_id,
                "question": r.question,
                "answerer": r.answerer if not r.model else f"{r.answerer} ({r.model})",
                "refused": r.refused,
                "sources": ", ".join(dict.fromkeys(c.doc_id for c in r.citations)),
            }
            for r in reversed(latest)
        ],
        hide_index=True,
        width="stretch",
    )
    st.download_button("Export audit trail (CSV)", audit.export_csv, "audit.csv", on_click="ignore")
    st.download_button(
        "Export audit trail (JSONL)", audit.export_jsonl, "audit.jsonl", on_click="ignore"
    )


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
    else:
        st.caption(
            "No charts for this run: `brief eval` draws them when matplotlib is installed "
            "(the `eval` extra: `make eval`)."
        )
    failed = run.failed_questions()
    st.subheader(f"Questions that failed ({len(failed)})")
    for item in failed:
        with st.expander(escape(f"{item['id']} · {item['category']} · {item['question']}")):
            st.caption(escape(item["why"]))
            st.text(item["answer"] or "(no answer)")
