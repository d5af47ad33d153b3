# The commands of the README and of docs/getting-started.md:
#   make serve      a fresh clone to the OpML '20 program at http://127.0.0.1:8000/
#                   (another address: make serve ADDR=127.0.0.1:8811)
#   make preview    the same site as production runs it (DEBUG off, gunicorn), locally, over http
#   make fleet      N app servers (N=2) behind HAProxy at ADDR, on PostgreSQL and Redis
#                   (DATABASE_URL, REDIS_URL; default the local services); Ctrl-C stops it
#   make test       the test suite on every core (SQLite; set DATABASE_URL for PostgreSQL)
#   make lint       formatting, lint and missing migrations
#   make docs       the documentation (docs/, MkDocs) at http://127.0.0.1:8001/
#                   (another address: make docs DOCS_ADDR=127.0.0.1:8002)
#   make docs-build the documentation built into site/, failing on any broken link (as CI does)
PYTHON ?= python3
ADDR ?= 127.0.0.1:8000
DOCS_ADDR ?= 127.0.0.1:8001
VENV := .venv
BIN := $(VENV)/bin
# The frab exports' real readers, in their own environment: their pins clash with ours.
CONSUMERS := .venv-consumers

.PHONY: serve preview fleet test lint docs docs-build install install-dev install-docs database \
	banner consumers ical-consumers

serve: install database banner
	$(BIN)/python manage.py runserver $(ADDR)

# DEBUG off with a throwaway key, no HTTPS redirect or HSTS (this is http on this machine):
# the real 404 and 500 pages, compressed static files from whitenoise, gunicorn.
PREVIEW_ENV = DEBUG=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 \
	ALLOWED_HOSTS=127.0.0.1,localhost \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"

# Static files are collected (and compressed, which takes minutes) only when their sources
# changed since the last preview: `static_stamp` compares a hash of them with the one recorded.
preview: install database banner
	@$(PREVIEW_ENV) $(BIN)/python manage.py static_stamp || { \
	  echo "Collecting and compressing the static files (a minute or two)…"; \
	  $(PREVIEW_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	  $(PREVIEW_ENV) $(BIN)/python manage.py static_stamp --write; }
	$(PREVIEW_ENV) $(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind $(ADDR)

# The fleet of docs/operators/deployment.md on this machine: deploy/fleet.py starts N gunicorns
# (deploy/gunicorn.conf.py) and HAProxy (deploy/haproxy.cfg), migrating and loading OpML '20
# into an empty database first. HAProxy comes from Debian's package.
N ?= 2
fleet: install
	command -v haproxy >/dev/null || (apt-get update -qq && apt-get install -y -qq haproxy)
	$(BIN)/python deploy/fleet.py run --servers $(N) --addr $(ADDR)

database: install
	@echo "Bringing the database up to date (db.sqlite3 unless DATABASE_URL says otherwise)…"
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_program

banner:
	@echo
	@echo "  The program:  http://$(ADDR)/"
	@echo "  The admin:    http://$(ADDR)/admin/"
	@echo "  No admin user yet? $(BIN)/python manage.py createsuperuser"
	@echo "  (or, for a committee member: $(BIN)/python manage.py add_committee_member NAME)"
	@echo

# The suite on as many workers as there are cores (pytest-xdist; each module on one worker,
# --dist loadscope, so that its tests share the large program and its servers), then the few
# tests marked `serial` alone.
# One file, at its simplest: .venv/bin/pytest tests/program/test_feeds.py
WORKERS ?= auto
test: install-dev consumers
	$(BIN)/pytest -n $(WORKERS) --dist loadscope -m "not serial and not fleet"
	$(BIN)/pytest -m "serial or fleet"

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

docs: install-docs
	$(BIN)/mkdocs serve --dev-addr $(DOCS_ADDR)

docs-build: install-docs
	$(BIN)/mkdocs build --strict --site-dir site

# What running the site needs; reinstalled whenever the declared dependencies change.
install: $(VENV)/.installed

# The site plus the test and lint tools.
install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	@echo "Creating the project's Python environment in $(VENV) (first run only)…"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	@echo "Installing the site's packages into $(VENV) (first run only: about a minute)…"
	$(BIN)/pip install --quiet -e .
	touch $@

# MkDocs, for the documentation only: never part of serving or testing.
install-docs: $(VENV)/.installed-docs

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	@echo "Installing the site's packages and the test and lint tools into $(VENV)…"
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-docs: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e ".[docs]"
	touch $@ $(VENV)/.installed

consumers: $(CONSUMERS)/.installed ical-consumers

# The calendar feeds' JavaScript readers (node-ical, ical, ical.js), pinned by package-lock.json;
# skipped without npm (the tests then say so).
ical-consumers: tests/consumers/ical-node/node_modules/.package-lock.json

tests/consumers/ical-node/node_modules/.package-lock.json: tests/consumers/ical-node/package-lock.json
	@echo "Installing the calendar feeds' JavaScript readers (npm ci)…"
	if command -v npm >/dev/null; then cd tests/consumers/ical-node && npm ci --no-audit --no-fund --silent; fi

$(CONSUMERS)/.installed: tests/consumers/requirements.txt
	@echo "Installing the frab exports' readers into $(CONSUMERS)…"
	$(PYTHON) -m venv $(CONSUMERS)
	$(CONSUMERS)/bin/pip install --quiet -r tests/consumers/requirements.txt
	touch $@
