"""Timelines: the statements that address a topic, in date order, one quoted sentence each.

The service on the sample corpus and on a small invented corpus (real Chroma, the real model),
``brief timeline`` in process and through a running ``brief serve``, and the app's Timeline page
through Streamlit's AppTest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from brief.api.server import AnswerServer
from brief.cli import main
from brief.service import BriefingService, QuestionError
from core.models import Filters
from core.settings import load_settings
from ingest.loaders import FoundFile, load_file
from ingest.pipeline import ingest_paths
from retrieval.answer.timeline import Timeline
from retrieval.answer.topics import RELEVANCE_THRESHOLD
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex, open_index
from tests import test_server
from tests.fixtures.lake import STATEMENTS, write_lake_corpus
from tests.test_app import open_page

NCG_DOCS = [
    "2023-04-26-washington-declaration.md",
    "2023-07-18-us-rok-ncg-inaugural-meeting-joint-readout.md",
    "2024-07-11-us-rok-joint-statement-nuclear-deterrence-guidelines.md",
    "2025-11-13-us-rok-joint-fact-sheet-trump-lee.md",
]
LAKE_DOCS = [
    "2019-03-10-lake-commission.md",
    "2022-09-01-second-summit.md",
    "2024-11-30-third-summit.md",
]
ENTRY_KEYS = {
    "n",
    "doc_id",
    "date",
    "title",
    "issuer",
    "kind",
    "section",
    "quote",
    "start",
    "end",
    "source_url",
    "page",
    "paragraph",
    "relevance",
}


def document_text(index: StatementIndex, doc_id: str) -> str:
    entry = index.documents()[doc_id]
    return load_file(FoundFile(path=Path(entry.source_path), doc_id=doc_id)).text


# ---------------------------------------------------------------- the service


def test_a_timeline_lists_the_statements_on_a_topic_in_date_order(
    service: BriefingService, corpus_index: StatementIndex
) -> None:
    found = service.timeline("Nuclear Consultative Group")
    assert [e.doc_id for e in found.entries] == NCG_DOCS
    assert [e.n for e in found.entries] == [1, 2, 3, 4]
    assert found.threshold == RELEVANCE_THRESHOLD
    for e in found.entries:
        assert "Nuclear Consultative Group" in e.quote or "NCG" in e.quote
        assert document_text(corpus_index, e.doc_id)[e.start : e.end] == e.quote
        assert e.relevance >= found.threshold
        assert e.source_url.startswith("https://")
        assert e.title
        assert e.issuer
        assert e.citation().footnote().startswith(e.title)
    assert found.considered >= len(found.entries)


def test_filters_and_dates_in_the_topic_restrict_a_timeline(service: BriefingService) -> None:
    since = service.timeline("Nuclear Consultative Group since 2024")
    assert [e.doc_id for e in since.entries] == NCG_DOCS[2:]
    assert since.searched_as == "Nuclear Consultative Group"
    readout = service.timeline("Nuclear Consultative Group", Filters(kinds=("readout",)))
    assert [e.doc_id for e in readout.entries] == [NCG_DOCS[1]]
    nobody = service.timeline("Nuclear Consultative Group", Filters(issuers=("Nobody",)))
    assert nobody.entries == []
    assert nobody.notes == ["no statement matches the filters"]


def test_a_topic_no_statement_addresses_gives_an_empty_timeline(
    service: BriefingService,
) -> None:
    found = service.timeline("Hanoi summit")
    assert found.entries == []
    assert "no indexed statement mentions: Hanoi" in found.notes
    assert "No indexed statement addresses" in found.to_markdown()
    with pytest.raises(QuestionError, match="empty"):
        service.timeline("  ")


def test_the_markdown_of_a_timeline_has_numbered_footnotes(service: BriefingService) -> None:
    md = service.timeline("Trilateral Secretariat").to_markdown()
    assert "“Today, we announce the establishment of the Trilateral Secretariat" in md
    assert "[^1]: Joint Statement of Japan, the Republic of Korea, and the United States" in md


# ---------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def lake_store(tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings) -> Path:
    """A store folder of the invented corpus, closed again for the CLI to open."""
    root = tmp_path_factory.mktemp("lake-cli")
    corpus = write_lake_corpus(root / "corpus")
    settings = load_settings(data_dir=root / "store")
    with open_index(settings, embeddings) as index:
        assert not ingest_paths(index, [corpus]).errors
    return settings.data_dir


def test_cli_timeline_json_has_one_entry_per_statement(lake_store: Path) -> None:
    result = CliRunner().invoke(
        main, ["timeline", "Silver Lake Commission", "--json", "--data-dir", str(lake_store)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "topic",
        "searched_as",
        "filters",
        "threshold",
        "entries",
        "considered",
        "notes",
    }
    assert data["topic"] == "Silver Lake Commission"
    assert [e["doc_id"] for e in data["entries"]] == LAKE_DOCS
    assert [e["date"] for e in data["entries"]] == ["2019-03-10", "2022-09-01", "2024-11-30"]
    for e in data["entries"]:
        assert set(e) == ENTRY_KEYS
        body = STATEMENTS[e["doc_id"]]
        assert e["quote"] in body
        assert "Silver Lake Commission" in e["quote"]
        assert e["source_url"].startswith("https://example.org/")
        assert e["end"] - e["start"] == len(e["quote"])
    Timeline.model_validate(data)  # the shape is the typed model's


def test_cli_timeline_filters_text_and_markdown(lake_store: Path) -> None:
    runner = CliRunner()
    store = ["--data-dir", str(lake_store)]
    dated = runner.invoke(
        main, ["timeline", "Silver Lake Commission", "--from", "2020-01-01", "--json", *store]
    )
    assert [e["doc_id"] for e in json.loads(dated.stdout)["entries"]] == LAKE_DOCS[1:]
    issuer = runner.invoke(
        main, ["timeline", "wool tariff", "--issuer", "Ministry of", "--json", *store]
    )
    assert [e["doc_id"] for e in json.loads(issuer.stdout)["entries"]] == [
        "2023-05-20-wool-trade.md"
    ]
    text = runner.invoke(main, ["timeline", "Silver Lake Commission", *store])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("3 statement(s) on “Silver Lake Commission” (all statements)")
    assert "2022-09-01  Joint Communiqué of the Second Summit" in text.stdout
    assert "[3] Fact Sheet on the Third Summit" in text.stdout
    md = runner.invoke(main, ["timeline", "Silver Lake Commission", "--markdown", *store])
    assert "[^1]: Joint Statement on the Silver Lake Commission" in md.stdout
    none = runner.invoke(main, ["timeline", "volcano monitoring", *store])
    assert none.exit_code == 0
    assert none.stdout.startswith("No indexed statement addresses “volcano monitoring”")


def test_cli_timeline_errors_are_one_line(lake_store: Path) -> None:
    runner = CliRunner()
    for args, message in (
        (["timeline", "   "], "the topic is empty"),
        (["timeline", "x", "--from", "2023-13-45"], "not a date"),
    ):
        result = runner.invoke(main, [*args, "--data-dir", str(lake_store)])
        assert result.exit_code != 0
        assert message in result.stderr
        assert "Traceback" not in result.stderr + result.stdout


# ---------------------------------------------------------------- through `brief serve`


server = test_server.server  # `brief serve` on the test's service, in a thread


def test_cli_timeline_goes_to_a_running_server(
    server: AnswerServer, service: BriefingService, tmp_path: Path
) -> None:
    # The folder holds only the server's record: a timeline in process would find nothing.
    test_server.record(tmp_path, server)
    result = CliRunner().invoke(
        main, ["timeline", "Nuclear Consultative Group", "--json", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    remote = json.loads(result.stdout)
    assert remote == service.timeline("Nuclear Consultative Group").model_dump(mode="json")
    empty = CliRunner().invoke(main, ["timeline", " ", "--data-dir", str(tmp_path)])
    assert empty.exit_code == 1
    assert "the topic is empty" in empty.stderr


def test_timeline_requests_are_validated(server: AnswerServer) -> None:
    url = server.url + "/v1/timeline"
    status, payload, _ = test_server.call(url, b'{"topic": "NCG", "surprise": 1}')
    assert status == 422
    assert "surprise" in payload["error"]
    status, payload, _ = test_server.call(url, b"{not json")
    assert status == 422
    status, payload, _ = test_server.call(
        url, json.dumps({"topic": "NCG", "filters": {"date_from": "2024-01-01"}}).encode()
    )
    assert status == 200
    assert {e["date"][:4] for e in payload["entries"]} == {"2024", "2025"}


# ---------------------------------------------------------------- the app


@pytest.fixture
def app(app: AppTest) -> AppTest:
    """The app on the sample corpus, on its Timeline page."""
    return open_page(app, "timeline")


def _chart_rows(at: AppTest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Vega-Lite spec of the page's chart and the rows of its data."""
    [chart] = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    [dataset] = chart.proto.datasets
    rows = pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    return spec, rows


