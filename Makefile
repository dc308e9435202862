# One target per command; CI (.ci/run) and people use the same ones.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
KERNELS := $(VENV)/.kernels-compiled
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck imports pytest openapi bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[server,dev]"
	touch $(STAMP)

# numba compiles every kernel once into its on-disk cache (70 s on one core in a clean clone), so no solve pays for it
$(KERNELS): $(STAMP)
	$(BIN)/python -m solvers.runtime.warmup
	touch $(KERNELS)

install: $(KERNELS)

run: $(KERNELS)  ## start the service on its embedded defaults
	$(BIN)/optserve serve --host $(HOST) --port $(PORT)

# the kernels compile on one core while the checks run on the other; then the tests, in two groups side by
# side (tests/conftest.py: the solver tests, which time solvers, never run two at a time)
test:  ## everything CI runs
	$(MAKE) --no-print-directory -j2 lint typecheck imports $(KERNELS)
	$(MAKE) --no-print-directory pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(KERNELS)
	$(BIN)/pytest -n 2 --dist loadgroup

openapi: $(STAMP)  ## regenerate the committed OpenAPI document
	$(BIN)/optserve openapi --out openapi/openapi.json

bench: $(STAMP)  ## benchmarks (minutes; not part of the tests)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
