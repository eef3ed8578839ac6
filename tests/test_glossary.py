"""The Korean-English glossary: the repo's file loads, its English stands in the corpus, it
covers the Korean questions, and a malformed or contradicting entry is named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.questions import load_questions
from retrieval.search.glossary import (
    DEFAULT_PATH,
    Glossary,
    GlossaryEntry,
    GlossaryError,
    load_glossary,
    normalize,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
KO_SET = ROOT / "eval" / "questions_ko.yaml"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is missing")


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary()


def folded(text: str) -> str:
    return text.translate(str.maketrans("’‘“”", "''\"\"")).casefold()


# ---------------------------------------------------------------- the repo's glossary


def test_the_glossary_loads_with_its_source(glossary: Glossary) -> None:
    assert DEFAULT_PATH.name == "glossary_ko.yaml"
    assert 1000 <= len(glossary.entries) <= 3000
    assert len(glossary) >= len(glossary.entries)  # every Korean form is a key
    # An unquoted comma in a YAML list splits a form in two ("illegal, unreported, and ...").
    forms = [english for e in glossary.entries for english in e.english]
    assert not [f for f in forms if f.startswith(("and ", "or ", "the "))]
    (source,) = glossary.sources
    assert "corpus" in source
    assert "not copied or scraped" in source


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("싱가포르 공동성명", "Singapore Joint Statement"),
        ("핵협의그룹", "Nuclear Consultative Group"),
        ("핵 협의 그룹", "NCG"),
        ("확장억제", "extended deterrence"),
        ("캠프 데이비드", "Camp David"),
        ("캠프 데이비드 원칙", "Camp David Principles"),
        ("이재명", "Lee Jae Myung"),
        ("트럼프", "Trump"),
        ("비핵화", "denuclearization"),
        ("팩트시트", "fact sheet"),
        ("북한", "DPRK"),
        ("대한민국", "ROK"),
        ("한·미", "U.S.-ROK"),
        ("기술번영협정", "Technology Prosperity Deal"),
        ("전작권", "wartime operational control"),
    ],
)
def test_the_names_the_issue_asks_for_map_to_the_corpus_wording(
    glossary: Glossary, korean: str, english: str
) -> None:
    assert english in glossary.english(korean)


@needs_corpus
def test_every_entry_has_english_that_stands_in_the_corpus(glossary: Glossary) -> None:
    """Except those whose note says the corpus lacks them (Hanoi, Fukushima, NLL and the
    Korea-desk topics the statements never mention, THAAD, GSOMIA, ...): the glossary must lead
    a question to the words the statements use, and those absent stay a minority."""
    text = folded(
        " ".join(f"{p.name} {p.read_text(encoding='utf-8')}" for p in CORPUS.glob("*.md"))
    )
    absent = [e for e in glossary.entries if e.note.startswith("Not in the corpus")]
    assert 3 <= len(absent) <= len(glossary.entries) // 5
    missing = [
        e.korean[0]
        for e in glossary.entries
        if e not in absent and not any(folded(english) in text for english in e.english)
    ]
    assert missing == []
    for entry in absent:
        assert not any(folded(english) in text for english in entry.english), entry.korean[0]


def test_every_korean_question_meets_a_glossary_term_or_an_acronym(glossary: Glossary) -> None:
    questions = load_questions(KO_SET)
    with_terms = [q for q in questions if glossary.find(q.question)]
    assert len(with_terms) >= 0.9 * len(questions)
    for q in questions:
        # The rest name what they ask about in Latin letters (TPD, NCG, APEC, G7).
        assert glossary.find(q.question) or any(c.isascii() and c.isupper() for c in q.question)


# ---------------------------------------------------------------- lookups and matching


def test_spelling_variants_find_the_same_entry(glossary: Glossary) -> None:
    assert glossary["핵 협의 그룹"] is glossary["핵협의그룹"] is glossary["핵협의 그룹"]
    assert glossary["한-미"] is glossary["한미"]
    assert "한미일" in glossary
    assert "no such term" not in glossary
    assert normalize(" 한·미 FTA ") == "한미fta"
    with pytest.raises(KeyError):
        glossary.english("없는 용어")


def test_find_prefers_the_longer_form_and_keeps_their_order(glossary: Glossary) -> None:
    found = glossary.find("캠프 데이비드 원칙에서 윤석열·바이든·기시다 세 정상은")
    assert [e.english[0] for e in found] == [
        "Camp David Principles",
        "Yoon Suk Yeol",
        "Biden",
        "Kishida Fumio",
        "leaders",
    ]
    quoted = glossary.find("'신속하고 압도적이며 결정적인' 대응")
    assert quoted[-1].english[0].startswith("swift, overwhelming")


def test_a_form_must_start_a_word(glossary: Glossary) -> None:
    # 얼마나 사기로 ("how much ... to buy") holds 나사 (NASA) across a word boundary.
    found = glossary.find("가스공사가 미국산 LNG를 얼마나 사기로 했어?")
    assert "NASA" not in {e for entry in found for e in entry.english}
    assert [e.english[0] for e in glossary.find("나사의 아르테미스")] == ["NASA", "Artemis"]


def test_a_longer_word_is_read_whole_not_by_a_name_inside_it(glossary: Glossary) -> None:
    # 태평양 (the Pacific) holds 평양 (Pyongyang); 북한 외무상 is the DPRK's foreign minister.
    assert glossary.find("태평양 지역")[0].english[0] == "Pacific"
    found = glossary.find("북한 외무상은 언제 담화를 냈나")
    assert found[0].english[0] == "DPRK foreign minister"


def test_a_one_syllable_form_counts_only_as_a_word(glossary: Glossary) -> None:
    dprk = glossary["북한"]
    assert glossary.find("북은 뭐라고 했나?") == [dprk]
    assert glossary.find('"북"의 반응') == [dprk]
    nato = glossary.find("북대서양조약기구")
    assert [e.english[-1] for e in nato] == ["NATO"]
    assert glossary.find("북적이는 거리") == []


# ---------------------------------------------------------------- office files and errors

GOOD = """source: "Our office's terms, from our own style guide."
entries:
  - {korean: [연락관], english: [liaison officer]}
  - korean: [판문점 견학]
    english: [Panmunjom tour]
    kind: event
