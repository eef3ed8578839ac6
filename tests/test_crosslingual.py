"""The support check of Korean answer sentences against English sources: its rules, the
labelled set that chose its threshold, and Korean answers end to end through a scripted server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.answers import UNSUPPORTED_MARK
from core.labels import label
from core.models import Chunk, DocumentMeta, Passage
from core.settings import Settings
from ingest.loaders import FoundFile, load_file
from retrieval.answer.chains import is_refusal, system_prompt
from retrieval.answer.citations import is_verbatim
from retrieval.answer.crosslingual import (
    CROSS_SUPPORT_COS,
    CrossLingualCheck,
    english_values,
    korean_figures,
    korean_negated,
    source_negated,
)
from retrieval.answer.korean_answer import NOT_STATED_KO, REFUSAL_KO
from retrieval.answer.support import Claim, SupportChecker, Verdict, split_claims
from retrieval.search.plan import Turn
from retrieval.store.embeddings import E5Embeddings, OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex
from tests.scripted_openai import Reply, ScriptedOpenAIServer
from tests.test_generative import document_text, generative, no_machine_endpoint, source_bodies

__all__ = ["no_machine_endpoint"]  # the fixture that keeps the machine's endpoints out

LABELLED = Path(__file__).resolve().parents[1] / "eval" / "support_ko.yaml"
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
QUESTION_KO = "이재명 대통령이 밝힌 국방비 목표는 무엇인가요?"
SPENDING_EN = "President Lee shared the ROK’s plan to increase its defense spending to 3.5% of GDP"


@pytest.fixture(scope="module")
def e5() -> E5Embeddings:
    """One e5 model for the module."""
    return E5Embeddings(batch_size=16)


# --------------------------------------------------------------------------- rules


def test_korean_negation_is_read_in_its_forms_and_not_in_words_that_deny_nothing() -> None:
    for sentence in (
        "미국은 관세를 낮추지 않을 것이다.",
        "양측은 합의에 이르지 못했다.",
        "이 양해각서는 법적 구속력이 없다.",
        "그것은 동맹의 목표가 아니다.",
        "북한은 G7의 성명을 배격했다.",
        "무력으로 국경을 바꾸어서는 안 된다.",
        "어떤 시험도 하지 말 것을 요구했다.",
    ):
        assert korean_negated(sentence), sentence
    for sentence in (
        "양국은 흔들림 없는 동맹을 재확인했다.",  # unwavering
        "한국은 5만 대 상한을 없앨 것이다.",  # eliminate
        "한미는 반도체뿐만 아니라 배터리에서도 협력한다.",  # not only … but also
        "조선, 에너지 등을 포함하되 이에 국한되지 않는 분야에 투자한다.",  # not limited to
        "양국은 한반도의 비핵화를 위한 안보 협력 방안을 논의했다.",  # 비, 안 in other words
        "대통령은 잘못된 정보를 바로잡았다.",
        "대만해협의 평화는 지역 안보에 없어서는 안 될 요소다.",  # indispensable
        "양국은 협력을 강화하지 않을 수 없다.",  # must
    ):
        assert not korean_negated(sentence), sentence
    assert source_negated("They will not conduct the test.")
    assert not source_negated("Investments in sectors including but not limited to energy.")


def test_korean_figures_are_read_with_their_units_against_english_scales() -> None:
    english = english_values(
        "Korean Air will purchase 103 new Boeing aircraft valued at $36.2 billion, supporting "
        "up to 135,000 jobs; 1.7 million students since June 12, 2018, a trilateral partnership."
    )
    for korean in ("362억 달러", "103대", "13만 5천 개", "170만 명", "2018년 6월 12일", "3자"):
        figures = korean_figures(korean)
        assert figures, korean
        assert all(values & english for _, values in figures), korean
    for korean in ("17만 명", "130대", "2019년", "5천 개"):
        assert not all(values & english for _, values in korean_figures(korean)), korean
    # 232조 is Section 232 (제232조) as well as 232 trillion: either reading may stand.
    assert english_values("Section 232 tariffs") & korean_figures("232조 관세")[0][1]


def test_a_korean_refusal_is_a_refusal_and_a_korean_answer_is_not() -> None:
    assert is_refusal(REFUSAL_KO)
    assert is_refusal("제공된 출처에는 이 질문에 대한 답이 없습니다.")
    assert not is_refusal("이재명 대통령은 국방비를 GDP의 3.5%로 늘리겠다고 밝혔다 [1].")


# --------------------------------------------------------------------------- the labelled set


def labelled_cases() -> list[tuple[Passage, list[tuple[str, str]]]]:
    """Each English sentence of the set as a cited source (in its document, with its header),
    with its Korean sentences and their labels ("supported" or the kind of error)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    cases = []
    for item in yaml.safe_load(LABELLED.read_text(encoding="utf-8")):
        doc = load_file(FoundFile(path=CORPUS / item["doc"], doc_id=item["doc"]))
        at = doc.text.find(item["en"])
        assert at >= 0, f"not verbatim in {item['doc']}: {item['en'][:60]}"
        chunk = Chunk(
            doc_id=item["doc"], text=item["en"], start=at, end=at + len(item["en"]), meta=doc.meta
        )
        sentences = [(s, "supported") for s in item["supported"]]
        sentences += [(u["ko"], u["kind"]) for u in item["unsupported"]]
        cases.append((Passage(chunk=chunk, rank=1, score=1.0), sentences))
    return cases


