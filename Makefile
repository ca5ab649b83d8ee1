# On a fresh machine with Python ≥ 3.10:
#   make demo   set up .venv and run the built-in demo
#   make test   set up .venv and run the tests
#   make lint   set up .venv and run ruff and mypy
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# The MNIST test set and the book's weights, when beside the project: figures 3-23/3-24 and the accuracy.
DATA ?= $(or $(NNGRAPH_DATA),../shared/data)
MNIST = $(if $(wildcard $(DATA)/book_mnist_mlp.npz),--mnist $(DATA) --weights $(DATA)/book_mnist_mlp.npz)

.PHONY: demo test lint fuzz bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,plot]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/nngraph demo $(MNIST)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check nngraph tests benchmarks examples
	$(BIN)/mypy nngraph

# A long fuzzing run of the file readers; `make test` runs a short one (tests/test_fuzz.py).
FUZZ_CASES ?= 100000
FUZZ_SEED ?= 1
fuzz: $(BIN)/.installed
	NNGRAPH_FUZZ_CASES=$(FUZZ_CASES) NNGRAPH_FUZZ_SEED=$(FUZZ_SEED) $(BIN)/python -m pytest -q -s tests/test_fuzz.py -k under_fuzzing

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build *.egg-info
