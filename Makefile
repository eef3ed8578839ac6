# The two commands of the README: `make app` and `make test`.
CORPUS ?= ../shared/corpus
PORT ?= 8501
VENV := .venv/bin

.PHONY: setup app test lint eval clean

setup:
	@bash scripts/setup.sh

app: setup
	$(VENV)/brief app --corpus "$(CORPUS)" --port $(PORT)

test: setup lint
	$(VENV)/python -m pytest -q

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy .

eval: setup
	$(VENV)/brief eval --questions ../shared/eval/dev_questions.yaml --pipeline --corpus "$(CORPUS)"

clean:
	rm -rf .venv data runs .mypy_cache .ruff_cache .pytest_cache
