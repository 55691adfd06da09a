# The two commands: `make run` serves the portal with its worker and beat; `make test` runs the whole suite.
# Both create .venv on first use (only Python 3.11 is needed): `make run` installs requirements.txt (what production
# runs), `make test` and the tools requirements-dev.txt (the same, plus pytest, Playwright, ruff…).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-fast lint format messages bench clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON)). Đặt PYTHON=... nếu tên khác."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP) $(DEV_STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py run_portal

test: $(DEV_STAMP)
	FAST_PASSWORD_HASHER=True $(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: $(DEV_STAMP)
	FAST_PASSWORD_HASHER=True $(PY) -m pytest -q -m "not browser and not services" $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: $(DEV_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(DEV_STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(DEV_STAMP)
	$(PY) bench/run.py

clean:
	rm -rf var
