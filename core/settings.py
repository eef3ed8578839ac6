"""The one settings object: every knob, its default and its description.

Read from environment variables prefixed ``BRIEF_``. Unknown ``BRIEF_*`` variables are
errors, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.errors import BriefError
from core.paths import DEFAULT_DATA_DIR, PROJECT_ROOT

ENV_PREFIX = "BRIEF_"
STATE_URL_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+psycopg://")
# Settings whose values are never repeated in an error message.
SECRET_SETTINGS = {"state_url", "llm_api_key", "BRIEF_LLM_API_KEY", "OPENAI_API_KEY"}


class SettingsError(BriefError, ValueError):
    """A setting is unknown or invalid."""


class Settings(BaseSettings):
    """Configuration of the briefing assistant."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="forbid",
        validate_default=True,
        populate_by_name=True,
    )

    # --- storage
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Folder for the Chroma store, the record manager and the BM25 index.",
    )
    collection: str = Field(
        default="statements",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,62}[A-Za-z0-9]$",
        description="Name of the Chroma collection that holds the chunks.",
    )
    corpus_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "corpus",
        description="Folder of statements that `brief app` ingests before starting.",
    )

    chroma_url: str = Field(
        default="",
        pattern=r"^(https?://[^\s/]+(:\d+)?/?)?$",
        description="Address of a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000, "
        "shared by several app replicas and ingest jobs. Empty: the embedded store in data_dir "
        "(one process at a time).",
    )

    state_url: SecretStr = Field(
        default=SecretStr(""),
        description="Database of the shared state (conversations, feedback, rate limits, audit "
        "trail, API tokens), e.g. postgresql+psycopg://brief@db.example/brief for several app "
        "replicas. Empty: SQLite at data_dir/app.sqlite. Migrated automatically when opened; "
        "may hold a password, so it is never printed.",
    )

    runs_dir: Path = Field(
        default=PROJECT_ROOT / "runs",
        description="Folder of evaluation runs (`brief eval` writes there; the app's "
        "Evaluation page reads it).",
    )

    # --- embedding
    embedding_model: Literal["all-MiniLM-L6-v2-int8", "multilingual-e5-small"] = Field(
        default="all-MiniLM-L6-v2-int8",
        description="Local embedding model (installed from PyPI at set-up, checksum-verified): "
        "English all-MiniLM-L6-v2, or multilingual-e5-small for questions in Korean and other "
        "languages. Changing it requires a rebuild of the store.",
    )
    embedding_batch_size: int = Field(
        default=8,
        ge=1,
        le=1024,
        description="Texts per ONNX batch; each batch pads to its longest.",
    )
    embedding_threads: int = Field(
        default=0, ge=0, le=64, description="onnxruntime intra-op threads (0: one per core)."
    )

    # --- ingest
    chunk_max_chars: int = Field(
        default=1500, ge=200, le=8000, description="Upper bound on a chunk's length in characters."
    )
    chunk_min_chars: int = Field(
        default=600,
        ge=0,
        le=4000,
        description="Paragraphs shorter than this join the next block of the same section.",
    )

    max_file_mb: float = Field(
        default=20.0,
        gt=0.0,
        le=4096.0,
        description="Largest file ingest accepts, in MB; larger files are reported and skipped.",
    )
    pdf_timeout_s: float = Field(
        default=30.0,
        gt=0.0,
        le=600.0,
        description="Seconds a PDF may take to parse (in a subprocess) before it is abandoned.",
    )
    pdf_memory_mb: int = Field(
        default=1024,
        ge=64,
        le=65536,
        description="Address-space limit of the PDF-parsing subprocess, in MB.",
    )

    # --- retrieval
    top_k: int = Field(default=8, ge=1, le=100, description="Passages returned by the retriever.")
    candidate_k: int = Field(
        default=80, ge=1, le=1000, description="Candidates fetched from each of dense and BM25."
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant.")
    max_per_document: int = Field(
        default=3, ge=1, le=100, description="At most this many passages of one document in top_k."
    )

    secondary_source_weight: float = Field(
        default=0.85,
        ge=0.0,
        le=1.0,
        description="Ranking weight of press articles and analyses against official statements.",
    )

    # --- answering
    answer_max_words: int = Field(
        default=110, ge=20, le=1000, description="Word budget of quoted text in a short answer."
    )
    comparison_max_words: int = Field(
        default=220, ge=20, le=2000, description="Word budget for comparison and list answers."
    )
    refusal_threshold: float = Field(
        default=0.45,
        ge=0.0,
        le=1.0,
        description="Answer only when the best evidence scores at least this (0-1).",
    )

    # --- generative answering (optional; any OpenAI-compatible endpoint)
    answerer: Literal["extractive", "generative"] = Field(
        default="extractive",
        description="Default answerer: verbatim quotes, or a model through an OpenAI-compatible "
        "endpoint (needs BRIEF_LLM_BASE_URL or OPENAI_API_KEY).",
    )
    llm_base_url: str = Field(
        default="",
        validation_alias=AliasChoices("BRIEF_LLM_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 (vLLM, Ollama, "
        "llama.cpp). Empty: OpenAI itself when OPENAI_API_KEY is set. Also read from "
        "OPENAI_BASE_URL.",
    )
    llm_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("BRIEF_LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key of the endpoint; also read from OPENAI_API_KEY. Local servers "
        "need none.",
    )
    llm_model: str = Field(
        default="",
        description="Model name. Empty: gpt-4o-mini on OpenAI, else the first model the "
        "endpoint lists at /models.",
    )
    llm_temperature: float = Field(
        default=0.0, ge=0.0, le=2.0, description="Sampling temperature of the model."
    )
    llm_max_tokens: int = Field(
        default=400, ge=16, le=16000, description="Most tokens the model may write per answer."
    )
    llm_timeout_s: float = Field(
        default=60.0,
        gt=0.0,
        le=3600.0,
        description="Seconds a generative answer may take in all, retries included, before "
        "the endpoint is abandoned and the extractive answer shown (always set).",
    )
    llm_max_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Retries, with exponential backoff, on 429, 5xx and connection errors.",
    )
    llm_max_sources: int = Field(
        default=5, ge=1, le=20, description="Retrieved passages given to the model as sources."
    )
    support_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A generated sentence counts as supported when its cited passages score "
        "at least this (embedding similarity plus word overlap, 0-1).",
    )

    # --- access and limits
    auth_groups_claim: str = Field(
        default="groups",
        pattern=r"^[A-Za-z0-9_.:/-]{1,100}$",
        description="Claim of the OpenID Connect identity token that lists the user's groups "
        "(used when the app's login is configured).",
    )
    auth_admin_group: str = Field(
        default="brief-admins",
        pattern=r"^[A-Za-z0-9._@:-]{0,64}$",
        description="Group whose members see every document, add and remove statements and "
        "read the evaluation and feedback (empty: nobody; the local mode sees everything).",
    )
    glossary_files: list[Path] = Field(
        default_factory=list,
        description="Further Korean-English glossaries (YAML, the form of "
        "retrieval/search/glossary_ko.yaml) read beside the project's own, for an office's terms.",
    )
    rate_limit_per_minute: int = Field(
        default=30,
        ge=0,
        le=10000,
        description="Questions one user may ask per minute (bursts up to a quarter of it); "
        "0: no limit.",
    )

    # --- the answering server (`brief serve`) and its clients
    api_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names (comma-separated) under which `brief serve` may be reached "
        "besides 127.0.0.1 and localhost, e.g. brief.example.org; needed to serve on another "
        "address (--host). Requests addressed to any other name get 403.",
    )
    api_url: str = Field(
        default="",
        pattern=r"^(https?://[^\s/]+(:\d+)?/?)?$",
        description="Address of a `brief serve` on another machine, e.g. "
        "https://brief.example.org; when set, `brief ask`, `timeline`, `docs` and `doctor` "
        "go there with api_token. Empty: the server recorded beside the store, if one runs.",
    )
    api_token: SecretStr | None = Field(
        default=None,
        description="Bearer token sent to the server of api_url (a local `brief serve` "
        "writes its own into DATA_DIR/server.json, read from there). Never printed or logged.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description="Level of the log (stderr and DATA_DIR/logs/brief.log) of long-running "
        "commands such as `brief serve`.",
    )

    @field_validator("api_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [str(v).strip().lower() for v in value if str(v).strip()]
        return value

    @field_validator("api_allowed_hosts")
    @classmethod
    def _check_hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if not re.fullmatch(r"(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]", host):
                raise ValueError(f"api_allowed_hosts: {host!r} is not a host name")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("state_url")
    @classmethod
    def _check_state_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value().strip()
        if url and not url.startswith(STATE_URL_SCHEMES):
            raise ValueError(
                "state_url must start with " + ", ".join(STATE_URL_SCHEMES) + " (or be empty)"
            )
        return SecretStr(url)

    @model_validator(mode="after")
    def _check_chunk_sizes(self) -> Settings:
        if self.chunk_min_chars >= self.chunk_max_chars:
            raise ValueError("chunk_min_chars must be smaller than chunk_max_chars")
        return self

    @property
    def generative_configured(self) -> bool:
        """True when an endpoint is set: a base URL, or an API key for OpenAI."""
        return bool(self.llm_base_url or self.llm_api_key)

    @property
    def chroma_dir(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"


def unknown_keys(environ: Mapping[str, str]) -> list[str]:
    """``BRIEF_*`` variables that name no setting."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(k for k in environ if k.upper().startswith(ENV_PREFIX) and k.upper() not in known)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from the environment, refusing unknown keys with a suggestion."""
    bad = unknown_keys(os.environ)
    if bad:
        known = [ENV_PREFIX + n.upper() for n in Settings.model_fields]
        hints = []
        for key in bad:
            close = difflib.get_close_matches(key.upper(), known, n=1)
            hints.append(f"{key} (did you mean {close[0]}?)" if close else key)
        raise SettingsError("unknown setting(s): " + ", ".join(hints))
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        secret = [e for e in exc.errors() if set(map(str, e["loc"])) & SECRET_SETTINGS]
        if not secret:
            raise SettingsError(str(exc)) from exc
        # Never echo a password or key that the value holds: the field and the rule only.
        raise SettingsError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in secret)
        ) from None
    except ValueError as exc:
        raise SettingsError(str(exc)) from exc
