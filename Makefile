# The two commands a new user needs: `make run` and `make test`.
# Everything else here is what they are made of.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
MANAGE := $(BIN)/python manage.py

.DEFAULT_GOAL := help
.PHONY: help run dev test test-fast bench lint format install install-dev lock screenshot clean translations messages

help:
	@echo "make run      serve the site with gunicorn on 127.0.0.1:\$${PORT:-8000} (SQLite under var/ unless DATABASE_URL is set)"
	@echo "make dev      Django's development server with reload and DEBUG on, for editing the code"
	@echo "make test     run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL points there)"
	@echo "make test-fast  the tests that need no browser, no gunicorn and no other process (under a minute)"
	@echo "make bench    load-test the site at a million signatures (docs/benchmarks.md)"
	@echo "make lint     ruff format --check and ruff check"
	@echo "make format   ruff format and ruff check --fix"
	@echo "make lock     re-pin requirements*.txt from pyproject.toml"
	@echo "make screenshot  retake docs/images/home.png (the README's) with the browser tests"
	@echo "make messages    update locale/*/LC_MESSAGES/django.po from the code and templates"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per lock file: re-install only when the lock changes.
$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(PIP) install --require-hashes --no-deps -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt | $(BIN)/python
	$(PIP) install --require-hashes --no-deps -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run translations
install-dev: $(VENV)/.installed-dev translations

# Translations: the .po files are in the repository, their compiled .mo files
# are built here (msgfmt, from Debian's gettext package), when a .po changes.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
translations: $(MO_FILES)
%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install gettext"; exit 1; }
	msgfmt --check-format -o $@ $<

# After changing texts: re-extract them into the .po files, then translate the new ones.
messages: install-dev
	$(MANAGE) makemessages --all --no-location --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	for po in locale/*/LC_MESSAGES/django.po; do msgattrib --no-obsolete -o $$po $$po; done

# Local, plain HTTP on 127.0.0.1: the one place the HTTPS-only defaults are
# loosened, explicitly (override with `make run HTTPS=true` behind TLS). The
# task worker runs beside gunicorn, as in production: it sends the emails
# (to files under var/mail/ unless EMAIL_URL says otherwise), updates to
# signers at their pace, and stops with it.
run: export HTTPS ?= false
run: install
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) load_default_campaign
	$(MANAGE) db_worker --no-startup-delay --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config timesup/gunicorn.conf.py timesup.wsgi

# For editing the code: runserver reloads on every change, with DEBUG on (and
# the loosening of `make run`); the same database. Not for anyone else to reach.
dev: export HTTPS ?= false
dev: export TASKS_IMMEDIATE ?= true
dev: export DEBUG ?= true
dev: install
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_default_campaign
	exec $(MANAGE) runserver 127.0.0.1:$${PORT:-8000}

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the browser, live-server and slow tests (markers in pyproject.toml).
test-fast: install-dev
	$(BIN)/pytest -m "not browser and not live and not slow" $(PYTEST_ARGS)

# Not part of `make test`: about ten minutes of load (needs wrk: apt-get install wrk).
bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The README's picture of the home page, taken by the phone journey's browser test.
screenshot: install-dev
	@mkdir -p docs/images
	UPDATE_README_SCREENSHOT=1 $(BIN)/pytest tests/browser/test_signing_journeys.py -k phone

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: | $(BIN)/python
	$(PIP) install pip-tools
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var/static
