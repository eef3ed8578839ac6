"""Whose reaction a question asks for, and whether the closest sentences are that party's."""

from __future__ import annotations

import pytest

from retrieval.answer.parties import (
    party_speaks,
    reacted_since,
    reacted_to,
    reacting_party,
    reaction_words,
    subject_party,
)
from retrieval.search.korean import KoreanBridge


@pytest.mark.parametrize(
    ("question", "alias"),
    [
        ("How did Pyongyang react when the policy review was concluded?", "dprk"),
        ("What was China's stance on AUKUS, per the April 2023 statements?", "beijing"),
        ("How did the G7 foreign ministers respond to Choe Son Hui's statement?", "g7"),
        ("What was South Korea's stance on the pledges?", "seoul"),
        ("How did Moon react when the review was concluded?", "moon"),
        ("How did Latin American governments respond to Seoul's push?", "latin american"),
        ("ROK plan to raise defense spending - Pyongyang's reaction?", "dprk"),
        ("How did Biden receive Korea's first Indo-Pacific Strategy?", "biden"),
        ("Pyongyang's reaction to Seoul's plan to raise defense spending?", "dprk"),
        ("Kim Min-ho's comment on the technology deal?", "kim min-ho"),
        # A stand or a view is asked like a reaction.
        ("Kishida's position on the harbour pact?", "kishida"),
        ("What was Pyongyang's view of the Marrow Initiative?", "dprk"),
        ("How did Korean firms themselves view the quota?", "korean firms"),
        # What a party does when it reacts, and what its reaction is called, in any order.
        ("Did Russia condemn the harbour pact?", "moscow"),
        ("Has Beijing pushed back on the quota language?", "china"),
        ("Did the Chinese foreign ministry criticize the Marrow Initiative?", "beijing"),
        ("Did Japan's foreign ministry protest the launch?", "tokyo"),
        ("Tokyo's take on the Marrow Initiative?", "japan"),
        ("Was there any pushback from Russia on the pact?", "kremlin"),
        ("Any response from Pyongyang to the pact?", "dprk"),
        ("How was the pact received in Beijing?", "china"),
        ("china response to the quota mention", "beijing"),
        ("Beijing reaction harbour pact", "china"),
        ("the kremlin's take on the troops", "russia"),
        ("Did the EU welcome the summit?", "eu"),
        ("How did the opposition parties view the tariff deal?", "opposition parties"),
    ],
)
def test_the_reacting_party_is_read_with_its_other_names(question: str, alias: str) -> None:
    assert alias in reacting_party(question)


def test_the_party_that_replies_is_not_what_its_reply_describes() -> None:
    party = reacting_party("How did Choe Son Hui describe the G7 in her reply?")
    assert "choe son hui" in party
    assert "g7" not in party


def test_a_question_that_asks_no_reaction_names_no_party() -> None:
    assert reacting_party("What did the fact sheet say about Singapore?") == ()
    # A statement's own position is what it says, not a party's reaction.
    assert reacting_party("What was the Lima trilateral statement's position on troops?") == ()
    # Nor is a summit's: what it welcomed is what its statement says.
    assert reacting_party("What quantum document did the 2023 Biden-Yoon summit welcome?") == ()
    assert reacting_party("How did North Korea react to the summit?")
    # Reactivating a group and being responsible for it are no reactions.
    assert reacting_party("When did Seoul and Washington reactivate the EDSCG?") == ()
    assert reacting_party("Which ministry is Seoul responsible for funding?") == ()
    # "American" is not "America": a party the table does not hold keeps its own name.
    assert "america" not in reacting_party("How did Latin American governments respond?")
    # A view asked of the leaders who speak in the statements is what they said.
    assert reacting_party("How did Marrow and Grelling view the efforts to ease quotas?") == ()
    # A party's companies or press are not the party.
    assert reacting_party("How did Korean companies respond to the IRA?") == ("korean companies",)
    # A response the question does not ask for is no reaction asked.
    assert (
        reacting_party("What did the statement say about the Alliance's response to attacks?") == ()
    )
    for question in (
        "What is the Alliance's response to provocations?",  # the statements speak for it
        "What response did the allies promise to an attack?",
        "Which comments did the 2021 statement make about Marrow?",
        "Did the joint statement condemn the war?",  # a document says what it says
        "How is Pyongyang expected to respond to the fact sheet?",  # an expectation
        "How does the press analysis expect North Korea to respond to the pact?",
        "What did the G7 ministers condemn regarding the launches?",  # what, not whether
        "Who issued the DPRK's rebuttal of the G7 statement?",  # who issued it
        "Who is vice chair of the IPEF Crisis Response Network?",  # a name, not a reaction
        "How many students is the IBM program praised in the statement meant to train?",
        "How long after notice does the TPD MOU take effect?",
    ):
        assert reacting_party(question) == (), question


def test_the_party_speaks_as_issuer_or_as_the_subject_a_sentence_begins_with() -> None:
    dprk = reacting_party("How did North Korea respond to the G7 statement?")
    g7 = reacting_party("How did the G7 foreign ministers respond to Choe's statement?")
    choe = "I express strong dissatisfaction at the hostile act of G7 foreign ministers."
    issuer = "KCNA (press statement by Choe Son Hui, Minister of Foreign Affairs of the DPRK)"
    assert party_speaks(dprk, [choe], [issuer])
    # Named late in someone else's sentence, the G7 is spoken about, not speaking.
    assert not party_speaks(g7, [choe], [issuer])
    moon = reacting_party("How did Moon react when the review was concluded?")
    review = "President Moon welcomes the conclusion of the United States' DPRK policy review."
    assert party_speaks(moon, [review], ["The White House (U.S.-ROK leaders)"])
    pyongyang = reacting_party("How did Pyongyang react when the review was concluded?")
    assert not party_speaks(pyongyang, [review], ["The White House (U.S.-ROK leaders)"])
    # After a preposition, early or not, the party is acted upon or described, not speaking.
    attack = "Any nuclear attack by North Korea against the United States is unacceptable."
    assert not party_speaks(dprk, [attack], ["The White House (joint U.S.-ROK readout)"])
    canada = "In Canada, foreign ministers of G7 recently issued a joint statement."
    assert not party_speaks(g7, [canada], [issuer])
    # A subject that speaks, not one only mentioned.
    biden = reacting_party("How did Biden react to the pledge?")  # by name only: ("biden",)
    praised = "President Yoon underscored President Biden's leadership in convening the summit."
    assert not party_speaks(biden, [praised], ["The White House (U.S.-ROK leaders)"])
    # What a party is expected to do, or may do, is not what it did.
    report = "News report (English-language analysis)"
    expected = "North Korea, having declared talks off the table, is expected to respond."
    assert not party_speaks(dprk, [expected], [report])
    may = "Some analysts believe Pyongyang may escalate its response."
    assert not party_speaks(dprk, [may], [report])
    assert party_speaks(dprk, ["North Korea rejected the fact sheet as hostile."], [report])
    # A party speaks in a relative clause too: "…, which President Trump welcomed."
    plan = "Lee shared the ROK's plan to raise spending, which President Trump welcomed."
    trump = reacting_party("ROK plan to raise defense spending - Trump's reaction?")
    assert party_speaks(trump, [plan], ["The White House"])
    assert not party_speaks(dprk, [plan], ["The White House"])
    assert not party_speaks(dprk, ["The plan, which North Korea may reject, is new."], [report])
    gratitude = "We are allies, and President Biden expresses his gratitude for the donation."
    assert party_speaks(("biden",), [gratitude], ["The White House"])
    assert not party_speaks(("congress",), [gratitude], ["The White House"])


def test_a_korean_question_names_its_reacting_party_by_the_subject_particle() -> None:
    bridge = KoreanBridge(
        {"북한": ("DPRK",), "팩트시트": ("fact sheet",), "중국": ("China", "PRC")}
    )
    reading = bridge.reading("팩트시트에 대해 북한은 어떻게 반응했습니까?")
    assert reading.subjects == (("DPRK",),)
    assert "pyongyang" in subject_party("fact sheet DPRK how react?", reading.subjects)
    owner = bridge.reading("중국의 입장은?").subjects
    assert "beijing" in subject_party("China PRC position stance?", owner)
    # No reaction or position asked for: no party.
    assert subject_party("DPRK fact sheet what?", reading.subjects) == ()
    # An owner (북한의 담화) is the party only when no name is marked as the subject.
    both = bridge.reading("북한의 담화에 중국은 어떻게 반응했습니까?").subjects
    assert both == (("China", "PRC"),)
    # The subject of a condition ("if North Korea attacks …") is not the one asked about.
    condition = bridge.reading("북한이 핵으로 공격하면 대응하겠다고 한 문서는?").subjects
    assert condition == ()
    # The name right before 반응 or 입장 is whose reaction is asked; a plural (들) subject counts.
    assert bridge.reading("워싱턴 선언 북한 반응").subjects == (("DPRK",),)
    ministers = KoreanBridge({"외교장관": ("Foreign Ministers",), "최선희": ("Choe Son Hui",)})
    g7 = ministers.reading("최선희 담화에 G7 외교장관들은 어떻게 대응했나요?")
    assert g7.subjects == (("Foreign Ministers",),)
    # A party the table does not list keeps the name it is read as; what it reacts to stands
    # before it in the reading, and the date given there.
    party = subject_party("Choe Son Hui press statement G7 Foreign Ministers react?", g7.subjects)
    assert party == ("foreign ministers",)
    guidelines = "July 2024 Guidelines on the Korean Peninsula DPRK react?"
    dprk = subject_party(guidelines, (("DPRK",),))
    assert reacted_to(guidelines, dprk) == "Guidelines"
    assert reacted_since(guidelines, dprk) == (2024, 7)


def test_what_a_person_said_is_asked_of_that_person_by_full_name() -> None:
    bae = reacting_party("What did Korean minister Bae Kyung-hoon say about the deal?")
    assert bae == ("bae kyung-hoon",)
    signed = "Korea's Minister of Science and ICT Bae Kyung-hoon signed the deal with Kratsios."
    assert not party_speaks(bae, [signed], ["The White House"])  # signing is not saying
    kratsios = reacting_party("What did OSTP director Michael Kratsios say about the deals?")
    quoted = "“Each deal offers great opportunities,” said Michael Kratsios, Director of OSTP."
    assert party_speaks(kratsios, [quoted], ["The White House"])
    # A document, a meeting, a pronoun or a bare possessive names no speaker.
    for question in (
        "What did the 2021 Biden-Moon statement say about Taiwan?",
        "What did Camp David say about the Indo-Pacific?",
        "What did they say about it?",
        "What did Korea's foreign minister say?",
    ):
        assert reacting_party(question) == ()


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("How did the Moon government respond to Ri Son Gwon's statement?", "Ri Son Gwon"),
        ("How did Pyongyang react to the Washington Declaration?", "Washington Declaration"),
        ("How did Choe Son Hui respond to the G7 foreign ministers' statement?", "G7"),
        # A country or a capital is everywhere: it names no thing reacted to.
        ("How did Beijing respond to Seoul's push for cooperation?", ""),
        ("How did Moon react when the policy review was concluded?", ""),
        # The owners before a possessive, all of them; a month is a date, not a name.
        ("How did Pyongyang react to Trump and Lee's pledge on Singapore?", "Trump Lee"),
        ("How did Seoul respond to Ri Son Gwon's June 2020 statement?", "Ri Son Gwon"),
        ("How did North Korea respond to the July 2024 Guidelines?", "Guidelines"),
        ("How did ASEAN receive Korea's Indo-Pacific Strategy?", "Indo-Pacific Strategy"),
        # What it reacted "when" or "after", and what it "answered", as what it reacted "to".
        ("How did Pyongyang react when the NCG was set up?", "NCG"),
        ("How did Washington answer Ri Son Gwon's statement?", "Ri Son Gwon"),
        # A stand on a thing, or a view of it, is to that thing.
        ("What was Pyongyang's position on the ROK's Marrow Initiative?", "Marrow Initiative"),
        ("Kishida's position on AUKUS at Camp David?", "AUKUS"),
        ("How did Grelling fishermen view the Harbour Act?", "Harbour Act"),
    ],
)
def test_the_thing_a_reaction_is_asked_to_is_read_by_its_first_name(
    question: str, name: str
) -> None:
    assert reacted_to(question) == name


def test_a_reaction_to_a_thing_with_no_name_is_read_by_its_words() -> None:
    question = "How did North Korea react to Seoul ending its missile guidelines in 2021?"
    assert reacted_to(question) == ""
    assert {"missil", "guidelin"} <= set(reaction_words(question))
    assert "seoul" not in reaction_words(question)


def test_a_reaction_is_no_older_than_the_dated_thing_it_answers() -> None:
    assert reacted_since("How did Kim respond to Biden's May 2021 endorsement?") == (2021, 5)
    assert reacted_since("How did Pyongyang react to the 2024 Guidelines?") == (2024, 1)
    assert reacted_since("How did Pyongyang react to the Guidelines in 2023 and 2024?") == (2024, 1)
    assert reacted_since("How did Pyongyang react to the Guidelines?") is None
