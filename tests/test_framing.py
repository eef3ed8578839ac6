"""Framing sentences (datelines, announcements, lead-ins) are quoted only when nothing is closer.

Unit cases for ``is_framing``, then answers on a small invented corpus ingested with the real
pipeline into real Chroma: a press statement whose dateline names the minister and the topic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from brief.service import BriefingService
from core.models import Filters
from core.settings import load_settings
from ingest.pipeline import ingest_paths
from retrieval.search.plan import plan_query
from retrieval.sentences import is_framing, is_opener
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index


@pytest.mark.parametrize(
    "sentence",
    [
        "Pyongyang, November 14 (KCNA) -- Choe Son Hui, foreign minister, released the following "
        'press statement titled "G7 has no right" on Nov. 13.',
        "SEOUL, Nov. 14 (Yonhap) -- South Korea said on Friday it will respond.",
        "Ri Son Gwon, Minister of Foreign Affairs, made public the following press statement "
        "on Friday which reads:",
        "The two leaders declared at this historic site of Panmunjom as follows:",
        "The Ministry issued the following statement on the fishing season.",
        # A lead-in that ends with a full stop.
        "The two leaders held candid talks on many issues and declared as follows.",
    ],
)
def test_framing_sentences_are_recognised(sentence: str) -> None:
    assert is_framing(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The United States reaffirmed its pledge to provide extended deterrence.",
        "The ministers issued a joint statement on fisheries.",  # says what was done
        "The two leaders agreed on the following steps: a hotline and annual talks.",
        "Seoul, the capital, will host the meeting on May 3.",
        "The quotas will be set as follows from the list, one per port.",  # goes on
    ],
)
def test_statement_sentences_are_not_framing(sentence: str) -> None:
    assert not is_framing(sentence)


PRESS_STATEMENT = """---
title: "Press statement of Foreign Minister Arlen Voss"
issuer: "Ministry of Foreign Affairs of Ruritania"
date: 2024-03-08
kind: press statement
---

Strelsau, March 8 (RNA) -- Arlen Voss, Foreign Minister of Ruritania, released the following \
press statement on the herring quota dispute with Freedonia on March 8.

Ruritania rejects the herring quota that Freedonia set without consulting its neighbours. \
Our fishing fleet will keep fishing the northern banks as it has for two centuries. \
Ruritania is ready to resume talks on a shared quota once Freedonia withdraws its decree.
"""

OTHER = """---
title: "Statement on Lighthouse Maintenance"
issuer: "Coast Guard of Ruritania"
date: 2024-05-06
kind: statement
---

The coast guard will repaint the lighthouse at Cape Orm every four years.
"""


@contextmanager
def serving(
    root: Path, files: dict[str, str], embeddings: OnnxMiniLMEmbeddings
) -> Iterator[BriefingService]:
    """A service over these files, ingested into a real store under ``root``."""
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    with open_index(load_settings(data_dir=Path(root / "store")), embeddings) as index:
        assert not ingest_paths(index, [corpus]).errors
        yield BriefingService(index)


def corpus_fixture(name: str, files: dict[str, str]) -> Any:
    """A module-scoped fixture ``name``: a service over these files, ingested under a
    temporary folder."""

    @pytest.fixture(scope="module", name=name)
    def served(
        tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings
    ) -> Iterator[BriefingService]:
        with serving(tmp_path_factory.mktemp(name), files, embeddings) as service:
            yield service

    return served


ruritania = corpus_fixture(
    "ruritania", {"2024-03-08-voss.md": PRESS_STATEMENT, "2024-05-06-lighthouse.md": OTHER}
)


def test_the_statement_outranks_its_dateline(ruritania: BriefingService) -> None:
    plan = plan_query("What did Foreign Minister Arlen Voss say about the herring quota?")
    passages = ruritania.searcher.search(plan, Filters())
    ranked = ruritania.extractive.candidates(plan, passages)
    first = ranked[0]
    assert first.text.startswith("Ruritania rejects the herring quota"), first.text
    dateline = next(c for c in ranked if c.text.startswith("Strelsau, March 8 (RNA)"))
    assert dateline.framing
    assert dateline.strength > first.score  # the closer match on its own words, yet second
    answer = ruritania.ask(plan.question)
    assert any("rejects the herring quota" in c.quote for c in answer.citations)


def test_a_timeline_quotes_the_statement_not_its_dateline(ruritania: BriefingService) -> None:
    found = ruritania.topics.timeline("the herring quota dispute")
    [entry] = [e for e in found.entries if e.doc_id == "2024-03-08-voss.md"]
    assert not is_framing(entry.quote), entry.quote
    assert "herring quota" in entry.quote


def test_a_question_about_the_release_itself_is_answered_from_the_dateline(
    ruritania: BriefingService,
) -> None:
    answer = ruritania.ask("When did Arlen Voss release his press statement?")
    assert not answer.refused  # the framing sentence is the evidence: no refusal
    assert answer.citations[0].doc_id == "2024-03-08-voss.md"


SUMMIT = """---
title: "Joint Statement of Ruritania and Freedonia"
issuer: "Governments of Ruritania and Freedonia"
date: 2024-06-02
kind: joint statement
---

