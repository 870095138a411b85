# Two commands: `make run` (local web chat on SQLite) and `make test` (lint, types, tests).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test provision lint types pytest pytest-postgres bench bench-broadcast clean

$(STAMP): requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run --demo

# Both legs: the suite on SQLite, then on PostgreSQL (TEST_DATABASE_URL, or a throwaway
# cluster the tests start and remove themselves).
test: provision lint types pytest pytest-postgres

# What the tests need from the machine besides Python (Debian's postgresql and chromium),
# installed with apt-get when missing: as root, or through sudo without a password.
provision:
	scripts/provision-test-deps

lint: $(STAMP)
	$(PY) -m ruff check .

types: $(STAMP)
	$(PY) -m mypy

pytest: $(STAMP) provision
	$(PY) -m pytest

pytest-postgres: $(STAMP) provision
	$(PY) -m pytest --database=postgres

bench: $(STAMP)
	$(PY) -m bench.conversation
	$(PY) -m bench.digest

# 10,000 recipients: no limits, then Telegram's limits enforced (about 8 minutes).
bench-broadcast: $(STAMP)
	$(PY) -m bench.broadcast

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
