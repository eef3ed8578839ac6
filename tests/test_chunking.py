"""Structure-aware chunking: exact spans, whole sentences, sections, sizes, stable ids."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from core.models import Chunk, DocumentMeta, SourceDocument
from ingest.chunking import chunk_document
from ingest.loaders import discover, load_file
from retrieval.sentences import split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_docs() -> list[SourceDocument]:
    if not CORPUS.is_dir():
        return []
    found, errors = discover([CORPUS])
    assert not errors
    return [load_file(f) for f in found]


CORPUS_DOCS = corpus_docs()
needs_corpus = pytest.mark.skipif(not CORPUS_DOCS, reason="../shared/corpus is missing")


def make_doc(text: str, doc_id: str = "doc.md", title: str = "A Statement") -> SourceDocument:
    return SourceDocument(doc_id=doc_id, text=text, meta=DocumentMeta(title=title))


def assert_exact(doc: SourceDocument, chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.doc_id == doc.doc_id


def assert_no_sentence_cut(doc: SourceDocument, chunks: list[Chunk]) -> None:
    """Each sentence lies inside exactly one chunk, or touches none."""
    for sent in split_sentences(doc.text):
        touching = [c for c in chunks if c.start < sent.end and sent.start < c.end]
        if not touching:
            continue
        assert len(touching) == 1, f"sentence spread over chunks: {sent.text[:80]!r}"
        chunk = touching[0]
        assert chunk.start <= sent.start, sent.text[:80]
        assert sent.end <= chunk.end, sent.text[:80]


def sections(chunks: list[Chunk]) -> dict[str, str]:
    return {c.text: c.section for c in chunks}


# ---------------------------------------------------------------- the sample corpus


@needs_corpus
@pytest.mark.parametrize("doc", CORPUS_DOCS, ids=lambda d: d.doc_id)
def test_corpus_chunks_are_exact_spans(doc: SourceDocument):
    chunks = chunk_document(doc)
    assert chunks
    assert_exact(doc, chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for before, after in itertools.pairwise(chunks):
        assert before.end <= after.start
    for chunk in chunks:
        assert chunk.text == chunk.text.rstrip()
        assert chunk.meta == doc.meta
        assert chunk.page == 0  # Markdown has no pages
    # Paragraph numbers run through the document: each chunk starts at or after the last.
    numbers = [c.paragraph for c in chunks]
    assert numbers[0] >= 1
    assert numbers == sorted(numbers)


@needs_corpus
@pytest.mark.parametrize("doc", CORPUS_DOCS, ids=lambda d: d.doc_id)
def test_corpus_chunks_never_cut_a_sentence(doc: SourceDocument):
    assert_no_sentence_cut(doc, chunk_document(doc))


@needs_corpus
@pytest.mark.parametrize("doc", CORPUS_DOCS, ids=lambda d: d.doc_id)
def test_corpus_chunks_hold_no_html_comment(doc: SourceDocument):
    for chunk in chunk_document(doc):
        assert "<!--" not in chunk.text
        assert "-->" not in chunk.text


@needs_corpus
@pytest.mark.parametrize("doc", CORPUS_DOCS, ids=lambda d: d.doc_id)
def test_corpus_chunks_respect_max_chars(doc: SourceDocument):
    for max_chars in (300, 900):
        for chunk in chunk_document(doc, max_chars=max_chars, min_chars=max_chars // 4):
            if len(chunk.text) > max_chars:
                inside = split_sentences(doc.text, chunk.start, chunk.end)
                assert len(inside) == 1, (max_chars, len(chunk.text), chunk.text[:80])


@needs_corpus
def test_corpus_fact_sheet_sections_follow_bold_lead_ins():
    doc = next(
        d for d in CORPUS_DOCS if d.doc_id == "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md"
    )
    chunks = chunk_document(doc)
    fx = [c for c in chunks if "foreign exchange market stability of the ROK" in c.text]
    assert [c.section for c in fx] == ["FOREIGN EXCHANGE MARKET STABILITY"]
    tariffs = [c for c in chunks if "$150 billion of Korean investment" in c.text]
    assert [c.section for c in tariffs] == ["REBUILDING AND EXPANDING CRITICAL INDUSTRIES"]


# ---------------------------------------------------------------- sections

FACT_SHEET = """# Joint Fact Sheet

The leaders met in Gyeongju. They declared a new chapter.

**FOREIGN EXCHANGE MARKET STABILITY:** The ROK shall not be required to fund $20 billion.

- The ROK will use its best efforts.
- The United States will give due consideration.

**ENHANCING COMMERCIAL TIES**: The two leaders welcomed commercial commitments.

- Korean Air will buy aircraft.

## The Way Forward

The Alliance will grow.

---

