"""Sentence segmentation keeps exact character spans (quotes must map back verbatim)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.sentences import (
    Span,
    is_reported,
    quotable,
    reading_text,
    sentence_reading,
    split_sentences,
    word_count,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []


def texts(text: str, start: int = 0, end: int | None = None) -> list[str]:
    spans = split_sentences(text, start, end)
    assert_exact(text, spans)
    return [s.text for s in spans]


def assert_exact(text: str, spans: list[Span]) -> None:
    """Every span maps back exactly, is trimmed, non-empty, and spans are ordered."""
    previous_end = -1
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text
        assert span.text == span.text.strip()
        assert span.start >= previous_end
        previous_end = span.end


# ---------------------------------------------------------------- abbreviations


def test_plain_sentences_split_at_terminal_punctuation():
    assert texts("Peace has begun. Will it last? It must!") == [
        "Peace has begun.",
        "Will it last?",
        "It must!",
    ]


def test_us_abbreviation_does_not_end_a_sentence():
    text = "The U.S. and the ROK met in Seoul. They agreed."
    assert texts(text) == ["The U.S. and the ROK met in Seoul.", "They agreed."]


def test_title_and_month_abbreviations_do_not_end_a_sentence():
    text = "Dr. Kim spoke on Nov. 13 in Seoul. Mr. Lee listened."
    assert texts(text) == ["Dr. Kim spoke on Nov. 13 in Seoul.", "Mr. Lee listened."]


def test_middle_initial_does_not_end_a_sentence():
    text = "President Donald J. Trump arrived. He met President Lee."
    assert texts(text) == ["President Donald J. Trump arrived.", "He met President Lee."]


def test_lowercase_dotted_abbreviations():
    text = "They met at 10 a.m. in Gyeongju, i.e. the venue. Talks ended."
    assert texts(text) == ["They met at 10 a.m. in Gyeongju, i.e. the venue.", "Talks ended."]


def test_abbreviation_at_end_of_text_is_kept_whole():
    assert texts("The deal was signed in the U.S.") == ["The deal was signed in the U.S."]


def test_year_before_period_ends_a_sentence():
    assert texts("It was 2018. A new era began.") == ["It was 2018.", "A new era began."]


# ---------------------------------------------------------------- bullets


def test_dash_bullets_are_sentences_without_their_marker():
    text = "- First item here\n- Second item here"
    spans = split_sentences(text)
    assert_exact(text, spans)
    assert [s.text for s in spans] == ["First item here", "Second item here"]
    assert spans[0].start == 2
    assert spans[1].start == text.index("Second")


def test_numbered_items_are_sentences_without_their_number():
    text = "1. Numbered one.\n2) Numbered two\n10. Numbered ten"
    assert texts(text) == ["Numbered one.", "Numbered two", "Numbered ten"]


def test_other_bullet_markers():
    text = "* star item\n+ plus item\n• dot item"
    assert texts(text) == ["star item", "plus item", "dot item"]


def test_bullet_with_several_sentences_splits_inside_it():
    text = "- The ROK agreed. The U.S. welcomed it.\n- Next item"
    assert texts(text) == ["The ROK agreed.", "The U.S. welcomed it.", "Next item"]


def test_bullet_after_paragraph_line_starts_a_new_sentence():
    text = "The leaders agreed on the following\n- an item without a period"
    assert texts(text) == ["The leaders agreed on the following", "an item without a period"]


def test_hyphen_without_space_is_not_a_bullet():
    assert texts("-not a bullet.") == ["-not a bullet."]


# ---------------------------------------------------------------- lead-ins, headings, comments


def test_bold_lead_in_with_colon_inside_is_excluded():
    text = "**FOREIGN EXCHANGE MARKET STABILITY:** The ROK agreed. The U.S. concurred."
    assert texts(text) == ["The ROK agreed.", "The U.S. concurred."]


def test_bold_lead_in_with_colon_outside_is_excluded():
    text = "**REBUILDING AND EXPANDING CRITICAL INDUSTRIES**: President Trump spoke."
    assert texts(text) == ["President Trump spoke."]


def test_bold_lead_in_inside_a_bullet_is_excluded():
    text = "- **Energy:** The deal covers LNG."
    assert texts(text) == ["The deal covers LNG."]


def test_markdown_headings_are_skipped():
    text = "# Joint Statement\n\n## Section One\n\nBody text. More text.\n\n### Deeper\n\nEnd."
    assert texts(text) == ["Body text.", "More text.", "End."]


def test_html_comments_are_skipped():
    text = "<!-- Segment A: verbatim. From a copy. -->\n\nThe text. Another one."
    assert texts(text) == ["The text.", "Another one."]


def test_multi_line_comment_block_is_skipped():
    text = "<!-- a note\nthat spans. two lines -->\n\nReal text."
    assert texts(text) == ["Real text."]


def test_text_directly_under_a_heading_is_kept():
    assert texts("## Heading\nText right after the heading.") == ["Text right after the heading."]


def test_text_directly_under_a_comment_is_kept():
    assert texts("<!-- note -->\nText after the comment.") == ["Text after the comment."]


def test_comment_with_blank_line_inside_yields_no_sentence():
    assert texts("<!-- a\n\nb. c -->\n\nReal text.") == ["Real text."]


def test_thematic_break_is_not_a_sentence():
    assert texts("Before.\n\n* * *\n\nAfter.") == ["Before.", "After."]


# ---------------------------------------------------------------- quotes and brackets


def test_straight_closing_quote_after_period_stays_with_the_sentence():
    text = 'He said "peace has begun." Then he left.'
    assert texts(text) == ['He said "peace has begun."', "Then he left."]


def test_curly_closing_quote_after_period_stays_with_the_sentence():
    text = "He said “peace has begun.” Then he left."
    assert texts(text) == ["He said “peace has begun.”", "Then he left."]


def test_single_curly_quote_and_bracket_after_period():
    text = "The ‘Peace House.’ (As noted.) Next."
    assert texts(text) == ["The ‘Peace House.’", "(As noted.)", "Next."]


def test_period_inside_a_word_does_not_split():
    assert texts("See persecondnews.com for the text. Done.") == [
        "See persecondnews.com for the text.",
        "Done.",
    ]


# ---------------------------------------------------------------- blocks and ranges


def test_line_wraps_inside_a_paragraph_stay_in_one_sentence():
    text = "Paragraph one line\ncontinues here. Done!"
    assert texts(text) == ["Paragraph one line\ncontinues here.", "Done!"]


def test_blank_lines_end_a_sentence_without_punctuation():
    assert texts("A title-like line\n\nA sentence.") == ["A title-like line", "A sentence."]


def test_empty_and_blank_text_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("   \n\n\t") == []


def test_offsets_are_into_the_whole_text_when_a_range_is_given():
    text = "xx First. Second. yy"
    spans = split_sentences(text, 3, 17)
    assert_exact(text, spans)
    assert [(s.start, s.end, s.text) for s in spans] == [(3, 9, "First."), (10, 17, "Second.")]


def test_range_excludes_text_outside_it():
    text = "Before. Inside one. Inside two. After."
    start = text.index("Inside one")
    end = text.index(" After")
    assert texts(text, start, end) == ["Inside one.", "Inside two."]


def test_crlf_line_endings_keep_exact_spans():
    text = "First line\r\ncontinues. Second.\r\n\r\n- item\r\n"
    assert texts(text) == ["First line\r\ncontinues.", "Second.", "item"]


def test_word_count():
    assert word_count("The two  leaders\nmet.") == 4
    assert word_count("") == 0


# ---------------------------------------------------------------- the sample corpus


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is missing")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_span_maps_back_exactly(path: Path):
    text = path.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert spans, f"{path.name}: no sentences"
    assert_exact(text, spans)
    for span in spans:
        assert "<!--" not in span.text
        assert not span.text.startswith("#")
        assert not span.text.startswith("**")


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is missing")
def test_corpus_sentences_keep_abbreviations_inside():
    text = (CORPUS / "2018-06-12-singapore-joint-statement.md").read_text(encoding="utf-8")
    sentences = texts(text)
    expected = (
        "The United States and the DPRK commit to hold follow-on negotiations, led by the "
        "U.S. Secretary of State, Mike Pompeo, and a relevant high-level DPRK official, at "
        "the earliest possible date, to implement the outcomes of the U.S.-DPRK summit."
    )
    assert expected in sentences


def test_a_sentence_is_scored_as_read_without_link_targets_or_emphasis_marks():
    linked = "The [Harbour Accord](https://example.org/a/b.html) was signed by Director Orm."
    assert reading_text(linked) == "The Harbour Accord was signed by Director Orm."
    assert reading_text("*Noting* the **new** rules") == "Noting the new rules"
    assert reading_text("snake_case and 5*3 stay") == "snake_case and 5*3 stay"
    # A sentence with a link in it is quotable for its words; an address alone is not.
    assert quotable(linked)
    assert not quotable("See https://example.org/a/b.html for the full text here.")
    assert not quotable("[Read the full text of the accord](https://example.org/a/b.html)")


REPORTED = (
    "The copy used stops here.\n\n"
    "## Quoted in news reports\n\n"
    "- Daily Herald, 3 May 2024, https://herald.example/a/1 — “We condemn the blockade of the "
    'straits,” (on Freedonia) ; "we call for talks without delay."\n'
    "- same source — “Never again will we accept a decree. Nothing is more hollow than it,”\n"
    '- Evening Post, https://post.example/b — the ministers called it "a decree that breaks the '
    'treaty of 1901"\n'
)


def test_a_news_report_line_yields_its_quotations_not_its_address_or_words():
    assert texts(REPORTED) == [
        "The copy used stops here.",
        "We condemn the blockade of the straits",
        "we call for talks without delay.",
        "Never again will we accept a decree.",
        "Nothing is more hollow than it",
        "a decree that breaks the treaty of 1901",
    ]


def test_a_quotation_is_known_as_reported_and_read_with_the_note_after_it():
    spans = split_sentences(REPORTED)
    assert [is_reported(REPORTED, s.start) for s in spans] == [False] + [True] * 5
    first = spans[1]
    assert sentence_reading(REPORTED, first.start, first.end) == (
        "We condemn the blockade of the straits (on Freedonia)"
    )
    # Within one quotation, the next sentence is no note of the one before.
    never = spans[3]
    assert sentence_reading(REPORTED, never.start, never.end) == never.text
