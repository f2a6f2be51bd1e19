# The two entry points of the README: `make run` (the whole pipeline on the embedded defaults)
# and `make test` (lint, type-check, tests). Both install what they need into .venv first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test lint typecheck pytest bench clean migration deploy

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/rsc db upgrade
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

# The tests mostly wait on processes, RabbitMQ and PostgreSQL, so they run on more workers than the
# machine has cores (pytest-xdist; each worker has its own database and virtual host). Measured on
# 2 cores: see the README. `make pytest PYTEST_WORKERS=0` runs them in one process.
PYTEST_WORKERS ?= 4

pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Until the first release the schema is one migration, regenerated from the models.
migration: $(STAMP)
	rm -f store/migrations/versions/0001_initial_schema.py var/migration.db
	mkdir -p var
	$(BIN)/python -c "from alembic import command; from store.migrate import alembic_config; \
	command.revision(alembic_config('sqlite:///var/migration.db'), message='initial schema', autogenerate=True, rev_id='0001')"
	rm -f var/migration.db

# deploy/ (Kubernetes manifests, compose file, RabbitMQ definitions) rendered from events/topology.py
# and the Procfile; tests/deploy/test_deploy.py fails while the committed files are stale.
deploy: $(STAMP)
	$(BIN)/python -m deploy.render
