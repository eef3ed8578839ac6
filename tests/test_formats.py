"""HTML, PDF and .docx loading, metadata precedence, encodings and hostile input."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from core.models import SourceDocument
from ingest.loaders import FoundFile, LoadError, LoadLimits, load_file
from ingest.pdf_text import PdfLine, page_paragraphs
from retrieval.sentences import markdown_blocks
from tests.fixtures.documents import (
    bomb_pdf,
    encrypt_pdf,
    make_docx,
    make_pdf,
    scanned_pdf,
)


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def load(folder: Path, name: str, data: str | bytes, **limits: float) -> SourceDocument:
    path = write(folder, name, data)
    return load_file(FoundFile(path, name), LoadLimits(**limits))  # type: ignore[arg-type]


def reason(folder: Path, name: str, data: str | bytes, **limits: float) -> str:
    path = write(folder, name, data)
    with pytest.raises(LoadError) as info:
        load_file(FoundFile(path, name), LoadLimits(**limits))  # type: ignore[arg-type]
    assert str(info.value) == f"{path}: {info.value.reason}"
    assert "\n" not in str(info.value)
    return info.value.reason


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Joint Statement | The White House</title>
<meta property="og:title" content="Joint Statement on the Alliance">
<meta property="article:published_time" content="2023-04-26T10:00:00Z">
<meta name="author" content="Press Office">
<meta property="og:site_name" content="The White House">
<link rel="canonical" href="https://example.org/joint-statement">
<style>p { color: red }</style>
<script>var x = "<p>SCRIPT TEXT</p>";</script>
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav><p>SITE BANNER</p></header>
<div hidden>SKIP TO CONTENT</div>
<p>OUTSIDE MAIN</p>
<main>
<article>
<header><h1>Joint Statement on the Alliance</h1></header>
<p>The leaders met in <b>Washington</b> and <em>reaffirmed</em>
   the alliance.</p>
<p><strong>NUCLEAR DETERRENCE:</strong> The United States will deploy a submarine.<br>
A second line.</p>
<div style="display: none">HIDDEN BY DISPLAY</div>
<p style="color: red; visibility:hidden">HIDDEN BY VISIBILITY</p>
<span aria-hidden="true">ICON TEXT</span>
<h2>Economic Ties</h2>
<ul><li>Semiconductors and <a href="#">batteries</a>.<ul><li>Nested item.</li></ul></li>
<li>Clean energy.</li></ul>
<table><tr><th>Item</th><th>Amount</th></tr>
<tr><td>Investment</td><td>$100 billion</td></tr></table>
<form><label>Search</label><input type="text" value="FORM VALUE"><button>GO</button></form>
<p>Caf&eacute; &ldquo;quotes&rdquo; &mdash; done.</p>
<aside>RELATED STORIES</aside>
<template><p>TEMPLATE TEXT</p></template>
<noscript>ENABLE JAVASCRIPT</noscript>
<!-- COMMENT TEXT -->
</article>
</main>
<footer>COPYRIGHT FOOTER</footer>
</body></html>
"""

PAGE_TEXT = """# Joint Statement on the Alliance

The leaders met in Washington and reaffirmed the alliance.

**NUCLEAR DETERRENCE:** The United States will deploy a submarine.
A second line.

## Economic Ties

- Semiconductors and batteries.
  - Nested item.
- Clean energy.

Item | Amount

Investment | $100 billion

Café “quotes” — done.
"""


def test_html_main_content_becomes_markdown_like_text(tmp_path: Path):
    doc = load(tmp_path, "statement.html", PAGE)
    assert doc.text == PAGE_TEXT
    for dropped in (
        "SCRIPT",
        "SITE BANNER",
        "SKIP TO",
        "OUTSIDE MAIN",
        "HIDDEN",
        "ICON",
        "FORM VALUE",
        "GO",
        "RELATED",
        "TEMPLATE",
        "JAVASCRIPT",
        "COMMENT",
        "COPYRIGHT",
        "Home",
    ):
        assert dropped not in doc.text
    assert doc.page_starts == ()


def test_html_blocks_are_what_the_chunker_reads(tmp_path: Path):
    doc = load(tmp_path, "statement.html", PAGE)
    kinds = [b.kind for b in markdown_blocks(doc.text)]
    assert kinds == ["heading", "para", "para", "heading", "item", "item", "item"] + ["para"] * 3


def test_html_head_metadata(tmp_path: Path):
    doc = load(tmp_path, "statement.html", PAGE)
    assert doc.meta.title == "Joint Statement on the Alliance"  # og:title before <title>
    assert doc.meta.date == dt.date(2023, 4, 26)
    assert doc.meta.issuer == "Press Office"  # publisher, then author, then og:site_name
    assert doc.meta.source_url == "https://example.org/joint-statement"
    assert doc.meta.language == "en"
    assert doc.warnings == ("no kind in the document's metadata; using 'statement'",)


def test_html_fallbacks_title_tag_site_name_og_url(tmp_path: Path):
    page = (
        '<html><head><title>Plain Title</title><meta property="og:site_name" content="MOFA">'
        '<meta property="og:url" content="https://example.org/x">'
        '<meta name="dc.date" content="2024-07-11"></head>'
        "<body><p>Body text.</p></body></html>"
    )
    doc = load(tmp_path, "p.htm", page)
    assert (doc.meta.title, doc.meta.issuer) == ("Plain Title", "MOFA")
    assert doc.meta.source_url == "https://example.org/x"
    assert doc.meta.date == dt.date(2024, 7, 11)
    assert doc.text == "Body text.\n"


def test_html_without_main_uses_articles_then_body(tmp_path: Path):
    two = "<body><p>Teaser.</p><article><p>One.</p></article><article><p>Two.</p></article></body>"
    assert load(tmp_path, "a.html", two).text == "One.\n\nTwo.\n"
    plain = "<body><div>First<br><br>Second line<br>third</div></body>"
    assert load(tmp_path, "b.html", plain).text == "First\n\nSecond line\nthird\n"


def test_html_in_windows_1252_with_its_declaration(tmp_path: Path):
    raw = PAGE.replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252")
    doc = load(tmp_path, "s.html", raw)
    assert "Café “quotes” — done." in doc.text
    assert doc.warnings == ("no kind in the document's metadata; using 'statement'",)


def test_html_undeclared_legacy_encoding_is_detected(tmp_path: Path):
    raw = "<html><body><p>Déclaration conjointe à Genève, “citée”.</p></body></html>"
    doc = load(tmp_path, "s.html", raw.encode("cp1252"))
    assert doc.text == "Déclaration conjointe à Genève, “citée”.\n"
    assert any("read as cp1252" in w for w in doc.warnings)


def test_html_with_only_hidden_or_navigation_text_is_an_error(tmp_path: Path):
    page = "<html><body><nav>Menu</nav><p hidden>Secret</p><script>x()</script></body></html>"
    assert reason(tmp_path, "empty.html", page) == (
        "no text in the page's main content (scripts, navigation and hidden parts are left out)"
    )


def test_binary_named_html_is_an_error(tmp_path: Path):
    assert reason(tmp_path, "x.html", b"\x89PNG\r\n\x1a\n\x00\x00") == (
        "not an HTML page: binary content (a PNG image)"
    )


# ---------------------------------------------------------------- PDF

PDF_PAGES = [
    [["The leaders met in Seoul on “Monday”.", "They agreed on a café plan."], "Second paragraph."],
    ["Page two opens here.", ["1. A numbered point", "that runs on."], "Last words."],
]


