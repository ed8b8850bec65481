# The two commands in README: `make run` and `make test`. Everything else is their plumbing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/peersupport
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/peersupport_bench
# Test processes (pytest-xdist): `auto` is one per CPU core, each with its own test database;
# TEST_PROCESSES=0 runs the suite in one process, as plain `pytest` does.
TEST_PROCESSES ?= auto

.PHONY: run test lint setup backup restore faults bench

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(VENV)/.installed $@

## Set up (venv, packages, database, demo data) without serving.
setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

## Set up everything and serve the app with demo data at http://127.0.0.1:8000.
run: setup
	VENV=$(VENV) ./scripts/run.sh

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## ruff, the layers contract (import-linter) and the whole test suite on real PostgreSQL and Redis.
test: $(VENV)/.dev-installed
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(PY) scripts/check_services.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) -m audit.tests.midnight
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(VENV)/bin/pytest -n $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

## The database (pg_dump, custom format) and the uploaded files in one archive under backups/
## (or OUT=path). It holds PHI: keep it where the database is kept.
backup: $(VENV)/.installed
	$(PY) manage.py backup $(if $(OUT),--output $(OUT))

## Put a backup back over the configured database and MEDIA_ROOT: make restore FILE=backups/x.tar.gz
restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=backups/peersupport-....tar.gz"; exit 2; }
	$(PY) manage.py restore $(FILE)

## The fault rehearsals: Redis stopped, a worker killed mid-report, the database cut mid-request,
## a backup restored into a fresh database, no PHI in logs. Each test starts and stops what it
## needs (its own redis-server, worker processes, a scratch database); the shared services stay up.
faults: $(VENV)/.dev-installed
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(VENV)/bin/pytest --create-db reports/tests/test_broker_down.py reports/tests/test_worker_killed.py \
		peersupport/tests/test_database_down.py peersupport/tests/test_redis_down.py peersupport/tests/test_backup.py peersupport/tests/test_no_phi_in_logs.py

## Every page of every role, billability, the 837P, the monthly report and a load run, against the
## large demo in its own database (BENCH_DATABASE_URL; seeded on first use, about 3 minutes):
## one table on screen and bench/results.json, each row against its budget. See README, "Performance".
bench: $(VENV)/.dev-installed
	@DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(PY) scripts/check_services.py --create-database
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=peersupport.settings.bench DATABASE_URL=$(BENCH_DATABASE_URL) \
		$(PY) manage.py bench $(if $(ONLY),--only $(ONLY))
