# The two commands of the README:
#   make serve   a fresh clone to the OpML '20 program at http://127.0.0.1:8000/
#   make test    the test suite (SQLite; set DATABASE_URL for PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The frab exports' real readers, in their own environment: their pins clash with ours.
CONSUMERS := .venv-consumers

.PHONY: serve test lint install consumers

serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_program
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install consumers
	$(BIN)/pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

install: $(VENV)/.installed

# Reinstall whenever the declared dependencies change.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

consumers: $(CONSUMERS)/.installed

$(CONSUMERS)/.installed: tests/consumers/requirements.txt
	$(PYTHON) -m venv $(CONSUMERS)
	$(CONSUMERS)/bin/pip install --quiet -r tests/consumers/requirements.txt
	touch $@