def test_pdf_text_pages_and_paragraphs(tmp_path: Path):
    info = {"Title": "Seoul Statement", "Author": "Ministry", "CreationDate": "D:20230426120000"}
    doc = load(tmp_path, "s.pdf", make_pdf(PDF_PAGES, info=info, lang="ko-KR"))
    page1 = (
        "The leaders met in Seoul on “Monday”.\nThey agreed on a café plan.\n\nSecond paragraph."
    )
    page2 = "Page two opens here.\n\n1. A numbered point\nthat runs on.\n\nLast words."
    assert doc.text == f"{page1}\n\n{page2}\n"
    assert doc.page_starts == (0, len(page1) + 2)
    assert doc.meta.title == "Seoul Statement"
    assert doc.meta.issuer == "Ministry"
    assert doc.meta.date == dt.date(2023, 4, 26)
    assert doc.meta.language == "ko"


def test_pdf_paragraphs_follow_line_spacing():
    def lines(*ys: float, size: float = 11.0) -> list[PdfLine]:
        return [PdfLine(text=f"L{i}", y=y, size=size) for i, y in enumerate(ys)]

    # Single spacing, one blank line's gap: two paragraphs.
    assert page_paragraphs(lines(700, 686, 658, 644)) == [["L0", "L1"], ["L2", "L3"]]
    # Double spacing throughout is one paragraph; a wider gap still parts two.
    assert page_paragraphs(lines(700, 678, 656, 612, 590)) == [["L0", "L1", "L2"], ["L3", "L4"]]
    # A jump up the page (a new column) and a change of font size start paragraphs.
    assert page_paragraphs(lines(700, 686, 720)) == [["L0", "L1"], ["L2"]]
    big = [PdfLine(text="TITLE", y=720, size=18), *lines(700, 686)]
    assert page_paragraphs(big) == [["TITLE"], ["L0", "L1"]]
    assert page_paragraphs([]) == []


def test_pdf_generated_titles_are_ignored(tmp_path: Path):
    doc = load(tmp_path, "memo.pdf", make_pdf(PDF_PAGES, info={"Title": "Microsoft Word - x"}))
    assert doc.meta.title == "memo"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_pdf_with_an_owner_password_only_is_read(tmp_path: Path, algorithm: str):
    data = encrypt_pdf(make_pdf(PDF_PAGES), user_password="", algorithm=algorithm)
    doc = load(tmp_path, "locked.pdf", data)
    assert doc.text.startswith("The leaders met in Seoul on “Monday”.")


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_that_needs_a_password_is_an_error(tmp_path: Path, algorithm: str):
    data = encrypt_pdf(make_pdf(PDF_PAGES), user_password="secret", algorithm=algorithm)
    assert reason(tmp_path, "secret.pdf", data) == (
        "encrypted PDF: it needs a password; save a copy without protection and ingest it"
    )


@pytest.mark.parametrize("pages", [1, 3])
def test_scanned_pdf_is_an_error(tmp_path: Path, pages: int):
    noun = "page" if pages == 1 else "pages"
    assert reason(tmp_path, "scan.pdf", scanned_pdf(pages)) == (
        f"scanned PDF without a text layer ({pages} {noun}): run OCR first"
    )


def test_pdf_with_some_scanned_pages_warns(tmp_path: Path):
    data = make_pdf([["Text page."], [], ["Another."]])
    doc = load(tmp_path, "mixed.pdf", data)
    assert any("1 of 3 pages have no text layer" in w for w in doc.warnings)
    assert len(doc.page_starts) == 3


def test_truncated_pdf_is_an_error(tmp_path: Path):
    data = make_pdf(PDF_PAGES)
    assert reason(tmp_path, "cut.pdf", data[: len(data) // 2]) == (
        "truncated PDF: the file ends before its %%EOF marker (copy it again)"
    )


def test_pdf_with_a_header_and_garbage_is_damaged(tmp_path: Path):
    garbage = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    assert reason(tmp_path, "junk.pdf", garbage).startswith("damaged PDF, cannot be read (")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"just some text pretending\n", "other data"),
        (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "an HTML page"),
        (b"PK\x03\x04rest of a zip", "a ZIP archive such as .docx"),
    ],
)
def test_pdf_name_without_pdf_content_is_an_error(tmp_path: Path, data: bytes, kind: str):
    assert (
        reason(tmp_path, "fake.pdf", data) == f"not a PDF: no %PDF- header (the content is {kind})"
    )


