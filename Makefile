# Two commands on a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
PIP_INSTALL := $(BIN)/python -m pip install --quiet

SUITABLE := import sys; sys.exit(sys.version_info < (3, 11))
PYTHON_OK = $(shell $(PYTHON) -c '$(SUITABLE)' >/dev/null 2>&1 && echo yes)
PYTHON_IS = $(shell found=$$($(PYTHON) -V 2>&1) && echo "$$found" || echo "not found")

.PHONY: run test lint typecheck unit postgres-binaries bench clean

# A .venv whose Python is gone or older than 3.11 (made with another PYTHON, say), or that was
# left without pip by an interrupted start, is made again.
ifneq ($(shell $(BIN)/python -c 'import pip; $(SUITABLE)' >/dev/null 2>&1 && echo yes),yes)
.PHONY: $(VENV)/pyvenv.cfg
endif

$(VENV)/pyvenv.cfg:
	$(if $(PYTHON_OK),,$(error coach-or-therapy needs Python 3.11 or newer and $(PYTHON) is $(PYTHON_IS); run: make $(or $(MAKECMDGOALS),run) PYTHON=python3.11))
	@if [ -e $(VENV) ]; then \
		echo "$(VENV) was made by a Python that is gone or older than 3.11, or is unfinished; making it again with $(PYTHON)"; \
		rm -rf $(VENV); \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools explains editable installs at length on every install; that note is for package
# authors, not for someone starting the bot
$(RUN_STAMP) $(TEST_STAMP): export PYTHONWARNINGS = ignore:Editable installation

# what running needs
$(RUN_STAMP): pyproject.toml $(VENV)/pyvenv.cfg
	$(PIP_INSTALL) -e .
	@touch $@

# what running needs, and the test and lint tools
$(TEST_STAMP): pyproject.toml $(VENV)/pyvenv.cfg
	$(PIP_INSTALL) -e ".[test,lint]"
	@touch $@

# Ctrl-C ends the bot, which says goodbye and exits 130; that is a normal way to stop, not an error
run: $(RUN_STAMP)
	@trap : INT; $(BIN)/coach-or-therapy || [ $$? -eq 130 ]

# PostgreSQL's server binaries for the storage tests (Debian's package, installed when missing).
postgres-binaries:
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		echo "Installing PostgreSQL server binaries for the storage tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null || \
		{ echo "Could not install PostgreSQL (apt-get install postgresql); storage tests need it" >&2; exit 1; }; \
		ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		{ echo "PostgreSQL installed but no pg_ctl under /usr/lib/postgresql/*/bin" >&2; exit 1; }; \
	fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/pytest

test: $(TEST_STAMP) postgres-binaries lint typecheck unit

bench: $(TEST_STAMP)
	$(BIN)/python bench/engine.py

# everything made here except .data (the database and the generated signing key)
clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
