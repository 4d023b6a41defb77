# WIIFM Planner. `make run` serves the app; `make test` runs lint and the whole suite.
# Everything it needs is installed here, on a fresh Debian machine, with no manual step.

SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
export UV_LINK_MODE := copy

# Python 3.13 from pyenv (see .python-version); uv itself lives in .tools/.
# The interpreter itself, not pyenv's shim: uv rebuilds a venv whose interpreter differs from the one asked for.
PYTHON313 := $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null || ls -d $(HOME)/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null | tail -n1)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py
APT_PACKAGES := chromium gettext poppler-utils libharfbuzz-subset0 fonts-dejavu-core

.PHONY: help install install-dev system-deps run test test-fast lint format migrations-check messages bench bench-pdf bench-load bench-import bench-roster bench-worst bench-redis-outage soak clean serve test-two-servers mutate

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(UV):
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found (pyenv install 3.13)"; exit 1; }
	$(PYTHON313) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)  ## install the app's dependencies from uv.lock
	$(UV) sync --frozen --no-dev --python $(PYTHON313)

install-dev: $(UV)  ## install the app and the dev tools (no system packages)
	$(UV) sync --frozen --python $(PYTHON313)

system-deps:  ## Chromium, gettext, poppler-utils and HarfBuzz from apt, when missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing from apt:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: install  ## install, migrate, load the demo and serve http://127.0.0.1:8000 (with a task worker)
	DEBUG=1 $(MANAGE) migrate --no-input
	DEBUG=1 $(MANAGE) seed_demo
	@echo "Open http://127.0.0.1:8000 and log in as lead / wiifm-demo (or manager / wiifm-demo)."
	DEBUG=1 bin/keep-running $(MANAGE) task_worker --interval 2 --no-startup-delay & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

serve: install  ## production serving: collectstatic, migrate, gunicorn and a task worker (settings from the environment)
	@# The deployment check holds for HTTPS; WIIFM_ALLOW_HTTP=1 (a local plain-HTTP run) turns it off by design.
	if [ "$$WIIFM_ALLOW_HTTP" != 1 ]; then $(MANAGE) check --deploy --fail-level WARNING; else $(MANAGE) check; fi
	$(MANAGE) collectstatic --no-input -v0
	$(MANAGE) migrate --no-input
	@# bin/keep-running starts the worker again when it exits (back-off 1 s, 2 s, ... 30 s).
	bin/keep-running $(MANAGE) task_worker --no-startup-delay & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	.venv/bin/gunicorn -c gunicorn.conf.py wiifm_site.wsgi

lint: install-dev  ## ruff (lint and formatting), import-linter (the layers), mypy
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	DEBUG=1 .venv/bin/mypy

format: install-dev  ## ruff: fix what can be fixed, format
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrations-check: install-dev  ## fail when a model change has no migration
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

messages: install-dev system-deps  ## update the Danish catalogue and compile it
	DEBUG=1 $(MANAGE) makemessages -l da --no-obsolete --no-location --ignore "mutants/*"
	DEBUG=1 $(MANAGE) compilemessages -l da

test: install-dev system-deps migrations-check lint  ## lint and the whole suite (SQLite unless DATABASE_URL is set)
	.venv/bin/pytest -m "not twoservers"

test-two-servers: install-dev system-deps  ## two gunicorns on one PostgreSQL and Redis (run by .ci/run)
	.venv/bin/pytest -m twoservers

test-fast: install-dev system-deps  ## the suite without browser tests
	.venv/bin/pytest -m "not browser"

bench: bench-pdf bench-load bench-import bench-roster bench-worst  ## speed and memory measurements: PDFs, pages under load, the usage and roster imports, the worst input

bench-load: install-dev system-deps  ## pages under load with wrk, at 10 and 50 clients (SQLite, or DATABASE_URL; options in LOAD_ARGS)
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	rm -f /tmp/wiifm-load.sqlite3
	SECRET_KEY=bench-$$RANDOM-$$RANDOM-not-for-production-use-only-for-the-benchmark-run \
	SQLITE_PATH=/tmp/wiifm-load.sqlite3 CACHE_DIR=/tmp/wiifm-load-cache WIIFM_ALLOW_HTTP=1 \
	ALLOWED_HOSTS=127.0.0.1 $(MANAGE) migrate --no-input -v0
	SECRET_KEY=bench-$$RANDOM-$$RANDOM-not-for-production-use-only-for-the-benchmark-run \
	SQLITE_PATH=/tmp/wiifm-load.sqlite3 CACHE_DIR=/tmp/wiifm-load-cache WIIFM_ALLOW_HTTP=1 \
	ALLOWED_HOSTS=127.0.0.1 WIIFM_BENCH=1 $(MANAGE) bench_load $(LOAD_ARGS)

