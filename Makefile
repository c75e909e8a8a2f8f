# The verbs: `make dev` runs the API locally, `make test` is what CI runs.
.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -euo pipefail -c

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
CODE := layers/event_core functions tools tests
PYTEST_ARGS ?=
# The local tools: local_api (tools/) and, for seeding, the domain layer.
LOCAL_API := PYTHONPATH=layers/event_core:tools $(PYTHON) -m local_api

# `make test` runs pytest in this many processes (pytest-xdist), each with its own DynamoDB Local
# and local server. 2 for CI's 2 CPUs: the suite took 324 s in one process, 216 s in two.
TEST_WORKERS ?= 2

# sam validate/build need a region; SAM CLI, DynamoDB Local: no telemetry from dev machines.
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY ?= 0
# sam build looks for python3.13 on PATH: the venv's.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help bootstrap bootstrap-serve browser dev dynamodb seed reset invoke test check lint fmt typecheck validate pytest build clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: ## create .venv with everything (dev + test) and install DynamoDB Local (fast when nothing changed)
	@bash tools/bootstrap.sh

# Chromium for the docs page test: Debian's package, installed with apt-get if none is on PATH.
browser:
	@bash tools/bootstrap.sh --browser

# What serving needs only (requirements-local.txt); `make test` adds the rest to the same venv.
bootstrap-serve:
	@bash tools/bootstrap.sh --serve

dev: bootstrap-serve ## serve the API on 127.0.0.1:PORT (3000), DynamoDB Local on DYNAMODB_PORT (8000), in memory; PERSIST=1 keeps data in .local/
	$(LOCAL_API) serve

dynamodb: bootstrap-serve ## only DynamoDB Local + tables on DYNAMODB_PORT (8000), for sam local (writes .local/env.local.json)
	$(LOCAL_API) dynamodb

seed: bootstrap-serve ## load events/seed/sample-data.json into the running DynamoDB Local (DEMO=1: and a demo set)
	$(LOCAL_API) seed

reset: bootstrap-serve ## empty the tables of the running DynamoDB Local
	$(LOCAL_API) reset

invoke: bootstrap-serve ## FN=GetEventFunction EVENT=events/get_event.json: one function, one sample, no Docker
	@[[ -n "$(FN)" && -n "$(EVENT)" ]] || { echo 'usage: make invoke FN=<Function> EVENT=events/<file>.json' >&2; exit 2; }
	@$(LOCAL_API) invoke "$(FN)" "$(EVENT)"

# The docs page test needs chromium and the built-function test the sam build output: here they
# fail instead of skipping when those are missing.
# lint, validate and build are independent single-process steps: side by side they use both CPUs;
# browser (apt-get, on a machine without Chromium) mostly waits on the network beside them.
test: ## lint, type-check, validate template and CI workflow, sam build, run all tests
	@bash tools/bootstrap.sh
	$(MAKE) --no-print-directory --jobs=4 --output-sync=target lint validate build browser
	TOOLCHAIN_REQUIRED=1 $(MAKE) --no-print-directory pytest PYTEST_ARGS="-n $(TEST_WORKERS) $(PYTEST_ARGS)"

check: ## the edit loop: lint, types and the fast tests (domain rules on moto), no servers
	$(MAKE) --no-print-directory lint
	$(PYTHON) -m pytest tests/unit -q -x -n $(TEST_WORKERS)

lint: ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(MAKE) --no-print-directory typecheck

typecheck:
	$(BIN)/mypy $(CODE)

fmt: ## ruff format and autofix
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

# `sam validate --lint` is cfn-lint (with the SAM transform) in sam's process: no second cfn-lint.
validate: ## sam validate --lint (cfn-lint), the CI workflow against its schema
	$(BIN)/sam validate --lint --template template.yaml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

pytest: ## the test suite in one process (PYTEST_ARGS="-n 2" for two, as `make test` does)
	$(PYTHON) -m pytest $(PYTEST_ARGS)

build: ## sam build (python3.13, arm64) into .aws-sam/build
	$(BIN)/sam build --template template.yaml

.PHONY: openapi
openapi: ## write the OpenAPI document, functions/docs/openapi.json, from the handlers
	PYTHONPATH=layers/event_core:tools $(PYTHON) -m openapi_doc

.PHONY: schemas
schemas: ## write the domain events' JSON Schemas, schemas/*.json, from their models
	$(PYTHON) tools/domain_event_schemas.py

clean: ## remove build output and caches (keeps .venv and node_modules)
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache

.PHONY: bench
bench: bootstrap ## cold starts, warm latency, round trips, scale, burst, opening minute (see BENCHMARKS.md)
	$(PYTHON) -m bench
