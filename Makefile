# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ROLE ?= client_manager
N ?= 1
STAGE ?= prod

.PHONY: run test token venv bench package deploy clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

run: venv  ## API on localhost backed by moto's DynamoDB, with demo data
	$(PY) -m infra.local_stack

test: venv  ## the whole test suite (what CI runs)
	$(PY) -m pytest -q -n 2 --dist loadfile

token: venv  ## a bearer token for demo user N of ROLE: make token ROLE=supervisor N=2
	@$(PY) -m infra.local_token --role $(ROLE) --n $(N)

clean:
	rm -rf $(VENV) .pytest_cache

.PHONY: test-e2e
test-e2e: venv  ## browser tests: Debian's Chromium (Playwright) against moto + the app on free local ports
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-zenhei)
	FIELDDESK_E2E=1 $(PY) -m pytest -q -p no:xdist tests/e2e
