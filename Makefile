# Colophon: `make run` serves the site on SQLite with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app webapp

.PHONY: install run test lint clean paas-rehearsal bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# A local .env puts `flask --app webapp …` from this folder in development mode too,
# with a secret generated on this machine (never committed).
.env:
	printf 'COLOPHON_ENV=development\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > .env

run: install .env
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host "$(HOST)" --port "$(PORT)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check webapp tests

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

# Procfile's release and web processes as a PaaS runs them, on a throwaway PostgreSQL database.
paas-rehearsal: install
	$(BIN)/python scripts/paas_rehearsal.py

# Load test on loopback (see bench/README.md); generates the 1M-review data set when empty.
BENCH_DB ?= sqlite:///$(CURDIR)/instance/bench.db
bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run --database-url "$(BENCH_DB)" --generate-if-empty

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
