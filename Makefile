# 法治清单: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker remind test bench fixture serve loadtest messages lint format setup clean-venv

# Reinstall only when the project's dependencies change, so a second `make run` is
# fast. `make run` needs the app only; `make test` adds the test tools.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Compiled translations are build output; the .po file is the source.
locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(BIN)/.installed
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '$(VENV)' --verbosity 0

messages: locale/zh_Hans/LC_MESSAGES/django.mo

setup: $(BIN)/.installed messages
	$(BIN)/python manage.py migrate --no-input --verbosity 0
	$(BIN)/python manage.py setup_demo

# The web server and one worker (which sends the mail and group-chat posts);
# notification emails are printed to this terminal instead of being sent. The links
# in them follow HOST and PORT (`make run PORT=8080`) unless SITE_URL is set. Ctrl-C
# reaches both (one process group); the trap stops the worker if the server ends
# another way.
run: setup
	@echo "Serving on http://$(HOST):$(PORT)/ with one worker  (Ctrl-C stops both)"
	export EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}; \
	export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# One worker alone (`make run` starts one with the server).
worker: setup
	$(BIN)/python manage.py worker

# The daily reminders once, on the demo data (any day: --force skips the working-day
# check). The digests land in each person's inbox (/notifications/); emails to
# people with an address are printed to the console unless EMAIL_HOST is set.
# Like `make run` it first migrates and runs setup_demo (both leave existing data
# alone), and its links follow PORT: `make remind PORT=8080` beside that server.
remind: setup
	test -n "$$EMAIL_HOST" || export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend; \
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
	$(BIN)/python manage.py send_reminders --force

test: $(BIN)/.installed-test messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Regenerate fixtures/wuxi_2022.json from the seed report (see README).
fixture: $(BIN)/.installed
	DEV_TOOLS=1 $(BIN)/python manage.py build_fixture

bench: $(BIN)/.installed-test messages
	DEV_TOOLS=1 $(BIN)/python manage.py bench $(BENCH_ARGS)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m bench tests/test_importer_performance.py tests/test_archive_memory.py

# Production-style server: gunicorn + WhiteNoise with hashed static files.
serve: $(BIN)/.installed messages
	DEBUG=0 $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	DEBUG=0 $(BIN)/python manage.py migrate --no-input --verbosity 0
	DEBUG=0 $(BIN)/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3}

loadtest: $(BIN)/.installed-test messages
	$(BIN)/python scripts/loadtest.py $(LOADTEST_ARGS)

lint: $(BIN)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean-venv:
	rm -rf $(VENV)
