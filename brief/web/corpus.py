"""The corpus page: the indexed documents; administrators upload, ingest and remove them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import streamlit as st

from brief.web.session import get_service, page_language, service_for, signed_in_user
from brief.web.strings import text
from core.audience import check_audience
from core.errors import BriefError
from retrieval.store.index import StatementIndex

UPLOAD_TYPES = ["md", "markdown", "txt", "html", "htm", "pdf", "docx"]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def corpus_page() -> None:
    """The indexed documents; upload and ingest files; remove a document."""
    from ingest.pipeline import ingest_paths, remove_documents

    user = signed_in_user()
    service = service_for(user)
    index = service.index
    language = page_language()
    st.header(text("page_corpus", language))
    listing = st.container()  # filled last, after this run's ingest or removal
    if not user.all_access:
        show_corpus(listing, index)
        st.caption(text("admins_only_corpus", language))
        return

    st.subheader(text("add_statements", language))
    files = st.file_uploader(
        "Statements: Markdown or text (with YAML front matter), HTML, PDF or Word",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
    )
    audience = st.text_input(
        "Audience",
        placeholder="everyone",
        help="The group that may read these statements; empty: everyone, or the audience "
        "their front matter names.",
    )
    if files and st.button(text("ingest", language), type="primary"):
        ingest_uploads(index, files, ingest_paths, audience.strip())

    st.subheader(text("remove_document", language))
    docs = index.documents()
    doomed = st.selectbox(
        "Document",
        [None, *sorted(docs)],
        format_func=lambda d: "—" if d is None else f"{d} · {docs[d].meta.title[:60]}",
    )
    if doomed and st.button(text("remove", language), type="secondary"):
        report = remove_documents(index, [doomed])
        upload = (upload_dir() / doomed).resolve()
        if upload.is_relative_to(upload_dir().resolve()) and upload.is_file():
            upload.unlink()
        st.success(f"Removed {doomed} ({report.total('chunks_deleted')} chunks).")

    show_corpus(listing, index)


def show_corpus(listing: Any, index: StatementIndex) -> None:
    """The documents the user may see, newest first."""
    listed = index.documents()  # after this run's changes
    rows: list[dict[str, Any]] = [
        {
            "date": e.meta.date.isoformat(),
            "title": e.meta.title,
            "issuer": e.meta.issuer,
            "kind": e.meta.kind,
            "chunks": e.chunks,
            "document": e.doc_id,
        }
        for e in sorted(listed.values(), key=lambda e: e.meta.date, reverse=True)
    ]
    with listing:
        st.caption(f"{len(rows)} documents, {sum(r['chunks'] for r in rows)} chunks")
        st.dataframe(rows, hide_index=True, width="stretch")


def upload_dir() -> Path:
    """Where uploaded files are kept (inside the store's folder)."""
    folder = get_service().settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def safe_file_name(name: str) -> str | None:
    """A plain file name for an upload (no folders, no odd characters), or None."""
    base = _SAFE_NAME.sub("-", Path(name).name).strip(".-")
    if not base or base.rsplit(".", 1)[-1].lower() not in UPLOAD_TYPES:
        return None
    return base[:120]


def ingest_uploads(
    index: StatementIndex, files: list[Any], ingest_paths: Any, audience: str = ""
) -> None:
    """Save each upload under the store's folder and ingest it, with progress and a report.

    Files for a group go to ``uploads/GROUP/`` (document id ``GROUP/NAME``), so two groups'
    files of the same name never replace each other; the content decides the format.
    """
    try:
        audience = check_audience(audience)
    except BriefError as exc:
        st.error(str(exc))
        return
    root = upload_dir()
    folder = root / audience if audience else root
    folder.mkdir(parents=True, exist_ok=True)
    limit_mb = index.settings.max_file_mb
    progress = st.progress(0.0, text="Ingesting…")
    results = []
    for i, f in enumerate(files, start=1):
        name = safe_file_name(f.name)
        data = f.getvalue()
        if name is None:
            kinds = ", ".join(f".{t}" for t in UPLOAD_TYPES)
            results.append({"file": f.name, "status": "error", "message": f"not one of {kinds}"})
        elif len(data) > limit_mb * 1024 * 1024:
            results.append(
                {"file": f.name, "status": "error", "message": f"larger than {limit_mb:g} MB"}
            )
        else:
            path = folder / name
            path.write_bytes(data)
            report = ingest_paths(
                index,
                [path],
                audience=audience or None,
                force_audience=bool(audience),
                root=root,
            )
            for r in report.files:
                results.append(
                    {
                        "file": f.name,
                        "status": r.status,
                        "message": r.message or "; ".join(r.warnings),
                        "chunks added": r.chunks_added,
                    }
                )
                if r.status == "error":
                    path.unlink(missing_ok=True)
        progress.progress(i / len(files), text=f"Ingested {i} of {len(files)}")
    errors = [r for r in results if r["status"] == "error"]
    if errors:
        st.error(f"{len(errors)} of {len(results)} files could not be ingested.")
    else:
        st.success(f"{len(results)} files ingested.")
    st.dataframe(results, hide_index=True, width="stretch")