def test_timeline_page_shows_a_chart_with_quotes_and_a_table(
    app: AppTest, service: BriefingService
) -> None:
    assert any("statements that address a topic" in c.value for c in app.caption)
    app.text_input(key="timeline_topic").set_value("Nuclear Consultative Group").run()
    assert not app.exception
    expected = service.timeline("Nuclear Consultative Group").entries
    assert any("4 statements address" in c.value for c in app.caption)
    spec, rows = _chart_rows(app)
    tooltips = {t["field"] for layer in spec["layer"] for t in layer["encoding"]["tooltip"]}
    assert {"quote", "title", "issuer", "date", "citation"} <= tooltips
    assert [r["quote"] for r in rows] == [e.quote for e in expected]
    assert [r["citation"] for r in rows] == ["[1]", "[2]", "[3]", "[4]"]
    # Each entry in full: its number, date and title, then the quote.
    titles = [m.value for m in app.markdown if m.value.startswith("**\\[")]
    assert [t.split("\\]")[0] for t in titles] == ["**\\[1", "**\\[2", "**\\[3", "**\\[4"]
    quotes = [m.value for m in app.markdown if m.value.startswith(":orange-background[")]
    assert len(quotes) == len(expected)
    for e, shown in zip(expected, quotes, strict=True):
        assert " ".join(e.quote.split()) in re.sub(r"\\(.)", r"\1", shown)  # escapes undone
    table = app.dataframe[0].value
    assert list(table["n"]) == ["[1]", "[2]", "[3]", "[4]"]
    assert list(table["date"]) == sorted(table["date"])
    assert list(table["quote"]) == [e.quote for e in expected]
    assert all(url.startswith("https://") for url in table["source"])
    code = app.expander[0].code[0].value
    assert "[^4]: Joint Fact Sheet" in code


def test_timeline_page_on_a_topic_no_statement_addresses(app: AppTest) -> None:
    app.text_input(key="timeline_topic").set_value("volcano monitoring").run()
    assert not app.exception
    assert any("No indexed statement addresses" in i.value for i in app.info)
    assert not app.get("vega_lite_chart")


def test_an_acronym_the_statements_spell_out_is_no_unknown_word(service: BriefingService) -> None:
    """No statement writes "RDP", but one spells out a Reciprocal Defense Procurement Agreement:
    the topic is not held to the higher bar of a name no statement holds, as "ZQX" is."""
    known = service.topics.evidence("RDP agreement", Filters())
    assert known.missing == ()
    assert known.threshold == RELEVANCE_THRESHOLD
    unknown = service.topics.evidence("ZQX agreement", Filters())
    assert unknown.missing == ("ZQX",)
    assert unknown.threshold > RELEVANCE_THRESHOLD
