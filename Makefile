# The two commands of the README:
#   make site   install into .venv (created if missing; runtime only) and build the example site
#   make test   install into .venv (with test extras) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: site test install lint serve clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The site needs the runtime only: none of the importers' optional libraries.
$(VENV)/.installed-site: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

install: $(VENV)/.installed

site: $(VENV)/.installed-site
	$(VENV)/bin/mkdocs build --strict

serve: install
	$(VENV)/bin/mkdocs serve

test: install
	bash scripts/ensure_browser.sh
	$(PY) -m pytest -n 2 --dist loadgroup

lint: install
	$(VENV)/bin/ruff check plugins tests scripts
	$(VENV)/bin/ruff format --check plugins tests scripts
	$(VENV)/bin/mypy

clean:
	rm -rf site .pytest_cache .governance-cache
