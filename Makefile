# configapi — see README.md. Every target creates .venv and installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install gen lint test run bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Wipe and regenerate gen/python from proto/ (google/api protos come from googleapis-common-protos).
gen: $(STAMP)
	rm -rf gen/python
	PY=$(PY) bash tools/gen-python.sh gen/python

lint: $(STAMP) node_modules/.installed
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy src
	bash tools/buf-lint.sh
	bash tools/api-lint.sh

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

test: $(STAMP) lint
	$(VENV)/bin/pytest -q

run: $(STAMP)
	$(VENV)/bin/configapi serve --database var/configapi.db --demo

clean:
	rm -rf $(VENV) node_modules .mypy_cache .pytest_cache .ruff_cache var
