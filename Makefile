# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check

.PHONY: run test install install-dev migrate seed lint format clean bench bench-reminders bench-video e2e audit screenshots icons

$(PY):
	$(PYTHON) -m venv $(VENV)

# Installs are stamped by the requirement files' contents, so an unchanged set is not reinstalled.
$(VENV)/.runtime-%: requirements.txt requirements-lock.txt | $(PY)
	$(PIP) install -q -r requirements.txt -c requirements-lock.txt
	rm -f $(VENV)/.runtime-* && touch $@

$(VENV)/.dev-%: requirements.txt requirements-dev.txt requirements-lock.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt -c requirements-lock.txt
	rm -f $(VENV)/.dev-* && touch $@

REQ_HASH := $(shell cat requirements.txt requirements-lock.txt 2>/dev/null | cksum | cut -d' ' -f1)
DEV_HASH := $(shell cat requirements.txt requirements-dev.txt requirements-lock.txt 2>/dev/null | cksum | cut -d' ' -f1)

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

## Reminder throughput benchmark on PostgreSQL + Redis; writes bench/results/reminders.json.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ldn_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
bench-reminders: install-dev
	psql "$(BENCH_DATABASE_URL:/ldn_bench=/postgres)" -tc "SELECT 1 FROM pg_database WHERE datname='ldn_bench'" | grep -q 1 || \
		psql "$(BENCH_DATABASE_URL:/ldn_bench=/postgres)" -c "CREATE DATABASE ldn_bench"
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/reminders.py

## Browser journeys (Playwright + Debian's chromium and coturn) against the ASGI server on PostgreSQL.
## E2E_TESTS picks a file (e.g. e2e/test_video_visit.py).
E2E_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ldn_e2e
E2E_TESTS ?= e2e
e2e: install-dev
	cd e2e && npm ci --no-audit --no-fund --silent
	DATABASE_URL=$(E2E_DATABASE_URL) $(VENV)/bin/pytest $(E2E_TESTS) -p no:cacheprovider $(PYTEST_ARGS)

## PNGs of every key page of every role at 375 and 1280 px, on the demo practice, into
## docs/screenshots/ (the pages of the accessibility sweep, e2e/test_accessibility.py).
screenshots: install-dev
	cd e2e && npm ci --no-audit --no-fund --silent
	E2E_SCREENSHOTS=$(CURDIR)/docs/screenshots DATABASE_URL=$(E2E_DATABASE_URL) $(VENV)/bin/pytest \
		e2e/test_accessibility.py -p no:cacheprovider $(PYTEST_ARGS)

## Video visit benchmark: "Admit" to first frame and messages per call, two Chromium pages on
## loopback; writes bench/results/video.json.
BENCH_VIDEO_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ldn_bench_video
bench-video: install-dev
	psql "$(BENCH_VIDEO_DATABASE_URL:/ldn_bench_video=/postgres)" -qc "DROP DATABASE IF EXISTS ldn_bench_video" -c "CREATE DATABASE ldn_bench_video"
	DATABASE_URL=$(BENCH_VIDEO_DATABASE_URL) $(PY) bench/video.py

## Web load benchmark: gunicorn on PostgreSQL driven by wrk; writes bench/results/web.json.
BENCH_WEB_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ldn_bench_web
bench: install-dev
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	psql "$(BENCH_WEB_DATABASE_URL:/ldn_bench_web=/postgres)" -qc "DROP DATABASE IF EXISTS ldn_bench_web" -c "CREATE DATABASE ldn_bench_web"
	DATABASE_URL=$(BENCH_WEB_DATABASE_URL) $(PY) bench/web.py

## The SVG icons the templates use (static/icons/, listed in scripts/icons/icons.txt), copied with
## their license from the pinned npm package bootstrap-icons (scripts/icons/package-lock.json).
## Run after adding a name to the list; the copies are committed, so nothing is fetched at run time.
icons:
	cd scripts/icons && npm ci --no-audit --no-fund --silent
	mkdir -p static/icons
	cp scripts/icons/node_modules/bootstrap-icons/LICENSE static/icons/LICENSE
	while read -r name; do cp "scripts/icons/node_modules/bootstrap-icons/icons/$$name.svg" static/icons/; done < scripts/icons/icons.txt

## Known vulnerabilities in the pinned dependencies (pip-audit). Needs the vulnerability database,
## which CI's network does not reach: run it where the network allows.
PIP_AUDIT_VERSION := 2.10.1
audit: | $(PY)
	$(PIP) install -q pip-audit==$(PIP_AUDIT_VERSION)
	$(VENV)/bin/pip-audit --strict -r requirements-lock.txt
