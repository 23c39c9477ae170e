# Colophon: `make run` serves the site and its worker on SQLite with demo data;
# `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app webapp

.PHONY: install run test lint clean paas-rehearsal bench lock lock-check chaos

# The site's own dependencies come from the lock (exact versions, hashes checked), as on the
# PaaS; the dev tools are then resolved around those pins.
$(BIN)/.installed: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# htmx and the fonts (the site's, and the share cards' CJK ones) come from npm (package-lock.json,
# exact versions and integrity hashes); `npm ci` reinstalls node_modules whenever the lock has
# changed since the last install.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

install: $(BIN)/.installed node_modules/.installed

# requirements.txt pins every runtime dependency of pyproject.toml with its hashes; the PaaS
# installs it. `make lock` keeps existing pins where they still fit (LOCK_FLAGS=--upgrade
# moves everything to the newest); `make lock-check` fails when pyproject.toml has moved on.
LOCK_FLAGS ?=
UV_COMPILE := UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile pyproject.toml \
	--universal --python-version 3.11 --generate-hashes --no-config \
	--index-url https://pypi.org/simple --quiet
lock: install
	$(UV_COMPILE) $(LOCK_FLAGS) -o requirements.txt

lock-check: install
	@tmp=$$(mktemp -d) && cp requirements.txt "$$tmp/requirements.txt" \
	  && $(UV_COMPILE) -o "$$tmp/requirements.txt" \
	  && if diff -u requirements.txt "$$tmp/requirements.txt"; then echo "requirements.txt is current."; rm -rf "$$tmp"; \
	  else echo "requirements.txt is stale: run make lock and commit it." >&2; rm -rf "$$tmp"; exit 1; fi

# A local .env puts `flask --app webapp …` from this folder in development mode too,
# with a secret generated on this machine (never committed).
.env:
	printf 'COLOPHON_ENV=development\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > .env

# The site and the background worker (mail, suspensions, digests) from Procfile.dev; mail is
# written to instance/mail/ and listed at http://$(HOST):$(PORT)/dev/mail.
run: install .env
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	HOST="$(HOST)" PORT="$(PORT)" SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start --port "$(PORT)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check webapp tests

# One test process per core by default (TEST_WORKERS=0 runs them in this process).
TEST_WORKERS ?= auto
test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS)

# Procfile's release and web processes as a PaaS runs them, on a throwaway PostgreSQL database.
paas-rehearsal: install
	$(BIN)/python scripts/paas_rehearsal.py

# Load test on loopback (see bench/README.md); generates the 1M-review data set when empty.
BENCH_DB ?= sqlite:///$(CURDIR)/instance/bench.db
bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run --database-url "$(BENCH_DB)" --generate-if-empty

# Faults as a test (scripts/chaos.py): restarts PostgreSQL, stops its own Redis (port
# CHAOS_REDIS_PORT, default 6385) and kills a gunicorn worker under mixed traffic. About a minute.
chaos: install
	timeout 300 $(BIN)/python scripts/chaos.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
