# Two entry points on a fresh machine:
#   make app    install policykb (what the app needs, nothing more), ingest source_docs/ into the
#               embedded store, open the app
#   make test   install policykb with its test tools and system packages, run the test suite
# `make bench` runs the benchmarks (benchmarks/README.md).

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# -qq: the installers' own chatter stays off the screen; errors still show
PIP     = PYTHONWARNINGS=ignore $(BIN)/pip install -qq --disable-pip-version-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	@echo "policykb: installing into $(VENV)/ (a few minutes the first time)"
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "policykb: installing with the test tools into $(VENV)/"
	$(PIP) -e '.[test]'
	touch $@

.PHONY: install app test bench system-deps lint-imports

install: $(VENV)/.installed-app

app: install
	$(BIN)/policykb app

system-deps:
	./scripts/system-deps.sh

# the layers of .importlinter (docs/architecture.md)
lint-imports: $(VENV)/.installed-test
	$(BIN)/lint-imports --no-cache

test: $(VENV)/.installed-test system-deps lint-imports
	$(BIN)/python -m pytest -q

bench: install
	$(PIP) -e '.[bench]'
	$(BIN)/python -m benchmarks
