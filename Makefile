# CPC Learn: `make run` sets everything up and serves the site; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000
# Links in emails, certificates (QR code, printed URL) and H5P statements use SITE_URL: under
# `make run` it follows PORT, unless SITE_URL is set in the environment.
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test worker beat lint format setup migrate seed bench bench-h5p clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# Browser libraries from npm (h5p-standalone for H5P, chart.js for reports), pinned by
# package-lock.json and served as static files, never from a CDN.
# --ignore-scripts: h5p-standalone's install script only insists on yarn; the dist files are ready.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed (Node.js 18 or newer) to install the browser libraries"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-*
	@touch $@

setup: $(STAMP) $(NODE_STAMP)

migrate: setup
	$(MANAGE) migrate --noinput

# Build the site, the courses and (in demo mode) the demo accounts and club delivery data. Safe to run again.
seed: migrate
	$(MANAGE) setup_site
	$(MANAGE) load_curricula
	$(MANAGE) restricted_files_sync
	$(MANAGE) create_demo_accounts
	$(MANAGE) create_delivery_demo

run: seed
	@echo "Serving CPC Learn on http://127.0.0.1:$(PORT)/  (admin: /admin/; links in emails: $(SITE_URL))"
	SITE_URL=$(SITE_URL) $(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

# A Celery worker (and beat for periodic jobs) against CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0
worker: setup
	$(BIN)/celery -A lms worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: setup
	$(BIN)/celery -A lms beat --loglevel=INFO

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: seed
	$(BIN)/python benchmarks/lesson_page.py

bench-h5p: setup
	$(BIN)/python benchmarks/h5p.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* media private-media staticfiles .pytest_cache
