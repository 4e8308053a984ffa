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

.PHONY: run test setup data system-deps lint bench fuzz evaluate freeze clean assets basemap seed pg-start pg-stop native

setup: $(VENV)/.installed assets native

# The extraction modules compiled with mypyc into build/native (geo/native.py): extraction runs about
# 1.4x faster. Rebuilt only when their sources change; a failed build (no C compiler) says so and
# leaves plain Python, which gives the same results.
native: $(VENV)/.installed
	-@$(PY) -m geo compile --if-stale

# Map JavaScript/CSS served locally (geo/render/offline_assets.py): Leaflet, markercluster and jQuery from
# the xstatic PyPI packages, milsymbol from npm into the git-ignored build/npm; copied to static/vendor.
MILSYMBOL_VERSION := 3.0.4
NPM_DIR := build/npm
assets: static/vendor/.installed

static/vendor/.installed: $(VENV)/.installed geo/render/offline_assets.py
	@command -v npm >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix $(NPM_DIR) milsymbol@$(MILSYMBOL_VERSION)
	$(PY) -c 'from geo.render import offline_assets; raise SystemExit(offline_assets.main())'
	touch $@

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools==80.9.0 wheel==0.45.1
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

data: $(GAZETTEER) basemap

# The offline vector basemap (geo/render/basemap.py): simplified countries, seas and labels.
BASEMAP := $(BUILD)/basemap_labels.geojson
basemap: $(BASEMAP)

$(BASEMAP): $(GAZETTEER) geo/render/basemap.py
	$(PY) -c 'from geo.render import basemap; raise SystemExit(basemap.main())'

$(GAZETTEER): $(VENV)/.installed $(CURATED) geo/gazetteer/build.py geo/gazetteer/load.py geo/gazetteer/seas.py geo/gazetteer/naturalearth.py geo/gazetteer/names.py geo/gazetteer/admin.py geo/gazetteer/adjectives.py data/place_adjectives.csv data/actors.csv data/physical_features.csv
	$(PY) -m geo build

# Debian packages the browser and database tests drive for real. Installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing="$$missing postgis postgresql-postgis"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  case "$$missing" in *postgresql*) \
	    command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h | awk '$$4 == "online" {print $$1, $$2}' | \
	      while read -r version cluster; do $$SUDO pg_ctlcluster "$$version" "$$cluster" stop; done ;; \
	  esac; \
	fi

# A throwaway PostgreSQL + PostGIS server for the store's tests: data in a temporary folder, a local
# port, trust authentication on 127.0.0.1 only, no fsync (nothing in it outlives the run). initdb
# refuses to run as root, so as root the server runs as Debian's postgres user. `test` starts one
# on a free port and always stops it; by hand: `make pg-start` ... `make pg-stop`.
PG_DIR ?= /tmp/fpm-pg
PG_PORT ?= 55432
PG_BIN_DIR = $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PG_AS = $$(if [ "$$(id -u)" = 0 ]; then echo "runuser -u postgres --"; fi)

pg-start: system-deps
	@bin=$(PG_BIN_DIR); as="$(PG_AS)"; \
	[ -n "$$bin" ] || { echo "pg-start: PostgreSQL is not installed" >&2; exit 1; }; \
	rm -rf $(PG_DIR) && mkdir -p $(PG_DIR) && { [ -z "$$as" ] || chown postgres: $(PG_DIR); } && cd / && \
	$$as $$bin/initdb -D $(PG_DIR)/data -U postgres -A trust -E UTF8 --no-locale >$(PG_DIR)/initdb.log 2>&1 \
	  || { cat $(PG_DIR)/initdb.log >&2; exit 1; }; \
	$$as $$bin/pg_ctl -D $(PG_DIR)/data -l $(PG_DIR)/server.log -w -t 60 -o "-p $(PG_PORT) -k $(PG_DIR) \
	  -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
	  || { cat $(PG_DIR)/server.log >&2; exit 1; }; \
	$$bin/createdb -h 127.0.0.1 -p $(PG_PORT) -U postgres fpm_test && \
	echo "PostgreSQL test server: postgresql://postgres@127.0.0.1:$(PG_PORT)/fpm_test (data in $(PG_DIR))"

pg-stop:
	@bin=$(PG_BIN_DIR); as="$(PG_AS)"; cd /; \
	if [ -f $(PG_DIR)/data/postmaster.pid ]; then $$as $$bin/pg_ctl -D $(PG_DIR)/data -m fast -w stop >/dev/null; fi; \
	if [ -f $(PG_DIR)/initdb.log ]; then rm -rf $(PG_DIR); fi

# The store (data/store/, git-ignored) starts with the seed articles; re-ingesting changes nothing.
seed: setup data
	$(PY) -m geo ingest seeds/

run: setup data seed
	$(VENV)/bin/streamlit run streamlit_app.py --server.port $(PORT)

# The postgis-marked tests run against a real server started here; FPM_REQUIRE_POSTGIS makes them
# fail (not skip) when it could not start.
test: setup data system-deps
	$(VENV)/bin/ruff check geo tests bench streamlit_app.py
	$(VENV)/bin/lint-imports --no-cache
	@pgdir=$$(mktemp -d /tmp/fpm-pg.XXXXXX); \
	port=$$($(PY) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	trap '$(MAKE) --no-print-directory pg-stop PG_DIR='"$$pgdir" EXIT; \
	$(MAKE) --no-print-directory pg-start PG_DIR=$$pgdir PG_PORT=$$port \
	  || echo "warning: the PostgreSQL test server did not start; the postgis tests will fail" >&2; \
	FPM_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$$port/fpm_test FPM_REQUIRE_POSTGIS=1 $(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check geo tests bench streamlit_app.py
	$(VENV)/bin/lint-imports --no-cache

bench: setup data
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# The long fuzz run (issue 13): 10,000 generated hostile inputs through extraction, HTML reading,
# import and map rendering; prints crashes, hangs (> 2 s) and the slowest inputs (bench/fuzz.py).
FUZZ_INPUTS ?= 10000
fuzz: setup data
	$(PY) bench/fuzz.py --inputs $(FUZZ_INPUTS)

freeze: setup
	$(PY) -m pip freeze --exclude-editable | sed '/^-e /d' > requirements.txt

clean:
	rm -rf $(BUILD) .pytest_cache tests/artifacts build/native build/mypyc