We, the leaders of Ruritania and Freedonia, met in Strelsau on June 2 to open a new chapter in \
our partnership on the northern banks.

We agree to share the herring catch on the northern banks equally between our two fleets. \
We will hold annual talks on the state of the fish stocks.
"""


summit = corpus_fixture("summit", {"2024-06-02-summit.md": SUMMIT})


def test_who_met_where_opens_a_statement_and_answers_only_where_when_or_who(
    summit: BriefingService,
) -> None:
    opener = "We, the leaders of Ruritania and Freedonia, met in Strelsau on June 2 to open"
    assert is_opener(opener + " a new chapter.")
    assert not is_opener("We agree to share the herring catch equally.")
    plan = plan_query("What did the leaders agree on the northern banks?")
    ranked = summit.extractive.candidates(plan, summit.searcher.search(plan, Filters()))
    assert next(c for c in ranked if c.text.startswith(opener)).framing
    assert ranked[0].text.startswith("We agree to share the herring catch"), ranked[0].text
    # Where they met is what the opener says.
    where = summit.ask("Where did the leaders meet in June 2024?")
    assert not where.refused
    assert any(c.quote.startswith(opener) for c in where.citations)


# A statement whose copy stops early, with later sentences as news reports printed them.
REPORTED = """---
title: "Statement of the Foreign Minister of Ruritania on the Straits"
issuer: "Ministry of Foreign Affairs of Ruritania"
date: 2024-07-09
kind: press statement
---

Ruritania rejects the toll that Freedonia set on the Strelsau straits without consulting \
its neighbours.

Our merchant fleet will keep sailing the straits as it has for two centuries, and we \
will answer every [...the copy used ends here...]

## Later sentences as quoted in news reports

- Daily Herald, 10 July 2024, https://herald.example/n/1 — “Ruritania rejects the toll that \
Freedonia set on the Strelsau straits without consulting its neighbours,”
- Evening Post, 10 July 2024, https://post.example/n/2 — “We condemn the naval blockade of \
the Strelsau straits and demand that it be lifted at once.” (on the blockade)
""".replace("[...", "[…").replace("...]", "…]")


reported = corpus_fixture("reported", {"2024-07-09-straits.md": REPORTED})


def test_a_sentence_only_a_news_report_quotes_is_quoted_without_the_report(
    reported: BriefingService,
) -> None:
    answer = reported.ask("What did Ruritania say about the naval blockade of the straits?")
    assert not answer.refused
    quotes = [c.quote for c in answer.citations if not c.related]
    assert quotes[0] == (
        "We condemn the naval blockade of the Strelsau straits and demand that it be lifted"
        " at once."
    )
    assert not any("https://" in q or "Evening Post" in q for q in quotes)


def test_the_statement_s_own_copy_is_quoted_not_a_report_of_it(
    reported: BriefingService,
) -> None:
    plan = plan_query("What did Ruritania say about Freedonia's toll on the straits?")
    ranked = reported.extractive.candidates(plan, reported.searcher.search(plan, Filters()))
    tolls = [c for c in ranked if "rejects the toll" in c.text]
    assert len(tolls) == 1  # the report's repeat is dropped
    assert not tolls[0].reported


ECHO = """---
title: "Joint Statement of the Foreign Ministers of Ruritania and Freedonia"
issuer: "Foreign Ministers of Ruritania and Freedonia"
date: 2024-09-03
kind: joint statement
---

Joint Statement from the Foreign Ministers of Ruritania and Freedonia (3 September 2024).

The ministers agreed that the Strelsau straits stay open to merchant ships of every flag.
"""


echo = corpus_fixture("echo", {"2024-09-03-ministers.md": ECHO})


def test_a_sentence_that_only_names_its_statement_is_framing(echo: BriefingService) -> None:
    plan = plan_query("What did the two ministers say about the Strelsau straits?")
    ranked = echo.extractive.candidates(plan, echo.searcher.search(plan, Filters()))
    title = next(c for c in ranked if c.text.startswith("Joint Statement from"))
    assert title.framing
    assert ranked[0].text.startswith("The ministers agreed"), ranked[0].text
    # Who issued it and when is what that sentence says.
    plan = plan_query("When did the foreign ministers of Ruritania and Freedonia issue it?")
    ranked = echo.extractive.candidates(plan, echo.searcher.search(plan, Filters()))
    assert not next(c for c in ranked if c.text.startswith("Joint Statement from")).framing
