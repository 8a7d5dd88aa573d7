# configapi — see README.md. Every target creates .venv and installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install gen lint check test standalone services run bench clean interop interop-tools contract-baseline soak

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Wipe and regenerate gen/ from proto/ (google/api protos come from googleapis-common-protos):
# the Python code, then the OpenAPI document the gateway also serves at /v1beta/openapi.json.
gen: $(STAMP)
	rm -rf gen/python gen/openapi
	PY=$(PY) bash tools/gen-python.sh gen/python
	$(PY) -m configapi.openapi gen/openapi/openapi.json

lint: $(STAMP) node_modules/.installed
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy src
	bash tools/buf-lint.sh
	bash tools/api-lint.sh
	bash tools/buf-breaking.sh

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

# The fast loop while changing code: style, types, and the unit and integration tests (no
# linters that need Node or Go, no real processes, no interop); `make test` is the full run.
check: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy src
	$(VENV)/bin/pytest -q tests/unit tests/integration

# Every test, tests/interop included (OpenAPI fuzzing, Go and Node clients, grpcurl): it needs the
# Go tools of interop-tools and the Node packages that lint's `npm ci` installs.
# Then the REST/gRPC integration scenarios again, every server on PostgreSQL (SPEC §9: one
# switch in tests/integration/conftest.py).
test: $(STAMP) lint interop-tools standalone services
	$(VENV)/bin/pytest -q
	CONFIGAPI_TEST_BACKEND=postgresql $(VENV)/bin/pytest -q tests/integration

# PostgreSQL and Redis for the tests (Debian packages, installed when missing; tests start their
# own servers in temp dirs on free ports).
services:
	bash tools/install-services.sh

# The repository stands alone: nothing reaches outside the checkout, and the tests that read
# tests/data pass from a copy with nothing beside it (tools/check-standalone.sh).
standalone: $(STAMP)
	bash tools/check-standalone.sh

# The long reliability runs (README "Guarantees"): many SIGKILLs under heavier load, thousands
# of generated requests. `make test` leaves them out (pytest marker `soak`).
soak: $(STAMP)
	$(VENV)/bin/pytest -q -m soak tests/reliability

# The contract and cross-language checks alone (docs/compatibility.md); `make test` runs them too.
interop: $(STAMP) node_modules/.installed interop-tools
	bash tools/buf-breaking.sh
	$(VENV)/bin/pytest -q tests/contract_safety tests/interop

# protoc-gen-go, protoc-gen-go-grpc and grpcurl, pinned, built from the Go module proxy into
# .tools/bin (reused while their versions match).
interop-tools:
	bash tools/interop-tools.sh

# When a release is cut: record its contract as the baseline of the breaking-change gate (SPEC §8).
contract-baseline: $(STAMP) node_modules/.installed
	bash tools/buf-breaking.sh --update
	$(PY) -m tests.contract_safety.route_table contract/routes.v1beta.json

run: $(STAMP)
	$(VENV)/bin/configapi serve --database var/configapi.db --demo

# Load tests against bare-framework baselines (bench/README.md); BENCH_QUICK=1 for a smoke run,
# BENCH_PROFILE=1 to add py-spy profiles. Installs wrk and h2load with apt-get when missing.
bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) node_modules .mypy_cache .pytest_cache .ruff_cache var