def test_pdf_parsing_time_limit_stops_the_worker(tmp_path: Path):
    # The parse of ten million tokens takes seconds; the limit stops it far sooner.
    assert reason(tmp_path, "slow.pdf", bomb_pdf(10_000_000), pdf_timeout_s=0.5) == (
        "PDF parsing took longer than 0.5 s and was stopped (BRIEF_PDF_TIMEOUT_S); "
        "the file may be malformed"
    )


def test_pdf_parsing_memory_limit_stops_the_worker(tmp_path: Path):
    # 70 MB of content stream compressed to about 70 KB: decompressing it needs the memory.
    bomb = make_pdf([], raw_streams=[b" " * 70_000_000])
    assert len(bomb) < 200_000
    assert reason(tmp_path, "bomb.pdf", bomb, pdf_memory_mb=128) == (
        "PDF parsing needed more than the memory limit of 128 MB and was stopped "
        "(BRIEF_PDF_MEMORY_MB); the file may be malformed"
    )


# ---------------------------------------------------------------- .docx

DOCX_TEXT = """# Joint Statement on Fisheries

The ministers met in Tromsø on 4 March 2021.

## Quotas

They agreed to cut the herring quota by 12 percent. The cut applies from May.

- Both sides will share catch data monthly.
  - A joint patrol begins in May.
- Review every two years.

Species | Cut

Herring | 12%

Inside a content control.

### Next Steps

Line one of a paragraph.
Line two of the same paragraph.
"""


def test_docx_structure_becomes_markdown_like_text(tmp_path: Path):
    doc = load(tmp_path, "f.docx", make_docx())
    assert doc.text == DOCX_TEXT
    assert "SECRET" not in doc.text  # a hidden run
    assert doc.meta.title == "Joint Statement on Fisheries"  # from the Title paragraph
    # python-docx's template author and date are not the statement's.
    assert doc.meta.issuer == "Unknown issuer"
    assert not doc.meta.date_known


def test_docx_core_properties(tmp_path: Path):
    data = make_docx(
        title="Fisheries Agreement",
        author="Ministry of Oceans",
        created=dt.datetime(2021, 3, 4, 9, 30),
        language="nb-NO",
    )
    doc = load(tmp_path, "f.docx", data)
    assert doc.meta.title == "Fisheries Agreement"
    assert doc.meta.issuer == "Ministry of Oceans"
    assert doc.meta.date == dt.date(2021, 3, 4)
    assert doc.meta.language == "nb"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"Plain words, not a package.",
            "not a .docx file: not a ZIP package (text or other data)",
        ),
        (b"%PDF-1.4\n...", "not a .docx file: not a ZIP package (a PDF document)"),
        (
            _zip({"xl/workbook.xml": b"<workbook/>"}),
            "not a Word document: the ZIP package has no word/document.xml",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
            "a legacy Word 97-2003 (.doc) file, not .docx: save it as .docx",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
            "password-protected Word document: remove the password and ingest again",
        ),
        (
            b"PK\x03\x04" + b"\x00" * 100,
            "damaged .docx: broken ZIP package (File is not a zip file)",
        ),
    ],
    ids=["text", "pdf", "xlsx", "doc", "encrypted", "broken-zip"],
)
def test_docx_content_is_checked(tmp_path: Path, data: bytes, expected: str):
    assert reason(tmp_path, "x.docx", data) == expected


