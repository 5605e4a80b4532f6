# civicbot — the two set-up commands are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
export CIVICBOT_SHARED_DIR ?= $(abspath $(SHARED))

.PHONY: run test check install install-dev bench clean chromium

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,st]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Install, load the sample knowledge base (first run only) and start the bot:
# Telegram/Zalo when a token is set, else the terminal chat.
run: install
	$(BIN)/civicbot kb sample --if-empty
	$(BIN)/civicbot rooms sample --if-empty
	$(BIN)/civicbot run

# The browser tests (tests/browser/) drive Debian's chromium: installed here when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; } \
	  || sudo sh -c 'apt-get update -qq && apt-get install -y -qq chromium chromium-driver'

test: install-dev chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider

check: install-dev
	$(BIN)/ruff check bot handlers retrieval knowledge bookings tests benchmarks migrations
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install-dev
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache
