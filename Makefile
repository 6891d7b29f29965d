# Two commands from a fresh clone: `make demo` and `make test`. Each makes .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint run console bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

test: $(STAMP) lint
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

demo: $(STAMP)
	$(BIN)/taskforce demo

console: $(STAMP)
	$(BIN)/taskforce console

run: $(STAMP)
	$(BIN)/taskforce run

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.sweeps
	$(BIN)/python -m benchmarks.delivery

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info taskforce-demo.db*
