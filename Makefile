# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint migrations-check check-deploy messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

## make run: set up (venv, packages, database, demo data) and start web + Celery worker + Celery beat.
## `make run PORT=8100` (and `ADDR=0.0.0.0`) serves on another port or address.
PORT ?= 8000
ADDR ?= 127.0.0.1
run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py rundemo --addr $(ADDR):$(PORT)

## make test: set up and run the whole test suite (unit, integration, browser).
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-fast: the inner loop; everything except the tests marked slow (URL crawl and access matrix, API
## fuzzing, data generator, load smoke run). Run `make test` before you push.
test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

migrations-check: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: $(VENV)/.installed-dev
	DEBUG=false SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-key-but-long-enough-for-django ALLOWED_HOSTS=avhysning.example.se \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

## make messages: refresh the English catalogue and compile it (needs GNU gettext). The English text is written
## directly in locale/en/LC_MESSAGES/django.po (the only source); see locale/README.md.
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=static/vendor
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf var/
