PYTHON ?= python3
CRM ?= both
LEADS ?= 300
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(PIP) install -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/leadsync demo --crm $(CRM) --leads $(LEADS) --dashboard leadsync-demo-dashboard.html

test: $(VENV)/.installed-test
	$(BIN)/ruff check connector tests bench
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check connector tests bench
	$(BIN)/ruff format --check connector tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/generator.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