def test_docx_with_broken_xml_is_damaged(tmp_path: Path):
    good = zipfile.ZipFile(io.BytesIO(make_docx()))
    entries = {name: good.read(name) for name in good.namelist()}
    entries["word/document.xml"] = b"<w:document><w:body><w:p>unclosed"
    assert reason(tmp_path, "x.docx", _zip(entries)).startswith("damaged Word document: ")


def test_docx_zip_bomb_is_refused(tmp_path: Path):
    good = zipfile.ZipFile(io.BytesIO(make_docx()))
    entries = {name: good.read(name) for name in good.namelist()}
    entries["word/media/padding.bin"] = b"\x00" * 70 * 1024 * 1024  # about 70 KB zipped
    data = _zip(entries)
    assert len(data) < 200_000
    assert reason(tmp_path, "bomb.docx", data, max_file_mb=1) == (
        "the .docx expands to 71 MB (limit 64 MB): refused as a possible ZIP bomb"
    )


# ---------------------------------------------------------------- metadata precedence


def test_sidecar_fills_what_front_matter_lacks(tmp_path: Path):
    write(tmp_path, "s.meta.yaml", "title: Sidecar Title\nissuer: Sidecar Issuer\nkind: readout\n")
    doc = load(tmp_path, "s.md", "---\ntitle: Front Title\n---\n# Heading\n\nBody.\n")
    assert doc.meta.title == "Front Title"  # front matter wins
    assert doc.meta.issuer == "Sidecar Issuer"
    assert doc.meta.kind == "readout"
    assert "no language in front matter or sidecar s.meta.yaml; using 'en'" in doc.warnings


def test_sidecar_beats_the_documents_own_metadata(tmp_path: Path):
    write(
        tmp_path,
        "statement.pdf.meta.yaml",
        "issuer: Ministry of Foreign Affairs\ndate: 2024-01-02\nkind: press statement\n"
        "source_url: https://example.org/s\n",
    )
    write(tmp_path, "statement.meta.yaml", "issuer: Less specific sidecar\n")
    info = {"Title": "PDF Title", "Author": "Word User", "CreationDate": "D:20230426"}
    doc = load(tmp_path, "statement.pdf", make_pdf(PDF_PAGES, info=info))
    assert doc.meta.title == "PDF Title"
    assert doc.meta.issuer == "Ministry of Foreign Affairs"
    assert doc.meta.date == dt.date(2024, 1, 2)
    assert doc.meta.kind == "press statement"
    assert doc.meta.source_url == "https://example.org/s"


def test_short_sidecar_name_applies_to_any_format(tmp_path: Path):
    write(tmp_path, "statement.meta.yaml", "issuer: Sidecar Issuer\n")
    doc = load(tmp_path, "statement.html", PAGE)
    assert doc.meta.issuer == "Sidecar Issuer"
    assert doc.meta.title == "Joint Statement on the Alliance"


def test_sidecar_bad_url_falls_back_to_the_document(tmp_path: Path):
    write(tmp_path, "statement.meta.yaml", "source_url: file:///etc/passwd\n")
    doc = load(tmp_path, "statement.html", PAGE)
    assert doc.meta.source_url == "https://example.org/joint-statement"
    assert any("'file:///etc/passwd' in sidecar statement.meta.yaml" in w for w in doc.warnings)


def test_sidecar_unknown_key_warns_and_empty_sidecar_warns(tmp_path: Path):
    write(tmp_path, "a.meta.yaml", "isuer: Typo\n")
    doc = load(tmp_path, "a.md", "Body.\n")
    assert "sidecar a.meta.yaml: unknown key 'isuer' ignored" in doc.warnings
    write(tmp_path, "b.meta.yaml", "")
    assert "sidecar b.meta.yaml is empty" in load(tmp_path, "b.md", "Body.\n").warnings


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        ("title: [unclosed\n", "broken sidecar s.meta.yaml (line 2): expected ',' or ']'"),
        ("- a\n- b\n", "broken sidecar s.meta.yaml: expected 'key: value' lines"),
        ("title:\n  - a\n  - b\n", "broken sidecar s.meta.yaml: title must be a single value"),
        (b"title: Caf\xe9\n", "broken sidecar s.meta.yaml: not valid UTF-8 (byte offset 10)"),
    ],
    ids=["yaml", "list", "nested", "encoding"],
)
def test_broken_sidecar_is_an_error_of_its_document(
    tmp_path: Path, sidecar: str | bytes, expected: str
):
    write(tmp_path, "s.meta.yaml", sidecar)
    got = reason(tmp_path, "s.md", "Body.\n")
    assert got.startswith(expected), got


