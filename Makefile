# Lekhit: `make run` to try it, `make test` to check it. Needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.8
PORT ?= 8000
export PORT
# Tests run in parallel, a process per CPU (pytest-xdist); PYTEST_WORKERS=0 runs them in one.
PYTEST_WORKERS ?= auto

.PHONY: run test lint format messages compilemessages migrate seed bench clean help

help:
	@echo "make run    - install, migrate, load demo data, serve on http://127.0.0.1:$(PORT) with a worker and beat"
	@echo "make test   - install, lint and run the whole test suite"
	@echo "make bench  - run the benchmarks"

# The venv is rebuilt only when the lock changes. uv installs exactly what uv.lock says.
$(VENV)/.installed: uv.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --python $(BIN)/python
	touch $@

# Development defaults (DEBUG on, a generated secret kept in var/); the environment wins.
.env:
	printf 'DEBUG=true\n' > .env

install: $(VENV)/.installed .env

compilemessages: install
	$(BIN)/pybabel compile --statistics -d locale -D django
	$(BIN)/pybabel compile -d locale_vendor -D django
	$(BIN)/pybabel compile -d locale_vendor -D djangojs

messages: install
	$(BIN)/python manage.py makemessages -l km --ignore=.venv --ignore=staticfiles --ignore=var --ignore=locale_vendor

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_demo

run: compilemessages seed
	@echo ""
	@echo "Lekhit is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web app, worker and beat)"
	@echo "Sign in as drafter, chief, director, legal, dg, registry, admin,"
	@echo "reviewer-mef, reviewer-moh, reviewer-ncdd or head-mef, head-moh, head-ncdd;"
	@echo "every password is: demo"
	@echo ""
	$(BIN)/honcho start -f Procfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: compilemessages lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles
