# Tracer — `make run` serves the app with demo data; `make test` runs the whole suite; `make security` the attack checks.
# `flask backup` and `flask restore` on PostgreSQL run pg_dump and pg_restore: the host needs the PostgreSQL client
# tools (Debian: postgresql-client) of the server's major version or newer.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYBABEL := $(BIN)/pybabel
CATALOGS := $(wildcard tracer/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test test-sqlite test-postgres security bench loadtest install install-dev browser sqlmap translations messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## The project's own code compiled once: a process whose environment forbids writing bytecode
## (PYTHONDONTWRITEBYTECODE), or that may not write beside the code, then starts without compiling it.
install: $(VENV)/.runtime
	$(BIN)/python -m compileall -q -j 0 tracer config.py wsgi.py
install-dev: $(VENV)/.dev

%.mo: %.po $(VENV)/.runtime
	$(PYBABEL) compile --statistics -i $< -o $@ 2>/dev/null

translations: $(COMPILED)

## Serve on http://127.0.0.1:5000 with an embedded SQLite database (instance/tracer.db).
run: install translations
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## Chromium for the browser tests comes from Debian.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## sqlmap for `make security` comes from Debian too.
sqlmap:
	@command -v sqlmap >/dev/null 2>&1 || { \
	  echo "installing sqlmap from Debian"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlmap >/dev/null; }

## The whole suite on SQLite, then (when TRACER_TEST_DATABASE_URL is set) on PostgreSQL; the attack tests
## (marked security, a few minutes of fuzzing) run in `make security`.
test: install-dev translations browser
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TRACER_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	 else echo "TRACER_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-sqlite:
	TRACER_TEST_DATABASE_URL= $(BIN)/python -m pytest -m "not security"

test-postgres:
	$(BIN)/python -m pytest -m "not browser and not security"

## The attack checks: bandit over tracer/ (no medium or high finding), then the tests marked security on
## SQLite and (when TRACER_TEST_DATABASE_URL is set) on PostgreSQL: the API fuzzed against its OpenAPI
## document as every role, random Unicode into every form and body, fields a user may not set, and
## sqlmap against the sign-in form and the serial-search API of a loopback server (tests/security/test_sqlmap.py).
## About five minutes a database on two cores.
security: install-dev translations sqlmap
	$(BIN)/bandit --quiet --recursive tracer --severity-level medium
	TRACER_TEST_DATABASE_URL= $(BIN)/python -m pytest -m security tests/security
	@if [ -n "$$TRACER_TEST_DATABASE_URL" ]; then $(BIN)/python -m pytest -m security tests/security; \
	 else echo "TRACER_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

## The budgets of SPEC §10 in one table (serial search, gunicorn throughput against a bare baseline, dashboards,
## page latency, import rate, ballistics on 1,000,000 items) on 1,000,000 firearms in PostgreSQL: TRACER_BENCH_DATABASE_URL (default
## tracer_bench on the local server), Redis 13 on the local server. The dataset is reused when present
## (BENCH_ARGS=--rebuild); BENCH_ARGS=--strict exits non-zero when a line fails; BENCH_ARGS=--sqlite measures
## the import on SQLite too.
bench: install translations
	$(BIN)/python tests/bench/all_budgets.py $(BENCH_ARGS)

## A bounded load test (about eleven minutes, loopback only): a copy of the bench register (TRACER_BENCH_DATABASE_URL,
## default tracer_bench, built by `make bench`) served by gunicorn in the production configuration, with the audit
## sealer, Redis 10; locust plays officers, analysts, liaisons and supervisors: 200 arrive over 100 s and work for
## 2 minutes, 400 more arrive and the 600 work for 2 minutes, then 200 work on for 1 minute; a table per phase says
## requests/s, p50/p95/p99 and errors. The copy is dropped at the
## end. LOADTEST_ARGS="--users 50 --phase-seconds 60 …" changes the run; LOADTEST_ARGS=--strict exits non-zero
## when a verdict fails.
loadtest: install-dev translations
	$(BIN)/python tests/load/run.py $(LOADTEST_ARGS)

## Re-extract messages and merge them into both catalogs.
messages: install
	$(PYBABEL) --quiet extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.*' -o messages.pot .
	$(PYBABEL) --quiet update -i messages.pot -d tracer/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache test-output
