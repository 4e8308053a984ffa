# Force Posture Map: `make run` starts the app on the seeds; `make test` runs the whole suite.
# Both set everything up first on a fresh machine (virtual environment, packages, built data,
# and for tests the system packages: Debian's chromium, PostgreSQL and PostGIS).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUILD := data/build
GAZETTEER := $(BUILD)/gazetteer.parquet
CURATED := $(wildcard data/*.csv data/*.geojson)
PORT ?= 8501

.PHONY: run test setup data system-deps lint bench evaluate freeze clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

data: $(GAZETTEER)

$(GAZETTEER): $(VENV)/.installed $(CURATED) geo/gazetteer_build.py geo/gazetteer.py geo/seas.py geo/naturalearth.py geo/names.py
	$(PY) -m geo build

# Debian packages the browser and database tests drive for real. Installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: setup data
	$(VENV)/bin/streamlit run streamlit_app.py --server.port $(PORT)

test: setup data system-deps
	$(VENV)/bin/ruff check geo tests bench streamlit_app.py
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check geo tests bench streamlit_app.py

bench: setup data
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

freeze: setup
	$(PY) -m pip freeze --exclude-editable | sed '/^-e /d' > requirements.txt

clean:
	rm -rf $(BUILD) .pytest_cache tests/artifacts
