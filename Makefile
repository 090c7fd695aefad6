# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check

.PHONY: run test install install-dev migrate seed worker beat lint format clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Installs are stamped by the requirement files' contents, so an unchanged set is not reinstalled.
$(VENV)/.runtime-%: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	rm -f $(VENV)/.runtime-* && touch $@

$(VENV)/.dev-%: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	rm -f $(VENV)/.dev-* && touch $@

REQ_HASH := $(shell cat requirements.txt 2>/dev/null | cksum | cut -d' ' -f1)
DEV_HASH := $(shell cat requirements.txt requirements-dev.txt 2>/dev/null | cksum | cut -d' ' -f1)

install: $(VENV)/.runtime-$(REQ_HASH)
install-dev: $(VENV)/.dev-$(DEV_HASH)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Web server, Celery worker and Celery beat on the embedded defaults (SQLite, file-system broker
## under var/), or on PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set. Ctrl-C stops all.
run: seed
	bash scripts/run-dev.sh

## The whole test suite (SQLite by default; PostgreSQL when DATABASE_URL is set).
test: install-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var/celery var/staticfiles var/test.sqlite3*
