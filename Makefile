# The two commands: `make demo` (set up and run on SQLite with demo data) and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: setup demo test lint typecheck pytest i18n bench faults upgrade-check clean

$(READY): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(READY)

demo: $(READY)
	$(BIN)/giamngheo demo

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(READY)
	$(BIN)/mypy

pytest: $(READY)
	$(BIN)/pytest -q

test: lint typecheck pytest

# Extract every msgid (Python and the YAML data), update the catalogues, make the Vietnamese
# (source-language) catalogue complete, and compile. The .mo files are committed.
i18n: $(READY)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k __ -k _ -k ngettext:1,2 --no-location \
		--sort-output --project giamngheo -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -w 100 --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/python -m bot.catalog locales/vi/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -d locales --statistics
	$(BIN)/pybabel compile -D typer -d locales -l vi

bench: $(READY)
	$(BIN)/python -m bench

# The long hostile-input run: 10.000 generated inputs per flow on SQLite (docs/benchmarks.md),
# the flows split between two processes (one per core); it fails if either process fails.
# Then the malformed-request corpus against the running server, with 10.000 generated junk
# requests per webhook.
faults: $(READY)
	@GIAMNGHEO_HOSTILE_EXAMPLES=10000 GIAMNGHEO_HOSTILE_SHARD=2/2 \
		$(BIN)/pytest -q -p no:randomly tests/faults/test_hostile_inputs.py & second=$$!; \
	GIAMNGHEO_HOSTILE_EXAMPLES=10000 GIAMNGHEO_HOSTILE_SHARD=1/2 \
		$(BIN)/pytest -q -p no:randomly tests/faults/test_hostile_inputs.py; first=$$?; \
	wait $$second; test $$first -eq 0 -a $$? -eq 0
	GIAMNGHEO_JUNK_REQUESTS=10000 $(BIN)/pytest -q -p no:randomly \
		tests/faults/test_malformed_requests.py tests/faults/test_webhook_hardening.py

# The newest versions pyproject.toml allows, in a venv of their own (.venv-upgrade, made afresh),
# then the test suite against them: a bug-fix release of a dependency that breaks us shows here
# before a deployment installs it. `pip freeze` prints what was tested.
UPGRADE_VENV := .venv-upgrade
upgrade-check:
	rm -rf $(UPGRADE_VENV)
	$(PY) -m venv $(UPGRADE_VENV)
	$(UPGRADE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(UPGRADE_VENV)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
	$(UPGRADE_VENV)/bin/python -m pip freeze --exclude-editable
	$(UPGRADE_VENV)/bin/pytest -q

clean:
	rm -rf $(VENV) $(UPGRADE_VENV) .mypy_cache .ruff_cache .pytest_cache
