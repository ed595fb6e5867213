# The interface a newcomer uses: `make run`, `make test`, `make bench`, `make lint`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
HOST ?= 127.0.0.1
DJANGO_SETTINGS_MODULE ?= spaser.settings.dev
export DJANGO_SETTINGS_MODULE

.PHONY: run install install-test system-deps migrate load test test-sqlite test-postgres bench lint clean

# Re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e ".[test,dev]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

# Debian packages the tests use: Chromium (driven by Playwright) and pdftotext (poppler-utils).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

load: migrate
	$(PY) manage.py load_plan fixtures/spaser54
	$(PY) manage.py load_demo fixtures/demo/demo.yaml

run: load
	@echo "Pilotage SPASER : http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-test
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

bench: install-test
	$(PY) -m bench

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
