# The two set-up commands: `make run` and `make test`. Both create .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval bench bench-webhooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/vigie run

test: $(STAMP)
	$(BIN)/pytest

eval: $(STAMP)
	$(BIN)/vigie eval ../shared/corpus/dev.jsonl

bench: $(STAMP)
	$(BIN)/python bench/engine.py

bench-webhooks: $(STAMP)
	$(BIN)/python bench/webhooks.py

clean:
	rm -rf $(VENV) var .pytest_cache
