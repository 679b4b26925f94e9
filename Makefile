# The two commands of the README: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The test suite runs against real PostgreSQL and Redis (CI starts them if they are down).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jjx
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install lint typecheck schema pytest bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

# The OpenAPI schema must generate without a single warning (every view typed, every field resolved).
schema: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

pytest: install
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck schema pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .test-media staticfiles