def test_the_threshold_separates_the_labelled_korean_sentences(e5: E5Embeddings) -> None:
    """Precision and recall of the whole check (rules and similarity) on eval/support_ko.yaml."""
    check = CrossLingualCheck(e5, 0.5, attribute=False)
    results: list[tuple[str, Verdict]] = []
    for source, sentences in labelled_cases():
        claims = [Claim(f"{ko} [1]", (1,)) for ko, _ in sentences]
        verdicts = check(claims, {1: source})
        results += [(kind, v) for (_, kind), v in zip(sentences, verdicts, strict=True)]
    kinds = {kind for kind, _ in results}
    assert kinds == {"supported", "number", "party", "subject", "negated"}
    kept = [kind for kind, v in results if v.supported]
    true_pos = kept.count("supported")
    positives = sum(1 for kind, _ in results if kind == "supported")
    precision, recall = true_pos / len(kept), true_pos / positives
    assert positives >= 40
    assert len(results) - positives >= 50
    assert recall >= 0.95, recall
    assert precision >= 0.9, precision
    # What the rules are for is never let through: a wrong figure, a negation, another subject.
    assert not {"number", "negated", "subject"} & set(kept)
    # The quote of a supported sentence is its English source sentence, verbatim.
    assert all(m.text for _, v in results if v.supported for m in v.matches.values())


def test_the_threshold_is_where_the_check_meets_the_checkers_scale(e5: E5Embeddings) -> None:
    check = CrossLingualCheck(e5, 0.5)
    assert check.score(CROSS_SUPPORT_COS) == pytest.approx(0.5)
    assert check.score(CROSS_SUPPORT_COS + 0.05) > 0.7


def test_e5_is_loaded_only_when_a_korean_sentence_is_checked(
    embeddings: OnnxMiniLMEmbeddings,
) -> None:
    fresh = E5Embeddings()
    checker = SupportChecker(
        embeddings.embed_array,
        lambda ids: {},
        0.5,
        crosslingual=CrossLingualCheck(fresh, 0.5),
    )
    meta = DocumentMeta(title="Joint Statement", issuer="Ministry", date=dt.date(2021, 3, 4))
    text = "The two ministers agreed to cut the annual herring quota by 12 percent."
    chunk = Chunk(doc_id="d.md", text=text, start=0, end=len(text), meta=meta)
    source = {1: Passage(chunk=chunk, rank=1, score=1.0)}
    english = split_claims("The ministers agreed to cut the herring quota by 12 percent [1].")
    [verdict] = checker.check_all(english, source)
    assert verdict.supported
    assert fresh._model is None  # English sentences never touch e5
    korean = split_claims("두 장관은 연간 청어 어획 할당량을 12% 줄이기로 합의했다 [1].")
    [verdict] = checker.check_all(korean, source)
    assert verdict.supported, verdict.reason
    assert verdict.matches[1].text == text
    assert fresh._model is not None


# --------------------------------------------------------------------------- end to end


def korean_answer(
    index: StatementIndex, settings: Settings, reply: str
) -> tuple[Any, dict[str, Any], int]:
    """The answer to the Korean question when the model replies ``reply`` with ``{n}`` the
    number of the source that holds the defense-spending sentence; the request; ``n``."""
    with ScriptedOpenAIServer([Reply(text="x")]) as server:
        svc = generative(index, settings, server.base_url)
        svc.ask(QUESTION_KO, answerer="generative")
        bodies = source_bodies(server.requests[0])
        n = next(k for k, body in bodies.items() if SPENDING_EN in body)
        server.queue(Reply(text=reply.format(n=n)))
        answer = svc.ask(QUESTION_KO, answerer="generative")
        return answer, server.requests[-1], n


