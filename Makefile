# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: install demo test lint format migrate seed serve check-python clean backup restore security loadtest

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'

$(STAMP): pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_archive --demo-accounts

demo: seed
	@echo "Serving the archive at http://127.0.0.1:8000 (admin at /admin/). Ctrl-C stops it."
	$(MANAGE) runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Load test against gunicorn on 127.0.0.1 (needs DATABASE_URL with a generated corpus; not CI).
loadtest: install
	$(BIN)/python -m pip install --quiet -e ".[load]"
	bash bench/loadtest.sh

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache

# Backups: pg_dump custom format (PostgreSQL) or a file copy (SQLite) of the database that
# DATABASE_URL names. IDENTITY_KEYS are not in a backup: keep them separately.
backup: install
	$(MANAGE) backup_database $(if $(OUT),--output "$(OUT)")

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/archive-....dump"; exit 2; }
	$(MANAGE) restore_database "$(FILE)"

# Deployment checks, static security scan and dependency audit (also run by .ci/run).
security: install
	.ci/security
