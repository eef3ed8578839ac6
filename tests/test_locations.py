"""Pages and paragraphs: how they are counted, kept by chunks, and cited as "p. 3, ¶2"."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from core.answers import Answer, Citation
from core.models import Chunk, DocumentMeta, SourceDocument
from ingest.chunking import chunk_document
from ingest.loaders import FoundFile, discover, load_file
from retrieval.answer.citations import cite, quote_location
from retrieval.sentences import locate, markdown_blocks, number_paragraphs, split_sentences
from tests.fixtures.documents import make_pdf

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

TEXT = """# Title

First paragraph, two sentences. Here is the second.

## Section

<!-- a comment -->

Second paragraph.

- An item.
- Another item.
---
Third paragraph.
"""


def make_doc(text: str, page_starts: tuple[int, ...] = ()) -> SourceDocument:
    return SourceDocument(
        doc_id="d.pdf", text=text, meta=DocumentMeta(title="T"), page_starts=page_starts
    )


def test_paragraphs_and_items_are_counted_headings_rules_comments_are_not():
    blocks = number_paragraphs(markdown_blocks(TEXT))
    counted = [(b.kind, b.paragraph) for b in blocks if b.paragraph]
    assert counted == [("para", 1), ("para", 2), ("item", 3), ("item", 4), ("para", 5)]
    assert all(b.page == 0 for b in blocks)
    assert {b.paragraph for b in blocks if b.kind in ("heading", "rule", "comment")} == {0}


def test_numbering_restarts_on_each_page():
    page1 = "# Title\n\nOne.\n\nTwo."
    page2 = "Three.\n\n- Four."
    text = f"{page1}\n\n{page2}\n"
    blocks = number_paragraphs(markdown_blocks(text), (0, len(page1) + 2))
    assert [(b.page, b.paragraph) for b in blocks] == [(1, 0), (1, 1), (1, 2), (2, 1), (2, 2)]


def test_locate_names_the_block_holding_an_offset():
    assert locate(TEXT, TEXT.index("Here is")) == (0, 1)
    assert locate(TEXT, TEXT.index("Another")) == (0, 4)
    assert locate(TEXT, TEXT.index("Section")) == (0, 0)  # a heading is no paragraph


def test_a_page_break_is_a_hard_chunk_boundary():
    page1 = "Short one.\n\nShort two."
    text = f"{page1}\n\nShort three.\n"
    doc = make_doc(text, (0, len(page1) + 2))
    chunks = chunk_document(doc, max_chars=900, min_chars=250)
    assert [(c.text, c.page, c.paragraph) for c in chunks] == [
        ("Short one.\n\nShort two.", 1, 1),
        ("Short three.", 2, 1),
    ]
    # Without pages the three short paragraphs join.
    (joined,) = chunk_document(make_doc(text), max_chars=900, min_chars=250)
    assert (joined.page, joined.paragraph) == (0, 1)


def test_a_split_paragraph_keeps_its_number():
    long = " ".join(f"Sentence number {i} of the long paragraph." for i in range(30))
    doc = make_doc(f"Opening.\n\n{long}\n")
    chunks = chunk_document(doc, max_chars=300, min_chars=0)
    assert chunks[0].paragraph == 1
    assert len(chunks) > 2
    assert {c.paragraph for c in chunks[1:]} == {2}


def assert_citations_agree(doc: SourceDocument, chunks: list[Chunk]) -> int:
    """Every sentence, cited through its chunk, gets the location counted on the document."""
    checked = 0
    for sent in split_sentences(doc.text):
        chunk = next((c for c in chunks if c.start <= sent.start < c.end), None)
        if chunk is None:
            continue
        assert doc.text[chunk.start : chunk.end] == chunk.text
        expected = locate(doc.text, sent.start, doc.page_starts)
        assert quote_location(chunk, sent.start) == expected, sent.text[:60]
        citation = cite(1, chunk, sent.start, sent.end, sent.text)
        assert (citation.page, citation.paragraph) == expected
        checked += 1
    return checked


def corpus_docs() -> list[SourceDocument]:
    if not CORPUS.is_dir():
        return []
    found, _ = discover([CORPUS])
    return [load_file(f) for f in found]


CORPUS_DOCS = corpus_docs()


@pytest.mark.skipif(not CORPUS_DOCS, reason="../shared/corpus is missing")
@pytest.mark.parametrize("max_chars", [300, 1500])
def test_corpus_citations_locate_their_paragraph(max_chars: int):
    total = 0
    for doc in CORPUS_DOCS:
        total += assert_citations_agree(doc, chunk_document(doc, max_chars, max_chars // 3))
    assert total > 500


@pytest.mark.parametrize("seed", range(25))
def test_random_paged_documents_cite_consistently(seed: int):
    rng = random.Random(seed)
    words = "alliance treaty summit nuclear peninsula leaders agreed joint".split()
    pages: list[str] = []
    for _ in range(rng.randint(1, 4)):
        blocks = []
        for _ in range(rng.randint(0, 6)):
            roll = rng.random()
            sentences = [
                " ".join(rng.choice(words) for _ in range(rng.randint(3, 25))).capitalize() + "."
                for _ in range(rng.randint(1, 5))
            ]
            if roll < 0.15:
                blocks.append("## " + sentences[0].rstrip("."))
            elif roll < 0.4:
                blocks.append("\n".join(f"- {s}" for s in sentences))
            else:
                blocks.append(" ".join(sentences))
        pages.append("\n\n".join(blocks))
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 2
    doc = make_doc("\n\n".join(pages) + "\n", tuple(starts))
    chunks = chunk_document(doc, max_chars=rng.choice([200, 400, 900]), min_chars=50)
    assert_citations_agree(doc, chunks)
    for chunk in chunks:
        assert chunk.page == locate(doc.text, chunk.start, doc.page_starts)[0]


def test_a_loaded_pdf_cites_page_and_paragraph(tmp_path: Path):
    pages: list[list[str | list[str]]] = [
        ["Opening paragraph of page one.", "Second paragraph of page one."],
        ["First on page two.", ["The leaders agreed to meet again.", "It continues here."]],
    ]
    path = tmp_path / "s.pdf"
    path.write_bytes(make_pdf(pages))
    doc = load_file(FoundFile(path, "s.pdf"))
    chunks = chunk_document(doc, max_chars=900, min_chars=10)
    assert assert_citations_agree(doc, chunks) == 5
    start = doc.text.index("The leaders agreed")
    chunk = next(c for c in chunks if c.start <= start < c.end)
    citation = cite(1, chunk, start, start + 33, "The leaders agreed to meet again.")
    assert citation.location == "p. 2, ¶2"


def citation(**fields: object) -> Citation:
    base: dict[str, object] = {
        "n": 1,
        "doc_id": "d",
        "title": "Joint Statement",
        "issuer": "Ministry",
        "date": dt.date(2023, 4, 26),
        "section": "Quotas",
        "quote": "Q.",
        "start": 0,
        "end": 2,
    }
    return Citation.model_validate(base | fields)


def test_location_labels_and_footnotes():
    assert citation(page=3, paragraph=2).location == "p. 3, ¶2"
    assert citation(paragraph=4).location == "¶4"
    assert citation().location == ""
    assert citation(page=3, paragraph=2, source_url="https://example.org/s").footnote() == (
        "Joint Statement, Ministry, April 26, 2023, Quotas, p. 3, ¶2, https://example.org/s."
    )
    assert citation().footnote() == "Joint Statement, Ministry, April 26, 2023, Quotas."
    answer = Answer(
        question="q", searched_as="q", text="Quoted [1].", citations=[citation(paragraph=4)]
    )
    assert "[^1]: Joint Statement, Ministry, April 26, 2023, Quotas, ¶4." in answer.to_markdown()


def test_page_and_paragraph_survive_chroma_metadata_and_change_the_id():
    meta = DocumentMeta(title="T")
    chunk = Chunk(doc_id="d", text="x", start=0, end=1, page=3, paragraph=2, meta=meta)
    back = Chunk.from_metadata("x", chunk.to_metadata())
    assert (back.page, back.paragraph) == (3, 2)
    assert back.chunk_id == chunk.chunk_id
    moved = chunk.model_copy(update={"paragraph": 3})
    assert moved.chunk_id != chunk.chunk_id
    old = {k: v for k, v in chunk.to_metadata().items() if k not in ("page", "paragraph")}
    assert (Chunk.from_metadata("x", old).page, Chunk.from_metadata("x", old).paragraph) == (0, 0)


def test_a_markdown_export_links_only_the_source_url() -> None:
    from core.answers import Answer

    c = citation(
        title="Notice https://evil.example.org/phish [click](https://evil.example.org)",
        issuer="www.evil-issuer.org",
        source_url="https://example.org/s",
    )
    answer = Answer(
        question="q",
        searched_as="q",
        text="Notice https://evil.example.org/phish (April 26, 2023): “Q.” [1]",
        citations=[c],
    )
    md = answer.to_markdown()
    assert "[^1]" in md
    assert "https://evil" not in md
    assert "www.evil" not in md
    assert "[click](" not in md
    assert md.rstrip().endswith("https://example.org/s.")
