# Two commands do all set-up on a fresh machine: `make lab` runs the product, `make test` runs
# every check and test. Everything they need (apt, PyPI and npm packages) is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JS_STAMP := js/node_modules/.installed
BUNDLE := src/vace_studio/static/widget.js
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test check lint typecheck js-check js-test pytest bench soak wheel system clean

lab: $(STAMP) $(BUNDLE)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/quickstart.ipynb

test: system $(STAMP) $(BUNDLE) lint typecheck js-check js-test pytest

# Debian's Chromium drives the browser tests (Playwright uses it; it never downloads a browser).
# Debian's PostgreSQL server backs the classroom tests (they start their own throwaway server
# with its initdb/pg_ctl, found in PATH or /usr/lib/postgresql/*/bin).
system:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	# The bundle is built by its own target; the editable install must not need npm.
	SKIP_JUPYTER_BUILDER=1 $(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

$(JS_STAMP): js/package.json js/package-lock.json
	cd js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BUNDLE): $(JS_STAMP) $(shell find js/src -type f 2>/dev/null) js/build.mjs
	cd js && npm run --silent build

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The tests are type-checked as strictly as the package (pyproject.toml points mypy at src/).
typecheck: $(STAMP)
	$(BIN)/mypy --strict src
	$(BIN)/mypy --strict tests

js-check: $(JS_STAMP)
	cd js && npm run --silent check

js-test: $(JS_STAMP)
	cd js && npm run --silent test

# Two workers, one per core: most tests wait on a simulator, a kernel or a browser, so the pair
# nearly halves the wall time (a third worker was faster still, 5 min 18 s against 6 min 46 s, but
# the trimmer's browser flow then lost its "Extend this result" click in two runs of three).
# A file stays on one worker (module-scoped servers start once).
pytest: $(STAMP) $(BUNDLE)
	$(BIN)/pytest -n 2 --dist loadfile

bench: $(STAMP) $(BUNDLE)
	$(BIN)/python -m benchmarks

# The money path's acceptance figure: 1,000 tasks per provider through injected faults
# (`make test` runs the same soak with 150).
soak: $(STAMP)
	VACE_SOAK_TASKS=1000 $(BIN)/pytest -s -p no:randomly -o timeout=7200 tests/engine/test_engine_soak.py -k fault_soak

wheel: $(STAMP)
	$(BIN)/python -m pip wheel --no-deps -w dist .

clean:
	rm -rf $(VENV) js/node_modules src/vace_studio/static dist build
