"""Whose own newest word a "latest" question asks for, and which statements are theirs."""

from __future__ import annotations

import pytest

from brief.service import BriefingService
from retrieval.answer.speakers import issued_by, speaker_terms, speaking_parties


@pytest.mark.parametrize(
    ("question", "parties"),
    [
        ("What is Pyongyang's latest official word on its nukes?", ("DPRK",)),
        ("latest North Korean line on giving up its nukes", ("DPRK",)),
        ("What is North Korea’s most recent stated position on talks?", ("DPRK",)),
        ("the newest official DPRK statement on the G7", ("DPRK",)),
        ("What did Washington and Seoul most recently call for?", ("US", "ROK")),
        ("What's the latest statement from Pyongyang itself?", ("DPRK",)),
        ("the most recent word by the DPRK on talks", ("DPRK",)),
        ("Has Tokyo lately said anything about the secretariat?", ("Japan",)),
        # The newest statement on a topic, whoever issued it: no party's own word.
        ("What is the latest statement on the NCG?", ()),
        ("What's the most recent U.S.-ROK statement on AI?", ()),
        ("What's the latest Japan-ROK-U.S. leaders' statement?", ()),
        ("What did North Korea commit to at Singapore?", ()),
    ],
)
def test_the_party_whose_newest_word_is_asked(question: str, parties: tuple[str, ...]) -> None:
    assert speaking_parties(question) == parties


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        (
            "What did Washington and Seoul most recently call on North Korea to do?",
            {"washington", "seoul"},
        ),
        ("latest North Korean line on giving up its nukes", {"north", "korean"}),
        ("What is the latest statement on the NCG?", set()),
    ],
)
def test_who_speaks_is_not_what_about(question: str, terms: set[str]) -> None:
    assert speaker_terms(question) == terms


@pytest.mark.parametrize(
    ("parties", "issuer", "theirs"),
    [
        (("DPRK",), "KCNA (press statement by Choe Son Hui, Minister of Foreign Affairs)", True),
        (("DPRK",), "President Moon Jae-in and Chairman Kim Jong Un (DPRK)", True),
        (("DPRK",), "The White House (joint U.S.–ROK fact sheet)", False),
        (("US", "ROK"), "The White House (U.S.–ROK leaders)", True),
        (("US", "ROK"), "The White House", False),
        (("ROK",), "President Moon Jae-in (Republic of Korea)", True),
        # The DPRK's long name ends with the ROK's: it is not the ROK's statement.
        (("ROK",), "Foreign Ministry of the Democratic People's Republic of Korea", False),
        ((), "The White House", False),
    ],
)
def test_a_statement_is_a_partys_when_its_issuer_names_it(
    parties: tuple[str, ...], issuer: str, theirs: bool
) -> None:
    assert issued_by(parties, issuer) is theirs


def test_a_partys_latest_word_is_its_own_newest_statement(service: BriefingService) -> None:
    """The newest statements that mention the DPRK's nukes are a U.S.–ROK fact sheet and a
    news report; the DPRK's own newest word is its foreign minister's press statement."""
    answer = service.ask("What is Pyongyang's latest official word on giving up its nukes?")
    assert not answer.refused
    assert answer.intent == "latest"
    assert answer.citations
    assert all(issued_by(("DPRK",), c.issuer) for c in answer.citations)
    assert {c.date.isoformat() for c in answer.citations} == {"2025-11-13"}


def test_the_parties_asked_are_not_the_topic(service: BriefingService) -> None:
    """ "Washington" and "Seoul" say whose word is asked; as topic words they would favour
    sentences about a visit to Washington or a Seoul initiative over the call made on the DPRK."""
    answer = service.ask("What did Washington and Seoul most recently call on North Korea to do?")
    assert not answer.refused
    assert {c.date.isoformat() for c in answer.citations} == {"2025-11-13"}
    assert any("called on the DPRK" in c.quote for c in answer.citations)
