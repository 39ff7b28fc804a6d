# modelkit: the first two targets are the README's first two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCHEMA ?= schemas/ecommerce.py

.PHONY: demo test deps services-deps lint typecheck bench clean

## demo: make an environment and run the main job (check, then analyze) on the bundled schema
demo: $(BIN)/modelkit
	$(BIN)/modelkit check $(SCHEMA)
	$(BIN)/modelkit analyze $(SCHEMA)

## test: install everything the tests need (Python packages, redis-server, dynalite) and run them all
test: deps
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=15

deps: $(BIN)/modelkit services-deps $(VENV)/.dev-installed

$(BIN)/modelkit: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(BIN)/modelkit
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

services-deps: node_modules/.bin/dynalite
	@command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }

node_modules/.bin/dynalite: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

lint: deps
	$(BIN)/ruff check modelkit tests bench schemas scripts
	$(BIN)/ruff format --check modelkit tests bench schemas scripts

typecheck: deps
	$(BIN)/mypy

bench: deps  ## keys, codec, repository and analyzer benchmarks; each prints its ratios
	$(BIN)/python bench/keys.py
	$(BIN)/python bench/codec.py
	$(BIN)/python bench/repo.py
	$(BIN)/python bench/analyze.py
	$(BIN)/python bench/cache.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
