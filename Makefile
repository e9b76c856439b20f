# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch: installed first and pinned, so nothing pulls CUDA packages.
TORCH := torch==2.13.0

.PHONY: install test test-all lint format demo bench-load clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check nlptransfer tests benchmarks
	$(VENV)/bin/ruff format --check nlptransfer tests benchmarks

# Fast tests (what CI runs); `make test-all` adds the ones marked slow.
# pytest's exit code 5 ("no tests collected") is not a failure.
test: lint
	$(PY) -m pytest -m "not slow" nlptransfer tests || [ $$? -eq 5 ]

test-all: lint
	$(PY) -m pytest nlptransfer tests

format: $(STAMP)
	$(VENV)/bin/ruff format nlptransfer tests benchmarks
	$(VENV)/bin/ruff check --fix nlptransfer tests benchmarks

# The main job: frozen vs fine-tuned GloVe on tweet sentiment, offline, from PyPI alone
# (configs/quick.yaml); prints the report's tables and writes runs/quick/report.md and plots/.
# Run again to reprint the report: finished runs are kept (delete runs/quick to start over).
demo: $(STAMP)
	NLPTRANSFER_OFFLINE=1 $(PY) -m nlptransfer bench configs/quick.yaml --out runs/quick

bench-load: $(STAMP)
	$(PY) benchmarks/bench_load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
