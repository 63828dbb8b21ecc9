# Garrison — two commands on a fresh machine:  make demo   and   make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
DEMO_DIR := examples/insecure-app
DEMO_OUT := build/demo

.PHONY: demo test lint typecheck unit bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	@# bytecode for the editable sources (pip does this for a normal install; with PYTHONDONTWRITEBYTECODE set,
	@# every run would otherwise recompile them: ~0.08 s of each CLI start)
	$(PY) -m compileall -q src >/dev/null
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev]'
	$(PY) -m compileall -q src >/dev/null
	touch $@ $(STAMP)

## make demo: install, scan the bundled insecure example, print the result, write an HTML report
demo: $(STAMP)
	@mkdir -p $(DEMO_OUT)
	@rm -f $(DEMO_OUT)/advisories.db
	@$(VENV)/bin/garrison db import examples/advisories --db $(DEMO_OUT)/advisories.db
	@set +e; $(VENV)/bin/garrison scan $(DEMO_DIR) --no-progress --db $(DEMO_OUT)/advisories.db \
	    --format table --limit 10 --format html=$(DEMO_OUT)/report.html \
	    --format sarif=$(DEMO_OUT)/report.sarif --format json=$(DEMO_OUT)/report.json; \
	code=$$?; set -e; \
	echo; echo "HTML report: $$(pwd)/$(DEMO_OUT)/report.html"; \
	echo "garrison exit code: $$code (1 = the gate failed, as it should on a deliberately insecure project)"; \
	test $$code -le 1

## make test: dev install, ruff, mypy --strict, the whole pytest suite
test: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy
	bash scripts/ensure-services.sh
	$(VENV)/bin/pytest -n auto -q

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

bench: $(STAMP)
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build .mypy_cache .pytest_cache .ruff_cache
