# IMAG'IN – the two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export TEST_REDIS_URL
# Each pytest process (the controller, each worker, each pass) imports the application
# and the 120 test modules: with their bytecode kept (out of the tree, in .pytest_cache)
# pytest need not compile and rewrite them again, which cost ~12 s of CPU per process
# when PYTHONDONTWRITEBYTECODE is set.
TEST_PYCACHE := $(CURDIR)/.pytest_cache/pycache
# pytest-xdist workers for `make test` (0: one process); the browser tests share one.
TEST_WORKERS ?= 2
PYTEST := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(TEST_PYCACHE) \
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup

.PHONY: run test test-sqlite test-postgres install translations catalogues lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Compile the message catalogues (.po -> .mo).
translations: install
	$(BIN)/python tools/i18n.py compile

# Re-extract the msgids and merge them into the catalogues (then translate fr by hand).
catalogues: install
	$(BIN)/python tools/i18n.py update

# The portal with demo data on the embedded SQLite default, and a job worker on the
# embedded SQLite queue (instance/jobs.db) in the background, stopped with the server.
run: translations
	FLASK_DEBUG=1 $(BIN)/flask --app run imagin seed-demo
	@echo "Portail IMAG'IN : http://127.0.0.1:$(PORT)/ (et un processus de traitement)"
	FLASK_DEBUG=1 $(BIN)/flask --app run imagin worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	FLASK_DEBUG=1 PORT=$(PORT) $(BIN)/python run.py

# The whole suite, on SQLite then on PostgreSQL (both need Redis for the shared
# rate-limit test). An unreachable service fails loudly; outside CI only,
# SKIP_SERVICES=1 runs the SQLite pass without them, and says so.
test: translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@status=0; TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python tools/check_services.py || status=$$?; \
	if [ $$status -eq 3 ]; then \
		$(PYTEST) -m "not services"; \
	elif [ $$status -ne 0 ]; then \
		exit $$status; \
	else \
		echo "== Test suite on SQLite =="; \
		$(PYTEST) || exit 1; \
		echo "== The same suite on PostgreSQL ($(TEST_DATABASE_URL)) =="; \
		TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(PYTEST); \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache
