# Two commands: `make run` (the demo site on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Development only: production sets DEBUG, SECRET_KEY and the rest in its own environment.
DEV := DEBUG=1

.PHONY: run test install check lint clean audit

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "reviewblog needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalled only when a requirements file changes: the site's own for `make run`, the test tools on top
# (pytest, playwright, ruff, moto…) for `make test` and the benchmarks.
$(VENV)/.site-installed: $(BIN)/python requirements.txt
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip check
	@touch $@

$(VENV)/.installed: $(VENV)/.site-installed tests/requirements.txt
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt
	$(BIN)/python -m pip check
	@touch $@

# axe-core, which the browser tests inject into pages, and the MDN HTTP Observatory's scanner (tests/package.json,
# install scripts off in tests/.npmrc); needs npm, else those tests skip.
tests/node_modules/.installed: tests/package.json tests/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm is missing: the accessibility checks (axe-core) and the Observatory scan will be skipped (apt install npm)"; fi

install: $(VENV)/.installed

run: $(VENV)/.site-installed
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo
	@echo "Serving http://127.0.0.1:8000 with the task worker beside it (Ctrl-C stops both)"
	@$(DEV) $(BIN)/python manage.py run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install tests/node_modules/.installed
	$(DEV) $(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/lint-imports --no-cache
	$(DEV) $(BIN)/pytest

# Lighthouse and the Nu Html Checker on the demo site as production serves it (bench/audit/run.py): a few
# minutes; needs node, java, nginx and chromium.
bench/audit/node_modules/.installed: bench/audit/package.json bench/audit/package-lock.json
	cd bench/audit && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed

audit: install bench/audit/node_modules/.installed
	$(BIN)/python -m bench.audit.run

lint: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache
