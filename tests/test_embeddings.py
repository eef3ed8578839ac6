"""The local embedding model: LangChain's standard tests, padding, checksums."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from retrieval.embeddings import (
    DIMENSION,
    ModelUnavailableError,
    OnnxMiniLMEmbeddings,
    default_model_files,
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
