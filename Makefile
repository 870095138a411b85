# Two commands: `make run` (local web chat on SQLite) and `make test` (lint, types, tests).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint types pytest provision bench bench-broadcast clean

$(STAMP): requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot run --demo

test: lint types pytest

lint: $(STAMP)
	$(PY) -m ruff check .

types: $(STAMP)
	$(PY) -m mypy

# What the tests need from the machine besides Python: Debian's chromium (browser test),
# installed with apt-get when missing (as root or via sudo).
provision:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "install chromium (the browser test needs it)" >&2; exit 1; \
	  fi; \
	fi

pytest: $(STAMP) provision
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench.conversation
	$(PY) -m bench.digest

# 10,000 recipients: no limits, then Telegram's limits enforced (about 8 minutes).
bench-broadcast: $(STAMP)
	$(PY) -m bench.broadcast

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
