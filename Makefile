# The few targets people type. Each one installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed

.PHONY: install run test lint unit js browser npm build scan deploy smoke publish-site openapi site-index load lock lock-dev lock-tools bench mutate clean

# The development environment is locked (with hashes): every machine runs the same tools.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)

# dynalite, the strict DynamoDB emulator the tests use, from npm (Node 20 is on the machine).
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

npm: $(NPM_STAMP)

# aws-sam-cli pins old versions of some libraries: it lives in its own venv, installed from a
# lock with a hash per file (make lock-tools re-resolves it), like every other tool. --no-deps:
# the lock holds every dependency (pip's hash mode counts boto3 and boto3[crt] as two).
$(SAM_STAMP): requirements-sam.lock
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet --no-deps --require-hashes -r requirements-sam.lock
	touch $@

## run: the whole pipeline locally on moto: site, API and staff outbox on http://127.0.0.1:8000/
##      (INTAKE_PORT, INTAKE_HOST, INTAKE_STAFF_EMAILS, ... change the defaults; see intake-local -h;
##       DYNAMODB=dynalite runs DynamoDB on the strict emulator the tests use)
DYNAMODB ?= moto
run: install $(if $(filter dynalite,$(DYNAMODB)),$(NPM_STAMP))
	exec $(VENV)/bin/intake-local --dynamodb $(DYNAMODB)

## lint: ruff (lint and format) and mypy
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml

# The browser tests drive Debian's chromium (never a browser a tool downloads itself).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then echo "chromium is missing: run 'sudo apt-get install -y chromium'"; exit 1; fi
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

browser: $(CHROMIUM)

## js: the site's scripts' logic, in node's own test runner (the browser tests prove the whole)
js:
	node --test tests/js/

## test: lint, the site's scripts, then every test (unit, integration, browser) with coverage
test: install lint browser $(NPM_STAMP) js
	$(PY) -m pytest --cov --cov-report=term

## unit: the unit tier alone (logic on in-memory fakes: no emulator, no socket; seconds)
unit: install
	$(PY) -m pytest tests/unit -q

## build: sam build, without Docker (functions/Makefile fetches arm64 python3.13 wheels)
build: $(SAM_STAMP)
	$(SAM) build --template-file template.yaml

## load: 2000 requests from 20 clients against a fresh local stack, then a reconciliation
LOAD_REQUESTS ?= 2000
LOAD_CLIENTS ?= 20
load: install
	$(PY) infra/scripts/load_test.py --requests $(LOAD_REQUESTS) --concurrency $(LOAD_CLIENTS)

STACK ?= clinic-intake

# checkov pins many libraries of its own: it lives in its own venv too.
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed
$(SCAN_STAMP): requirements-scan.lock
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/pip install --quiet --upgrade pip
	$(SCAN_VENV)/bin/pip install --quiet --no-deps --require-hashes -r requirements-scan.lock
	touch $@

## scan: bandit, pip-audit on the bundled lock, sam validate --lint, checkov (zero failures)
scan: install $(SAM_STAMP) $(SCAN_STAMP)
	$(VENV)/bin/bandit --quiet --recursive functions infra --severity-level medium
	$(PY) infra/scripts/pip_audit_gate.py functions/requirements.lock
	$(SAM) validate --lint --region us-east-1 --template-file template.yaml
	$(SCAN_VENV)/bin/checkov --file template.yaml --framework cloudformation --compact \
		--quiet --skip-download 2>&1 | grep -v -e prismacloud -e NameResolutionError -e MaxRetryError; \
		exit $${PIPESTATUS[0]}

## lock-dev: re-resolve requirements-dev.lock (the development tools) from pyproject.toml
lock-dev: install
	CUSTOM_COMPILE_COMMAND="make lock-dev" $(VENV)/bin/pip-compile --quiet --extra dev --extra local --generate-hashes --strip-extras \
		--allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file requirements-dev.lock pyproject.toml

## lock-tools: re-resolve requirements-{sam,scan,mutate}.lock (SAM CLI, checkov, mutmut)
lock-tools: install
	CUSTOM_COMPILE_COMMAND="make lock-tools" $(VENV)/bin/pip-compile --quiet --generate-hashes \
		--allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file requirements-sam.lock requirements-sam.in
	CUSTOM_COMPILE_COMMAND="make lock-tools" $(VENV)/bin/pip-compile --quiet --generate-hashes \
		--allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file requirements-scan.lock requirements-scan.in
	CUSTOM_COMPILE_COMMAND="make lock-tools" $(VENV)/bin/pip-compile --quiet --extra dev --extra local \
		--generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--output-file requirements-mutate.lock pyproject.toml requirements-mutate.in

# mutmut runs the unit tests in its own process, so its venv holds the development tools too.
MUTATE_VENV := .venv-mutate
MUTATE_STAMP := $(MUTATE_VENV)/.installed
$(MUTATE_STAMP): requirements-mutate.lock
	$(PYTHON) -m venv $(MUTATE_VENV)
	$(MUTATE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MUTATE_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements-mutate.lock
	touch $@

## mutate: mutation testing of the core modules on the unit and contract tiers (MODULES="notify_staff/logic.py" for some)
mutate: $(MUTATE_STAMP)
	$(MUTATE_VENV)/bin/python infra/scripts/mutate.py $(MODULES)

## lock: re-resolve functions/requirements.lock (what sam build bundles) for arm64 / 3.13
lock: install
	$(PY) infra/scripts/lock.py

## deploy: build, then deploy (asks for the parameters the first time)
deploy: build
	$(SAM) deploy --guided --stack-name $(STACK)

## smoke: after a deploy, send a test request through the stack and check its staff alert
##        (STACK=name; LOCAL=1 against `make run`)
smoke: install
	$(VENV)/bin/intake smoke $(if $(LOCAL),--local,--stack $(STACK))

## publish-site: upload site/ to the stack's bucket and invalidate CloudFront
publish-site: install
	$(PY) infra/scripts/publish_site.py --stack $(STACK)

clean:
	rm -rf .aws-sam build .pytest_cache .mypy_cache .ruff_cache .coverage node_modules

## openapi: regenerate docs/openapi.json from the routes and the model
openapi: install
	$(PY) -m submit_request.openapi > docs/openapi.json

## site-index: rebuild the site's generated files (search index, crisis phrases)
site-index: install
	$(PY) infra/scripts/site_index.py

## bench: cold start, warm cost, package size, end to end and cost, side by side with baselines
##        (BENCH_QUICK=1: a few iterations)
bench: install $(NPM_STAMP)
	BENCH_QUICK=$(BENCH_QUICK) $(PY) benchmarks/run.py