def test_a_korean_question_gets_korean_rules_and_its_english_reading(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    _, request, _ = korean_answer(corpus_index, corpus_settings, "x")
    system, user = (m["content"] for m in request["messages"])
    assert "Write every sentence in Korean" in system
    assert "never translate a quotation" in system
    assert f'starts with "{NOT_STATED_KO}"' in system
    assert REFUSAL_KO in system
    assert system != system_prompt("", "en")
    assert f"Question, as asked in Korean: {QUESTION_KO}" in user
    assert "Its English reading, to find its terms in the sources: " in user
    assert "defense" in user.split("Its English reading", 1)[1].lower()


def test_korean_sentences_are_checked_against_their_english_sources(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    supported = (
        "이재명 대통령은 국방비를 가능한 한 빨리 GDP의 3.5%로 늘리겠다는 한국의 계획을 밝혔고, "
        "트럼프 대통령은 이를 환영했다 [{n}]."
    )
    wrong_number = "이재명 대통령은 국방비를 GDP의 5%로 늘리겠다고 밝혔다 [{n}]."
    negated = "트럼프 대통령은 한국의 국방비 증액 계획을 환영하지 않았다 [{n}]."
    other_subject = "양국은 남극 해양 생태계를 보호하기 위한 공동 연구에 합의했다 [{n}]."
    reply = (
        f"{supported} {wrong_number} {negated} {other_subject}\n"
        f"{NOT_STATED_KO} 2030년 핵협의그룹 의장이 누구인지."
    )
    answer, _, n = korean_answer(corpus_index, corpus_settings, reply)
    assert answer.language == "ko"
    assert answer.answerer == "generative"
    verdicts = [(s.supported, s.reason) for s in answer.sentences]
    assert [ok for ok, _ in verdicts] == [True, False, False, False], verdicts
    assert "5 not in the cited source" in verdicts[1][1]
    assert "negation" in verdicts[2][1]
    assert "weak match" in verdicts[3][1]
    # The Korean sentence is the answer text; the unsupported ones are marked.
    assert answer.text.startswith(supported.format(n=n))
    assert f"{UNSUPPORTED_MARK} {wrong_number.format(n=n)}" in answer.text
    assert f"{UNSUPPORTED_MARK} {negated.format(n=n)}" in answer.text
    # The citation quotes the English original, verbatim.
    [citation] = answer.citations
    assert citation.n == n
    assert citation.supported
    assert citation.quote.startswith(SPENDING_EN)
    assert is_verbatim(citation.quote, document_text(corpus_index, citation.doc_id))
    # The part the model says the sources do not answer, in Korean.
    assert answer.not_stated == ["2030년 핵협의그룹 의장이 누구인지"]
    expected = label("not_stated", "ko").format(ask="2030년 핵협의그룹 의장이 누구인지")
    assert answer.text.endswith(expected)


def test_a_korean_refusal_and_a_korean_not_stated_answer_read_in_korean(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    answer, _, _ = korean_answer(corpus_index, corpus_settings, REFUSAL_KO)
    assert answer.refused
    assert answer.text == label("not_answered", "ko")
    answer, _, _ = korean_answer(
        corpus_index, corpus_settings, f"{NOT_STATED_KO} 2030년 핵협의그룹 의장."
    )
    assert answer.refused
    assert answer.text == label("not_stated", "ko").format(ask="2030년 핵협의그룹 의장")


def test_a_korean_comparison_gets_a_korean_summary_checked_against_the_quotes(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    summary = (
        "2022년 성명은 대만해협의 평화와 안정을 인도태평양 지역의 안보와 번영에 필수적인 요소라고 "
        "했다 [1]. 2023년 성명은 대만해협의 평화와 안정을 지역 안보와 번영에 "
        "없어서는 안 될 요소라고 한다 [2]."
    )
    with ScriptedOpenAIServer([Reply(text=summary)]) as server:
        svc = generative(corpus_index, corpus_settings, server.base_url, llm_timeout_s=2.0)
        answer = svc.ask("대만해협 문구: 2022년과 2023년 한미 공동성명 비교", answerer="generative")
    [request] = server.requests
    assert "Write every sentence in Korean" in request["messages"][0]["content"]
    assert answer.intent == "comparison"
    assert label("summary_lead", "ko") + summary in answer.text
    assert [s.supported for s in answer.sentences] == [True, True], answer.sentences
    for c in answer.citations:
        assert is_verbatim(c.quote, document_text(corpus_index, c.doc_id))


def test_a_korean_follow_up_rewritten_in_english_is_given_as_typed_and_as_rewritten(
    corpus_index: StatementIndex, corpus_settings: Settings
) -> None:
    history = [
        Turn(role="user", content="2025년 트럼프 대통령과 이재명 대통령은 무엇에 합의했나요?"),
        Turn(role="assistant", content="두 정상은 공동 팩트시트를 발표했다 [1]."),
    ]
    standalone = "What defense spending target did President Lee share with President Trump?"
    follow_up = "국방비는요?"
    reply = "이재명 대통령은 국방비를 GDP의 3.5%로 늘리겠다는 계획을 밝혔다 [1]."
    with ScriptedOpenAIServer([Reply(text=standalone), Reply(text=reply)]) as server:
        answer = generative(corpus_index, corpus_settings, server.base_url).ask(
            follow_up, history=history, answerer="generative"
        )
    _, answering = server.requests
    user = answering["messages"][-1]["content"]
    assert f"Question, as asked in Korean: {follow_up}" in user
    assert f"Its English reading, to find its terms in the sources: {standalone}" in user
    assert answer.language == "ko"
    assert answer.text == reply
    assert [s.supported for s in answer.sentences] == [True]
    assert "3.5% of GDP" in answer.citations[0].quote