After the rule.
"""


def test_bold_lead_in_sets_the_section_and_bullets_keep_it():
    chunks = chunk_document(make_doc(FACT_SHEET), max_chars=900, min_chars=10)
    by_text = {c.text.splitlines()[0]: c.section for c in chunks}
    assert by_text["The leaders met in Gyeongju. They declared a new chapter."] == ""
    fx = [c for c in chunks if "$20 billion" in c.text]
    assert len(fx) == 1
    assert fx[0].section == "FOREIGN EXCHANGE MARKET STABILITY"
    bullet_chunks = [c for c in chunks if "best efforts" in c.text or "due consideration" in c.text]
    assert bullet_chunks
    assert {c.section for c in bullet_chunks} == {"FOREIGN EXCHANGE MARKET STABILITY"}


def test_colon_outside_the_bold_gives_the_same_section_name():
    chunks = chunk_document(make_doc(FACT_SHEET), max_chars=900, min_chars=10)
    aircraft = next(c for c in chunks if "Korean Air" in c.text)
    assert aircraft.section == "ENHANCING COMMERCIAL TIES"


def test_new_lead_in_starts_a_new_chunk():
    chunks = chunk_document(make_doc(FACT_SHEET), max_chars=900, min_chars=10)
    for chunk in chunks:
        assert not ("$20 billion" in chunk.text and "Korean Air" in chunk.text)


def test_h2_heading_sets_the_section_and_h1_does_not():
    chunks = chunk_document(make_doc(FACT_SHEET), max_chars=900, min_chars=10)
    forward = next(c for c in chunks if "The Alliance will grow." in c.text)
    assert forward.section == "The Way Forward"
    first = next(c for c in chunks if "Gyeongju" in c.text)
    assert first.section == ""


def test_headings_are_never_inside_chunk_text():
    chunks = chunk_document(make_doc(FACT_SHEET), max_chars=900, min_chars=10)
    for chunk in chunks:
        assert "# " not in chunk.text
        assert "---" not in chunk.text


def test_rule_resets_the_section():
    chunks = chunk_document(make_doc(FACT_SHEET), max_chars=900, min_chars=10)
    after = next(c for c in chunks if "After the rule." in c.text)
    assert after.section == ""


def test_deeper_heading_with_closing_hashes():
    text = "Intro text.\n\n## Part\n### Sub Part ###\n\nText under the sub part."
    chunks = chunk_document(make_doc(text))
    assert sections(chunks)["Text under the sub part."] == "Sub Part"


def test_section_change_splits_chunks_even_when_short():
    text = "## One\n\nShort a.\n\n## Two\n\nShort b."
    chunks = chunk_document(make_doc(text), max_chars=900, min_chars=250)
    assert [(c.text, c.section) for c in chunks] == [("Short a.", "One"), ("Short b.", "Two")]


def test_short_paragraphs_of_one_section_are_joined():
    text = "A short para.\n\nAnother short para.\n\nThird."
    chunks = chunk_document(make_doc(text), max_chars=900, min_chars=250)
    assert [c.text for c in chunks] == [text]


def test_paragraph_reaching_min_chars_closes_the_chunk():
    first = "Long enough paragraph. " * 5
    text = f"{first.strip()}\n\nNext paragraph."
    chunks = chunk_document(make_doc(text), max_chars=900, min_chars=50)
    assert [c.text for c in chunks] == [first.strip(), "Next paragraph."]


# ---------------------------------------------------------------- comments


def test_html_comments_never_appear_in_chunks():
    text = (
        "Para one.\n<!-- c1 -->\nPara two.\n\n"
        "<!-- multi\n\nline comment. with a blank line -->\n\n"
        "Para three.\n\n<!-- unclosed comment at the end\nstill comment."
    )
    chunks = chunk_document(make_doc(text), max_chars=900, min_chars=0)
    assert_exact(make_doc(text), chunks)
    joined = "\n".join(c.text for c in chunks)
    assert "<!--" not in joined
    assert "-->" not in joined
    assert "comment" not in joined
    assert [c.text for c in chunks] == ["Para one.", "Para two.", "Para three."]


# ---------------------------------------------------------------- sizes


def sentence(rng: random.Random, words: int) -> str:
    vocab = "alliance peace treaty summit nuclear deterrence korea peninsula joint leaders".split()
    return " ".join(rng.choice(vocab) for _ in range(words)).capitalize() + "."


@pytest.mark.parametrize("seed", range(40))
def test_random_documents_respect_max_chars_and_sentences(seed: int):
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(1, 10)):
        roll = rng.random()
        if roll < 0.5:
            parts.append(
                " ".join(sentence(rng, rng.randint(3, 60)) for _ in range(rng.randint(1, 8)))
            )
        elif roll < 0.8:
            items = [f"- {sentence(rng, rng.randint(3, 40))}" for _ in range(rng.randint(1, 5))]
            parts.append("\n".join(items))
        elif roll < 0.9:
            parts.append(f"## Section {rng.randint(1, 9)}")
        else:
            parts.append(f"**LEAD IN {rng.randint(1, 9)}:** {sentence(rng, rng.randint(3, 30))}")
    doc = make_doc("\n\n".join(parts) + "\n")
    max_chars = rng.choice([200, 300, 500, 900])
    chunks = chunk_document(doc, max_chars=max_chars, min_chars=max_chars // 4)
    assert_exact(doc, chunks)
    assert_no_sentence_cut(doc, chunks)
    for chunk in chunks:
        if len(chunk.text) > max_chars:
            assert len(split_sentences(doc.text, chunk.start, chunk.end)) == 1


def test_long_paragraph_is_split_at_sentence_boundaries():
    rng = random.Random(7)
    text = " ".join(sentence(rng, 15) for _ in range(30))
    doc = make_doc(text)
    chunks = chunk_document(doc, max_chars=300, min_chars=50)
    assert len(chunks) > 1
    assert_exact(doc, chunks)
    assert_no_sentence_cut(doc, chunks)
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)


def test_single_sentence_longer_than_max_chars_stays_whole():
    long_sentence = "The alliance " + "and the peace " * 40 + "endures."
    text = f"Short one.\n\n{long_sentence}\n\nShort two."
    doc = make_doc(text)
    chunks = chunk_document(doc, max_chars=200, min_chars=0)
    assert_exact(doc, chunks)
    assert long_sentence in [c.text for c in chunks]
    assert [c for c in chunks if len(c.text) > 200] == [
        c for c in chunks if c.text == long_sentence
    ]


def test_items_join_until_max_chars():
    items = [f"- Item number {i} says something about the alliance." for i in range(20)]
    doc = make_doc("\n".join(items))
    chunks = chunk_document(doc, max_chars=200, min_chars=50)
    assert len(chunks) > 1
    assert all(len(c.text) <= 200 for c in chunks)
    assert_no_sentence_cut(doc, chunks)
    # Every item lands in some chunk, whole.
    for item in items:
        assert sum(item in c.text for c in chunks) == 1


@pytest.mark.parametrize(
    "text",
    ["Line one\n---\nText two.", "Para one.\n## Heading\nText two."],
    ids=["rule", "heading"],
)
def test_structure_line_without_blank_lines_does_not_cut_a_sentence(text: str):
    doc = make_doc(text)
    assert_no_sentence_cut(doc, chunk_document(doc, min_chars=0))


def test_empty_body_gives_no_chunks():
    assert chunk_document(make_doc("# Only a heading\n\n<!-- and a comment -->\n")) == []


# ---------------------------------------------------------------- ids


def test_chunk_ids_are_stable_across_runs():
    doc = make_doc(FACT_SHEET)
    first = [c.chunk_id for c in chunk_document(doc, min_chars=10)]
    second = [c.chunk_id for c in chunk_document(make_doc(FACT_SHEET), min_chars=10)]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(cid.startswith("doc.md:") for cid in first)


def test_chunk_id_changes_when_the_text_changes():
    before = chunk_document(make_doc(FACT_SHEET), min_chars=10)
    edited = FACT_SHEET.replace("The Alliance will grow.", "The Alliance will grew.")
    after = chunk_document(make_doc(edited), min_chars=10)
    assert len(before) == len(after)
    changed = [
        (b.text, a.text) for b, a in zip(before, after, strict=True) if b.chunk_id != a.chunk_id
    ]
    assert changed == [("The Alliance will grow.", "The Alliance will grew.")]


def test_chunk_id_changes_with_metadata_and_doc_id():
    base = chunk_document(make_doc(FACT_SHEET), min_chars=10)
    retitled = chunk_document(make_doc(FACT_SHEET, title="Another Title"), min_chars=10)
    moved = chunk_document(make_doc(FACT_SHEET, doc_id="other.md"), min_chars=10)
    for a, b, c in zip(base, retitled, moved, strict=True):
        assert a.chunk_id != b.chunk_id
        assert a.chunk_id != c.chunk_id


def test_chunk_ids_change_with_page_breaks():
    text = "Para one.\n\nPara two.\n"
    flat = chunk_document(make_doc(text), min_chars=0)
    paged = chunk_document(
        SourceDocument(
            doc_id="doc.md", text=text, meta=DocumentMeta(title="A Statement"), page_starts=(0, 11)
        ),
        min_chars=0,
    )
    assert [c.text for c in flat] == [c.text for c in paged]
    assert [(c.page, c.paragraph) for c in paged] == [(1, 1), (2, 1)]
    assert {c.chunk_id for c in flat}.isdisjoint(c.chunk_id for c in paged)
