# The two commands: `make run` serves the demo catalogue, `make test` runs every check.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
GOVUK := node_modules/govuk-frontend/dist/govuk
LEAFLET := node_modules/leaflet/dist

.PHONY: run test install install-test assets browser lint bench bench-load clean

run: install assets
	$(BIN)/opendata init
	$(BIN)/opendata demo
	$(BIN)/opendata serve

test: install-test assets browser lint
	$(BIN)/pytest -n auto --dist loadfile

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: install assets
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks

# 40 users for 40 s against gunicorn on the demo catalogue (figures in docs/performance.md).
bench-load: install assets
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.load --json bench-load.json

# The project is installed editable, so its modules are compiled here, as pip compiles those
# of an installed package: every `opendata` process then starts without compiling them again
# (even where PYTHONDONTWRITEBYTECODE is set).
install: $(VENV)/.installed
	$(BIN)/python -m compileall -q catalog opendata publishers benchmarks

install-test: $(VENV)/.installed-test install

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# GOV.UK Frontend's compiled CSS, JavaScript, fonts and images, and Leaflet's (the map
# previews), copied from their npm packages.
assets: static/govuk/.installed

static/govuk/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	rm -rf static/govuk
	mkdir -p static/govuk
	cp -R $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js $(GOVUK)/assets static/govuk/
	rm -rf static/leaflet
	mkdir -p static/leaflet
	cp -R $(LEAFLET)/leaflet.js $(LEAFLET)/leaflet.css $(LEAFLET)/images static/leaflet/
	touch $@

# The browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

clean:
	rm -rf $(VENV) node_modules static/govuk instance .pytest_cache .ruff_cache .mypy_cache
