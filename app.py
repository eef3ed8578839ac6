"""The chat app: quoted answers with their sources beside them; timeline, corpus and evaluation.

The entry (``streamlit run app.py``): it sets the page up, lets ``brief.web.session`` sign the
user in, and composes the pages, each a module of ``brief.web``. Answering is
``BriefingService``; history, feedback, rate limits and the audit trail live in the state
database (``brief.state``: SQLite beside the store, or PostgreSQL shared by replicas). Document
and model text is always escaped (``brief.web.markup``): nothing renders as HTML, links only to
http(s).
"""

from __future__ import annotations

import streamlit as st

from brief.web.chat import chat_page
from brief.web.corpus import corpus_page
from brief.web.evaluation import evaluation_page
from brief.web.session import language_choice, page_language, sign_in
from brief.web.strings import text
from brief.web.timeline import timeline_page
from core.errors import BriefError


def main() -> None:
    """The app: navigation between the chat, timeline, corpus and evaluation pages."""
    st.set_page_config(page_title=text("app_title", page_language()), layout="wide")
    language = language_choice()
    if sign_in() is None:
        return
    page = st.navigation(
        [
            st.Page(
                chat_page, title=text("page_chat", language), icon=":material/chat:", default=True
            ),
            st.Page(
                timeline_page,
                title=text("page_timeline", language),
                icon=":material/timeline:",
                url_path="timeline",
            ),
            st.Page(
                corpus_page,
                title=text("page_corpus", language),
                icon=":material/library_books:",
                url_path="corpus",
            ),
            st.Page(
                evaluation_page,
                title=text("page_evaluation", language),
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
        st.error(text("unexpected_error", language).format(name=type(exc).__name__))


main()
