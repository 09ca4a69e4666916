# The two commands of the README: `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
DEMO := data/packs/demo
LEAFLET := static/vendor/leaflet/leaflet.js

.PHONY: run test lint demo packs bench clean

run: $(VENV)/.runtime-ok $(LEAFLET) $(DEMO)/manifest.json
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true $(RUN_ARGS)

# mypy checks sector_map/ as configured in pyproject.toml ([tool.mypy]).
test: $(VENV)/.dev-ok $(LEAFLET) $(DEMO)/manifest.json
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-ok
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

demo: $(VENV)/.runtime-ok
	$(BIN)/python -m sector_map demo --out $(DEMO)

# The real-data packs from recipes/ (they read ../shared/data; see README "Build a pack"): each
# area on its current wards with IoD2025, and on its 2019-era wards with IoD2019 (*-2019).
packs: $(VENV)/.runtime-ok
	$(BIN)/python -m sector_map build-pack recipes/trafford.toml --out data/packs/trafford
	$(BIN)/python -m sector_map build-pack recipes/trafford-2019.toml --out data/packs/trafford-2019 --quiet
	$(BIN)/python -m sector_map build-pack recipes/greater_manchester.toml --out data/packs/greater-manchester --quiet
	$(BIN)/python -m sector_map build-pack recipes/greater_manchester-2019.toml --out data/packs/greater-manchester-2019 --quiet
	$(BIN)/python -m sector_map build-pack recipes/england.toml --out data/packs/england --quiet
	$(BIN)/python -m sector_map build-pack recipes/england-2019.toml --out data/packs/england-2019 --quiet

bench: $(VENV)/.runtime-ok $(DEMO)/manifest.json
	$(BIN)/python -m bench

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "sector-map needs Python 3.11, found " + sys.version' \
		|| (echo "Install Python 3.11 (or run: make PYTHON=/path/to/python3.11 ...)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-ok: requirements.txt $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-ok: requirements.txt requirements-dev.txt $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-ok $@

$(LEAFLET): scripts/fetch_leaflet.sh
	bash scripts/fetch_leaflet.sh

$(DEMO)/manifest.json: $(VENV)/.runtime-ok $(wildcard sector_map/demo/*.py) sector_map/pack/schema.py sector_map/pack/io.py
	$(BIN)/python -m sector_map demo --out $(DEMO)

clean:
	rm -rf $(VENV) static/vendor $(DEMO)
