# The two commands of the README: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The test suite runs against real PostgreSQL and Redis (CI starts them if they are down).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jjx
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install system-deps lint imports typecheck schema pytest bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# What the test suite needs from Debian beyond Python, installed when missing (the machines reach
# Debian's package registry, nothing else): LibreOffice Calc opens every exported workbook and Writer
# turns the official documents into PDF; Chromium is the browser the Playwright tests drive (no browser
# is ever downloaded); the CJK font makes the Chinese of the screenshots and PDFs readable; poppler-utils'
# pdftoppm keeps a page of each generated PDF as a picture in test-artifacts/.
SYSTEM_PACKAGES := libreoffice-calc-nogui libreoffice-writer-nogui chromium fonts-wqy-microhei poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing from Debian: $$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
			--no-install-recommends $$missing; \
	fi

# The demo runs the 2021 campaign as if it were early December 2021: November's report is due, the
# bulletins of July to November can be built and the December evaluation run (README "Configuration").
# load_demo plays the sample hospitals' campaign up to that day through the services (once: a second
# run changes nothing), and the pages carry the 示例数据 notice (JJX_SAMPLE_DATA).
DEMO_CLOCK ?= 2021-12-03T10:00

run: install
	$(BIN)/python manage.py migrate --noinput -v0
	JJX_REPORTING_CLOCK=$(DEMO_CLOCK) $(BIN)/python manage.py load_seed
	JJX_REPORTING_CLOCK=$(DEMO_CLOCK) $(BIN)/python manage.py load_demo
	$(BIN)/python manage.py sync_beat_schedule
	$(BIN)/python manage.py demo_logins
	JJX_REPORTING_CLOCK=$(DEMO_CLOCK) JJX_SAMPLE_DATA=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The import directions of README "Architecture" (import-linter contracts in pyproject.toml).
imports: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

# The OpenAPI schema must generate without a single warning (every view typed, every field resolved).
schema: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# Two passes: the tests that need nothing but the database and Redis run on both cores (pytest-xdist,
# one test database per process); those that start Chromium, a Celery worker or gunicorn run one at a
# time after them, so they never compete for the same ports, queue or browser. PYTEST_ARGS goes to both;
# a pass that PYTEST_ARGS leaves without tests (pytest's exit status 5) is not a failure.
SERIAL_MARKS := browser or worker or production

pytest: install system-deps
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
		$(BIN)/pytest -n 2 -m "not ($(SERIAL_MARKS))" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
		$(BIN)/pytest -m "$(SERIAL_MARKS)" $(PYTEST_ARGS) || [ $$? -eq 5 ]

test: lint imports typecheck schema pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .test-media staticfiles

# The export benchmark (README "Benchmark"): regenerates the region into two PostgreSQL databases (the
# whole region, and a tenth of its hospitals) and measures every workbook against the targets.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jjx_bench
BENCH_TENTH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jjx_bench_tenth

$(VENV)/.bench-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install -q -e ".[dev,bench]"
	touch $@

bench: install $(VENV)/.bench-installed
	DJANGO_SETTINGS_MODULE=config.settings.bench DJANGO_DEBUG=0 DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench_exports --prepare \
		--tenth-database-url $(BENCH_TENTH_DATABASE_URL) $(BENCH_ARGS)
