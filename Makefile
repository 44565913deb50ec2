# Earshot. The two commands a newcomer needs:  make run   and   make test
# With DATABASE_URL / REDIS_URL unset, both start an embedded PostgreSQL and Redis under var/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
SCALE ?= 10000

.PHONY: run test manage bench lint format install clean-var messages

run: install ## serve the app with a worker and beat, demo data loaded, on http://127.0.0.1:8000
	$(BIN)/python -m organizing.launcher run

test: install ## the whole test suite against real PostgreSQL and Redis
	$(BIN)/python -m organizing.launcher test $(ARGS)

manage: install ## any manage.py command against the same data: make manage ARGS="createsuperuser"
	$(BIN)/python -m organizing.launcher manage $(ARGS)

bench: install ## benchmarks in bench/, sized by SCALE supporters
	SCALE=$(SCALE) ONLY=$(ONLY) $(BIN)/python -m organizing.launcher bench $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m organizing.launcher manage makemigrations --check --dry-run
	$(BIN)/python -m organizing.launcher manage translations_check

# Translations (README, "Translations"): new strings into locale/es/LC_MESSAGES/django.po.
MAKEMESSAGES_IGNORE := -i 'var/*' -i 'static/*' -i 'tests/*' -i 'bench/*' -i 'node_modules/*'
messages: install ## add new strings to the Spanish catalogue, then build the .mo files
	$(BIN)/python -m organizing.launcher manage makemessages -l es --no-location $(MAKEMESSAGES_IGNORE)
	$(BIN)/python -m organizing.translations tidy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(VENV)/.installed

# Reinstall only when the dependencies change, so a second `make run` starts fast.
$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --python $(BIN)/python
	@touch $@

clean-var: ## forget all local data (embedded databases, mail, static files)
	rm -rf var
