# One target per command; CI (.ci/run) and people use the same ones.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck imports pytest openapi bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[server,dev]"
	$(BIN)/python -m solvers.runtime.warmup
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start the service on its embedded defaults
	$(BIN)/optserve serve --host $(HOST) --port $(PORT)

test: lint typecheck imports pytest  ## everything CI runs

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest

openapi: $(STAMP)  ## regenerate the committed OpenAPI document
	$(BIN)/optserve openapi --out openapi/openapi.json

bench: $(STAMP)  ## benchmarks (minutes; not part of the tests)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
