# The two commands of the README:
#   make site   install into .venv (created if missing) what the site needs, and build it
#   make test   install into .venv the test extra too, and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: site test install lint serve clean

# The site: the package and the `docs` extra (the API reference page), nothing for tests.
$(VENV)/.site-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@

# Everything: the test extra (which includes the docs extra's packages).
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.site-installed

install: $(VENV)/.installed

site: $(VENV)/.site-installed
	$(VENV)/bin/mkdocs build --strict

serve: $(VENV)/.site-installed
	$(VENV)/bin/mkdocs serve

test: install
	bash scripts/ensure_browser.sh
	bash scripts/ensure_actionlint.sh
	$(PY) -m pytest -n 2 --dist loadgroup

lint: install
	$(VENV)/bin/ruff check plugins tests scripts
	$(VENV)/bin/ruff format --check plugins tests scripts
	$(VENV)/bin/mypy

clean:
	rm -rf site .pytest_cache .governance-cache
