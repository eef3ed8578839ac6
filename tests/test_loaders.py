"""Loading statement files: front matter, defaults with warnings, clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.models import SourceDocument
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    FoundFile,
    LoadError,
    discover,
    load_all,
    load_file,
    parse_document,
)

FULL = """---
title: "Washington Declaration"
issuer: The White House
date: 2023-04-26
kind: joint declaration
source_url: https://example.org/washington-declaration
language: en
---

# Washington Declaration

The leaders established a Nuclear Consultative Group.
"""


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def load(folder: Path, name: str, data: str | bytes) -> SourceDocument:
    path = write(folder, name, data)
    return load_file(FoundFile(path, name))


def load_error(folder: Path, name: str, data: str | bytes) -> LoadError:
    path = write(folder, name, data)
    with pytest.raises(LoadError) as info:
        load_file(FoundFile(path, name))
    error = info.value
    assert str(path) in str(error), "the message must name the file"
    assert error.path == str(path)
    return error


# ---------------------------------------------------------------- front matter


def test_front_matter_fields_are_parsed(tmp_path: Path):
    doc = load(tmp_path, "wd.md", FULL)
    assert doc.doc_id == "wd.md"
    assert doc.meta.title == "Washington Declaration"
    assert doc.meta.issuer == "The White House"
    assert doc.meta.date == dt.date(2023, 4, 26)
    assert doc.meta.kind == "joint declaration"
    assert doc.meta.source_url == "https://example.org/washington-declaration"
    assert doc.meta.language == "en"
    assert doc.warnings == ()
    assert doc.source_path == str((tmp_path / "wd.md").resolve())


def test_body_is_the_text_after_the_front_matter(tmp_path: Path):
    doc = load(tmp_path, "wd.md", FULL)
    assert "---" not in doc.text
    assert "issuer:" not in doc.text
    assert doc.text == FULL.split("---\n", 2)[2]
    assert "# Washington Declaration" in doc.text


def test_extra_front_matter_keys_are_ignored(tmp_path: Path):
    text = FULL.replace("language: en\n", "language: en\ncompleteness: full\n")
    assert load(tmp_path, "wd.md", text).meta.title == "Washington Declaration"


def test_date_as_string_is_parsed(tmp_path: Path):
    text = FULL.replace("date: 2023-04-26", 'date: "2023-04-26"')
    assert load(tmp_path, "wd.md", text).meta.date == dt.date(2023, 4, 26)


def test_crlf_and_bom_are_normalised(tmp_path: Path):
    raw = ("\ufeff" + FULL).replace("\n", "\r\n").encode("utf-8")
    doc = load(tmp_path, "wd.md", raw)
    assert doc.meta.title == "Washington Declaration"
    assert "\r" not in doc.text
    assert doc.warnings == ()


# ---------------------------------------------------------------- defaults and warnings


def test_missing_fields_get_defaults_and_warnings(tmp_path: Path):
    doc = load(tmp_path, "2023-04-26-statement.md", "# The Heading Title\n\nBody text.\n")
    assert doc.meta.title == "The Heading Title"
    assert doc.meta.date == dt.date(2023, 4, 26)
    assert doc.meta.issuer == "Unknown issuer"
    assert doc.meta.kind == "statement"
    assert doc.meta.language == "en"
    assert doc.meta.source_url == ""
    joined = " | ".join(doc.warnings)
    assert "no title" in joined
    assert "The Heading Title" in joined
    assert "2023-04-26 from the file name" in joined
    for key in ("issuer", "kind", "language"):
        assert f"no {key} in front matter" in joined


def test_title_falls_back_to_the_first_h1_not_an_h2(tmp_path: Path):
    text = "---\nissuer: X\n---\n## Not this\n\n# First H1 #\n\n# Second H1\n\nBody.\n"
    assert load(tmp_path, "s.md", text).meta.title == "First H1"


def test_title_falls_back_to_the_file_name_without_a_heading(tmp_path: Path):
    doc = load(tmp_path, "joint_readout-ncg.md", "Just body text.\n")
    assert doc.meta.title == "joint readout ncg"
    assert any("no title" in w for w in doc.warnings)


def test_no_date_anywhere_means_undated(tmp_path: Path):
    doc = load(tmp_path, "statement.md", "---\ntitle: T\n---\nBody.\n")
    assert not doc.meta.date_known
    assert any("undated" in w for w in doc.warnings)


def test_unreadable_date_falls_back_to_file_name_with_warning(tmp_path: Path):
    doc = load(tmp_path, "2024-07-11-guidelines.md", "---\ntitle: T\ndate: someday\n---\nBody.\n")
    assert doc.meta.date == dt.date(2024, 7, 11)
    assert any("unreadable date 'someday'" in w for w in doc.warnings)


def test_non_http_source_url_is_dropped_with_warning(tmp_path: Path):
    text = FULL.replace("https://example.org/washington-declaration", "ftp://example.org/x")
    doc = load(tmp_path, "wd.md", text)
    assert doc.meta.source_url == ""
    assert any("ftp://example.org/x" in w and "dropped" in w for w in doc.warnings)


def test_http_source_url_is_kept(tmp_path: Path):
    text = FULL.replace("https://", "http://")
    doc = load(tmp_path, "wd.md", text)
    assert doc.meta.source_url == "http://example.org/washington-declaration"
    assert doc.warnings == ()


# ---------------------------------------------------------------- bad input


def test_empty_file_is_an_error(tmp_path: Path):
    assert "empty" in load_error(tmp_path, "empty.md", "").reason


def test_blank_file_is_an_error(tmp_path: Path):
    assert "empty" in load_error(tmp_path, "blank.md", "  \n\n\t\n").reason


def test_binary_file_named_md_is_an_error(tmp_path: Path):
    error = load_error(tmp_path, "image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in error.reason


def test_latin1_text_is_detected_and_decoded(tmp_path: Path):
    doc = load(tmp_path, "latin1.md", "Caf\u00e9 statement.".encode("latin-1"))
    assert doc.text == "Caf\u00e9 statement."
    assert any("not UTF-8: read as cp1252" in w for w in doc.warnings)


def test_undecidable_bytes_are_an_error(tmp_path: Path):
    error = load_error(tmp_path, "noise.md", bytes(range(128, 256)) * 3)
    assert "not valid UTF-8 (byte 0x80 at offset 0)" in error.reason
    assert "re-save the file as UTF-8" in error.reason


def test_broken_yaml_front_matter_is_an_error(tmp_path: Path):
    error = load_error(tmp_path, "yaml.md", "---\ntitle: [unclosed\n---\nBody.\n")
    assert "broken front matter" in error.reason


def test_front_matter_that_is_not_a_mapping_is_an_error(tmp_path: Path):
    error = load_error(tmp_path, "list.md", "---\n- a\n- b\n---\nBody.\n")
    assert "key: value" in error.reason


def test_front_matter_without_closing_line_is_an_error(tmp_path: Path):
    error = load_error(tmp_path, "noclose.md", "---\ntitle: T\nissuer: X\n\nBody text.\n")
    assert "no closing '---'" in error.reason


@pytest.mark.parametrize(
    "text", ["---\ntitle: T\n---\n", "---\ntitle: T\n---", "---\na: b\n---\n\n"]
)
def test_front_matter_only_is_an_error(tmp_path: Path, text: str):
    error = load_error(tmp_path, "fm.md", text)
    assert "no text after the front matter" in error.reason


def test_error_message_names_the_file_and_reason(tmp_path: Path):
    error = load_error(tmp_path, "empty.md", "")
    assert str(error) == f"{tmp_path / 'empty.md'}: {error.reason}"


def test_missing_file_is_a_load_error(tmp_path: Path):
    path = tmp_path / "gone.md"
    with pytest.raises(LoadError, match=r"gone\.md"):
        load_file(FoundFile(path, "gone.md"))


def test_parse_document_directly(tmp_path: Path):
    doc = parse_document(tmp_path / "x.md", "x.md", "---\ntitle: Direct\n---\nBody.\n")
    assert doc.meta.title == "Direct"
    assert doc.text == "Body.\n"


def test_empty_front_matter_block_loads_with_defaults(tmp_path: Path):
    doc = load(tmp_path, "2023-04-26-x.md", "---\n---\n# Heading\n\nBody.\n")
    assert doc.meta.title == "Heading"


# ---------------------------------------------------------------- discover


def make_tree(root: Path) -> None:
    for name in [
        "a.md",
        "b.txt",
        "c.markdown",
        "D.MD",
        "sub/e.md",
        ".hidden.md",
        ".git/x.md",
        "sub/.cache/g.md",
        "MANIFEST.md",
        "README.md",
        "sub/readme.md",
        "notes.pdf",
        "page.html",
        "old.HTM",
        "memo.docx",
        "~$memo.docx",
        "memo.docx.meta.yaml",
        "a.meta.yaml",
        "data.json",
    ]:
        write(root, name, "Body.\n")


def test_discover_expands_folders_and_skips_hidden_manifests_and_sidecars(tmp_path: Path):
    make_tree(tmp_path)
    found, errors = discover([tmp_path])
    # A file of another type is reported, never passed over in silence.
    [unsupported] = errors
    assert unsupported.path == str(tmp_path / "data.json")
    assert unsupported.reason.startswith("unsupported file type '.json'; supported: .md")
    assert unsupported.reason.endswith("(skipped)")
    assert sorted(f.doc_id for f in found) == [
        "D.MD",
        "a.md",
        "b.txt",
        "c.markdown",
        "memo.docx",
        "notes.pdf",
        "old.HTM",
        "page.html",
        "sub/e.md",
    ]
    for f in found:
        assert f.path == tmp_path / f.doc_id
        assert f.path.suffix.lower() in SUPPORTED_SUFFIXES


def test_a_legacy_word_file_in_a_folder_says_how_to_convert_it(tmp_path: Path):
    write(tmp_path, "old.doc", "Body.\n")
    _, [error] = discover([tmp_path])
    assert "save it as .docx" in error.reason


def test_discover_reports_missing_paths(tmp_path: Path):
    found, errors = discover([tmp_path / "nope"])
    assert found == []
    assert len(errors) == 1
    assert "nope" in str(errors[0])
    assert "no such file" in errors[0].reason


def test_discover_reports_unsupported_suffix_of_a_named_file(tmp_path: Path):
    rtf = write(tmp_path, "notes.rtf", "x")
    bare = write(tmp_path, "NOSUFFIX", "x")
    found, errors = discover([rtf, bare])
    assert found == []
    assert [e.path for e in errors] == [str(rtf), str(bare)]
    assert "'.rtf'" in errors[0].reason
    assert "(none)" in errors[1].reason
    for suffix in (".md", ".html", ".pdf", ".docx"):
        assert suffix in errors[0].reason


def test_a_sidecar_named_on_the_command_line_is_not_a_document(tmp_path: Path):
    write(tmp_path, "statement.pdf", "x")
    sidecar = write(tmp_path, "statement.meta.yaml", "title: T\n")
    found, errors = discover([sidecar])
    assert found == []
    assert [e.reason for e in errors] == [
        "a metadata sidecar, not a document: it is read with the document it names"
    ]


def test_discover_a_named_file_uses_its_name_as_doc_id(tmp_path: Path):
    path = write(tmp_path, "deep/folder/statement.md", "Body.\n")
    found, errors = discover([path])
    assert errors == []
    assert found == [FoundFile(path, "statement.md")]


def test_discover_mixes_good_and_bad_paths(tmp_path: Path):
    good = write(tmp_path, "ok.md", "Body.\n")
    found, errors = discover([tmp_path / "missing", good])
    assert [f.doc_id for f in found] == ["ok.md"]
    assert len(errors) == 1


# ---------------------------------------------------------------- load_all


def test_load_all_yields_errors_without_stopping(tmp_path: Path):
    write(tmp_path, "1-good.md", FULL)
    write(tmp_path, "2-empty.md", "")
    write(tmp_path, "3-binary.md", b"\x00\x01\x02")
    write(tmp_path, "4-good.md", "# Second\n\nMore text.\n")
    found, _ = discover([tmp_path])
    results = list(load_all(found))
    assert [type(r).__name__ for r in results] == [
        "SourceDocument",
        "LoadError",
        "LoadError",
        "SourceDocument",
    ]
    assert isinstance(results[0], SourceDocument)
    assert results[0].meta.title == "Washington Declaration"
    assert isinstance(results[1], LoadError)
    assert "2-empty.md" in str(results[1])
    assert isinstance(results[2], LoadError)
    assert "3-binary.md" in str(results[2])
    assert isinstance(results[3], SourceDocument)
    assert results[3].meta.title == "Second"


def test_load_all_of_nothing_is_empty():
    assert list(load_all([])) == []


def test_principals_are_the_people_the_text_names_by_title_most_often() -> None:
    from ingest.metadata import principals_of

    body = (
        "# President Ada Brings Home Many Deals\n\n"  # headings capitalise every word: not read
        "President Biden and President Moon met. President Joseph R. Biden, Jr. welcomed "
        "President Moon Jae-in. President Biden said so. Minister Ra spoke once.\n"
    )
    assert principals_of(body) == "Joseph R. Biden; Moon Jae-in"
    assert principals_of("The two sides agreed.") == ""


def test_principals_leave_stored_ids_as_they_were() -> None:
    """Stores written before principals were read keep their chunk ids and document hashes."""
    import hashlib
    import json

    from core.models import Chunk, DocumentMeta, SourceDocument

    before = DocumentMeta(title="T")
    after = before.model_copy(update={"principals": "Ada Lovelace"})
    doc = SourceDocument(doc_id="a.md", text="Body.", meta=before)
    legacy = {k: v for k, v in before.model_dump(mode="json").items() if k != "principals"}
    payload = json.dumps({"text": "Body.", "meta": legacy}, sort_keys=True)
    assert doc.content_hash == hashlib.sha256(payload.encode()).hexdigest()
    assert doc.model_copy(update={"meta": after}).content_hash != doc.content_hash  # re-read
    chunk = Chunk(doc_id="a.md", text="Body.", start=0, end=5, meta=before)
    assert chunk.model_copy(update={"meta": after}).chunk_id == chunk.chunk_id
