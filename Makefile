# Creative Market — the two commands: `make run` (embedded demo) and `make test` (whole suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Links in the demo's e-mails (verification, password reset) point at the port it runs on.
STOREFRONT_URL ?= $(or $(MARKET_STOREFRONT_URL),http://$(HOST):$(PORT))

# prod-local: the Procfile's processes (2 API, 2 workers, payouts, beat) as production runs them.
.PHONY: install run prod-local worker beat test lint typecheck schema messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The embedded demo: SQLite under var/, demo catalogue loaded once, a Celery worker (with its
# periodic jobs: reservation expiry, exchange rates) on the file-system broker (no Redis needed)
# next to the API with GraphiQL on http://HOST:PORT/graphql/
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Creative Market: http://$(HOST):$(PORT)/graphql/  (admin: http://$(HOST):$(PORT)/admin/)"
	mkdir -p var/celery
	MARKET_STOREFRONT_URL='$(STOREFRONT_URL)' \
	$(BIN)/celery -A workers.app worker --beat --schedule=var/celery/beat-schedule \
		--loglevel=INFO --concurrency=2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	MARKET_STOREFRONT_URL='$(STOREFRONT_URL)' $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production's process model on this machine: PostgreSQL and Redis from .env (copy .env.example),
# migrated, static files collected, the local Stripe-compatible server on STRIPE_API_BASE's port,
# then every line of the Procfile under honcho (Ctrl-C stops them all). docs/production.md.
prod-local: install
	@test -f .env || { echo "prod-local: copy .env.example to .env and fill it in"; exit 1; }
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho run python manage.py migrate --noinput
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho run python manage.py collectstatic --noinput -v0
	$(BIN)/honcho run sh -c 'exec $(BIN)/python -m tests.stripe_server \
		--port "$${STRIPE_API_BASE##*:}" --api-key "$$STRIPE_SECRET_KEY"' & stripe=$$!; \
	trap 'kill $$stripe 2>/dev/null' EXIT INT TERM; \
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start

worker: install
	$(BIN)/celery -A workers.app worker --loglevel=INFO

beat: install
	$(BIN)/celery -A workers.app beat --loglevel=INFO

# Runs against DATABASE_URL / REDIS_URL when they are set, else SQLite and the file broker.
test: install
	$(BIN)/python -m pytest

# ruff (lint and format), the arrows between apps ([tool.importlinter] in pyproject.toml),
# and types.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) typecheck

# mypy with django-stubs; what is strict, module by module, is in pyproject.toml [tool.mypy].
typecheck: install
	$(BIN)/mypy market workers

schema: install
	$(BIN)/python manage.py graphql_schema --out graphql/schema.graphql

# The storefront's translation catalogues (needs GNU gettext): gather the messages into
# market/storefront/locale/{az,ru}, translate the new ones, then `make messages` again compiles.
messages: install
	cd market/storefront && ../../$(BIN)/django-admin makemessages -l az -l ru --no-obsolete \
		--add-location file --settings=market.settings --pythonpath=../..
	cd market/storefront && ../../$(BIN)/django-admin compilemessages \
		--settings=market.settings --pythonpath=../..

bench: install
	$(BIN)/python bench/catalogue.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/payouts.py
	$(BIN)/python bench/hostile_queries.py
	$(BIN)/python bench/storefront.py

clean:
	rm -rf var/ .pytest_cache .ruff_cache .mypy_cache