bench-pdf: install-dev system-deps  ## PDF render time and peak memory: demo, large, cached, one-pager
	rm -f /tmp/wiifm-bench.sqlite3
	DEBUG=1 SQLITE_PATH=/tmp/wiifm-bench.sqlite3 $(MANAGE) migrate --no-input -v0
	DEBUG=1 WIIFM_BENCH=1 SQLITE_PATH=/tmp/wiifm-bench.sqlite3 $(MANAGE) bench_pdf

bench-import: install-dev  ## the usage export's import: 100,000 rows, time and peak memory
	rm -f /tmp/wiifm-import.sqlite3
	DEBUG=1 SQLITE_PATH=/tmp/wiifm-import.sqlite3 $(MANAGE) migrate --no-input -v0
	DEBUG=1 WIIFM_BENCH=1 SQLITE_PATH=/tmp/wiifm-import.sqlite3 $(MANAGE) bench_import

bench-roster: install-dev  ## the roster file's import: 5,000 rows added, updated, unchanged (SQLite, or DATABASE_URL)
	rm -f /tmp/wiifm-roster.sqlite3
	DEBUG=1 SQLITE_PATH=/tmp/wiifm-roster.sqlite3 $(MANAGE) migrate --no-input -v0
	DEBUG=1 WIIFM_BENCH=1 SQLITE_PATH=/tmp/wiifm-roster.sqlite3 $(MANAGE) bench_roster

# The issue 23 runs: a fresh SQLite file (or DATABASE_URL, an existing database) and cache,
# gunicorn as `make serve` starts it (plain HTTP) and a task worker; the command stops them.
BENCH_ENV := SECRET_KEY=bench-$$RANDOM-$$RANDOM-not-for-production-use-only-for-the-benchmark-run \
	WIIFM_ALLOW_HTTP=1 ALLOWED_HOSTS=127.0.0.1

bench-worst: install-dev system-deps  ## the worst input's PDF in the worker while 16 clients load the site (issue 23)
	rm -rf /tmp/wiifm-worst.sqlite3* /tmp/wiifm-worst-cache
	$(BENCH_ENV) SQLITE_PATH=/tmp/wiifm-worst.sqlite3 CACHE_DIR=/tmp/wiifm-worst-cache \
	$(MANAGE) migrate --no-input -v0
	$(BENCH_ENV) SQLITE_PATH=/tmp/wiifm-worst.sqlite3 CACHE_DIR=/tmp/wiifm-worst-cache \
	WIIFM_BENCH=1 timeout -k 30 600 $(MANAGE) bench_worst $(BENCH_ARGS)

bench-redis-outage: install-dev  ## Redis away for 30 s during a 2-minute mixed load, every write read back (issue 23)
	@command -v redis-server >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; }
	rm -rf /tmp/wiifm-outage.sqlite3*
	$(BENCH_ENV) SQLITE_PATH=/tmp/wiifm-outage.sqlite3 $(MANAGE) migrate --no-input -v0
	$(BENCH_ENV) SQLITE_PATH=/tmp/wiifm-outage.sqlite3 \
	WIIFM_BENCH=1 timeout -k 30 600 $(MANAGE) bench_redis_outage $(BENCH_ARGS)

# The soak (issue 24): its own PostgreSQL database (dropped and created afresh) and
# Redis database (emptied), on the local servers unless told otherwise. Not in CI.
SOAK_USERS ?= 20
SOAK_MINUTES ?= 10
SOAK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/wiifm_soak
SOAK_REDIS_URL ?= redis://127.0.0.1:6379/12
SOAK_LOCUST ?= .venv/bin/locust

soak: install-dev system-deps  ## 20 users for 10 minutes with locust (SOAK_USERS, SOAK_MINUTES) on PostgreSQL and Redis; every write read back
	$(BENCH_ENV) DATABASE_URL=$(SOAK_DATABASE_URL) REDIS_URL=$(SOAK_REDIS_URL) WIIFM_BENCH=1 \
	timeout -k 30 $$(( $(SOAK_MINUTES) * 60 + 1200 )) \
	$(MANAGE) bench_soak --users $(SOAK_USERS) --minutes $(SOAK_MINUTES) --locust $(SOAK_LOCUST) $(BENCH_ARGS)

mutate: install-dev  ## mutation testing of the rule modules with mutmut (slow, not in CI); prints the score
	@# A fresh run each time: mutmut re-tests only changed functions, not changed tests.
	rm -rf mutants
	.venv/bin/mutmut run --max-children $$(nproc)
	$(PY) tests/mutation_score.py --fail-under 90

clean:  ## remove the virtualenvs and caches
	rm -rf .venv .tools .pytest_cache .ruff_cache staticfiles
