# The interface a newcomer uses: `make run`, `make test`, `make bench`, `make lint`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
HOST ?= 127.0.0.1
# The PostgreSQL pass of `make test`: pytest-django creates (and drops) the database test_<name>
# (one per pytest-xdist worker: test_<name>_gw0, ...).
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/spaser
# One pytest worker per core (`PYTEST_ARGS=` for a single process, or to add options).
PYTEST_ARGS ?= -n auto
DJANGO_SETTINGS_MODULE ?= spaser.settings.dev
export DJANGO_SETTINGS_MODULE

.PHONY: run serve install install-test system-deps migrate load test check-deploy test-sqlite test-postgres bench lint clean backup restore

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

# The real plan with the demo values, published on the public site (/public/) with its 2024 bilan.
load: migrate
	$(PY) manage.py load_plan fixtures/spaser54
	$(PY) manage.py load_demo fixtures/demo/demo.yaml
	$(PY) manage.py publish_plan spaser54-2021-2026 --by scp.demo --bilan 2024

# Background jobs (PDF renders, DECP imports): a real Celery worker started here, at low CPU priority,
# with kombu's filesystem transport (messages in var/queue/): no broker service to install. With
# CELERY_BROKER_URL set (redis://...), the worker uses that broker instead. It stops with the server.
run: load
	@echo "Pilotage SPASER : http://$(HOST):$(PORT)/ (site public sans connexion : http://$(HOST):$(PORT)/public/)"
	@export CELERY_BROKER_URL="$${CELERY_BROKER_URL:-filesystem://localhost/}"; \
	if [ "$$CELERY_BROKER_URL" = filesystem://localhost/ ]; then where="file d'attente dans var/queue/, sans service à installer"; \
	else where="file d'attente $${CELERY_BROKER_URL%%://*}"; fi; \
	echo "Tâches de fond : un worker Celery démarré par make run ($$where), en priorité basse"; \
	$(VENV)/bin/celery -A spaser --quiet worker --pool=solo --loglevel=WARNING & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# A production-like local run: DEBUG off, production settings, gunicorn (2 workers), static files
# collected and served by whitenoise. Plain HTTP on loopback, so no HTTPS redirect here; a random
# secret key per run (sessions end when it stops).
serve: load
	@export DJANGO_SETTINGS_MODULE=spaser.settings.prod SECURE_SSL_REDIRECT=false \
		SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')}" \
		ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1}"; \
	$(PY) manage.py collectstatic --noinput -v0 && \
	echo "Pilotage SPASER (configuration de production, en local) : http://localhost:$(PORT)/" && \
	exec $(VENV)/bin/gunicorn spaser.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2

# The whole suite on SQLite, then on PostgreSQL, after the migrations and the deployment checks.
test: install-test
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# Django's deployment audit with the production settings: any warning fails.
check-deploy:
	DJANGO_SETTINGS_MODULE=spaser.settings.prod ALLOWED_HOSTS=spaser.example.org \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		$(PY) manage.py check --deploy --fail-level WARNING

# The test settings are named here: this Makefile exports the dev settings, and pytest-django
# prefers the environment over pyproject.toml.
test-sqlite:
	@echo "== Tests sur SQLite =="
	DJANGO_SETTINGS_MODULE=spaser.settings.test DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 \
		$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== Tests sur PostgreSQL ($(PG_TEST_URL)) =="
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL ne répond pas sur 127.0.0.1:5432 (voir .ci/run pour le démarrer)."; exit 1; }
	DJANGO_SETTINGS_MODULE=spaser.settings.test DATABASE_URL=$(PG_TEST_URL) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Backup and restore of all data (docs/operations.md). FILE=... names the file.
backup: install
	$(PY) manage.py backup --output "$${FILE:?FILE=chemin/du/fichier.json.gz}"

restore: migrate
	$(PY) manage.py restore "$${FILE:?FILE=chemin/du/fichier.json.gz}"

# wrk (Debian) drives the throughput measurement from a second process; without it, a Python client.
bench: install-test
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || true
	$(PY) -m bench

# Style (ruff) and the one-way dependencies between the apps (import-linter, contract in pyproject.toml).
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
