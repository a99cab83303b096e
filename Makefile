# `make run` and `make test` are all a newcomer needs: each sets up .venv itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV := DEBUG=1

.PHONY: run test install demo lint bench production-checks clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: run make with PYTHON=python3.11 (or newer)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## Set up, load the demo content and accounts, and serve on http://127.0.0.1:$(PORT), with a task worker
## (emails and the bulletin are sent in the background) that stops with the server
## (emails link to the port served, unless SITE_URL says otherwise)
run: demo
	export SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(DEV) $(PY) manage.py db_worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

demo: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py load_content
	$(DEV) $(PY) manage.py create_demo_accounts

## Set up and run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## ruff (lint and format) and import-linter (the layers in pyproject.toml point one way)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Measure the site against the reference servers with gunicorn, PostgreSQL and wrk (bench/README.md):
## both archive sizes (the first run builds them); `make bench BENCH_ARGS=--quick` for a smoke test
bench: install
	bench/run $(BENCH_ARGS)

## Issue 11's checks in one go: the production, abuse and bad-input tests (settings, deployment files, headers,
## two-factor, health, XSS corpus in Chromium, hostile uploads, CSRF, redirects), then the reliability checks against
## gunicorn, PostgreSQL and Redis (load, concurrency, fault, backup: bench/reliability/README.md)
production-checks: install
	$(PY) -m pytest tests/test_production.py tests/test_xss.py tests/test_hostile_uploads.py tests/test_request_safety.py $(PYTEST_ARGS)
	bench/reliability/run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
