"""The app's session: the cached service, stores and limiter, the login gate and the user."""

from __future__ import annotations

import streamlit as st

from brief.access import LOCAL_USER, User, user_from_claims
from brief.service import BriefingService, ScopedServices
from brief.state.audit import AuditLog
from brief.state.conversations import ConversationStore
from brief.state.feedback import FeedbackStore
from brief.state.limits import RateLimits
from brief.state.stores import Stores, open_stores
from brief.web.markup import escape
from brief.web.strings import LANGUAGE_NAMES, text
from core.errors import BriefError
from core.settings import load_settings
from retrieval.store.index import connect


@st.cache_resource(show_spinner="Opening the statement store…")
def get_service() -> BriefingService:
    """One open store and service per app process."""
    return BriefingService(connect(load_settings()))


@st.cache_resource(show_spinner=False)
def get_state() -> Stores:
    """The shared state (``BRIEF_STATE_URL``, else ``app.sqlite`` beside the store), migrated."""
    return open_stores(get_service().settings)


def get_stores() -> tuple[ConversationStore, FeedbackStore]:
    """Conversation history and feedback, durable, shared by every replica."""
    state = get_state()
    return state.conversations, state.feedback


def get_limiter() -> RateLimits:
    """Questions per user per minute, counted in the database: every session of every replica."""
    return get_state().limits


def get_audit() -> AuditLog:
    """The audit trail: one record per answer given."""
    return get_state().audit


LANGUAGE_KEY = "ui_language"


def page_language() -> str:
    """The language the user chose for the page's chrome ("en" until they choose)."""
    chosen = st.session_state.get(LANGUAGE_KEY, "en")
    return chosen if chosen in LANGUAGE_NAMES else "en"


def language_choice() -> str:
    """The sidebar's language selector (kept for the session); the language it holds."""
    with st.sidebar:
        st.radio(
            text("language"),
            list(LANGUAGE_NAMES),
            format_func=LANGUAGE_NAMES.__getitem__,
            key=LANGUAGE_KEY,
            horizontal=True,
        )
    return page_language()


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


def sign_in() -> User | None:
    """The login gate: the user, or None once the page says why not (an error, or log in).

    Opens the store and the app's stores first, so a broken store shows its error here.
    """
    try:
        get_service()
        get_stores()
        user = current_user()
    except BriefError as exc:
        st.error(str(exc))
        if auth_configured() and st.user.is_logged_in:  # e.g. a token without sub or email
            st.button(text("log_out", page_language()), on_click=st.logout)
        st.stop()
        return None
    language = page_language()
    if user is None:
        st.title(text("app_title", language))
        st.write(text("sign_in_prompt", language))
        st.button(text("log_in", language), type="primary", on_click=st.login)
        st.stop()
        return None
    if auth_configured():
        with st.sidebar:
            st.caption(escape(text("signed_in_as", language).format(name=user.name or user.id)))
            st.button(text("log_out", language), on_click=st.logout)
    return user


def signed_in_user() -> User:
    """The current user; every page runs after the login gate, ``sign_in``."""
    user = current_user()
    if user is None:  # pragma: no cover - sign_in() stops logged-out sessions first
        st.stop()
        raise RuntimeError("not signed in")
    return user


@st.cache_resource(show_spinner=False)
def get_views() -> ScopedServices:
    """The services over each group's view of the store, shared by every session."""
    return ScopedServices(get_service())


def service_for(user: User) -> BriefingService:
    """The answering service over what ``user`` may see (one per distinct set of groups)."""
    return get_views().for_user(user)