"""


def write(tmp_path: Path, text: str, name: str = "office.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_office_file_adds_terms_without_code(tmp_path: Path) -> None:
    glossary = load_glossary(extra_paths=[write(tmp_path, GOOD)])
    assert glossary.english("연락관") == ("liaison officer",)
    assert glossary["판문점견학"].kind == "event"
    assert glossary["판문점견학"].where.endswith("office.yaml:4")
    assert glossary.english("핵협의그룹")[0] == "Nuclear Consultative Group"
    assert len(glossary.sources) == 2


def test_an_office_may_repeat_a_term_with_the_same_english(tmp_path: Path) -> None:
    same = 'source: "ours"\nentries:\n'
    same += "  - {korean: [핵협의그룹], english: [ncg, Nuclear Consultative Group]}\n"
    glossary = load_glossary(extra_paths=[write(tmp_path, same)])
    assert glossary["핵협의그룹"].where.startswith(str(DEFAULT_PATH))


def test_a_korean_form_with_other_english_is_an_error_naming_both_places(tmp_path: Path) -> None:
    clash = 'source: "ours"\nentries:\n  - {korean: [연락관], english: [x]}\n'
    clash += "  - {korean: [핵 협의그룹], english: [nuclear umbrella group]}\n"
    with pytest.raises(GlossaryError) as info:
        load_glossary(extra_paths=[write(tmp_path, clash)])
    message = str(info.value)
    assert "office.yaml:4: entry 2 (핵 협의그룹)" in message
    assert "glossary_ko.yaml:" in message
    assert "Nuclear Consultative Group" in message


def test_a_clash_within_one_file_is_an_error(tmp_path: Path) -> None:
    text = GOOD + "  - {korean: [연락 관], english: [liaison]}\n"
    with pytest.raises(GlossaryError, match=r"office\.yaml:7: entry 3 \(연락 관\)"):
        load_glossary(write(tmp_path, text))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{korean: [연락관]}", "'english' must be a non-empty list"),
        ("{korean: [], english: [x]}", "'korean' must be a non-empty list"),
        ("{korean: 연락관, english: [x]}", "'korean' must be a non-empty list"),
        ("{korean: [NCG], english: [x]}", "must hold Hangul"),
        ("{korean: [연락관], english: [연락관]}", "holds Hangul"),
        ("{korean: [연락관], english: ['']}", "empty form"),
        ("{korean: [연락관], english: [12]}", "not text"),
        ("{korean: [연락관], english: [x], kind: treaty}", "'kind' must be one of"),
        ("{korean: [연락관], english: [x], notes: y}", "unknown key(s) notes"),
        ("[연락관, x]", "expected a mapping"),
    ],
    ids=[
        "no-english",
        "empty-korean",
        "korean-not-a-list",
        "korean-without-hangul",
        "hangul-in-english",
        "empty-english",
        "number",
        "bad-kind",
        "extra-key",
        "not-a-mapping",
    ],
)
def test_a_malformed_entry_is_named_with_its_line(tmp_path: Path, entry: str, message: str) -> None:
    path = write(tmp_path, GOOD + f"  - {entry}\n")
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    text = str(info.value)
    assert text.startswith(f"{path}:7: entry 3")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("entries: [{korean: [연락관], english: [x]}]\n", "'source' must say"),
        ("source: ours\nentries: []\n", "'entries' must be a non-empty list"),
        ("source: ours\nentries: [{korean: [연락관], english: [x]}]\nextra: 1\n", "unknown key"),
        ("- just a list\n", "expected a mapping"),
        ("source: [unclosed\n", "cannot read the glossary"),
    ],
    ids=["no-source", "no-entries", "extra-key", "a-list", "bad-yaml"],
)
def test_a_malformed_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)


def test_a_missing_office_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match=r"missing\.yaml: cannot read"):
        load_glossary(extra_paths=[tmp_path / "missing.yaml"])


def test_an_entry_is_a_plain_value() -> None:
    entry = GlossaryEntry(("연락관",), ("liaison officer",))
    assert (entry.kind, entry.note, entry.where) == ("term", "", "")
    assert Glossary([entry])["연락 관"] is entry


def test_acronyms_are_spelled_out_from_the_entries_english_forms() -> None:
    from retrieval.search.glossary import GlossaryEntry, acronym_forms
    from retrieval.search.korean import KoreanBridge

    entries = {
        "전작권": GlossaryEntry(("전작권",), ("wartime operational control", "OPCON")),
        "비핵화": GlossaryEntry(("비핵화",), ("denuclearization",)),
        "북한": GlossaryEntry(("북한",), ("DPRK",)),  # no long form: nothing to spell out
        "사드": GlossaryEntry(
            ("사드",),
            ("THAAD", "Terminal High Altitude Area Defense"),
            note=(
                "Not in the corpus."  # its long form's words would read as held: it stays unknown
            ),
        ),
    }
    assert acronym_forms(entries) == {"OPCON": ("wartime operational control", "OPCON")}
    bridge = KoreanBridge.from_glossary(entries)
    assert bridge.acronyms_in("Has OPCON moved? And the DPRK?") == (
        ("wartime operational control", "OPCON"),
    )
