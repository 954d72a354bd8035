PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORTFOLIO_AS_OF ?= 2023-05-04

.PHONY: run serve test system-packages screenshots fuzz venv dev-venv migrate seed schema bench bench-all loadtest clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

## make run: install, migrate, load the seed's portfolio, the demo leads and problems, print logins and tokens, serve on 127.0.0.1:8000
## with the background worker beside the web server (its queue in var/queue.sqlite3); one Ctrl-C stops both
run: venv system-packages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py demo_leads
	$(PY) manage.py demo_problems
	PORTFOLIO_AS_OF=$(PORTFOLIO_AS_OF) $(PY) manage.py demo_accounts
	PORTFOLIO_AS_OF=$(PORTFOLIO_AS_OF) $(PY) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' INT TERM EXIT; \
	PORTFOLIO_AS_OF=$(PORTFOLIO_AS_OF) DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

## make serve: as in production: gunicorn (DEBUG off, static files by whitenoise) on 127.0.0.1:$$PORT (default 8000),
## and the worker as its own process (in production each runs under its own systemd unit, docs/deployment.md).
## HTTPS-only unless PORTFOLIO_HTTPS=0 (a local trial without a TLS proxy in front). One Ctrl-C stops both.
serve: venv system-packages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	DEBUG=0 $(PY) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' INT TERM EXIT; \
	DEBUG=0 $(VENV)/bin/gunicorn -c gunicorn.conf.py

## make test: install what the tests need, check the layers (.importlinter) and run the whole suite (DATABASE_URL picks the database)
test: dev-venv
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2 -q

## make screenshots: retake the user guide's pictures (docs/user-guide/) with the browser tests
screenshots: dev-venv
	SCREENSHOTS_DIR=docs/user-guide $(PY) -m pytest -q tests/browser

## make fuzz: the schema fuzz test with many examples per operation and a random seed; prints the totals
FUZZ_EXAMPLES ?= 50
fuzz: dev-venv
	rm -f fuzz-report.tsv
	status=0; FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 FUZZ_REPORT=fuzz-report.tsv \
		$(PY) -m pytest -n 2 -q tests/api/test_fuzz.py || status=$$?; \
	awk -F'\t' '{ cases += $$3; n = split($$4, codes, " "); \
		for (i = 1; i <= n; i++) { split(codes[i], c, ":"); if (c[1] >= 500) errors += c[2] } } \
		END { printf "%d operation-role pairs, %d generated cases, %d server errors\n", NR, cases, errors }' \
		fuzz-report.tsv; \
	exit $$status

## make schema: regenerate the committed OpenAPI schema after an API change
schema: venv
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

BENCH_SQLITE ?= sqlite:///bench.sqlite3
BENCH_PG ?= postgres://postgres@127.0.0.1:5432/portfolio_bench
LOADTEST_DATABASE_URL ?= $(BENCH_PG)_1k

## make bench: each request against its floor on 100,000 generated projects (DATABASE_URL, default SQLite)
bench: dev-venv
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_SQLITE)} nice $(PY) -m bench --projects 100000

## make bench-all: both databases at 1,000 and 100,000 projects, then the tables of docs/performance.md
bench-all: dev-venv
	DATABASE_URL=$(subst bench.sqlite3,bench-1k.sqlite3,$(BENCH_SQLITE)) nice $(PY) -m bench --projects 1000
	DATABASE_URL=$(BENCH_SQLITE) nice $(PY) -m bench --projects 100000
	DATABASE_URL=$(BENCH_PG)_1k nice $(PY) -m bench --projects 1000
	DATABASE_URL=$(BENCH_PG) nice $(PY) -m bench --projects 100000 --write-docs

## make loadtest: gunicorn (2 workers) on 127.0.0.1 driven by a second process, 4 and 16 clients, 10 s each
loadtest: dev-venv
	$(PY) -m bench.loadtest --database-url $(LOADTEST_DATABASE_URL)

## make system-packages: the Debian packages the PDF bulletin needs (Pango), installed when missing
system-packages:
	bash scripts/system-packages runtime

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles var
