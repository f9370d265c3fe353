# The README's commands. `make run` and `make test` work from a clean clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := webapp

.PHONY: run test install bench screenshots

$(BIN)/flask: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/flask

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Tests run on every core (pytest-xdist); PYTEST_ARGS="-n 0 tests/drills" runs a part in one process.
PYTEST_ARGS ?= -n auto --dist loadgroup

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

screenshots: install
	$(BIN)/python scripts/screenshots.py

bench: install
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
