# Two entry points on a fresh machine:
#   make app    install policykb, ingest source_docs/ into the embedded store, open the app
#   make test   install policykb with its test tools and system packages, run the test suite
# `make bench` runs the benchmarks (benchmarks/README.md).

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

$(BIN)/policykb: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

.PHONY: install app test bench system-deps

install: $(BIN)/policykb

app: install
	$(BIN)/policykb app

system-deps:
	./scripts/system-deps.sh

test: install system-deps
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m benchmarks
