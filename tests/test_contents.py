"""Questions about what a named document or event itself says, and whether it is held."""

from __future__ import annotations

import pytest

from retrieval.answer.contents import asked_content_of, korean_content_of, source_held


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("What was agreed at the first Korea-Pacific Islands Summit?", "Korea-Pacific Islands"),
        ("What do the Artemis Accords require of the countries that sign them?", "Artemis"),
        ("What are the main principles of the ASEAN Outlook on the Indo-Pacific?", "ASEAN"),
        ("What came out of the Summit for Democracy?", "Democracy"),
        ("What did the U.S.-led Summit on Global Supply Chain Resilience decide?", "Resilience"),
        ("What does the Washington Declaration say about the NCG?", "Washington Declaration"),
        # What a statement named holds: "in", "per", "under" or "according to" it.
        ("What relief did the U.S. offer in the Singapore joint statement?", "Singapore"),
        ("Per the Lima fact sheet, how many drills were held?", "Lima"),
        # What the speakers agreed at a meeting is that meeting's own content.
        ("What did Trump and Lee agree at their first White House meeting?", "White House"),
        ("What did the three leaders agree at their 2025 trilateral summit?", "2025 trilateral"),
        ("What did Biden and Yoon decide in May 2022 about the EDSCG?", "May 2022"),
        ("P4G Seoul Summit outcome", "P4G Seoul Summit"),  # terse, as typed in a search box
        # What they agreed on something at a meeting it names.
        ("What did Trump and Kim agree on POW/MIA remains at their Hanoi summit?", "Hanoi summit"),
        # "At its meeting": the meeting of the body that met.
        ("What did the KORUS Joint Committee adopt at its 2025 meeting?", "KORUS Joint Committee"),
        ("What exactly does the Memorandum on the Framework oblige them to do?", "Memorandum"),
        ("What did the 57th SCM joint communique say about OPCON?", "57th SCM joint communique"),
        ("What does Biden's Executive Order on the Climate Crisis require?", "Executive Order"),
        # A heading that names a document or a meeting: what that one says.
        ("Osaka Summit: what did the leaders say about trade?", "Osaka Summit"),
        ("Revised Fisheries agreement: what quotas were agreed?", "Revised Fisheries agreement"),
        # What it covers, however the ask is worded; a yes-no question about what it does.
        ("What research areas does the 2031 joint statement on tidal energy cover?", "tidal"),
        ("Does the Memorandum on Tidal Cooperation supersede the 1990 treaty?", "Memorandum on"),
        # "It" and "its" after a heading are the heading's thing.
        ("Marrow Fisheries Council: what did it agree at its first meeting?", "Council first"),
        ("Tidal Monitoring Team: what did its first report find?", "Team first report"),
    ],
)
def test_a_question_about_a_things_own_content_names_the_thing(question: str, thing: str) -> None:
    assert thing in asked_content_of(question)


@pytest.mark.parametrize(
    "question",
    [
        "What did the fact sheet say about Singapore?",  # no named thing
        "What did Biden and Moon commit to on the Artemis Accords?",  # what the speakers said
        "How many ships will Korea build?",
        "What were the results?",
        # "statement" is no "state": Seoul announcing is not the summit's own content.
        "What did Seoul announce about its guidelines in the 2021 summit statement?",
        # A heading that names a topic, or a document in lower case, asks no thing's content.
        "Shipbuilding: what do the two fact sheets each say?",
        "the lighthouse statement: who signed it?",
        # A heading that the question asks statements about is its topic.
        "Harbour Fisheries agreement: how did the two leaders' statements put it?",
        "Grelling Airways' Boeing order: how many aircraft?",
        "What did its first report find?",  # no heading: whose report is not known
        # What the leaders did about an agreement is not what it says.
        "Harbour agreement: what did Marrow and Grelling start in 2031?",
        "Harbour agreement: what did they call for in 2032?",
        "Does the statement mention the harbour?",
    ],
)
def test_other_questions_ask_no_things_content(question: str) -> None:
    assert asked_content_of(question) == ""