# ---------------------------------------------------------------- encodings and bad bytes

CP1252 = "# Joint Statement\n\nThe Ministers welcomed the “Café Agreement” — signed in Genève.\n"
KOREAN = (
    "# 공동성명\n\n대한민국과 미합중국은 한미동맹 70주년을 맞아 공동성명을 발표하였다. "
    "양국 정상은 확장억제를 강화하기로 합의하였다.\n"
)


@pytest.mark.parametrize(
    ("text", "encoding", "note"),
    [
        (CP1252, "cp1252", "not UTF-8: read as cp1252 (detected); re-save as UTF-8 to be sure"),
        (KOREAN, "euc-kr", "not UTF-8: read as cp949 (detected); re-save as UTF-8 to be sure"),
        (CP1252 + KOREAN, "utf-16", None),
        (CP1252 + KOREAN, "utf-16-be", None),
        (CP1252, "utf-8-sig", None),
    ],
    ids=["cp1252", "euc-kr", "utf-16-bom", "utf-16-be-no-bom", "utf-8-bom"],
)
def test_encodings_are_decoded_without_loss(
    tmp_path: Path, text: str, encoding: str, note: str | None
):
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw  # a BOM written by hand: big-endian
    doc = load(tmp_path, "s.txt", raw)
    assert doc.text == text
    notes = [w for w in doc.warnings if "UTF-8" in w]
    assert notes == ([note] if note else [])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b" \n\t\n", "the file is empty"),
        ("\n\n".encode("utf-16"), "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content (a PNG image), not a text file"),
        (b"%PDF-1.4\n%...", "binary content (a PDF document), not a text file"),
        (b"PK\x03\x04\x14\x00", "binary content (a ZIP archive such as .docx), not a text file"),
        (b"\x00\x01\x02\x03 data", "binary content (NUL bytes), not a text file"),
        (
            bytes(range(128, 256)) * 3,
            "not valid UTF-8 (byte 0x80 at offset 0) and no other text encoding reads it; "
            "re-save the file as UTF-8",
        ),
        (
            "Café “x” in UTF-8, then\n".encode() + "Café “x” in cp1252.\n".encode("cp1252"),
            "not valid UTF-8 (byte 0xe9 at offset 32); the file mixes UTF-8 with another "
            "encoding: fix the text around that offset and save it as UTF-8",
        ),
    ],
    ids=["empty", "blank", "blank-utf16", "png", "pdf", "zip", "nul", "noise", "mixed"],
)
def test_bad_text_files_get_specific_errors(tmp_path: Path, data: bytes, expected: str):
    got = reason(tmp_path, "bad.md", data)
    assert got.startswith(expected), got


@pytest.mark.parametrize("name", ["e.md", "e.txt", "e.html", "e.pdf", "e.docx"])
def test_empty_file_of_every_format(tmp_path: Path, name: str):
    assert reason(tmp_path, name, b"") == "the file is empty"


@pytest.mark.parametrize("name", ["big.md", "big.html", "big.pdf", "big.docx"])
def test_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path, name: str):
    got = reason(tmp_path, name, b"x" * 30_000, max_file_mb=0.01)
    assert got == "too large (29.3 KB; the limit is 0.01 MB, BRIEF_MAX_FILE_MB)"
