# Two commands from a fresh clone: `make demo` and `make test`. Each makes .venv itself
# and installs the exact versions of requirements.lock (hashed; the ones the tests passed
# with) through uv, which is fast; `make lock` renews the lock after pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
UV := $(BIN)/uv

.PHONY: test demo lint run console bench bench-smoke clean lock

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip install -q --python $(BIN)/python --require-hashes -r requirements.lock
	$(UV) pip install -q --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

lock: $(STAMP)
	$(UV) pip compile -q pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 -o requirements.lock

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

# P1-P5 and the ack during the Friday tick, in one run (benchmarks/RESULTS.md says how to
# read them). PostgreSQL rows: TASKFORCE_BENCH_POSTGRES_URL=postgresql+psycopg://…/tf_bench
# (a database of the benchmarks' own, and <name>_small beside it; their schema is dropped).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.all

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks.all --smoke

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info taskforce-demo.db*
