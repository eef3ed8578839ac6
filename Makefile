# The two commands of the README: `make app` and `make test`.
CORPUS ?= ../shared/corpus
PORT ?= 8501
VENV := .venv/bin

.PHONY: setup setup-local-llm setup-eval setup-test app test lint eval local-llm clean

setup:
	@bash scripts/setup.sh

setup-local-llm:
	@bash scripts/setup.sh --local-llm

setup-eval:
	@bash scripts/setup.sh --eval

setup-test:
	@bash scripts/setup.sh --local-llm --eval --browser --postgres

app: setup
	$(VENV)/brief app --corpus "$(CORPUS)" --port $(PORT)

test: setup-test lint
	$(VENV)/python -m pytest -q

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy .

eval: setup-eval
	$(VENV)/brief eval --questions ../shared/eval/dev_questions.yaml --pipeline --corpus "$(CORPUS)"

local-llm: setup-local-llm
	$(VENV)/brief serve-llm --port 8080

clean:
	rm -rf .venv data runs .mypy_cache .ruff_cache .pytest_cache