def test_the_thing_is_held_when_a_statements_card_names_most_of_it() -> None:
    cards = [
        "Washington Declaration The White House (U.S.–ROK leaders) statement April 26, 2023 2023",
        "Joint Fact Sheet The White House fact sheet November 13, 2025 2025",
    ]
    assert source_held("Washington Declaration", cards)
    assert not source_held("Artemis Accords", cards)
    # A statement called by its signatories is held by its kind: cards need not name them.
    leaders = ["U.S.-ROK Leaders' Joint Statement The White House (U.S.–ROK leaders) statement"]
    assert source_held("Biden-Moon statement", leaders)
    assert not source_held("first Korea-Pacific Islands Summit", leaders)
    assert not source_held("Singapore", leaders)
    # An acronym counts for what it stands for, as the index expands it.
    group = ["Joint Readout of the Inaugural Consultative Meeting"]
    assert not source_held("first NCG meeting", group)
    assert source_held("first NCG meeting", group, lambda t: t | {"ncg"})
    # ... and so do the initials of words a card spells out.
    ncg = ["Joint Readout of the Inaugural Nuclear Consultative Group Meeting"]
    assert source_held("first NCG meeting", ncg)
    # A code or an acronym is the thing's own name: "Seoul" and "Summit" do not name P4G's.
    seoul = ["Seoul Summit Joint Statement The White House statement May 21, 2021"]
    assert source_held("Seoul Summit", seoul)
    assert not source_held("P4G Seoul Summit", seoul)
    # ... unless the card spells out its initials: "WH" is "The White House".
    assert source_held("Same WH fact sheet", cards)
    assert not source_held("Same WH fact sheet", ["Joint Fact Sheet Ministry fact sheet 2025"])
    assert source_held("the 2021 Seoul Summit", seoul)  # a year is no code
    # A name no statement uses is held by no card ("Summit" alone is half of "Hanoi summit").
    singapore = ["Joint Statement of President Trump and Chairman Kim at the Singapore Summit"]
    assert source_held("Hanoi summit", singapore)
    assert not source_held("Hanoi summit", singapore, known=lambda t: t != "hanoi")
    # The second meeting is not the inaugural one.
    assert source_held("first NCG meeting", ncg, lambda t: t | {"ncg"})
    assert not source_held("second NCG meeting", ncg, lambda t: t | {"ncg"})
    # "Nov 2025" is the card's "November 13, 2025", and what the question says the statement
    # is about ("trade-and-security") need not be its title: half the words are enough.
    assert source_held("Nov 2025 trade-and-security", cards)
    assert not source_held("Nov 2025 trade-and-security", ["Readout The White House May 2025"])
    # Which statements, or when ("the two late-2025", "the Biden-era"), is no name.
    assert source_held("Biden-era", leaders)
    assert source_held("two late-2025 White House", cards)
    assert not source_held("two Lima trilateral", cards)


@pytest.mark.parametrize(
    ("asked", "english", "particle", "thing"),
    [
        # What was discussed there / what its principles are / what it requires.
        ("하노이 정상회담에서는 무엇이 논의되었나요?", "Hanoi summit", "에서는", "Hanoi summit"),
        ("아세안 관점의 주요 원칙은?", "ASEAN Outlook", "의", "ASEAN Outlook"),
        ("아르테미스 약정은 무엇을 요구합니까?", "Artemis Accords", "은", "Artemis Accords"),
        ("SCM 공동성명은 무엇이라고 했습니까?", "SCM joint statement", "은", "SCM joint statement"),
        # Asked whether the leaders offered help at the summit: not the summit's own content.
        ("서울 정상회담에서 지원 의사를 밝혔습니까?", "Seoul summit", "에서", ""),
        # The owner's word must be what follows it: "의 원칙" is, "의 일정 ... 합의" is not.
        ("정상회담의 일정에 합의했나?", "summit", "의", ""),
    ],
)
def test_a_korean_question_asks_a_things_content_by_the_particle_after_it(
    asked: str, english: str, particle: str, thing: str
) -> None:
    after = asked[asked.index(particle) + len(particle) :]
    assert korean_content_of(asked, [(english, particle, after)]) == thing
