"""The local embedding models: LangChain's standard tests, padding, prefixes, checksums."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from core.settings import load_settings
from retrieval.store.embeddings import (
    DIMENSION,
    E5_MODEL_NAME,
    MODEL_NAME,
    E5Embeddings,
    ModelUnavailableError,
    OnnxMiniLMEmbeddings,
    SentenceEmbeddings,
    default_e5_model_file,
    default_model_files,
    load_embeddings,
)


class TestOnnxEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[OnnxMiniLMEmbeddings]:
        return OnnxMiniLMEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, object]:
        return {"batch_size": 4}


class TestOnnxEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[OnnxMiniLMEmbeddings]:
        return OnnxMiniLMEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, object]:
        return {"batch_size": 4}


class TestE5EmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[E5Embeddings]:
        return E5Embeddings

    @property
    def embedding_model_params(self) -> dict[str, object]:
        return {"batch_size": 4}


class TestE5EmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[E5Embeddings]:
        return E5Embeddings

    @property
    def embedding_model_params(self) -> dict[str, object]:
        return {"batch_size": 4}


@pytest.fixture(scope="module")
def e5() -> E5Embeddings:
    """One multilingual-e5-small instance for this module."""
    return E5Embeddings(batch_size=4)


def test_batches_pad_to_their_longest_text_without_changing_vectors(
    embeddings: OnnxMiniLMEmbeddings,
) -> None:
    short = "The NCG meets quarterly."
    long = " ".join(["The alliance commits to deeper consultation on nuclear planning."] * 8)
    alone = embeddings.embed_array([short])[0]
    together = embeddings.embed_array([short, long])[0]
    assert np.allclose(alone, together, atol=1e-4)
    assert embeddings.embed_array([short, long]).shape == (2, DIMENSION)


def test_similar_sentences_are_closer_than_unrelated_ones(
    embeddings: OnnxMiniLMEmbeddings,
) -> None:
    a, b, c = embeddings.embed_array(
        [
            "The two leaders reaffirmed extended deterrence.",
            "Both presidents recommitted to extended deterrence.",
            "Tariffs on lumber will fall to 15 percent.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-4


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    model, tokenizer = default_model_files()
    copy = tmp_path / "model.onnx"
    shutil.copy(model, copy)
    with copy.open("r+b") as fh:
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    bad = OnnxMiniLMEmbeddings(model_path=copy, tokenizer_path=tokenizer)
    with pytest.raises(ModelUnavailableError, match="sha256"):
        bad.embed_query("hello")


def test_a_missing_model_names_the_setup_command(tmp_path: Path) -> None:
    missing = OnnxMiniLMEmbeddings(
        model_path=tmp_path / "absent.onnx", tokenizer_path=tmp_path / "absent.json"
    )
    with pytest.raises(ModelUnavailableError, match="make setup"):
        missing.embed_query("hello")


def test_nothing_loads_at_construction() -> None:
    emb = OnnxMiniLMEmbeddings()
    assert emb._session is None


# ---------------------------------------------------------------- multilingual-e5-small


def test_each_model_names_itself_and_its_dimension() -> None:
    for emb, name in ((OnnxMiniLMEmbeddings(), MODEL_NAME), (E5Embeddings(), E5_MODEL_NAME)):
        assert isinstance(emb, SentenceEmbeddings)
        assert emb.model_name == name
        assert emb.dimension == DIMENSION == 384


def test_the_factory_follows_the_setting(tmp_path: Path) -> None:
    minilm = load_embeddings(load_settings(data_dir=tmp_path))
    e5 = load_embeddings(
        load_settings(
            data_dir=tmp_path,
            embedding_model="multilingual-e5-small",
            embedding_batch_size=3,
            embedding_threads=1,
        )
    )
    assert type(minilm) is OnnxMiniLMEmbeddings
    assert isinstance(e5, E5Embeddings)
    assert (e5.batch_size, e5.threads) == (3, 1)
    assert e5._model is None  # nothing loaded yet


def test_questions_and_stored_text_get_their_own_e5_prefix(e5: E5Embeddings) -> None:
    text = "The Nuclear Consultative Group meets quarterly."
    as_query = e5.embed_queries([text])[0]
    as_passage = e5.embed_array([text])[0]
    assert not np.allclose(as_query, as_passage, atol=1e-3)  # "query: " vs "passage: "
    assert np.allclose(e5.embed_query(text), as_query, atol=1e-6)
    assert np.allclose(e5.embed_documents([text])[0], as_passage, atol=1e-6)
    assert abs(float(np.linalg.norm(as_query)) - 1.0) < 1e-4


def test_e5_vectors_do_not_depend_on_the_batch(e5: E5Embeddings) -> None:
    texts = [f"Statement number {i} on the alliance and extended deterrence." for i in range(9)]
    alone = e5.embed_array(texts[4:5])[0]
    together = e5.embed_array(texts)  # three batches of up to 4
    assert together.shape == (9, DIMENSION)
    assert np.allclose(alone, together[4], atol=1e-5)
    assert e5.embed_array([]).shape == (0, DIMENSION)


def test_a_korean_question_finds_the_english_sentence_that_answers_it(e5: E5Embeddings) -> None:
    question = e5.embed_queries(["청어 어획 할당량을 얼마나 줄이기로 합의했습니까?"])[0]
    sentences = e5.embed_array(
        [
            "The two ministers agreed to cut the annual herring quota by 12 percent.",
            "Tolls will be set by a joint commission that meets in the city of Marrow.",
            "Vessels under 40 metres need no pilot.",
        ]
    )
    scores = sentences @ question
    assert int(np.argmax(scores)) == 0
    # On the common scale the answer stands out from the unrelated sentences.
    relevance = e5.relevance(scores)
    assert relevance[0] > max(relevance[1:]) + 0.1


def test_relevance_is_the_identity_for_minilm_and_increasing_for_e5(e5: E5Embeddings) -> None:
    sims = np.linspace(-1.0, 1.0, 9)
    assert np.array_equal(OnnxMiniLMEmbeddings().relevance(sims), sims)
    assert OnnxMiniLMEmbeddings().relevance(0.37) == 0.37
    assert np.all(np.diff(e5.relevance(sims)) > 0)
    assert e5.relevance(0.776) == pytest.approx(0.2, abs=0.02)  # e5's median -> MiniLM's
    assert OnnxMiniLMEmbeddings().redundant_cos == 0.88 < e5.redundant_cos


def test_a_tampered_e5_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "e5-small-q4.bin"
    shutil.copy(default_e5_model_file(), copy)
    with copy.open("r+b") as fh:
        fh.seek(4096)
        byte = fh.read(1)
        fh.seek(4096)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelUnavailableError, match="sha256"):
        E5Embeddings(model_path=copy).embed_query("hello")


def test_a_missing_e5_model_names_the_setup_command(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="make setup"):
        E5Embeddings(model_path=tmp_path / "absent.bin").embed_query("hello")


def test_e5_relevance_takes_the_scripts_of_both_sides(e5: E5Embeddings) -> None:
    sim = 0.77
    # The same cosine means more across scripts than within one (cross-script cosines run lower).
    assert e5.relevance(sim, "hangul", "latin") > e5.relevance(sim, "hangul", "hangul")
    assert e5.relevance(sim, "latin", "hangul") > e5.relevance(sim, "latin", "latin")
    # Scripts without a measured pair: within one script as English, across as the mean.
    assert e5.relevance(sim, "cyrillic", "cyrillic") == e5.relevance(sim)
    across = e5.relevance(sim, "cyrillic", "latin")
    assert e5.relevance(sim, "hangul", "latin") < across < e5.relevance(sim, "latin", "hangul")
    assert OnnxMiniLMEmbeddings().relevance(sim, "hangul", "latin") == sim


def test_sentence_similarity_is_the_identity_for_minilm_and_rescales_e5(e5: E5Embeddings) -> None:
    a, b, c = e5.embed_array(
        [
            "The two leaders reaffirmed extended deterrence.",
            "Both presidents recommitted to extended deterrence.",
            "Tariffs on lumber will fall to 15 percent.",
        ]
    )
    close, far = e5.sentence_similarity(float(a @ b)), e5.sentence_similarity(float(a @ c))
    assert close > far + 0.2  # on MiniLM's scale the gap is as wide as MiniLM's own
    assert e5.sentence_similarity(0.816) == pytest.approx(0.28, abs=0.02)  # e5's median pair
    assert OnnxMiniLMEmbeddings().sentence_similarity(0.42) == 0.42
